/* yaml.c — see pelab/yaml/yaml.h */
#include "pelab/yaml/yaml.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "pelab/base/keyed.h"
#include "pelab/base/mem.h"
#include "pelab/base/numtext.h"
#include "pelab/base/rng.h"
#include "pelab/base/suggest.h"

/* ---- failures ------------------------------------------------------------------ */

static int vfail_pos(pelab_yaml_doc *c, int line, int col, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 0)))
#endif
    ;
static int vfail_pos(pelab_yaml_doc *c, int line, int col, const char *fmt, va_list ap) {
    char msg[PELAB_ERROR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    pelab_error_set(c->err, PELAB_STATUS_CONFIG, "%s:%d:%d: %s", c->display, line, col, msg);
    return -1;
}

int pelab_yaml_fail_pos(pelab_yaml_doc *c, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail_pos(c, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

int pelab_yaml_fail(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail_pos(c, n ? n->line : 1, n ? n->col : 1, fmt, ap);
    va_end(ap);
    return -1;
}

/* pelab_yaml_quote() of a NUL-terminated string. */
static const char *qs_(char buf[PELAB_YAML_QBUF], const char *s) { return pelab_yaml_quote(buf, s, strlen(s)); }

const char *pelab_yaml_quote_str(char buf[PELAB_YAML_QBUF], const char *s) { return qs_(buf, s); }

/* 1 if s is [A-Za-z0-9_.-]+ */
static int name_chars_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
              *s == '.' || *s == '-'))
            return 0;
    return 1;
}

int pelab_yaml_check_name(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, const char *s,
                          size_t max_len) {
    char q[PELAB_YAML_QBUF];
    if (!name_chars_ok(s) || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return pelab_yaml_fail(c, n, "invalid %s '%s': use letters, digits, '_', '.' and '-' only", what,
                               pelab_yaml_quote(q, n->text, n->len));
    if (strlen(s) > max_len - 1)
        return pelab_yaml_fail(c, n, "%s '%s' is longer than %zu characters", what,
                               pelab_yaml_quote(q, n->text, n->len), max_len - 1);
    return 0;
}

/* ---- stage 1: bytes -------------------------------------------------------------- */

/* Writes len bytes of s into buf for a message: control bytes as \xNN, at
 * most ~48 bytes, then "..." (never splitting a UTF-8 sequence). */
const char *pelab_yaml_quote(char buf[PELAB_YAML_QBUF], const char *s, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (o >= 48 && (b & 0xC0) != 0x80) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (b < 0x20 || b == 0x7F) {
            snprintf(buf + o, PELAB_YAML_QBUF - o, "\\x%02x", b);
            o += 4;
        } else {
            buf[o++] = (char)b;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* Line and column (1-based, columns in characters, a leading UTF-8 BOM not
 * counted, as libyaml counts) of byte offset off. */
static void offset_pos(const char *text, size_t len, size_t off, int *line, int *col) {
    int l = 1, c = 1;
    size_t start = (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    if (off > len) off = len;
    for (size_t i = start; i < off; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b == '\n' || (b == '\r' && (i + 1 >= len || text[i + 1] != '\n'))) {
            l++;
            c = 1;
        } else if ((b & 0xC0) != 0x80 && b != '\r') {
            c++;
        }
    }
    *line = l;
    *col = c;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char b = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) need = 1;
    else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else return 0;
    if (n < need + 1) return 0;
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i <= need; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    return need + 1;
}

/* Refuses NUL bytes and invalid UTF-8, located at the offending byte. */
static int check_bytes(pelab_yaml_doc *c, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t k = s[i] ? utf8_seq(s + i, len - i) : 0;
        if (k == 0) {
            int line, col;
            offset_pos(text, len, i, &line, &col);
            if (s[i] == 0) return pelab_yaml_fail_pos(c, line, col, "NUL byte in the file");
            return pelab_yaml_fail_pos(c, line, col, "invalid UTF-8 byte 0x%02x", s[i]);
        }
        i += k;
    }
    return 0;
}

/* A new node at mark m, owned by the context. */
static pelab_yaml_node *new_node(pelab_yaml_doc *c, int type, yaml_mark_t m) {
    pelab_yaml_node *n = pelab_xcalloc(1, sizeof *n);
    c->nodes = pelab_xgrow(c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof *c->nodes);
    c->nodes[c->n_nodes++] = n;
    n->kind = type;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    return n;
}

static void add_kid(pelab_yaml_node *parent, pelab_yaml_node *kid) {
    parent->kids = pelab_xgrow(parent->kids, &parent->cap, (size_t)parent->n + 1, sizeof *parent->kids);
    parent->kids[parent->n++] = kid;
}

/* Defines (or redefines: the latest wins) anchor name as target. */
static void anchor_put(pelab_yaml_doc *c, const char *name, pelab_yaml_node *target) {
    if ((c->anchor_count + 1) * 2 > c->anchor_cap) {
        size_t ncap = c->anchor_cap ? c->anchor_cap * 2 : 16;
        pelab_yaml_anchor *t = pelab_xcalloc(ncap, sizeof *t);
        for (size_t i = 0; i < c->anchor_cap; i++) {
            if (!c->anchors[i].name) continue;
            size_t h = (size_t)pelab_hash_str(c->anchors[i].name) & (ncap - 1);
            while (t[h].name) h = (h + 1) & (ncap - 1);
            t[h] = c->anchors[i];
        }
        free(c->anchors);
        c->anchors = t;
        c->anchor_cap = ncap;
    }
    size_t h = (size_t)pelab_hash_str(name) & (c->anchor_cap - 1);
    while (c->anchors[h].name && strcmp(c->anchors[h].name, name) != 0)
        h = (h + 1) & (c->anchor_cap - 1);
    if (!c->anchors[h].name) {
        c->anchors[h].name = pelab_xmemdup(name, strlen(name));
        c->anchor_count++;
    }
    c->anchors[h].target = target;
}

/* The node anchor name refers to, or NULL. */
static pelab_yaml_node *anchor_get(const pelab_yaml_doc *c, const char *name) {
    if (!c->anchor_cap) return NULL;
    size_t h = (size_t)pelab_hash_str(name) & (c->anchor_cap - 1);
    while (c->anchors[h].name) {
        if (strcmp(c->anchors[h].name, name) == 0) return c->anchors[h].target;
        h = (h + 1) & (c->anchor_cap - 1);
    }
    return NULL;
}

/* Refuses an explicit tag (pelab files are untagged YAML). */
static int check_tag(pelab_yaml_doc *c, const yaml_char_t *tag, yaml_mark_t m) {
    static const char prefix[] = "tag:yaml.org,2002:";
    char q[PELAB_YAML_QBUF];
    const char *t = (const char *)tag;
    if (!t) return 0;
    if (strncmp(t, prefix, sizeof prefix - 1) == 0)
        return pelab_yaml_fail_pos(c, (int)m.line + 1, (int)m.column + 1,
                        "unsupported YAML tag '!!%s': expected an untagged value", qs_(q, t + sizeof prefix - 1));
    return pelab_yaml_fail_pos(c, (int)m.line + 1, (int)m.column + 1,
                    "unsupported YAML tag '%s': expected an untagged value", qs_(q, t));
}

/* Reports libyaml's error as "problem (context)" at its mark. */
static int yaml_fail(pelab_yaml_doc *c, const yaml_parser_t *p, const char *text, size_t len) {
    int line, col;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_MEMORY_ERROR) return pelab_yaml_fail_pos(c, 1, 1, "out of memory while parsing");
    if (p->error == YAML_READER_ERROR) {
        offset_pos(text, len, p->problem_offset, &line, &col);
        if (p->problem_value != -1) return pelab_yaml_fail_pos(c, line, col, "%s (0x%x)", problem, (unsigned)p->problem_value);
        return pelab_yaml_fail_pos(c, line, col, "%s", problem);
    }
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
    if (p->context) return pelab_yaml_fail_pos(c, line, col, "%s (%s)", problem, p->context);
    return pelab_yaml_fail_pos(c, line, col, "%s", problem);
}

typedef struct frame {
    pelab_yaml_node *n;
    char *anchor;
} frame;

/* Parses text into a tree; *root is NULL for a stream without a document. */
static int build_tree(pelab_yaml_doc *c, const char *text, size_t len, pelab_yaml_node **root) {
    yaml_parser_t p;
    if (c->lim.max_depth < 1 || c->lim.max_depth > PELAB_YAML_MAX_DEPTH) c->lim.max_depth = PELAB_YAML_MAX_DEPTH;
    frame stack[PELAB_YAML_MAX_DEPTH];
    int depth = 0, docs = 0, rc = -1;
    long count = 0;
    char q[PELAB_YAML_QBUF];

    *root = NULL;
    if (!yaml_parser_initialize(&p)) return pelab_yaml_fail_pos(c, 1, 1, "out of memory while parsing");
    /* the encoding is left to libyaml so that it skips a UTF-8 BOM; any
     * other encoding was refused as invalid UTF-8 by check_bytes */
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    for (;;) {
        yaml_event_t ev;
        pelab_yaml_node *n = NULL;
        const yaml_char_t *anchor = NULL;
        int bad = 0, done = 0;
        if (!yaml_parser_parse(&p, &ev)) {
            yaml_fail(c, &p, text, len);
            goto out;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (docs++)
                bad = pelab_yaml_fail_pos(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                               "a second YAML document: the file is one document");
            break;
        case YAML_ALIAS_EVENT:
            n = anchor_get(c, (const char *)ev.data.alias.anchor);
            if (!n)
                bad = pelab_yaml_fail_pos(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                               "undefined alias '*%s'", qs_(q, (const char *)ev.data.alias.anchor));
            break;
        case YAML_SCALAR_EVENT:
            if ((bad = check_tag(c, ev.data.scalar.tag, ev.start_mark))) break;
            n = new_node(c, PELAB_YAML_KIND_SCALAR, ev.start_mark);
            n->text = pelab_xmemdup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->len = ev.data.scalar.length;
            n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            if (memchr(n->text, 0, n->len)) bad = pelab_yaml_fail(c, n, "NUL character in a string");
            anchor = ev.data.scalar.anchor;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev.type == YAML_SEQUENCE_START_EVENT;
            if ((bad = check_tag(c, seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag,
                                 ev.start_mark)))
                break;
            if (depth == c->lim.max_depth) {
                bad = pelab_yaml_fail_pos(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                               "nesting deeper than %d levels", c->lim.max_depth);
                break;
            }
            n = new_node(c, seq ? PELAB_YAML_KIND_SEQ : PELAB_YAML_KIND_MAP, ev.start_mark);
            anchor = seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            if (stack[depth].anchor) {
                anchor_put(c, stack[depth].anchor, stack[depth].n);
                free(stack[depth].anchor);
            }
            break;
        default: break;
        }
        if (n && !bad) {
            if (++count > c->lim.max_nodes) {
                bad = pelab_yaml_fail(c, n, "more than %ld YAML nodes", c->lim.max_nodes);
            } else {
                if (depth == 0) *root = n;
                else add_kid(stack[depth - 1].n, n);
                if (ev.type == YAML_SCALAR_EVENT && anchor) {
                    anchor_put(c, (const char *)anchor, n);
                } else if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
                    stack[depth].n = n;
                    stack[depth].anchor = anchor ? pelab_xmemdup((const char *)anchor, strlen((const char *)anchor)) : NULL;
                    depth++;
                }
            }
        }
        yaml_event_delete(&ev);
        if (bad) goto out;
        if (done) break;
    }
    rc = 0;
out:
    while (depth > 0) free(stack[--depth].anchor);
    yaml_parser_delete(&p);
    return rc;
}

/* Refuses a mapping with a non-scalar or a repeated key. */
static int check_keys_unique(pelab_yaml_doc *c, pelab_yaml_node *m) {
    int n = m->n / 2, first = 0, dup = 0, rc = 0;
    pelab_keyed *k;
    char q[PELAB_YAML_QBUF];
    for (int i = 0; i < n; i++) {
        pelab_yaml_node *key = m->kids[2 * i];
        if (key->kind != PELAB_YAML_KIND_SCALAR)
            return pelab_yaml_fail(c, key, "a mapping key must be a scalar, found a %s",
                           key->kind == PELAB_YAML_KIND_MAP ? "mapping" : "list");
    }
    k = pelab_xmalloc((size_t)(n ? n : 1) * sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i].s = m->kids[2 * i]->text;
        k[i].len = m->kids[2 * i]->len;
        k[i].v = 0;
        k[i].idx = i;
    }
    if (pelab_keyed_find_dup(k, n, &first, &dup)) {
        pelab_yaml_node *a = m->kids[2 * first], *b = m->kids[2 * dup];
        rc = pelab_yaml_fail(c, b, "duplicate key '%s' (first at %d:%d)", pelab_yaml_quote(q, b->text, b->len),
                     a->line, a->col);
    }
    free(k);
    return rc;
}

/* Visits every node under n (through aliases: a shared node is visited each
 * time it is reached), refusing more than c->lim.max_nodes visits,
 * nesting deeper than c->lim.max_depth and bad mapping keys. */
static int check_tree(pelab_yaml_doc *c, pelab_yaml_node *n, int depth) {
    if (++c->visits > c->lim.max_nodes)
        return pelab_yaml_fail(c, n, "more than %ld nodes with aliases expanded", c->lim.max_nodes);
    if (n->kind == PELAB_YAML_KIND_SCALAR) return 0;
    if (depth > c->lim.max_depth)
        return pelab_yaml_fail(c, n, "nesting deeper than %d levels (with aliases expanded)", c->lim.max_depth);
    if (n->kind == PELAB_YAML_KIND_MAP && !n->keys_checked) {
        if (check_keys_unique(c, n)) return -1;
        n->keys_checked = 1;
    }
    for (int i = 0; i < n->n; i++)
        if (check_tree(c, n->kids[i], depth + 1)) return -1;
    return 0;
}


/* ---- the document -------------------------------------------------------------------- */

int pelab_yaml_parse(pelab_yaml_doc *c, const char *text, size_t len, const char *display,
                     const pelab_yaml_limits *lim, pelab_error *err) {
    static const pelab_yaml_limits defaults = PELAB_YAML_LIMITS_DEFAULT;
    memset(c, 0, sizeof *c);
    c->display = display ? display : "<yaml>";
    c->err = err;
    c->lim = lim ? *lim : defaults;
    if (len > c->lim.max_bytes) {
        pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %zu bytes, larger than the limit of %zu", c->display, len,
                        c->lim.max_bytes);
        return -1;
    }
    if (!text && len) {
        pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: no text", c->display);
        return -1;
    }
    if (!text) text = "";
    if (check_bytes(c, text, len) || build_tree(c, text, len, &c->root)) return -1;
    if (c->root && check_tree(c, c->root, 1)) return -1;
    return 0;
}

int pelab_yaml_load_file(pelab_yaml_doc *c, const char *path, const char *what, const pelab_yaml_limits *lim,
                         pelab_error *err) {
    static const pelab_yaml_limits defaults = PELAB_YAML_LIMITS_DEFAULT;
    const pelab_yaml_limits *l = lim ? lim : &defaults;
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(EISDIR));
            return -1;
        }
        if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > (uintmax_t)l->max_bytes) {
            fclose(f);
            pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s is %lld bytes, larger than the limit of %zu", path,
                            what, (long long)st.st_size, l->max_bytes);
            return -1;
        }
    }
    char *buf = pelab_xmalloc(l->max_bytes + 1);
    size_t n = fread(buf, 1, l->max_bytes + 1, f);
    if (ferror(f)) {
        int e = errno;
        free(buf);
        fclose(f);
        pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(e));
        return -1;
    }
    fclose(f);
    if (n > l->max_bytes) {
        free(buf);
        pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s is more than %zu bytes, the limit", path, what,
                        l->max_bytes);
        return -1;
    }
    int rc = pelab_yaml_parse(c, buf, n, path, l, err);
    /* the tree owns copies of every string: the text can go */
    free(buf);
    return rc;
}

void pelab_yaml_free(pelab_yaml_doc *c) {
    for (size_t i = 0; i < c->n_nodes; i++) {
        free(c->nodes[i]->text);
        free(c->nodes[i]->kids);
        free(c->nodes[i]);
    }
    free(c->nodes);
    for (size_t i = 0; i < c->anchor_cap; i++) free(c->anchors[i].name);
    free(c->anchors);
    memset(c, 0, sizeof *c);
}

/* ---- scalars -------------------------------------------------------------------------- */

int pelab_yaml_get_bool(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, int *out) {
    if (!pelab_yaml_is_bool(n)) return pelab_yaml_fail_type(c, n, "true or false", what);
    *out = n->text[0] == 't' || n->text[0] == 'T';
    return 0;
}

int pelab_yaml_get_scalar(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, const char **out) {
    if (n->kind != PELAB_YAML_KIND_SCALAR) return pelab_yaml_fail_type(c, n, "a value", what);
    *out = n->text;
    return 0;
}

int pelab_yaml_is_null(const pelab_yaml_node *n) {
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (n->kind != PELAB_YAML_KIND_SCALAR || n->quoted) return 0;
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(n->text, nulls[i]) == 0) return 1;
    return 0;
}

int pelab_yaml_is_bool(const pelab_yaml_node *n) {
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    if (n->kind != PELAB_YAML_KIND_SCALAR || n->quoted) return 0;
    for (size_t i = 0; i < sizeof bools / sizeof *bools; i++)
        if (strcmp(n->text, bools[i]) == 0) return 1;
    return 0;
}

/* What node n is, for "expected X, found Y" messages. */
const char *pelab_yaml_describe(char *buf, size_t cap, const pelab_yaml_node *n) {
    char q[PELAB_YAML_QBUF];
    if (n->kind == PELAB_YAML_KIND_MAP) snprintf(buf, cap, "a mapping");
    else if (n->kind == PELAB_YAML_KIND_SEQ) snprintf(buf, cap, "a list");
    else if (n->quoted) snprintf(buf, cap, "the quoted string \"%s\"", pelab_yaml_quote(q, n->text, n->len));
    else if (pelab_yaml_is_null(n)) snprintf(buf, cap, "null");
    else if (pelab_yaml_is_bool(n)) snprintf(buf, cap, "the boolean %s", n->text);
    else if (pelab_text_is_int(n->text)) snprintf(buf, cap, "the integer %s", pelab_yaml_quote(q, n->text, n->len));
    else if (pelab_text_is_real(n->text)) snprintf(buf, cap, "the real number %s", pelab_yaml_quote(q, n->text, n->len));
    else if (pelab_text_is_nonfinite(n->text)) snprintf(buf, cap, "the non-finite number %s", n->text);
    else snprintf(buf, cap, "the string '%s'", pelab_yaml_quote(q, n->text, n->len));
    return buf;
}

/* "expected EXPECTED for WHAT, found ..." at n. */
int pelab_yaml_fail_type(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *expected, const char *what) {
    char d[2 * PELAB_YAML_QBUF];
    return pelab_yaml_fail(c, n, "expected %s for %s, found %s", expected, what, pelab_yaml_describe(d, sizeof d, n));
}

/* Reads an integer in [lo, hi] from plain scalar n (a quoted "8" is a
 * string); what names it in messages. */
int pelab_yaml_get_int(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, long long lo, long long hi, long long *out) {
    char q[PELAB_YAML_QBUF];
    char *end;
    long long v;
    if (n->kind != PELAB_YAML_KIND_SCALAR || n->quoted || !pelab_text_is_int(n->text))
        return pelab_yaml_fail_type(c, n, "an integer", what);
    errno = 0;
    v = strtoll(n->text, &end, 10);
    if (errno == ERANGE || *end || v < lo || v > hi)
        return pelab_yaml_fail(c, n, "%s must be in [%lld, %lld], found %s", what, lo, hi, pelab_yaml_quote(q, n->text, n->len));
    *out = v;
    return 0;
}

/* int version of get_int. */
int pelab_yaml_get_int32(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, long long lo, long long hi, int *out) {
    long long v = 0;
    if (pelab_yaml_get_int(c, n, what, lo, hi, &v)) return -1;
    *out = (int)v;
    return 0;
}

/* Reads an unsigned 64-bit integer from plain scalar n. */
int pelab_yaml_get_u64(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, uint64_t *out) {
    char q[PELAB_YAML_QBUF];
    char *end;
    unsigned long long v;
    if (n->kind != PELAB_YAML_KIND_SCALAR || n->quoted || !pelab_text_is_int(n->text))
        return pelab_yaml_fail_type(c, n, "an integer", what);
    errno = 0;
    v = strtoull(n->text, &end, 10);
    if (n->text[0] == '-' || errno == ERANGE || *end)
        return pelab_yaml_fail(c, n, "%s must be in [0, %" PRIu64 "], found %s", what, UINT64_MAX,
                       pelab_yaml_quote(q, n->text, n->len));
    *out = (uint64_t)v;
    return 0;
}

/* Reads a finite real number from plain scalar n. */
int pelab_yaml_get_real(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, double *out) {
    char q[PELAB_YAML_QBUF];
    char *end;
    double v;
    if (n->kind == PELAB_YAML_KIND_SCALAR && !n->quoted && pelab_text_is_nonfinite(n->text))
        return pelab_yaml_fail_type(c, n, "a finite number", what);
    if (n->kind != PELAB_YAML_KIND_SCALAR || n->quoted || !pelab_text_is_real(n->text))
        return pelab_yaml_fail_type(c, n, "a number", what);
    v = strtod(n->text, &end);
    if (*end || !isfinite(v))
        return pelab_yaml_fail(c, n, "%s %s is not a finite number", what, pelab_yaml_quote(q, n->text, n->len));
    *out = v;
    return 0;
}

/* Reads a string: any quoted scalar, or a plain one that is not null or a
 * boolean. */
int pelab_yaml_get_str(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, const char **out) {
    if (n->kind != PELAB_YAML_KIND_SCALAR || pelab_yaml_is_null(n) || pelab_yaml_is_bool(n)) return pelab_yaml_fail_type(c, n, "a string", what);
    *out = n->text;
    return 0;
}

/* Reads one of names[0..count) into *out; an unknown name is refused with
 * the nearest one, or the list of them. */
int pelab_yaml_get_choice(pelab_yaml_doc *c, const pelab_yaml_node *n, const char *what, const char *const *names, int count,
                      int *out) {
    const char *s;
    char q[PELAB_YAML_QBUF], sug[2 * PELAB_YAML_QBUF], list[512];
    if (pelab_yaml_get_str(c, n, what, &s)) return -1;
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    if (*pelab_suggest(sug, sizeof sug, s, names, count))
        return pelab_yaml_fail(c, n, "unknown %s '%s'%s", what, pelab_yaml_quote(q, n->text, n->len), sug);
    return pelab_yaml_fail(c, n, "unknown %s '%s' (expected %s)", what, pelab_yaml_quote(q, n->text, n->len),
                           pelab_suggest_list(list, sizeof list, names, count));
}

/* The value of key in mapping m (NULL if absent); *key_out its key node. */
pelab_yaml_node *pelab_yaml_map_get(const pelab_yaml_node *m, const char *key, pelab_yaml_node **key_out) {
    for (int i = 0; i + 1 < m->n; i += 2)
        if (strcmp(m->kids[i]->text, key) == 0) {
            if (key_out) *key_out = m->kids[i];
            return m->kids[i + 1];
        }
    if (key_out) *key_out = NULL;
    return NULL;
}

/* Refuses a key of mapping m that is not in known[0..n) ("unknown key 'k'
 * WHERE (did you mean ...)"); where is "" or " in sweep". */
int pelab_yaml_check_keys(pelab_yaml_doc *c, const pelab_yaml_node *m, const char *const *known, int n, const char *where) {
    char q[PELAB_YAML_QBUF], sug[2 * PELAB_YAML_QBUF];
    for (int i = 0; i + 1 < m->n; i += 2) {
        const pelab_yaml_node *k = m->kids[i];
        int ok = 0;
        for (int j = 0; j < n && !ok; j++) ok = strcmp(k->text, known[j]) == 0;
        if (ok) continue;
        if (*pelab_suggest(sug, sizeof sug, k->text, known, n))
            return pelab_yaml_fail(c, k, "unknown key '%s'%s%s", pelab_yaml_quote(q, k->text, k->len), where, sug);
        char list[512];
        return pelab_yaml_fail(c, k, "unknown key '%s'%s (the keys here: %s)", pelab_yaml_quote(q, k->text, k->len),
                               where, pelab_suggest_list(list, sizeof list, known, n));
    }
    return 0;
}

/* The value of a required key, or a located error at the mapping. */
pelab_yaml_node *pelab_yaml_map_require(pelab_yaml_doc *c, const pelab_yaml_node *m, const char *key, const char *where) {
    pelab_yaml_node *v = pelab_yaml_map_get(m, key, NULL);
    if (!v) pelab_yaml_fail(c, m, "missing required key '%s'%s", key, where);
    return v;
}

