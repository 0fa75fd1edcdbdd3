/* numtext.c — see pelab/base/numtext.h */
#include "pelab/base/numtext.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* 1 if s is [+-]?[0-9]+ */
int pelab_text_is_int(const char *s) {
    if (*s == '+' || *s == '-') s++;
    if (!is_digit(*s)) return 0;
    while (is_digit(*s)) s++;
    return *s == '\0';
}

/* 1 if s is a decimal number: [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)? */
int pelab_text_is_real(const char *s) {
    int digits = 0;
    if (*s == '+' || *s == '-') s++;
    while (is_digit(*s)) s++, digits++;
    if (*s == '.') {
        s++;
        while (is_digit(*s)) s++, digits++;
    }
    if (!digits) return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!is_digit(*s)) return 0;
        while (is_digit(*s)) s++;
    }
    return *s == '\0';
}

/* 1 if s spells an infinity or a NaN (.inf, .NaN, inf, nan, infinity, any
 * case, optional sign). */
int pelab_text_is_nonfinite(const char *s) {
    static const char *const words[] = {"inf", "infinity", "nan"};
    char low[16];
    size_t i = 0;
    if (*s == '+' || *s == '-') s++;
    if (*s == '.') s++;
    for (; i < sizeof low - 1 && s[i]; i++) low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    if (s[i]) return 0;
    low[i] = '\0';
    for (size_t k = 0; k < sizeof words / sizeof *words; k++)
        if (strcmp(low, words[k]) == 0) return 1;
    return 0;
}

int pelab_parse_double(const char *s, double *out) {
    if (!s || !s[0]) return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end) return 0;
    /* overflow to +-HUGE_VAL is a number too large for a double: refuse it,
     * but keep underflow (a tiny number read as 0 or a subnormal) */
    if (errno == ERANGE && isinf(v)) return 0;
    *out = v;
    return 1;
}

const char *pelab_text_number(char *buf, double v) {
    if (isnan(v)) snprintf(buf, PELAB_TEXT_NUMBER_MAX, "nan");
    else if (isinf(v)) snprintf(buf, PELAB_TEXT_NUMBER_MAX, v > 0 ? "inf" : "-inf");
    else snprintf(buf, PELAB_TEXT_NUMBER_MAX, "%.17g", v);
    return buf;
}
