/* pelab/base/strbuf.h — a growable NUL-terminated string.
 *
 * The one string builder of the tree: canonical JSON, manifests, reports
 * and messages append to it. data is always NUL-terminated once anything
 * was appended (NULL before); len excludes the NUL. Appending never fails
 * (memory from pelab_xrealloc). */
#ifndef PELAB_BASE_STRBUF_H
#define PELAB_BASE_STRBUF_H

#include <stddef.h>

typedef struct pelab_strbuf {
    char *data;
    size_t len, cap;
} pelab_strbuf;

#define PELAB_STRBUF_INIT {NULL, 0, 0}

void pelab_strbuf_put(pelab_strbuf *b, const char *s, size_t len);
void pelab_strbuf_puts(pelab_strbuf *b, const char *s);
void pelab_strbuf_putc(pelab_strbuf *b, char c);
void pelab_strbuf_printf(pelab_strbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* s as a JSON string literal, quotes included: ", \ , \n, \t, \r escaped by
 * name, other control characters as \u00XX, everything else as it is. */
void pelab_strbuf_json_str(pelab_strbuf *b, const char *s);
/* s with &, <, > and " as HTML entities. */
void pelab_strbuf_html(pelab_strbuf *b, const char *s);
/* Give up the text: returns data (never NULL: "" when empty; the caller
 * frees it) and leaves b empty. */
char *pelab_strbuf_take(pelab_strbuf *b);
void pelab_strbuf_free(pelab_strbuf *b);

#endif /* PELAB_BASE_STRBUF_H */
