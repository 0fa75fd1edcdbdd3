/* pelab/lab/probe.h — the probe: one attention layer on random weights
 * (or the identity), run forward and backward on a cell's inputs to measure
 * the metrics of pelab/lab/metrics.h.
 *
 * Per trial: X = encode(E) by the cell's scheme (its pe plan,
 * pelab/pe/plan.h); Q, K, V = X Wq, X Wk, X Wv (N(0, 1/w) entries, or X
 * itself); RoPE on Q and K; the fused attention forward with row
 * statistics; the backward of L = ||O||_F^2 / (2n); the forward again on
 * the permuted tokens. In the cell's dtype throughout. */
#ifndef PELAB_LAB_PROBE_H
#define PELAB_LAB_PROBE_H

#include "pelab/lab/cell.h"
#include "pelab/lab/config.h"
#include "pelab/lab/metrics.h"

/* Run trial `trial` of cell c: build E (from the config's inputs), encode,
 * project, attend forward and backward, rerun the permuted sequence, and fill
 * r. Computes in the cell's dtype. Deterministic: depends only on the config
 * seed, the cell's identity and the trial number. Uses OpenMP inside the
 * kernels (serially when called from a parallel region). */
void pelab_trial_run(pelab_trial_result *r, const pelab_config *cfg, const pelab_cell *c, int trial);

/* Run every trial of cell c (or record why it cannot run) and reduce. */
void pelab_cell_run(pelab_cell_result *res, const pelab_config *cfg, const pelab_cell *c);

/* Contextual embeddings for `pelab attend`: out (n x D) of trial 0 of cell c,
 * in double (converted from the cell's dtype). D = pelab_cell_proj_width(c). */
void pelab_cell_attend(double *out, const pelab_config *cfg, const pelab_cell *c);

/* The loss and its gradients, for tests: L = ||O||_F^2 / (2n) of cell c,
 * computed in float64 whatever the cell's dtype, with explicit token
 * embeddings E (n, d) and weights Wq, Wk, Wv (w, D) each, or all three NULL
 * for the identity projection (then the gradients are those with respect to
 * the identity matrices). Writes dWq, dWk, dWv (w, D) and dE (n, d); returns
 * L. The trial runs this very code in its dtype. */
double pelab_cell_loss_grads(double *dWq, double *dWk, double *dWv, double *dE, const pelab_config *cfg,
                             const pelab_cell *c, const double *E, const double *Wq, const double *Wk,
                             const double *Wv);

/* How fast this machine runs cells, one thread: the cost model turned into
 * seconds, seconds = pelab_cell_flops / rate[dtype] + trials * overhead_s. */
typedef struct pelab_cell_timing {
    double rate[PELAB_DTYPE_COUNT]; /* flops per second                          */
    double overhead_s;             /* a trial's fixed cost (inputs, geometry...) */
} pelab_cell_timing;

/* Measure it (best of 3 single-threaded runs of a cell with n = 8 for the
 * overhead and of n = 256, d = 64, 4 heads in f32 and f64 for the rates;
 * about 30 ms in all). What `pelab validate` estimates a sweep's time with,
 * and the progress line weighs cells by. */
void pelab_cell_timing_calibrate(pelab_cell_timing *t);

/* Estimated seconds one thread takes for cell c. */
double pelab_cell_seconds(const pelab_cell *c, int trials, const pelab_cell_timing *t);

/* What trial `trial` of cell c hands the attention kernel, in the cell's
 * dtype (float arrays for f32 cells, double for f64): q, k, v (n, D) after
 * the encoding, the projection and RoPE, and the logit bias (H, 2n-1) or
 * NULL. For pictures of that attention (pelab/lab/heatmap.h), which then
 * run the reference kernel on exactly these operands. Free with
 * pelab_probe_operands_free. */
typedef struct pelab_probe_operands {
    pelab_dtype dtype;
    int n, D, H, causal;
    void *q, *k, *v, *bias;
} pelab_probe_operands;

void pelab_probe_operands_get(pelab_probe_operands *o, const pelab_config *cfg, const pelab_cell *c, int trial);
void pelab_probe_operands_free(pelab_probe_operands *o);

#endif /* PELAB_LAB_PROBE_H */
