/* pelab/base/numtext.h — the syntax of numbers in text (YAML scalars, CSV
 * fields): one definition for every reader. */
#ifndef PELAB_BASE_NUMTEXT_H
#define PELAB_BASE_NUMTEXT_H

/* 1 if s is [+-]?[0-9]+ */
int pelab_text_is_int(const char *s);
/* 1 if s is a decimal number: [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)? */
int pelab_text_is_real(const char *s);
/* 1 if s spells an infinity or a NaN (.inf, .NaN, inf, nan, infinity, any
 * case, optional sign). */
int pelab_text_is_nonfinite(const char *s);
/* Parse a whole string as a number: 1 with *out set, 0 otherwise (empty
 * strings, trailing text and overflow to infinity included; nan and inf
 * spelled out are accepted). Accepts what strtod accepts. */
int pelab_parse_double(const char *s, double *out);

/* The text of a number as every CSV writer writes it: "nan", "inf", "-inf",
 * or 17 significant digits (%.17g, which pelab_parse_double reads back
 * exactly). buf holds PELAB_TEXT_NUMBER_MAX bytes. Returns buf. */
#define PELAB_TEXT_NUMBER_MAX 32
const char *pelab_text_number(char *buf, double v);

#endif /* PELAB_BASE_NUMTEXT_H */
