/* pelab/lab/results.h — results.csv rows of the probe's cells.
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

#endif /* PELAB_RESULTS_H */
