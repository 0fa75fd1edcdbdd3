/* config.c — see pelab/config.h
 *
 * Loading runs in four stages, each refusing with one located message:
 *   1. bytes   size limit, NUL bytes and UTF-8, before libyaml sees the text;
 *   2. build   libyaml events -> a tree of nodes. An alias is a pointer to
 *              the anchored node, visible only once that node is complete
 *              (so the tree has no cycles). Depth and node limits, no tags,
 *              exactly one document;
 *   3. check   a walk of the whole tree that counts every node it visits,
 *              through aliases too, so an alias bomb stops at
 *              PELAB_CONFIG_MAX_NODES visits; depth; scalar, unique keys;
 *   4. resolve the schema walk that fills pelab_config, then the canonical
 *              JSON and its hash.
 * Scheme parameters are validated from the registry in encoding.c alone. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "pelab/lab/config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "pelab/pe/encoding.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"
#include "pelab/base/suggest.h"

#if defined(__GNUC__)
#define CFG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CFG_PRINTF(a, b)
#endif

#define CSV_MAX_VALUES (1 << 26) /* values in an inputs file (512 MiB of doubles) */
#define CSV_MAX_LINE (1 << 26)   /* bytes in one line of an inputs file           */
#define CSV_MAX_FIELD 128        /* bytes in one value of an inputs file          */
#define QBUF 128                 /* a user string quoted into a message           */

/* ---- names of the enums ---------------------------------------------------- */

static const char *const g_mask_names[PELAB_MASK_COUNT] = {"none", "causal"};
static const char *const g_projection_names[PELAB_PROJECTION_COUNT] = {"identity", "random"};
static const char *const g_dtype_names[PELAB_DTYPE_COUNT] = {"f32", "f64"};
static const char *const g_permutation_names[PELAB_PERMUTATION_COUNT] = {"random", "reverse",
                                                                         "swap_adjacent"};
static const char *const g_input_kind_names[PELAB_INPUT_KIND_COUNT] = {"random", "file",
                                                                       "sentences"};

const char *pelab_mask_str(pelab_mask m) {
    return (unsigned)m < PELAB_MASK_COUNT ? g_mask_names[m] : "unknown";
}

const char *pelab_projection_str(pelab_projection p) {
    return (unsigned)p < PELAB_PROJECTION_COUNT ? g_projection_names[p] : "unknown";
}

const char *pelab_dtype_str(pelab_dtype t) {
    return (unsigned)t < PELAB_DTYPE_COUNT ? g_dtype_names[t] : "unknown";
}

const char *pelab_permutation_str(pelab_permutation p) {
    return (unsigned)p < PELAB_PERMUTATION_COUNT ? g_permutation_names[p] : "unknown";
}

const char *pelab_input_kind_str(pelab_input_kind k) {
    return (unsigned)k < PELAB_INPUT_KIND_COUNT ? g_input_kind_names[k] : "unknown";
}

/* ---- memory ------------------------------------------------------------------ */

/* realloc that aborts like pelab_xmalloc instead of returning NULL. */
static void *xrealloc(void *p, size_t size) {
    void *q = realloc(p, size ? size : 1);
    if (!q) {
        fprintf(stderr, "pelab: out of memory allocating %zu bytes\n", size);
        abort();
    }
    return q;
}

/* A NUL-terminated copy of len bytes of s. */
static char *xmemdup(const char *s, size_t len) {
    char *d = pelab_xmalloc(len + 1);
    if (len) memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* Makes room for `need` elements of size `elem` in array p of capacity *cap
 * (doubling); returns the possibly moved array. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) nc *= 2;
    *cap = nc;
    return xrealloc(p, nc * elem);
}

/* ---- the tree ---------------------------------------------------------------- */

enum { N_SCALAR, N_SEQ, N_MAP };

typedef struct node {
    int type;          /* N_SCALAR, N_SEQ or N_MAP                              */
    int quoted;        /* scalar written in any style but plain                  */
    int line, col;     /* 1-based start                                          */
    char *text;        /* scalar value, NUL-terminated (no NUL inside)           */
    size_t len;
    struct node **kids; /* sequence items; mapping keys and values alternating */
    int n;
    size_t cap;
    int keys_checked;  /* mapping already checked for duplicate keys            */
} node;

typedef struct anchor_slot {
    char *name;
    node *target;
} anchor_slot;

/* A string or integer with its position in the original order, to find
 * duplicates and look names up by sorting. */
typedef struct keyed {
    const char *s; /* string key, or NULL for an integer key */
    size_t len;
    long long v;
    int idx;
} keyed;

/* A scheme variant from `schemes:`. */
typedef struct variant {
    pelab_scheme s;
    node *at;
} variant;

typedef struct ctx {
    const char *display;  /* the config's name in messages                   */
    const char *base_dir; /* folder of relative input files                  */
    pelab_error *err;
    node **nodes; /* every node, for freeing */
    size_t n_nodes, cap_nodes;
    anchor_slot *anchors; /* open addressing, capacity a power of two */
    size_t anchor_cap, anchor_count;
    long visits;
    /* where each axis value came from, for errors found across axes */
    node **seq_len_at, **d_model_at, **heads_at;
    node *seq_len_key, *d_model_key;
    variant *variants;
    int n_variants;
    keyed *variant_index; /* variants sorted by name */
    keyed *token_index;   /* tokens sorted by name   */
    const char *input_file; /* inputs: {file: ...} as written */
} ctx;

/* ---- errors ------------------------------------------------------------------ */

/* Sets "path:line:col: message" (status CONFIG); returns -1. */
static int vfail_in(ctx *c, const char *path, int line, int col, const char *fmt, va_list ap)
    CFG_PRINTF(5, 0);
static int vfail_in(ctx *c, const char *path, int line, int col, const char *fmt, va_list ap) {
    char msg[PELAB_ERROR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    pelab_error_set(c->err, PELAB_STATUS_CONFIG, "%s:%d:%d: %s", path, line, col, msg);
    return -1;
}

static int fail_in(ctx *c, const char *path, int line, int col, const char *fmt, ...)
    CFG_PRINTF(5, 6);
static int fail_in(ctx *c, const char *path, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail_in(c, path, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error at line:col of the config. */
static int fail_pos(ctx *c, int line, int col, const char *fmt, ...) CFG_PRINTF(4, 5);
static int fail_pos(ctx *c, int line, int col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail_in(c, c->display, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

/* An error at the start of node n. */
static int fail_at(ctx *c, const node *n, const char *fmt, ...) CFG_PRINTF(3, 4);
static int fail_at(ctx *c, const node *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail_in(c, c->display, n->line, n->col, fmt, ap);
    va_end(ap);
    return -1;
}

/* Writes len bytes of s into buf for a message: control bytes as \xNN, at
 * most ~48 bytes, then "..." (never splitting a UTF-8 sequence). */
static const char *quote(char buf[QBUF], const char *s, size_t len) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)s[i];
        if (o >= 48 && (b & 0xC0) != 0x80) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (b < 0x20 || b == 0x7F) {
            snprintf(buf + o, QBUF - o, "\\x%02x", b);
            o += 4;
        } else {
            buf[o++] = (char)b;
        }
    }
    buf[o] = '\0';
    return buf;
}

/* quote() of a NUL-terminated string. */
static const char *qs(char buf[QBUF], const char *s) {
    return quote(buf, s, strlen(s));
}

/* ---- suggestions ------------------------------------------------------------- */

/* Writes " (did you mean 'X'?)" into buf for the candidate closest to word,
 * or "" when none is close: distance at most a third of the longer name
 * (rounded up) and less than the word's length. Returns buf. */
static const char *suggest(char *buf, size_t cap, const char *word, const char *const *cands,
                           int n) {
    const char *best = NULL;
    int bd = INT_MAX;
    size_t lw = strlen(word);
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        int d = pelab_edit_distance(word, cands[i]);
        size_t lc = strlen(cands[i]), lm = lw > lc ? lw : lc;
        if (d < bd && (size_t)d <= (lm + 2) / 3 && (size_t)d < lw) {
            bd = d;
            best = cands[i];
        }
    }
    if (best) {
        char q[QBUF];
        snprintf(buf, cap, " (did you mean '%s'?)", qs(q, best));
    }
    return buf;
}

/* ---- sorting helpers --------------------------------------------------------- */

/* Order of keys ignoring their position; 0 when equal. */
static int keyed_cmp_key(const keyed *a, const keyed *b) {
    if (a->s && b->s) {
        size_t m = a->len < b->len ? a->len : b->len;
        int r = memcmp(a->s, b->s, m);
        if (r) return r;
        return (a->len > b->len) - (a->len < b->len);
    }
    return (a->v > b->v) - (a->v < b->v);
}

static int keyed_cmp(const void *pa, const void *pb) {
    const keyed *a = pa, *b = pb;
    int r = keyed_cmp_key(a, b);
    return r ? r : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Sorts k[0..n) and finds the repeated key whose second occurrence comes
 * first in the original order: returns 1 with the original indices of both
 * occurrences, 0 when every key differs. */
static int find_dup(keyed *k, int n, int *first, int *dup) {
    int found = 0;
    qsort(k, (size_t)n, sizeof *k, keyed_cmp);
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && keyed_cmp_key(&k[i], &k[j]) == 0) j++;
        if (j - i >= 2 && (!found || k[i + 1].idx < *dup)) {
            found = 1;
            *first = k[i].idx;
            *dup = k[i + 1].idx;
        }
        i = j;
    }
    return found;
}

/* Original index of string s in k[0..n) sorted by find_dup/qsort, or -1. */
static int keyed_find(const keyed *k, int n, const char *s) {
    keyed probe = {s, strlen(s), 0, 0};
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, r = keyed_cmp_key(&k[mid], &probe);
        if (r == 0) return k[mid].idx;
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* ---- stage 1: bytes ---------------------------------------------------------- */

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
static int check_bytes(ctx *c, const char *text, size_t len) {
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        size_t k = s[i] ? utf8_seq(s + i, len - i) : 0;
        if (k == 0) {
            int line, col;
            offset_pos(text, len, i, &line, &col);
            if (s[i] == 0) return fail_pos(c, line, col, "NUL byte in the config");
            return fail_pos(c, line, col, "invalid UTF-8 byte 0x%02x", s[i]);
        }
        i += k;
    }
    return 0;
}

/* ---- stage 2: build the tree from libyaml events ----------------------------- */

/* A new node at mark m, owned by the context. */
static node *new_node(ctx *c, int type, yaml_mark_t m) {
    node *n = pelab_xcalloc(1, sizeof *n);
    c->nodes = grow(c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof *c->nodes);
    c->nodes[c->n_nodes++] = n;
    n->type = type;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    return n;
}

static void add_kid(node *parent, node *kid) {
    parent->kids = grow(parent->kids, &parent->cap, (size_t)parent->n + 1, sizeof *parent->kids);
    parent->kids[parent->n++] = kid;
}

/* Defines (or redefines: the latest wins) anchor name as target. */
static void anchor_put(ctx *c, const char *name, node *target) {
    if ((c->anchor_count + 1) * 2 > c->anchor_cap) {
        size_t ncap = c->anchor_cap ? c->anchor_cap * 2 : 16;
        anchor_slot *t = pelab_xcalloc(ncap, sizeof *t);
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
        c->anchors[h].name = xmemdup(name, strlen(name));
        c->anchor_count++;
    }
    c->anchors[h].target = target;
}

/* The node anchor name refers to, or NULL. */
static node *anchor_get(const ctx *c, const char *name) {
    if (!c->anchor_cap) return NULL;
    size_t h = (size_t)pelab_hash_str(name) & (c->anchor_cap - 1);
    while (c->anchors[h].name) {
        if (strcmp(c->anchors[h].name, name) == 0) return c->anchors[h].target;
        h = (h + 1) & (c->anchor_cap - 1);
    }
    return NULL;
}

/* Refuses an explicit tag (pelab configs are untagged YAML). */
static int check_tag(ctx *c, const yaml_char_t *tag, yaml_mark_t m) {
    static const char prefix[] = "tag:yaml.org,2002:";
    char q[QBUF];
    const char *t = (const char *)tag;
    if (!t) return 0;
    if (strncmp(t, prefix, sizeof prefix - 1) == 0)
        return fail_pos(c, (int)m.line + 1, (int)m.column + 1,
                        "unsupported YAML tag '!!%s': expected an untagged value", qs(q, t + sizeof prefix - 1));
    return fail_pos(c, (int)m.line + 1, (int)m.column + 1,
                    "unsupported YAML tag '%s': expected an untagged value", qs(q, t));
}

/* Reports libyaml's error as "problem (context)" at its mark. */
static int yaml_fail(ctx *c, const yaml_parser_t *p, const char *text, size_t len) {
    int line, col;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->error == YAML_MEMORY_ERROR) return fail_pos(c, 1, 1, "out of memory while parsing");
    if (p->error == YAML_READER_ERROR) {
        offset_pos(text, len, p->problem_offset, &line, &col);
        if (p->problem_value != -1) return fail_pos(c, line, col, "%s (0x%x)", problem, (unsigned)p->problem_value);
        return fail_pos(c, line, col, "%s", problem);
    }
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
    if (p->context) return fail_pos(c, line, col, "%s (%s)", problem, p->context);
    return fail_pos(c, line, col, "%s", problem);
}

typedef struct frame {
    node *n;
    char *anchor;
} frame;

/* Parses text into a tree; *root is NULL for a stream without a document. */
static int build_tree(ctx *c, const char *text, size_t len, node **root) {
    yaml_parser_t p;
    frame stack[PELAB_CONFIG_MAX_DEPTH];
    int depth = 0, docs = 0, rc = -1;
    long count = 0;
    char q[QBUF];

    *root = NULL;
    if (!yaml_parser_initialize(&p)) return fail_pos(c, 1, 1, "out of memory while parsing");
    /* the encoding is left to libyaml so that it skips a UTF-8 BOM; any
     * other encoding was refused as invalid UTF-8 by check_bytes */
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    for (;;) {
        yaml_event_t ev;
        node *n = NULL;
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
                bad = fail_pos(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                               "a second YAML document: a config is one document");
            break;
        case YAML_ALIAS_EVENT:
            n = anchor_get(c, (const char *)ev.data.alias.anchor);
            if (!n)
                bad = fail_pos(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                               "undefined alias '*%s'", qs(q, (const char *)ev.data.alias.anchor));
            break;
        case YAML_SCALAR_EVENT:
            if ((bad = check_tag(c, ev.data.scalar.tag, ev.start_mark))) break;
            n = new_node(c, N_SCALAR, ev.start_mark);
            n->text = xmemdup((const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->len = ev.data.scalar.length;
            n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
            if (memchr(n->text, 0, n->len)) bad = fail_at(c, n, "NUL character in a string");
            anchor = ev.data.scalar.anchor;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev.type == YAML_SEQUENCE_START_EVENT;
            if ((bad = check_tag(c, seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag,
                                 ev.start_mark)))
                break;
            if (depth == PELAB_CONFIG_MAX_DEPTH) {
                bad = fail_pos(c, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                               "nesting deeper than %d levels", PELAB_CONFIG_MAX_DEPTH);
                break;
            }
            n = new_node(c, seq ? N_SEQ : N_MAP, ev.start_mark);
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
            if (++count > PELAB_CONFIG_MAX_NODES) {
                bad = fail_at(c, n, "more than %d YAML nodes", PELAB_CONFIG_MAX_NODES);
            } else {
                if (depth == 0) *root = n;
                else add_kid(stack[depth - 1].n, n);
                if (ev.type == YAML_SCALAR_EVENT && anchor) {
                    anchor_put(c, (const char *)anchor, n);
                } else if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
                    stack[depth].n = n;
                    stack[depth].anchor = anchor ? xmemdup((const char *)anchor, strlen((const char *)anchor)) : NULL;
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

/* ---- stage 3: check the whole tree -------------------------------------------- */

/* Refuses a mapping with a non-scalar or a repeated key. */
static int check_keys_unique(ctx *c, node *m) {
    int n = m->n / 2, first = 0, dup = 0, rc = 0;
    keyed *k;
    char q[QBUF];
    for (int i = 0; i < n; i++) {
        node *key = m->kids[2 * i];
        if (key->type != N_SCALAR)
            return fail_at(c, key, "a mapping key must be a scalar, found a %s",
                           key->type == N_MAP ? "mapping" : "list");
    }
    k = pelab_xmalloc((size_t)(n ? n : 1) * sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i].s = m->kids[2 * i]->text;
        k[i].len = m->kids[2 * i]->len;
        k[i].v = 0;
        k[i].idx = i;
    }
    if (find_dup(k, n, &first, &dup)) {
        node *a = m->kids[2 * first], *b = m->kids[2 * dup];
        rc = fail_at(c, b, "duplicate key '%s' (first at %d:%d)", quote(q, b->text, b->len),
                     a->line, a->col);
    }
    free(k);
    return rc;
}

/* Visits every node under n (through aliases: a shared node is visited each
 * time it is reached), refusing more than PELAB_CONFIG_MAX_NODES visits,
 * nesting deeper than PELAB_CONFIG_MAX_DEPTH and bad mapping keys. */
static int check_tree(ctx *c, node *n, int depth) {
    if (++c->visits > PELAB_CONFIG_MAX_NODES)
        return fail_at(c, n, "more than %d nodes with aliases expanded", PELAB_CONFIG_MAX_NODES);
    if (n->type == N_SCALAR) return 0;
    if (depth > PELAB_CONFIG_MAX_DEPTH)
        return fail_at(c, n, "nesting deeper than %d levels (with aliases expanded)", PELAB_CONFIG_MAX_DEPTH);
    if (n->type == N_MAP && !n->keys_checked) {
        if (check_keys_unique(c, n)) return -1;
        n->keys_checked = 1;
    }
    for (int i = 0; i < n->n; i++)
        if (check_tree(c, n->kids[i], depth + 1)) return -1;
    return 0;
}

/* ---- scalars ----------------------------------------------------------------- */

static int is_null(const node *n) {
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (n->type != N_SCALAR || n->quoted) return 0;
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(n->text, nulls[i]) == 0) return 1;
    return 0;
}

static int is_bool(const node *n) {
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    if (n->type != N_SCALAR || n->quoted) return 0;
    for (size_t i = 0; i < sizeof bools / sizeof *bools; i++)
        if (strcmp(n->text, bools[i]) == 0) return 1;
    return 0;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* 1 if s is [+-]?[0-9]+ */
static int is_int_text(const char *s) {
    if (*s == '+' || *s == '-') s++;
    if (!is_digit(*s)) return 0;
    while (is_digit(*s)) s++;
    return *s == '\0';
}

/* 1 if s is a decimal number: [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)? */
static int is_real_text(const char *s) {
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
static int is_nonfinite_text(const char *s) {
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

/* What node n is, for "expected X, found Y" messages. */
static const char *describe(char *buf, size_t cap, const node *n) {
    char q[QBUF];
    if (n->type == N_MAP) snprintf(buf, cap, "a mapping");
    else if (n->type == N_SEQ) snprintf(buf, cap, "a list");
    else if (n->quoted) snprintf(buf, cap, "the quoted string \"%s\"", quote(q, n->text, n->len));
    else if (is_null(n)) snprintf(buf, cap, "null");
    else if (is_bool(n)) snprintf(buf, cap, "the boolean %s", n->text);
    else if (is_int_text(n->text)) snprintf(buf, cap, "the integer %s", quote(q, n->text, n->len));
    else if (is_real_text(n->text)) snprintf(buf, cap, "the real number %s", quote(q, n->text, n->len));
    else if (is_nonfinite_text(n->text)) snprintf(buf, cap, "the non-finite number %s", n->text);
    else snprintf(buf, cap, "the string '%s'", quote(q, n->text, n->len));
    return buf;
}

/* "expected EXPECTED for WHAT, found ..." at n. */
static int fail_type(ctx *c, const node *n, const char *expected, const char *what) {
    char d[2 * QBUF];
    return fail_at(c, n, "expected %s for %s, found %s", expected, what, describe(d, sizeof d, n));
}

/* Reads an integer in [lo, hi] from plain scalar n (a quoted "8" is a
 * string); what names it in messages. */
static int get_int(ctx *c, const node *n, const char *what, long long lo, long long hi, long long *out) {
    char q[QBUF];
    char *end;
    long long v;
    if (n->type != N_SCALAR || n->quoted || !is_int_text(n->text))
        return fail_type(c, n, "an integer", what);
    errno = 0;
    v = strtoll(n->text, &end, 10);
    if (errno == ERANGE || *end || v < lo || v > hi)
        return fail_at(c, n, "%s must be in [%lld, %lld], found %s", what, lo, hi, quote(q, n->text, n->len));
    *out = v;
    return 0;
}

/* int version of get_int. */
static int get_int32(ctx *c, const node *n, const char *what, long long lo, long long hi, int *out) {
    long long v = 0;
    if (get_int(c, n, what, lo, hi, &v)) return -1;
    *out = (int)v;
    return 0;
}

/* Reads an unsigned 64-bit integer from plain scalar n. */
static int get_u64(ctx *c, const node *n, const char *what, uint64_t *out) {
    char q[QBUF];
    char *end;
    unsigned long long v;
    if (n->type != N_SCALAR || n->quoted || !is_int_text(n->text))
        return fail_type(c, n, "an integer", what);
    errno = 0;
    v = strtoull(n->text, &end, 10);
    if (n->text[0] == '-' || errno == ERANGE || *end)
        return fail_at(c, n, "%s must be in [0, %" PRIu64 "], found %s", what, UINT64_MAX,
                       quote(q, n->text, n->len));
    *out = (uint64_t)v;
    return 0;
}

/* Reads a finite real number from plain scalar n. */
static int get_real(ctx *c, const node *n, const char *what, double *out) {
    char q[QBUF];
    char *end;
    double v;
    if (n->type == N_SCALAR && !n->quoted && is_nonfinite_text(n->text))
        return fail_type(c, n, "a finite number", what);
    if (n->type != N_SCALAR || n->quoted || !is_real_text(n->text))
        return fail_type(c, n, "a number", what);
    v = strtod(n->text, &end);
    if (*end || !isfinite(v))
        return fail_at(c, n, "%s %s is not a finite number", what, quote(q, n->text, n->len));
    *out = v;
    return 0;
}

/* Reads a string: any quoted scalar, or a plain one that is not null or a
 * boolean. */
static int get_str(ctx *c, const node *n, const char *what, const char **out) {
    if (n->type != N_SCALAR || is_null(n) || is_bool(n)) return fail_type(c, n, "a string", what);
    *out = n->text;
    return 0;
}

/* Reads one of names[0..count) into *out; an unknown name is refused with
 * the nearest one, or the list of them. */
static int get_choice(ctx *c, const node *n, const char *what, const char *const *names, int count,
                      int *out) {
    const char *s;
    char q[QBUF], sug[2 * QBUF], list[512];
    size_t o = 0;
    if (get_str(c, n, what, &s)) return -1;
    for (int i = 0; i < count; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return 0;
        }
    if (*suggest(sug, sizeof sug, s, names, count))
        return fail_at(c, n, "unknown %s '%s'%s", what, quote(q, n->text, n->len), sug);
    list[0] = '\0';
    for (int i = 0; i < count && o < sizeof list - 80; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? (i == count - 1 ? " or " : ", ") : "", names[i]);
    return fail_at(c, n, "unknown %s '%s' (expected %s)", what, quote(q, n->text, n->len), list);
}

/* 1 if s is a valid config or variant name: [A-Za-z0-9_.-]+ */
static int name_chars_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || is_digit(*s) || *s == '_' ||
              *s == '.' || *s == '-'))
            return 0;
    return 1;
}

/* Checks a name used as a folder or scheme name (what: "name", "scheme name"). */
static int check_name(ctx *c, const node *n, const char *what, const char *s) {
    char q[QBUF];
    if (!name_chars_ok(s) || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return fail_at(c, n, "invalid %s '%s': use letters, digits, '_', '.' and '-' only", what,
                       quote(q, n->text, n->len));
    if (strlen(s) > PELAB_NAME_MAX - 1)
        return fail_at(c, n, "%s '%s' is longer than %d characters", what, quote(q, n->text, n->len),
                       PELAB_NAME_MAX - 1);
    return 0;
}

/* ---- mappings ---------------------------------------------------------------- */

/* The value of key in mapping m (NULL if absent); *key_out its key node. */
static node *map_get(const node *m, const char *key, node **key_out) {
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
static int check_known_keys(ctx *c, const node *m, const char *const *known, int n, const char *where) {
    char q[QBUF], sug[2 * QBUF];
    for (int i = 0; i + 1 < m->n; i += 2) {
        const node *k = m->kids[i];
        int ok = 0;
        for (int j = 0; j < n && !ok; j++) ok = strcmp(k->text, known[j]) == 0;
        if (!ok)
            return fail_at(c, k, "unknown key '%s'%s%s", quote(q, k->text, k->len), where,
                           suggest(sug, sizeof sug, k->text, known, n));
    }
    return 0;
}

/* The value of a required key, or a located error at the mapping. */
static node *map_require(ctx *c, const node *m, const char *key, const char *where) {
    node *v = map_get(m, key, NULL);
    if (!v) fail_at(c, m, "missing required key '%s'%s", key, where);
    return v;
}

/* ---- sweep axes -------------------------------------------------------------- */

/* The items of an axis: the scalar itself, or the list's items (not empty).
 * For other nodes returns -1 without an error, so the caller can handle a
 * mapping (a range) or refuse it. */
static int axis_items(ctx *c, node *v, const char *what, node **single, node *const **items, int *n) {
    if (v->type == N_SCALAR) {
        *single = v;
        *items = single;
        *n = 1;
        return 0;
    }
    if (v->type == N_SEQ) {
        if (v->n == 0) return fail_at(c, v, "empty list for %s", what);
        *items = v->kids;
        *n = v->n;
        return 0;
    }
    return -2;
}

static const char *const g_range_keys[] = {"from", "to", "factor", "step"};

/* Expands a range mapping {from, to, factor} or {from, to, step} into the
 * axis values, located at the range. */
static int parse_range(ctx *c, node *m, const char *what, long long lo, long long hi, int **vals,
                       node ***at, int *count) {
    node *nf, *nt, *nfac, *nstep;
    long long from, to, f = 0, step = 0, n;
    char w[64];
    if (check_known_keys(c, m, g_range_keys, 4, " in range")) return -1;
    if (!(nf = map_require(c, m, "from", " in range")) || !(nt = map_require(c, m, "to", " in range")))
        return -1;
    nfac = map_get(m, "factor", NULL);
    nstep = map_get(m, "step", NULL);
    if (nfac && nstep) return fail_at(c, m, "range has both 'factor' and 'step': give exactly one");
    if (!nfac && !nstep) return fail_at(c, m, "range needs 'factor' or 'step'");
    if (get_int(c, nf, what, lo, hi, &from) || get_int(c, nt, what, lo, hi, &to)) return -1;
    if (from > to) return fail_at(c, nf, "range from %lld is greater than to %lld", from, to);
    snprintf(w, sizeof w, "factor of the %s range", what);
    if (nfac && get_int(c, nfac, w, 2, LLONG_MAX, &f)) return -1;
    snprintf(w, sizeof w, "step of the %s range", what);
    if (nstep && get_int(c, nstep, w, 1, LLONG_MAX, &step)) return -1;
    if (nstep) {
        n = (to - from) / step + 1;
        if (n > PELAB_CONFIG_MAX_CELLS)
            return fail_at(c, m, "range gives %lld values, more than the %d cells a sweep may have", n,
                           PELAB_CONFIG_MAX_CELLS);
    } else {
        n = 0;
        for (long long v = from;; v *= f) {
            n++;
            if (v > to / f) break;
        }
    }
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *at = pelab_xmalloc((size_t)n * sizeof **at);
    *count = (int)n;
    for (long long i = 0, v = from; i < n; i++) {
        (*vals)[i] = (int)v;
        (*at)[i] = m;
        if (i + 1 < n) v = nstep ? v + step : v * f;
    }
    return 0;
}

/* Parses an integer axis (a scalar, a list, or a range) into *vals, with the
 * node of each value in *at; values in [lo, hi], no duplicates. */
static int parse_int_axis(ctx *c, node *v, const char *what, long long lo, long long hi, int **vals,
                          node ***at, int *count) {
    node *single, *const *items = NULL;
    int n = 0, first, dup, rc;
    keyed *k;
    rc = axis_items(c, v, what, &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return parse_range(c, v, what, lo, hi, vals, at, count);
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *at = pelab_xmalloc((size_t)n * sizeof **at);
    *count = n;
    for (int i = 0; i < n; i++) {
        (*at)[i] = items[i];
        if (get_int32(c, items[i], what, lo, hi, &(*vals)[i])) return -1;
    }
    k = pelab_xmalloc((size_t)n * sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i].s = NULL;
        k[i].len = 0;
        k[i].v = (*vals)[i];
        k[i].idx = i;
    }
    rc = 0;
    if (find_dup(k, n, &first, &dup))
        rc = fail_at(c, items[dup], "duplicate value %d in %s (first at %d:%d)", (*vals)[dup], what,
                     items[first]->line, items[first]->col);
    free(k);
    return rc;
}

/* Parses an enum axis (a scalar or a list of names) into *vals (indices into
 * names). */
static int parse_enum_axis(ctx *c, node *v, const char *what, const char *const *names, int n_names,
                           int **vals, int *count) {
    node *single, *const *items = NULL;
    int n = 0, rc, first_at[8];
    rc = axis_items(c, v, what, &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return fail_type(c, v, "a name or a list of names", what);
    PELAB_ASSERT(n_names <= 8);
    for (int i = 0; i < n_names; i++) first_at[i] = -1;
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *count = n;
    for (int i = 0; i < n; i++) {
        int e;
        if (get_choice(c, items[i], what, names, n_names, &e)) return -1;
        if (first_at[e] >= 0)
            return fail_at(c, items[i], "duplicate value '%s' in %s (first at %d:%d)", names[e], what,
                           items[first_at[e]]->line, items[first_at[e]]->col);
        first_at[e] = i;
        (*vals)[i] = e;
    }
    return 0;
}

/* Refuses an unknown scheme name at n with the nearest built-in or variant. */
static int fail_unknown_scheme(ctx *c, const node *n, const char *what) {
    int nd;
    const pelab_scheme_def *defs = pelab_scheme_defs(&nd);
    const char **cands = pelab_xmalloc((size_t)(nd + c->n_variants) * sizeof *cands);
    char q[QBUF], sug[512];
    for (int i = 0; i < nd; i++) cands[i] = defs[i].name;
    for (int i = 0; i < c->n_variants; i++) cands[nd + i] = c->variants[i].s.name;
    suggest(sug, sizeof sug, n->text, cands, nd + c->n_variants);
    free(cands);
    if (!sug[0]) {
        /* nothing close: name the built-ins */
        size_t o = (size_t)snprintf(sug, sizeof sug, " (built-in schemes:");
        for (int i = 0; i < nd && o < sizeof sug; i++)
            o += (size_t)snprintf(sug + o, sizeof sug - o, " %s%s", defs[i].name, i + 1 < nd ? "," : "");
        if (o < sizeof sug) snprintf(sug + o, sizeof sug - o, "; or a variant defined under 'schemes')");
    }
    return fail_at(c, n, "unknown %s '%s'%s", what, quote(q, n->text, n->len), sug);
}

/* Parses the scheme axis: built-in names (default parameters) or variants. */
static int parse_scheme_axis(ctx *c, pelab_config *cfg, node *v) {
    node *single, *const *items = NULL;
    int n = 0, rc, first, dup;
    keyed *k;
    rc = axis_items(c, v, "scheme", &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return fail_type(c, v, "a scheme name or a list of them", "scheme");
    cfg->schemes = pelab_xcalloc((size_t)n, sizeof *cfg->schemes);
    cfg->n_schemes = n;
    for (int i = 0; i < n; i++) {
        const char *s;
        const pelab_scheme_def *def;
        int vi;
        if (get_str(c, items[i], "scheme", &s)) return -1;
        if ((def = pelab_scheme_def_find(s))) {
            pelab_scheme_init_default(&cfg->schemes[i], def->id);
        } else if ((vi = keyed_find(c->variant_index, c->n_variants, s)) >= 0) {
            cfg->schemes[i] = c->variants[vi].s;
        } else {
            return fail_unknown_scheme(c, items[i], "scheme");
        }
    }
    k = pelab_xmalloc((size_t)n * sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i].s = items[i]->text;
        k[i].len = items[i]->len;
        k[i].v = 0;
        k[i].idx = i;
    }
    rc = 0;
    if (find_dup(k, n, &first, &dup)) {
        char q[QBUF];
        rc = fail_at(c, items[dup], "duplicate value '%s' in scheme (first at %d:%d)",
                     quote(q, items[dup]->text, items[dup]->len), items[first]->line, items[first]->col);
    }
    free(k);
    return rc;
}

static const char *const g_sweep_keys[] = {"seq_len", "d_model", "scheme", "heads",
                                           "mask",    "projection", "dtype"};

/* Copies an int axis of enum indices into an enum array (enums may not be int-sized). */
#define ENUM_AXIS(dst, type, src, n)                                                       \
    do {                                                                                   \
        (dst) = pelab_xmalloc((size_t)(n) * sizeof *(dst));                                \
        for (int i_ = 0; i_ < (n); i_++) (dst)[i_] = (type)(src)[i_];                       \
    } while (0)

/* Parses `sweep`. Every axis value is checked alone here; checks across
 * axes and inputs come later. */
static int parse_sweep(ctx *c, pelab_config *cfg, node *sw) {
    node *v, *key;
    int *tmp = NULL, n = 0;
    if (sw->type != N_MAP) return fail_type(c, sw, "a mapping", "sweep");
    if (check_known_keys(c, sw, g_sweep_keys, 7, " in sweep")) return -1;

    v = map_get(sw, "seq_len", &key);
    c->seq_len_key = key;
    if (v && cfg->input == PELAB_INPUT_KIND_SENTENCES)
        return fail_at(c, key, "seq_len comes from the sentences: remove it from sweep");
    if (!v && cfg->input != PELAB_INPUT_KIND_SENTENCES)
        return fail_at(c, sw, "missing required key 'seq_len' in sweep");
    if (v && parse_int_axis(c, v, "seq_len", 1, PELAB_CONFIG_MAX_SEQ_LEN, &cfg->seq_len, &c->seq_len_at,
                            &cfg->n_seq_len))
        return -1;

    v = map_get(sw, "d_model", &key);
    c->d_model_key = key;
    if (!v && cfg->input == PELAB_INPUT_KIND_RANDOM)
        return fail_at(c, sw, "missing required key 'd_model' in sweep");
    if (v && parse_int_axis(c, v, "d_model", 1, PELAB_CONFIG_MAX_D_MODEL, &cfg->d_model, &c->d_model_at,
                            &cfg->n_d_model))
        return -1;

    if (!(v = map_require(c, sw, "scheme", " in sweep")) || parse_scheme_axis(c, cfg, v)) return -1;

    if ((v = map_get(sw, "heads", NULL))) {
        if (parse_int_axis(c, v, "heads", 1, PELAB_CONFIG_MAX_D_MODEL, &cfg->heads, &c->heads_at,
                           &cfg->n_heads))
            return -1;
    } else {
        cfg->heads = pelab_xmalloc(sizeof *cfg->heads);
        cfg->heads[0] = 1;
        cfg->n_heads = 1;
    }

    if ((v = map_get(sw, "mask", NULL))) {
        if (parse_enum_axis(c, v, "mask", g_mask_names, PELAB_MASK_COUNT, &tmp, &n)) goto fail;
    } else {
        tmp = pelab_xcalloc(1, sizeof *tmp), n = 1; /* none */
    }
    ENUM_AXIS(cfg->masks, pelab_mask, tmp, n);
    cfg->n_masks = n;
    free(tmp), tmp = NULL;

    if ((v = map_get(sw, "projection", NULL))) {
        if (parse_enum_axis(c, v, "projection", g_projection_names, PELAB_PROJECTION_COUNT, &tmp, &n))
            goto fail;
    } else {
        tmp = pelab_xmalloc(sizeof *tmp), n = 1;
        tmp[0] = PELAB_PROJECTION_RANDOM;
    }
    ENUM_AXIS(cfg->projections, pelab_projection, tmp, n);
    cfg->n_projections = n;
    free(tmp), tmp = NULL;

    if ((v = map_get(sw, "dtype", NULL))) {
        if (parse_enum_axis(c, v, "dtype", g_dtype_names, PELAB_DTYPE_COUNT, &tmp, &n)) goto fail;
    } else {
        tmp = pelab_xcalloc(1, sizeof *tmp), n = 1; /* f32 */
    }
    ENUM_AXIS(cfg->dtypes, pelab_dtype, tmp, n);
    cfg->n_dtypes = n;
    free(tmp);
    return 0;
fail:
    free(tmp);
    return -1;
}

/* ---- scheme variants --------------------------------------------------------- */

/* Reads parameter def of a variant from value node v into *out. */
static int parse_param(ctx *c, const pelab_param_def *pd, const char *vname, node *v, double *out) {
    char what[160], q[QBUF];
    snprintf(what, sizeof what, "%s of scheme '%s'", pd->name, qs(q, vname));
    if (pd->type == PELAB_PARAM_TYPE_INT) {
        long long x;
        if (get_int(c, v, what, (long long)pd->min, (long long)pd->max, &x)) return -1;
        *out = (double)x;
    } else if (pd->type == PELAB_PARAM_TYPE_REAL) {
        if (get_real(c, v, what, out)) return -1;
        if (*out < pd->min || *out > pd->max)
            return fail_at(c, v, "%s must be in [%.17g, %.17g], found %s", what, pd->min, pd->max,
                           quote(q, v->text, v->len));
    } else {
        char names[256];
        const char *choices[8];
        int n = 0, idx = 0;
        snprintf(names, sizeof names, "%s", pd->choices);
        for (char *p = names; p && n < 8;) {
            char *bar = strchr(p, '|');
            choices[n++] = p;
            if (bar) *bar = '\0';
            p = bar ? bar + 1 : NULL;
        }
        if (get_choice(c, v, pd->name, choices, n, &idx)) return -1;
        *out = idx;
    }
    return 0;
}

/* Parses `schemes:`: named variants of the built-ins, with their parameters. */
static int parse_variants(ctx *c, node *m) {
    int n, first, dup;
    char q[QBUF], q2[QBUF], sug[2 * QBUF];
    if (m->type != N_MAP) return fail_type(c, m, "a mapping of scheme variants", "schemes");
    n = m->n / 2;
    c->variants = pelab_xcalloc((size_t)(n ? n : 1), sizeof *c->variants);
    for (int i = 0; i < n; i++) {
        node *k = m->kids[2 * i], *v = m->kids[2 * i + 1], *tn;
        variant *var = &c->variants[i];
        const char *type, *const *known;
        const char *keys[PELAB_SCHEME_MAX_PARAMS + 1];
        const pelab_scheme_def *def;
        char where[160];
        if (check_name(c, k, "scheme name", k->text)) return -1;
        if (pelab_scheme_def_find(k->text))
            return fail_at(c, k, "scheme variant '%s' has the name of a built-in scheme: choose another name",
                           qs(q, k->text));
        if (v->type != N_MAP) return fail_type(c, v, "a mapping {type: ..., parameters}", "a scheme variant");
        snprintf(where, sizeof where, " in scheme '%s'", qs(q, k->text));
        if (!(tn = map_require(c, v, "type", where)) || get_str(c, tn, "type", &type)) return -1;
        if (!(def = pelab_scheme_def_find(type))) {
            int nd;
            const pelab_scheme_def *defs = pelab_scheme_defs(&nd);
            const char *names[PELAB_SCHEME_COUNT];
            for (int j = 0; j < nd; j++) names[j] = defs[j].name;
            return fail_at(c, tn, "unknown scheme type '%s'%s", quote(q, tn->text, tn->len),
                           suggest(sug, sizeof sug, type, names, nd));
        }
        pelab_scheme_init_default(&var->s, def->id);
        snprintf(var->s.name, sizeof var->s.name, "%s", k->text);
        var->at = k;
        keys[0] = "type";
        for (int j = 0; j < def->n_params; j++) keys[j + 1] = def->params[j].name;
        known = keys;
        for (int j = 0; j + 1 < v->n; j += 2) {
            node *pk = v->kids[j];
            int pi;
            if (strcmp(pk->text, "type") == 0) continue;
            pi = pelab_scheme_param_index(def, pk->text);
            if (pi < 0) {
                if (def->n_params == 0)
                    return fail_at(c, pk, "unknown parameter '%s' for scheme type '%s' (it has no parameters)",
                                   quote(q, pk->text, pk->len), def->name);
                return fail_at(c, pk, "unknown parameter '%s' for scheme type '%s'%s",
                               quote(q, pk->text, pk->len), def->name,
                               suggest(sug, sizeof sug, pk->text, known, def->n_params + 1));
            }
            if (parse_param(c, &def->params[pi], k->text, v->kids[j + 1], &var->s.params[pi])) return -1;
        }
        c->n_variants = i + 1;
    }
    /* names are unique as keys of one mapping; index them for lookups */
    c->variant_index = pelab_xmalloc((size_t)(n ? n : 1) * sizeof *c->variant_index);
    for (int i = 0; i < n; i++) {
        c->variant_index[i].s = c->variants[i].s.name;
        c->variant_index[i].len = strlen(c->variants[i].s.name);
        c->variant_index[i].v = 0;
        c->variant_index[i].idx = i;
    }
    if (find_dup(c->variant_index, n, &first, &dup)) /* cannot happen: keys are unique */
        return fail_at(c, c->variants[dup].at, "duplicate scheme '%s' (first at %d:%d)",
                       qs(q2, c->variants[dup].s.name), c->variants[first].at->line, c->variants[first].at->col);
    return 0;
}

/* ---- tokens and sentences ---------------------------------------------------- */

/* 1 if s is a valid token name: non-empty, no whitespace or control bytes. */
static int token_chars_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7F) return 0;
    return 1;
}

/* Parses `tokens:` {name: [numbers]}: names unique, vectors of one length. */
static int parse_tokens(ctx *c, pelab_config *cfg, node *m) {
    int n, dim = 0, first, dup;
    char q[QBUF], q2[QBUF];
    if (m->type != N_MAP) return fail_type(c, m, "a mapping of token names to vectors", "tokens");
    if (m->n == 0) return fail_at(c, m, "tokens is empty");
    n = m->n / 2;
    cfg->token_names = pelab_xcalloc((size_t)n, sizeof *cfg->token_names);
    for (int i = 0; i < n; i++) {
        node *k = m->kids[2 * i], *v = m->kids[2 * i + 1];
        char what[QBUF + 16];
        if (!token_chars_ok(k->text))
            return fail_at(c, k, "invalid token name '%s': it must be non-empty, without whitespace",
                           quote(q, k->text, k->len));
        if (k->len > PELAB_NAME_MAX - 1)
            return fail_at(c, k, "token name '%s' is longer than %d characters", quote(q, k->text, k->len),
                           PELAB_NAME_MAX - 1);
        snprintf(what, sizeof what, "token '%s'", qs(q, k->text));
        if (v->type != N_SEQ) return fail_type(c, v, "a list of numbers", what);
        if (v->n == 0) return fail_at(c, v, "empty list for %s", what);
        if (i == 0) {
            if (v->n > PELAB_CONFIG_MAX_D_MODEL)
                return fail_at(c, v, "%s has %d values, more than the d_model limit of %d", what, v->n,
                               PELAB_CONFIG_MAX_D_MODEL);
            dim = v->n;
            cfg->token_dim = dim;
            cfg->token_vectors = pelab_xmalloc((size_t)n * (size_t)dim * sizeof *cfg->token_vectors);
        } else if (v->n != dim) {
            return fail_at(c, v, "%s has %d values, but token '%s' has %d: all vectors need the same length",
                           what, v->n, qs(q2, m->kids[0]->text), dim);
        }
        for (int j = 0; j < dim; j++)
            if (get_real(c, v->kids[j], what, &cfg->token_vectors[(size_t)i * (size_t)dim + (size_t)j]))
                return -1;
        memcpy(cfg->token_names[i], k->text, k->len + 1);
        cfg->n_tokens = i + 1;
    }
    c->token_index = pelab_xmalloc((size_t)n * sizeof *c->token_index);
    for (int i = 0; i < n; i++) {
        c->token_index[i].s = cfg->token_names[i];
        c->token_index[i].len = strlen(cfg->token_names[i]);
        c->token_index[i].v = 0;
        c->token_index[i].idx = i;
    }
    if (find_dup(c->token_index, n, &first, &dup)) /* cannot happen: keys are unique */
        return fail_at(c, m->kids[2 * dup], "duplicate token '%s'", qs(q, cfg->token_names[dup]));
    return 0;
}

/* Index of token word (len bytes) or a located error at n with the nearest name. */
static int find_token(ctx *c, const pelab_config *cfg, const node *n, const char *word, size_t len, int *out) {
    char buf[PELAB_NAME_MAX], q[QBUF], sug[2 * QBUF];
    const char **names;
    int i = -1;
    if (len < sizeof buf) {
        memcpy(buf, word, len);
        buf[len] = '\0';
        i = keyed_find(c->token_index, cfg->n_tokens, buf);
    }
    if (i >= 0) {
        *out = i;
        return 0;
    }
    names = pelab_xmalloc((size_t)cfg->n_tokens * sizeof *names);
    for (int j = 0; j < cfg->n_tokens; j++) names[j] = cfg->token_names[j];
    if (len < sizeof buf) suggest(sug, sizeof sug, buf, names, cfg->n_tokens);
    else sug[0] = '\0';
    free(names);
    return fail_at(c, n, "unknown token '%s'%s", quote(q, word, len), sug);
}

static int is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Parses `sentences:`: strings split on whitespace, or lists of token names. */
static int parse_sentences(ctx *c, pelab_config *cfg, node *s) {
    int *idx = NULL;
    size_t cap = 0;
    if (s->type != N_SEQ) return fail_type(c, s, "a list", "sentences");
    if (s->n == 0) return fail_at(c, s, "empty list for sentences");
    cfg->sentence_text = pelab_xcalloc((size_t)s->n, sizeof *cfg->sentence_text);
    cfg->sentence_len = pelab_xcalloc((size_t)s->n, sizeof *cfg->sentence_len);
    cfg->sentence_tokens = pelab_xcalloc((size_t)s->n, sizeof *cfg->sentence_tokens);
    cfg->n_sentences = s->n;
    for (int i = 0; i < s->n; i++) {
        node *it = s->kids[i];
        int len = 0;
        size_t tlen = 0;
        char what[64];
        snprintf(what, sizeof what, "sentence %d", i + 1);
        if (it->type == N_SCALAR) {
            const char *str, *p;
            if (get_str(c, it, what, &str)) goto fail;
            for (p = str; *p;) {
                const char *w;
                while (is_space(*p)) p++;
                if (!*p) break;
                w = p;
                while (*p && !is_space(*p)) p++;
                idx = grow(idx, &cap, (size_t)len + 1, sizeof *idx);
                if (find_token(c, cfg, it, w, (size_t)(p - w), &idx[len])) goto fail;
                len++;
            }
        } else if (it->type == N_SEQ) {
            for (int j = 0; j < it->n; j++) {
                const char *str;
                if (get_str(c, it->kids[j], "a token name", &str)) goto fail;
                idx = grow(idx, &cap, (size_t)len + 1, sizeof *idx);
                if (find_token(c, cfg, it->kids[j], str, it->kids[j]->len, &idx[len])) goto fail;
                len++;
            }
        } else {
            fail_type(c, it, "a string or a list of token names", what);
            goto fail;
        }
        if (len == 0) {
            fail_at(c, it, "%s is empty", what);
            goto fail;
        }
        cfg->sentence_len[i] = len;
        cfg->sentence_tokens[i] = pelab_xmalloc((size_t)len * sizeof **cfg->sentence_tokens);
        memcpy(cfg->sentence_tokens[i], idx, (size_t)len * sizeof *idx);
        for (int j = 0; j < len; j++) tlen += strlen(cfg->token_names[idx[j]]) + 1;
        cfg->sentence_text[i] = pelab_xmalloc(tlen);
        tlen = 0;
        for (int j = 0; j < len; j++) {
            size_t l = strlen(cfg->token_names[idx[j]]);
            memcpy(cfg->sentence_text[i] + tlen, cfg->token_names[idx[j]], l);
            tlen += l;
            cfg->sentence_text[i][tlen++] = j + 1 < len ? ' ' : '\0';
        }
    }
    free(idx);
    return 0;
fail:
    free(idx);
    return -1;
}

/* ---- inputs file ------------------------------------------------------------- */

/* Reads the CSV matrix at path into cfg->input_*; its errors are located in
 * the CSV file ("path:LINE:COL: ..."); `at` locates a failure to open it. */
static int read_csv(ctx *c, pelab_config *cfg, const node *at, const char *path) {
    FILE *f = fopen(path, "rb");
    char *line = NULL, q[QBUF];
    size_t cap = 0, dcap = 0, nvals = 0;
    double *data = NULL;
    int rows = 0, cols = 0, lineno = 0, rc = -1;
    struct stat st;
    if (!f) return fail_at(c, at, "cannot open inputs file '%s': %s", qs(q, path), strerror(errno));
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fail_at(c, at, "cannot open inputs file '%s': %s", qs(q, path), strerror(EISDIR));
    }
    for (;;) {
        size_t len = 0, p = 0;
        int ch, got_nl = 0, ncols = 0;
        line = grow(line, &cap, 1, 1);
        while ((ch = getc(f)) != EOF) {
            if (ch == '\n') {
                got_nl = 1;
                break;
            }
            if (ch == 0) {
                fail_in(c, path, lineno + 1, (int)len + 1, "NUL byte in the inputs file");
                goto out;
            }
            if (len >= CSV_MAX_LINE) {
                fail_in(c, path, lineno + 1, 1, "line longer than %d bytes", CSV_MAX_LINE);
                goto out;
            }
            line = grow(line, &cap, len + 2, 1);
            line[len++] = (char)ch;
        }
        if (ferror(f)) {
            pelab_error_set(c->err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(errno));
            goto out;
        }
        if (!got_nl && len == 0) break;
        lineno++;
        if (len && line[len - 1] == '\r') len--;
        line[len] = '\0';
        if (len == 0) {
            fail_in(c, path, lineno, 1, "blank line: every line must be a row of numbers");
            goto out;
        }
        if (rows >= PELAB_CONFIG_MAX_SEQ_LEN) {
            fail_in(c, path, lineno, 1, "more than %d rows", PELAB_CONFIG_MAX_SEQ_LEN);
            goto out;
        }
        for (;;) {
            size_t s, e;
            char field[CSV_MAX_FIELD];
            double v;
            while (p < len && (line[p] == ' ' || line[p] == '\t')) p++;
            s = p;
            while (p < len && line[p] != ',') p++;
            e = p;
            while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) e--;
            if (e == s) {
                fail_in(c, path, lineno, (int)s + 1, "empty value");
                goto out;
            }
            if (e - s >= sizeof field) {
                fail_in(c, path, lineno, (int)s + 1, "value '%s' is not a number", quote(q, line + s, e - s));
                goto out;
            }
            memcpy(field, line + s, e - s);
            field[e - s] = '\0';
            if (is_nonfinite_text(field)) {
                fail_in(c, path, lineno, (int)s + 1, "value '%s' is not a finite number", qs(q, field));
                goto out;
            }
            if (!is_real_text(field)) {
                fail_in(c, path, lineno, (int)s + 1, "value '%s' is not a number", qs(q, field));
                goto out;
            }
            v = strtod(field, NULL);
            if (!isfinite(v)) {
                fail_in(c, path, lineno, (int)s + 1, "value '%s' is not a finite number", qs(q, field));
                goto out;
            }
            if (ncols >= PELAB_CONFIG_MAX_D_MODEL) {
                fail_in(c, path, lineno, (int)s + 1, "more than %d columns", PELAB_CONFIG_MAX_D_MODEL);
                goto out;
            }
            if (nvals >= CSV_MAX_VALUES) {
                fail_in(c, path, lineno, (int)s + 1, "more than %d values", CSV_MAX_VALUES);
                goto out;
            }
            data = grow(data, &dcap, nvals + 1, sizeof *data);
            data[nvals++] = v;
            ncols++;
            if (p >= len) break;
            p++; /* the comma */
        }
        if (rows == 0) {
            cols = ncols;
        } else if (ncols != cols) {
            fail_in(c, path, lineno, 1, "row has %d values, expected %d as in the first row", ncols, cols);
            goto out;
        }
        rows++;
        if (!got_nl) break;
    }
    if (rows == 0) {
        fail_in(c, path, 1, 1, "inputs file is empty");
        goto out;
    }
    cfg->input_data = data;
    cfg->input_rows = rows;
    cfg->input_cols = cols;
    data = NULL;
    rc = 0;
out:
    free(data);
    free(line);
    fclose(f);
    return rc;
}

static const char *const g_inputs_keys[] = {"file"};

/* Parses `inputs:` (random, or {file: PATH}) and reads the file. */
static int parse_inputs_file(ctx *c, pelab_config *cfg, node *m) {
    node *fn;
    const char *file;
    char q[QBUF];
    int k;
    if (check_known_keys(c, m, g_inputs_keys, 1, " in inputs")) return -1;
    if (!(fn = map_require(c, m, "file", " in inputs")) || get_str(c, fn, "file", &file)) return -1;
    if (!*file) return fail_at(c, fn, "inputs file path is empty");
    c->input_file = file;
    if (file[0] == '/' || strcmp(c->base_dir, ".") == 0)
        k = snprintf(cfg->input_path, sizeof cfg->input_path, "%s", file);
    else
        k = snprintf(cfg->input_path, sizeof cfg->input_path, "%s/%s", c->base_dir, file);
    if (k < 0 || (size_t)k >= sizeof cfg->input_path)
        return fail_at(c, fn, "inputs file path '%s' is too long", qs(q, file));
    return read_csv(c, cfg, fn, cfg->input_path);
}

/* ---- the canonical JSON ------------------------------------------------------ */

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t len) {
    b->p = grow(b->p, &b->cap, b->n + len + 1, 1);
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) CFG_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...) {
    char tmp[64];
    va_list ap;
    int k;
    va_start(ap, fmt);
    k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    PELAB_ASSERT(k >= 0 && (size_t)k < sizeof tmp);
    sb_put(b, tmp, (size_t)k);
}

/* A JSON string literal of s. */
static void sb_json_str(sbuf *b, const char *s) {
    sb_puts(b, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"') sb_puts(b, "\\\"");
        else if (ch == '\\') sb_puts(b, "\\\\");
        else if (ch == '\n') sb_puts(b, "\\n");
        else if (ch == '\t') sb_puts(b, "\\t");
        else if (ch == '\r') sb_puts(b, "\\r");
        else if (ch < 0x20) sb_printf(b, "\\u%04x", ch);
        else sb_put(b, s, 1);
    }
    sb_puts(b, "\"");
}

static void sb_real(sbuf *b, double v) { sb_printf(b, "%.17g", v); }

static void sb_int_list(sbuf *b, const int *v, int n) {
    sb_puts(b, "[");
    for (int i = 0; i < n; i++) sb_printf(b, "%s%d", i ? "," : "", v[i]);
    sb_puts(b, "]");
}

/* Builds cfg->resolved_json and cfg->hash. Keys in a fixed order; every
 * value resolved, so equivalent YAML texts give the same JSON. */
static void build_json(const ctx *c, pelab_config *cfg) {
    sbuf b = {NULL, 0, 0};
    sb_puts(&b, "{\"name\":");
    sb_json_str(&b, cfg->name);
    sb_printf(&b, ",\"seed\":%" PRIu64 ",\"trials\":%d,\"permutation\":", cfg->seed, cfg->trials);
    sb_json_str(&b, pelab_permutation_str(cfg->permutation));
    sb_puts(&b, ",\"token_std\":");
    sb_real(&b, cfg->token_std);
    sb_puts(&b, ",\"inputs\":");
    if (cfg->input == PELAB_INPUT_KIND_FILE) {
        uint64_t h = pelab_hash_bytes(cfg->input_data,
                                      (size_t)cfg->input_rows * (size_t)cfg->input_cols * sizeof *cfg->input_data);
        sb_puts(&b, "{\"file\":");
        sb_json_str(&b, c->input_file);
        sb_printf(&b, ",\"rows\":%d,\"cols\":%d,\"data_hash\":\"%016" PRIx64 "\"}", cfg->input_rows,
                  cfg->input_cols, h);
    } else {
        sb_json_str(&b, cfg->input == PELAB_INPUT_KIND_SENTENCES ? "sentences" : "random");
    }
    sb_puts(&b, ",\"sweep\":{\"seq_len\":");
    sb_int_list(&b, cfg->seq_len, cfg->n_seq_len);
    sb_puts(&b, ",\"d_model\":");
    sb_int_list(&b, cfg->d_model, cfg->n_d_model);
    sb_puts(&b, ",\"scheme\":[");
    for (int i = 0; i < cfg->n_schemes; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, cfg->schemes[i].name);
    }
    sb_puts(&b, "],\"heads\":");
    sb_int_list(&b, cfg->heads, cfg->n_heads);
    sb_puts(&b, ",\"mask\":[");
    for (int i = 0; i < cfg->n_masks; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, pelab_mask_str(cfg->masks[i]));
    }
    sb_puts(&b, "],\"projection\":[");
    for (int i = 0; i < cfg->n_projections; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, pelab_projection_str(cfg->projections[i]));
    }
    sb_puts(&b, "],\"dtype\":[");
    for (int i = 0; i < cfg->n_dtypes; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, pelab_dtype_str(cfg->dtypes[i]));
    }
    sb_puts(&b, "]},\"schemes\":{");
    for (int i = 0; i < cfg->n_schemes; i++) {
        const pelab_scheme *s = &cfg->schemes[i];
        const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, s->name);
        sb_puts(&b, ":{\"type\":");
        sb_json_str(&b, def->name);
        for (int j = 0; j < def->n_params; j++) {
            const pelab_param_def *pd = &def->params[j];
            sb_puts(&b, ",");
            sb_json_str(&b, pd->name);
            sb_puts(&b, ":");
            if (pd->type == PELAB_PARAM_TYPE_INT) {
                sb_printf(&b, "%lld", (long long)s->params[j]);
            } else if (pd->type == PELAB_PARAM_TYPE_REAL) {
                sb_real(&b, s->params[j]);
            } else {
                /* the choice's name: the k-th '|'-separated word */
                const char *p = pd->choices;
                for (int k = (int)s->params[j]; k > 0 && p; k--) {
                    p = strchr(p, '|');
                    if (p) p++;
                }
                PELAB_ASSERT(p);
                sb_puts(&b, "\"");
                sb_put(&b, p, strchr(p, '|') ? (size_t)(strchr(p, '|') - p) : strlen(p));
                sb_puts(&b, "\"");
            }
        }
        sb_puts(&b, "}");
    }
    sb_puts(&b, "}");
    if (cfg->input == PELAB_INPUT_KIND_SENTENCES) {
        sb_puts(&b, ",\"tokens\":{");
        for (int i = 0; i < cfg->n_tokens; i++) {
            if (i) sb_puts(&b, ",");
            sb_json_str(&b, cfg->token_names[i]);
            sb_puts(&b, ":[");
            for (int j = 0; j < cfg->token_dim; j++) {
                if (j) sb_puts(&b, ",");
                sb_real(&b, cfg->token_vectors[(size_t)i * (size_t)cfg->token_dim + (size_t)j]);
            }
            sb_puts(&b, "]");
        }
        sb_puts(&b, "},\"sentences\":[");
        for (int i = 0; i < cfg->n_sentences; i++) {
            sb_puts(&b, i ? ",[" : "[");
            for (int j = 0; j < cfg->sentence_len[i]; j++) {
                if (j) sb_puts(&b, ",");
                sb_json_str(&b, cfg->token_names[cfg->sentence_tokens[i][j]]);
            }
            sb_puts(&b, "]");
        }
        sb_puts(&b, "]");
    }
    sb_puts(&b, "}");
    cfg->resolved_json = b.p;
    cfg->hash = pelab_hash_str(b.p);
}

/* ---- stage 4: resolve -------------------------------------------------------- */

static const char *const g_top_keys[] = {"name",      "seed",    "sweep",  "trials",
                                         "permutation", "inputs", "token_std", "schemes",
                                         "tokens",    "sentences"};

/* a * b, or LLONG_MAX when it overflows (a, b >= 0). */
static long long mul_sat(long long a, long long b) {
    if (a == 0 || b == 0) return 0;
    if (a > LLONG_MAX / b) return LLONG_MAX;
    return a * b;
}

/* Fills cfg from the checked tree. */
static int resolve(ctx *c, pelab_config *cfg, node *root) {
    node *v, *tokens, *tokens_key, *sentences, *sentences_key, *inputs, *inputs_key, *sweep;
    const char *s;
    char q[QBUF];
    long long cells;
    int e = 0;

    if (root->type != N_MAP) return fail_type(c, root, "a mapping", "the top level");
    if (check_known_keys(c, root, g_top_keys, (int)(sizeof g_top_keys / sizeof *g_top_keys), "")) return -1;

    if (!(v = map_require(c, root, "name", "")) || get_str(c, v, "name", &s) || check_name(c, v, "name", s))
        return -1;
    snprintf(cfg->name, sizeof cfg->name, "%s", s);
    cfg->seed = 1;
    if ((v = map_get(root, "seed", NULL)) && get_u64(c, v, "seed", &cfg->seed)) return -1;
    cfg->trials = 1;
    if ((v = map_get(root, "trials", NULL)) && get_int32(c, v, "trials", 1, PELAB_CONFIG_MAX_TRIALS, &cfg->trials))
        return -1;
    cfg->permutation = PELAB_PERMUTATION_RANDOM;
    if ((v = map_get(root, "permutation", NULL))) {
        if (get_choice(c, v, "permutation", g_permutation_names, PELAB_PERMUTATION_COUNT, &e)) return -1;
        cfg->permutation = (pelab_permutation)e;
    }
    cfg->token_std = 1.0;
    if ((v = map_get(root, "token_std", NULL))) {
        if (get_real(c, v, "token_std", &cfg->token_std)) return -1;
        if (!(cfg->token_std > 0))
            return fail_at(c, v, "token_std must be greater than 0, found %s", quote(q, v->text, v->len));
    }

    if ((v = map_get(root, "schemes", NULL)) && parse_variants(c, v)) return -1;

    /* the kind of input decides which axes the sweep may give */
    tokens = map_get(root, "tokens", &tokens_key);
    sentences = map_get(root, "sentences", &sentences_key);
    inputs = map_get(root, "inputs", &inputs_key);
    if (tokens && !sentences) return fail_at(c, tokens_key, "tokens need sentences: add a 'sentences' list");
    if (sentences && !tokens) return fail_at(c, sentences_key, "sentences need tokens: add a 'tokens' mapping");
    if (tokens && inputs)
        return fail_at(c, inputs_key, "inputs cannot be combined with tokens and sentences");
    cfg->input = PELAB_INPUT_KIND_RANDOM;
    if (tokens) {
        cfg->input = PELAB_INPUT_KIND_SENTENCES;
    } else if (inputs && inputs->type == N_MAP) {
        cfg->input = PELAB_INPUT_KIND_FILE;
    } else if (inputs) {
        static const char *const kinds[] = {"random"};
        if (inputs->type != N_SCALAR) return fail_type(c, inputs, "'random' or a mapping {file: PATH}", "inputs");
        if (get_choice(c, inputs, "inputs", kinds, 1, &e)) return -1;
    }

    if (!(sweep = map_require(c, root, "sweep", "")) || parse_sweep(c, cfg, sweep)) return -1;

    if (cfg->input == PELAB_INPUT_KIND_SENTENCES) {
        if (parse_tokens(c, cfg, tokens) || parse_sentences(c, cfg, sentences)) return -1;
        for (int i = 0; i < cfg->n_d_model; i++)
            if (cfg->d_model[i] != cfg->token_dim)
                return fail_at(c, c->d_model_at[i], "d_model %d does not match the token dimension %d",
                               cfg->d_model[i], cfg->token_dim);
        if (!cfg->n_d_model) {
            cfg->d_model = pelab_xmalloc(sizeof *cfg->d_model);
            cfg->n_d_model = 1;
        }
        cfg->d_model[0] = cfg->token_dim;
    }

    /* cells, before any file is read */
    cells = cfg->input == PELAB_INPUT_KIND_SENTENCES ? cfg->n_sentences : cfg->n_seq_len;
    cells = mul_sat(cells, cfg->input == PELAB_INPUT_KIND_FILE ? 1 : cfg->n_d_model);
    cells = mul_sat(cells, cfg->n_schemes);
    cells = mul_sat(cells, cfg->n_heads);
    cells = mul_sat(cells, cfg->n_masks);
    cells = mul_sat(cells, cfg->n_projections);
    cells = mul_sat(cells, cfg->n_dtypes);
    if (cells > PELAB_CONFIG_MAX_CELLS) {
        if (cells == LLONG_MAX)
            return fail_at(c, sweep, "the sweep has more than %lld cells, more than the limit of %d", LLONG_MAX,
                           PELAB_CONFIG_MAX_CELLS);
        return fail_at(c, sweep, "the sweep has %lld cells, more than the limit of %d", cells,
                       PELAB_CONFIG_MAX_CELLS);
    }

    if (cfg->input == PELAB_INPUT_KIND_FILE) {
        if (parse_inputs_file(c, cfg, inputs)) return -1;
        for (int i = 0; i < cfg->n_d_model; i++)
            if (cfg->d_model[i] != cfg->input_cols)
                return fail_at(c, c->d_model_at[i], "d_model %d does not match the %d columns of inputs file '%s'",
                               cfg->d_model[i], cfg->input_cols, qs(q, c->input_file));
        for (int i = 0; i < cfg->n_seq_len; i++)
            if (cfg->seq_len[i] > cfg->input_rows)
                return fail_at(c, c->seq_len_at[i], "seq_len %d is more than the %d rows of inputs file '%s'",
                               cfg->seq_len[i], cfg->input_rows, qs(q, c->input_file));
        if (!cfg->n_d_model) {
            cfg->d_model = pelab_xmalloc(sizeof *cfg->d_model);
            cfg->n_d_model = 1;
        }
        cfg->d_model[0] = cfg->input_cols;
    }

    for (int h = 0; h < cfg->n_heads; h++)
        for (int d = 0; d < cfg->n_d_model; d++)
            if (cfg->d_model[d] % cfg->heads[h] != 0) {
                const node *at = c->heads_at ? c->heads_at[h] : sweep;
                return fail_at(c, at, "heads %d does not divide d_model %d", cfg->heads[h], cfg->d_model[d]);
            }

    build_json(c, cfg);
    return 0;
}

/* ---- public ------------------------------------------------------------------ */

static void ctx_free(ctx *c) {
    for (size_t i = 0; i < c->n_nodes; i++) {
        free(c->nodes[i]->text);
        free(c->nodes[i]->kids);
        free(c->nodes[i]);
    }
    free(c->nodes);
    for (size_t i = 0; i < c->anchor_cap; i++) free(c->anchors[i].name);
    free(c->anchors);
    free(c->seq_len_at);
    free(c->d_model_at);
    free(c->heads_at);
    free(c->variants);
    free(c->variant_index);
    free(c->token_index);
}

pelab_status pelab_config_load_buffer(pelab_config *cfg, const char *text, size_t len,
                                      const char *display_path, const char *base_dir,
                                      pelab_error *err) {
    ctx c;
    node *root = NULL;
    int rc = -1;
    memset(cfg, 0, sizeof *cfg);
    memset(&c, 0, sizeof c);
    c.display = display_path ? display_path : "<config>";
    c.base_dir = base_dir ? base_dir : ".";
    c.err = err;
    if (len > PELAB_CONFIG_MAX_BYTES)
        return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: config is %zu bytes, larger than the limit of %d",
                               c.display, len, PELAB_CONFIG_MAX_BYTES);
    if (!text && len) return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: no config text", c.display);
    if (!text) text = "";
    if (check_bytes(&c, text, len) == 0 && build_tree(&c, text, len, &root) == 0) {
        if (!root) fail_pos(&c, 1, 1, "config is empty");
        else if (check_tree(&c, root, 1) == 0) rc = resolve(&c, cfg, root);
    }
    ctx_free(&c);
    if (rc) {
        pelab_config_free(cfg);
        return PELAB_STATUS_CONFIG;
    }
    snprintf(cfg->path, sizeof cfg->path, "%s", c.display);
    return PELAB_STATUS_OK;
}

pelab_status pelab_config_load(pelab_config *cfg, const char *path, pelab_error *err) {
    FILE *f;
    struct stat st;
    char *buf, dir[4096];
    size_t n = 0;
    const char *slash;
    pelab_status s;

    memset(cfg, 0, sizeof *cfg);
    if (!(f = fopen(path, "rb"))) return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(EISDIR));
        }
        if (S_ISREG(st.st_mode) && st.st_size > PELAB_CONFIG_MAX_BYTES) {
            fclose(f);
            return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: config is %lld bytes, larger than the limit of %d",
                                   path, (long long)st.st_size, PELAB_CONFIG_MAX_BYTES);
        }
    }
    buf = pelab_xmalloc((size_t)PELAB_CONFIG_MAX_BYTES + 1);
    n = fread(buf, 1, (size_t)PELAB_CONFIG_MAX_BYTES + 1, f);
    if (ferror(f)) {
        int e = errno;
        free(buf);
        fclose(f);
        return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: %s", path, strerror(e));
    }
    fclose(f);
    if (n > PELAB_CONFIG_MAX_BYTES) {
        free(buf);
        return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: config is more than %d bytes, the limit", path,
                               PELAB_CONFIG_MAX_BYTES);
    }
    slash = strrchr(path, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == path) snprintf(dir, sizeof dir, "/");
    else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    s = pelab_config_load_buffer(cfg, buf, n, path, dir, err);
    free(buf);
    return s;
}

void pelab_config_free(pelab_config *cfg) {
    if (!cfg) return;
    free(cfg->seq_len);
    free(cfg->d_model);
    free(cfg->schemes);
    free(cfg->heads);
    free(cfg->masks);
    free(cfg->projections);
    free(cfg->dtypes);
    free(cfg->input_data);
    free(cfg->token_names);
    free(cfg->token_vectors);
    if (cfg->sentence_text)
        for (int i = 0; i < cfg->n_sentences; i++) free(cfg->sentence_text[i]);
    if (cfg->sentence_tokens)
        for (int i = 0; i < cfg->n_sentences; i++) free(cfg->sentence_tokens[i]);
    free(cfg->sentence_text);
    free(cfg->sentence_tokens);
    free(cfg->sentence_len);
    free(cfg->resolved_json);
    memset(cfg, 0, sizeof *cfg);
}

long long pelab_config_cell_count(const pelab_config *cfg) {
    long long n = cfg->input == PELAB_INPUT_KIND_SENTENCES ? cfg->n_sentences : cfg->n_seq_len;
    n = mul_sat(n, cfg->n_d_model);
    n = mul_sat(n, cfg->n_schemes);
    n = mul_sat(n, cfg->n_heads);
    n = mul_sat(n, cfg->n_masks);
    n = mul_sat(n, cfg->n_projections);
    return mul_sat(n, cfg->n_dtypes);
}
