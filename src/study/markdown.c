/* markdown.c — CommonMark to HTML through md4c (see pelab/study/report.h).
 *
 * pelab writes no markdown parser of its own: md4c (Debian libmd4c-dev and
 * libmd4c-html0-dev, CommonMark 0.30 with GitHub's tables) renders, and this
 * file only collects its output and escapes text that must stay literal. */
#include <md4c-html.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/study/report.h"

#include "pelab/base/mem.h"

/* md4c's parser options: CommonMark, GitHub tables and ~~strikethrough~~;
 * raw HTML stays allowed (report.md uses <details> blocks). No permissive
 * autolinks: a path such as www.x/y in a verdict stays text. */
#define PELAB_MD_FLAGS (MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH)

typedef struct md_out {
    char *s;
    size_t len, cap;
} md_out;

static void md_collect(const MD_CHAR *text, MD_SIZE size, void *user) {
    md_out *o = user;
    if (o->len + size + 1 > o->cap) {
        size_t nc = o->cap ? o->cap : 4096;
        while (nc < o->len + size + 1) nc *= 2;
        char *ns = realloc(o->s, nc);
        PELAB_ASSERT(ns != NULL);
        o->s = ns, o->cap = nc;
    }
    memcpy(o->s + o->len, text, size);
    o->len += size;
    o->s[o->len] = '\0';
}

pelab_status pelab_markdown_to_html(char **html, size_t *len, const char *md, size_t md_len, pelab_error *err) {
    md_out o = {NULL, 0, 0};
    *html = NULL;
    if (len) *len = 0;
    if (md_len > (size_t)0x7fffffff)
        return pelab_error_set(err, PELAB_STATUS_RUN, "markdown of %zu bytes is too large to render", md_len);
    md_collect("", 0, &o); /* "" for an empty document, never NULL */
    if (md_html(md, (MD_SIZE)md_len, md_collect, &o, PELAB_MD_FLAGS, 0) != 0) {
        free(o.s);
        return pelab_error_set(err, PELAB_STATUS_RUN, "md4c could not render the markdown (out of memory?)");
    }
    *html = o.s;
    if (len) *len = o.len;
    return PELAB_STATUS_OK;
}

/* Whether c is an ASCII letter or digit. */
static int is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char *pelab_markdown_escape(const char *text) {
    size_t n = strlen(text);
    char *out = pelab_xmalloc(2 * n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        int esc = 0;
        switch (c) {
        case '\\': case '`': case '*': case '[': case ']': case '<': case '>': case '|': case '&': case '~':
        case '#': case '!':
            esc = 1;
            break;
        case '_':
            /* inside a word (order_token_dist) an underscore cannot open or
             * close emphasis: leave it readable there */
            esc = !(i > 0 && is_alnum(text[i - 1]) && i + 1 < n && is_alnum(text[i + 1]));
            break;
        case '-': case '+': case '=':
            /* only a line's first character can start a list or a heading underline */
            esc = i == 0 || text[i - 1] == '\n';
            break;
        case '\n':
            c = ' '; /* one line: a newline could end a list item or a table cell */
            break;
        default:
            break;
        }
        if (esc) *o++ = '\\';
        *o++ = c;
    }
    *o = '\0';
    return out;
}
