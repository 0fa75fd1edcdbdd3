/* pelab/io/rows.h — results.csv as lines of text: the scan that resume and
 * merge share, and the one identity index that finds a row's cell.
 *
 * A row's identity is its first n_id comma-separated fields (the cell's
 * identity columns, pelab/lab/results.h); rows are matched on that text
 * exactly. Knows nothing of the columns' meaning: the header text and n_id
 * are given. */
#ifndef PELAB_IO_ROWS_H
#define PELAB_IO_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"

/* The whole rows of a results file's text. */
typedef struct pelab_rows {
    size_t n;            /* whole, well-formed rows after the header              */
    const char **row;    /* row i starts here, in the scanned text                */
    size_t *len;         /* its length, without the newline                       */
    size_t *id_len;      /* the length of its identity (first n_id fields)        */
    size_t valid;        /* bytes up to the end of the last good row (0: none,    */
                         /* not even the header)                                  */
    int header_torn;     /* the text is a proper prefix of the header             */
    int bad_line;        /* 0, or the 1-based line of the first line that is not  */
                         /* a whole row (torn: no newline, or a wrong field count) */
    int bad_torn;        /* that line is the last and has no newline              */
} pelab_rows;

/* Scan len bytes of text: the header must be `header` (with its newline);
 * then rows up to the first line that is not whole (bad_line says where;
 * rows after it are not scanned). A text that is a proper prefix of the
 * header (a header torn by a kill) gives header_torn = 1 and no row. Any
 * other header: PELAB_STATUS_USAGE "PATH: not a results file of this pelab
 * version (its header differs)". *rows points into text (free with
 * pelab_rows_free; text must outlive it). */
pelab_status pelab_rows_scan(pelab_rows *rows, const char *text, size_t len, const char *header, int n_id,
                             const char *path, pelab_error *err);
void pelab_rows_free(pelab_rows *rows);

/* Field `index` (0-based) of a row's len bytes: *start and *flen; 0 when
 * the row has fewer fields. */
int pelab_rows_field(const char *row, size_t len, int index, const char **start, size_t *flen);

/* Identity text -> a value (a cell's sweep index), exact match. */
typedef struct pelab_row_index {
    size_t cap;          /* slots, a power of two                               */
    size_t count;
    uint64_t *hash;      /* 0 = empty slot                                      */
    size_t *value;
    size_t *at;          /* offset of the slot's identity in store             */
    size_t *len;
    char *store;
    size_t store_len, store_cap;
} pelab_row_index;

/* An empty index with room for `expected` identities (it grows past them). */
void pelab_row_index_init(pelab_row_index *ix, size_t expected);
/* Map the len bytes of id to value. Returns 1, or 0 (index unchanged) when
 * id is already there. */
int pelab_row_index_put(pelab_row_index *ix, const char *id, size_t len, size_t value);
/* 1 with *value when id is in the index, else 0. */
int pelab_row_index_get(const pelab_row_index *ix, const char *id, size_t len, size_t *value);
void pelab_row_index_free(pelab_row_index *ix);

#endif /* PELAB_IO_ROWS_H */
