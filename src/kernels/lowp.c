/* lowp.c — see pelab/kernels/lowp.h: the bf16 / f16 conversions, the format's
 * facts and the materialising reference of the low-precision attention. The
 * fused kernel pelab_attention_forward_lowp is the float32 flash kernel with
 * other loads, so it lives beside it in attention.c (kernels/flash_impl.inc).
 *
 * Conversions work on the bits (memcpy, no type punning through unions): a
 * bf16 is the top half of a float32, rounded by adding 0x7fff plus the kept
 * part's lowest bit (ties to even) to the bits; f16 re-biases the exponent and
 * rounds the 13 (normal) or more (subnormal) dropped mantissa bits by hand. */
#include "pelab/kernels/lowp.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/status.h"
#include "pelab/base/mem.h"

#if defined(__F16C__)
#include <immintrin.h>
#define LOWP_F16C 1
#else
#define LOWP_F16C 0
#endif

static const char *const g_lowp_names[PELAB_LOWP_COUNT] = {"bf16", "f16"};

const char *pelab_lowp_str(pelab_lowp f) { return (unsigned)f < PELAB_LOWP_COUNT ? g_lowp_names[f] : "unknown"; }

static inline uint32_t f32_bits(float x) {
    uint32_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline float bits_f32(uint32_t b) {
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* ---- bf16: the top half of a float32 ---------------------------------------------- */

/* NaN: the top bits with the quiet bit set; else round to nearest even (an
 * overflow carries into the exponent and gives inf, as it should) */
static inline uint16_t bf16_from_bits(uint32_t b) {
    const uint16_t nan = (uint16_t)((b >> 16) | 0x0040u);
    const uint16_t r = (uint16_t)((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
    return (b & 0x7fffffffu) > 0x7f800000u ? nan : r;
}

static inline float bf16_to(uint16_t h) { return bits_f32((uint32_t)h << 16); }

/* ---- f16: IEEE binary16, by hand ---------------------------------------------------- */

static uint16_t f16_from_bits(uint32_t b) {
    const uint32_t sign = (b >> 16) & 0x8000u, a = b & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((a >> 13) & 0x3ffu)); /* NaN, quiet */
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 = 65504 + ulp/2 (a tie: to even, inf) */
    if (a >= 0x38800000u) {                                  /* >= 2^-14: normal */
        const uint32_t r = a - ((uint32_t)(127 - 15) << 23);  /* re-biased: 13 bits too many */
        return (uint16_t)(sign | ((r + 0x0fffu + ((r >> 13) & 1u)) >> 13));
    }
    /* below 2^-14: a multiple of 2^-24, round(|x| 2^24); |x| <= 2^-25 rounds to 0 */
    const uint32_t e = a >> 23;
    if (e < 102) return (uint16_t)sign;
    const uint32_t mant = (a & 0x7fffffu) | 0x800000u; /* |x| = mant 2^(e - 150) */
    const uint32_t sh = 126 - e;                       /* 14 .. 24 */
    uint32_t q = mant >> sh;
    const uint32_t rem = mant & ((1u << sh) - 1u), half = 1u << (sh - 1);
    q += rem > half || (rem == half && (q & 1u));
    return (uint16_t)(sign | q); /* q = 0x400 is the smallest normal: the bits say so */
}

static float f16_to(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    if (e == 0x1f) return bits_f32(sign | 0x7f800000u | (m << 13) | (m ? 0x400000u : 0u)); /* inf, NaN (quiet) */
    if (e) return bits_f32(sign | ((e + 112u) << 23) | (m << 13));
    if (!m) return bits_f32(sign);
    uint32_t ex = 113; /* subnormal m 2^-24: normalise */
    while (!(m & 0x400u)) m <<= 1, ex--;
    return bits_f32(sign | (ex << 23) | ((m & 0x3ffu) << 13));
}

/* ---- the scalar API -------------------------------------------------------------------- */

uint16_t pelab_lowp_from_f32_portable(pelab_lowp f, float x) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT);
    return f == PELAB_LOWP_BF16 ? bf16_from_bits(f32_bits(x)) : f16_from_bits(f32_bits(x));
}

float pelab_lowp_to_f32_portable(pelab_lowp f, uint16_t h) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT);
    return f == PELAB_LOWP_BF16 ? bf16_to(h) : f16_to(h);
}

uint16_t pelab_lowp_from_f32(pelab_lowp f, float x) {
#if LOWP_F16C
    if (f == PELAB_LOWP_F16) return (uint16_t)_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT);
#endif
    return pelab_lowp_from_f32_portable(f, x);
}

float pelab_lowp_to_f32(pelab_lowp f, uint16_t h) {
#if LOWP_F16C
    if (f == PELAB_LOWP_F16) return _cvtsh_ss(h);
#endif
    return pelab_lowp_to_f32_portable(f, h);
}

float pelab_lowp_round(pelab_lowp f, float x) { return pelab_lowp_to_f32(f, pelab_lowp_from_f32(f, x)); }

double pelab_lowp_round_f64(pelab_lowp f, double x) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT);
    if (isnan(x) || isinf(x) || x == 0) return x;
    const int p = f == PELAB_LOWP_BF16 ? 8 : 11, emin = f == PELAB_LOWP_BF16 ? -126 : -14;
    int e;
    (void)frexp(x, &e); /* 2^(e-1) <= |x| < 2^e: the format's quantum there is 2^(e-p) */
    int qe = e - p;
    if (qe < emin - (p - 1)) qe = emin - (p - 1); /* the subnormals' quantum */
    const double r = ldexp(rint(ldexp(x, -qe)), qe); /* exact scalings; rint: to nearest even */
    return fabs(r) > pelab_lowp_max(f) ? copysign(INFINITY, x) : r;
}

/* ---- arrays ------------------------------------------------------------------------------ */

void pelab_lowp_round_array(float *x, size_t count, pelab_lowp f) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT && (x || !count));
    size_t i = 0;
    if (f == PELAB_LOWP_BF16) {
#pragma omp simd
        for (size_t j = 0; j < count; j++) {
            uint32_t b;
            memcpy(&b, x + j, sizeof b);
            b = (uint32_t)bf16_from_bits(b) << 16;
            memcpy(x + j, &b, sizeof b);
        }
        return;
    }
#if LOWP_F16C
    for (; i + 8 <= count; i += 8)
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT)));
#endif
    for (; i < count; i++) x[i] = pelab_lowp_round(f, x[i]);
}

void pelab_lowp_pack(uint16_t *dst, const float *src, size_t count, pelab_lowp f) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT && ((dst && src) || !count));
    size_t i = 0;
    if (f == PELAB_LOWP_BF16) {
#pragma omp simd
        for (size_t j = 0; j < count; j++) {
            uint32_t b;
            memcpy(&b, src + j, sizeof b);
            dst[j] = bf16_from_bits(b);
        }
        return;
    }
#if LOWP_F16C
    for (; i + 8 <= count; i += 8)
        _mm_storeu_si128((__m128i *)(void *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    for (; i < count; i++) dst[i] = pelab_lowp_from_f32(f, src[i]);
}

void pelab_lowp_unpack(float *dst, const uint16_t *src, size_t count, pelab_lowp f) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT && ((dst && src) || !count));
    size_t i = 0;
    if (f == PELAB_LOWP_BF16) {
#pragma omp simd
        for (size_t j = 0; j < count; j++) {
            const uint32_t b = (uint32_t)src[j] << 16;
            memcpy(dst + j, &b, sizeof b);
        }
        return;
    }
#if LOWP_F16C
    for (; i + 8 <= count; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(src + i))));
#endif
    for (; i < count; i++) dst[i] = pelab_lowp_to_f32(f, src[i]);
}

/* ---- facts ---------------------------------------------------------------------------------- */

double pelab_lowp_unit_roundoff(pelab_lowp f) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT);
    return f == PELAB_LOWP_BF16 ? ldexp(1.0, -8) : ldexp(1.0, -11);
}

double pelab_lowp_max(pelab_lowp f) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT);
    /* (2 - 2^(1-p)) 2^emax */
    return f == PELAB_LOWP_BF16 ? ldexp(2.0 - ldexp(1.0, -7), 127) : ldexp(2.0 - ldexp(1.0, -10), 15);
}

long pelab_lowp_exact_int_max(pelab_lowp f) {
    PELAB_ASSERT((unsigned)f < PELAB_LOWP_COUNT);
    return f == PELAB_LOWP_BF16 ? 256L : 2048L; /* 2^p */
}

/* ---- the reference ------------------------------------------------------------------------- */

void pelab_attention_reference_forward_lowp(double *out, double *p, const uint16_t *q, const uint16_t *k,
                                            const uint16_t *v, const double *rel_bias, int causal, int n, int D,
                                            int H, pelab_lowp fmt) {
    PELAB_ASSERT(n >= 1 && D >= 1 && H >= 1 && D % H == 0);
    PELAB_ASSERT(out && p && q && k && v && (unsigned)fmt < PELAB_LOWP_COUNT);
    const int dh = D / H;
    const double sq = sqrt((double)dh);
    const size_t nD = (size_t)n * D;
    double *qd = pelab_xmalloc(3 * nD * sizeof(double)), *kd = qd + nD, *vd = kd + nD; /* (n, D) each */
    for (size_t x = 0; x < nD; x++) {
        qd[x] = pelab_lowp_to_f32(fmt, q[x]);
        kd[x] = pelab_lowp_to_f32(fmt, k[x]);
        vd[x] = pelab_lowp_to_f32(fmt, v[x]);
    }
    for (int h = 0; h < H; h++) {
        const int c0 = h * dh;
        for (int i = 0; i < n; i++) {
            double *Pi = p + ((size_t)h * n + i) * n; /* (n) */
            double mx = -INFINITY;
            for (int j = 0; j < n; j++) {
                if (causal && j > i) {
                    Pi[j] = 0;
                    continue;
                }
                double s = 0;
                for (int c = 0; c < dh; c++) s += qd[(size_t)i * D + c0 + c] * kd[(size_t)j * D + c0 + c];
                s /= sq;
                if (rel_bias) s += rel_bias[(size_t)h * (2 * n - 1) + (size_t)(j - i + n - 1)];
                Pi[j] = s;
                if (s > mx) mx = s;
            }
            double l = 0;
            for (int j = 0; j < n; j++) {
                if (causal && j > i) continue;
                const double w = exp(Pi[j] - mx);
                l += w;                                /* the sum of the unrounded weights */
                Pi[j] = pelab_lowp_round_f64(fmt, w); /* the weight as the P V product sees it */
            }
            for (int j = 0; j < n; j++) Pi[j] /= l;
            for (int c = 0; c < dh; c++) {
                double o = 0;
                for (int j = 0; j < n; j++) o += Pi[j] * vd[(size_t)j * D + c0 + c];
                out[(size_t)i * D + c0 + c] = o;
            }
        }
    }
    free(qd);
}
