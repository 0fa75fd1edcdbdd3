/* kernels/simd.h — the vector layer under the attention kernels.
 *
 * Two vector types, pv_f32 (16 floats) and pv_f64 (8 doubles), with the few
 * operations the tiled kernels need: loads and stores (unaligned), broadcast,
 * add, sub, mul, fused multiply-add, max, min, abs, lane masking and an
 * exponential. With AVX-512 (__AVX512F__, i.e. built with -march=native on
 * a machine that has it) each is one or a few instructions on a zmm register;
 * otherwise each is a loop over a small array (the portable path, which the
 * compiler vectorises as far as the target allows). Both paths use the same
 * lane counts and the same exponential algorithm, so the kernels above them
 * are written once.
 *
 * max(a, b) and min(a, b) follow the x86 rule: when either is NaN the result
 * is b. The kernels pass the new value as b, so a NaN logit propagates.
 *
 * The exponential: x is reduced to r = x - k ln 2 with k = round(x / ln 2)
 * (ln 2 in two parts, Cody and Waite), e^r comes from a polynomial (float:
 * Cephes' expf degree-7 polynomial; double: the Taylor series to degree 13,
 * |r| <= ln 2 / 2 bounds its truncation at 4e-18), and 2^k is applied by
 * scaling the exponent (vscalef / ldexp), which also produces subnormals.
 * exp(x) = 0 below the underflow threshold (-103.97 float, -745.13 double),
 * +inf above the overflow threshold, NaN for NaN. The measured accuracy is
 * documented in pelab/attention.h next to pelab_vexp_f32/f64, and tested. */
#ifndef PELAB_KERNELS_SIMD_H
#define PELAB_KERNELS_SIMD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__AVX512F__)
#include <immintrin.h>
#define PV_AVX512 1
#define PV_AVX2 0
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define PV_AVX512 0
#define PV_AVX2 1
#else
#define PV_AVX512 0
#define PV_AVX2 0
#endif

#if defined(__GNUC__)
#define PV_INLINE static inline __attribute__((always_inline))
#define PV_UNROLL _Pragma("GCC unroll 16")
#else
#define PV_INLINE static inline
#define PV_UNROLL
#endif

#define PV_F32_LANES 16
#define PV_F64_LANES 8

/* Constants of the exponential. */
#define PV_LOG2E 1.44269504088896340736
#define PV_EXPF_HI 89.0f
#define PV_EXPF_LO -103.972077f
#define PV_EXPF_C1 0.693359375f
#define PV_EXPF_C2 -2.12194440e-4f
#define PV_EXP_HI 710.0
#define PV_EXP_LO -745.1332191019412
#define PV_EXP_C1 6.93145751953125E-1
#define PV_EXP_C2 1.42860682030941723212E-6
/* 2^x of the kernels' softmax: x = (s - max) in log2 units, clamped by the
 * caller to >= these (2^x is 0 there: the clamp keeps 0 * x finite) */
#define PV_EXP2F_LO -200.0f
#define PV_EXP2_LO -1100.0
/* (ln 2)^k / k!, k = 1 .. 13: the Taylor series of 2^f = e^(f ln 2) */
#define PV_T2_1 0.6931471805599453
#define PV_T2_2 0.2402265069591007
#define PV_T2_3 0.055504108664821576
#define PV_T2_4 0.009618129107628477
#define PV_T2_5 0.0013333558146428441
#define PV_T2_6 0.00015403530393381606
#define PV_T2_7 1.5252733804059838e-05
#define PV_T2_8 1.3215486790144305e-06
#define PV_T2_9 1.0178086009239696e-07
#define PV_T2_10 7.054911620801121e-09
#define PV_T2_11 4.44553827187081e-10
#define PV_T2_12 2.5678435993488196e-11
#define PV_T2_13 1.3691488853904124e-12

#if PV_AVX512 || defined(__FMA__) || defined(__aarch64__) || defined(__ARM_FEATURE_FMA)
#define PV_FMAF(a, b, c) fmaf(a, b, c)
#define PV_FMA(a, b, c) fma(a, b, c)
#else /* no fused multiply-add in hardware: the libm call would be slow */
#define PV_FMAF(a, b, c) ((a) * (b) + (c))
#define PV_FMA(a, b, c) ((a) * (b) + (c))
#endif
/* scalar a * b + c rounded as the vector layer's fma rounds it */
PV_INLINE float pv_f32_fma1(float a, float b, float c) { return PV_FMAF(a, b, c); }
PV_INLINE double pv_f64_fma1(double a, double b, double c) { return PV_FMA(a, b, c); }

#if PV_AVX512 /* ------------------------------------------------------------------ */

typedef __m512 pv_f32;
typedef __m512d pv_f64;

PV_INLINE pv_f32 pv_f32_load(const float *p) { return _mm512_loadu_ps(p); }
PV_INLINE void pv_f32_store(float *p, pv_f32 v) { _mm512_storeu_ps(p, v); }
PV_INLINE pv_f32 pv_f32_set1(float x) { return _mm512_set1_ps(x); }
PV_INLINE pv_f32 pv_f32_zero(void) { return _mm512_setzero_ps(); }
PV_INLINE pv_f32 pv_f32_add(pv_f32 a, pv_f32 b) { return _mm512_add_ps(a, b); }
PV_INLINE pv_f32 pv_f32_sub(pv_f32 a, pv_f32 b) { return _mm512_sub_ps(a, b); }
PV_INLINE pv_f32 pv_f32_mul(pv_f32 a, pv_f32 b) { return _mm512_mul_ps(a, b); }
/* a * b + c, rounded once */
PV_INLINE pv_f32 pv_f32_fma(pv_f32 a, pv_f32 b, pv_f32 c) { return _mm512_fmadd_ps(a, b, c); }
PV_INLINE pv_f32 pv_f32_max(pv_f32 a, pv_f32 b) { return _mm512_max_ps(a, b); }
PV_INLINE pv_f32 pv_f32_min(pv_f32 a, pv_f32 b) { return _mm512_min_ps(a, b); }
PV_INLINE pv_f32 pv_f32_abs(pv_f32 a) { return _mm512_abs_ps(a); }
/* lanes [0, cnt) set to x (cnt may be <= 0 or >= 16) */
PV_INLINE pv_f32 pv_f32_fill_lt(pv_f32 v, int cnt, float x) {
    if (cnt <= 0) return v;
    const __mmask16 m = cnt >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cnt) - 1u);
    return _mm512_mask_mov_ps(v, m, _mm512_set1_ps(x));
}
/* lanes [start, 16) set to x */
PV_INLINE pv_f32 pv_f32_fill_ge(pv_f32 v, int start, float x) {
    if (start >= 16) return v;
    const __mmask16 m = start <= 0 ? (__mmask16)0xFFFF : (__mmask16)(0xFFFFu & ~((1u << start) - 1u));
    return _mm512_mask_mov_ps(v, m, _mm512_set1_ps(x));
}
/* 1 when every lane of a equals the same lane of b */
PV_INLINE int pv_f32_all_eq(pv_f32 a, pv_f32 b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ) == 0xFFFF; }

PV_INLINE pv_f32 pv_f32_exp(pv_f32 x) {
    x = _mm512_min_ps(_mm512_set1_ps(PV_EXPF_HI), x);
    const __mmask16 keep = _mm512_cmp_ps_mask(x, _mm512_set1_ps(PV_EXPF_LO), _CMP_NLT_UQ);
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps((float)PV_LOG2E)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(PV_EXPF_C1), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(PV_EXPF_C2), r);
    const __m512 z = _mm512_mul_ps(r, r);
    __m512 p = _mm512_set1_ps(1.9875691500E-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073E-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894E-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459E-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201E-1f));
    p = _mm512_fmadd_ps(p, z, r);
    p = _mm512_add_ps(p, _mm512_set1_ps(1.0f));
    return _mm512_maskz_scalef_ps(keep, p, k);
}

PV_INLINE pv_f64 pv_f64_load(const double *p) { return _mm512_loadu_pd(p); }
PV_INLINE void pv_f64_store(double *p, pv_f64 v) { _mm512_storeu_pd(p, v); }
PV_INLINE pv_f64 pv_f64_set1(double x) { return _mm512_set1_pd(x); }
PV_INLINE pv_f64 pv_f64_zero(void) { return _mm512_setzero_pd(); }
PV_INLINE pv_f64 pv_f64_add(pv_f64 a, pv_f64 b) { return _mm512_add_pd(a, b); }
PV_INLINE pv_f64 pv_f64_sub(pv_f64 a, pv_f64 b) { return _mm512_sub_pd(a, b); }
PV_INLINE pv_f64 pv_f64_mul(pv_f64 a, pv_f64 b) { return _mm512_mul_pd(a, b); }
PV_INLINE pv_f64 pv_f64_fma(pv_f64 a, pv_f64 b, pv_f64 c) { return _mm512_fmadd_pd(a, b, c); }
PV_INLINE pv_f64 pv_f64_max(pv_f64 a, pv_f64 b) { return _mm512_max_pd(a, b); }
PV_INLINE pv_f64 pv_f64_min(pv_f64 a, pv_f64 b) { return _mm512_min_pd(a, b); }
PV_INLINE pv_f64 pv_f64_abs(pv_f64 a) { return _mm512_abs_pd(a); }
PV_INLINE pv_f64 pv_f64_fill_lt(pv_f64 v, int cnt, double x) {
    if (cnt <= 0) return v;
    const __mmask8 m = cnt >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << cnt) - 1u);
    return _mm512_mask_mov_pd(v, m, _mm512_set1_pd(x));
}
PV_INLINE pv_f64 pv_f64_fill_ge(pv_f64 v, int start, double x) {
    if (start >= 8) return v;
    const __mmask8 m = start <= 0 ? (__mmask8)0xFF : (__mmask8)(0xFFu & ~((1u << start) - 1u));
    return _mm512_mask_mov_pd(v, m, _mm512_set1_pd(x));
}
PV_INLINE int pv_f64_all_eq(pv_f64 a, pv_f64 b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ) == 0xFF; }

PV_INLINE pv_f64 pv_f64_exp(pv_f64 x) {
    x = _mm512_min_pd(_mm512_set1_pd(PV_EXP_HI), x);
    const __mmask8 keep = _mm512_cmp_pd_mask(x, _mm512_set1_pd(PV_EXP_LO), _CMP_NLT_UQ);
    const __m512d k = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(PV_LOG2E)),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_fnmadd_pd(k, _mm512_set1_pd(PV_EXP_C1), x);
    r = _mm512_fnmadd_pd(k, _mm512_set1_pd(PV_EXP_C2), r);
    /* Horner from 1/13! down to 1/1!, then * r + 1 */
    __m512d p = _mm512_set1_pd(1.0 / 6227020800.0);
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 479001600.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 39916800.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 3628800.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 362880.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 40320.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 5040.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 720.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 120.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 24.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0 / 6.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
    p = _mm512_fmadd_pd(p, _mm512_mul_pd(r, r), r);
    p = _mm512_add_pd(p, _mm512_set1_pd(1.0));
    return _mm512_maskz_scalef_pd(keep, p, k);
}


/* 2^x, x = k + f with k = round(x), |f| <= 1/2: the Taylor series of 2^f to
 * degree 7 (float, truncation < 6e-9) or 13 (double, < 5e-18), scaled by 2^k.
 * For the softmax (x <= 0, clamped to PV_EXP2*_LO; NaN stays NaN); any
 * x gives a finite or infinite result. */
PV_INLINE pv_f32 pv_f32_exp2(pv_f32 x) {
    const __m512 k = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512 f = _mm512_sub_ps(x, k);
    __m512 p = _mm512_set1_ps((float)PV_T2_7);
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps((float)PV_T2_6));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps((float)PV_T2_5));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps((float)PV_T2_4));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps((float)PV_T2_3));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps((float)PV_T2_2));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps((float)PV_T2_1));
    p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, k);
}
PV_INLINE pv_f64 pv_f64_exp2(pv_f64 x) {
    const __m512d k = _mm512_roundscale_pd(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512d f = _mm512_sub_pd(x, k);
    __m512d p = _mm512_set1_pd(PV_T2_13);
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_12));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_11));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_10));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_9));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_8));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_7));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_6));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_5));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_4));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_3));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_2));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(PV_T2_1));
    p = _mm512_fmadd_pd(p, f, _mm512_set1_pd(1.0));
    return _mm512_scalef_pd(p, k);
}

/* Sums of squares and cubes of float lanes, accumulated in double (the
 * softmax Jacobian norm cancels: sum p^2 - 2 sum p^3 + (sum p^2)^2 needs them
 * to more than float precision). pv_f32_wide holds 16 doubles. */
typedef struct pv_f32_wide {
    __m512d lo, hi;
} pv_f32_wide;
PV_INLINE pv_f32_wide pv_f32_wide_zero(void) {
    pv_f32_wide w = {_mm512_setzero_pd(), _mm512_setzero_pd()};
    return w;
}
PV_INLINE __m512d pv_f32_lo_(pv_f32 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
PV_INLINE __m512d pv_f32_hi_(pv_f32 v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}
/* a2 += p^2, a3 += p^3 (in double) */
PV_INLINE void pv_f32_acc23(pv_f32_wide *a2, pv_f32_wide *a3, pv_f32 p) {
    const __m512d lo = pv_f32_lo_(p), hi = pv_f32_hi_(p);
    const __m512d l2 = _mm512_mul_pd(lo, lo), h2 = _mm512_mul_pd(hi, hi);
    a2->lo = _mm512_add_pd(a2->lo, l2), a2->hi = _mm512_add_pd(a2->hi, h2);
    a3->lo = _mm512_fmadd_pd(l2, lo, a3->lo), a3->hi = _mm512_fmadd_pd(h2, hi, a3->hi);
}
/* a * f^e (e = 2 or 3), f widened */
PV_INLINE pv_f32_wide pv_f32_wide_scale(pv_f32_wide a, pv_f32 f, int e) {
    const __m512d lo = pv_f32_lo_(f), hi = pv_f32_hi_(f);
    __m512d fl = _mm512_mul_pd(lo, lo), fh = _mm512_mul_pd(hi, hi);
    if (e == 3) fl = _mm512_mul_pd(fl, lo), fh = _mm512_mul_pd(fh, hi);
    a.lo = _mm512_mul_pd(a.lo, fl), a.hi = _mm512_mul_pd(a.hi, fh);
    return a;
}
PV_INLINE void pv_f32_wide_store(double *p, pv_f32_wide a) {
    _mm512_storeu_pd(p, a.lo);
    _mm512_storeu_pd(p + 8, a.hi);
}

#elif PV_AVX2 /* --------------------------------------------------------------------
 * AVX2 + FMA (x86 without AVX-512, e.g. AMD Zen 1-3, Intel before Skylake-X):
 * each vector is two ymm registers, the lanes and every operation's rounding
 * those of the other paths (the same polynomials, fma where they fma, max and
 * min with x86's NaN rule, 2^k applied in the portable path's two exact
 * steps), so the results are bitwise the portable path's. */

typedef struct pv_f32 {
    __m256 a, b; /* lanes 0-7, 8-15 */
} pv_f32;
typedef struct pv_f64 {
    __m256d a, b; /* lanes 0-3, 4-7 */
} pv_f64;

#define PV2_F32_(ea, eb)          \
    pv_f32 r_ = {(ea), (eb)};     \
    return r_
#define PV2_F64_(ea, eb)          \
    pv_f64 r_ = {(ea), (eb)};     \
    return r_

PV_INLINE pv_f32 pv_f32_load(const float *p) { PV2_F32_(_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)); }
PV_INLINE void pv_f32_store(float *p, pv_f32 v) { _mm256_storeu_ps(p, v.a), _mm256_storeu_ps(p + 8, v.b); }
PV_INLINE pv_f32 pv_f32_set1(float x) { PV2_F32_(_mm256_set1_ps(x), _mm256_set1_ps(x)); }
PV_INLINE pv_f32 pv_f32_zero(void) { PV2_F32_(_mm256_setzero_ps(), _mm256_setzero_ps()); }
PV_INLINE pv_f32 pv_f32_add(pv_f32 x, pv_f32 y) { PV2_F32_(_mm256_add_ps(x.a, y.a), _mm256_add_ps(x.b, y.b)); }
PV_INLINE pv_f32 pv_f32_sub(pv_f32 x, pv_f32 y) { PV2_F32_(_mm256_sub_ps(x.a, y.a), _mm256_sub_ps(x.b, y.b)); }
PV_INLINE pv_f32 pv_f32_mul(pv_f32 x, pv_f32 y) { PV2_F32_(_mm256_mul_ps(x.a, y.a), _mm256_mul_ps(x.b, y.b)); }
/* x * y + z, rounded once */
PV_INLINE pv_f32 pv_f32_fma(pv_f32 x, pv_f32 y, pv_f32 z) {
    PV2_F32_(_mm256_fmadd_ps(x.a, y.a, z.a), _mm256_fmadd_ps(x.b, y.b, z.b));
}
PV_INLINE pv_f32 pv_f32_max(pv_f32 x, pv_f32 y) { PV2_F32_(_mm256_max_ps(x.a, y.a), _mm256_max_ps(x.b, y.b)); }
PV_INLINE pv_f32 pv_f32_min(pv_f32 x, pv_f32 y) { PV2_F32_(_mm256_min_ps(x.a, y.a), _mm256_min_ps(x.b, y.b)); }
PV_INLINE pv_f32 pv_f32_abs(pv_f32 x) {
    const __m256 m = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    PV2_F32_(_mm256_and_ps(x.a, m), _mm256_and_ps(x.b, m));
}
/* lanes [0, cnt) set to x */
PV_INLINE pv_f32 pv_f32_fill_lt(pv_f32 v, int cnt, float x) {
    if (cnt <= 0) return v;
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), c = _mm256_set1_epi32(cnt);
    const __m256 ma = _mm256_castsi256_ps(_mm256_cmpgt_epi32(c, idx));
    const __m256 mb = _mm256_castsi256_ps(_mm256_cmpgt_epi32(c, _mm256_add_epi32(idx, _mm256_set1_epi32(8))));
    const __m256 xv = _mm256_set1_ps(x);
    PV2_F32_(_mm256_blendv_ps(v.a, xv, ma), _mm256_blendv_ps(v.b, xv, mb));
}
/* lanes [start, 16) set to x */
PV_INLINE pv_f32 pv_f32_fill_ge(pv_f32 v, int start, float x) {
    if (start >= 16) return v;
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), c = _mm256_set1_epi32(start - 1);
    const __m256 ma = _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, c));
    const __m256 mb = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_add_epi32(idx, _mm256_set1_epi32(8)), c));
    const __m256 xv = _mm256_set1_ps(x);
    PV2_F32_(_mm256_blendv_ps(v.a, xv, ma), _mm256_blendv_ps(v.b, xv, mb));
}
/* 1 when every lane of x equals the same lane of y */
PV_INLINE int pv_f32_all_eq(pv_f32 x, pv_f32 y) {
    return _mm256_movemask_ps(_mm256_cmp_ps(x.a, y.a, _CMP_EQ_OQ)) == 0xFF &&
           _mm256_movemask_ps(_mm256_cmp_ps(x.b, y.b, _CMP_EQ_OQ)) == 0xFF;
}

/* p 2^k, k integral in [-226, 227] (as a float): pv_ldexp2f_'s two exact steps */
PV_INLINE __m256 pv2_ldexpf_(__m256 p, __m256 k) {
    const __m256 lo = _mm256_cmp_ps(k, _mm256_set1_ps(-126.0f), _CMP_LT_OQ);
    const __m256 hi = _mm256_cmp_ps(k, _mm256_set1_ps(127.0f), _CMP_GT_OQ);
    __m256 k1 = _mm256_blendv_ps(k, _mm256_add_ps(k, _mm256_set1_ps(100.0f)), lo);
    k1 = _mm256_blendv_ps(k1, _mm256_sub_ps(k, _mm256_set1_ps(100.0f)), hi);
    __m256 s = _mm256_blendv_ps(_mm256_set1_ps(1.0f), _mm256_set1_ps(0x1p-100f), lo);
    s = _mm256_blendv_ps(s, _mm256_set1_ps(0x1p100f), hi);
    const __m256i b = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k1), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(b)), s);
}
/* e^x of 8 lanes: pv_expf_1's steps */
PV_INLINE __m256 pv2_expf_(__m256 x) {
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    const __m256 zero = _mm256_cmp_ps(x, _mm256_set1_ps(PV_EXPF_LO), _CMP_LT_OQ);
    __m256 y = _mm256_min_ps(_mm256_set1_ps(PV_EXPF_HI), x);
    y = _mm256_andnot_ps(_mm256_or_ps(nan, zero), y); /* NaN and underflow lanes: 0 here, fixed below */
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(y, _mm256_set1_ps((float)PV_LOG2E)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(PV_EXPF_C1), y);
    r = _mm256_fnmadd_ps(k, _mm256_set1_ps(PV_EXPF_C2), r);
    const __m256 z = _mm256_mul_ps(r, r);
    __m256 p = _mm256_set1_ps(1.9875691500E-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
    p = _mm256_fmadd_ps(p, z, r);
    p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
    const __m256 e = _mm256_andnot_ps(zero, pv2_ldexpf_(p, k));
    return _mm256_blendv_ps(e, x, nan);
}
PV_INLINE pv_f32 pv_f32_exp(pv_f32 x) { PV2_F32_(pv2_expf_(x.a), pv2_expf_(x.b)); }
/* 2^x of 8 lanes: pv_exp2f_1's steps (x clamped to [-200, 200], NaN kept) */
PV_INLINE __m256 pv2_exp2f_(__m256 x) {
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    __m256 y = _mm256_andnot_ps(nan, x);
    y = _mm256_min_ps(_mm256_max_ps(y, _mm256_set1_ps(-200.0f)), _mm256_set1_ps(200.0f));
    const __m256 k = _mm256_round_ps(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 f = _mm256_sub_ps(y, k);
    __m256 p = _mm256_set1_ps((float)PV_T2_7);
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps((float)PV_T2_6));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps((float)PV_T2_5));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps((float)PV_T2_4));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps((float)PV_T2_3));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps((float)PV_T2_2));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps((float)PV_T2_1));
    p = _mm256_fmadd_ps(p, f, _mm256_set1_ps(1.0f));
    return _mm256_blendv_ps(pv2_ldexpf_(p, k), x, nan);
}
PV_INLINE pv_f32 pv_f32_exp2(pv_f32 x) { PV2_F32_(pv2_exp2f_(x.a), pv2_exp2f_(x.b)); }

/* sums of squares and cubes of float lanes in double (see the AVX-512 path) */
typedef struct pv_f32_wide {
    __m256d q[4]; /* lanes 0-3, 4-7, 8-11, 12-15 */
} pv_f32_wide;
PV_INLINE pv_f32_wide pv_f32_wide_zero(void) {
    pv_f32_wide w = {{_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()}};
    return w;
}
PV_INLINE __m256d pv2_quarter_(pv_f32 v, int i) {
    const __m256 h = i < 2 ? v.a : v.b;
    return _mm256_cvtps_pd(i % 2 ? _mm256_extractf128_ps(h, 1) : _mm256_castps256_ps128(h));
}
PV_INLINE void pv_f32_acc23(pv_f32_wide *a2, pv_f32_wide *a3, pv_f32 p) {
    for (int i = 0; i < 4; i++) {
        const __m256d x = pv2_quarter_(p, i), x2 = _mm256_mul_pd(x, x);
        a2->q[i] = _mm256_add_pd(a2->q[i], x2);
        a3->q[i] = _mm256_fmadd_pd(x2, x, a3->q[i]);
    }
}
PV_INLINE pv_f32_wide pv_f32_wide_scale(pv_f32_wide w, pv_f32 f, int e) {
    for (int i = 0; i < 4; i++) {
        const __m256d x = pv2_quarter_(f, i);
        __m256d m = _mm256_mul_pd(x, x);
        if (e == 3) m = _mm256_mul_pd(m, x);
        w.q[i] = _mm256_mul_pd(w.q[i], m);
    }
    return w;
}
PV_INLINE void pv_f32_wide_store(double *p, pv_f32_wide w) {
    for (int i = 0; i < 4; i++) _mm256_storeu_pd(p + 4 * i, w.q[i]);
}

PV_INLINE pv_f64 pv_f64_load(const double *p) { PV2_F64_(_mm256_loadu_pd(p), _mm256_loadu_pd(p + 4)); }
PV_INLINE void pv_f64_store(double *p, pv_f64 v) { _mm256_storeu_pd(p, v.a), _mm256_storeu_pd(p + 4, v.b); }
PV_INLINE pv_f64 pv_f64_set1(double x) { PV2_F64_(_mm256_set1_pd(x), _mm256_set1_pd(x)); }
PV_INLINE pv_f64 pv_f64_zero(void) { PV2_F64_(_mm256_setzero_pd(), _mm256_setzero_pd()); }
PV_INLINE pv_f64 pv_f64_add(pv_f64 x, pv_f64 y) { PV2_F64_(_mm256_add_pd(x.a, y.a), _mm256_add_pd(x.b, y.b)); }
PV_INLINE pv_f64 pv_f64_sub(pv_f64 x, pv_f64 y) { PV2_F64_(_mm256_sub_pd(x.a, y.a), _mm256_sub_pd(x.b, y.b)); }
PV_INLINE pv_f64 pv_f64_mul(pv_f64 x, pv_f64 y) { PV2_F64_(_mm256_mul_pd(x.a, y.a), _mm256_mul_pd(x.b, y.b)); }
PV_INLINE pv_f64 pv_f64_fma(pv_f64 x, pv_f64 y, pv_f64 z) {
    PV2_F64_(_mm256_fmadd_pd(x.a, y.a, z.a), _mm256_fmadd_pd(x.b, y.b, z.b));
}
PV_INLINE pv_f64 pv_f64_max(pv_f64 x, pv_f64 y) { PV2_F64_(_mm256_max_pd(x.a, y.a), _mm256_max_pd(x.b, y.b)); }
PV_INLINE pv_f64 pv_f64_min(pv_f64 x, pv_f64 y) { PV2_F64_(_mm256_min_pd(x.a, y.a), _mm256_min_pd(x.b, y.b)); }
PV_INLINE pv_f64 pv_f64_abs(pv_f64 x) {
    const __m256d m = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFFLL));
    PV2_F64_(_mm256_and_pd(x.a, m), _mm256_and_pd(x.b, m));
}
PV_INLINE pv_f64 pv_f64_fill_lt(pv_f64 v, int cnt, double x) {
    if (cnt <= 0) return v;
    const __m256i idx = _mm256_setr_epi64x(0, 1, 2, 3), c = _mm256_set1_epi64x(cnt);
    const __m256d ma = _mm256_castsi256_pd(_mm256_cmpgt_epi64(c, idx));
    const __m256d mb = _mm256_castsi256_pd(_mm256_cmpgt_epi64(c, _mm256_add_epi64(idx, _mm256_set1_epi64x(4))));
    const __m256d xv = _mm256_set1_pd(x);
    PV2_F64_(_mm256_blendv_pd(v.a, xv, ma), _mm256_blendv_pd(v.b, xv, mb));
}
PV_INLINE pv_f64 pv_f64_fill_ge(pv_f64 v, int start, double x) {
    if (start >= 8) return v;
    const __m256i idx = _mm256_setr_epi64x(0, 1, 2, 3), c = _mm256_set1_epi64x(start - 1);
    const __m256d ma = _mm256_castsi256_pd(_mm256_cmpgt_epi64(idx, c));
    const __m256d mb = _mm256_castsi256_pd(_mm256_cmpgt_epi64(_mm256_add_epi64(idx, _mm256_set1_epi64x(4)), c));
    const __m256d xv = _mm256_set1_pd(x);
    PV2_F64_(_mm256_blendv_pd(v.a, xv, ma), _mm256_blendv_pd(v.b, xv, mb));
}
PV_INLINE int pv_f64_all_eq(pv_f64 x, pv_f64 y) {
    return _mm256_movemask_pd(_mm256_cmp_pd(x.a, y.a, _CMP_EQ_OQ)) == 0xF &&
           _mm256_movemask_pd(_mm256_cmp_pd(x.b, y.b, _CMP_EQ_OQ)) == 0xF;
}

/* p 2^k, k integral in [-1222, 1223] (as a double), rounded once like ldexp:
 * beyond the normal exponents p 2^(k -+ 200) (exact) times 2^+-200. The
 * integer k comes from the bits of k + 1.5 2^52. */
PV_INLINE __m256d pv2_ldexp_(__m256d p, __m256d k) {
    const __m256d lo = _mm256_cmp_pd(k, _mm256_set1_pd(-1022.0), _CMP_LT_OQ);
    const __m256d hi = _mm256_cmp_pd(k, _mm256_set1_pd(1023.0), _CMP_GT_OQ);
    __m256d k1 = _mm256_blendv_pd(k, _mm256_add_pd(k, _mm256_set1_pd(200.0)), lo);
    k1 = _mm256_blendv_pd(k1, _mm256_sub_pd(k, _mm256_set1_pd(200.0)), hi);
    __m256d s = _mm256_blendv_pd(_mm256_set1_pd(1.0), _mm256_set1_pd(0x1p-200), lo);
    s = _mm256_blendv_pd(s, _mm256_set1_pd(0x1p200), hi);
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    const __m256i ki = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k1, magic)), _mm256_castpd_si256(magic));
    const __m256i b = _mm256_slli_epi64(_mm256_add_epi64(ki, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(_mm256_mul_pd(p, _mm256_castsi256_pd(b)), s);
}
PV_INLINE __m256d pv2_exp_(__m256d x) {
    const __m256d nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
    const __m256d zero = _mm256_cmp_pd(x, _mm256_set1_pd(PV_EXP_LO), _CMP_LT_OQ);
    __m256d y = _mm256_min_pd(_mm256_set1_pd(PV_EXP_HI), x);
    y = _mm256_andnot_pd(_mm256_or_pd(nan, zero), y);
    const __m256d k = _mm256_round_pd(_mm256_mul_pd(y, _mm256_set1_pd(PV_LOG2E)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(PV_EXP_C1), y);
    r = _mm256_fnmadd_pd(k, _mm256_set1_pd(PV_EXP_C2), r);
    static const double c[12] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                 1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                                 1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                                 1.0 / 24.0,         1.0 / 6.0,         0.5};
    __m256d p = _mm256_set1_pd(c[0]);
    for (int i = 1; i < 12; i++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[i]));
    p = _mm256_fmadd_pd(p, _mm256_mul_pd(r, r), r);
    p = _mm256_add_pd(p, _mm256_set1_pd(1.0));
    const __m256d e = _mm256_andnot_pd(zero, pv2_ldexp_(p, k));
    return _mm256_blendv_pd(e, x, nan);
}
PV_INLINE pv_f64 pv_f64_exp(pv_f64 x) { PV2_F64_(pv2_exp_(x.a), pv2_exp_(x.b)); }
PV_INLINE __m256d pv2_exp2_(__m256d x) {
    const __m256d nan = _mm256_cmp_pd(x, x, _CMP_UNORD_Q);
    __m256d y = _mm256_andnot_pd(nan, x);
    y = _mm256_min_pd(_mm256_max_pd(y, _mm256_set1_pd(-1100.0)), _mm256_set1_pd(1100.0));
    const __m256d k = _mm256_round_pd(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256d f = _mm256_sub_pd(y, k);
    static const double c[13] = {PV_T2_13, PV_T2_12, PV_T2_11, PV_T2_10, PV_T2_9, PV_T2_8, PV_T2_7,
                                 PV_T2_6,  PV_T2_5,  PV_T2_4,  PV_T2_3,  PV_T2_2, PV_T2_1};
    __m256d p = _mm256_set1_pd(c[0]);
    for (int i = 1; i < 13; i++) p = _mm256_fmadd_pd(p, f, _mm256_set1_pd(c[i]));
    p = _mm256_fmadd_pd(p, f, _mm256_set1_pd(1.0));
    return _mm256_blendv_pd(pv2_ldexp_(p, k), x, nan);
}
PV_INLINE pv_f64 pv_f64_exp2(pv_f64 x) { PV2_F64_(pv2_exp2_(x.a), pv2_exp2_(x.b)); }

#undef PV2_F32_
#undef PV2_F64_

#else /* portable ------------------------------------------------------------------ */

typedef struct pv_f32 {
    float v[PV_F32_LANES];
} pv_f32;
typedef struct pv_f64 {
    double v[PV_F64_LANES];
} pv_f64;

#define PV_MAP_(TY, L, expr)                \
    TY r_;                                  \
    for (int l = 0; l < (L); l++) r_.v[l] = (expr); \
    return r_

PV_INLINE pv_f32 pv_f32_load(const float *p) { PV_MAP_(pv_f32, PV_F32_LANES, p[l]); }
PV_INLINE void pv_f32_store(float *p, pv_f32 v) {
    for (int l = 0; l < PV_F32_LANES; l++) p[l] = v.v[l];
}
PV_INLINE pv_f32 pv_f32_set1(float x) { PV_MAP_(pv_f32, PV_F32_LANES, x); }
PV_INLINE pv_f32 pv_f32_zero(void) { PV_MAP_(pv_f32, PV_F32_LANES, 0.0f); }
PV_INLINE pv_f32 pv_f32_add(pv_f32 a, pv_f32 b) { PV_MAP_(pv_f32, PV_F32_LANES, a.v[l] + b.v[l]); }
PV_INLINE pv_f32 pv_f32_sub(pv_f32 a, pv_f32 b) { PV_MAP_(pv_f32, PV_F32_LANES, a.v[l] - b.v[l]); }
PV_INLINE pv_f32 pv_f32_mul(pv_f32 a, pv_f32 b) { PV_MAP_(pv_f32, PV_F32_LANES, a.v[l] * b.v[l]); }
PV_INLINE pv_f32 pv_f32_fma(pv_f32 a, pv_f32 b, pv_f32 c) {
    PV_MAP_(pv_f32, PV_F32_LANES, PV_FMAF(a.v[l], b.v[l], c.v[l]));
}
PV_INLINE pv_f32 pv_f32_max(pv_f32 a, pv_f32 b) { PV_MAP_(pv_f32, PV_F32_LANES, a.v[l] > b.v[l] ? a.v[l] : b.v[l]); }
PV_INLINE pv_f32 pv_f32_min(pv_f32 a, pv_f32 b) { PV_MAP_(pv_f32, PV_F32_LANES, a.v[l] < b.v[l] ? a.v[l] : b.v[l]); }
PV_INLINE pv_f32 pv_f32_abs(pv_f32 a) { PV_MAP_(pv_f32, PV_F32_LANES, fabsf(a.v[l])); }
PV_INLINE pv_f32 pv_f32_fill_lt(pv_f32 v, int cnt, float x) {
    for (int l = 0; l < PV_F32_LANES && l < cnt; l++) v.v[l] = x;
    return v;
}
PV_INLINE pv_f32 pv_f32_fill_ge(pv_f32 v, int start, float x) {
    for (int l = start < 0 ? 0 : start; l < PV_F32_LANES; l++) v.v[l] = x;
    return v;
}
PV_INLINE int pv_f32_all_eq(pv_f32 a, pv_f32 b) {
    int eq = 1;
    for (int l = 0; l < PV_F32_LANES; l++) eq &= a.v[l] == b.v[l];
    return eq;
}


typedef struct pv_f32_wide {
    double v[PV_F32_LANES];
} pv_f32_wide;
PV_INLINE pv_f32_wide pv_f32_wide_zero(void) { PV_MAP_(pv_f32_wide, PV_F32_LANES, 0.0); }
PV_INLINE void pv_f32_acc23(pv_f32_wide *a2, pv_f32_wide *a3, pv_f32 p) {
    for (int l = 0; l < PV_F32_LANES; l++) {
        const double x = p.v[l], x2 = x * x;
        a2->v[l] += x2;
        a3->v[l] = PV_FMA(x2, x, a3->v[l]);
    }
}
PV_INLINE pv_f32_wide pv_f32_wide_scale(pv_f32_wide a, pv_f32 f, int e) {
    for (int l = 0; l < PV_F32_LANES; l++) {
        const double x = f.v[l];
        a.v[l] *= e == 3 ? x * x * x : x * x;
    }
    return a;
}
PV_INLINE void pv_f32_wide_store(double *p, pv_f32_wide a) {
    for (int l = 0; l < PV_F32_LANES; l++) p[l] = a.v[l];
}

static inline float pv_expf_1(float x) {
    if (x != x) return x;
    x = PV_EXPF_HI < x ? PV_EXPF_HI : x;
    if (x < PV_EXPF_LO) return 0.0f;
    const float k = rintf(x * (float)PV_LOG2E);
    float r = PV_FMAF(-k, PV_EXPF_C1, x);
    r = PV_FMAF(-k, PV_EXPF_C2, r);
    const float z = r * r;
    float p = 1.9875691500E-4f;
    p = PV_FMAF(p, r, 1.3981999507E-3f);
    p = PV_FMAF(p, r, 8.3334519073E-3f);
    p = PV_FMAF(p, r, 4.1665795894E-2f);
    p = PV_FMAF(p, r, 1.6666665459E-1f);
    p = PV_FMAF(p, r, 5.0000001201E-1f);
    p = PV_FMAF(p, z, r);
    p = p + 1.0f;
    return ldexpf(p, (int)k);
}
PV_INLINE pv_f32 pv_f32_exp(pv_f32 x) { PV_MAP_(pv_f32, PV_F32_LANES, pv_expf_1(x.v[l])); }

PV_INLINE pv_f64 pv_f64_load(const double *p) { PV_MAP_(pv_f64, PV_F64_LANES, p[l]); }
PV_INLINE void pv_f64_store(double *p, pv_f64 v) {
    for (int l = 0; l < PV_F64_LANES; l++) p[l] = v.v[l];
}
PV_INLINE pv_f64 pv_f64_set1(double x) { PV_MAP_(pv_f64, PV_F64_LANES, x); }
PV_INLINE pv_f64 pv_f64_zero(void) { PV_MAP_(pv_f64, PV_F64_LANES, 0.0); }
PV_INLINE pv_f64 pv_f64_add(pv_f64 a, pv_f64 b) { PV_MAP_(pv_f64, PV_F64_LANES, a.v[l] + b.v[l]); }
PV_INLINE pv_f64 pv_f64_sub(pv_f64 a, pv_f64 b) { PV_MAP_(pv_f64, PV_F64_LANES, a.v[l] - b.v[l]); }
PV_INLINE pv_f64 pv_f64_mul(pv_f64 a, pv_f64 b) { PV_MAP_(pv_f64, PV_F64_LANES, a.v[l] * b.v[l]); }
PV_INLINE pv_f64 pv_f64_fma(pv_f64 a, pv_f64 b, pv_f64 c) {
    PV_MAP_(pv_f64, PV_F64_LANES, PV_FMA(a.v[l], b.v[l], c.v[l]));
}
PV_INLINE pv_f64 pv_f64_max(pv_f64 a, pv_f64 b) { PV_MAP_(pv_f64, PV_F64_LANES, a.v[l] > b.v[l] ? a.v[l] : b.v[l]); }
PV_INLINE pv_f64 pv_f64_min(pv_f64 a, pv_f64 b) { PV_MAP_(pv_f64, PV_F64_LANES, a.v[l] < b.v[l] ? a.v[l] : b.v[l]); }
PV_INLINE pv_f64 pv_f64_abs(pv_f64 a) { PV_MAP_(pv_f64, PV_F64_LANES, fabs(a.v[l])); }
PV_INLINE pv_f64 pv_f64_fill_lt(pv_f64 v, int cnt, double x) {
    for (int l = 0; l < PV_F64_LANES && l < cnt; l++) v.v[l] = x;
    return v;
}
PV_INLINE pv_f64 pv_f64_fill_ge(pv_f64 v, int start, double x) {
    for (int l = start < 0 ? 0 : start; l < PV_F64_LANES; l++) v.v[l] = x;
    return v;
}
PV_INLINE int pv_f64_all_eq(pv_f64 a, pv_f64 b) {
    int eq = 1;
    for (int l = 0; l < PV_F64_LANES; l++) eq &= a.v[l] == b.v[l];
    return eq;
}

static inline double pv_exp_1(double x) {
    if (x != x) return x;
    x = PV_EXP_HI < x ? PV_EXP_HI : x;
    if (x < PV_EXP_LO) return 0.0;
    const double k = rint(x * PV_LOG2E);
    double r = PV_FMA(-k, PV_EXP_C1, x);
    r = PV_FMA(-k, PV_EXP_C2, r);
    static const double c[12] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
                                 1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
                                 1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
                                 1.0 / 24.0,         1.0 / 6.0,         0.5};
    double p = c[0];
    for (int i = 1; i < 12; i++) p = PV_FMA(p, r, c[i]);
    p = PV_FMA(p, r * r, r);
    p = p + 1.0;
    return ldexp(p, (int)k);
}
PV_INLINE pv_f64 pv_f64_exp(pv_f64 x) { PV_MAP_(pv_f64, PV_F64_LANES, pv_exp_1(x.v[l])); }

/* p 2^k for an integer k in [-200, 200], rounded once: what ldexpf(p, k)
 * gives for p in [0.5, 2), without the libm call (which cannot vectorise and
 * took 40% of the portable forward). 2^k by its bits; beyond the normal
 * exponents in two exact steps: (p 2^(k +- 100)) is exact, the multiplication
 * by 2^-+100 rounds once (a subnormal) or overflows to inf, as ldexpf. */
static inline float pv_ldexp2f_(float p, int k) {
    const int lo = k < -126, hi = k > 127;
    const int k1 = lo ? k + 100 : hi ? k - 100 : k;
    const float s = lo ? 0x1p-100f : hi ? 0x1p100f : 1.0f;
    const uint32_t b = (uint32_t)(k1 + 127) << 23;
    float t;
    memcpy(&t, &b, sizeof t);
    return p * t * s;
}
static inline float pv_exp2f_1(float x) {
    const int nan = x != x;
    float y = nan ? 0.0f : x;
    y = y > 200.0f ? 200.0f : y < -200.0f ? -200.0f : y;
    const float k = rintf(y), f = y - k;
    float p = (float)PV_T2_7;
    p = PV_FMAF(p, f, (float)PV_T2_6);
    p = PV_FMAF(p, f, (float)PV_T2_5);
    p = PV_FMAF(p, f, (float)PV_T2_4);
    p = PV_FMAF(p, f, (float)PV_T2_3);
    p = PV_FMAF(p, f, (float)PV_T2_2);
    p = PV_FMAF(p, f, (float)PV_T2_1);
    p = PV_FMAF(p, f, 1.0f);
    const float r = pv_ldexp2f_(p, (int)k);
    return nan ? x : r;
}
PV_INLINE pv_f32 pv_f32_exp2(pv_f32 x) { PV_MAP_(pv_f32, PV_F32_LANES, pv_exp2f_1(x.v[l])); }
static inline double pv_exp2_1(double x) {
    if (x != x) return x;
    x = x > 1100.0 ? 1100.0 : x < -1100.0 ? -1100.0 : x;
    const double k = rint(x), f = x - k;
    static const double c[13] = {PV_T2_13, PV_T2_12, PV_T2_11, PV_T2_10, PV_T2_9, PV_T2_8, PV_T2_7,
                                 PV_T2_6,  PV_T2_5,  PV_T2_4,  PV_T2_3,  PV_T2_2, PV_T2_1};
    double p = c[0];
    for (int i = 1; i < 13; i++) p = PV_FMA(p, f, c[i]);
    p = PV_FMA(p, f, 1.0);
    return ldexp(p, (int)k);
}
PV_INLINE pv_f64 pv_f64_exp2(pv_f64 x) { PV_MAP_(pv_f64, PV_F64_LANES, pv_exp2_1(x.v[l])); }

#undef PV_MAP_
#endif

/* double lanes need no widening: pv_f64_wide is pv_f64 */
typedef pv_f64 pv_f64_wide;
PV_INLINE pv_f64_wide pv_f64_wide_zero(void) { return pv_f64_zero(); }
PV_INLINE void pv_f64_acc23(pv_f64_wide *a2, pv_f64_wide *a3, pv_f64 p) {
    const pv_f64 p2 = pv_f64_mul(p, p);
    *a2 = pv_f64_add(*a2, p2);
    *a3 = pv_f64_fma(p2, p, *a3);
}
PV_INLINE pv_f64_wide pv_f64_wide_scale(pv_f64_wide a, pv_f64 f, int e) {
    pv_f64 g = pv_f64_mul(f, f);
    if (e == 3) g = pv_f64_mul(g, f);
    return pv_f64_mul(a, g);
}
PV_INLINE void pv_f64_wide_store(double *p, pv_f64_wide a) { pv_f64_store(p, a); }

#endif /* PELAB_KERNELS_SIMD_H */
