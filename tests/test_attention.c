/* test_attention.c — the attention kernels against independent truths:
 * hand-worked cases, the materialising reference, central finite differences
 * in double, RoPE's algebra, naive matmuls, and bitwise thread-count
 * invariance. Each comparison prints its max difference. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/kernels/attention.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------ */

static double *dalloc(size_t count) { return pelab_xcalloc(count ? count : 1, sizeof(double)); }

/* count N(0, sd^2) values from stream (seed, stream) */
static double *randn(uint64_t stream, size_t count, double sd) {
    double *x = dalloc(count);
    pelab_rng r = pelab_rng_make(20240611u, stream);
    for (size_t i = 0; i < count; i++) x[i] = sd * pelab_rng_normal(&r);
    return x;
}

static float *to_f32(const double *x, size_t count) {
    if (!x) return NULL;
    float *y = pelab_xmalloc((count ? count : 1) * sizeof(float));
    for (size_t i = 0; i < count; i++) y[i] = (float)x[i];
    return y;
}

static void from_f32(double *dst, const float *src, size_t count) {
    for (size_t i = 0; i < count; i++) dst[i] = (double)src[i];
}

static double max_abs(const double *a, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) m = fmax(m, fabs(a[i]));
    return m;
}

/* Elementwise |a - b| <= rtol * max(|a|, |b|) + atol; returns max |a - b|. */
static double check_close(const char *what, const double *a, const double *b, size_t count,
                          double rtol, double atol) {
    double m = 0;
    for (size_t i = 0; i < count; i++) {
        const double d = fabs(a[i] - b[i]);
        if (!(d <= rtol * fmax(fabs(a[i]), fabs(b[i])) + atol))
            TEST_FAIL_("%s[%zu]: %.17g vs %.17g, diff %.3g", what, i, a[i], b[i], d);
        m = fmax(m, d);
    }
    return m;
}

static const char *dtn(int f32) { return f32 ? "f32" : "f64"; }

/* ---- the kernels behind one double-typed interface (f32: round in, widen out) ---- */

static void fwd(int f32, double *out, double *lse, pelab_attn_row_stats *st, const double *q,
                const double *k, const double *v, const double *bias, int causal, int n, int D, int H) {
    const size_t nD = (size_t)n * D, hn = (size_t)H * n, nb = (size_t)H * (2 * (size_t)n - 1);
    if (!f32) {
        pelab_attention_forward_f64(out, lse, st, q, k, v, bias, causal, n, D, H);
        return;
    }
    float *qf = to_f32(q, nD), *kf = to_f32(k, nD), *vf = to_f32(v, nD), *bf = to_f32(bias, nb);
    float *of = pelab_xmalloc(nD * sizeof(float)), *lf = pelab_xmalloc(hn * sizeof(float));
    pelab_attention_forward_f32(of, lf, st, qf, kf, vf, bf, causal, n, D, H);
    from_f32(out, of, nD);
    from_f32(lse, lf, hn);
    free(qf), free(kf), free(vf), free(bf), free(of), free(lf);
}

static void ref_fwd(int f32, double *out, double *P, const double *q, const double *k,
                    const double *v, const double *bias, int causal, int n, int D, int H) {
    const size_t nD = (size_t)n * D, hnn = (size_t)H * n * n, nb = (size_t)H * (2 * (size_t)n - 1);
    if (!f32) {
        pelab_attention_reference_forward_f64(out, P, q, k, v, bias, causal, n, D, H);
        return;
    }
    float *qf = to_f32(q, nD), *kf = to_f32(k, nD), *vf = to_f32(v, nD), *bf = to_f32(bias, nb);
    float *of = pelab_xmalloc(nD * sizeof(float)), *pf = pelab_xmalloc(hnn * sizeof(float));
    pelab_attention_reference_forward_f32(of, pf, qf, kf, vf, bf, causal, n, D, H);
    from_f32(out, of, nD);
    from_f32(P, pf, hnn);
    free(qf), free(kf), free(vf), free(bf), free(of), free(pf);
}

static void bwd(int f32, double *dq, double *dk, double *dv, const double *dout, const double *out,
                const double *lse, const double *q, const double *k, const double *v,
                const double *bias, int causal, int n, int D, int H) {
    const size_t nD = (size_t)n * D, hn = (size_t)H * n, nb = (size_t)H * (2 * (size_t)n - 1);
    if (!f32) {
        pelab_attention_backward_f64(dq, dk, dv, dout, out, lse, q, k, v, bias, causal, n, D, H);
        return;
    }
    float *qf = to_f32(q, nD), *kf = to_f32(k, nD), *vf = to_f32(v, nD), *bf = to_f32(bias, nb);
    float *df = to_f32(dout, nD), *of = to_f32(out, nD), *lf = to_f32(lse, hn);
    float *gq = pelab_xmalloc(nD * sizeof(float)), *gk = pelab_xmalloc(nD * sizeof(float));
    float *gv = pelab_xmalloc(nD * sizeof(float));
    pelab_attention_backward_f32(gq, gk, gv, df, of, lf, qf, kf, vf, bf, causal, n, D, H);
    from_f32(dq, gq, nD), from_f32(dk, gk, nD), from_f32(dv, gv, nD);
    free(qf), free(kf), free(vf), free(bf), free(df), free(of), free(lf), free(gq), free(gk), free(gv);
}

static void ref_bwd(int f32, double *dq, double *dk, double *dv, const double *dout, const double *P,
                    const double *q, const double *k, const double *v, int n, int D, int H) {
    const size_t nD = (size_t)n * D, hnn = (size_t)H * n * n;
    if (!f32) {
        pelab_attention_reference_backward_f64(dq, dk, dv, dout, P, q, k, v, n, D, H);
        return;
    }
    float *qf = to_f32(q, nD), *kf = to_f32(k, nD), *vf = to_f32(v, nD);
    float *df = to_f32(dout, nD), *pf = to_f32(P, hnn);
    float *gq = pelab_xmalloc(nD * sizeof(float)), *gk = pelab_xmalloc(nD * sizeof(float));
    float *gv = pelab_xmalloc(nD * sizeof(float));
    pelab_attention_reference_backward_f32(gq, gk, gv, df, pf, qf, kf, vf, n, D, H);
    from_f32(dq, gq, nD), from_f32(dk, gk, nD), from_f32(dv, gv, nD);
    free(qf), free(kf), free(vf), free(df), free(pf), free(gq), free(gk), free(gv);
}

/* Naive double logits: S[h][i][j] (visible only; NAN where masked). */
static double naive_logit(const double *q, const double *k, const double *bias, int n, int D,
                          int H, int h, int i, int j) {
    const int dh = D / H;
    double s = 0;
    for (int c = 0; c < dh; c++) s += q[(size_t)i * D + h * dh + c] * k[(size_t)j * D + h * dh + c];
    s /= sqrt((double)dh);
    if (bias) s += bias[(size_t)h * (2 * n - 1) + (j - i) + (n - 1)];
    return s;
}

/* ---- hand-worked cases ------------------------------------------------------------ */

/* n = 1: the single weight is 1, so out = v exactly and lse = s = q.k/sqrt(dh) + b(0). */
static void test_single_token(void) {
    const int D = 6;
    double *q = randn(1, D, 1), *k = randn(2, D, 1), *v = randn(3, D, 1), *b = randn(4, 3, 1); /* (H, 2n-1) = up to 3 */
    for (int f32 = 0; f32 <= 1; f32++)
        for (int H = 1; H <= 3; H++)
            for (int causal = 0; causal <= 1; causal++)
                for (int ub = 0; ub <= 1; ub++) {
                    if (D % H) continue;
                    const double *bias = ub ? b : NULL;
                    double out[6], lse[3], vr[6];
                    pelab_attn_row_stats st[3];
                    fwd(f32, out, lse, st, q, k, v, bias, causal, 1, D, H);
                    /* (not a per-element `f32 ? (double)(float)v[c] : v[c]`: GCC 12.2 at
                     * -O3 -march=native SLP-vectorises that into a copy without the rounding) */
                    memcpy(vr, v, sizeof vr);
                    if (f32) {
                        float *vf = to_f32(v, (size_t)D);
                        from_f32(vr, vf, (size_t)D);
                        free(vf);
                    }
                    ASSERT(memcmp(out, vr, sizeof vr) == 0);
                    for (int h = 0; h < H; h++) {
                        const double s = naive_logit(q, k, bias, 1, D, H, h, 0, 0);
                        ASSERT_CLOSE(lse[h], s, f32 ? 1e-6 : 1e-15, f32 ? 1e-6 : 1e-15);
                        ASSERT_EQ(st[h].visible, 1);
                        ASSERT(isnan(st[h].entropy) && isnan(st[h].jacobian_norm));
                        ASSERT_DBL_EQ(st[h].max_weight, 1.0);
                        ASSERT_CLOSE(st[h].logit_max_abs, fabs(s), f32 ? 1e-6 : 1e-15, 1e-15);
                    }
                }
    printf("  n=1: out == v bitwise, lse == s\n");
    free(q), free(k), free(v), free(b);
}

/* q = 0: every visible logit is 0, so attention is uniform over the k visible
 * keys: out_i = mean of the visible v rows (causal: prefix means), lse = ln k,
 * entropy 1, max weight 1/k, and with sum p^2 = 1/k, sum p^3 = 1/k^2 the
 * Jacobian norm is sqrt(1/k - 2/k^2 + 1/k^2) = sqrt(1/k - 1/k^2). */
static void test_uniform(void) {
    const int n = 7, D = 6, H = 2;
    double *q = dalloc((size_t)n * D), *k = randn(5, (size_t)n * D, 1), *v = randn(6, (size_t)n * D, 1);
    double out[42], lse[14], want[42];
    pelab_attn_row_stats st[14];
    for (int f32 = 0; f32 <= 1; f32++)
        for (int causal = 0; causal <= 1; causal++) {
            const double tol = f32 ? 1e-6 : 1e-14;
            fwd(f32, out, lse, st, q, k, v, NULL, causal, n, D, H);
            for (int i = 0; i < n; i++) {
                const int kv = causal ? i + 1 : n;
                for (int c = 0; c < D; c++) {
                    double s = 0;
                    for (int j = 0; j < kv; j++) s += v[(size_t)j * D + c];
                    want[i * D + c] = s / kv;
                }
                for (int h = 0; h < H; h++) {
                    const pelab_attn_row_stats *r = &st[h * n + i];
                    ASSERT_EQ(r->visible, kv);
                    ASSERT_NEAR(lse[h * n + i], log((double)kv), tol);
                    ASSERT_NEAR(r->max_weight, 1.0 / kv, tol);
                    ASSERT_DBL_EQ(r->logit_max_abs, 0.0);
                    if (kv < 2) {
                        ASSERT(isnan(r->entropy) && isnan(r->jacobian_norm));
                    } else {
                        ASSERT_NEAR(r->entropy, 1.0, tol);
                        ASSERT_NEAR(r->jacobian_norm, sqrt(1.0 / kv - 1.0 / ((double)kv * kv)), tol);
                    }
                }
            }
            double d = check_close("uniform out", out, want, (size_t)n * D, tol, tol);
            printf("  uniform %s causal=%d: max |out - prefix mean| = %.2g\n", dtn(f32), causal, d);
        }
    free(q), free(k), free(v);
}

/* Three tokens, one head, dk = 2, a = 1/sqrt(2):
 *   q = k = [[1,0],[0,1],[1,1]],  v = [[1,0],[0,2],[4,-1]]
 *   Q K^T = [[1,0,1],[0,1,1],[1,1,2]]  ->  S = a * that:
 *     row 0: (a, 0, a)   p = (e^a, 1, e^a) / (2e^a + 1)
 *     row 1: (0, a, a)   p = (1, e^a, e^a) / (1 + 2e^a)
 *     row 2: (a, a, 2a)  p = (1, 1, e^a) / (2 + e^a)      (after subtracting a)
 *   out_0 = (5e^a, 2 - e^a) / (2e^a + 1)     lse_0 = ln(2e^a + 1)
 *   out_1 = (1 + 4e^a, e^a) / (1 + 2e^a)     lse_1 = ln(1 + 2e^a)
 *   out_2 = (1 + 4e^a, 2 - e^a) / (2 + e^a)  lse_2 = a + ln(2 + e^a)
 * Causal: row 0 sees only key 0: out_0 = v_0 = (1, 0), lse_0 = a; row 1 has
 * p = (1, e^a) / (1 + e^a): out_1 = (1, 2e^a) / (1 + e^a), lse_1 = ln(1 + e^a);
 * row 2 is unchanged.
 * With the bias b(j-i) = (b(-2), .., b(2)) = (0.5, -1, 0, 0.25, 3):
 *   S + B = [[a, 0.25, a+3], [-1, a, a+0.25], [a+0.5, a-1, 2a]]
 * whose softmax is taken directly below (exp of each entry over their sum). */
static void test_three_tokens_by_hand(void) {
    const double a = 1 / sqrt(2.0), e = exp(a);
    const double q[6] = {1, 0, 0, 1, 1, 1}, v[6] = {1, 0, 0, 2, 4, -1};
    const double bias[5] = {0.5, -1, 0, 0.25, 3};
    const double want_full[6] = {5 * e / (2 * e + 1), (2 - e) / (2 * e + 1),
                                 (1 + 4 * e) / (1 + 2 * e), e / (1 + 2 * e),
                                 (1 + 4 * e) / (2 + e), (2 - e) / (2 + e)};
    const double lse_full[3] = {log(2 * e + 1), log(1 + 2 * e), a + log(2 + e)};
    const double want_causal[6] = {1, 0, 1 / (1 + e), 2 * e / (1 + e), (1 + 4 * e) / (2 + e), (2 - e) / (2 + e)};
    const double lse_causal[3] = {a, log(1 + e), a + log(2 + e)};
    const double SB[3][3] = {{a, 0.25, a + 3}, {-1, a, a + 0.25}, {a + 0.5, a - 1, 2 * a}};
    for (int f32 = 0; f32 <= 1; f32++) {
        const double tol = f32 ? 2e-6 : 1e-14;
        double out[6], lse[3], dmax = 0;
        pelab_attn_row_stats st[3];
        fwd(f32, out, lse, st, q, q, v, NULL, 0, 3, 2, 1);
        dmax = fmax(dmax, check_close("hand out", out, want_full, 6, tol, tol));
        dmax = fmax(dmax, check_close("hand lse", lse, lse_full, 3, tol, tol));
        fwd(f32, out, lse, st, q, q, v, NULL, 1, 3, 2, 1);
        dmax = fmax(dmax, check_close("hand causal out", out, want_causal, 6, tol, tol));
        dmax = fmax(dmax, check_close("hand causal lse", lse, lse_causal, 3, tol, tol));
        ASSERT_EQ(st[0].visible, 1);
        ASSERT_EQ(st[2].visible, 3);
        ASSERT_NEAR(st[2].logit_max_abs, 2 * a, tol);
        ASSERT_NEAR(st[2].max_weight, e / (2 + e), tol);
        for (int causal = 0; causal <= 1; causal++) {
            double want[6], wl[3];
            for (int i = 0; i < 3; i++) {
                const int kv = causal ? i + 1 : 3;
                double z = 0, o0 = 0, o1 = 0;
                for (int j = 0; j < kv; j++) {
                    z += exp(SB[i][j]);
                    o0 += exp(SB[i][j]) * v[2 * j];
                    o1 += exp(SB[i][j]) * v[2 * j + 1];
                }
                want[2 * i] = o0 / z, want[2 * i + 1] = o1 / z, wl[i] = log(z);
            }
            fwd(f32, out, lse, st, q, q, v, bias, causal, 3, 2, 1);
            dmax = fmax(dmax, check_close("hand bias out", out, want, 6, tol, tol));
            dmax = fmax(dmax, check_close("hand bias lse", lse, wl, 3, tol, tol));
            ASSERT_NEAR(st[0].logit_max_abs, causal ? a : a + 3, tol);
        }
        printf("  3 tokens by hand %s: max |kernel - hand| = %.2g\n", dtn(f32), dmax);
    }
}

/* ---- fast forward vs reference ------------------------------------------------- */

/* The fused kernel works in tiles of 48 (f32) / 24 (f64) queries or keys,
 * blocks of 64 rows and register tiles of 8 rows: n = 37, 100, 161 and head
 * widths 2, 3, 4, 10, 35, 70 leave ragged edges everywhere. */
static void test_forward_vs_reference(void) {
    static const int ns[] = {1, 2, 7, 37, 100, 128, 161}, Ds[] = {6, 12, 30, 70};
    for (int f32 = 0; f32 <= 1; f32++) {
        const double rtol = f32 ? 1e-5 : 1e-12;
        for (size_t in = 0; in < sizeof ns / sizeof *ns; in++) {
            const int n = ns[in];
            double dout = 0, dlse = 0, dst = 0;
            int cases = 0;
            for (size_t iD = 0; iD < sizeof Ds / sizeof *Ds; iD++)
                for (int H = 1; H <= 3; H++)
                    for (int causal = 0; causal <= 1; causal++)
                        for (int ub = 0; ub <= 1; ub++) {
                            const int D = Ds[iD];
                            if (D % H) continue;
                            const size_t nD = (size_t)n * D, hn = (size_t)H * n;
                            const uint64_t sid = (uint64_t)(n * 1000 + D * 10 + H);
                            /* q scaled by 2: peaked rows as well as flat ones */
                            double *q = randn(sid * 4, nD, 2), *k = randn(sid * 4 + 1, nD, 1);
                            double *v = randn(sid * 4 + 2, nD, 1);
                            double *b = ub ? randn(sid * 4 + 3, (size_t)H * (2 * n - 1), 1) : NULL;
                            double *out = dalloc(nD), *ref = dalloc(nD), *lse = dalloc(hn);
                            double *P = dalloc(hn * n), *wl = dalloc(hn);
                            pelab_attn_row_stats *st = pelab_xmalloc(hn * sizeof *st);
                            fwd(f32, out, lse, st, q, k, v, b, causal, n, D, H);
                            ref_fwd(f32, ref, P, q, k, v, b, causal, n, D, H);
                            dout = fmax(dout, check_close("fwd out", out, ref, nD, rtol, rtol));
                            /* lse and stats against double computed here from q, k, b and P */
                            for (int h = 0; h < H; h++)
                                for (int i = 0; i < n; i++) {
                                    const int kv = causal ? i + 1 : n;
                                    double mx = -INFINITY, z = 0, lm = 0;
                                    for (int j = 0; j < kv; j++) {
                                        const double s = naive_logit(q, k, b, n, D, H, h, i, j);
                                        mx = fmax(mx, s), lm = fmax(lm, fabs(s));
                                    }
                                    for (int j = 0; j < kv; j++) z += exp(naive_logit(q, k, b, n, D, H, h, i, j) - mx);
                                    wl[h * n + i] = mx + log(z);
                                    const pelab_attn_row_stats *r = &st[h * n + i];
                                    const double *Pi = P + ((size_t)h * n + i) * n;
                                    double ent = 0, pm = 0, s2 = 0, s3 = 0;
                                    for (int j = 0; j < kv; j++) {
                                        if (Pi[j] > 0) ent -= Pi[j] * log(Pi[j]);
                                        pm = fmax(pm, Pi[j]), s2 += Pi[j] * Pi[j], s3 += Pi[j] * Pi[j] * Pi[j];
                                    }
                                    const double stol = f32 ? 1e-5 : 1e-12;
                                    ASSERT_EQ(r->visible, kv);
                                    ASSERT_CLOSE(r->logit_max_abs, lm, stol, stol);
                                    ASSERT_CLOSE(r->max_weight, pm, stol, stol);
                                    if (kv >= 2) {
                                        ent /= log((double)kv);
                                        const double jac = sqrt(fmax(0, s2 - 2 * s3 + s2 * s2));
                                        ASSERT_CLOSE(r->entropy, ent, stol, stol);
                                        /* sqrt of a cancelling sum: absolute tolerance */
                                        ASSERT_NEAR(r->jacobian_norm, jac, f32 ? 1e-3 : 1e-7);
                                        dst = fmax(dst, fmax(fabs(r->entropy - ent), fabs(r->jacobian_norm - jac)));
                                    } else {
                                        ASSERT(isnan(r->entropy) && isnan(r->jacobian_norm));
                                    }
                                }
                            dlse = fmax(dlse, check_close("fwd lse", lse, wl, hn, rtol, rtol));
                            free(q), free(k), free(v), free(b), free(out), free(ref), free(lse), free(P), free(wl), free(st);
                            cases++;
                        }
            printf("  forward %s n=%d (%d cases): max |fast - ref| = %.2g, |lse - double| = %.2g, "
                   "|stats - from P| = %.2g\n", dtn(f32), n, cases, dout, dlse, dst);
        }
    }
}

/* ---- backward ------------------------------------------------------------------------ */

/* L = ||out||^2 / (2n) through the double reference forward */
static double loss_ref(const double *q, const double *k, const double *v, const double *b,
                       int causal, int n, int D, int H, double *out, double *P) {
    pelab_attention_reference_forward_f64(out, P, q, k, v, b, causal, n, D, H);
    double L = 0;
    for (size_t i = 0; i < (size_t)n * D; i++) L += out[i] * out[i];
    return L / (2.0 * n);
}

/* Central differences of f at x (count entries, perturbed in place) against g. */
#define FD_CHECK(x, g, count, lossexpr, maxdiff, maxg)                                  \
    do {                                                                                \
        for (size_t e_ = 0; e_ < (count); e_++) {                                       \
            const double x0_ = (x)[e_], h_ = 1e-6;                                      \
            (x)[e_] = x0_ + h_;                                                         \
            const double lp_ = (lossexpr);                                              \
            (x)[e_] = x0_ - h_;                                                         \
            const double lm_ = (lossexpr);                                              \
            (x)[e_] = x0_;                                                              \
            const double fd_ = (lp_ - lm_) / (2 * h_);                                  \
            ASSERT_CLOSE((g)[e_], fd_, 1e-6, 1e-9);                                     \
            maxdiff = fmax(maxdiff, fabs((g)[e_] - fd_));                               \
            maxg = fmax(maxg, fabs(fd_));                                               \
        }                                                                               \
    } while (0)

static void test_backward_reference_vs_fd(void) {
    const int n = 5, D = 6;
    const size_t nD = (size_t)n * D;
    for (int causal = 0; causal <= 1; causal++)
        for (int H = 1; H <= 2; H++)
            for (int ub = 0; ub <= 1; ub++) {
                double *q = randn(100 + H, nD, 1.5), *k = randn(110 + H, nD, 1), *v = randn(120 + H, nD, 1);
                double *b = ub ? randn(130 + H, (size_t)H * (2 * n - 1), 1) : NULL;
                double *out = dalloc(nD), *P = dalloc((size_t)H * n * n), *dout = dalloc(nD);
                double *dq = dalloc(nD), *dk = dalloc(nD), *dv = dalloc(nD);
                loss_ref(q, k, v, b, causal, n, D, H, out, P);
                for (size_t i = 0; i < nD; i++) dout[i] = out[i] / n;
                pelab_attention_reference_backward_f64(dq, dk, dv, dout, P, q, k, v, n, D, H);
                double md = 0, mg = 0;
                FD_CHECK(q, dq, nD, loss_ref(q, k, v, b, causal, n, D, H, out, P), md, mg);
                FD_CHECK(k, dk, nD, loss_ref(q, k, v, b, causal, n, D, H, out, P), md, mg);
                FD_CHECK(v, dv, nD, loss_ref(q, k, v, b, causal, n, D, H, out, P), md, mg);
                printf("  reference backward vs FD causal=%d H=%d bias=%d: max |grad - fd| = %.2g (max |grad| %.2g)\n",
                       causal, H, ub, md, mg);
                free(q), free(k), free(v), free(b), free(out), free(P), free(dout), free(dq), free(dk), free(dv);
            }
}

static void test_backward_fast_vs_reference(void) {
    static const int ns[] = {1, 2, 7, 37, 100, 128, 161};
    for (int f32 = 0; f32 <= 1; f32++) {
        const double rtol = f32 ? 1e-4 : 1e-11;
        for (size_t in = 0; in < sizeof ns / sizeof *ns; in++) {
            const int n = ns[in];
            double md = 0, mtruth = 0;
            for (int D = 6; D <= 70; D += D == 6 ? 24 : 40)
                for (int H = 1; H <= 3; H++)
                    for (int causal = 0; causal <= 1; causal++)
                        for (int ub = 0; ub <= 1; ub++) {
                            if (D % H) continue;
                            const size_t nD = (size_t)n * D, hn = (size_t)H * n;
                            const uint64_t sid = 5000 + (uint64_t)(n * 100 + D * 10 + H);
                            double *q = randn(sid * 4, nD, 2), *k = randn(sid * 4 + 1, nD, 1);
                            double *v = randn(sid * 4 + 2, nD, 1);
                            double *b = ub ? randn(sid * 4 + 3, (size_t)H * (2 * n - 1), 1) : NULL;
                            double *out = dalloc(nD), *lse = dalloc(hn), *P = dalloc(hn * n), *rout = dalloc(nD);
                            double *dout = dalloc(nD), *g[3], *r[3], *t[3];
                            for (int x = 0; x < 3; x++) g[x] = dalloc(nD), r[x] = dalloc(nD), t[x] = dalloc(nD);
                            fwd(f32, out, lse, NULL, q, k, v, b, causal, n, D, H);
                            for (size_t i = 0; i < nD; i++) dout[i] = out[i] / n;
                            bwd(f32, g[0], g[1], g[2], dout, out, lse, q, k, v, b, causal, n, D, H);
                            ref_fwd(f32, rout, P, q, k, v, b, causal, n, D, H);
                            ref_bwd(f32, r[0], r[1], r[2], dout, P, q, k, v, n, D, H);
                            /* and the truth: the f64 reference at the same inputs */
                            ref_fwd(0, rout, P, q, k, v, b, causal, n, D, H);
                            ref_bwd(0, t[0], t[1], t[2], dout, P, q, k, v, n, D, H);
                            for (int x = 0; x < 3; x++) {
                                /* relative to the gradient's scale: dS = p (dP - Dl) cancels */
                                const double sc = max_abs(r[x], nD);
                                md = fmax(md, check_close("bwd grad", g[x], r[x], nD, rtol, rtol * sc) / fmax(sc, 1e-300));
                                if (f32) {
                                    const double d = check_close("bwd f32 vs f64", g[x], t[x], nD, 1e-3, 1e-3 * sc);
                                    mtruth = fmax(mtruth, d / fmax(sc, 1e-300));
                                }
                            }
                            free(q), free(k), free(v), free(b), free(out), free(lse), free(P), free(rout), free(dout);
                            for (int x = 0; x < 3; x++) free(g[x]), free(r[x]), free(t[x]);
                        }
            printf("  backward %s n=%d: max |fast - ref| / max|ref| = %.2g", dtn(f32), n, md);
            if (f32) printf(", vs f64 reference %.2g", mtruth);
            printf("\n");
        }
    }
}

/* rope -> attention -> L; dL/dq_pre = rope^T(dL/dq) = rope(dq, inverse = 1) */
static double loss_rope(const double *q0, const double *k0, const double *v, int causal, int n,
                        int D, int H, int half, double base, double *q, double *k, double *out,
                        double *lse) {
    memcpy(q, q0, (size_t)n * D * sizeof(double));
    memcpy(k, k0, (size_t)n * D * sizeof(double));
    pelab_rope_f64(q, n, D, H, base, half, 0);
    pelab_rope_f64(k, n, D, H, base, half, 0);
    pelab_attention_forward_f64(out, lse, NULL, q, k, v, NULL, causal, n, D, H);
    double L = 0;
    for (size_t i = 0; i < (size_t)n * D; i++) L += out[i] * out[i];
    return L / (2.0 * n);
}

static void test_backward_rope_vs_fd(void) {
    const int n = 6;
    static const int DH[][2] = {{6, 2}, {8, 2}, {8, 1}}; /* dh = 3 (odd), 4, 8 */
    for (size_t c = 0; c < 3; c++)
        for (int half = 0; half <= 1; half++)
            for (int causal = 0; causal <= 1; causal++) {
                const int D = DH[c][0], H = DH[c][1];
                const size_t nD = (size_t)n * D;
                const double base = 100;
                double *q0 = randn(300 + c, nD, 1.5), *k0 = randn(310 + c, nD, 1), *v = randn(320 + c, nD, 1);
                double *q = dalloc(nD), *k = dalloc(nD), *out = dalloc(nD), *lse = dalloc((size_t)H * n);
                double *dout = dalloc(nD), *dq = dalloc(nD), *dk = dalloc(nD), *dv = dalloc(nD);
                loss_rope(q0, k0, v, causal, n, D, H, half, base, q, k, out, lse);
                for (size_t i = 0; i < nD; i++) dout[i] = out[i] / n;
                pelab_attention_backward_f64(dq, dk, dv, dout, out, lse, q, k, v, NULL, causal, n, D, H);
                pelab_rope_f64(dq, n, D, H, base, half, 1);
                pelab_rope_f64(dk, n, D, H, base, half, 1);
                double md = 0, mg = 0;
                FD_CHECK(q0, dq, nD, loss_rope(q0, k0, v, causal, n, D, H, half, base, q, k, out, lse), md, mg);
                FD_CHECK(k0, dk, nD, loss_rope(q0, k0, v, causal, n, D, H, half, base, q, k, out, lse), md, mg);
                FD_CHECK(v, dv, nD, loss_rope(q0, k0, v, causal, n, D, H, half, base, q, k, out, lse), md, mg);
                printf("  rope+fast backward vs FD D=%d H=%d half=%d causal=%d: max |grad - fd| = %.2g (max |grad| %.2g)\n",
                       D, H, half, causal, md, mg);
                free(q0), free(k0), free(v), free(q), free(k), free(out), free(lse), free(dout), free(dq), free(dk), free(dv);
            }
}

/* ---- rope --------------------------------------------------------------------------- */

/* Worked by hand: dh = 4, base = 100, so pair 0 turns by p rad and pair 1 by
 * p * 100^(-2/4) = 0.1 p rad. Row (1, 0, 0, 1):
 *   interleaved, pairs (0,1), (2,3): (cos p, sin p, -sin 0.1p, cos 0.1p)
 *   half,        pairs (0,2), (1,3): (cos p, -sin 0.1p, sin p, cos 0.1p)
 * With dh = 3 only pair 0 turns and the last entry stays as it was. */
static void test_rope_by_hand(void) {
    const int n = 4;
    double x[16], md = 0;
    for (int half = 0; half <= 1; half++) {
        for (int p = 0; p < n; p++) x[4 * p] = 1, x[4 * p + 1] = 0, x[4 * p + 2] = 0, x[4 * p + 3] = 1;
        pelab_rope_f64(x, n, 4, 1, 100.0, half, 0);
        for (int p = 0; p < n; p++) {
            const double want[2][4] = {{cos(p), sin(p), -sin(0.1 * p), cos(0.1 * p)},
                                       {cos(p), -sin(0.1 * p), sin(p), cos(0.1 * p)}};
            md = fmax(md, check_close("rope hand", x + 4 * p, want[half], 4, 1e-15, 1e-15));
        }
        float xf[12];
        for (int i = 0; i < 12; i++) xf[i] = (float)(i + 1);
        pelab_rope_f32(xf, 2, 6, 2, 100.0, half, 0); /* dh = 3: entries 2 and 5 of each row stay */
        for (int p = 0; p < 2; p++) {
            ASSERT_DBL_EQ(xf[6 * p + 2], 6 * p + 3);
            ASSERT_DBL_EQ(xf[6 * p + 5], 6 * p + 6);
            const float a = (float)(6 * p + 1), b = (float)(6 * p + 2);
            ASSERT_NEAR(xf[6 * p], a * cos(p) - b * sin(p), 1e-5);
            ASSERT_NEAR(xf[6 * p + 1], a * sin(p) + b * cos(p), 1e-5);
        }
    }
    printf("  rope by hand: max |rope - hand| = %.2g\n", md);
}

static void test_rope_algebra(void) {
    const int n = 37, D = 30, H = 3, dh = D / H;
    const size_t nD = (size_t)n * D;
    for (int half = 0; half <= 1; half++) {
        double *x0 = randn(400, nD, 1), *x = dalloc(nD), *y = dalloc(nD);
        memcpy(x, x0, nD * sizeof(double));
        pelab_rope_f64(x, n, D, H, 10000.0, half, 0);
        /* norm of every pair preserved */
        double mn = 0;
        for (int p = 0; p < n; p++)
            for (int h = 0; h < H; h++)
                for (int i = 0; i < dh / 2; i++) {
                    const int a = half ? i : 2 * i, b = half ? i + dh / 2 : 2 * i + 1;
                    const size_t o = (size_t)p * D + (size_t)h * dh;
                    const double r0 = x0[o + a] * x0[o + a] + x0[o + b] * x0[o + b];
                    const double r1 = x[o + a] * x[o + a] + x[o + b] * x[o + b];
                    ASSERT_CLOSE(r1, r0, 1e-14, 1e-300);
                    mn = fmax(mn, fabs(r1 - r0) / r0);
                }
        /* inverse undoes forward */
        memcpy(y, x, nD * sizeof(double));
        pelab_rope_f64(y, n, D, H, 10000.0, half, 1);
        const double di = check_close("rope inverse", y, x0, nD, 0, 1e-12);
        float *xf = to_f32(x0, nD);
        pelab_rope_f32(xf, n, D, H, 10000.0, half, 0);
        pelab_rope_f32(xf, n, D, H, 10000.0, half, 1);
        double *xb = dalloc(nD);
        from_f32(xb, xf, nD);
        const double dif = check_close("rope inverse f32", xb, x0, nD, 0, 1e-5);
        /* relative positions: with every row of u equal (and of w), the rotated
         * dot products depend on p - r only */
        double *u = dalloc(nD), *w = dalloc(nD), mr = 0;
        for (int p = 0; p < n; p++)
            for (int c = 0; c < D; c++) u[(size_t)p * D + c] = x0[c], w[(size_t)p * D + c] = x0[D + c];
        pelab_rope_f64(u, n, D, H, 10000.0, half, 0);
        pelab_rope_f64(w, n, D, H, 10000.0, half, 0);
        for (int h = 0; h < H; h++)
            for (int p = 0; p + 1 < n; p++)
                for (int r = 0; r + 1 < n; r += 5) {
                    double s0 = 0, s1 = 0;
                    for (int c = h * dh; c < (h + 1) * dh; c++) {
                        s0 += u[(size_t)p * D + c] * w[(size_t)r * D + c];
                        s1 += u[(size_t)(p + 1) * D + c] * w[(size_t)(r + 1) * D + c];
                    }
                    ASSERT_NEAR(s1, s0, 1e-12);
                    mr = fmax(mr, fabs(s1 - s0));
                }
        printf("  rope half=%d: pair norm rel diff %.2g, |inverse(rope(x)) - x| f64 %.2g f32 %.2g, "
               "|q_p.k_r - q_p+1.k_r+1| %.2g\n", half, mn, di, dif, mr);
        free(x0), free(x), free(y), free(xf), free(xb), free(u), free(w);
    }
}

/* ---- thread-count invariance ----------------------------------------------------- */

/* The runs compared: threads 1, 2, 3 with the automatic grouping, then
 * forced groupings of tiles and chunks of rows (pelab_attention_set_grouping),
 * ragged ones included: none may change a bit. */
static const struct invariance_run {
    int threads, group, chunk;
} invariance_runs[] = {{1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {2, 3, 64}, {1, 8, 128}, {3, 2, 1}, {2, 5, 192}};
#define N_INV_RUNS ((int)(sizeof invariance_runs / sizeof invariance_runs[0]))

/* n = 37 is one tile; n = 300 is several tiles of queries and keys (ragged),
 * scheduled differently for every thread count; n = 1100 several chunks. */
static void thread_invariance_case(int n, int D, int H, int causal) {
    const size_t nD = (size_t)n * D, hn = (size_t)H * n, nb = (size_t)H * (2 * n - 1);
    double *q = randn(500, nD, 2), *k = randn(501, nD, 1), *v = randn(502, nD, 1), *b = randn(503, nb, 1);
    float *qf = to_f32(q, nD), *kf = to_f32(k, nD), *vf = to_f32(v, nD), *bf = to_f32(b, nb);
    const int saved = omp_get_max_threads();
    /* [run][out, lse, dq, dk, dv, matmul] */
    double *r64[N_INV_RUNS][6];
    float *r32[N_INV_RUNS][6];
    pelab_attn_row_stats *st[N_INV_RUNS];
    for (int t = 0; t < N_INV_RUNS; t++) {
        omp_set_num_threads(invariance_runs[t].threads);
        pelab_attention_set_grouping(invariance_runs[t].group, invariance_runs[t].chunk);
        for (int x = 0; x < 6; x++) r64[t][x] = dalloc(nD), r32[t][x] = pelab_xmalloc(nD * sizeof(float));
        st[t] = pelab_xcalloc(hn, sizeof **st);
        pelab_attention_forward_f64(r64[t][0], r64[t][1], st[t], q, k, v, b, causal, n, D, H);
        pelab_attention_backward_f64(r64[t][2], r64[t][3], r64[t][4], q, r64[t][0], r64[t][1], q, k, v, b,
                                     causal, n, D, H);
        pelab_matmul_tn_f64(r64[t][5], q, k, n, D, D); /* (D, D) <= (n, D) */
        pelab_attention_forward_f32(r32[t][0], r32[t][1], NULL, qf, kf, vf, bf, causal, n, D, H);
        pelab_attention_backward_f32(r32[t][2], r32[t][3], r32[t][4], qf, r32[t][0], r32[t][1], qf, kf, vf,
                                     bf, causal, n, D, H);
        pelab_matmul_f32(r32[t][5], qf, vf, n, D, D); /* b = the first D rows of v */
    }
    pelab_attention_set_grouping(0, 0);
    omp_set_num_threads(saved);
    for (int t = 1; t < N_INV_RUNS; t++) {
        for (int x = 0; x < 6; x++) {
            const size_t cnt = x == 1 ? hn : nD;
            ASSERT(memcmp(r64[t][x], r64[0][x], cnt * sizeof(double)) == 0);
            ASSERT(memcmp(r32[t][x], r32[0][x], cnt * sizeof(float)) == 0);
        }
        for (size_t i = 0; i < hn; i++) {
            ASSERT(memcmp(&st[t][i].entropy, &st[0][i].entropy, sizeof(double)) == 0);
            ASSERT(memcmp(&st[t][i].max_weight, &st[0][i].max_weight, sizeof(double)) == 0);
            ASSERT(memcmp(&st[t][i].logit_max_abs, &st[0][i].logit_max_abs, sizeof(double)) == 0);
            ASSERT(memcmp(&st[t][i].jacobian_norm, &st[0][i].jacobian_norm, sizeof(double)) == 0);
            ASSERT_EQ(st[t][i].visible, st[0][i].visible);
        }
    }
    printf("  n=%d D=%d H=%d causal=%d, threads 1, 2, 3 and %d forced groupings: forward, stats, backward, "
           "matmul bitwise identical (f32 and f64)\n", n, D, H, causal, N_INV_RUNS - 3);
    for (int t = 0; t < N_INV_RUNS; t++) {
        for (int x = 0; x < 6; x++) free(r64[t][x]), free(r32[t][x]);
        free(st[t]);
    }
    free(q), free(k), free(v), free(b), free(qf), free(kf), free(vf), free(bf);
}

static void test_thread_invariance(void) {
    thread_invariance_case(37, 30, 3, 1);
    thread_invariance_case(300, 30, 3, 1);
    thread_invariance_case(300, 20, 2, 0);
    thread_invariance_case(1100, 64, 1, 1);
    thread_invariance_case(1100, 128, 2, 0);
}

/* Called from inside a parallel region the kernels run on the calling thread
 * and still give the serial result. */
static void test_nested_call(void) {
    const int n = 19, D = 12, H = 2;
    const size_t nD = (size_t)n * D, hn = (size_t)H * n;
    double *q = randn(600, nD, 1), *k = randn(601, nD, 1), *v = randn(602, nD, 1);
    double *out = dalloc(nD), *lse = dalloc(hn), *o2 = dalloc(2 * nD), *l2 = dalloc(2 * hn);
    pelab_attention_forward_f64(out, lse, NULL, q, k, v, NULL, 0, n, D, H);
#pragma omp parallel num_threads(2)
    {
        const int t = omp_get_thread_num();
        pelab_attention_forward_f64(o2 + (size_t)t * nD, l2 + (size_t)t * hn, NULL, q, k, v, NULL, 0, n, D, H);
    }
    for (int t = 0; t < 2; t++) {
        ASSERT(memcmp(o2 + (size_t)t * nD, out, nD * sizeof(double)) == 0);
        ASSERT(memcmp(l2 + (size_t)t * hn, lse, hn * sizeof(double)) == 0);
    }
    free(q), free(k), free(v), free(out), free(lse), free(o2), free(l2);
}

/* ---- matmuls against a naive triple loop in double ------------------------------------- */

static void test_matmul(void) {
    static const int dims[][3] = {{1, 1, 1}, {5, 7, 3}, {13, 1, 9}, {33, 17, 21}, {64, 64, 64}, {3, 0, 4},
                                  {200, 9, 37}, {70, 66, 80}};
    double m64 = 0, m32 = 0;
    for (size_t c = 0; c < sizeof dims / sizeof *dims; c++) {
        const int m = dims[c][0], k = dims[c][1], p = dims[c][2];
        /* operands: A (m,k), B (k,p) for matmul; At (m,k), Bt (m,p) for tn;
         * An (m,p), Bn (k,p) for nt; C (m,k) the accumulate start */
        double *A = randn(700 + c, (size_t)m * k, 1), *B = randn(710 + c, (size_t)k * p, 1);
        double *Bt = randn(720 + c, (size_t)m * p, 1), *An = randn(730 + c, (size_t)m * p, 1);
        double *C = randn(740 + c, (size_t)m * k, 1);
        const size_t sz = (size_t)(m > k ? m : k) * (size_t)(p > k ? p : k) + 1;
        double *want = dalloc(sz), *bound = dalloc(sz), *got = dalloc(sz);
        for (int f32 = 0; f32 <= 1; f32++)
            for (int which = 0; which < 4; which++) {
                /* which: 0 matmul, 1 tn, 2 nt, 3 nt accumulate */
                const int R = which == 1 ? k : m, Ccols = which == 0 || which == 1 ? p : k;
                const int inner = which == 0 ? k : which == 1 ? m : p;
                for (int i = 0; i < R; i++)
                    for (int j = 0; j < Ccols; j++) {
                        double s = which == 3 ? C[(size_t)i * k + j] : 0, bd = fabs(s);
                        for (int l = 0; l < inner; l++) {
                            double x, y;
                            if (which == 0) x = A[(size_t)i * k + l], y = B[(size_t)l * p + j];
                            else if (which == 1) x = A[(size_t)l * k + i], y = Bt[(size_t)l * p + j];
                            else x = An[(size_t)i * p + l], y = B[(size_t)j * p + l]; /* B as (k, p) */
                            s += x * y, bd += fabs(x * y);
                        }
                        want[(size_t)i * Ccols + j] = s, bound[(size_t)i * Ccols + j] = bd;
                    }
                const size_t cnt = (size_t)R * Ccols;
                if (!f32) {
                    memcpy(got, C, (size_t)m * k * sizeof(double));
                    if (which == 0) pelab_matmul_f64(got, A, B, m, k, p);
                    if (which == 1) pelab_matmul_tn_f64(got, A, Bt, m, k, p);
                    if (which >= 2) pelab_matmul_nt_f64(got, An, B, m, k, p, which == 3);
                } else {
                    float *a = to_f32(which == 0 || which == 1 ? A : An, (size_t)m * (which >= 2 ? p : k));
                    float *b = to_f32(which == 1 ? Bt : B, which == 1 ? (size_t)m * p : (size_t)k * p);
                    float *o = pelab_xmalloc(sz * sizeof(float));
                    for (size_t i = 0; i < (size_t)m * k; i++) o[i] = (float)C[i];
                    if (which == 0) pelab_matmul_f32(o, a, b, m, k, p);
                    if (which == 1) {
                        pelab_matmul_tn_f32(o, a, b, m, k, p);
                        /* tn promises the rounding of the plain loop: s = s + a b, in i order */
                        for (int r = 0; r < k; r++)
                            for (int j = 0; j < p; j++) {
                                float sf = 0;
                                for (int l = 0; l < m; l++) {
                                    const float prod = a[(size_t)l * k + r] * b[(size_t)l * p + j];
                                    sf = sf + prod;
                                }
                                ASSERT(memcmp(&sf, &o[(size_t)r * p + j], sizeof sf) == 0);
                            }
                    }
                    if (which >= 2) pelab_matmul_nt_f32(o, a, b, m, k, p, which == 3);
                    from_f32(got, o, cnt);
                    free(a), free(b), free(o);
                }
                for (size_t i = 0; i < cnt; i++) {
                    const double d = fabs(got[i] - want[i]);
                    /* the classic bound: 2 eps (inner + 2) sum |x y| */
                    ASSERT_NEAR(got[i], want[i], 2 * (f32 ? 6e-8 : 1.2e-16) * (inner + 2) * bound[i] + 1e-300);
                    if (f32) m32 = fmax(m32, d);
                    else m64 = fmax(m64, d);
                }
            }
        free(A), free(B), free(Bt), free(An), free(C), free(want), free(bound), free(got);
    }
    printf("  matmul/tn/nt/nt+=: max |kernel - naive double| f64 %.2g, f32 %.2g\n", m64, m32);
}

/* ---- the vectorised exponential ------------------------------------------------------ */

/* |y - ref| in units in the last place of ref (a normal number of a type with
 * `bits` significand bits) */
static double ulps(long double y, long double ref, int bits) {
    int e;
    frexpl(ref, &e); /* ref = m 2^e, m in [0.5, 1): its ulp is 2^(e - bits) */
    return (double)(fabsl(y - ref) / ldexpl(1.0L, e - bits));
}

/* Against expl over the whole range, in chunks through the public array
 * function (which also takes ragged tails): at most 2 ulp where exp(x) is a
 * normal number, within a unit of the smallest subnormal below that, and the
 * special values exactly. */
static void test_vexp(void) {
    enum { CHUNK = 1000 };
    float xf[CHUNK], yf[CHUNK];
    double xd[CHUNK], yd[CHUNK];
    double mf = 0, md = 0, sf = 0, sd = 0;
    long count = 0;
    for (int f32 = 0; f32 <= 1; f32++) {
        const double lo = f32 ? -104.0 : -746.0, hi = f32 ? 88.72 : 709.78;
        const long steps = 1L << 21;
        for (long s0 = 0; s0 < steps; s0 += CHUNK) {
            const int cnt = (int)(steps - s0 < CHUNK ? steps - s0 : CHUNK) - (int)(s0 % 7); /* ragged counts */
            for (int i = 0; i < cnt; i++) {
                const double x = lo + (hi - lo) * (double)(s0 + i) / (double)steps;
                xf[i] = (float)x, xd[i] = x;
            }
            if (f32) pelab_vexp_f32(yf, xf, (size_t)cnt);
            else pelab_vexp_f64(yd, xd, (size_t)cnt);
            for (int i = 0; i < cnt; i++) {
                const long double ref = f32 ? expl((long double)xf[i]) : expl((long double)xd[i]);
                const long double y = f32 ? (long double)yf[i] : (long double)yd[i];
                const long double tiny = f32 ? 1.17549435e-38L : 2.2250738585072014e-308L;
                const long double sub = f32 ? 1.40129846e-45L : 4.9406564584124654e-324L;
                if (ref >= tiny) {
                    const double u = ulps(y, ref, f32 ? 24 : 53);
                    if (!(u <= 2.0)) TEST_FAIL_("vexp %s(%.17g) = %.17Lg, expl %.20Lg: %.3g ulp", dtn(f32),
                                                f32 ? (double)xf[i] : xd[i], y, ref, u);
                    if (f32) mf = fmax(mf, u);
                    else md = fmax(md, u);
                } else {
                    const double a = (double)(fabsl(y - ref) / sub);
                    ASSERT(a <= 1.0);
                    if (f32) sf = fmax(sf, a);
                    else sd = fmax(sd, a);
                }
                count++;
            }
        }
    }
    /* special values: exactly */
    const float sxf[8] = {0.0f, -0.0f, -INFINITY, INFINITY, NAN, -200.0f, 100.0f, 1.0f};
    float syf[8];
    pelab_vexp_f32(syf, sxf, 8);
    ASSERT(syf[0] == 1.0f && syf[1] == 1.0f && syf[2] == 0.0f && isinf(syf[3]) && syf[3] > 0);
    ASSERT(isnan(syf[4]) && syf[5] == 0.0f && isinf(syf[6]));
    ASSERT(fabs(syf[7] - 2.718281828459045) < 3e-7);
    const double sxd[8] = {0.0, -0.0, -INFINITY, INFINITY, NAN, -800.0, 710.0, 1.0};
    double syd[8];
    pelab_vexp_f64(syd, sxd, 8);
    ASSERT(syd[0] == 1.0 && syd[1] == 1.0 && syd[2] == 0.0 && isinf(syd[3]) && syd[3] > 0);
    ASSERT(isnan(syd[4]) && syd[5] == 0.0 && isinf(syd[6]));
    ASSERT(fabs(syd[7] - 2.718281828459045) < 1e-15);
    printf("  vexp (%s path, %ld points): max error f32 %.3g ulp, f64 %.3g ulp (normal results); "
           "subnormal results within %.2g / %.2g of the smallest subnormal\n",
           pelab_attention_simd(), count, mf, md, sf, sd);
}

int main(void) {
    TEST_RUN(test_single_token);
    TEST_RUN(test_uniform);
    TEST_RUN(test_three_tokens_by_hand);
    TEST_RUN(test_forward_vs_reference);
    TEST_RUN(test_backward_reference_vs_fd);
    TEST_RUN(test_backward_fast_vs_reference);
    TEST_RUN(test_backward_rope_vs_fd);
    TEST_RUN(test_rope_by_hand);
    TEST_RUN(test_rope_algebra);
    TEST_RUN(test_thread_invariance);
    TEST_RUN(test_nested_call);
    TEST_RUN(test_matmul);
    TEST_RUN(test_vexp);
    return TEST_DONE();
}
