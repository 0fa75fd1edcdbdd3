/* pelab/results.h — results.csv rows and crash-safe files.
 *
 * results.csv columns: the cell's identity (scheme, seq_len, d_model, heads,
 * mask, projection, dtype, sentence), then width, trials, status, then for
 * every metric of the registry NAME and NAME_std, then time_s. Numbers are
 * written with 17 significant digits (they round-trip a double, and so the
 * float they came from); an undefined metric is an empty field. */
#ifndef PELAB_RESULTS_H
#define PELAB_RESULTS_H

#include <stddef.h>

#include "pelab/lab/metrics.h"
#include "pelab/base/status.h"
#include "pelab/lab/sweep.h"

/* Number of identity columns at the start of every row. */
#define PELAB_RESULTS_ID_COLUMNS 8

/* The header line (with '\n') into buf; returns its length, or -1 if buf is
 * too small. */
int pelab_results_header(char *buf, size_t len);

/* The cell's identity fields, comma-separated, no newline: the key that
 * resume and merge match rows on. Returns the length written. */
int pelab_results_identity(char *buf, size_t len, const pelab_cell *c);

/* One row (with '\n') into buf; returns its length, or -1 if buf is too small. */
int pelab_results_row(char *buf, size_t len, const pelab_cell *c, const pelab_cell_result *r);

/* Create dir and its parents (like mkdir -p). IO error naming the path. */
pelab_status pelab_mkdir_p(const char *dir, pelab_error *err);

/* Replace path with data atomically: write path.tmp, fsync, rename, fsync
 * the folder. A reader sees the old file or the new one, never a mix. */
pelab_status pelab_write_file_atomic(const char *path, const char *data, size_t len, pelab_error *err);

/* Read a whole file into a NUL-terminated malloc'ed buffer (*data, freed by
 * the caller; *len its length when len is not NULL). IO error naming the
 * path when it cannot be opened or read. */
pelab_status pelab_read_file(char **data, size_t *len, const char *path, pelab_error *err);

/* pelab_read_file, refusing a file of more than max bytes ("PATH: file too
 * large", status RUN) once that many are read, without reading the rest. */
pelab_status pelab_read_file_max(char **data, size_t *len, const char *path, size_t max, pelab_error *err);

/* s as the inside of a JSON string (quotes, backslashes and control
 * characters escaped) into buf, NUL-terminated; cut short rather than
 * overflow when buf is too small. */
void pelab_json_escape(char *buf, size_t len, const char *s);

#endif /* PELAB_RESULTS_H */
