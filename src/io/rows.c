/* rows.c — see pelab/io/rows.h */
#include "pelab/io/rows.h"

#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/rng.h"

pelab_status pelab_rows_scan(pelab_rows *rows, const char *text, size_t len, const char *header, int n_id,
                             const char *path, pelab_error *err) {
    memset(rows, 0, sizeof *rows);
    size_t hl = strlen(header);
    if (len < hl && memcmp(text, header, len) == 0) {
        rows->header_torn = 1;
        return PELAB_STATUS_OK;
    }
    if (len < hl || memcmp(text, header, hl) != 0)
        return pelab_error_set(err, PELAB_STATUS_USAGE,
                               "%s: not a results file of this pelab version (its header differs)", path);
    size_t want_commas = 0;
    for (size_t i = 0; i < hl; i++) want_commas += header[i] == ',';
    size_t cap = 0;
    rows->valid = hl;
    int line = 1;
    for (const char *p = text + hl; p < text + len;) {
        line++;
        const char *nl = memchr(p, '\n', (size_t)(text + len - p));
        if (!nl) {
            rows->bad_line = line;
            rows->bad_torn = 1;
            break;
        }
        size_t commas = 0, id_len = 0;
        for (const char *q = p; q < nl; q++)
            if (*q == ',' && ++commas == (size_t)n_id) id_len = (size_t)(q - p);
        if (commas != want_commas || (n_id > 0 && commas < (size_t)n_id)) {
            rows->bad_line = line;
            break;
        }
        if (rows->n == cap) {
            size_t c2 = cap ? 2 * cap : 64;
            rows->row = pelab_xrealloc(rows->row, c2 * sizeof *rows->row);
            rows->len = pelab_xrealloc(rows->len, c2 * sizeof *rows->len);
            rows->id_len = pelab_xrealloc(rows->id_len, c2 * sizeof *rows->id_len);
            cap = c2;
        }
        rows->row[rows->n] = p;
        rows->len[rows->n] = (size_t)(nl - p);
        rows->id_len[rows->n] = id_len;
        rows->n++;
        p = nl + 1;
        rows->valid = (size_t)(p - text);
    }
    return PELAB_STATUS_OK;
}

void pelab_rows_free(pelab_rows *rows) {
    free(rows->row);
    free(rows->len);
    free(rows->id_len);
    memset(rows, 0, sizeof *rows);
}

int pelab_rows_field(const char *row, size_t len, int index, const char **start, size_t *flen) {
    const char *p = row, *end = row + len;
    for (int f = 0; f < index; f++) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        if (!c) return 0;
        p = c + 1;
    }
    const char *e = p;
    while (e < end && *e != ',' && *e != '\n') e++;
    *start = p;
    *flen = (size_t)(e - p);
    return 1;
}

/* ---- the index ----------------------------------------------------------------- */

static uint64_t key_of(const char *id, size_t len) {
    uint64_t h = pelab_hash_bytes(id, len);
    return h ? h : 1;
}

static void alloc_slots(pelab_row_index *ix, size_t cap) {
    ix->cap = cap;
    ix->hash = pelab_xcalloc(cap, sizeof *ix->hash);
    ix->value = pelab_xcalloc(cap, sizeof *ix->value);
    ix->at = pelab_xcalloc(cap, sizeof *ix->at);
    ix->len = pelab_xcalloc(cap, sizeof *ix->len);
}

void pelab_row_index_init(pelab_row_index *ix, size_t expected) {
    memset(ix, 0, sizeof *ix);
    size_t cap = 16;
    while (cap < 2 * expected + 2) cap *= 2;
    alloc_slots(ix, cap);
}

/* The slot of id: where it is, or the empty slot where it would go. */
static size_t find_slot(const pelab_row_index *ix, uint64_t h, const char *id, size_t len) {
    size_t i = h & (ix->cap - 1);
    while (ix->hash[i]) {
        if (ix->hash[i] == h && ix->len[i] == len && memcmp(ix->store + ix->at[i], id, len) == 0) return i;
        i = (i + 1) & (ix->cap - 1);
    }
    return i;
}

static void grow_slots(pelab_row_index *ix) {
    pelab_row_index old = *ix;
    alloc_slots(ix, old.cap * 2);
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.hash[i]) continue;
        size_t j = old.hash[i] & (ix->cap - 1);
        while (ix->hash[j]) j = (j + 1) & (ix->cap - 1);
        ix->hash[j] = old.hash[i], ix->value[j] = old.value[i], ix->at[j] = old.at[i], ix->len[j] = old.len[i];
    }
    free(old.hash), free(old.value), free(old.at), free(old.len);
}

int pelab_row_index_put(pelab_row_index *ix, const char *id, size_t len, size_t value) {
    if (2 * (ix->count + 1) > ix->cap) grow_slots(ix);
    uint64_t h = key_of(id, len);
    size_t i = find_slot(ix, h, id, len);
    if (ix->hash[i]) return 0;
    ix->store = pelab_xgrow(ix->store, &ix->store_cap, ix->store_len + len + 1, 1);
    memcpy(ix->store + ix->store_len, id, len);
    ix->hash[i] = h, ix->value[i] = value, ix->at[i] = ix->store_len, ix->len[i] = len;
    ix->store_len += len;
    ix->count++;
    return 1;
}

int pelab_row_index_get(const pelab_row_index *ix, const char *id, size_t len, size_t *value) {
    if (!ix->cap) return 0;
    uint64_t h = key_of(id, len);
    size_t i = find_slot(ix, h, id, len);
    if (!ix->hash[i]) return 0;
    if (value) *value = ix->value[i];
    return 1;
}

void pelab_row_index_free(pelab_row_index *ix) {
    free(ix->hash), free(ix->value), free(ix->at), free(ix->len), free(ix->store);
    memset(ix, 0, sizeof *ix);
}
