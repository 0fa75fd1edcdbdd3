/* test_lowp.c — the bf16 / f16 layer (pelab/kernels/lowp.h) against
 * independent truths: decoding against the formula from sign, exponent and
 * mantissa over all 65536 patterns; rounding against a nearest-neighbour
 * search over the format's patterns in double (ties to the even pattern),
 * at hand-picked ties, thresholds, subnormals, NaN and a million random
 * values, for the F16C and the portable paths alike; the format's facts;
 * the fused low-precision forward against its double reference and against
 * exact float64 attention, its lse and statistics against the f32 kernel's
 * bitwise, and its bitwise invariance under thread counts and groupings.
 * Each comparison prints its max difference. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/kernels/attention.h"
#include "pelab/kernels/lowp.h"
#include "pelab/base/rng.h"
#include "pelab/base/mem.h"
#include "test.h"

static const pelab_lowp g_fmts[2] = {PELAB_LOWP_BF16, PELAB_LOWP_F16};

static uint32_t fbits(float x) {
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static float bitsf(uint32_t b) {
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* ---- the truth: the formats from their definition ------------------------------------ */

/* mantissa bits, exponent bias, all-ones exponent of f */
static int mbits(pelab_lowp f) { return f == PELAB_LOWP_BF16 ? 7 : 10; }
static int ebias(pelab_lowp f) { return f == PELAB_LOWP_BF16 ? 127 : 15; }
static unsigned emaxfield(pelab_lowp f) { return f == PELAB_LOWP_BF16 ? 0xffu : 0x1fu; }

/* the value of pattern h by the formula (NaN for NaN; the all-ones
 * exponent's inf as 2^(emax+1) when as_limit, the next value past the
 * largest finite one) */
static double truth_value(pelab_lowp f, unsigned h, int as_limit) {
    const int mb = mbits(f), bias = ebias(f);
    const unsigned s = (h >> 15) & 1u, e = (h >> mb) & emaxfield(f), m = h & ((1u << mb) - 1u);
    double v;
    if (e == emaxfield(f)) v = m ? NAN : as_limit ? ldexp(1.0, (int)e - bias) : INFINITY;
    else if (e == 0) v = ldexp((double)m, 1 - bias - mb);
    else v = ldexp(1.0 + ldexp((double)m, -mb), (int)e - bias);
    return s ? -v : v;
}

/* the pattern nearest to x (not NaN), ties to the even pattern, inf beyond
 * the largest finite value: binary search for the largest pattern whose
 * value is <= |x| among 0 .. inf (values increase with the pattern) */
static unsigned truth_round(pelab_lowp f, double x) {
    const unsigned sign = signbit(x) ? 0x8000u : 0u, inf = emaxfield(f) << mbits(f);
    const double a = fabs(x);
    if (a >= truth_value(f, inf, 1)) return sign | inf;
    unsigned lo = 0, hi = inf; /* val(lo) <= a < val(hi) */
    while (hi - lo > 1) {
        const unsigned mid = (lo + hi) / 2;
        if (truth_value(f, mid, 1) <= a) lo = mid;
        else hi = mid;
    }
    /* exact differences (Sterbenz: the neighbours are within a factor 2) */
    const double dl = a - truth_value(f, lo, 1), dh = truth_value(f, hi, 1) - a;
    const unsigned r = dl < dh ? lo : dh < dl ? hi : (lo & 1u) ? hi : lo;
    return sign | r;
}

static int is_nan_pattern(pelab_lowp f, unsigned h) {
    const unsigned e = (h >> mbits(f)) & emaxfield(f);
    return e == emaxfield(f) && (h & ((1u << mbits(f)) - 1u));
}

/* ---- conversions ------------------------------------------------------------------------ */

static void test_decode_exhaustive(void) {
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        long nans = 0;
        for (unsigned h = 0; h < 65536u; h++) {
            const double t = truth_value(f, h, 0);
            const float a = pelab_lowp_to_f32(f, (uint16_t)h), b = pelab_lowp_to_f32_portable(f, (uint16_t)h);
            if (fbits(a) != fbits(b)) TEST_FAIL_("%s %04x: to_f32 %08x, portable %08x", pelab_lowp_str(f), h,
                                                 fbits(a), fbits(b));
            if (isnan(t)) {
                nans++;
                ASSERT(isnan(a) && !!signbit(a) == !!(h & 0x8000u));
                /* bf16: the float with the same top half, bit for bit; f16:
                 * payload kept and quiet, as F16C's vcvtph2ps gives it */
                if (f == PELAB_LOWP_BF16) ASSERT_EQ(fbits(a), (uint32_t)h << 16);
                else ASSERT_EQ(fbits(a), ((h & 0x8000u) << 16) | 0x7fc00000u | ((h & 0x3ffu) << 13));
            } else if (!((double)a == t && !!signbit(a) == !!signbit(t))) {
                TEST_FAIL_("%s %04x: %.17g, formula %.17g", pelab_lowp_str(f), h, (double)a, t);
            }
        }
        printf("  %s: 65536 patterns decode as the formula says (%ld NaN), F16C/portable bitwise equal\n",
               pelab_lowp_str(f), nans);
    }
}

static void test_round_trip(void) {
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        for (unsigned h = 0; h < 65536u; h++) {
            const float x = pelab_lowp_to_f32(f, (uint16_t)h);
            const unsigned a = pelab_lowp_from_f32(f, x), b = pelab_lowp_from_f32_portable(f, x);
            ASSERT_EQ(a, b);
            if (is_nan_pattern(f, h)) {
                ASSERT(is_nan_pattern(f, a));
                ASSERT_EQ(a & 0x8000u, h & 0x8000u);
            } else {
                if (a != h) TEST_FAIL_("%s %04x -> %.9g -> %04x", pelab_lowp_str(f), h, (double)x, a);
            }
            /* the double rounding of an exact value is the value */
            if (!is_nan_pattern(f, h)) ASSERT_DBL_EQ(pelab_lowp_round_f64(f, (double)x), (double)x);
        }
    }
}

/* from_f32 (both paths) and the float / double roundings of x against the truth */
static void check_round(pelab_lowp f, float x) {
    const unsigned t = truth_round(f, (double)x);
    const unsigned a = pelab_lowp_from_f32(f, x), b = pelab_lowp_from_f32_portable(f, x);
    if (a != t || b != t)
        TEST_FAIL_("%s round(%.9g = %08x): %04x (portable %04x), truth %04x", pelab_lowp_str(f), (double)x, fbits(x),
                   a, b, t);
    const double v = truth_value(f, t, 0);
    ASSERT(fbits(pelab_lowp_round(f, x)) == fbits((float)v));
    ASSERT(pelab_lowp_round_f64(f, (double)x) == v);
}

static void test_ties_thresholds_subnormals(void) {
    const pelab_lowp B = PELAB_LOWP_BF16, F = PELAB_LOWP_F16;
    /* ties to even: 1 + u lies between 1 and 1 + 2u */
    ASSERT_DBL_EQ(pelab_lowp_round(B, 1.0f + 0x1p-8f), 1.0f);
    ASSERT_DBL_EQ(pelab_lowp_round(B, 1.0f + 3 * 0x1p-8f), 1.0f + 0x1p-6f);
    ASSERT_DBL_EQ(pelab_lowp_round(B, nextafterf(1.0f + 0x1p-8f, 2.0f)), 1.0f + 0x1p-7f);
    ASSERT_DBL_EQ(pelab_lowp_round(F, 1.0f + 0x1p-11f), 1.0f);
    ASSERT_DBL_EQ(pelab_lowp_round(F, 1.0f + 3 * 0x1p-11f), 1.0f + 0x1p-9f);
    ASSERT_DBL_EQ(pelab_lowp_round(F, 2049.0f), 2048.0f);
    ASSERT_DBL_EQ(pelab_lowp_round(F, 2051.0f), 2052.0f);
    ASSERT_DBL_EQ(pelab_lowp_round(B, 257.0f), 256.0f);
    ASSERT_DBL_EQ(pelab_lowp_round(B, 259.0f), 260.0f);
    ASSERT_DBL_EQ(pelab_lowp_round(F, -2051.0f), -2052.0f);
    /* a double just above a tie: rounded once it goes up; via float it would tie to even */
    const double above = 1.0 + 0x1p-8 + 0x1p-40;
    ASSERT_DBL_EQ((float)above, 1.0f + 0x1p-8f);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(B, above), 1.0 + 0x1p-7);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(B, 1.0 + 0x1p-8), 1.0);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(F, 2049.0 + 0x1p-30), 2050.0);
    /* overflow: f16 65520 = 65504 + ulp/2 is a tie, to even: inf */
    ASSERT_EQ(pelab_lowp_from_f32(F, 65519.0f), 0x7bff);
    ASSERT_EQ(pelab_lowp_from_f32(F, nextafterf(65520.0f, 0.0f)), 0x7bff);
    ASSERT_EQ(pelab_lowp_from_f32(F, 65520.0f), 0x7c00);
    ASSERT_EQ(pelab_lowp_from_f32(F, -65520.0f), 0xfc00);
    ASSERT_EQ(pelab_lowp_from_f32_portable(F, 65520.0f), 0x7c00);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(F, 65519.99), 65504.0);
    ASSERT(isinf(pelab_lowp_round_f64(F, 65520.0)));
    /* bf16: the threshold is (2 - 2^-8) 2^127, max + ulp/2 */
    const float bthr = ldexpf(2.0f - 0x1p-8f, 127);
    ASSERT_EQ(pelab_lowp_from_f32(B, nextafterf(bthr, 0.0f)), 0x7f7f);
    ASSERT_EQ(pelab_lowp_from_f32(B, bthr), 0x7f80);
    ASSERT_EQ(pelab_lowp_from_f32(B, -bthr), 0xff80);
    ASSERT_EQ(pelab_lowp_from_f32(B, INFINITY), 0x7f80);
    ASSERT_EQ(pelab_lowp_from_f32(F, -INFINITY), 0xfc00);
    ASSERT(isinf(pelab_lowp_round_f64(B, (double)bthr)));
    ASSERT_DBL_EQ(pelab_lowp_round_f64(B, nextafter((double)bthr, 0.0)), pelab_lowp_max(B));
    /* subnormals: f16's quantum 2^-24, ties to even down to 0; bf16's 2^-133, no flush */
    ASSERT_EQ(pelab_lowp_from_f32(F, 0x1p-24f), 0x0001);
    ASSERT_EQ(pelab_lowp_from_f32(F, 0x1p-25f), 0x0000);
    ASSERT_EQ(pelab_lowp_from_f32(F, -0x1p-25f), 0x8000);
    ASSERT_EQ(pelab_lowp_from_f32(F, nextafterf(0x1p-25f, 1.0f)), 0x0001);
    ASSERT_EQ(pelab_lowp_from_f32(F, 3 * 0x1p-25f), 0x0002);
    ASSERT_EQ(pelab_lowp_from_f32(F, 0x1p-14f - 0x1p-25f), 0x0400); /* tie between 0x3ff and 0x400: even */
    ASSERT_EQ(pelab_lowp_from_f32(F, 0x1p-14f - 0x1p-24f), 0x03ff); /* the largest subnormal */
    ASSERT_EQ(pelab_lowp_from_f32(F, 0x1p-14f - 0x1p-23f), 0x03fe);
    ASSERT_EQ(pelab_lowp_from_f32(F, 0x1p-14f - 0x1p-23f - 0x1p-25f), 0x03fe); /* tie 0x3fd / 0x3fe: even */
    ASSERT_EQ(pelab_lowp_from_f32(B, 0x1p-133f), 0x0001);
    ASSERT_EQ(pelab_lowp_from_f32(B, 0x1p-134f), 0x0000);
    ASSERT_EQ(pelab_lowp_from_f32(B, 3 * 0x1p-134f), 0x0002);
    ASSERT_EQ(pelab_lowp_from_f32(B, bitsf(1u)), 0x0000); /* the smallest float subnormal */
    ASSERT_DBL_EQ(pelab_lowp_round_f64(F, 0x1p-25), 0.0);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(F, 0x1p-25 + 0x1p-60), 0x1p-24);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(B, 3 * 0x1p-134), 0x1p-132);
    ASSERT_DBL_EQ(pelab_lowp_round_f64(B, 1e-300), 0.0);
    ASSERT(signbit(pelab_lowp_round_f64(B, -1e-300)));
    /* NaN: quiet, sign kept */
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        const uint32_t nans[4] = {0x7fc00000u, 0x7f800001u, 0xffc00001u, 0xff812345u};
        for (int i = 0; i < 4; i++) {
            const unsigned a = pelab_lowp_from_f32(f, bitsf(nans[i])), b = pelab_lowp_from_f32_portable(f, bitsf(nans[i]));
            ASSERT_EQ(a, b);
            ASSERT(is_nan_pattern(f, a));
            ASSERT_EQ(a >> 15, nans[i] >> 31);
            ASSERT(a & (1u << (mbits(f) - 1))); /* the quiet bit */
            ASSERT(isnan(pelab_lowp_round(f, bitsf(nans[i]))));
        }
        ASSERT(isnan(pelab_lowp_round_f64(f, NAN)));
    }
    printf("  ties, overflow thresholds, subnormals and NaN as specified\n");
}

/* a million random floats: 3/4 with an exponent in or near the format's
 * range, 1/4 any 32-bit pattern (NaN excluded); and as many doubles for
 * round_f64 */
static void test_random_against_truth(void) {
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        pelab_rng r = pelab_rng_make(17u, (uint64_t)fi);
        long checked = 0;
        const int elo = f == PELAB_LOWP_BF16 ? -140 : -27, ehi = f == PELAB_LOWP_BF16 ? 128 : 17;
        for (long i = 0; i < 1000000; i++) {
            const uint64_t u = pelab_rng_u64(&r);
            float x;
            if (i % 4 == 3) {
                x = bitsf((uint32_t)u);
                if (isnan(x)) continue;
            } else {
                const int e = elo + (int)((u >> 32) % (uint64_t)(ehi - elo + 1));
                const float m = 1.0f + (float)(u & 0x7fffffu) * 0x1p-23f;
                x = ldexpf(m, e) * ((u >> 31) & 1u ? -1.0f : 1.0f);
            }
            check_round(f, x);
            checked++;
            /* a double with bits below float's: round_f64 against the truth */
            const double d = ldexp(1.0 + ldexp((double)(u >> 12), -52), elo + (int)(u % (uint64_t)(ehi - elo + 1)));
            const double want = truth_value(f, truth_round(f, d), 0);
            if (pelab_lowp_round_f64(f, d) != want)
                TEST_FAIL_("%s round_f64(%.17g) = %.17g, truth %.17g", pelab_lowp_str(f), d,
                           pelab_lowp_round_f64(f, d), want);
        }
        printf("  %s: %ld random floats and 1e6 doubles round as the nearest-pattern search says\n",
               pelab_lowp_str(f), checked);
    }
}

static void test_facts(void) {
    ASSERT_STR_EQ(pelab_lowp_str(PELAB_LOWP_BF16), "bf16");
    ASSERT_STR_EQ(pelab_lowp_str(PELAB_LOWP_F16), "f16");
    ASSERT_STR_EQ(pelab_lowp_str(PELAB_LOWP_COUNT), "unknown");
    ASSERT_DBL_EQ(pelab_lowp_unit_roundoff(PELAB_LOWP_BF16), 0x1p-8);
    ASSERT_DBL_EQ(pelab_lowp_unit_roundoff(PELAB_LOWP_F16), 0x1p-11);
    ASSERT_DBL_EQ(pelab_lowp_max(PELAB_LOWP_BF16), 3.3895313892515355e38);
    ASSERT_DBL_EQ(pelab_lowp_max(PELAB_LOWP_F16), 65504.0);
    ASSERT_DBL_EQ(pelab_lowp_max(PELAB_LOWP_BF16), (double)pelab_lowp_to_f32(PELAB_LOWP_BF16, 0x7f7f));
    ASSERT_DBL_EQ(pelab_lowp_max(PELAB_LOWP_F16), (double)pelab_lowp_to_f32(PELAB_LOWP_F16, 0x7bff));
    ASSERT_EQ(pelab_lowp_exact_int_max(PELAB_LOWP_BF16), 256);
    ASSERT_EQ(pelab_lowp_exact_int_max(PELAB_LOWP_F16), 2048);
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        const long N = pelab_lowp_exact_int_max(f);
        for (long i = 0; i <= N; i++) {
            ASSERT_DBL_EQ(pelab_lowp_round(f, (float)i), (float)i);
            ASSERT_DBL_EQ(pelab_lowp_round_f64(f, (double)i), (double)i);
        }
        ASSERT(pelab_lowp_round(f, (float)(N + 1)) != (float)(N + 1));
        ASSERT(pelab_lowp_round_f64(f, (double)(N + 1)) != (double)(N + 1));
        /* u: 1 + u ties down to 1, 1 + 2u is exact */
        const double u = pelab_lowp_unit_roundoff(f);
        ASSERT_DBL_EQ(pelab_lowp_round_f64(f, 1.0 + u), 1.0);
        ASSERT_DBL_EQ(pelab_lowp_round_f64(f, 1.0 + 2 * u), 1.0 + 2 * u);
    }
    printf("  bf16: 0..256 exact, 257 not; f16: 0..2048 exact, 2049 not\n");
}

static void test_arrays(void) {
    enum { N = 1003 }; /* not a multiple of the vector width: the tails */
    float x[N], y[N], z[N];
    uint16_t h[N];
    pelab_rng r = pelab_rng_make(5u, 5u);
    for (int i = 0; i < N; i++) x[i] = (float)(pelab_rng_normal(&r) * ldexp(1.0, (int)(i % 40) - 30));
    x[0] = NAN, x[1] = -INFINITY, x[2] = 65520.0f, x[3] = 0x1p-25f, x[4] = -0.0f, x[5] = 3e38f, x[6] = 0x1p-140f;
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        memcpy(y, x, sizeof x);
        pelab_lowp_round_array(y, N, f);
        pelab_lowp_pack(h, x, N, f);
        pelab_lowp_unpack(z, h, N, f);
        for (int i = 0; i < N; i++) {
            ASSERT_EQ(h[i], pelab_lowp_from_f32(f, x[i]));
            ASSERT_EQ(fbits(y[i]), fbits(pelab_lowp_round(f, x[i])));
            ASSERT_EQ(fbits(z[i]), fbits(pelab_lowp_to_f32(f, h[i])));
        }
        pelab_lowp_round_array(y, 0, f); /* empty: a no-op */
    }
}

/* ---- the fused forward ------------------------------------------------------------------- */

/* n x D N(0, sd^2) values packed in f, and their decoded values (float, double) */
static uint16_t *rand_lowp(pelab_lowp f, uint64_t stream, size_t count, double sd, float *dec, double *decd) {
    uint16_t *h = pelab_xmalloc((count ? count : 1) * sizeof *h);
    pelab_rng r = pelab_rng_make(20250117u, stream);
    for (size_t i = 0; i < count; i++) {
        h[i] = pelab_lowp_from_f32(f, (float)(sd * pelab_rng_normal(&r)));
        dec[i] = pelab_lowp_to_f32(f, h[i]);
        decd[i] = dec[i];
    }
    return h;
}

static int same_dbl(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* the documented tolerances (pelab/kernels/lowp.h): rtol, and atol in units of max |v| */
static double tol_rtol(pelab_lowp f) { return f == PELAB_LOWP_BF16 ? 0x1p-6 : 0x1p-9; }
static double tol_atol(pelab_lowp f) { return f == PELAB_LOWP_BF16 ? 0x1p-8 : 0x1p-11; }

static void test_forward_vs_references(void) {
    const int ns[] = {1, 2, 47, 48, 49, 130}, hs[] = {1, 2, 4};
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        double worst_lr = 0, worst_ex = 0, worst_f32 = 0, need_atol = 0;
        int cases = 0;
        for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
            for (size_t hi = 0; hi < sizeof hs / sizeof *hs; hi++)
                for (int causal = 0; causal < 2; causal++)
                    for (int with_bias = 0; with_bias < 2; with_bias++) {
                        const int n = ns[ni], H = hs[hi], dk = n == 130 && H == 2 ? 64 : 12, D = H * dk;
                        const size_t nD = (size_t)n * D, hn = (size_t)H * n, nb = (size_t)H * (2 * (size_t)n - 1);
                        float *qf = pelab_xmalloc(3 * nD * sizeof(float)), *kf = qf + nD, *vf = kf + nD;
                        double *qd = pelab_xmalloc(3 * nD * sizeof(double)), *kd = qd + nD, *vd = kd + nD;
                        uint16_t *q = rand_lowp(f, 1 + 10 * ni, nD, 1.0, qf, qd);
                        uint16_t *k = rand_lowp(f, 2 + 10 * ni, nD, 1.0, kf, kd);
                        uint16_t *v = rand_lowp(f, 3 + 10 * ni, nD, 1.0, vf, vd);
                        float *bf = NULL;
                        double *bd = NULL;
                        if (with_bias) {
                            bf = pelab_xmalloc(nb * sizeof(float));
                            bd = pelab_xmalloc(nb * sizeof(double));
                            pelab_rng r = pelab_rng_make(99u, (uint64_t)n);
                            for (size_t i = 0; i < nb; i++) bf[i] = (float)(0.5 * pelab_rng_normal(&r)), bd[i] = bf[i];
                        }
                        float *out = pelab_xmalloc(nD * sizeof(float)), *lse = pelab_xmalloc(hn * sizeof(float));
                        float *out32 = pelab_xmalloc(nD * sizeof(float)), *lse32 = pelab_xmalloc(hn * sizeof(float));
                        pelab_attn_row_stats *st = pelab_xmalloc(hn * sizeof *st), *st32 = pelab_xmalloc(hn * sizeof *st32);
                        double *rl = pelab_xmalloc(nD * sizeof(double)), *rx = pelab_xmalloc(nD * sizeof(double));
                        double *P = pelab_xmalloc((size_t)H * n * n * sizeof(double));
                        pelab_attention_forward_lowp(out, lse, st, q, k, v, bf, causal, n, D, H, f);
                        pelab_attention_forward_f32(out32, lse32, st32, qf, kf, vf, bf, causal, n, D, H);
                        pelab_attention_reference_forward_lowp(rl, P, q, k, v, bd, causal, n, D, H, f);
                        pelab_attention_reference_forward_f64(rx, P, qd, kd, vd, bd, causal, n, D, H);
                        /* lse and statistics: computed before P is rounded, bitwise the f32 kernel's */
                        ASSERT(memcmp(lse, lse32, hn * sizeof(float)) == 0);
                        for (size_t i = 0; i < hn; i++) {
                            ASSERT(same_dbl(st[i].entropy, st32[i].entropy));
                            ASSERT(same_dbl(st[i].max_weight, st32[i].max_weight));
                            ASSERT(same_dbl(st[i].logit_max_abs, st32[i].logit_max_abs));
                            ASSERT(same_dbl(st[i].jacobian_norm, st32[i].jacobian_norm));
                            ASSERT_EQ(st[i].visible, st32[i].visible);
                        }
                        double vmax = 0, rmax = 0, dl = 0, dx = 0, d32 = 0;
                        for (size_t i = 0; i < nD; i++) vmax = fmax(vmax, fabs(vd[i])), rmax = fmax(rmax, fabs(rx[i]));
                        const double rtol = tol_rtol(f), atol = tol_atol(f) * vmax;
                        for (size_t i = 0; i < nD; i++) {
                            const double a = out[i];
                            if (!(fabs(a - rl[i]) <= rtol * fmax(fabs(a), fabs(rl[i])) + atol))
                                TEST_FAIL_("%s n %d H %d causal %d bias %d: out[%zu] %.9g vs lowp ref %.9g",
                                           pelab_lowp_str(f), n, H, causal, with_bias, i, a, rl[i]);
                            if (!(fabs(a - rx[i]) <= rtol * fmax(fabs(a), fabs(rx[i])) + atol))
                                TEST_FAIL_("%s n %d H %d causal %d bias %d: out[%zu] %.9g vs exact %.9g",
                                           pelab_lowp_str(f), n, H, causal, with_bias, i, a, rx[i]);
                            dl = fmax(dl, fabs(a - rl[i])), dx = fmax(dx, fabs(a - rx[i]));
                            d32 = fmax(d32, fabs((double)out32[i] - rx[i]));
                            /* the atol (in max |v|) this element needs beside rtol */
                            need_atol = fmax(need_atol, (fabs(a - rx[i]) - rtol * fmax(fabs(a), fabs(rx[i]))) / vmax);
                        }
                        worst_lr = fmax(worst_lr, dl / rmax), worst_ex = fmax(worst_ex, dx / rmax);
                        worst_f32 = fmax(worst_f32, d32 / rmax);
                        cases++;
                        free(q), free(k), free(v), free(qf), free(qd), free(bf), free(bd);
                        free(out), free(lse), free(out32), free(lse32), free(st), free(st32), free(rl), free(rx), free(P);
                    }
        printf("  %s forward, %d cases: max |out - ref| / max |ref|: vs lowp reference %.2e (2^%.1f), vs exact "
               "f64 %.2e (2^%.1f), elementwise with rtol 2^%.0f it needs atol 2^%.1f max|v|; the f32 kernel on the "
               "same operands vs exact %.2e\n",
               pelab_lowp_str(f), cases, worst_lr, log2(worst_lr), worst_ex, log2(worst_ex), log2(tol_rtol(f)),
               need_atol > 0 ? log2(need_atol) : -INFINITY, worst_f32);
        /* P in the format must show: the error is above float32's, below the format's u */
        ASSERT_DBL_GT(worst_ex, 10 * worst_f32);
        ASSERT_DBL_LT(worst_ex, pelab_lowp_unit_roundoff(f));
    }
}

/* out, lse and the statistics bitwise the same on 1 .. 4 threads and under
 * forced groupings and chunks of keys (several decoded chunks per row) */
static void test_thread_bit_identity(void) {
    const int n = 300, H = 2, D = 64;
    const size_t nD = (size_t)n * D, hn = (size_t)H * n, nb = (size_t)H * (2 * (size_t)n - 1);
    const int saved = omp_get_max_threads();
    for (int fi = 0; fi < 2; fi++) {
        const pelab_lowp f = g_fmts[fi];
        float *qf = pelab_xmalloc(3 * nD * sizeof(float)), *kf = qf + nD, *vf = kf + nD;
        double *qd = pelab_xmalloc(3 * nD * sizeof(double)), *kd = qd + nD, *vd = kd + nD;
        uint16_t *q = rand_lowp(f, 7, nD, 1.0, qf, qd), *k = rand_lowp(f, 8, nD, 1.0, kf, kd);
        uint16_t *v = rand_lowp(f, 9, nD, 1.0, vf, vd);
        float *bias = pelab_xmalloc(nb * sizeof(float));
        for (size_t i = 0; i < nb; i++) bias[i] = (float)((double)(i % 7) * 0.1 - 0.3);
        float *o0 = pelab_xmalloc(nD * sizeof(float)), *o1 = pelab_xmalloc(nD * sizeof(float));
        float *l0 = pelab_xmalloc(hn * sizeof(float)), *l1 = pelab_xmalloc(hn * sizeof(float));
        pelab_attn_row_stats *s0 = pelab_xmalloc(hn * sizeof *s0), *s1 = pelab_xmalloc(hn * sizeof *s1);
        for (int causal = 0; causal < 2; causal++) {
            const struct { int threads, group, chunk; } runs[] = {{1, 0, 0}, {2, 0, 0}, {3, 0, 0}, {4, 0, 0},
                                                                  {2, 3, 64}, {3, 1, 128}, {4, 8, 64}};
            for (size_t t = 0; t < sizeof runs / sizeof *runs; t++) {
                omp_set_num_threads(runs[t].threads);
                pelab_attention_set_grouping(runs[t].group, runs[t].chunk);
                float *o = t ? o1 : o0, *l = t ? l1 : l0;
                pelab_attn_row_stats *s = t ? s1 : s0;
                pelab_attention_forward_lowp(o, l, s, q, k, v, causal ? NULL : bias, causal, n, D, H, f);
                if (!t) continue;
                ASSERT(memcmp(o0, o1, nD * sizeof(float)) == 0);
                ASSERT(memcmp(l0, l1, hn * sizeof(float)) == 0);
                for (size_t i = 0; i < hn; i++) {
                    ASSERT(same_dbl(s0[i].entropy, s1[i].entropy));
                    ASSERT(same_dbl(s0[i].jacobian_norm, s1[i].jacobian_norm));
                    ASSERT(same_dbl(s0[i].max_weight, s1[i].max_weight));
                }
            }
        }
        pelab_attention_set_grouping(0, 0);
        omp_set_num_threads(saved);
        free(q), free(k), free(v), free(qf), free(qd), free(bias), free(o0), free(o1), free(l0), free(l1), free(s0),
            free(s1);
    }
    printf("  out, lse, statistics bitwise equal on 1..4 threads and forced groupings (n 300, 2 heads)\n");
}

/* A bf16 case of the path tests: q, k, v (n, D) ~ N(0, 1) stored in bf16
 * (rand_lowp streams s, s + ds, s + 2 ds) with their decoded values; with
 * bias_key != 0 a bias (H, 2n-1) ~ N(0, 0.5^2) from that key, as float and
 * double, else NULL; outputs out (n, D), lse (H, n), stats (H, n) for up to
 * three runs. */
typedef struct bf16_case {
    int n, D, H;
    size_t nD, hn, nb;
    float *qf, *kf, *vf;
    double *qd, *kd, *vd;
    uint16_t *q, *k, *v;
    float *bias;
    double *bd;
    float *o[3], *l[3];
    pelab_attn_row_stats *st[3];
} bf16_case;

static void case_make(bf16_case *c, int n, int D, int H, uint64_t s, uint64_t ds, uint32_t bias_key) {
    memset(c, 0, sizeof *c);
    c->n = n, c->D = D, c->H = H;
    c->nD = (size_t)n * D, c->hn = (size_t)H * n, c->nb = (size_t)H * (2 * (size_t)n - 1);
    c->qf = pelab_xmalloc(3 * c->nD * sizeof(float)), c->kf = c->qf + c->nD, c->vf = c->kf + c->nD;
    c->qd = pelab_xmalloc(3 * c->nD * sizeof(double)), c->kd = c->qd + c->nD, c->vd = c->kd + c->nD;
    c->q = rand_lowp(PELAB_LOWP_BF16, s, c->nD, 1.0, c->qf, c->qd);
    c->k = rand_lowp(PELAB_LOWP_BF16, s + ds, c->nD, 1.0, c->kf, c->kd);
    c->v = rand_lowp(PELAB_LOWP_BF16, s + 2 * ds, c->nD, 1.0, c->vf, c->vd);
    if (bias_key) {
        c->bias = pelab_xmalloc(c->nb * sizeof(float)), c->bd = pelab_xmalloc(c->nb * sizeof(double));
        pelab_rng r = pelab_rng_make(bias_key, (uint64_t)n);
        for (size_t i = 0; i < c->nb; i++) c->bias[i] = (float)(0.5 * pelab_rng_normal(&r)), c->bd[i] = c->bias[i];
    }
    for (int x = 0; x < 3; x++) {
        c->o[x] = pelab_xmalloc(c->nD * sizeof(float)), c->l[x] = pelab_xmalloc(c->hn * sizeof(float));
        c->st[x] = pelab_xmalloc(c->hn * sizeof **c->st);
    }
}

static void case_free(bf16_case *c) {
    for (int x = 0; x < 3; x++) free(c->o[x]), free(c->l[x]), free(c->st[x]);
    free(c->q), free(c->k), free(c->v), free(c->qf), free(c->qd), free(c->bias), free(c->bd);
}

/* One bf16 forward of case c on `path` into run x's outputs (stats: with_stats),
 * threads and grouping as given. */
static void forward_on(pelab_lowp_path path, int threads, int group, int chunk, bf16_case *c, int x, int with_stats,
                       int causal) {
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    pelab_attention_set_grouping(group, chunk);
    pelab_attention_set_lowp_path(path);
    pelab_attention_forward_lowp(c->o[x], c->l[x], with_stats ? c->st[x] : NULL, c->q, c->k, c->v, c->bias, causal,
                                 c->n, c->D, c->H, PELAB_LOWP_BF16);
    pelab_attention_set_lowp_path(PELAB_LOWP_PATH_DECODED);
    pelab_attention_set_grouping(0, 0);
    omp_set_num_threads(saved);
}

/* The bf16 forward through vdpbf16ps (when built with AVX512-BF16) against
 * the portable path (decode, then the float32 kernel) on the same operands:
 * out, lse and statistics bitwise equal, for odd and even head widths and
 * lengths, both masks, with and without a bias, several chunks of keys. */
static void test_dot_path_bitwise(void) {
    if (!pelab_attention_lowp_path_available(PELAB_LOWP_PATH_DOT)) {
        printf("  built without AVX512-BF16: the bf16 forward has one path, nothing to compare\n");
        return;
    }
    static const int shapes[][3] = {{1, 1, 1}, {2, 6, 2}, {47, 17, 1}, {130, 128, 2}, {300, 30, 3}, {1025, 64, 1}};
    int cases = 0;
    for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++)
        for (int causal = 0; causal < 2; causal++)
            for (int with_bias = 0; with_bias < 2; with_bias++) {
                bf16_case c;
                case_make(&c, shapes[si][0], shapes[si][1], shapes[si][2], 40 + si, 10, with_bias ? 77u : 0);
                const int T = omp_get_max_threads(), group = si == 5 ? 2 : 0, chunk = si == 5 ? 128 : 0;
                /* si 5: several chunks of keys */
                forward_on(PELAB_LOWP_PATH_DOT, T, group, chunk, &c, 0, 1, causal);
                forward_on(PELAB_LOWP_PATH_DECODED, T, group, chunk, &c, 1, 1, causal);
                ASSERT(memcmp(c.o[0], c.o[1], c.nD * sizeof(float)) == 0);
                ASSERT(memcmp(c.l[0], c.l[1], c.hn * sizeof(float)) == 0);
                for (size_t i = 0; i < c.hn; i++) {
                    ASSERT(same_dbl(c.st[0][i].entropy, c.st[1][i].entropy));
                    ASSERT(same_dbl(c.st[0][i].logit_max_abs, c.st[1][i].logit_max_abs));
                }
                cases++;
                case_free(&c);
            }
    printf("  vdpbf16ps path vs portable path, %d cases (odd widths and lengths, masks, bias, chunks): out, "
           "lse, statistics bitwise equal\n", cases);
}

/* The bf16 forward on AMX tiles (where built and granted): out against exact
 * float64 attention on the decoded operands within lowp.h's documented
 * tolerance; lse and the statistics against the decoded path's to float32
 * rounding of the scores; bitwise the same on 1..3 threads and under forced
 * groupings; non-finite values where the decoded path has them and nowhere
 * else (an inf in a row of V past a tile's last visible key must not reach
 * it); head widths not a multiple of 32 take the decoded path, bitwise. */
static void test_amx_path(void) {
    if (!pelab_attention_lowp_path_available(PELAB_LOWP_PATH_AMX)) {
        printf("  no AMX here (build or kernel): the bf16 forward has no AMX path to test\n");
        return;
    }
    /* {n, D, H}: head widths 32, 64, 96 and 128 */
    static const int shapes[][3] = {{1, 32, 1}, {2, 64, 2}, {47, 64, 1}, {48, 32, 1}, {49, 96, 3},
                                    {70, 96, 1}, {130, 128, 1}, {300, 64, 1}, {1025, 64, 1}};
    double worst = 0, worst_lse = 0, worst_ent = 0, need_atol = 0;
    int cases = 0;
    for (size_t si = 0; si < sizeof shapes / sizeof *shapes; si++)
        for (int causal = 0; causal < 2; causal++)
            for (int with_bias = 0; with_bias < 2; with_bias++) {
                bf16_case c;
                case_make(&c, shapes[si][0], shapes[si][1], shapes[si][2], 140 + si, 10, with_bias ? 78u : 0);
                const int n = c.n, D = c.D, H = c.H;
                const size_t nD = c.nD, hn = c.hn;
                float *const *o = c.o, *const *l = c.l;
                pelab_attn_row_stats *const *st = c.st;
                /* 0: decoded; 1: amx on 2 threads; 2: amx on 1 or 3 threads, forced groupings */
                forward_on(PELAB_LOWP_PATH_DECODED, 2, 0, 0, &c, 0, 1, causal);
                forward_on(PELAB_LOWP_PATH_AMX, 2, 0, 0, &c, 1, 1, causal);
                forward_on(PELAB_LOWP_PATH_AMX, 1 + 2 * (int)(si & 1), si >= 7 ? 3 : 0, si >= 7 ? 128 : 0, &c, 2, 1,
                           causal);
                ASSERT(memcmp(o[1], o[2], nD * sizeof(float)) == 0);
                ASSERT(memcmp(l[1], l[2], hn * sizeof(float)) == 0);
                for (size_t i = 0; i < hn; i++) {
                    ASSERT(same_dbl(st[1][i].entropy, st[2][i].entropy));
                    ASSERT(same_dbl(st[1][i].jacobian_norm, st[2][i].jacobian_norm));
                    ASSERT(same_dbl(st[1][i].max_weight, st[2][i].max_weight));
                    ASSERT(same_dbl(st[1][i].logit_max_abs, st[2][i].logit_max_abs));
                }
                double *rx = pelab_xmalloc(nD * sizeof(double));
                double *P = pelab_xmalloc((size_t)H * n * n * sizeof(double));
                pelab_attention_reference_forward_f64(rx, P, c.qd, c.kd, c.vd, c.bd, causal, n, D, H);
                double vmax = 0, rmax = 0, dx = 0;
                for (size_t i = 0; i < nD; i++) vmax = fmax(vmax, fabs(c.vd[i])), rmax = fmax(rmax, fabs(rx[i]));
                const double rtol = tol_rtol(PELAB_LOWP_BF16), atol = tol_atol(PELAB_LOWP_BF16) * vmax;
                for (size_t i = 0; i < nD; i++) {
                    const double a = o[1][i];
                    if (!(fabs(a - rx[i]) <= rtol * fmax(fabs(a), fabs(rx[i])) + atol))
                        TEST_FAIL_("amx n %d D %d H %d causal %d bias %d: out[%zu] %.9g vs exact %.9g", n, D, H, causal,
                                   with_bias, i, a, rx[i]);
                    dx = fmax(dx, fabs(a - rx[i]));
                    need_atol = fmax(need_atol, (fabs(a - rx[i]) - rtol * fmax(fabs(a), fabs(rx[i]))) / vmax);
                }
                worst = fmax(worst, dx / rmax);
                /* lse = m + ln l: the scores differ from the decoded path's by float32 rounding of a
                 * dh-term dot product (|q . k| / sqrt(dh) ~ 1 here) */
                for (size_t i = 0; i < hn; i++) {
                    const double d = fabs((double)l[1][i] - l[0][i]);
                    ASSERT_DBL_LE(d, 0x1p-16 * (1 + fabs((double)l[0][i])));
                    worst_lse = fmax(worst_lse, d);
                    ASSERT_EQ(st[1][i].visible, st[0][i].visible);
                    if (!isnan(st[0][i].entropy)) {
                        const double de = fabs(st[1][i].entropy - st[0][i].entropy);
                        ASSERT_DBL_LE(de, 1e-5);
                        worst_ent = fmax(worst_ent, de);
                    } else {
                        ASSERT(isnan(st[1][i].entropy));
                    }
                    ASSERT_DBL_LE(fabs(st[1][i].logit_max_abs - st[0][i].logit_max_abs),
                                  1e-5 * (1 + st[0][i].logit_max_abs));
                }
                cases++;
                free(rx), free(P);
                case_free(&c);
            }
    printf("  amx path, %d cases (head widths 32..128, n 1..1025, masks, bias, groupings): max |out - exact| / max "
           "|exact| %.2e (2^%.1f; needs atol 2^%.1f max|v| beside rtol 2^-6), max |lse - decoded lse| %.1e, max "
           "|entropy - decoded| %.1e; out, lse, statistics bitwise equal across threads and groupings\n",
           cases, worst, log2(worst), need_atol > 0 ? log2(need_atol) : -INFINITY, worst_lse, worst_ent);

    /* non-finite values: an inf in V's row 50 (n 130, causal): tile 0 (queries 0..47) sees keys
     * 0..47 only, but its last tile step spans keys 32..63 */
    {
        bf16_case c;
        case_make(&c, 130, 64, 1, 171, 1, 0);
        c.v[50 * c.D + 7] = pelab_lowp_from_f32(PELAB_LOWP_BF16, INFINITY);
        forward_on(PELAB_LOWP_PATH_DECODED, 2, 0, 0, &c, 0, 0, 1);
        forward_on(PELAB_LOWP_PATH_AMX, 2, 0, 0, &c, 1, 0, 1);
        int nonfinite = 0;
        for (size_t i = 0; i < c.nD; i++) {
            ASSERT_EQ(isfinite(c.o[1][i]) != 0, isfinite(c.o[0][i]) != 0);
            nonfinite += !isfinite(c.o[1][i]);
        }
        for (size_t i = 0; i < 48 * (size_t)c.D; i++) ASSERT(isfinite(c.o[1][i]));
        ASSERT_GT(nonfinite, 0);
        printf("  an inf in V (row 50 of 130, causal): %d non-finite outputs on both paths, queries 0..47 finite\n",
               nonfinite);
        case_free(&c);
    }

    /* a head width the tiles do not take (48) runs the decoded path */
    ASSERT(pelab_attention_lowp_path_applies(PELAB_LOWP_PATH_AMX, 64));
    ASSERT(!pelab_attention_lowp_path_applies(PELAB_LOWP_PATH_AMX, 48));
    {
        bf16_case c;
        case_make(&c, 100, 48, 1, 181, 1, 0);
        forward_on(PELAB_LOWP_PATH_DECODED, 2, 0, 0, &c, 0, 0, 0);
        forward_on(PELAB_LOWP_PATH_AMX, 2, 0, 0, &c, 1, 0, 0);
        ASSERT(memcmp(c.o[0], c.o[1], c.nD * sizeof(float)) == 0);
        printf("  head width 48 on the amx setting: bitwise the decoded path\n");
        case_free(&c);
    }
}

int main(void) {
    TEST_RUN(test_decode_exhaustive);
    TEST_RUN(test_round_trip);
    TEST_RUN(test_ties_thresholds_subnormals);
    TEST_RUN(test_random_against_truth);
    TEST_RUN(test_facts);
    TEST_RUN(test_arrays);
    TEST_RUN(test_forward_vs_references);
    TEST_RUN(test_thread_bit_identity);
    TEST_RUN(test_dot_path_bitwise);
    TEST_RUN(test_amx_path);
    return TEST_DONE();
}
