/* test_geometry.c — position geometry, checked against the literature and
 * against closed forms worked out here, never against geometry.c itself:
 *   Vaswani et al. 2017, "Attention Is All You Need", §3.5 (sinusoids)
 *   Su et al. 2021, "RoFormer", Eq. 16 (§3.4.2) and §3.4.3 (long-term decay)
 *   Press et al. 2022, "Train Short, Test Long" (ALiBi), §3
 *   Raffel et al. 2020, "Exploring the Limits of Transfer Learning" (T5), §2.1
 * ALiBi slopes and T5 buckets themselves are tested in test_encoding.c. */
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelab/pe/encoding.h"
#include "pelab/pe/geometry.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"
#include "schemes.h"
#include "test.h"

static pelab_geometry_result measure(pelab_scheme_id id, int n, int d, int f32) {
    pelab_scheme s = scheme(id);
    pelab_geometry_result r;
    pelab_geometry_measure(&r, &s, 1, n, d, f32, 1e18);
    return r;
}

#define V(r, M) ((r).value[PELAB_GEOMETRY_##M])
#define DEF(r, M) ((r).defined[PELAB_GEOMETRY_##M])
/* undefined: NaN and the flag down, never 0 */
#define ASSERT_UNDEFINED(r, M)        \
    do {                              \
        ASSERT_EQ(DEF(r, M), 0);      \
        ASSERT(isnan(V(r, M)));       \
    } while (0)

/* ---- an independent Spearman: qsort, average ranks, Pearson ----------------- */

static const double *g_sort_keys;
static int cmp_key(const void *a, const void *b) {
    double x = g_sort_keys[*(const int *)a], y = g_sort_keys[*(const int *)b];
    return (x > y) - (x < y);
}

static void ranks(double *r, const double *v, int m) {
    int *idx = pelab_xmalloc(sizeof(int) * m);
    for (int i = 0; i < m; i++) idx[i] = i;
    g_sort_keys = v;
    qsort(idx, (size_t)m, sizeof(int), cmp_key);
    for (int i = 0; i < m;) {
        int j = i;
        while (j + 1 < m && v[idx[j + 1]] == v[idx[i]]) j++;
        for (int t = i; t <= j; t++) r[idx[t]] = (i + j) / 2.0 + 1;
        i = j + 1;
    }
    free(idx);
}

/* Spearman between |p - q| and -Phi(p, q) over every ordered pair p != q. */
static double brute_spearman(const double *phi, int n) {
    const int m = n * (n - 1);
    double *x = pelab_xmalloc(sizeof(double) * m), *y = pelab_xmalloc(sizeof(double) * m);
    double *rx = pelab_xmalloc(sizeof(double) * m), *ry = pelab_xmalloc(sizeof(double) * m);
    int t = 0;
    for (int p = 0; p < n; p++)
        for (int q = 0; q < n; q++)
            if (p != q) x[t] = abs(p - q), y[t++] = -phi[p * n + q];
    ranks(rx, x, m);
    ranks(ry, y, m);
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
    for (int i = 0; i < m; i++) mx += rx[i], my += ry[i];
    mx /= m, my /= m;
    for (int i = 0; i < m; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    free(x), free(y), free(rx), free(ry);
    return sxy / sqrt(sxx * syy);
}

/* ---- Vaswani et al. 2017, §3.5 ---------------------------------------------- */

static void test_sinusoidal_identities_through_metrics(void) {
    enum { N = 256, D = 64 };
    pelab_scheme s = scheme(PELAB_SCHEME_SINUSOIDAL);
    double *phi = pelab_xmalloc(sizeof(double) * N * N);
    pelab_geometry_phi(phi, &s, 1, N, D);
    /* ||PE_p||^2 = sum_i sin^2 + cos^2 = d/2 */
    for (int p = 0; p < N; p++) ASSERT_NEAR(phi[p * N + p], D / 2.0, 1e-12);
    /* PE_p . PE_{p+k} = sum_i cos(k w_i), w_i = 10000^(-2i/d): independent of p */
    for (int k = 0; k < 80; k += 7) {
        double want = 0;
        for (int i = 0; i < D / 2; i++) want += cos(k * pow(10000.0, -2.0 * i / D));
        for (int p = 0; p + k < N; p += 5) ASSERT_NEAR(phi[p * N + p + k], want, 1e-12);
    }
    free(phi);
    /* ... hence translation invariance: ti_residual ~ 0 (rounding only), and
     * the dot product is symmetric: sym_residual = 0 */
    for (int f32 = 0; f32 <= 1; f32++) {
        pelab_geometry_result r = measure(PELAB_SCHEME_SINUSOIDAL, 512, D, f32);
        ASSERT(DEF(r, TI_RESIDUAL));
        ASSERT_DBL_LT(V(r, TI_RESIDUAL), 1e-13);
        ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);
        ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0); /* PE_p does not depend on n */
        ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 0);
        /* nearest positions are neighbours: ||PE_p - PE_{p+1}||^2 =
         * sum_i 4 sin^2(w_i / 2) (same derivation, both pairs of a frequency) */
        double want = 0;
        for (int i = 0; i < D / 2; i++) want += 4 * pow(sin(pow(10000.0, -2.0 * i / D) / 2), 2);
        ASSERT_NEAR(V(r, POS_MIN_DIST), sqrt(want), f32 ? 1e-6 : 1e-12);
        /* Phi(0, k) = sum_i cos(k w_i) first rises at the k found here */
        int kb = -1;
        for (int k = 1; k < 511 && kb < 0; k++) {
            double a = 0, b = 0;
            for (int i = 0; i < D / 2; i++) {
                a += cos(k * pow(10000.0, -2.0 * i / D));
                b += cos((k + 1) * pow(10000.0, -2.0 * i / D));
            }
            if (b > a) kb = k;
        }
        ASSERT_DBL_EQ(V(r, MONO_BREAK), kb);
    }
}

/* ---- dot-product schemes: Phi = PE PE^T is symmetric ------------------------ */

static void test_sym_residual_dot_products(void) {
    static const pelab_scheme_id ids[] = {PELAB_SCHEME_INDEX, PELAB_SCHEME_INDEX_NORM, PELAB_SCHEME_SINUSOIDAL,
                                          PELAB_SCHEME_ONEHOT, PELAB_SCHEME_BINARY, PELAB_SCHEME_LEARNED,
                                          PELAB_SCHEME_ROPE, PELAB_SCHEME_ALIBI, PELAB_SCHEME_NONE};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        pelab_geometry_result r = measure(ids[i], 200, 16, 1);
        ASSERT(DEF(r, SYM_RESIDUAL));
        ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);
    }
}

/* ---- index: Phi(p, q) = (p+1)(q+1) ----------------------------------------- */

static void test_index_closed_forms(void) {
    enum { N = 64 };
    pelab_scheme s = scheme(PELAB_SCHEME_INDEX);
    double phi[N * N];
    pelab_geometry_phi(phi, &s, 1, N, 8);
    for (int p = 0; p < N; p++)
        for (int q = 0; q < N; q++) ASSERT_DBL_EQ(phi[p * N + q], (double)(p + 1) * (q + 1));
    pelab_geometry_result r = measure(PELAB_SCHEME_INDEX, N, 8, 0);
    /* ti_residual by hand: offset k has values a(a+k), a = 1..N-k */
    double ti = 0;
    for (int k = 1; k <= N - 1; k++) {
        const int m = N - k;
        double mean = 0, ss = 0;
        for (int a = 1; a <= m; a++) mean += (double)a * (a + k) / m;
        for (int a = 1; a <= m; a++) ss += ((double)a * (a + k) - mean) * ((double)a * (a + k) - mean);
        ti += sqrt(ss / m) / mean; /* values > 0: mean |Phi| = mean */
    }
    ti /= N - 1;
    ASSERT_DBL_GT(V(r, TI_RESIDUAL), 0.5);
    ASSERT_NEAR(V(r, TI_RESIDUAL), ti, 1e-12);
    /* Phi(0, k) = k + 1 rises from the first step */
    ASSERT_DBL_EQ(V(r, MONO_BREAK), 1);
    /* Spearman of |p - q| against -Phi: POSITIVE, about +0.22 (a literal
     * reading of "similarity grows with the index" suggests negative, but a
     * far pair must contain a small index, so (p+1)(q+1) falls with the
     * distance on average: E[Phi | k] ~ n(n-k)/2 - (n-k)^2/6 decreases in k). */
    ASSERT_NEAR(V(r, MONO_SPEARMAN), brute_spearman(phi, N), 1e-12);
    ASSERT_DBL_GT(V(r, MONO_SPEARMAN), 0.2);
    ASSERT_DBL_LT(V(r, MONO_SPEARMAN), 0.25);
    /* integers 1..N: neighbours at distance 1, no collisions */
    ASSERT_DBL_EQ(V(r, POS_MIN_DIST), 1);
    ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 0);
    ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
}

/* ---- length consistency ---------------------------------------------------- */

static void test_length_consistency(void) {
    /* index_norm: max_p |(p+1)/n - (p+1)/(2n)| = (p+1)/(2n), at p = n-1: 1/2 */
    static const int ns[] = {1, 2, 7, 512, 1000};
    for (int t = 0; t < 5; t++) {
        pelab_geometry_result r = measure(PELAB_SCHEME_INDEX_NORM, ns[t], 4, 1);
        ASSERT(DEF(r, LENGTH_CONSISTENCY));
        ASSERT_NEAR(V(r, LENGTH_CONSISTENCY), 0.5, 1e-15);
    }
    /* with max_len fixed at L >= 2n the positions do not move: 0 */
    pelab_scheme s = scheme_with(PELAB_SCHEME_INDEX_NORM, "max_len", 4096);
    pelab_geometry_result r;
    pelab_geometry_measure(&r, &s, 1, 100, 4, 1, 1e18);
    ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
    /* ... but L < 2n cannot encode the longer sequence: undefined */
    s = scheme_with(PELAB_SCHEME_INDEX_NORM, "max_len", 150);
    pelab_geometry_measure(&r, &s, 1, 100, 4, 1, 1e18);
    ASSERT_UNDEFINED(r, LENGTH_CONSISTENCY);
    /* onehot (width n vs 2n, zero-padded) and binary (B vs B+1 bits; bit B
     * of p < n is 0): the same row */
    r = measure(PELAB_SCHEME_ONEHOT, 100, 4, 1);
    ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
    r = measure(PELAB_SCHEME_BINARY, 100, 4, 1);
    ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
    /* learned: row p depends on (seed, p) only; 2n beyond max_len: undefined */
    r = measure(PELAB_SCHEME_LEARNED, 256, 8, 1);
    ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
    r = measure(PELAB_SCHEME_LEARNED, 257, 8, 1);
    ASSERT_UNDEFINED(r, LENGTH_CONSISTENCY);
    /* logit schemes: Phi rows over the shared positions; none of rope, ALiBi,
     * bidirectional T5 depends on n */
    static const pelab_scheme_id logit[] = {PELAB_SCHEME_ROPE, PELAB_SCHEME_ALIBI, PELAB_SCHEME_T5,
                                            PELAB_SCHEME_NONE};
    for (int t = 0; t < 4; t++) {
        r = measure(logit[t], 300, 8, 1);
        ASSERT(DEF(r, LENGTH_CONSISTENCY));
        ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
    }
}

/* ---- distinguishability in float32 ------------------------------------------ */

static void test_collisions_crafted(void) {
    /* rows: r0 = r2 = r4 (3 pairs), r1 vs r3 equal only after rounding to
     * float (4 + 2^-30 rounds to 4), r5 = -0 vs r6 = +0 in column 1 (equal) */
    const double e = ldexp(1, -30);
    const double pe[] = {1, 2, 3, 4, 1, 2, 3, 4 + e, 1, 2, 7, -0.0, 7, 0.0};
    double md;
    int mdd;
    long long coll;
    pelab_geometry_distinct(&md, &mdd, &coll, pe, 7, 2, 0);
    ASSERT_EQ(coll, 3 + 1);
    ASSERT_EQ(mdd, 1);
    ASSERT_DBL_EQ(md, 0);
    pelab_geometry_distinct(&md, &mdd, &coll, pe, 7, 2, 1);
    ASSERT_EQ(coll, 3 + 1 + 1);
    /* without the duplicates: rows r1, r3: in f64 at distance 2^-30, in f32 equal */
    const double two[] = {3, 4, 3, 4 + e};
    pelab_geometry_distinct(&md, &mdd, &coll, two, 2, 2, 0);
    ASSERT_EQ(coll, 0);
    ASSERT_DBL_EQ(md, e);
    pelab_geometry_distinct(&md, &mdd, &coll, two, 2, 2, 1);
    ASSERT_EQ(coll, 1);
    ASSERT_DBL_EQ(md, 0);
    /* one column, unsorted: 5, 1, 5, 3, 1, 5 -> runs {1,1} and {5,5,5}: 1 + 3 */
    const double col[] = {5, 1, 5, 3, 1, 5};
    pelab_geometry_distinct(&md, &mdd, &coll, col, 6, 1, 1);
    ASSERT_EQ(coll, 4);
    ASSERT_DBL_EQ(md, 0);
    const double col2[] = {5, 1.5, 9, 3};
    pelab_geometry_distinct(&md, &mdd, &coll, col2, 4, 1, 1);
    ASSERT_EQ(coll, 0);
    ASSERT_DBL_EQ(md, 1.5);
    /* n = 1: no pair */
    pelab_geometry_distinct(&md, &mdd, &coll, col2, 1, 1, 1);
    ASSERT_EQ(coll, 0);
    ASSERT_EQ(mdd, 0);
    ASSERT(isnan(md));
}

/* float32 has a 24-bit significand: integers up to 2^24 are exact, 2^24 + 1
 * is halfway between 2^24 and 2^24 + 2 and rounds to even (2^24), 2^24 + 3
 * rounds to 2^24 + 4. So index at n = 2^24 + 4 (values 1 .. 2^24 + 4) has
 * exactly two colliding pairs in f32 and none in f64. */
static void test_collisions_index_f32(void) {
    const int n = (1 << 24) + 4;
    pelab_scheme s = scheme(PELAB_SCHEME_INDEX);
    double *pe = pelab_xmalloc(sizeof(double) * n);
    pelab_encoding_positions(pe, &s, 1, n, 1);
    double md, t0 = omp_get_wtime();
    int mdd;
    long long coll;
    pelab_geometry_distinct(&md, &mdd, &coll, pe, n, 1, 1);
    const double el = omp_get_wtime() - t0;
    ASSERT_EQ(coll, 2);
    ASSERT_DBL_EQ(md, 0);
    pelab_geometry_distinct(&md, &mdd, &coll, pe, n, 1, 0);
    ASSERT_EQ(coll, 0);
    ASSERT_DBL_EQ(md, 1);
    /* one below the edge: 1 .. 2^24 are all exact */
    pelab_geometry_distinct(&md, &mdd, &coll, pe, 1 << 24, 1, 1);
    ASSERT_EQ(coll, 0);
    ASSERT_DBL_EQ(md, 1);
    printf("     (index, n = 2^24 + 4, f32: %.2f s)\n", el);
    free(pe);
}

/* index_norm (p+1)/n: for n <= 2^24 the step 1/n is at least the float
 * spacing 2^-24 of [1/2, 1), so no two positions meet; just above 2^24 they
 * do. The full metric at n = 2^24 + 4 would also build the 2n table, so the
 * counter is run on the positions. */
static void test_collisions_index_norm_f32(void) {
    static const int ns[] = {1 << 24, (1 << 24) + 4};
    for (int t = 0; t < 2; t++) {
        const int n = ns[t];
        pelab_scheme s = scheme(PELAB_SCHEME_INDEX_NORM);
        double *pe = pelab_xmalloc(sizeof(double) * n);
        pelab_encoding_positions(pe, &s, 1, n, 1);
        double md;
        int mdd;
        long long coll;
        pelab_geometry_distinct(&md, &mdd, &coll, pe, n, 1, 1);
        if (t == 0) {
            ASSERT_EQ(coll, 0);
            ASSERT_DBL_GT(md, 0);
        } else {
            ASSERT_GT(coll, 0);
            ASSERT_DBL_EQ(md, 0);
        }
        pelab_geometry_distinct(&md, &mdd, &coll, pe, n, 1, 0);
        ASSERT_EQ(coll, 0);
        free(pe);
    }
}

/* min distance of the multi-column schemes against a direct double loop */
static void test_min_dist_all_pairs(void) {
    pelab_geometry_result r;
    /* onehot: ||e_p - e_q|| = sqrt(2); binary: 0 and 1 differ in one bit */
    r = measure(PELAB_SCHEME_ONEHOT, 300, 8, 1);
    ASSERT_DBL_EQ(V(r, POS_MIN_DIST), (double)sqrtf(2.0f));
    ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 0);
    r = measure(PELAB_SCHEME_ONEHOT, 300, 8, 0);
    ASSERT_DBL_EQ(V(r, POS_MIN_DIST), sqrt(2.0));
    r = measure(PELAB_SCHEME_BINARY, 300, 8, 1);
    ASSERT_DBL_EQ(V(r, POS_MIN_DIST), 1);
    ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 0);
    /* learned, 200 x 24 */
    enum { N = 200, D = 24 };
    pelab_scheme s = scheme(PELAB_SCHEME_LEARNED);
    double *pe = pelab_xmalloc(sizeof(double) * N * D);
    pelab_encoding_positions(pe, &s, 1, N, D);
    double best = INFINITY;
    for (int p = 0; p < N; p++)
        for (int q = 0; q < N; q++) {
            if (p == q) continue;
            double ss = 0;
            for (int c = 0; c < D; c++) ss += (pe[p * D + c] - pe[q * D + c]) * (pe[p * D + c] - pe[q * D + c]);
            best = fmin(best, sqrt(ss));
        }
    free(pe);
    r = measure(PELAB_SCHEME_LEARNED, N, D, 0);
    ASSERT_NEAR(V(r, POS_MIN_DIST), best, 1e-14);
    r = measure(PELAB_SCHEME_LEARNED, N, D, 1);
    ASSERT_NEAR(V(r, POS_MIN_DIST), best, 1e-6 * best);
    /* above PELAB_GEOMETRY_PAIRS_MAX a multi-column scheme without collisions
     * has no min distance (not computed); its collision count stays exact */
    r = measure(PELAB_SCHEME_BINARY, PELAB_GEOMETRY_PAIRS_MAX + 1, 8, 1);
    ASSERT_UNDEFINED(r, POS_MIN_DIST);
    ASSERT(DEF(r, POS_COLLISIONS));
    ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 0);
    /* learned with std 0: every row is 0, n(n-1)/2 collisions, distance 0 */
    s = scheme_with(PELAB_SCHEME_LEARNED, "std", 0);
    s.params[pelab_scheme_param_index(pelab_scheme_def_get(PELAB_SCHEME_LEARNED), "max_len")] = 8192;
    pelab_geometry_measure(&r, &s, 1, 5000, 4, 1, 1e18);
    ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 5000.0 * 4999 / 2);
    ASSERT_DBL_EQ(V(r, POS_MIN_DIST), 0);
    ASSERT_UNDEFINED(r, SYM_RESIDUAL); /* Phi = 0 */
}

/* learned: Phi(p, p+k) = sum of d products of independent N(0, std^2)
 * entries, nearly normal with mean 0 and the same spread at every offset,
 * so std / mean |.| -> sqrt(pi/2) = 1.2533 (the ratio for a centred normal):
 * an untrained table is as far from translation invariance as noise is. */
static void test_learned_ti_is_noise(void) {
    pelab_geometry_result r = measure(PELAB_SCHEME_LEARNED, 512, 64, 1);
    ASSERT_NEAR(V(r, TI_RESIDUAL), sqrt(acos(-1.0) / 2), 0.03);
    ASSERT_NEAR(V(r, MONO_SPEARMAN), 0, 0.02); /* no relation to distance */
}

/* ---- RoFormer (Su et al. 2021) ---------------------------------------------- */

/* Eq. 16: <R_m q, R_n k> = <q, R_{n-m} k>. With q = k = u = ones/sqrt(d),
 * each pair i contributes (2/d) cos((n-m) theta_i) and an odd last dimension
 * 1/d, so Phi(m, n) = [(2/d) sum_i cos((n-m) theta_i) + (d odd)/d] / sqrt(d):
 * a function of n - m alone, so ti_residual ~ 1e-15, for either pairing. */
static void test_rope_relative_property(void) {
    static const int ds[] = {64, 65};
    for (int t = 0; t < 2; t++)
        for (int half = 0; half <= 1; half++) {
            const int d = ds[t], N = 128;
            pelab_scheme s = scheme_with(PELAB_SCHEME_ROPE, "pairing", half);
            double *phi = pelab_xmalloc(sizeof(double) * N * N);
            pelab_geometry_phi(phi, &s, 1, N, d);
            for (int m = 0; m < N; m += 3)
                for (int n = 0; n < N; n += 5) {
                    double want = (d % 2) ? 1.0 / d : 0;
                    for (int i = 0; i < d / 2; i++) want += 2.0 / d * cos((n - m) * pow(10000.0, -2.0 * i / d));
                    ASSERT_NEAR(phi[m * N + n], want / sqrt((double)d), 1e-14);
                }
            free(phi);
            pelab_geometry_result r;
            pelab_geometry_measure(&r, &s, 1, 512, d, 1, 1e18);
            ASSERT_DBL_LT(V(r, TI_RESIDUAL), 1e-12);
            ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);
            ASSERT_UNDEFINED(r, POS_MIN_DIST);
            ASSERT_UNDEFINED(r, POS_COLLISIONS);
        }
    /* Interleaved RoPE of width d and the sinusoidal table of width d give
     * Phi's proportional to the same sum_i cos(k w_i) (factor 2/d^1.5): the
     * same order of pairs, so the same Spearman and the same first rise (up
     * to rounding among exact ties of the closed form). */
    pelab_geometry_result a = measure(PELAB_SCHEME_ROPE, 512, 64, 1);
    pelab_geometry_result b = measure(PELAB_SCHEME_SINUSOIDAL, 512, 64, 1);
    ASSERT_NEAR(V(a, MONO_SPEARMAN), V(b, MONO_SPEARMAN), 1e-4);
    ASSERT_DBL_EQ(V(a, MONO_BREAK), V(b, MONO_BREAK));
    ASSERT_DBL_GT(V(a, MONO_SPEARMAN), 0.5); /* decays with distance on the whole */
}

/* §3.4.3, the long-term-decay bound, against complex arithmetic written out
 * here: B(m) = (1/(d/2)) sum_{j=1}^{d/2} |S_j|, S_j = sum_{k<j} e^{i m theta_k}. */
static double bound_ref(int m, int d) {
    double acc = 0;
    for (int j = 1; j <= d / 2; j++) {
        double re = 0, im = 0;
        for (int k = 0; k < j; k++) {
            re += cos(m * pow(10000.0, -2.0 * k / d));
            im += sin(m * pow(10000.0, -2.0 * k / d));
        }
        acc += hypot(re, im);
    }
    return acc / (d / 2);
}

static void test_rope_decay_bound(void) {
    const int d = 128;
    ASSERT_NEAR(pelab_geometry_rope_bound(0, d, 10000), (d / 2 + 1) / 2.0, 1e-12); /* S_j = j */
    for (int m = 0; m <= 300; m += 13) ASSERT_NEAR(pelab_geometry_rope_bound(m, d, 10000), bound_ref(m, d), 1e-10);
    /* Fig. 2: it decays with the relative distance (strictly over 0..16) */
    for (int m = 1; m <= 16; m++)
        ASSERT_DBL_LT(pelab_geometry_rope_bound(m, d, 10000), pelab_geometry_rope_bound(m - 1, d, 10000));
}

/* ---- ALiBi (Press et al. 2022, §3) ------------------------------------------ */

static void test_alibi_geometry(void) {
    /* one head: slope 2^-8; Phi(p, q) = 1/sqrt(d) - 2^-8 |q - p| (u.u = 1) */
    enum { N = 50, D = 16 };
    pelab_scheme s = scheme(PELAB_SCHEME_ALIBI);
    double phi[N * N];
    pelab_geometry_phi(phi, &s, 1, N, D);
    for (int p = 0; p < N; p++)
        for (int q = 0; q < N; q++) ASSERT_NEAR(phi[p * N + q], 0.25 - abs(q - p) / 256.0, 1e-15);
    pelab_geometry_result r = measure(PELAB_SCHEME_ALIBI, 512, 64, 1);
    ASSERT_DBL_EQ(V(r, TI_RESIDUAL), 0);       /* a function of q - p only */
    ASSERT_UNDEFINED(r, MONO_BREAK);            /* strictly decreasing */
    ASSERT_NEAR(V(r, MONO_SPEARMAN), 1, 1e-15); /* -Phi increasing in |p - q| */
    ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);       /* |q - p| = |p - q| */
    ASSERT_UNDEFINED(r, POS_MIN_DIST);
    ASSERT_UNDEFINED(r, POS_COLLISIONS);
    /* above PELAB_GEOMETRY_ALL_PAIRS_N the pairs are sampled: still exactly 1 */
    r = measure(PELAB_SCHEME_ALIBI, 2000, 64, 1);
    ASSERT_NEAR(V(r, MONO_SPEARMAN), 1, 1e-15);
}

/* ---- T5 (Raffel et al. 2020, §2.1) ------------------------------------------ */

static void test_t5_geometry(void) {
    /* a scalar per bucket of the offset: translation invariant, but the
     * bidirectional buckets of +r and -r hold different scalars: asymmetric */
    enum { N = 100, D = 16 };
    pelab_scheme s = scheme(PELAB_SCHEME_T5);
    double *phi = pelab_xmalloc(sizeof(double) * N * N);
    pelab_geometry_phi(phi, &s, 1, N, D);
    double num = 0, den = 0;
    for (int p = 0; p < N; p++)
        for (int q = 0; q < N; q++) {
            num += (phi[p * N + q] - phi[q * N + p]) * (phi[p * N + q] - phi[q * N + p]);
            den += phi[p * N + q] * phi[p * N + q];
        }
    pelab_geometry_result r = measure(PELAB_SCHEME_T5, N, D, 1);
    ASSERT_DBL_GT(V(r, SYM_RESIDUAL), 0.1);
    ASSERT_NEAR(V(r, SYM_RESIDUAL), sqrt(num / den), 1e-12);
    ASSERT_DBL_EQ(V(r, TI_RESIDUAL), 0);
    ASSERT_NEAR(V(r, MONO_SPEARMAN), brute_spearman(phi, N), 1e-12);
    free(phi);
}

/* ---- none, n = 1, undefined flags ------------------------------------------- */

static void test_none_and_degenerate(void) {
    pelab_geometry_result r = measure(PELAB_SCHEME_NONE, 64, 16, 1);
    ASSERT_UNDEFINED(r, POS_MIN_DIST);
    ASSERT_UNDEFINED(r, POS_COLLISIONS);
    ASSERT_DBL_EQ(V(r, LENGTH_CONSISTENCY), 0);
    ASSERT_DBL_EQ(V(r, TI_RESIDUAL), 0);
    ASSERT_UNDEFINED(r, MONO_BREAK);    /* constant: never rises */
    ASSERT_UNDEFINED(r, MONO_SPEARMAN); /* no variance */
    ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);
    /* n = 1: one position, nothing to compare */
    r = measure(PELAB_SCHEME_SINUSOIDAL, 1, 16, 1);
    ASSERT_UNDEFINED(r, POS_MIN_DIST);
    ASSERT_DBL_EQ(V(r, POS_COLLISIONS), 0);
    ASSERT_UNDEFINED(r, TI_RESIDUAL);
    ASSERT_UNDEFINED(r, MONO_BREAK);
    ASSERT_UNDEFINED(r, MONO_SPEARMAN);
    ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);
    /* n = 2: one distance only, Spearman undefined */
    r = measure(PELAB_SCHEME_INDEX, 2, 4, 1);
    ASSERT_UNDEFINED(r, MONO_SPEARMAN);
    ASSERT(DEF(r, TI_RESIDUAL));
    ASSERT_DBL_EQ(V(r, TI_RESIDUAL), 0); /* one value at k = 1 */
    /* onehot: Phi(p, q) = [p == q]; every offset k >= 1 is all zeros */
    r = measure(PELAB_SCHEME_ONEHOT, 64, 4, 1);
    ASSERT_DBL_EQ(V(r, TI_RESIDUAL), 0);
    ASSERT_UNDEFINED(r, MONO_BREAK);
    ASSERT_UNDEFINED(r, MONO_SPEARMAN);
    /* every defined flag matches a finite value, every undefined one a NaN */
    for (int id = 0; id < PELAB_SCHEME_COUNT; id++) {
        r = measure((pelab_scheme_id)id, 100, 8, 1);
        for (int k = 0; k < PELAB_GEOMETRY_COUNT; k++) ASSERT_EQ(r.defined[k], isfinite(r.value[k]) ? 1 : 0);
    }
}

/* ---- determinism, sampling, phi_row, timing --------------------------------- */

static void test_deterministic_across_threads(void) {
    static const pelab_scheme_id ids[] = {PELAB_SCHEME_SINUSOIDAL, PELAB_SCHEME_LEARNED, PELAB_SCHEME_T5,
                                          PELAB_SCHEME_ONEHOT};
    const int saved = omp_get_max_threads();
    for (int i = 0; i < 4; i++) {
        pelab_geometry_result a, b;
        omp_set_num_threads(1);
        a = measure(ids[i], 500, 16, 1);
        omp_set_num_threads(3);
        b = measure(ids[i], 500, 16, 1);
        for (int k = 0; k < PELAB_GEOMETRY_COUNT; k++) {
            ASSERT_EQ(a.defined[k], b.defined[k]);
            if (a.defined[k]) ASSERT_DBL_EQ(a.value[k], b.value[k]);
        }
    }
    omp_set_num_threads(saved);
}

static void test_phi_row(void) {
    enum { N = 40 };
    for (int id = 0; id < PELAB_SCHEME_COUNT; id++) {
        pelab_scheme s = scheme((pelab_scheme_id)id);
        double phi[N * N], row[N];
        pelab_geometry_phi(phi, &s, 3, N, 6);
        for (int p = 0; p < N; p += 13) {
            pelab_geometry_phi_row(row, &s, 3, N, 6, p);
            for (int q = 0; q < N; q++) ASSERT_DBL_EQ(row[q], phi[p * N + q]);
        }
    }
}

static void test_sampled_pairs(void) {
    /* n = 2000 > PELAB_GEOMETRY_ALL_PAIRS_N: 2^18 sampled pairs. Against the
     * exact Spearman of all 4 million pairs (computed here) within 0.01. */
    enum { N = 2000 };
    pelab_scheme s = scheme(PELAB_SCHEME_SINUSOIDAL);
    double *phi = pelab_xmalloc(sizeof(double) * N * N);
    pelab_geometry_phi(phi, &s, 1, N, 32);
    const double exact = brute_spearman(phi, N);
    free(phi);
    pelab_geometry_result r;
    pelab_geometry_measure(&r, &s, 1, N, 32, 1, 1e18);
    ASSERT_NEAR(V(r, MONO_SPEARMAN), exact, 0.01);
    ASSERT_DBL_EQ(V(r, SYM_RESIDUAL), 0);
}

/* Every metric is computed at n = 4096 (the all-pairs limit); the times are
 * printed, not asserted: a speed target belongs in a benchmark. */
static void test_timing_4096(void) {
    static const pelab_scheme_id ids[] = {PELAB_SCHEME_SINUSOIDAL, PELAB_SCHEME_ROPE, PELAB_SCHEME_T5,
                                          PELAB_SCHEME_INDEX};
    for (int i = 0; i < 4; i++) {
        double t0 = omp_get_wtime();
        pelab_geometry_result r = measure(ids[i], 4096, 64, 1);
        double el = omp_get_wtime() - t0;
        printf("     (%s, n = 4096, d = 64: %.3f s)\n", pelab_scheme_def_get(ids[i])->name, el);
        ASSERT(DEF(r, TI_RESIDUAL));
        ASSERT(DEF(r, MONO_SPEARMAN));
    }
}

int main(void) {
    TEST_RUN(test_sinusoidal_identities_through_metrics);
    TEST_RUN(test_sym_residual_dot_products);
    TEST_RUN(test_index_closed_forms);
    TEST_RUN(test_length_consistency);
    TEST_RUN(test_collisions_crafted);
    TEST_RUN(test_collisions_index_f32);
    TEST_RUN(test_collisions_index_norm_f32);
    TEST_RUN(test_min_dist_all_pairs);
    TEST_RUN(test_learned_ti_is_noise);
    TEST_RUN(test_rope_relative_property);
    TEST_RUN(test_rope_decay_bound);
    TEST_RUN(test_alibi_geometry);
    TEST_RUN(test_t5_geometry);
    TEST_RUN(test_none_and_degenerate);
    TEST_RUN(test_deterministic_across_threads);
    TEST_RUN(test_phi_row);
    TEST_RUN(test_sampled_pairs);
    TEST_RUN(test_timing_4096);
    return TEST_DONE();
}
