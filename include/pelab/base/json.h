/* pelab/base/json.h — a small JSON reader (RFC 8259) for the files pelab
 * writes itself (manifest.json) and reads back.
 *
 * A document parses into a tree of values owned by one pelab_json_doc.
 * Numbers are doubles (integers up to 2^53 exactly); strings are
 * NUL-terminated UTF-8 (\u escapes decoded, surrogate pairs included; a
 * \u0000 is refused). Objects keep their members in file order; a repeated
 * key is refused. Limits: depth 64, the text's size as the caller read it. */
#ifndef PELAB_BASE_JSON_H
#define PELAB_BASE_JSON_H

#include <stddef.h>

#include "pelab/base/status.h"

typedef enum pelab_json_type {
    PELAB_JSON_TYPE_NULL = 0,
    PELAB_JSON_TYPE_BOOL,
    PELAB_JSON_TYPE_NUMBER,
    PELAB_JSON_TYPE_STRING,
    PELAB_JSON_TYPE_ARRAY,
    PELAB_JSON_TYPE_OBJECT,
} pelab_json_type;

typedef struct pelab_json {
    pelab_json_type type;
    int boolean;                /* BOOL                                     */
    double number;              /* NUMBER                                   */
    char *string;               /* STRING                                   */
    size_t n;                   /* ARRAY items / OBJECT members             */
    struct pelab_json **items;  /* ARRAY items, OBJECT values               */
    char **keys;                /* OBJECT keys (n of them)                  */
    size_t start, end;          /* byte offsets of the value in the text    */
} pelab_json;

typedef struct pelab_json_doc {
    pelab_json *root;
    pelab_json **all; /* every value, for freeing */
    size_t n_all, cap_all;
} pelab_json_doc;

/* Parse len bytes of text. On failure doc is empty (safe to free) and err
 * says "DISPLAY: byte OFFSET: reason" (PELAB_STATUS_RUN). */
pelab_status pelab_json_parse(pelab_json_doc *doc, const char *text, size_t len, const char *display,
                              pelab_error *err);
void pelab_json_free(pelab_json_doc *doc);

/* The member `key` of object o, or NULL (also when o is NULL or not an
 * object). */
const pelab_json *pelab_json_get(const pelab_json *o, const char *key);
/* Typed member access: 1 with *out set when the member exists and has the
 * type, else 0 (and *out untouched). */
int pelab_json_get_string(const pelab_json *o, const char *key, const char **out);
int pelab_json_get_number(const pelab_json *o, const char *key, double *out);
int pelab_json_get_int(const pelab_json *o, const char *key, long long *out); /* whole numbers only */

#endif /* PELAB_BASE_JSON_H */
