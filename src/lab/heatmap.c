/* heatmap.c — see pelab/lab/heatmap.h. The forward below takes trial 0's
 * own operands from the probe (pelab_probe_operands: its inputs, encoding,
 * weights, rotation and bias) and runs the reference kernel, which
 * materialises P, in place of the fused one. test_report.c holds the two
 * together (P V against pelab_cell_attend). */
#include "pelab/lab/heatmap.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/kernels/attention.h"
#include "pelab/lab/probe.h"
#include "pelab/pe/encoding.h"
#include "pelab/pe/geometry.h"

static const char *const g_what[PELAB_HEATMAP_COUNT] = {"attention", "logits", "phi"};

const char *pelab_heatmap_what_str(pelab_heatmap_what w) {
    PELAB_ASSERT(w >= 0 && w < PELAB_HEATMAP_COUNT);
    return g_what[w];
}

int pelab_heatmap_what_parse(const char *s, pelab_heatmap_what *w) {
    for (int k = 0; k < PELAB_HEATMAP_COUNT; k++)
        if (strcmp(s, g_what[k]) == 0) {
            *w = (pelab_heatmap_what)k;
            return 1;
        }
    return 0;
}

void pelab_heatmap_select_init(pelab_heatmap_select *sel) {
    sel->seq_len = 0, sel->d_model = 0, sel->heads = 0;
    sel->mask = -1, sel->projection = -1, sel->dtype = -1, sel->sentence = -1;
}

pelab_status pelab_heatmap_cell(pelab_cell *c, const pelab_config *cfg, const pelab_scheme *s,
                                const pelab_heatmap_select *sel, pelab_error *err) {
    memset(c, 0, sizeof *c);
    c->scheme = s;
    c->sentence = -1;
    c->d_model = cfg->n_d_model > 0 ? cfg->d_model[0] : 1;
    if (sel->d_model > 0) {
        if (cfg->input != PELAB_INPUT_KIND_RANDOM && sel->d_model != c->d_model)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "d_model is %d, fixed by the config's %s input, not %d",
                                   c->d_model, pelab_input_kind_str(cfg->input), sel->d_model);
        c->d_model = sel->d_model;
    }
    if (cfg->input == PELAB_INPUT_KIND_SENTENCES) {
        if (sel->seq_len > 0)
            return pelab_error_set(err, PELAB_STATUS_USAGE,
                                   "the config has sentences: each has its own length (choose one with a sentence "
                                   "number, not a seq_len)");
        c->sentence = sel->sentence >= 0 ? sel->sentence : 0;
        if (c->sentence >= cfg->n_sentences)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "sentence %d: the config has %d (numbered from 0)",
                                   c->sentence, cfg->n_sentences);
        c->seq_len = cfg->sentence_len[c->sentence];
    } else {
        if (sel->sentence >= 0)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "a sentence number needs a config with sentences");
        if (sel->seq_len > 0) {
            c->seq_len = sel->seq_len;
        } else {
            int best = 0, smallest = 0;
            for (int k = 0; k < cfg->n_seq_len; k++) {
                int n = cfg->seq_len[k];
                if (n <= PELAB_HEATMAP_DEFAULT_MAX_SEQ_LEN && n > best) best = n;
                if (!smallest || n < smallest) smallest = n;
            }
            c->seq_len = best ? best : smallest;
        }
        if (c->seq_len > PELAB_HEATMAP_MAX_SEQ_LEN)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "seq_len %d: heatmaps go up to %d", c->seq_len,
                                   PELAB_HEATMAP_MAX_SEQ_LEN);
        if (cfg->input == PELAB_INPUT_KIND_FILE && c->seq_len > cfg->input_rows)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "seq_len %d: the input file has %d rows", c->seq_len,
                                   cfg->input_rows);
    }
    c->heads = sel->heads > 0 ? sel->heads : cfg->heads[0];
    c->mask = sel->mask >= 0 ? (pelab_mask)sel->mask : cfg->masks[0];
    c->projection = sel->projection >= 0 ? (pelab_projection)sel->projection : cfg->projections[0];
    c->dtype = sel->dtype >= 0 ? (pelab_dtype)sel->dtype : cfg->dtypes[0];
    char why[256];
    if (pelab_cell_check(c, why, sizeof why))
        return pelab_error_set(err, PELAB_STATUS_USAGE, "scheme %s at seq_len %d, d_model %d, heads %d: %s", s->name,
                               c->seq_len, c->d_model, c->heads, why);
    return PELAB_STATUS_OK;
}

/* The forward of trial 0 in T with the reference kernel on the probe's own
 * operands: P (H, n, n), and S (H, n, n) in double when S is not NULL, out
 * (n, D) in double when not NULL. */
#define PELAB_HEATMAP_FORWARD(T, SFX)                                                                          \
    static void forward_##SFX(double *P, double *S, double *out, const pelab_config *cfg, const pelab_cell *c) { \
        pelab_probe_operands op;                                                                               \
        pelab_probe_operands_get(&op, cfg, c, 0);                                                                  \
        const int n = op.n, D = op.D, H = op.H, dk = D / H, causal = op.causal;                                \
        const size_t nD = (size_t)n * D, nn = (size_t)n * n;                                                   \
        const T *Q = op.q, *K = op.k, *bias = op.bias;                                                         \
        T *o = pelab_xmalloc(nD * sizeof(T)), *p = pelab_xmalloc((size_t)H * nn * sizeof(T));                  \
        pelab_attention_reference_forward_##SFX(o, p, Q, K, op.v, bias, causal, n, D, H);                      \
        for (size_t i = 0; i < (size_t)H * nn; i++) P[i] = (double)p[i];                                       \
        if (out)                                                                                               \
            for (size_t i = 0; i < nD; i++) out[i] = (double)o[i];                                             \
        if (S) {                                                                                               \
            const double scale = 1.0 / sqrt((double)dk);                                                       \
            for (int h = 0; h < H; h++)                                                                        \
                for (int i = 0; i < n; i++)                                                                    \
                    for (int j = 0; j < n; j++) {                                                              \
                        double s = 0;                                                                          \
                        for (int k = 0; k < dk; k++)                                                           \
                            s += (double)Q[(size_t)i * D + h * dk + k] * (double)K[(size_t)j * D + h * dk + k]; \
                        s *= scale;                                                                            \
                        if (bias) s += (double)bias[(size_t)h * (2 * (size_t)n - 1) + (size_t)(j - i + n - 1)]; \
                        S[(size_t)h * nn + (size_t)i * n + j] = causal && j > i ? NAN : s;                     \
                    }                                                                                          \
        }                                                                                                      \
        free(o), free(p);                                                                                      \
        pelab_probe_operands_free(&op);                                                                        \
    }

PELAB_HEATMAP_FORWARD(float, f32)
PELAB_HEATMAP_FORWARD(double, f64)

/* P (and S, out) of cell c in its dtype. */
static void forward(double *P, double *S, double *out, const pelab_config *cfg, const pelab_cell *c) {
    if (c->dtype != PELAB_DTYPE_F64) /* bf16, f16: float32 on the stored operands */
        forward_f32(P, S, out, cfg, c);
    else
        forward_f64(P, S, out, cfg, c);
}

void pelab_heatmap_compute(double *m, const pelab_config *cfg, const pelab_cell *c, int head,
                           pelab_heatmap_what what) {
    const int n = c->seq_len;
    const size_t nn = (size_t)n * n;
    PELAB_ASSERT(head >= 0 && head < c->heads);
    if (what == PELAB_HEATMAP_PHI) {
        pelab_geometry_phi(m, c->scheme, cfg->seed, n, c->d_model);
        return;
    }
    double *P = pelab_xmalloc((size_t)c->heads * nn * sizeof(double));
    double *S = what == PELAB_HEATMAP_LOGITS ? pelab_xmalloc((size_t)c->heads * nn * sizeof(double)) : NULL;
    forward(P, S, NULL, cfg, c);
    memcpy(m, (S ? S : P) + (size_t)head * nn, nn * sizeof(double));
    free(P), free(S);
}

void pelab_heatmap_forward(double *out, const pelab_config *cfg, const pelab_cell *c) {
    double *P = pelab_xmalloc((size_t)c->heads * c->seq_len * c->seq_len * sizeof(double));
    forward(P, NULL, out, cfg, c);
    free(P);
}
