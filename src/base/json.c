/* json.c — see pelab/base/json.h. A recursive-descent parser. */
#include "pelab/base/json.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/strbuf.h"

#define JSON_MAX_DEPTH 64

typedef struct parser {
    const char *s;
    size_t len, pos;
    const char *display;
    pelab_error *err;
    pelab_json_doc *doc;
    int failed;
} parser;

static void fail(parser *p, const char *why) {
    if (!p->failed) pelab_error_set(p->err, PELAB_STATUS_RUN, "%s: byte %zu: %s", p->display, p->pos, why);
    p->failed = 1;
}

static pelab_json *new_value(parser *p, pelab_json_type t) {
    pelab_json *v = pelab_xcalloc(1, sizeof *v);
    v->type = t;
    v->start = p->pos;
    pelab_json_doc *d = p->doc;
    d->all = pelab_xgrow(d->all, &d->cap_all, d->n_all + 1, sizeof *d->all);
    d->all[d->n_all++] = v;
    return v;
}

static void skip_ws(parser *p) {
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static int hex4(parser *p, unsigned *out) {
    if (p->pos + 4 > p->len) return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos + (size_t)i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    p->pos += 4;
    *out = v;
    return 1;
}

static void put_utf8(pelab_strbuf *b, unsigned cp) {
    char u[4];
    size_t n;
    if (cp < 0x80) u[0] = (char)cp, n = 1;
    else if (cp < 0x800) u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[2] = (char)(0x80 | (cp & 0x3F)),
        n = 3;
    else
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    pelab_strbuf_put(b, u, n);
}

/* A string at p->pos (the opening quote); a malloc'ed copy, or NULL. */
static char *parse_string(parser *p) {
    pelab_strbuf b = PELAB_STRBUF_INIT;
    p->pos++; /* " */
    for (;;) {
        if (p->pos >= p->len) {
            fail(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            return pelab_strbuf_take(&b);
        }
        if (c < 0x20) {
            fail(p, "a control character in a string");
            break;
        }
        if (c != '\\') {
            pelab_strbuf_putc(&b, (char)c);
            p->pos++;
            continue;
        }
        p->pos++;
        if (p->pos >= p->len) {
            fail(p, "unterminated string");
            break;
        }
        char e = p->s[p->pos++];
        unsigned cp;
        switch (e) {
        case '"': pelab_strbuf_putc(&b, '"'); break;
        case '\\': pelab_strbuf_putc(&b, '\\'); break;
        case '/': pelab_strbuf_putc(&b, '/'); break;
        case 'b': pelab_strbuf_putc(&b, '\b'); break;
        case 'f': pelab_strbuf_putc(&b, '\f'); break;
        case 'n': pelab_strbuf_putc(&b, '\n'); break;
        case 'r': pelab_strbuf_putc(&b, '\r'); break;
        case 't': pelab_strbuf_putc(&b, '\t'); break;
        case 'u':
            if (!hex4(p, &cp)) {
                fail(p, "a bad \\u escape");
                goto bad;
            }
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (p->pos + 2 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    fail(p, "a lone surrogate in a \\u escape");
                    goto bad;
                }
                p->pos += 2;
                if (!hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                    fail(p, "a lone surrogate in a \\u escape");
                    goto bad;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(p, "a lone surrogate in a \\u escape");
                goto bad;
            }
            if (cp == 0) {
                fail(p, "\\u0000 in a string");
                goto bad;
            }
            put_utf8(&b, cp);
            break;
        default: fail(p, "an unknown escape in a string"); goto bad;
        }
    }
bad:
    pelab_strbuf_free(&b);
    return NULL;
}

static pelab_json *parse_value(parser *p, int depth);

static pelab_json *parse_number(parser *p) {
    size_t a = p->pos;
    const char *s = p->s;
    if (p->pos < p->len && s[p->pos] == '-') p->pos++;
    if (p->pos < p->len && s[p->pos] == '0') p->pos++;
    else if (p->pos < p->len && s[p->pos] >= '1' && s[p->pos] <= '9')
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9') p->pos++;
    else {
        fail(p, "expected a value");
        return NULL;
    }
    if (p->pos < p->len && s[p->pos] == '.') {
        p->pos++;
        if (!(p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')) {
            fail(p, "a digit must follow the decimal point");
            return NULL;
        }
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9') p->pos++;
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-')) p->pos++;
        if (!(p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9')) {
            fail(p, "a digit must follow the exponent");
            return NULL;
        }
        while (p->pos < p->len && s[p->pos] >= '0' && s[p->pos] <= '9') p->pos++;
    }
    char tmp[64];
    size_t n = p->pos - a;
    if (n >= sizeof tmp) {
        fail(p, "a number longer than 63 characters");
        return NULL;
    }
    memcpy(tmp, s + a, n);
    tmp[n] = '\0';
    size_t here = p->pos;
    p->pos = a;
    pelab_json *v = new_value(p, PELAB_JSON_TYPE_NUMBER);
    p->pos = here;
    v->number = strtod(tmp, NULL);
    if (!isfinite(v->number)) {
        fail(p, "a number out of range");
        return NULL;
    }
    return v;
}

static int literal(parser *p, const char *word) {
    size_t n = strlen(word);
    if (p->pos + n <= p->len && memcmp(p->s + p->pos, word, n) == 0) {
        p->pos += n;
        return 1;
    }
    return 0;
}

static pelab_json *parse_value(parser *p, int depth) {
    skip_ws(p);
    if (p->pos >= p->len) {
        fail(p, "expected a value, found the end");
        return NULL;
    }
    if (depth > JSON_MAX_DEPTH) {
        fail(p, "nested deeper than 64 levels");
        return NULL;
    }
    char c = p->s[p->pos];
    pelab_json *v;
    if (c == '{' || c == '[') {
        int obj = c == '{';
        v = new_value(p, obj ? PELAB_JSON_TYPE_OBJECT : PELAB_JSON_TYPE_ARRAY);
        size_t cap = 0, kcap = 0;
        p->pos++;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) {
            p->pos++;
            v->end = p->pos;
            return v;
        }
        for (;;) {
            char *key = NULL;
            if (obj) {
                skip_ws(p);
                if (p->pos >= p->len || p->s[p->pos] != '"') {
                    fail(p, "expected a member name in quotes");
                    return NULL;
                }
                size_t at = p->pos;
                key = parse_string(p);
                if (!key) return NULL;
                for (size_t i = 0; i < v->n; i++)
                    if (strcmp(v->keys[i], key) == 0) {
                        p->pos = at;
                        free(key);
                        fail(p, "a repeated member name");
                        return NULL;
                    }
                v->keys = pelab_xgrow(v->keys, &kcap, v->n + 1, sizeof *v->keys);
                v->keys[v->n] = key;
                skip_ws(p);
                if (p->pos >= p->len || p->s[p->pos] != ':') {
                    v->items = pelab_xgrow(v->items, &cap, v->n + 1, sizeof *v->items);
                    v->items[v->n++] = NULL; /* so the key is freed */
                    fail(p, "expected ':' after a member name");
                    return NULL;
                }
                p->pos++;
            }
            pelab_json *item = parse_value(p, depth + 1);
            v->items = pelab_xgrow(v->items, &cap, v->n + 1, sizeof *v->items);
            v->items[v->n++] = item;
            if (!item) return NULL;
            skip_ws(p);
            if (p->pos < p->len && p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) {
                p->pos++;
                v->end = p->pos;
                return v;
            }
            fail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
            return NULL;
        }
    }
    if (c == '"') {
        v = new_value(p, PELAB_JSON_TYPE_STRING);
        v->string = parse_string(p);
        if (!v->string) return NULL;
    } else if (literal(p, "true") || literal(p, "false")) {
        v = new_value(p, PELAB_JSON_TYPE_BOOL);
        v->boolean = c == 't';
    } else if (literal(p, "null")) {
        v = new_value(p, PELAB_JSON_TYPE_NULL);
    } else {
        v = parse_number(p);
        if (!v) return NULL;
    }
    v->end = p->pos;
    return v;
}

pelab_status pelab_json_parse(pelab_json_doc *doc, const char *text, size_t len, const char *display,
                              pelab_error *err) {
    memset(doc, 0, sizeof *doc);
    parser p = {text, len, 0, display ? display : "<json>", err, doc, 0};
    pelab_json *root = parse_value(&p, 0);
    if (root) {
        skip_ws(&p);
        if (p.pos != len) fail(&p, "text after the value");
    }
    if (p.failed || !root) {
        pelab_json_free(doc);
        return PELAB_STATUS_RUN;
    }
    doc->root = root;
    return PELAB_STATUS_OK;
}

void pelab_json_free(pelab_json_doc *doc) {
    for (size_t i = 0; i < doc->n_all; i++) {
        pelab_json *v = doc->all[i];
        if (v->keys)
            for (size_t k = 0; k < v->n; k++) free(v->keys[k]);
        free(v->keys);
        free(v->items);
        free(v->string);
        free(v);
    }
    free(doc->all);
    memset(doc, 0, sizeof *doc);
}

const pelab_json *pelab_json_get(const pelab_json *o, const char *key) {
    if (!o || o->type != PELAB_JSON_TYPE_OBJECT) return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return o->items[i];
    return NULL;
}

int pelab_json_get_string(const pelab_json *o, const char *key, const char **out) {
    const pelab_json *v = pelab_json_get(o, key);
    if (!v || v->type != PELAB_JSON_TYPE_STRING) return 0;
    *out = v->string;
    return 1;
}

int pelab_json_get_number(const pelab_json *o, const char *key, double *out) {
    const pelab_json *v = pelab_json_get(o, key);
    if (!v || v->type != PELAB_JSON_TYPE_NUMBER) return 0;
    *out = v->number;
    return 1;
}

int pelab_json_get_int(const pelab_json *o, const char *key, long long *out) {
    double d;
    if (!pelab_json_get_number(o, key, &d) || d != floor(d) || fabs(d) > 9007199254740992.0) return 0;
    *out = (long long)d;
    return 1;
}
