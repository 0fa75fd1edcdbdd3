/* nn.c — see pelab/kernels/nn.h.
 *
 * Every kernel is written once over a real type T in kernels/nn_impl.inc and
 * included twice: T = float (suffix f32) and T = double (suffix f64), each
 * computing and accumulating in T. The linear layers run on one register-
 * blocked matrix product (the vector layer kernels/simd.h: AVX-512 or the
 * portable path), the tiles of pelab_matmul_tn's kind: a block of C stays in
 * registers while a fused multiply-add chain runs over the inner index in
 * increasing order, so every entry's sum has one order, fixed by the code. */
#include "pelab/kernels/nn.h"

#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "pelab/base/mem.h"
#include "pelab/base/status.h"

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

/* Run a loop in parallel only outside a parallel region, and only when it
 * has enough work (`work` multiply-adds or so) to pay for the threads. */
#define NN_PAR_MIN 32768
static inline int nn_par(double work) { return !omp_in_parallel() && work >= NN_PAR_MIN; }

/* vector division (the one operation the kernels need beyond kernels/simd.h) */
#if PV_AVX512
PV_INLINE pv_f32 nn_div_f32(pv_f32 a, pv_f32 b) { return _mm512_div_ps(a, b); }
PV_INLINE pv_f64 nn_div_f64(pv_f64 a, pv_f64 b) { return _mm512_div_pd(a, b); }
#elif PV_AVX2
PV_INLINE pv_f32 nn_div_f32(pv_f32 a, pv_f32 b) {
    pv_f32 r = {_mm256_div_ps(a.a, b.a), _mm256_div_ps(a.b, b.b)};
    return r;
}
PV_INLINE pv_f64 nn_div_f64(pv_f64 a, pv_f64 b) {
    pv_f64 r = {_mm256_div_pd(a.a, b.a), _mm256_div_pd(a.b, b.b)};
    return r;
}
#else
PV_INLINE pv_f32 nn_div_f32(pv_f32 a, pv_f32 b) {
    for (int l = 0; l < PV_F32_LANES; l++) a.v[l] /= b.v[l];
    return a;
}
PV_INLINE pv_f64 nn_div_f64(pv_f64 a, pv_f64 b) {
    for (int l = 0; l < PV_F64_LANES; l++) a.v[l] /= b.v[l];
    return a;
}
#endif

#define T float
#define SFX f32
#define T_EXP expf
#define T_LOG logf
#define T_SQRT sqrtf
#define VT pv_f32
#define VF(op) pv_f32_##op
#define VL PV_F32_LANES
#include "nn_impl.inc"
#undef T
#undef SFX
#undef T_EXP
#undef T_LOG
#undef T_SQRT
#undef VT
#undef VF
#undef VL

#define T double
#define SFX f64
#define T_EXP exp
#define T_LOG log
#define T_SQRT sqrt
#define VT pv_f64
#define VF(op) pv_f64_##op
#define VL PV_F64_LANES
#include "nn_impl.inc"
#undef T
#undef SFX
#undef T_EXP
#undef T_LOG
#undef T_SQRT
#undef VT
#undef VF
#undef VL
