/* test_rope.c — RoPE's scalings and xPos (pelab/pe/rope.h) against the
 * identities of their papers and of Hugging Face's implementations. Each
 * test names its source; the numbers printed are the measured deviations. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/kernels/attention.h"
#include "pelab/pe/geometry.h"
#include "pelab/pe/rope.h"
#include "test.h"

static pelab_scheme rope_with(const char *scaling, double factor, int L) {
    pelab_scheme s;
    pelab_scheme_init_default(&s, PELAB_SCHEME_ROPE);
    const pelab_scheme_def *def = pelab_scheme_def_get(PELAB_SCHEME_ROPE);
    const pelab_param_def *sd = &def->params[pelab_scheme_param_index(def, "scaling")];
    int found = -1;
    char w[64];
    for (int c = 0; c < pelab_param_choice_count(sd); c++)
        if (strcmp(pelab_param_choice_name(sd, c, w, sizeof w), scaling) == 0) found = c;
    if (found < 0) abort();
    s.params[pelab_scheme_param_index(def, "scaling")] = found;
    s.params[pelab_scheme_param_index(def, "factor")] = factor;
    s.params[pelab_scheme_param_index(def, "original_max_len")] = L;
    return s;
}

static void set_param(pelab_scheme *s, const char *name, double v) {
    const int i = pelab_scheme_param_index(pelab_scheme_def_get(s->id), name);
    if (i < 0) abort();
    s->params[i] = v;
}

static void fill_random(double *x, size_t count, uint64_t stream) {
    pelab_rng r = pelab_rng_make(pelab_hash_str("test_rope"), stream);
    for (size_t i = 0; i < count; i++) x[i] = pelab_rng_normal(&r);
}

static const char *const g_scalings[] = {"pi", "ntk", "dynamic_ntk", "yarn", "llama3"};

/* Every scaling at s = 1 is plain RoPE bit for bit: the same frequencies,
 * mscale 1, and the kernel's output equal to pelab_rope_f64's (and, in the
 * float32 angle mode, to plain RoPE's table in that mode). */
static void test_factor_one_is_plain(void) {
    const int dk = 16, n = 300, H = 2, D = dk * H;
    for (size_t k = 0; k < sizeof g_scalings / sizeof g_scalings[0]; k++)
        for (int form = 0; form < 2; form++) {
            if (form && strcmp(g_scalings[k], "dynamic_ntk") != 0) continue;
            pelab_scheme s = rope_with(g_scalings[k], 1.0, 64), plain;
            if (form) set_param(&s, "dynamic_form", 1);
            if (strcmp(g_scalings[k], "dynamic_ntk") == 0 && !form) set_param(&s, "factor", 0);
            pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
            /* dynamic_ntk's ratio form at s = 1 means n <= L: use n = 64 */
            const int nn = strcmp(g_scalings[k], "dynamic_ntk") == 0 ? 64 : n;
            for (int mode = 0; mode < 2; mode++) {
                const pelab_dtype dt = mode ? PELAB_DTYPE_F32 : PELAB_DTYPE_F64;
                pelab_rope_plan a, b;
                pelab_rope_plan_make(&a, &s, dk, nn, dt);
                pelab_rope_plan_make(&b, &plain, dk, nn, dt);
                for (int i = 0; i < dk / 2; i++) ASSERT_DBL_EQ(a.inv_freq[i], b.inv_freq[i]);
                ASSERT_DBL_EQ(a.table.mscale, 1.0);
                ASSERT_EQ(a.table.angle, b.table.angle);
                double *x = malloc(sizeof(double) * (size_t)nn * D), *y = malloc(sizeof(double) * (size_t)nn * D);
                fill_random(x, (size_t)nn * D, k);
                memcpy(y, x, sizeof(double) * (size_t)nn * D);
                pelab_rope_apply_f64(x, &a.table, 0, 1, 0, nn, D, H);
                if (mode == 0) pelab_rope_f64(y, nn, D, H, 10000.0, 0, 0);
                else pelab_rope_apply_f64(y, &b.table, 0, 1, 0, nn, D, H);
                ASSERT(memcmp(x, y, sizeof(double) * (size_t)nn * D) == 0);
                free(x), free(y);
                pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
            }
        }
}

/* dynamic_ntk is plain RoPE for n <= L (both forms), and not beyond; its
 * ratio form at n = 2L is ntk with s = 2, bit for bit. */
static void test_dynamic_ntk(void) {
    const int dk = 32, L = 64;
    pelab_scheme plain;
    pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
    for (int form = 0; form < 2; form++) {
        pelab_scheme s = rope_with("dynamic_ntk", form ? 4.0 : 0.0, L);
        set_param(&s, "dynamic_form", form);
        for (int n = 1; n <= 2 * L; n++) {
            pelab_rope_plan a, b;
            pelab_rope_plan_make(&a, &s, dk, n, PELAB_DTYPE_F64);
            pelab_rope_plan_make(&b, &plain, dk, n, PELAB_DTYPE_F64);
            int same = 1;
            for (int i = 0; i < dk / 2; i++) same &= a.inv_freq[i] == b.inv_freq[i];
            if (n <= L) ASSERT(same);
            else ASSERT(!same);
            pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
        }
    }
    pelab_scheme dyn = rope_with("dynamic_ntk", 0, L), ntk = rope_with("ntk", 2.0, 0);
    pelab_rope_plan a, b;
    pelab_rope_plan_make(&a, &dyn, dk, 2 * L, PELAB_DTYPE_F64);
    pelab_rope_plan_make(&b, &ntk, dk, 2 * L, PELAB_DTYPE_F64);
    for (int i = 0; i < dk / 2; i++) ASSERT_DBL_EQ(a.inv_freq[i], b.inv_freq[i]);
    pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
    /* the two forms differ: at n = 2L, s = 8 the hf form is ntk at s = 9 */
    pelab_scheme hf = rope_with("dynamic_ntk", 8.0, L), ntk9 = rope_with("ntk", 9.0, 0);
    set_param(&hf, "dynamic_form", 1);
    pelab_rope_plan_make(&a, &hf, dk, 2 * L, PELAB_DTYPE_F64);
    pelab_rope_plan_make(&b, &ntk9, dk, 2 * L, PELAB_DTYPE_F64);
    for (int i = 0; i < dk / 2; i++) ASSERT_DBL_EQ(a.inv_freq[i], b.inv_freq[i]);
    pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
}

/* Position Interpolation (Chen et al. 2023, eq. 4): the angle at position
 * p s under factor s is plain RoPE's at p, bit for bit for s a power of two,
 * in double and in float32 angle modes. */
static void test_pi_interpolates(void) {
    const int dk = 64;
    pelab_scheme plain;
    pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
    double ca[64], cb[64];
    for (int e = 1; e <= 4; e++) {
        const double sf = (double)(1 << e);
        pelab_scheme s = rope_with("pi", sf, 0);
        for (int mode = 0; mode < 2; mode++) {
            const pelab_dtype dt = mode ? PELAB_DTYPE_F32 : PELAB_DTYPE_F64;
            pelab_rope_plan a, b;
            pelab_rope_plan_make(&a, &s, dk, 1, dt);
            pelab_rope_plan_make(&b, &plain, dk, 1, dt);
            for (long p = 0; p < 4096; p += 7) {
                pelab_rope_coeffs(ca, &a.table, p * (1L << e), 1);
                pelab_rope_coeffs(cb, &b.table, p, 1);
                ASSERT(memcmp(ca, cb, sizeof ca) == 0);
            }
            pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
        }
    }
}

/* NTK-aware (YaRN paper, definition 1): base' = base s^(d/(d-2)) leaves pair
 * 0 at frequency 1 and gives the last pair theta / s. */
static void test_ntk_ends(void) {
    double worst = 0;
    for (int dk = 4; dk <= 256; dk *= 2)
        for (double sf = 2; sf <= 64; sf *= 3) {
            pelab_scheme s = rope_with("ntk", sf, 0), plain;
            pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
            pelab_rope_plan a, b;
            pelab_rope_plan_make(&a, &s, dk, 1, PELAB_DTYPE_F64);
            pelab_rope_plan_make(&b, &plain, dk, 1, PELAB_DTYPE_F64);
            ASSERT_DBL_EQ(a.inv_freq[0], 1.0);
            const int last = dk / 2 - 1;
            const double rel = fabs(a.inv_freq[last] - b.inv_freq[last] / sf) / (b.inv_freq[last] / sf);
            worst = fmax(worst, rel);
            ASSERT_DBL_LT(rel, 1e-13);
            pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
        }
    printf("  ntk: last pair vs theta/s, max rel err %.2e\n", worst);
}

/* YaRN at the Llama-2 shape (d 128, base 1e4, L 4096, s 8): pairs 0..20
 * unchanged, 46..63 fully interpolated, 21..45 between; q and k times
 * 0.1 ln s + 1, so every logit times (1 + 0.1 ln s)^2. */
static void test_yarn_llama2(void) {
    const int dk = 128;
    pelab_scheme s = rope_with("yarn", 8.0, 4096), plain;
    pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
    double lo, hi;
    pelab_rope_yarn_range(&lo, &hi, dk, 10000, 4096, 32, 1);
    ASSERT_DBL_EQ(lo, 20);
    ASSERT_DBL_EQ(hi, 46);
    pelab_rope_plan a, b;
    pelab_rope_plan_make(&a, &s, dk, 8192, PELAB_DTYPE_F64);
    pelab_rope_plan_make(&b, &plain, dk, 8192, PELAB_DTYPE_F64);
    for (int i = 0; i <= 20; i++) ASSERT_DBL_EQ(a.inv_freq[i], b.inv_freq[i]);
    for (int i = 46; i < 64; i++) ASSERT_DBL_EQ(a.inv_freq[i], b.inv_freq[i] / 8);
    for (int i = 21; i <= 45; i++) {
        ASSERT_DBL_LT(a.inv_freq[i], b.inv_freq[i]);
        ASSERT_DBL_GT(a.inv_freq[i], b.inv_freq[i] / 8);
    }
    const double m = 1 + 0.1 * log(8.0);
    ASSERT_DBL_EQ(a.table.mscale, m);
    /* the logit of q and k at one position (no rotation left) */
    double q[128], k[128], q0 = 0, q1 = 0;
    fill_random(q, 128, 1);
    fill_random(k, 128, 2);
    for (int c = 0; c < 128; c++) q0 += q[c] * k[c];
    pelab_rope_apply_f64(q, &a.table, 100, 1, 0, 1, 128, 1);
    pelab_rope_apply_f64(k, &a.table, 100, -1, 0, 1, 128, 1);
    for (int c = 0; c < 128; c++) q1 += q[c] * k[c];
    printf("  yarn: logit ratio %.15f, (1 + 0.1 ln 8)^2 = %.15f\n", q1 / q0, m * m);
    ASSERT_NEAR(q1 / q0, m * m, 1e-12 * m * m);
    pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
}

/* Llama 3.1 (d 128, base 5e5, factor 8, L 8192): 29 pairs unchanged, 6
 * smoothed, 29 divided by 8. */
static void test_llama31_counts(void) {
    pelab_scheme s = rope_with("llama3", 0, 0), plain; /* 0: llama3's defaults 8, 8192 */
    set_param(&s, "base", 500000);
    pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
    set_param(&plain, "base", 500000);
    ASSERT_DBL_EQ(pelab_rope_factor(&s), 8);
    ASSERT_EQ(pelab_rope_original_max_len(&s), 8192);
    pelab_rope_plan a, b;
    pelab_rope_plan_make(&a, &s, 128, 1, PELAB_DTYPE_F64);
    pelab_rope_plan_make(&b, &plain, 128, 1, PELAB_DTYPE_F64);
    int same = 0, divided = 0, smoothed = 0;
    for (int i = 0; i < 64; i++) {
        if (a.inv_freq[i] == b.inv_freq[i]) same++;
        else if (a.inv_freq[i] == b.inv_freq[i] / 8) divided++;
        else if (a.inv_freq[i] < b.inv_freq[i] && a.inv_freq[i] > b.inv_freq[i] / 8) smoothed++;
    }
    printf("  llama3: %d unchanged, %d smoothed, %d divided by 8\n", same, smoothed, divided);
    ASSERT_EQ(same, 29);
    ASSERT_EQ(smoothed, 6);
    ASSERT_EQ(divided, 29);
    pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
}

/* Position Interpolation's bound (Chen et al. 2023, eq. 5-7): the score
 * a(s) = Re sum_j h_j e^{i s theta_j} at a fractional position s deviates
 * from the linear interpolation of its integer neighbours by at most
 * d max|h| / (32 ln c), c the base. a at s = p / 8 from the PI table at p,
 * the neighbours from the plain table. */
static void test_pi_bound(void) {
    const int dk = 128, np = 64;
    const double base = 10000;
    double h[128], ca[128], c0[128], c1[128], hmax = 0;
    fill_random(h, 128, 3); /* h_j = h[2j] + i h[2j+1] */
    for (int j = 0; j < np; j++) hmax = fmax(hmax, hypot(h[2 * j], h[2 * j + 1]));
    pelab_scheme s = rope_with("pi", 8.0, 0), plain;
    pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
    pelab_rope_plan a, b;
    pelab_rope_plan_make(&a, &s, dk, 1, PELAB_DTYPE_F64);
    pelab_rope_plan_make(&b, &plain, dk, 1, PELAB_DTYPE_F64);
    const double bound = dk * hmax / (32 * log(base));
    double worst = 0;
    for (long p = 0; p < 8 * 512; p++) {
        const long s1 = p / 8;
        const double t = (double)(p % 8) / 8.0;
        pelab_rope_coeffs(ca, &a.table, p, 1);
        pelab_rope_coeffs(c0, &b.table, s1, 1);
        pelab_rope_coeffs(c1, &b.table, s1 + 1, 1);
        double as = 0, a0 = 0, a1 = 0; /* Re(h e^{i x}) = hr cos x - hi sin x */
        for (int j = 0; j < np; j++) {
            as += h[2 * j] * ca[2 * j] - h[2 * j + 1] * ca[2 * j + 1];
            a0 += h[2 * j] * c0[2 * j] - h[2 * j + 1] * c0[2 * j + 1];
            a1 += h[2 * j] * c1[2 * j] - h[2 * j + 1] * c1[2 * j + 1];
        }
        worst = fmax(worst, fabs(as - ((1 - t) * a0 + t * a1)));
    }
    printf("  pi: max |a(s) - a_linear(s)| = %.4f, bound d max|h| / (32 ln c) = %.4f\n", worst, bound);
    ASSERT_DBL_LE(worst, bound);
    ASSERT_DBL_GT(worst, 0);
    pelab_rope_plan_free(&a), pelab_rope_plan_free(&b);
    /* RoFormer's relative bound at distance 0: sum_{i=1}^{d/2} |S_i| / d =
     * (d + 2) / 8; pelab_geometry_rope_bound is that sum over d/2 */
    for (int d = 2; d <= 256; d += 2)
        ASSERT_NEAR(pelab_geometry_rope_bound(0, d, base) * (d / 2) / d, (d + 2) / 8.0, 1e-12 * d);
}

/* xPos (Sun et al. 2022): zeta_0^(-p/512) overflows float16 near p = 4532
 * and float32 near 36261 without centring; centred (torchscale) keys of
 * 40000 positions stay finite in float32, uncentred ones do not. */
static void test_xpos_overflow(void) {
    const int dk = 64;
    const double z0 = pelab_xpos_zeta(0, dk);
    ASSERT_NEAR(z0, 0.4 / 1.4, 1e-16);
    long p16 = -1, p32 = -1;
    for (long p = 0; p < 50000 && p32 < 0; p++) {
        const double g = pow(z0, -(double)p / 512);
        if (p16 < 0 && g > 65504) p16 = p;
        if (p32 < 0 && g > FLT_MAX) p32 = p;
    }
    printf("  xpos: zeta_0^(-p/512) passes 65504 at p = %ld, FLT_MAX at p = %ld\n", p16, p32);
    ASSERT(p16 >= 4530 && p16 <= 4535);
    ASSERT(p32 >= 36259 && p32 <= 36264);
    const int n = 40000;
    for (int centre = 0; centre < 2; centre++) {
        pelab_scheme s;
        pelab_scheme_init_default(&s, PELAB_SCHEME_XPOS);
        set_param(&s, "centre", centre); /* 0 half, 1 none */
        pelab_rope_plan r;
        pelab_rope_plan_make(&r, &s, dk, n, PELAB_DTYPE_F32);
        float *k = malloc(sizeof(float) * (size_t)n * dk);
        for (size_t i = 0; i < (size_t)n * dk; i++) k[i] = 1.0f;
        pelab_rope_apply_f32(k, &r.table, 0, -1, 0, n, dk, 1);
        int finite = 1;
        for (size_t i = 0; i < (size_t)n * dk; i++) finite &= isfinite(k[i]) != 0;
        ASSERT_EQ(finite, centre == 0);
        free(k);
        pelab_rope_plan_free(&r);
    }
}

/* xPos's logit q_i . k_j depends on i - j only (the scales multiply to
 * zeta^((i - j)/512)): positions offset by 37 give the same logits. */
static void test_xpos_relative(void) {
    const int dk = 32, n = 64;
    pelab_scheme s;
    pelab_scheme_init_default(&s, PELAB_SCHEME_XPOS);
    set_param(&s, "centre", 1);
    pelab_rope_plan r;
    pelab_rope_plan_make(&r, &s, dk, n, PELAB_DTYPE_F64);
    double q[32 * 64], k[32 * 64], q2[32 * 64], k2[32 * 64], worst = 0;
    fill_random(q, sizeof q / sizeof q[0], 4);
    fill_random(k, sizeof k / sizeof k[0], 5);
    for (int i = 0; i < n; i++) /* the same vector at every row */
        memcpy(q + i * dk, q, sizeof(double) * dk), memcpy(k + i * dk, k, sizeof(double) * dk);
    memcpy(q2, q, sizeof q), memcpy(k2, k, sizeof k);
    pelab_rope_apply_f64(q, &r.table, 0, 1, 0, n, dk, 1);
    pelab_rope_apply_f64(k, &r.table, 0, -1, 0, n, dk, 1);
    pelab_rope_apply_f64(q2, &r.table, 37, 1, 0, n, dk, 1);
    pelab_rope_apply_f64(k2, &r.table, 37, -1, 0, n, dk, 1);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double a = 0, b = 0;
            for (int c = 0; c < dk; c++) a += q[i * dk + c] * k[j * dk + c], b += q2[i * dk + c] * k2[j * dk + c];
            worst = fmax(worst, fabs(a - b) / fmax(1e-300, fabs(a)));
        }
    printf("  xpos: logits at offset 37 vs 0, max rel diff %.2e\n", worst);
    ASSERT_DBL_LT(worst, 1e-10);
    pelab_rope_plan_free(&r);
}

/* The backward's transpose is the adjoint: <T x, y> = <x, T^t y>, for every
 * scaling and xPos, queries and keys. */
static void test_transpose_is_adjoint(void) {
    const int dk = 16, H = 2, D = 32, n = 50;
    pelab_scheme schemes[7];
    for (int k = 0; k < 5; k++) schemes[k] = rope_with(g_scalings[k], 3.0, 20);
    pelab_scheme_init_default(&schemes[5], PELAB_SCHEME_XPOS);
    pelab_scheme_init_default(&schemes[6], PELAB_SCHEME_ROPE);
    double x[32 * 50], y[32 * 50], tx[32 * 50], ty[32 * 50], worst = 0;
    for (int k = 0; k < 7; k++)
        for (int sign = -1; sign <= 1; sign += 2) {
            pelab_rope_plan r;
            pelab_rope_plan_make(&r, &schemes[k], dk, n, PELAB_DTYPE_F64);
            fill_random(x, sizeof x / sizeof x[0], 6 + k);
            fill_random(y, sizeof y / sizeof y[0], 16 + k);
            memcpy(tx, x, sizeof x), memcpy(ty, y, sizeof y);
            pelab_rope_apply_f64(tx, &r.table, 3, sign, 0, n, D, H);
            pelab_rope_apply_f64(ty, &r.table, 3, sign, 1, n, D, H);
            double a = 0, b = 0;
            for (int i = 0; i < n * D; i++) a += tx[i] * y[i], b += x[i] * ty[i];
            worst = fmax(worst, fabs(a - b) / fabs(a));
            ASSERT_DBL_LT(fabs(a - b), 1e-12 * fabs(a) + 1e-12);
            pelab_rope_plan_free(&r);
        }
    printf("  transpose vs adjoint: max rel diff %.2e\n", worst);
}

/* apply: eval — a training step sees plain RoPE (the frequencies and mscale
 * of the scaling none, bit for bit), evaluation the scaling; apply: always
 * and the scaling none are left as they are. */
static void test_apply_eval(void) {
    const int dk = 32, n = 128;
    pelab_scheme plain;
    pelab_scheme_init_default(&plain, PELAB_SCHEME_ROPE);
    pelab_rope_plan p0;
    pelab_rope_plan_make(&p0, &plain, dk, n, PELAB_DTYPE_F64);
    for (size_t k = 0; k < sizeof g_scalings / sizeof g_scalings[0]; k++) {
        pelab_scheme s = rope_with(g_scalings[k], 8.0, 16);
        for (int apply = 0; apply < 2; apply++) {
            set_param(&s, "apply", apply);
            const pelab_scheme t = pelab_rope_for_training(&s);
            pelab_rope_plan ps, pt;
            pelab_rope_plan_make(&ps, &s, dk, n, PELAB_DTYPE_F64);
            pelab_rope_plan_make(&pt, &t, dk, n, PELAB_DTYPE_F64);
            int differs = 0;
            for (int i = 0; i < dk / 2; i++) {
                ASSERT_DBL_EQ(pt.inv_freq[i], apply ? p0.inv_freq[i] : ps.inv_freq[i]);
                differs |= ps.inv_freq[i] != p0.inv_freq[i];
            }
            ASSERT_DBL_EQ(pt.table.mscale, apply ? 1.0 : ps.table.mscale);
            ASSERT(differs); /* the scaling itself is not plain at s = 8, n = 8L */
            pelab_rope_plan_free(&ps), pelab_rope_plan_free(&pt);
        }
    }
    const pelab_scheme t = pelab_rope_for_training(&plain);
    ASSERT(memcmp(&t, &plain, sizeof t) == 0);
    pelab_rope_plan_free(&p0);
    printf("  apply eval: training sees plain rope bit for bit for all %zu scalings; apply always keeps them\n",
           sizeof g_scalings / sizeof g_scalings[0]);
}

int main(void) {
    TEST_RUN(test_factor_one_is_plain);
    TEST_RUN(test_dynamic_ntk);
    TEST_RUN(test_pi_interpolates);
    TEST_RUN(test_ntk_ends);
    TEST_RUN(test_yarn_llama2);
    TEST_RUN(test_llama31_counts);
    TEST_RUN(test_pi_bound);
    TEST_RUN(test_xpos_overflow);
    TEST_RUN(test_xpos_relative);
    TEST_RUN(test_transpose_is_adjoint);
    TEST_RUN(test_apply_eval);
    return TEST_DONE();
}
