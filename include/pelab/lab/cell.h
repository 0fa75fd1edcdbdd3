/* pelab/lab/cell.h — a cell of a probe sweep: one point of the cartesian
 * product, and what can be known of it without running it (widths, whether
 * it can run, its memory and its cost).
 *
 * A cell is a value: its identity (scheme, seq_len, d_model, heads, mask,
 * projection, dtype, and the sentence under sentence input) fixes everything
 * it computes, random draws included, so the order cells run in cannot
 * change a number. */
#ifndef PELAB_LAB_CELL_H
#define PELAB_LAB_CELL_H

#include <stddef.h>

#include "pelab/base/status.h"
#include "pelab/kernels/types.h"
#include "pelab/pe/encoding.h"

typedef enum pelab_projection {
    PELAB_PROJECTION_IDENTITY = 0, /* Q = K = V = X                      */
    PELAB_PROJECTION_RANDOM,       /* Wq, Wk, Wv ~ N(0, 1/w)             */
    PELAB_PROJECTION_COUNT
} pelab_projection;

/* "identity", "random" ("unknown" out of range). */
const char *pelab_projection_str(pelab_projection p);

typedef struct pelab_cell {
    size_t index;                 /* position in sweep order (outermost axis first) */
    const pelab_scheme *scheme;   /* points into the config                         */
    int seq_len, d_model, heads;
    pelab_mask mask;
    pelab_projection projection;
    pelab_dtype dtype;
    int sentence;                 /* index into cfg->sentences, or -1               */
} pelab_cell;

/* Width w of X for the cell (d_model plus any appended positional columns). */
int pelab_cell_width(const pelab_cell *c);
/* Projected width D: w under identity projection, d_model under random. */
int pelab_cell_proj_width(const pelab_cell *c);

/* Whether the cell can run. Returns 0, or 1 with the reason in why (used as
 * its status): a scheme that cannot encode this length, heads that do not
 * divide an identity projection's width, a rotating scheme (rope) on heads
 * narrower than 2, a memory need above the limit. */
int pelab_cell_check(const pelab_cell *c, char *why, size_t why_len);

/* Estimated bytes a cell needs while it runs (all trials share buffers). */
double pelab_cell_bytes(const pelab_cell *c);
/* Estimated floating-point work of one cell, all trials, by the project's
 * convention (forward 4 n^2 D, forward+backward 14 n^2 D; causal half), used
 * to schedule cells and to balance shards. */
double pelab_cell_flops(const pelab_cell *c, int trials);

/* Memory a single cell may use: half the physical memory, or the value of
 * PELAB_MAX_CELL_BYTES in the environment when set (bytes, optionally with
 * K, M, G or T: powers of 1024). A malformed value is refused by
 * pelab_cell_bytes_limit_check (the commands call it first); here it falls
 * back to half the memory. */
double pelab_cell_bytes_limit(void);
/* PELAB_STATUS_USAGE naming PELAB_MAX_CELL_BYTES when it is set to
 * something that is not a number of bytes. */
pelab_status pelab_cell_bytes_limit_check(pelab_error *err);

/* "scheme=sinusoidal seq_len=64 d_model=16 heads=1 mask=none projection=random
 * dtype=f32" (plus " sentence=K" under sentence input). Returns the length
 * snprintf would write. */
int pelab_cell_identity(char *buf, size_t len, const pelab_cell *c);

#endif /* PELAB_LAB_CELL_H */
