/* strbuf.c — see pelab/base/strbuf.h */
#include "pelab/base/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/status.h"

void pelab_strbuf_put(pelab_strbuf *b, const char *s, size_t len) {
    b->data = pelab_xgrow(b->data, &b->cap, b->len + len + 1, 1);
    if (len) memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void pelab_strbuf_puts(pelab_strbuf *b, const char *s) { pelab_strbuf_put(b, s, strlen(s)); }

void pelab_strbuf_putc(pelab_strbuf *b, char c) { pelab_strbuf_put(b, &c, 1); }

void pelab_strbuf_printf(pelab_strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    PELAB_ASSERT(k >= 0);
    b->data = pelab_xgrow(b->data, &b->cap, b->len + (size_t)k + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)k;
}

void pelab_strbuf_json_str(pelab_strbuf *b, const char *s) {
    pelab_strbuf_putc(b, '"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"') pelab_strbuf_puts(b, "\\\"");
        else if (ch == '\\') pelab_strbuf_puts(b, "\\\\");
        else if (ch == '\n') pelab_strbuf_puts(b, "\\n");
        else if (ch == '\t') pelab_strbuf_puts(b, "\\t");
        else if (ch == '\r') pelab_strbuf_puts(b, "\\r");
        else if (ch < 0x20) pelab_strbuf_printf(b, "\\u%04x", ch);
        else pelab_strbuf_putc(b, (char)ch);
    }
    pelab_strbuf_putc(b, '"');
}

void pelab_strbuf_html(pelab_strbuf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': pelab_strbuf_puts(b, "&amp;"); break;
        case '<': pelab_strbuf_puts(b, "&lt;"); break;
        case '>': pelab_strbuf_puts(b, "&gt;"); break;
        case '"': pelab_strbuf_puts(b, "&quot;"); break;
        default: pelab_strbuf_putc(b, *s);
        }
    }
}

char *pelab_strbuf_take(pelab_strbuf *b) {
    char *d = b->data ? b->data : pelab_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

void pelab_strbuf_free(pelab_strbuf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
