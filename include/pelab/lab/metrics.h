/* pelab/lab/metrics.h — what a cell measures: the metric registry, one
 * trial's measurement, and the reduction over trials. The probe that
 * computes them is pelab/lab/probe.h.
 *
 * The registry is the X-macro list below: one line per metric gives its
 * column name, family and meaning. The results header, `pelab schemes
 * --metrics`, and the README table are generated from it; adding a metric is
 * one line here plus the code in probe_impl.inc that computes it. Each
 * metric is written as two columns, NAME (mean over trials) and NAME_std
 * (sample standard deviation; 0 for one trial). A metric that is undefined
 * for a cell (no positional vectors, no row with two visible keys) is an
 * empty field, never 0. The geometry family (include/pelab/pe/geometry.h)
 * depends only on the scheme, seed, n, d and dtype: it is computed once per
 * cell and is the same in every trial (its _std is 0). Phi(p, q) is the
 * similarity of positions p and q defined there. */
#ifndef PELAB_METRICS_H
#define PELAB_METRICS_H

#include "pelab/base/status.h"

/*  X(ID, column, family, meaning) */
#define PELAB_METRICS(X)                                                                        \
    X(PE_MAX_ABS, "pe_max_abs", "values", "largest |value| of the positional vectors")          \
    X(PE_TOKEN_RATIO, "pe_token_ratio", "values",                                               \
      "mean_p ||PE_p|| / mean_p ||E_p||: positional against token magnitude")                   \
    X(LOGIT_MAX_ABS, "logit_max_abs", "attention", "largest |S| over heads and visible entries") \
    X(ATTN_ENTROPY, "attn_entropy", "attention",                                                \
      "mean over heads and rows with k >= 2 visible keys of H(P_i) / ln k")                     \
    X(ATTN_MAX_WEIGHT, "attn_max_weight", "attention", "mean over the same rows of max_j P_ij") \
    X(SOFTMAX_JACOBIAN_NORM, "softmax_jacobian_norm", "gradients",                              \
      "mean over the same rows of ||diag(p_i) - p_i p_i^T||_F (small when attention saturates)") \
    X(GRAD_WQ_NORM, "grad_wq_norm", "gradients", "||dL/dWq||_F, L = ||O||_F^2 / (2n)")          \
    X(GRAD_WK_NORM, "grad_wk_norm", "gradients", "||dL/dWk||_F")                                \
    X(GRAD_WV_NORM, "grad_wv_norm", "gradients", "||dL/dWv||_F")                                \
    X(GRAD_X_NORM, "grad_x_norm", "gradients",                                                  \
      "||dL/dE||_F, E the token embeddings before the encoding")                                \
    X(ORDER_TOKEN_DIST, "order_token_dist", "order",                                            \
      "mean_i ||O'_i - O_pi(i)|| / ||O_pi(i)||: a token's output, reordered sentence vs original") \
    X(ORDER_SEQ_DIST, "order_seq_dist", "order",                                                \
      "||mean_i O'_i - mean_i O_i|| / ||mean_i O_i||: the pooled output, reordered vs original") \
    X(EQUIVARIANCE_RESIDUAL, "equivariance_residual", "order",                                  \
      "||f(encoded pi X) - pi f(X)||_F / ||f(X)||_F for the cell's permutation pi")             \
    X(SHIFT_DEV, "shift_dev", "order",                                                          \
      "rotary schemes: mean over heads and rows of sum_j |P_ij at positions +0 - P_ij at +n| (0 = shift invariant)") \
    X(FIRST_TOKEN_DEV, "first_token_dev", "order",                                              \
      "rotary schemes: mean over heads and rows of |S_i0 at positions +0 - S_i0 at +n|, the first key's logit") \
    X(POS_MIN_DIST, "pos_min_dist", "geometry",                                                 \
      "min over p != q of ||PE_p - PE_q||, in the cell's dtype (vector schemes)")               \
    X(POS_COLLISIONS, "pos_collisions", "geometry",                                             \
      "pairs p < q whose positional vectors are equal in the cell's dtype")                     \
    X(LENGTH_CONSISTENCY, "length_consistency", "geometry",                                     \
      "max over p < n of ||PE_p in a sequence of n - PE_p in one of 2n|| (rows of Phi for logit schemes)") \
    X(TI_RESIDUAL, "ti_residual", "geometry",                                                   \
      "mean over k <= 64 of std_p Phi(p,p+k) / mean_p |Phi(p,p+k)|: 0 = translation invariant") \
    X(MONO_BREAK, "mono_break", "geometry",                                                     \
      "smallest k with Phi(0,k+1) > Phi(0,k); empty when similarity never rises")               \
    X(MONO_SPEARMAN, "mono_spearman", "geometry",                                               \
      "Spearman correlation of |p - q| and -Phi(p,q): +1 = similarity falls with distance")     \
    X(SYM_RESIDUAL, "sym_residual", "geometry", "||Phi - Phi^T||_F / ||Phi||_F")

typedef enum pelab_metric_id {
#define PELAB_METRIC_ENUM_(id, name, family, help) PELAB_METRIC_##id,
    PELAB_METRICS(PELAB_METRIC_ENUM_)
#undef PELAB_METRIC_ENUM_
    PELAB_METRIC_COUNT
} pelab_metric_id;

typedef struct pelab_metric_def {
    const char *name;
    const char *family;
    const char *help;
} pelab_metric_def;

/* The registry, in id order (PELAB_METRIC_COUNT rows). */
const pelab_metric_def *pelab_metric_defs(void);
/* Id of a column name ("attn_entropy"), or -1. */
int pelab_metric_find(const char *name);

/* Everything one trial produces. Undefined metrics are NaN with defined = 0. */
typedef struct pelab_trial_result {
    double value[PELAB_METRIC_COUNT];
    unsigned char defined[PELAB_METRIC_COUNT];
} pelab_trial_result;

/* A cell's row: trial means and standard deviations, status and time. */
typedef struct pelab_cell_result {
    double mean[PELAB_METRIC_COUNT];
    double std[PELAB_METRIC_COUNT];
    unsigned char defined[PELAB_METRIC_COUNT];
    int width;            /* width of X                                        */
    int trials;           /* trials run (0 when the cell was skipped)          */
    double time_s;        /* wall time of the cell                             */
    char status[256];     /* "ok", "skipped: ...", or "nonfinite: m1 m2"       */
} pelab_cell_result;

/* Reduce trials tr[0..trials) into res: per metric the mean and the sample
 * standard deviation (0 for one trial), summed in trial order; a metric is
 * defined when trial 0 defines it; status "ok", or "nonfinite: NAMES" naming
 * the metrics whose mean is not finite. width and time_s are left alone. */
void pelab_metrics_reduce(pelab_cell_result *res, const pelab_trial_result *tr, int trials);

#endif /* PELAB_METRICS_H */
