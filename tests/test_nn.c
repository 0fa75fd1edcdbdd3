/* test_nn.c — the model's kernels (pelab/kernels/nn.h) against independent
 * truths: naive double loops, central finite differences in double of naive
 * double forwards (the attention bias: of pelab_attention_forward_f64),
 * hand-worked cross-entropy and optimiser steps, f32 against f64, and bitwise
 * thread-count invariance. Each comparison prints its max difference. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/rng.h"
#include "pelab/kernels/attention.h"
#include "pelab/kernels/nn.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------ */

static double *dalloc(size_t count) { return pelab_xcalloc(count ? count : 1, sizeof(double)); }
static float *falloc(size_t count) { return pelab_xcalloc(count ? count : 1, sizeof(float)); }

/* count N(0, sd^2) values from stream (seed, stream) */
static double *randn(uint64_t stream, size_t count, double sd) {
    double *x = dalloc(count);
    pelab_rng r = pelab_rng_make(20261202u, stream);
    for (size_t i = 0; i < count; i++) x[i] = sd * pelab_rng_normal(&r);
    return x;
}

static float *to_f32(const double *x, size_t count) {
    if (!x) return NULL;
    float *y = falloc(count);
    for (size_t i = 0; i < count; i++) y[i] = (float)x[i];
    return y;
}

/* x rounded to float and back (the f32 kernels' inputs, seen in double) */
static double *rounded(const double *x, size_t count) {
    double *y = dalloc(count);
    for (size_t i = 0; i < count; i++) y[i] = (double)(float)x[i];
    return y;
}

static double *copy(const double *x, size_t count) {
    double *y = dalloc(count);
    memcpy(y, x, count * sizeof(double));
    return y;
}

static double max_abs(const double *a, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) m = fmax(m, fabs(a[i]));
    return m;
}

/* max over i of |got[i] - base[i] - want[i]| / (1 + |want[i]|): a gradient
 * accumulated onto `base` (NULL: 0) against the truth `want` */
static double grad_err(const double *got, const double *base, const double *want, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) {
        const double g = got[i] - (base ? base[i] : 0);
        const double e = fabs(g - want[i]) / (1 + fabs(want[i]));
        if (!(e <= m)) m = isnan(e) ? INFINITY : e;
    }
    return m;
}

/* max |a - b| / max |b| (f32 against f64) */
static double rel_err(const float *a, const double *b, size_t count) {
    double m = 0;
    for (size_t i = 0; i < count; i++) m = fmax(m, fabs((double)a[i] - b[i]));
    const double s = max_abs(b, count);
    return s > 0 ? m / s : m;
}

static double dot(const double *a, const double *b, size_t count) {
    double s = 0;
    for (size_t i = 0; i < count; i++) s += a[i] * b[i];
    return s;
}

/* Central difference of f at x[e] (h relative to |x[e]| + 1), restoring x. */
typedef double (*loss_fn)(void *ctx);
static double central(loss_fn f, void *ctx, double *x, size_t e, double h) {
    const double x0 = x[e], step = h * (1 + fabs(x0));
    x[e] = x0 + step;
    const double lp = f(ctx);
    x[e] = x0 - step;
    const double lm = f(ctx);
    x[e] = x0;
    return (lp - lm) / (2 * step);
}

/* the finite-difference gradient of f with respect to all count entries of x */
static double *fd_grad(loss_fn f, void *ctx, double *x, size_t count, double h) {
    double *g = dalloc(count);
    for (size_t e = 0; e < count; e++) g[e] = central(f, ctx, x, e, h);
    return g;
}

/* ---- naive double forwards (the finite differences' truth) ---------------------------- */

static void naive_linear(double *out, const double *inp, const double *w, const double *b, int N, int I, int O) {
    for (int n = 0; n < N; n++)
        for (int o = 0; o < O; o++) {
            double s = b ? b[o] : 0;
            for (int i = 0; i < I; i++) s += inp[(size_t)n * I + i] * w[(size_t)i * O + o];
            out[(size_t)n * O + o] = s;
        }
}

static void naive_layernorm(double *out, double *mean, double *rstd, const double *x, const double *g,
                            const double *s, int N, int C) {
    for (int n = 0; n < N; n++) {
        const double *r = x + (size_t)n * C;
        double mu = 0, var = 0;
        for (int c = 0; c < C; c++) mu += r[c];
        mu /= C;
        for (int c = 0; c < C; c++) var += (r[c] - mu) * (r[c] - mu);
        var /= C;
        const double rs = 1 / sqrt(var + PELAB_LAYERNORM_EPS);
        for (int c = 0; c < C; c++) out[(size_t)n * C + c] = (r[c] - mu) * rs * g[c] + s[c];
        if (mean) mean[n] = mu, rstd[n] = rs;
    }
}

static double naive_gelu(double x) { return 0.5 * x * (1 + tanh(0.79788456080286535588 /* sqrt(2 / pi) */ * (x + 0.044715 * x * x * x))); }

/* ---- linear ------------------------------------------------------------------------ */

static void test_linear_forward_vs_naive(void) {
    static const int dims[][3] = {{1, 1, 1},  {5, 7, 3},    {13, 17, 33}, {37, 64, 80}, {70, 66, 50},
                                  {9, 0, 5},  {0, 4, 4},    {3, 200, 49}, {130, 24, 200}, {2, 3, 16}};
    double m64 = 0, m32 = 0;
    for (size_t c = 0; c < sizeof dims / sizeof *dims; c++) {
        const int N = dims[c][0], I = dims[c][1], O = dims[c][2];
        const size_t ni = (size_t)N * I, io = (size_t)I * O, no = (size_t)N * O;
        double *x = randn(100 + c, ni, 1), *w = randn(200 + c, io, 1), *b = randn(300 + c, (size_t)O, 1);
        for (int f32 = 0; f32 <= 1; f32++)
            for (int ub = 0; ub <= 1; ub++) {
                double *xr = f32 ? rounded(x, ni) : copy(x, ni), *wr = f32 ? rounded(w, io) : copy(w, io);
                double *br = f32 ? rounded(b, (size_t)O) : copy(b, (size_t)O);
                double *want = dalloc(no), *got = dalloc(no);
                naive_linear(want, xr, wr, ub ? br : NULL, N, I, O);
                if (!f32) {
                    for (size_t i = 0; i < no; i++) got[i] = NAN; /* written, not accumulated */
                    pelab_linear_forward_f64(got, xr, wr, ub ? br : NULL, N, I, O);
                } else {
                    float *xf = to_f32(xr, ni), *wf = to_f32(wr, io), *bf = to_f32(br, (size_t)O), *of = falloc(no);
                    for (size_t i = 0; i < no; i++) of[i] = NAN;
                    pelab_linear_forward_f32(of, xf, wf, ub ? bf : NULL, N, I, O);
                    for (size_t i = 0; i < no; i++) got[i] = of[i];
                    free(xf), free(wf), free(bf), free(of);
                }
                for (int n = 0; n < N; n++)
                    for (int o = 0; o < O; o++) {
                        double bd = ub ? fabs(br[o]) : 0;
                        for (int i = 0; i < I; i++) bd += fabs(xr[(size_t)n * I + i] * wr[(size_t)i * O + o]);
                        const size_t e = (size_t)n * O + o;
                        /* the classic bound: 2 eps (I + 2) sum |x w| */
                        ASSERT_NEAR(got[e], want[e], 2 * (f32 ? 6e-8 : 1.2e-16) * (I + 2) * bd);
                        if (f32) m32 = fmax(m32, fabs(got[e] - want[e]));
                        else m64 = fmax(m64, fabs(got[e] - want[e]));
                    }
                free(xr), free(wr), free(br), free(want), free(got);
            }
        free(x), free(w), free(b);
    }
    printf("  linear forward: max |kernel - naive double| f64 %.2g, f32 %.2g\n", m64, m32);
}

typedef struct lin_ctx {
    double *x, *w, *b, *R, *out;
    int N, I, O;
} lin_ctx;

static double lin_loss(void *p) {
    lin_ctx *c = p;
    naive_linear(c->out, c->x, c->w, c->b, c->N, c->I, c->O);
    return dot(c->out, c->R, (size_t)c->N * c->O);
}

/* f64 backward against central differences of L = sum(out * R), accumulating
 * onto random starting gradients; every NULL combination gives the others
 * bitwise. Returns the max error; plant != 0 adds an error to dw[plant-1] (the
 * check must catch it). */
static double linear_fd_case(int N, int I, int O, size_t plant) {
    const size_t ni = (size_t)N * I, io = (size_t)I * O, no = (size_t)N * O;
    lin_ctx c = {randn(1, ni, 1), randn(2, io, 1), randn(3, (size_t)O, 1), randn(4, no, 1), dalloc(no), N, I, O};
    double *gx0 = randn(5, ni, 1), *gw0 = randn(6, io, 1), *gb0 = randn(7, (size_t)O, 1);
    double *gx = copy(gx0, ni), *gw = copy(gw0, io), *gb = copy(gb0, (size_t)O);
    pelab_linear_backward_f64(gx, gw, gb, c.R, c.x, c.w, N, I, O);
    if (plant) gw[plant - 1] += 1e-5;
    double *fx = fd_grad(lin_loss, &c, c.x, ni, 1e-5), *fw = fd_grad(lin_loss, &c, c.w, io, 1e-5);
    double *fb = fd_grad(lin_loss, &c, c.b, (size_t)O, 1e-5);
    double err = fmax(grad_err(gx, gx0, fx, ni), fmax(grad_err(gw, gw0, fw, io), grad_err(gb, gb0, fb, (size_t)O)));
    if (!plant)
        for (int mask = 0; mask < 7; mask++) {
            double *hx = copy(gx0, ni), *hw = copy(gw0, io), *hb = copy(gb0, (size_t)O);
            pelab_linear_backward_f64(mask & 1 ? hx : NULL, mask & 2 ? hw : NULL, mask & 4 ? hb : NULL, c.R, c.x, c.w,
                                      N, I, O);
            ASSERT(memcmp(hx, mask & 1 ? gx : gx0, ni * sizeof(double)) == 0);
            ASSERT(memcmp(hw, mask & 2 ? gw : gw0, io * sizeof(double)) == 0);
            ASSERT(memcmp(hb, mask & 4 ? gb : gb0, (size_t)O * sizeof(double)) == 0);
            free(hx), free(hw), free(hb);
        }
    free(c.x), free(c.w), free(c.b), free(c.R), free(c.out), free(gx0), free(gw0), free(gb0), free(gx), free(gw),
        free(gb), free(fx), free(fw), free(fb);
    return err;
}

static void test_linear_backward_fd(void) {
    static const int dims[][3] = {{1, 1, 1}, {4, 3, 5}, {6, 9, 27}, {11, 20, 17}, {9, 33, 50}};
    double m = 0;
    for (size_t c = 0; c < sizeof dims / sizeof *dims; c++) m = fmax(m, linear_fd_case(dims[c][0], dims[c][1], dims[c][2], 0));
    ASSERT_DBL_LT(m, 1e-8);
    /* the check catches a planted error of 1e-5 in one entry of dw */
    const double planted = linear_fd_case(6, 9, 27, 100);
    ASSERT_DBL_GT(planted, 1e-8);
    printf("  linear backward (dinp, dw, db, +=, NULL outputs) vs central differences: max err %.2g "
           "(planted 1e-5 error seen as %.2g)\n", m, planted);
}

/* The backward at sizes past the k chunking (128) and the register tiles'
 * tails, f64 and f32, against naive double sums with the classic bound
 * 2 eps (terms + 2) sum |terms| (the starting gradient counts as a term). */
static void test_linear_backward_vs_naive(void) {
    static const int dims[][3] = {{300, 130, 70}, {37, 257, 33}, {129, 9, 200}};
    double m64 = 0, m32 = 0;
    for (size_t c = 0; c < sizeof dims / sizeof *dims; c++) {
        const int N = dims[c][0], I = dims[c][1], O = dims[c][2];
        const size_t ni = (size_t)N * I, io = (size_t)I * O, no = (size_t)N * O;
        for (int f32 = 0; f32 <= 1; f32++) {
            double *x = randn(500 + c, ni, 1), *w = randn(510 + c, io, 1), *R = randn(520 + c, no, 1);
            double *gx = randn(530 + c, ni, 1), *gw = randn(540 + c, io, 1), *gb = randn(550 + c, (size_t)O, 1);
            if (f32) {
                double *t[6] = {x, w, R, gx, gw, gb};
                const size_t sz[6] = {ni, io, no, ni, io, (size_t)O};
                for (int a = 0; a < 6; a++)
                    for (size_t i = 0; i < sz[a]; i++) t[a][i] = (double)(float)t[a][i];
            }
            double *hx = copy(gx, ni), *hw = copy(gw, io), *hb = copy(gb, (size_t)O);
            if (!f32) {
                pelab_linear_backward_f64(hx, hw, hb, R, x, w, N, I, O);
            } else {
                float *xf = to_f32(x, ni), *wf = to_f32(w, io), *Rf = to_f32(R, no);
                float *fx = to_f32(gx, ni), *fw = to_f32(gw, io), *fb = to_f32(gb, (size_t)O);
                pelab_linear_backward_f32(fx, fw, fb, Rf, xf, wf, N, I, O);
                for (size_t i = 0; i < ni; i++) hx[i] = fx[i];
                for (size_t i = 0; i < io; i++) hw[i] = fw[i];
                for (int i = 0; i < O; i++) hb[i] = fb[i];
                free(xf), free(wf), free(Rf), free(fx), free(fw), free(fb);
            }
            const double eps = f32 ? 6e-8 : 1.2e-16;
            double md = 0;
            for (int n = 0; n < N; n++)
                for (int i = 0; i < I; i++) { /* dinp = g + sum_o dout w[i][o] */
                    double s = gx[(size_t)n * I + i], bd = fabs(s);
                    for (int o = 0; o < O; o++) {
                        const double t = R[(size_t)n * O + o] * w[(size_t)i * O + o];
                        s += t, bd += fabs(t);
                    }
                    ASSERT_NEAR(hx[(size_t)n * I + i], s, 2 * eps * (O + 2) * bd);
                    md = fmax(md, fabs(hx[(size_t)n * I + i] - s));
                }
            for (int i = 0; i < I; i++)
                for (int o = 0; o < O; o++) { /* dw = g + sum_n inp[n][i] dout[n][o] */
                    double s = gw[(size_t)i * O + o], bd = fabs(s);
                    for (int n = 0; n < N; n++) {
                        const double t = x[(size_t)n * I + i] * R[(size_t)n * O + o];
                        s += t, bd += fabs(t);
                    }
                    ASSERT_NEAR(hw[(size_t)i * O + o], s, 2 * eps * (N + 2) * bd);
                    md = fmax(md, fabs(hw[(size_t)i * O + o] - s));
                }
            for (int o = 0; o < O; o++) {
                double s = gb[o], bd = fabs(s);
                for (int n = 0; n < N; n++) s += R[(size_t)n * O + o], bd += fabs(R[(size_t)n * O + o]);
                ASSERT_NEAR(hb[o], s, 2 * eps * (N + 2) * bd);
                md = fmax(md, fabs(hb[o] - s));
            }
            if (f32) m32 = fmax(m32, md);
            else m64 = fmax(m64, md);
            free(x), free(w), free(R), free(gx), free(gw), free(gb), free(hx), free(hw), free(hb);
        }
    }
    printf("  linear backward (+=) at chunked sizes: max |kernel - naive double| f64 %.2g, f32 %.2g\n", m64, m32);
}

/* f32 kernels against f64 kernels on the same (float-rounded) inputs */
static void test_linear_f32_vs_f64(void) {
    static const int dims[][3] = {{70, 66, 50}, {33, 130, 100}, {200, 64, 256}};
    double mf = 0, mb = 0;
    for (size_t c = 0; c < sizeof dims / sizeof *dims; c++) {
        const int N = dims[c][0], I = dims[c][1], O = dims[c][2];
        const size_t ni = (size_t)N * I, io = (size_t)I * O, no = (size_t)N * O;
        double *x = randn(10 + c, ni, 1), *w = randn(20 + c, io, 0.1), *b = randn(30 + c, (size_t)O, 1);
        double *R = randn(40 + c, no, 1);
        double *xr = rounded(x, ni), *wr = rounded(w, io), *br = rounded(b, (size_t)O), *Rr = rounded(R, no);
        float *xf = to_f32(x, ni), *wf = to_f32(w, io), *bf = to_f32(b, (size_t)O), *Rf = to_f32(R, no);
        double *o64 = dalloc(no), *gx = dalloc(ni), *gw = dalloc(io), *gb = dalloc((size_t)O);
        float *o32 = falloc(no), *fx = falloc(ni), *fw = falloc(io), *fb = falloc((size_t)O);
        pelab_linear_forward_f64(o64, xr, wr, br, N, I, O);
        pelab_linear_forward_f32(o32, xf, wf, bf, N, I, O);
        pelab_linear_backward_f64(gx, gw, gb, Rr, xr, wr, N, I, O);
        pelab_linear_backward_f32(fx, fw, fb, Rf, xf, wf, N, I, O);
        mf = fmax(mf, rel_err(o32, o64, no));
        mb = fmax(mb, fmax(rel_err(fx, gx, ni), fmax(rel_err(fw, gw, io), rel_err(fb, gb, (size_t)O))));
        free(x), free(w), free(b), free(R), free(xr), free(wr), free(br), free(Rr), free(xf), free(wf), free(bf),
            free(Rf), free(o64), free(gx), free(gw), free(gb), free(o32), free(fx), free(fw), free(fb);
    }
    /* tolerance: 1e-5 of the array's max |f64| (sums of up to 200 terms) */
    ASSERT_DBL_LT(mf, 1e-5);
    ASSERT_DBL_LT(mb, 1e-5);
    printf("  linear f32 vs f64 (relative to max |f64|): forward %.2g, backward %.2g\n", mf, mb);
}

/* ---- layer norm ------------------------------------------------------------------------- */

typedef struct ln_ctx {
    double *x, *g, *s, *R, *out;
    int N, C;
} ln_ctx;

static double ln_loss(void *p) {
    ln_ctx *c = p;
    naive_layernorm(c->out, NULL, NULL, c->x, c->g, c->s, c->N, c->C);
    return dot(c->out, c->R, (size_t)c->N * c->C);
}

static void test_layernorm(void) {
    static const int dims[][2] = {{1, 1}, {1, 2}, {4, 11}, {7, 64}, {3, 70}};
    double mfwd = 0, mfd = 0;
    for (size_t k = 0; k < sizeof dims / sizeof *dims; k++) {
        const int N = dims[k][0], C = dims[k][1];
        const size_t nc = (size_t)N * C;
        ln_ctx c = {randn(50 + k, nc, 2), randn(60 + k, (size_t)C, 1), randn(70 + k, (size_t)C, 1), randn(80 + k, nc, 1),
                    dalloc(nc), N, C};
        for (size_t i = 0; i < nc; i++) c.x[i] += 3; /* a non-zero mean */
        double *out = dalloc(nc), *mean = dalloc((size_t)N), *rstd = dalloc((size_t)N);
        double *wo = dalloc(nc), *wm = dalloc((size_t)N), *wr = dalloc((size_t)N);
        pelab_layernorm_forward_f64(out, mean, rstd, c.x, c.g, c.s, N, C);
        naive_layernorm(wo, wm, wr, c.x, c.g, c.s, N, C);
        for (size_t i = 0; i < nc; i++) {
            ASSERT_NEAR(out[i], wo[i], 1e-12);
            mfwd = fmax(mfwd, fabs(out[i] - wo[i]));
        }
        for (int n = 0; n < N; n++) {
            ASSERT_CLOSE(mean[n], wm[n], 1e-14, 1e-14);
            ASSERT_CLOSE(rstd[n], wr[n], 1e-12, 0);
        }
        double *gx0 = randn(90 + k, nc, 1), *gg0 = randn(91 + k, (size_t)C, 1), *gs0 = randn(92 + k, (size_t)C, 1);
        double *gx = copy(gx0, nc), *gg = copy(gg0, (size_t)C), *gs = copy(gs0, (size_t)C);
        pelab_layernorm_backward_f64(gx, gg, gs, c.R, c.x, c.g, mean, rstd, N, C);
        double *fx = fd_grad(ln_loss, &c, c.x, nc, 1e-5), *fg = fd_grad(ln_loss, &c, c.g, (size_t)C, 1e-5);
        double *fs = fd_grad(ln_loss, &c, c.s, (size_t)C, 1e-5);
        mfd = fmax(mfd, fmax(grad_err(gx, gx0, fx, nc), fmax(grad_err(gg, gg0, fg, (size_t)C), grad_err(gs, gs0, fs, (size_t)C))));
        /* NULL outputs: the others unchanged, bitwise */
        double *hg = copy(gg0, (size_t)C);
        pelab_layernorm_backward_f64(NULL, hg, NULL, c.R, c.x, c.g, mean, rstd, N, C);
        ASSERT(memcmp(hg, gg, (size_t)C * sizeof(double)) == 0);
        free(c.x), free(c.g), free(c.s), free(c.R), free(c.out), free(out), free(mean), free(rstd), free(wo), free(wm),
            free(wr), free(gx0), free(gg0), free(gs0), free(gx), free(gg), free(gs), free(fx), free(fg), free(fs), free(hg);
    }
    ASSERT_DBL_LT(mfd, 1e-7);
    /* f32 against f64 */
    const int N = 33, C = 96;
    const size_t nc = (size_t)N * C;
    double *x = randn(95, nc, 1), *g = randn(96, (size_t)C, 1), *s = randn(97, (size_t)C, 1), *R = randn(98, nc, 1);
    double *xr = rounded(x, nc), *gr = rounded(g, (size_t)C), *sr = rounded(s, (size_t)C), *Rr = rounded(R, nc);
    float *xf = to_f32(x, nc), *gf = to_f32(g, (size_t)C), *sf = to_f32(s, (size_t)C), *Rf = to_f32(R, nc);
    double *o = dalloc(nc), *m = dalloc((size_t)N), *r = dalloc((size_t)N), *dx = dalloc(nc), *dg = dalloc((size_t)C),
           *ds = dalloc((size_t)C);
    float *of = falloc(nc), *mf = falloc((size_t)N), *rf = falloc((size_t)N), *dxf = falloc(nc), *dgf = falloc((size_t)C),
          *dsf = falloc((size_t)C);
    pelab_layernorm_forward_f64(o, m, r, xr, gr, sr, N, C);
    pelab_layernorm_forward_f32(of, mf, rf, xf, gf, sf, N, C);
    pelab_layernorm_backward_f64(dx, dg, ds, Rr, xr, gr, m, r, N, C);
    pelab_layernorm_backward_f32(dxf, dgf, dsf, Rf, xf, gf, mf, rf, N, C);
    const double ef = rel_err(of, o, nc), eb = fmax(rel_err(dxf, dx, nc), fmax(rel_err(dgf, dg, (size_t)C), rel_err(dsf, ds, (size_t)C)));
    ASSERT_DBL_LT(ef, 1e-5);
    ASSERT_DBL_LT(eb, 1e-5);
    printf("  layernorm: forward vs naive %.2g; backward (dinp, dgain, dshift, +=) vs central differences %.2g; "
           "f32 vs f64 forward %.2g, backward %.2g\n", mfwd, mfd, ef, eb);
    free(x), free(g), free(s), free(R), free(xr), free(gr), free(sr), free(Rr), free(xf), free(gf), free(sf), free(Rf),
        free(o), free(m), free(r), free(dx), free(dg), free(ds), free(of), free(mf), free(rf), free(dxf), free(dgf), free(dsf);
}

/* ---- GELU -------------------------------------------------------------------------------- */

typedef struct gelu_ctx {
    double *x, *R;
    size_t n;
} gelu_ctx;

static void test_gelu(void) {
    const size_t n = 101;
    gelu_ctx c = {randn(110, n, 2.5), randn(111, n, 1), n};
    c.x[0] = 0, c.x[1] = -8, c.x[2] = 8, c.x[3] = 1e-3;
    double *out = dalloc(n), *g0 = randn(112, n, 1), *g = copy(g0, n);
    pelab_gelu_forward_f64(out, c.x, n);
    double mf = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT_NEAR(out[i], naive_gelu(c.x[i]), 1e-15 * (1 + fabs(c.x[i])));
        mf = fmax(mf, fabs(out[i] - naive_gelu(c.x[i])));
    }
    ASSERT_DBL_EQ(out[0], 0.0);
    pelab_gelu_backward_f64(g, c.R, c.x, n);
    /* the derivative of a sum of separate terms: one central difference per entry */
    double *fg = dalloc(n);
    for (size_t i = 0; i < n; i++) {
        const double h = 1e-5 * (1 + fabs(c.x[i]));
        fg[i] = (naive_gelu(c.x[i] + h) - naive_gelu(c.x[i] - h)) / (2 * h) * c.R[i];
    }
    const double mb = grad_err(g, g0, fg, n);
    ASSERT_DBL_LT(mb, 1e-8);
    /* far out: x or 0, derivative 1 or 0, finite (no inf * 0), NaN passes */
    for (int f32 = 0; f32 <= 1; f32++) {
        const double far[6] = {50, -50, 1e30, -1e30, 12, NAN};
        double o6[6], g6[6] = {0}, ones[6] = {1, 1, 1, 1, 1, 1};
        if (!f32) {
            pelab_gelu_forward_f64(o6, far, 6);
            pelab_gelu_backward_f64(g6, ones, far, 6);
        } else {
            float xf6[6], of6[6], gf6[6] = {0}, onef[6] = {1, 1, 1, 1, 1, 1};
            for (int i = 0; i < 6; i++) xf6[i] = (float)far[i];
            pelab_gelu_forward_f32(of6, xf6, 6);
            pelab_gelu_backward_f32(gf6, onef, xf6, 6);
            for (int i = 0; i < 6; i++) o6[i] = of6[i], g6[i] = gf6[i];
        }
        ASSERT_DBL_EQ(o6[0], 50.0);
        ASSERT_DBL_EQ(o6[2], 1e30 * (f32 ? (double)(float)1e30 / 1e30 : 1));
        ASSERT_DBL_LT(fabs(o6[1]), 1e-30);
        ASSERT_DBL_LT(fabs(o6[3]), 1e-30);
        ASSERT_NEAR(o6[4], naive_gelu(12), 12 * (f32 ? 6e-8 : 1.2e-16));
        ASSERT_NEAR(g6[0], 1.0, 1e-15);
        ASSERT_NEAR(g6[2], 1.0, 1e-15);
        ASSERT_DBL_LT(fabs(g6[1]), 1e-30);
        ASSERT_DBL_LT(fabs(g6[3]), 1e-30);
        ASSERT(isnan(o6[5]) && isnan(g6[5]));
    }
    /* GELU'(0) = 1/2 */
    double d0 = 0, one = 1, zero = 0;
    pelab_gelu_backward_f64(&d0, &one, &zero, 1);
    ASSERT_DBL_EQ(d0, 0.5);
    float *xf = to_f32(c.x, n), *Rf = to_f32(c.R, n), *of = falloc(n), *gf = falloc(n);
    double *xr = rounded(c.x, n), *Rr = rounded(c.R, n), *o2 = dalloc(n), *g2 = dalloc(n);
    pelab_gelu_forward_f32(of, xf, n);
    pelab_gelu_backward_f32(gf, Rf, xf, n);
    pelab_gelu_forward_f64(o2, xr, n);
    pelab_gelu_backward_f64(g2, Rr, xr, n);
    double e32 = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT_CLOSE(of[i], o2[i], 1e-6, 1e-6);
        /* GELU' = 0.5 (1 + t) + ...: where t ~ -1 it cancels, so float's error is
         * absolute, a few eps times |dout| */
        ASSERT_CLOSE(gf[i], g2[i], 1e-5, 1e-6 * (1 + fabs(c.R[i])));
        e32 = fmax(e32, fmax(fabs(of[i] - o2[i]), fabs(gf[i] - g2[i])));
    }
    printf("  gelu: forward vs naive %.2g, backward vs central differences %.2g, f32 vs f64 %.2g\n", mf, mb, e32);
    free(c.x), free(c.R), free(out), free(g0), free(g), free(fg), free(xf), free(Rf), free(of), free(gf), free(xr), free(Rr),
        free(o2), free(g2);
}

/* ---- cross-entropy ------------------------------------------------------------------------ */

static void test_crossentropy_by_hand(void) {
    /* row 0: logits (1, 2, 3), target 2: loss = ln(e + e^2 + e^3) - 3 = ln(1 + e^-1 + e^-2)
     *        = ln 1.5032147244080551 = 0.40760596444438058; softmax = (e^-2, e^-1, 1) / 1.50321...
     * row 1: logits (0.5, 2, 2), target 0: loss = 2 + ln(e^-1.5 + 2) - 0.5 = 2.2989161848417257;
     *        argmax: a tie of 1 and 2 -> 1 */
    const double logits[6] = {1, 2, 3, 0.5, 2, 2};
    const int targets[2] = {2, 0};
    const double want_loss[2] = {0.40760596444438058, 2.2989161848417257};
    const double sm[6] = {0.090030573170380435, 0.24472847105479759, 0.66524095577482167,
                          0.10036756468345168,  0.44981621765827418, 0.44981621765827418};
    double e = 0;
    for (int f32 = 0; f32 <= 1; f32++) {
        const double scale = 0.5;
        double loss[2], dl[6];
        int pred[2] = {-1, -1};
        if (!f32) {
            pelab_crossentropy_f64(loss, dl, pred, logits, targets, scale, 2, 3);
        } else {
            float lf[6], lossf[2], dlf[6];
            for (int i = 0; i < 6; i++) lf[i] = (float)logits[i];
            pelab_crossentropy_f32(lossf, dlf, pred, lf, targets, (float)scale, 2, 3);
            for (int i = 0; i < 6; i++) dl[i] = dlf[i];
            loss[0] = lossf[0], loss[1] = lossf[1];
        }
        const double tol = f32 ? 3e-7 : 1e-15;
        ASSERT_EQ(pred[0], 2);
        ASSERT_EQ(pred[1], 1);
        for (int n = 0; n < 2; n++) {
            ASSERT_CLOSE(loss[n], want_loss[n], tol, tol);
            e = fmax(e, fabs(loss[n] - want_loss[n]));
            for (int c = 0; c < 3; c++) {
                const double w = scale * (sm[n * 3 + c] - (c == targets[n]));
                ASSERT_CLOSE(dl[n * 3 + c], w, tol, tol);
                e = fmax(e, fabs(dl[n * 3 + c] - w));
            }
        }
        /* NULL dlogits and pred: the same loss */
        double l2[2];
        if (!f32) {
            pelab_crossentropy_f64(l2, NULL, NULL, logits, targets, scale, 2, 3);
            ASSERT(memcmp(l2, loss, sizeof l2) == 0);
        }
    }
    /* ties: all equal -> 0; a non-finite logit -> a non-finite loss */
    const double eq[4] = {1, 1, 1, 1}, bad[8] = {0, NAN, 1, 2, 0, INFINITY, 1, 2};
    const int t0[2] = {3, 0};
    double l[2];
    int p[2];
    pelab_crossentropy_f64(l, NULL, p, eq, t0, 1, 1, 4);
    ASSERT_EQ(p[0], 0);
    ASSERT_CLOSE(l[0], log(4.0), 1e-15, 0);
    pelab_crossentropy_f64(l, NULL, NULL, bad, t0, 1, 2, 4);
    ASSERT(!isfinite(l[0]) && !isfinite(l[1]));
    printf("  crossentropy by hand (2x3, f32 and f64): max diff %.2g; ties -> smallest index; NaN/inf -> non-finite\n", e);
}

typedef struct ce_ctx {
    double *x, *loss, scale;
    const int *t;
    int N, C;
} ce_ctx;

/* independent: scale * sum_n (ln sum_c exp x_nc - x_n,t) in plain double */
static double ce_loss(void *p) {
    ce_ctx *c = p;
    double s = 0;
    for (int n = 0; n < c->N; n++) {
        double z = 0;
        for (int k = 0; k < c->C; k++) z += exp(c->x[(size_t)n * c->C + k]);
        s += log(z) - c->x[(size_t)n * c->C + c->t[n]];
    }
    return c->scale * s;
}

static void test_crossentropy_fd(void) {
    const int N = 5, C = 7, targets[5] = {0, 6, 3, 3, 1};
    const size_t nc = (size_t)N * C;
    ce_ctx c = {randn(120, nc, 2), dalloc((size_t)N), 1.0 / N, targets, N, C};
    double *dl = dalloc(nc);
    for (size_t i = 0; i < nc; i++) dl[i] = 1e9; /* written, not accumulated */
    pelab_crossentropy_f64(c.loss, dl, NULL, c.x, targets, c.scale, N, C);
    double *fd = fd_grad(ce_loss, &c, c.x, nc, 1e-5);
    const double e = grad_err(dl, NULL, fd, nc);
    ASSERT_DBL_LT(e, 1e-9);
    /* and the loss itself */
    double tot = 0;
    for (int n = 0; n < N; n++) tot += c.loss[n];
    ASSERT_CLOSE(tot * c.scale, ce_loss(&c), 1e-14, 1e-14);
    /* f32 vs f64 */
    float *xf = to_f32(c.x, nc), *lf = falloc((size_t)N), *dlf = falloc(nc);
    double *xr = rounded(c.x, nc);
    pelab_crossentropy_f32(lf, dlf, NULL, xf, targets, (float)c.scale, N, C);
    pelab_crossentropy_f64(c.loss, dl, NULL, xr, targets, c.scale, N, C);
    const double e32 = fmax(rel_err(dlf, dl, nc), rel_err(lf, c.loss, (size_t)N));
    ASSERT_DBL_LT(e32, 1e-6);
    printf("  crossentropy dlogits vs central differences: %.2g; f32 vs f64 %.2g\n", e, e32);
    free(c.x), free(c.loss), free(dl), free(fd), free(xf), free(lf), free(dlf), free(xr);
}

/* ---- attention bias gradient -------------------------------------------------------------- */

typedef struct ab_ctx {
    double *q, *k, *v, *bias, *R, *out, *lse;
    int causal, n, D, H;
} ab_ctx;

static double ab_loss(void *p) {
    ab_ctx *c = p;
    pelab_attention_forward_f64(c->out, c->lse, NULL, c->q, c->k, c->v, c->bias, c->causal, c->n, c->D, c->H);
    return dot(c->out, c->R, (size_t)c->n * c->D);
}

static void test_attention_bias_fd(void) {
    double m = 0, m32 = 0;
    static const int cases[][3] = {{6, 4, 1}, {6, 4, 2}, {1, 2, 1}, {9, 6, 2}, {5, 3, 1}};
    for (size_t cs = 0; cs < sizeof cases / sizeof *cases; cs++)
        for (int causal = 0; causal <= 1; causal++) {
            const int n = cases[cs][0], D = cases[cs][1], H = cases[cs][2];
            const size_t nD = (size_t)n * D, nb = (size_t)H * (2 * n - 1), hn = (size_t)H * n;
            ab_ctx c = {randn(130 + cs, nD, 1), randn(140 + cs, nD, 1), randn(150 + cs, nD, 1), randn(160 + cs, nb, 1),
                        randn(170 + cs, nD, 1), dalloc(nD), dalloc(hn), causal, n, D, H};
            ab_loss(&c); /* out and lse at the point */
            double *out = copy(c.out, nD), *lse = copy(c.lse, hn);
            double *g0 = randn(180 + cs, nb, 1), *g = copy(g0, nb);
            pelab_attention_bias_backward_f64(g, c.R, out, lse, c.q, c.k, c.v, c.bias, causal, n, D, H);
            double *fd = fd_grad(ab_loss, &c, c.bias, nb, 1e-5);
            const double e = grad_err(g, g0, fd, nb);
            ASSERT_DBL_LT(e, 1e-8);
            m = fmax(m, e);
            if (causal) /* keys after the query never see their bias: exactly no gradient */
                for (int h = 0; h < H; h++)
                    for (int t = n; t < 2 * n - 1; t++) ASSERT_DBL_EQ(g[(size_t)h * (2 * n - 1) + t], g0[(size_t)h * (2 * n - 1) + t]);
            /* f32 against f64 on rounded inputs, each from its own forward */
            double *qr = rounded(c.q, nD), *kr = rounded(c.k, nD), *vr = rounded(c.v, nD), *br = rounded(c.bias, nb),
                   *Rr = rounded(c.R, nD);
            float *qf = to_f32(c.q, nD), *kf = to_f32(c.k, nD), *vf = to_f32(c.v, nD), *bf = to_f32(c.bias, nb),
                  *Rf = to_f32(c.R, nD);
            float *of = falloc(nD), *lf = falloc(hn), *gf = falloc(nb);
            double *g64 = dalloc(nb);
            pelab_attention_forward_f64(out, lse, NULL, qr, kr, vr, br, causal, n, D, H);
            pelab_attention_bias_backward_f64(g64, Rr, out, lse, qr, kr, vr, br, causal, n, D, H);
            pelab_attention_forward_f32(of, lf, NULL, qf, kf, vf, bf, causal, n, D, H);
            pelab_attention_bias_backward_f32(gf, Rf, of, lf, qf, kf, vf, bf, causal, n, D, H);
            m32 = fmax(m32, rel_err(gf, g64, nb));
            free(c.q), free(c.k), free(c.v), free(c.bias), free(c.R), free(c.out), free(c.lse), free(out), free(lse),
                free(g0), free(g), free(fd), free(qr), free(kr), free(vr), free(br), free(Rr), free(qf), free(kf),
                free(vf), free(bf), free(Rf), free(of), free(lf), free(gf), free(g64);
        }
    ASSERT_DBL_LT(m32, 1e-4);
    printf("  attention bias gradient (H 1, 2; causal on/off; +=) vs central differences of the fused forward: "
           "%.2g; f32 vs f64 (relative to max |f64|) %.2g\n", m, m32);
}

/* ---- optimisers: hand-computed steps ------------------------------------------------------ */

static const double opt_p0[3] = {1.0, -2.0, 0.5};
static const double opt_g[3][3] = {{0.1, -0.3, 0.0}, {0.2, 0.1, -0.4}, {-0.1, 0.2, 0.3}};

static void test_adamw_by_hand(void) {
    /* lr 0.01, beta1 0.9, beta2 0.999, eps 1e-8, weight decay 0 and 0.01.
     * Step 1 by hand: m = 0.1 g, v = 0.001 g^2, so m^ = g, v^ = g^2 and the
     * update is g / (|g| + eps) + wd p: p0 = 1, g = 0.1 -> 1 - 0.01 (0.1 / 0.10000001)
     * = 0.990000001 (wd 0) or 0.9899000010 (wd 0.01: minus 0.01 * 0.01 * 1);
     * g = 0 leaves m = v = 0 and moves p only by the decay: 0.5 -> 0.49995.
     * Steps 2 and 3: the same recurrences carried on in double:
     * t = 2: m = 0.9 m + 0.1 g = (0.029, -0.017, -0.04); v = 0.999 v + 0.001 g^2
     *        = (4.999e-5, 9.991e-5, 1.6e-4); m^ = m / 0.19, v^ = v / 0.001999. */
    static const double want[2][3][3] = {
        {{0.99000000099999985, -1.9900000003333334, 0.5},
         {0.9803481813521252, -1.9859978147928081, 0.5074413679726435},
         {0.97614728861347044, -1.9868007911040095, 0.50820818968759418}},
        {{0.98990000099999986, -1.9898000003333334, 0.49995000000000001},
         {0.98014919135202527, -1.9855988347927749, 0.50734137297264348},
         {0.97585028369423532, -1.986203251220497, 0.50805746055029688}}};
    static const double want_m[3] = {0.0161, 0.0047000000000000011, -0.0060000000000000053};
    static const double want_v[3] = {5.9940010000000067e-05, 0.00013981009000000013, 0.00024984000000000025};
    double e64 = 0, e32 = 0;
    for (int wd = 0; wd <= 1; wd++) {
        double p[3], m[3] = {0}, v[3] = {0};
        float pf[3], mf[3] = {0}, vf[3] = {0}, gf[3];
        memcpy(p, opt_p0, sizeof p);
        for (int i = 0; i < 3; i++) pf[i] = (float)opt_p0[i];
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < 3; i++) gf[i] = (float)opt_g[t - 1][i];
            pelab_adamw_step_f64(p, m, v, opt_g[t - 1], 3, 0.01, 0.9, 0.999, 1e-8, wd ? 0.01 : 0, t);
            pelab_adamw_step_f32(pf, mf, vf, gf, 3, 0.01, 0.9, 0.999, 1e-8, wd ? 0.01 : 0, t);
            for (int i = 0; i < 3; i++) {
                ASSERT_CLOSE(p[i], want[wd][t - 1][i], 1e-14, 0);
                ASSERT_CLOSE(pf[i], want[wd][t - 1][i], 1e-6, 1e-7);
                e64 = fmax(e64, fabs(p[i] - want[wd][t - 1][i]));
                e32 = fmax(e32, fabs(pf[i] - want[wd][t - 1][i]));
            }
        }
        for (int i = 0; i < 3; i++) {
            ASSERT_CLOSE(m[i], want_m[i], 1e-13, 1e-17);
            ASSERT_CLOSE(v[i], want_v[i], 1e-13, 1e-20);
        }
    }
    printf("  adamw, 3 steps by hand (weight decay 0, 0.01): max diff f64 %.2g, f32 %.2g\n", e64, e32);
}

static void test_sgd_by_hand(void) {
    /* lr 0.1, p0 = (1, -2, 0.5), g1 = (0.1, -0.3, 0), g2 = (0.2, 0.1, -0.4):
     * momentum 0, wd 0:     p1 = p0 - 0.1 g1 = (0.99, -1.97, 0.5);  p2 = p1 - 0.1 g2 = (0.97, -1.98, 0.54)
     * momentum 0.9, wd 0:   v1 = g1, p1 as above; v2 = 0.9 g1 + g2 = (0.29, -0.17, -0.4);
     *                       p2 = (0.961, -1.953, 0.54)
     * momentum 0, wd 0.01:  g1' = g1 + 0.01 p0 = (0.11, -0.32, 0.005); p1 = (0.989, -1.968, 0.4995);
     *                       g2' = g2 + 0.01 p1 = (0.20989, 0.08032, -0.395005);
     *                       p2 = (0.968011, -1.976032, 0.5390005)
     * momentum 0.9, wd 0.01: v1 = g1', p1 as above; v2 = 0.9 v1 + g2' = (0.30889, -0.20768, -0.390505);
     *                       p2 = (0.958111, -1.947232, 0.5385505) */
    static const double want[4][2][3] = {
        {{0.99, -1.97, 0.5}, {0.97, -1.98, 0.54}},
        {{0.99, -1.97, 0.5}, {0.961, -1.953, 0.54}},
        {{0.989, -1.968, 0.4995}, {0.968011, -1.976032, 0.5390005}},
        {{0.989, -1.968, 0.4995}, {0.958111, -1.947232, 0.5385505}}};
    double e64 = 0, e32 = 0;
    for (int c = 0; c < 4; c++) {
        const double mom = c & 1 ? 0.9 : 0, wd = c & 2 ? 0.01 : 0;
        double p[3], vel[3] = {0};
        float pf[3], vf[3] = {0}, gf[3];
        memcpy(p, opt_p0, sizeof p);
        for (int i = 0; i < 3; i++) pf[i] = (float)opt_p0[i];
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 3; i++) gf[i] = (float)opt_g[t][i];
            /* momentum 0: vel may be NULL (and is, for the f32 twin) */
            pelab_sgd_step_f64(p, vel, opt_g[t], 3, 0.1, mom, wd);
            pelab_sgd_step_f32(pf, mom == 0 ? NULL : vf, gf, 3, 0.1, mom, wd);
            for (int i = 0; i < 3; i++) {
                ASSERT_CLOSE(p[i], want[c][t][i], 1e-15, 1e-16);
                ASSERT_CLOSE(pf[i], want[c][t][i], 1e-6, 1e-7);
                e64 = fmax(e64, fabs(p[i] - want[c][t][i]));
                e32 = fmax(e32, fabs(pf[i] - want[c][t][i]));
            }
        }
    }
    printf("  sgd, 2 steps by hand (momentum 0, 0.9; weight decay 0, 0.01): max diff f64 %.2g, f32 %.2g\n", e64, e32);
}

/* ---- thread-count invariance and nested calls -------------------------------------------- */

/* Every kernel (f32 and f64) on sizes that run in parallel, concatenated into
 * one byte buffer for comparison. */
typedef struct blob {
    unsigned char *p;
    size_t len, cap;
} blob;

static void blob_add(blob *b, const void *x, size_t bytes) {
    if (b->len + bytes > b->cap) {
        b->cap = 2 * (b->len + bytes);
        b->p = realloc(b->p, b->cap);
        ASSERT(b->p != NULL);
    }
    memcpy(b->p + b->len, x, bytes);
    b->len += bytes;
}

#define RUN_ALL_(T, SFX)                                                                                     \
    static void run_all_##SFX(blob *out) {                                                                   \
        const int N = 150, I = 70, O = 90, C = 130, n = 80, D = 12, H = 3;                                   \
        const size_t cnt = 50001, nb = (size_t)H * (2 * n - 1);                                             \
        double *d = randn(999, 200000, 1);                                                                   \
        T *buf = pelab_xcalloc(200000, sizeof(T)), *w = pelab_xcalloc(1200000, sizeof(T));                   \
        for (size_t i = 0; i < 200000; i++) buf[i] = (T)d[i];                                                \
        T *o = w, *gx = o + N * O, *gw = gx + N * I, *gb = gw + I * O, *mean = gb + O, *rstd = mean + N;     \
        T *ln = rstd + N, *gln = ln + N * C, *gg = gln + N * C, *gs = gg + C, *ge = gs + C, *gd = ge + cnt;  \
        T *loss = gd + cnt, *dl = loss + N, *ao = dl + N * C, *al = ao + n * D, *db = al + H * n;            \
        T *p = db + nb, *m = p + cnt, *v = m + cnt, *vel = v + cnt, *end = vel + cnt;                        \
        ASSERT(end <= w + 1200000);                                                                          \
        int targets[150], pred[150];                                                                         \
        for (int i = 0; i < N; i++) targets[i] = (i * 7) % 50;                                               \
        pelab_linear_forward_##SFX(o, buf, buf + 20000, buf + 30000, N, I, O);                               \
        pelab_linear_backward_##SFX(gx, gw, gb, buf + 40000, buf, buf + 20000, N, I, O);                     \
        pelab_layernorm_forward_##SFX(ln, mean, rstd, buf, buf + 1000, buf + 2000, N, C);                    \
        pelab_layernorm_backward_##SFX(gln, gg, gs, buf + 60000, buf, buf + 1000, mean, rstd, N, C);         \
        pelab_gelu_forward_##SFX(ge, buf, cnt);                                                              \
        pelab_gelu_backward_##SFX(gd, buf + 3, buf + 7, cnt);                                                \
        pelab_crossentropy_##SFX(loss, dl, pred, buf, targets, (T)0.01, N, 50);                              \
        pelab_attention_forward_##SFX(ao, al, NULL, buf, buf + 5000, buf + 10000, buf + 15000, 1, n, D, H);  \
        pelab_attention_bias_backward_##SFX(db, buf + 100000, ao, al, buf, buf + 5000, buf + 10000,          \
                                            buf + 15000, 1, n, D, H);                                        \
        for (size_t i = 0; i < cnt; i++) p[i] = buf[i];                                                      \
        pelab_adamw_step_##SFX(p, m, v, buf + 100000, cnt, 1e-3, 0.9, 0.999, 1e-8, 0.1, 1);                  \
        pelab_adamw_step_##SFX(p, m, v, buf + 120000, cnt, 1e-3, 0.9, 0.999, 1e-8, 0.1, 2);                  \
        pelab_sgd_step_##SFX(p, vel, buf + 140000, cnt, 1e-2, 0.9, 1e-4);                                    \
        blob_add(out, w, (size_t)(end - w) * sizeof(T));                                                     \
        blob_add(out, pred, sizeof pred);                                                                    \
        free(d), free(buf), free(w);                                                                         \
    }
RUN_ALL_(float, f32)
RUN_ALL_(double, f64)

static void test_thread_invariance(void) {
    const int saved = omp_get_max_threads();
    blob ref = {0}, got = {0};
    for (int threads = 1; threads <= 3; threads++) {
        omp_set_num_threads(threads);
        blob *b = threads == 1 ? &ref : &got;
        b->len = 0;
        run_all_f32(b);
        run_all_f64(b);
        if (threads > 1) {
            ASSERT_EQ(got.len, ref.len);
            ASSERT(memcmp(got.p, ref.p, ref.len) == 0);
        }
    }
    omp_set_num_threads(saved);
    /* the comparison sees a single flipped bit */
    got.p[got.len / 2] ^= 1;
    ASSERT(memcmp(got.p, ref.p, ref.len) != 0);
    printf("  every kernel, f32 and f64: bitwise identical for 1, 2 and 3 threads (%zu bytes)\n", ref.len);
    free(ref.p), free(got.p);
}

/* Called inside a parallel region the kernels run on the calling thread and
 * give the serial result. */
static void test_nested_call(void) {
    blob ref = {0}, par[2] = {{0}, {0}};
    run_all_f64(&ref);
#pragma omp parallel num_threads(2)
    {
        run_all_f64(&par[omp_get_thread_num()]);
    }
    for (int t = 0; t < 2; t++) {
        ASSERT_EQ(par[t].len, ref.len);
        ASSERT(memcmp(par[t].p, ref.p, ref.len) == 0);
    }
    printf("  inside a parallel region: the serial result, bitwise\n");
    free(ref.p), free(par[0].p), free(par[1].p);
}

int main(void) {
    TEST_RUN(test_linear_forward_vs_naive);
    TEST_RUN(test_linear_backward_fd);
    TEST_RUN(test_linear_backward_vs_naive);
    TEST_RUN(test_linear_f32_vs_f64);
    TEST_RUN(test_layernorm);
    TEST_RUN(test_gelu);
    TEST_RUN(test_crossentropy_by_hand);
    TEST_RUN(test_crossentropy_fd);
    TEST_RUN(test_attention_bias_fd);
    TEST_RUN(test_adamw_by_hand);
    TEST_RUN(test_sgd_by_hand);
    TEST_RUN(test_thread_invariance);
    TEST_RUN(test_nested_call);
    return TEST_DONE();
}
