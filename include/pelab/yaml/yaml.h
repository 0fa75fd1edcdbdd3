/* pelab/yaml/yaml.h — the one YAML front end: every file a user writes
 * (sweep configs, claims files, training configs) is read through it, so
 * the same mistake gets the same located message everywhere.
 *
 * Reading runs in three stages, each refusing with one message
 * "FILE:LINE:COLUMN: what is wrong" (PELAB_STATUS_CONFIG, exit 2):
 *   1. bytes  the size limit, NUL bytes and invalid UTF-8, before libyaml
 *             sees the text;
 *   2. build  libyaml events -> a tree of nodes: one document, no tags,
 *             depth and node limits. An alias is a pointer to the anchored
 *             node, visible only once that node is complete (so the tree has
 *             no cycles);
 *   3. check  a walk of the whole tree that counts every node it visits,
 *             through aliases too (an alias bomb stops at max_nodes visits),
 *             checks depth with aliases expanded, and refuses a mapping with
 *             a non-scalar or a repeated key ("duplicate key 'k' (first at
 *             L:C)").
 * Then the schema of each file walks the tree with the getters below:
 * typed values (a quoted "8" is a string, never a number; NaN and infinity
 * are not numbers), known and required keys with "did you mean" (the rule of
 * pelab/base/suggest.h), choices. */
#ifndef PELAB_YAML_YAML_H
#define PELAB_YAML_YAML_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"

typedef enum pelab_yaml_kind {
    PELAB_YAML_KIND_SCALAR = 0,
    PELAB_YAML_KIND_SEQ,
    PELAB_YAML_KIND_MAP,
} pelab_yaml_kind;

typedef struct pelab_yaml_node {
    pelab_yaml_kind kind;
    int quoted;                    /* a scalar in any style but plain            */
    int line, col;                 /* 1-based start                               */
    char *text;                    /* scalar value, NUL-terminated (no NUL inside) */
    size_t len;
    struct pelab_yaml_node **kids; /* sequence items; mapping keys and values alternating */
    int n;
    size_t cap;
    int keys_checked;              /* mapping already checked for duplicate keys */
} pelab_yaml_node;

/* The deepest nesting any limits may allow. */
#define PELAB_YAML_MAX_DEPTH 64

typedef struct pelab_yaml_limits {
    size_t max_bytes; /* file size                        */
    int max_depth;    /* nesting of mappings and sequences */
    long max_nodes;   /* nodes, and visits through aliases */
} pelab_yaml_limits;

/* 1 MiB, depth 32, 100000 nodes: what configs and claims files use. */
#define PELAB_YAML_LIMITS_DEFAULT {(size_t)1 << 20, 32, 100000}

typedef struct pelab_yaml_anchor {
    char *name;
    pelab_yaml_node *target;
} pelab_yaml_anchor;

typedef struct pelab_yaml_doc {
    const char *display;       /* the file's name in messages                   */
    pelab_error *err;          /* where failures go                             */
    pelab_yaml_node *root;     /* NULL for a file without a document            */
    pelab_yaml_limits lim;
    /* owned */
    pelab_yaml_node **nodes;
    size_t n_nodes, cap_nodes;
    pelab_yaml_anchor *anchors; /* open addressing, capacity a power of two     */
    size_t anchor_cap, anchor_count;
    long visits;
} pelab_yaml_doc;

/* Parse len bytes of text through the three stages. display names the
 * text in messages; lim NULL means PELAB_YAML_LIMITS_DEFAULT; failures (and
 * every later pelab_yaml_fail) go to err. Returns 0, or -1 with err set;
 * doc is always safe to free. root is NULL when there is no document (the
 * caller decides whether that is an error). */
int pelab_yaml_parse(pelab_yaml_doc *doc, const char *text, size_t len, const char *display,
                     const pelab_yaml_limits *lim, pelab_error *err);

/* Read the file at path (refusing a folder, an unreadable file or one over
 * lim->max_bytes with "PATH: reason", status CONFIG; `what` names the kind
 * of file in messages: "config", "claims file") and parse it. */
int pelab_yaml_load_file(pelab_yaml_doc *doc, const char *path, const char *what, const pelab_yaml_limits *lim,
                         pelab_error *err);

void pelab_yaml_free(pelab_yaml_doc *doc);

/* ---- located failures: each sets "DISPLAY:LINE:COL: message" (status
 * CONFIG) and returns -1 ------------------------------------------------------ */

int pelab_yaml_fail(pelab_yaml_doc *doc, const pelab_yaml_node *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int pelab_yaml_fail_pos(pelab_yaml_doc *doc, int line, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* "expected EXPECTED for WHAT, found DESCRIPTION" at n. */
int pelab_yaml_fail_type(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *expected, const char *what);

/* Bytes of a user string for a message: control bytes as \xNN, at most ~48
 * bytes then "..." (never splitting a UTF-8 sequence). Returns buf. */
#define PELAB_YAML_QBUF 128
const char *pelab_yaml_quote(char buf[PELAB_YAML_QBUF], const char *s, size_t len);
/* pelab_yaml_quote of a whole string. */
const char *pelab_yaml_quote_str(char buf[PELAB_YAML_QBUF], const char *s);
/* A name that becomes a folder or a column value: [A-Za-z0-9_.-]+, not "."
 * or "..", shorter than max_len; what names it ("name", "scheme name").
 * 0, or -1 after a located failure. */
int pelab_yaml_check_name(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, const char *s,
                          size_t max_len);
/* What n is, for "found ..." ("a mapping", "the quoted string \"8\"", "the
 * integer 8", "null", ...). Returns buf. */
const char *pelab_yaml_describe(char *buf, size_t cap, const pelab_yaml_node *n);

/* ---- scalars: each returns 0 with *out set, or -1 after a located failure
 * naming `what` ----------------------------------------------------------------- */

int pelab_yaml_is_null(const pelab_yaml_node *n);
int pelab_yaml_is_bool(const pelab_yaml_node *n);
/* A plain integer in [lo, hi]. */
int pelab_yaml_get_int(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, long long lo, long long hi,
                       long long *out);
int pelab_yaml_get_int32(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, long long lo,
                         long long hi, int *out);
/* A plain integer in [0, 2^64). */
int pelab_yaml_get_u64(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, uint64_t *out);
/* A plain finite number. */
int pelab_yaml_get_real(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, double *out);
/* true/false (and their capitalised forms). */
int pelab_yaml_get_bool(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, int *out);
/* Any quoted scalar, or a plain one that is not null or a boolean. */
int pelab_yaml_get_str(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, const char **out);
/* Any scalar's text (numbers included), refusing mappings and lists. */
int pelab_yaml_get_scalar(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what, const char **out);
/* One of names[0..count): its index; an unknown name is refused with the
 * nearest one, or the list of them. */
int pelab_yaml_get_choice(pelab_yaml_doc *doc, const pelab_yaml_node *n, const char *what,
                          const char *const *names, int count, int *out);

/* ---- mappings -------------------------------------------------------------------- */

/* The value of key in mapping m, or NULL; *key_out its key node (may be NULL). */
pelab_yaml_node *pelab_yaml_map_get(const pelab_yaml_node *m, const char *key, pelab_yaml_node **key_out);
/* Refuse a key of m that is not in known[0..n): "unknown key 'k'WHERE (did
 * you mean 'x'?)", or "(the keys here: a, b or c)" when none is near. where
 * is "" or " in sweep", " in a claim", .... Returns 0 or -1. */
int pelab_yaml_check_keys(pelab_yaml_doc *doc, const pelab_yaml_node *m, const char *const *known, int n,
                          const char *where);
/* The value of a required key, or NULL after "missing required key 'k'WHERE"
 * at the mapping. */
pelab_yaml_node *pelab_yaml_map_require(pelab_yaml_doc *doc, const pelab_yaml_node *m, const char *key,
                                        const char *where);

#endif /* PELAB_YAML_YAML_H */
