/* pelab/io/table.h — a CSV file with a header, read into rows of strings.
 *
 * Small and general: the reader knows nothing of pelab's columns (only
 * pelab_results_layout below states the rule of results.csv). Fields may be
 * quoted ("a,b", "say ""hi""") as RFC 4180 allows; lines end in LF or CRLF;
 * a missing newline at the end of the file is fine. Every row must have as
 * many fields as the header. An empty field is kept as "" and reads as an
 * undefined number. */
#ifndef PELAB_TABLE_H
#define PELAB_TABLE_H

#include <stddef.h>

#include "pelab/base/numtext.h"
#include "pelab/base/status.h"

/* Limits that keep a hostile file from taking the machine. */
#define PELAB_TABLE_MAX_BYTES ((size_t)1 << 30) /* file size                  */
#define PELAB_TABLE_MAX_COLS 4096               /* fields in the header       */

typedef struct pelab_table {
    char path[4096];   /* as given, for messages                               */
    int n_cols;
    size_t n_rows;     /* data rows, the header not counted                    */
    char **cols;       /* n_cols header names                                  */
    char **cells;      /* n_rows x n_cols, row-major; each NUL-terminated      */
    int *line;         /* n_rows: the 1-based file line each row starts on     */
    char *store;       /* backing storage of every string                      */
} pelab_table;

/* How a field reads as a number. */
typedef enum pelab_table_num {
    PELAB_TABLE_NUM_OK = 0,    /* a number (nan, inf and -inf included)        */
    PELAB_TABLE_NUM_EMPTY,     /* the empty field: undefined                   */
    PELAB_TABLE_NUM_BAD        /* text that is not a number                    */
} pelab_table_num;

/* Read the CSV file at path into *t (free with pelab_table_free). On failure
 * *t is left empty (safe to free) and err says "PATH: reason" or
 * "PATH:LINE: reason" (PELAB_STATUS_IO when the file cannot be read,
 * PELAB_STATUS_RUN when its contents are not a well-formed table). */
pelab_status pelab_table_read(pelab_table *t, const char *path, pelab_error *err);

/* The same from len bytes of text; display_path names it in messages. */
pelab_status pelab_table_parse(pelab_table *t, const char *text, size_t len, const char *display_path,
                               pelab_error *err);

/* Release what *t owns and leave it zeroed. */
void pelab_table_free(pelab_table *t);

/* Index of the column named name, or -1. */
int pelab_table_col(const pelab_table *t, const char *name);

/* The field at (row, col); both must be in range. Never NULL. */
const char *pelab_table_get(const pelab_table *t, size_t row, int col);

/* Parse the field at (row, col) as a number into *out: NUM_OK with *out set;
 * NUM_EMPTY (undefined) or NUM_BAD with *out = NaN. */
pelab_table_num pelab_table_number(const pelab_table *t, size_t row, int col, double *out);

/* ---- results.csv: the one rule for its columns ------------------------------
 *
 * Every kind of pelab results.csv (probe sweeps, training sweeps) is laid
 * out the same way:
 *
 *   IDENTITY...,width,trials,status,METRIC,METRIC_std,...
 *
 * The identity columns are those before `width`: they name the cell a row
 * belongs to (probe: scheme,seq_len,d_model,heads,mask,projection,dtype,
 * sentence; train: the config's key columns, then eval_len). The metric
 * columns are those after `status`. width and trials are numbers that are
 * neither: a claim may test them, a report's tables leave them out. A table
 * without `width` (made by hand, or cut by a tool) has as identity columns
 * those before `status`; without either, none. */
typedef struct pelab_results_layout {
    int n_id;         /* the identity columns are 0 .. n_id - 1                */
    int width;        /* the column `width`, or -1                              */
    int status;       /* the column `status`, or -1                             */
    int first_metric; /* status + 1; n_id when there is no status               */
} pelab_results_layout;

/* The layout of a header of n_cols names (a table's cols, or a header this
 * build writes, split). */
pelab_results_layout pelab_results_layout_of(const char *const *cols, int n_cols);

/* The same for table t. */
pelab_results_layout pelab_table_layout(const pelab_table *t);

/* A file of numbers without a header (pelab's inputs: one token a row):
 * comma-separated finite decimal numbers, spaces around them allowed, LF or
 * CRLF, every row as long as the first, no blank line, at most max_rows rows,
 * max_cols columns and max_values values. On success *data (rows x cols,
 * row-major, malloc'ed) and the sizes. Errors: PELAB_STATUS_IO with the
 * system's reason alone in err->msg when the file cannot be opened (the
 * caller says where it was named); PELAB_STATUS_CONFIG "PATH:LINE:COL:
 * reason" for its contents (a NUL byte, an empty or non-finite value, a
 * ragged row, an empty file). */
pelab_status pelab_table_read_matrix(double **data, int *rows, int *cols, const char *path, int max_rows,
                                     int max_cols, size_t max_values, pelab_error *err);

#endif /* PELAB_TABLE_H */
