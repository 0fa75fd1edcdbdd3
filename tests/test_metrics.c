/* test_metrics.c — one trial end to end: encoding, projection, rope, bias,
 * attention forward and backward, and the metrics built on them. Truths:
 * central finite differences in double precision for every gradient, closed
 * forms for uniform attention and n = 1, permutation equivariance without an
 * encoding. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/lab/config.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/inputs.h"
#include "pelab/lab/probe.h"
#include "pelab/base/rng.h"
#include "pelab/lab/sweep.h"
#include "test.h"

/* Load a config from text (the test fails on a config error). */
static void load(pelab_config *cfg, const char *yaml) {
    pelab_error err;
    pelab_status s = pelab_config_load_buffer(cfg, yaml, strlen(yaml), "inline.yaml", ".", &err);
    if (s) TEST_FAIL_("config: %s", err.msg);
}

static double frob(const double *a, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * a[i];
    return sqrt(s);
}

/* Every gradient of the loss, for every scheme, both masks, one and two
 * heads, both projections, against central differences of the loss itself:
 * (L(x + h) - L(x - h)) / 2h, h = 1e-6, in double. */
static void test_gradients_match_finite_differences(void) {
    pelab_config cfg;
    load(&cfg, "name: fd\nseed: 5\n"
               "sweep:\n  seq_len: [5]\n  d_model: [4]\n"
               "  scheme: [none, index, index_norm, sinusoidal, onehot, binary, learned5, rope, ropeh, alibi, t5,\n"
               "           xp, yarn, dyn, l3]\n"
               "  heads: [1, 2]\n  mask: [none, causal]\n  projection: [identity, random]\n  dtype: f64\n"
               "schemes:\n  ropeh: {type: rope, pairing: half, base: 10}\n"
               "  xp: {type: xpos, scale_base: 4, centre: none}\n"
               "  yarn: {type: rope, scaling: yarn, factor: 4, original_max_len: 2, base: 10}\n"
               "  dyn: {type: rope, scaling: dynamic_ntk, original_max_len: 2, base: 10}\n"
               "  l3: {type: rope, scaling: llama3, factor: 4, original_max_len: 8, base: 10, angle_dtype: same}\n"
               "  learned5: {type: learned, std: 0.5}\n");
    pelab_cell *cells = NULL;
    size_t count = 0;
    pelab_error err;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, &err), PELAB_STATUS_OK);
    double worst = 0;
    int checked_cells = 0;
    for (size_t ci = 0; ci < count; ci++) {
        const pelab_cell *c = &cells[ci];
        char why[200];
        if (pelab_cell_check(c, why, sizeof why)) continue;
        const int n = c->seq_len, d = c->d_model, w = pelab_cell_width(c), D = pelab_cell_proj_width(c);
        const size_t wD = (size_t)w * D, nd = (size_t)n * d;
        double *E = malloc(nd * sizeof(double));
        pelab_cell_inputs(E, &cfg, c, 0);
        /* weights: random N(0, 1/w), or the identity matrices */
        double *W[3];
        pelab_rng r = pelab_rng_make(99, ci);
        for (int k = 0; k < 3; k++) {
            W[k] = calloc(wD, sizeof(double));
            for (size_t i = 0; i < wD; i++)
                W[k][i] = c->projection == PELAB_PROJECTION_IDENTITY ? (i / (size_t)D == i % (size_t)D)
                                                                      : pelab_rng_normal(&r) / sqrt(w);
        }
        int ident = c->projection == PELAB_PROJECTION_IDENTITY;
        double *G[3], *dE = malloc(nd * sizeof(double)), *scratch[4];
        for (int k = 0; k < 3; k++) G[k] = malloc(wD * sizeof(double));
        for (int k = 0; k < 4; k++) scratch[k] = malloc((k < 3 ? wD : nd) * sizeof(double));
        /* analytic: under identity through the identity path itself (W NULL) */
        pelab_cell_loss_grads(G[0], G[1], G[2], dE, &cfg, c, E, ident ? NULL : W[0], ident ? NULL : W[1],
                              ident ? NULL : W[2]);
        const double h = 1e-6;
        for (int k = 0; k < 3; k++)
            for (size_t i = 0; i < wD; i++) {
                double keep = W[k][i];
                W[k][i] = keep + h;
                double lp = pelab_cell_loss_grads(scratch[0], scratch[1], scratch[2], scratch[3], &cfg, c, E, W[0],
                                                  W[1], W[2]);
                W[k][i] = keep - h;
                double lm = pelab_cell_loss_grads(scratch[0], scratch[1], scratch[2], scratch[3], &cfg, c, E, W[0],
                                                  W[1], W[2]);
                W[k][i] = keep;
                double fd = (lp - lm) / (2 * h);
                worst = fmax(worst, fabs(fd - G[k][i]));
                ASSERT_CLOSE(G[k][i], fd, 1e-6, 1e-8);
            }
        for (size_t i = 0; i < nd; i++) {
            double keep = E[i];
            E[i] = keep + h;
            double lp = pelab_cell_loss_grads(scratch[0], scratch[1], scratch[2], scratch[3], &cfg, c, E,
                                              ident ? NULL : W[0], ident ? NULL : W[1], ident ? NULL : W[2]);
            E[i] = keep - h;
            double lm = pelab_cell_loss_grads(scratch[0], scratch[1], scratch[2], scratch[3], &cfg, c, E,
                                              ident ? NULL : W[0], ident ? NULL : W[1], ident ? NULL : W[2]);
            E[i] = keep;
            double fd = (lp - lm) / (2 * h);
            worst = fmax(worst, fabs(fd - dE[i]));
            ASSERT_CLOSE(dE[i], fd, 1e-6, 1e-8);
        }
        /* the trial reports the norms of exactly these gradients (identity:
         * no random weights, so the trial's numbers are reproducible here) */
        if (ident) {
            pelab_trial_result tr;
            pelab_trial_run(&tr, &cfg, c, 0);
            ASSERT_CLOSE(tr.value[PELAB_METRIC_GRAD_WQ_NORM], frob(G[0], wD), 1e-12, 1e-300);
            ASSERT_CLOSE(tr.value[PELAB_METRIC_GRAD_WK_NORM], frob(G[1], wD), 1e-12, 1e-300);
            ASSERT_CLOSE(tr.value[PELAB_METRIC_GRAD_WV_NORM], frob(G[2], wD), 1e-12, 1e-300);
            ASSERT_CLOSE(tr.value[PELAB_METRIC_GRAD_X_NORM], frob(dE, nd), 1e-12, 1e-300);
        }
        checked_cells++;
        for (int k = 0; k < 3; k++) free(W[k]), free(G[k]);
        for (int k = 0; k < 4; k++) free(scratch[k]);
        free(dE), free(E);
    }
    printf("     gradients vs central differences: %d cells, max |analytic - fd| = %.3g\n", checked_cells, worst);
    ASSERT_GE(checked_cells, 60);
    free(cells);
    pelab_config_free(&cfg);
}

/* Run trial 0 of the single cell of a one-cell config. */
static pelab_trial_result one_trial(const char *yaml) {
    pelab_config cfg;
    load(&cfg, yaml);
    pelab_cell *cells = NULL;
    size_t count = 0;
    pelab_error err;
    pelab_trial_result r;
    memset(&r, 0, sizeof r);
    if (pelab_sweep_expand(&cells, &count, &cfg, &err) || count != 1) TEST_FAIL_("want one cell");
    pelab_trial_run(&r, &cfg, &cells[0], 0);
    free(cells);
    pelab_config_free(&cfg);
    return r;
}

/* Identical tokens give identical scores, so attention is uniform over the k
 * visible keys: entropy H/ln k = 1, max weight 1/k, and
 * ||diag(p) - pp^T||_F^2 = sum p^2 - 2 sum p^3 + (sum p^2)^2 = 1/k - 1/k^2. */
static void test_uniform_attention_closed_form(void) {
#define UNIFORM_YAML "name: u\ntokens: {A: [0.3, -1.2, 2.0]}\nsentences: [A A A A]\n" \
                     "sweep: {scheme: none, projection: identity, dtype: f64, mask: %s}\n"
    char yaml[512];
    snprintf(yaml, sizeof yaml, UNIFORM_YAML, "none");
    pelab_trial_result r = one_trial(yaml);
    ASSERT_NEAR(r.value[PELAB_METRIC_ATTN_ENTROPY], 1.0, 1e-14);
    ASSERT_NEAR(r.value[PELAB_METRIC_ATTN_MAX_WEIGHT], 0.25, 1e-15);
    ASSERT_NEAR(r.value[PELAB_METRIC_SOFTMAX_JACOBIAN_NORM], sqrt(0.25 - 0.0625), 1e-15);
    /* the logits are all ||A||^2 / sqrt(3) */
    ASSERT_NEAR(r.value[PELAB_METRIC_LOGIT_MAX_ABS], (0.09 + 1.44 + 4.0) / sqrt(3.0), 1e-14);
    snprintf(yaml, sizeof yaml, UNIFORM_YAML, "causal");
    r = one_trial(yaml);
    /* rows with k = 2, 3, 4 visible keys (row 0 has one and is left out) */
    ASSERT_NEAR(r.value[PELAB_METRIC_ATTN_ENTROPY], 1.0, 1e-14);
    ASSERT_NEAR(r.value[PELAB_METRIC_ATTN_MAX_WEIGHT], (1.0 / 2 + 1.0 / 3 + 1.0 / 4) / 3, 1e-15);
    ASSERT_NEAR(r.value[PELAB_METRIC_SOFTMAX_JACOBIAN_NORM],
                (sqrt(1.0 / 2 - 1.0 / 4) + sqrt(1.0 / 3 - 1.0 / 9) + sqrt(1.0 / 4 - 1.0 / 16)) / 3, 1e-15);
}

/* n = 1: the output is the token's value vector, the loss ||x||^2 / 2; with
 * the identity projection dL/dX flows through V only (dS = 0), so
 * dL/dE = x, and dL/dWv = x^T x. The attention metrics over rows with two
 * keys are undefined (empty), the order metrics 0. */
static void test_single_token(void) {
    pelab_trial_result r = one_trial("name: one\ntokens: {A: [3, 4]}\nsentences: [A]\n"
                                     "sweep: {scheme: none, projection: identity, dtype: f64}\n");
    ASSERT_NEAR(r.value[PELAB_METRIC_GRAD_X_NORM], 5.0, 1e-14);
    ASSERT_NEAR(r.value[PELAB_METRIC_GRAD_WV_NORM], 25.0, 1e-13); /* ||x^T x||_F = ||x||^2 */
    ASSERT_NEAR(r.value[PELAB_METRIC_GRAD_WQ_NORM], 0.0, 1e-15);
    ASSERT_EQ(r.defined[PELAB_METRIC_ATTN_ENTROPY], 0);
    ASSERT_EQ(r.defined[PELAB_METRIC_SOFTMAX_JACOBIAN_NORM], 0);
    ASSERT_EQ(r.defined[PELAB_METRIC_PE_MAX_ABS], 0);
    ASSERT_DBL_EQ(r.value[PELAB_METRIC_ORDER_TOKEN_DIST], 0.0);
}

/* Self-attention without positions is permutation-equivariant: the same
 * token gets the same output in any order (to rounding), bidirectionally;
 * the causal mask and every encoding break it. */
static void test_order_blindness(void) {
#define ORDER_YAML "name: o\nseed: 3\nsweep: {seq_len: 40, d_model: 8, scheme: %s, mask: %s, heads: 2," \
                   " projection: random, dtype: %s}\n"
    char yaml[512];
    snprintf(yaml, sizeof yaml, ORDER_YAML, "none", "none", "f64");
    pelab_trial_result r = one_trial(yaml);
    printf("     none, f64: order_token_dist = %.3g, order_seq_dist = %.3g\n", r.value[PELAB_METRIC_ORDER_TOKEN_DIST],
           r.value[PELAB_METRIC_ORDER_SEQ_DIST]);
    ASSERT_DBL_LT(r.value[PELAB_METRIC_ORDER_TOKEN_DIST], 1e-13);
    ASSERT_DBL_LT(r.value[PELAB_METRIC_ORDER_SEQ_DIST], 1e-13);
    snprintf(yaml, sizeof yaml, ORDER_YAML, "none", "none", "f32");
    r = one_trial(yaml);
    printf("     none, f32: order_token_dist = %.3g\n", r.value[PELAB_METRIC_ORDER_TOKEN_DIST]);
    ASSERT_DBL_LT(r.value[PELAB_METRIC_ORDER_TOKEN_DIST], 1e-5);
    snprintf(yaml, sizeof yaml, ORDER_YAML, "none", "causal", "f64");
    r = one_trial(yaml);
    ASSERT_DBL_GT(r.value[PELAB_METRIC_ORDER_TOKEN_DIST], 1e-2);
    const char *schemes[] = {"index", "index_norm", "sinusoidal", "onehot", "binary", "learned", "rope", "alibi", "t5"};
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++) {
        snprintf(yaml, sizeof yaml, ORDER_YAML, schemes[i], "none", "f64");
        r = one_trial(yaml);
        printf("     %-10s f64: order_token_dist = %.3g\n", schemes[i], r.value[PELAB_METRIC_ORDER_TOKEN_DIST]);
        ASSERT_DBL_GT(r.value[PELAB_METRIC_ORDER_TOKEN_DIST], 1e-4);
    }
}

/* shift_dev / first_token_dev: rotary attention depends on relative
 * positions only, so in double both are rounding noise (<= 1e-13) for RoPE,
 * its scalings and xPos; each narrower arithmetic deviates more (f32 <
 * f16 < bf16, ordered as their unit roundoffs 2^-24 < 2^-11 < 2^-8), and an
 * L1 distance of two distributions stays within [0, 2]. Undefined for
 * schemes without a rotation. */
static void test_shift_deviation(void) {
#define SHIFT_YAML "name: s\nseed: 3\nsweep: {seq_len: 96, d_model: 16, scheme: %s, heads: 2, mask: %s," \
                   " dtype: %s}\nschemes:\n  yarn4: {type: rope, scaling: yarn, factor: 4, original_max_len: 32}\n" \
                   "  dyn: {type: rope, scaling: dynamic_ntk, original_max_len: 32}\n"
    const char *schemes[] = {"rope", "xpos", "yarn4", "dyn"}, *dtypes[] = {"f64", "f32", "f16", "bf16"};
    char yaml[640];
    for (size_t i = 0; i < sizeof schemes / sizeof *schemes; i++)
        for (int mask = 0; mask < 2; mask++) {
            double prev = -1;
            for (int t = 0; t < 4; t++) {
                snprintf(yaml, sizeof yaml, SHIFT_YAML, schemes[i], mask ? "causal" : "none", dtypes[t]);
                pelab_trial_result r = one_trial(yaml);
                const double dev = r.value[PELAB_METRIC_SHIFT_DEV], first = r.value[PELAB_METRIC_FIRST_TOKEN_DEV];
                printf("     %-6s %-6s %-4s shift_dev %.3g first_token_dev %.3g\n", schemes[i], mask ? "causal" : "none",
                       dtypes[t], dev, first);
                ASSERT(r.defined[PELAB_METRIC_SHIFT_DEV] && r.defined[PELAB_METRIC_FIRST_TOKEN_DEV]);
                if (t == 0) {
                    ASSERT_DBL_LT(dev, 1e-13);
                    ASSERT_DBL_LT(first, 1e-13);
                }
                ASSERT_DBL_GT(dev, prev);
                ASSERT_DBL_LE(dev, 2);
                prev = dev;
            }
        }
    snprintf(yaml, sizeof yaml, SHIFT_YAML, "sinusoidal", "none", "f64");
    pelab_trial_result r = one_trial(yaml);
    ASSERT(!r.defined[PELAB_METRIC_SHIFT_DEV] && !r.defined[PELAB_METRIC_FIRST_TOKEN_DEV]);
}

/* The raw index: pe_max_abs = n, pe_token_ratio = mean(p+1) / mean ||E_p||. */
static void test_positional_magnitudes(void) {
    pelab_config cfg;
    load(&cfg, "name: m\nseed: 11\nsweep: {seq_len: 64, d_model: 16, scheme: index}\n");
    pelab_cell *cells = NULL;
    size_t count = 0;
    pelab_error err;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, &err), PELAB_STATUS_OK);
    pelab_trial_result r;
    pelab_trial_run(&r, &cfg, &cells[0], 0);
    double *E = malloc(64 * 16 * sizeof(double)), norms = 0;
    pelab_cell_inputs(E, &cfg, &cells[0], 0);
    for (int p = 0; p < 64; p++) norms += frob(E + p * 16, 16);
    ASSERT_DBL_EQ(r.value[PELAB_METRIC_PE_MAX_ABS], 64.0);
    ASSERT_CLOSE(r.value[PELAB_METRIC_PE_TOKEN_RATIO], 32.5 / (norms / 64), 1e-14, 0);
    free(E), free(cells);
    pelab_config_free(&cfg);
}

/* Trials are a function of (seed, identity, trial): the same twice, another
 * seed differs. The inputs of a longer sequence extend a shorter one's. */
static void test_determinism(void) {
    const char *yaml = "name: d\nseed: 4\nsweep: {seq_len: 33, d_model: 8, scheme: rope, heads: 2}\n";
    pelab_trial_result a = one_trial(yaml), b = one_trial(yaml);
    ASSERT(memcmp(a.value, b.value, sizeof a.value) == 0);
    pelab_trial_result c = one_trial("name: d\nseed: 5\nsweep: {seq_len: 33, d_model: 8, scheme: rope, heads: 2}\n");
    ASSERT_DBL_GT(fabs(a.value[PELAB_METRIC_GRAD_WQ_NORM] - c.value[PELAB_METRIC_GRAD_WQ_NORM]), 0);
    pelab_config cfg;
    load(&cfg, "name: d\nseed: 4\nsweep: {seq_len: [8, 16], d_model: 4, scheme: none}\n");
    pelab_cell *cells = NULL;
    size_t count = 0;
    pelab_error err;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, &err), PELAB_STATUS_OK);
    double e8[32], e16[64];
    pelab_cell_inputs(e8, &cfg, &cells[0], 1);
    pelab_cell_inputs(e16, &cfg, &cells[1], 1);
    ASSERT(memcmp(e8, e16, sizeof e8) == 0);
    free(cells);
    pelab_config_free(&cfg);
}

int main(void) {
    TEST_RUN(test_gradients_match_finite_differences);
    TEST_RUN(test_shift_deviation);
    TEST_RUN(test_uniform_attention_closed_form);
    TEST_RUN(test_single_token);
    TEST_RUN(test_order_blindness);
    TEST_RUN(test_positional_magnitudes);
    TEST_RUN(test_determinism);
    return TEST_DONE();
}
