/* attention.c — see pelab/kernels/attention.h.
 *
 * Every kernel is written once over a real type T and included twice: T =
 * float (suffix f32) and T = double (suffix f64). attention_impl.inc holds
 * the matmuls, RoPE and the reference kernels; kernels/flash_impl.inc the
 * fused tiled forward and backward, over the vector layer kernels/simd.h
 * (AVX-512 or portable). Each instance computes and accumulates in T; only
 * RoPE's cos/sin and the final per-row statistics are evaluated in double
 * (then applied in T). The float32 instance's forward also serves
 * pelab_attention_forward_lowp (pelab/kernels/lowp.h): the same tiles on
 * operands decoded from bf16 / f16, P rounded to the format; or, for bf16,
 * Q K^T and P V by vdpbf16ps or on AMX tiles (pelab_lowp_path,
 * pelab/kernels/attention.h). */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* syscall(2), for the AMX tile permission */
#endif
#include "pelab/kernels/attention.h"

#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "pelab/kernels/lowp.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"

const char *pelab_attention_simd(void) { return PV_AVX512 ? "avx512" : PV_AVX2 ? "avx2" : "portable"; }

/* pelab_attention_set_grouping's overrides (0: automatic), read by fl_plan_make */
static int g_fl_group, g_fl_chunk;

void pelab_attention_set_grouping(int group, int chunk) {
    PELAB_ASSERT(group >= 0 && chunk >= 0);
    g_fl_group = group;
    g_fl_chunk = chunk;
}

/* The bf16 forward's path (pelab_attention_set_lowp_path). */
static pelab_lowp_path g_fl_path = PELAB_LOWP_PATH_DECODED;

/* What the float32 instance's bf16 forward can take in this build (the
 * float64 instance redefines both as 0). */
#if PV_AVX512 && defined(__AVX512BF16__)
#define FL_DPBF16 1 /* through vdpbf16ps */
#else
#define FL_DPBF16 0
#endif
#if FL_DPBF16 && defined(__AMX_TILE__) && defined(__AMX_BF16__) && defined(__linux__)
#define FL_AMX 1 /* on AMX tiles (its packing of P uses AVX512-BF16 too) */
#include <sys/syscall.h>
#include <unistd.h>
/* Linux hands out the AMX tile data state (XFEATURE_XTILEDATA, 18) on request
 * (ARCH_REQ_XCOMP_PERM, 0x1023; for the whole process): 1 granted, 0 refused
 * (a kernel before 5.16, or a hypervisor without it). Asked once. */
static int fl_amx_granted(void) {
    static int state = -1;
    int s;
#pragma omp atomic read
    s = state;
    if (s < 0) {
        s = syscall(SYS_arch_prctl, 0x1023, 18) == 0;
#pragma omp atomic write
        state = s;
    }
    return s;
}
#else
#define FL_AMX 0
#endif

const char *pelab_lowp_path_str(pelab_lowp_path p) {
    switch (p) {
    case PELAB_LOWP_PATH_DECODED: return "decoded";
    case PELAB_LOWP_PATH_DOT: return "dot";
    case PELAB_LOWP_PATH_AMX: return "amx";
    case PELAB_LOWP_PATH_COUNT: break;
    }
    return "unknown";
}

int pelab_attention_lowp_path_available(pelab_lowp_path p) {
    switch (p) {
    case PELAB_LOWP_PATH_DECODED: return 1;
    case PELAB_LOWP_PATH_DOT: return FL_DPBF16;
#if FL_AMX
    case PELAB_LOWP_PATH_AMX: return fl_amx_granted();
#else
    case PELAB_LOWP_PATH_AMX: return 0;
#endif
    case PELAB_LOWP_PATH_COUNT: break;
    }
    return 0;
}

void pelab_attention_set_lowp_path(pelab_lowp_path p) {
    PELAB_ASSERT((unsigned)p < PELAB_LOWP_PATH_COUNT && pelab_attention_lowp_path_available(p));
    g_fl_path = p;
}

int pelab_attention_lowp_path_applies(pelab_lowp_path p, int dk) {
    return pelab_attention_lowp_path_available(p) && (p != PELAB_LOWP_PATH_AMX || dk % 32 == 0);
}

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

/* Statistics of one attention row p[0..k-1] (the softmax weights of the k
 * visible keys), computed in double in index order; shared by both dtypes.
 * logit_max_abs is supplied by the caller, which saw the logits. */
static void row_stats_fill(pelab_attn_row_stats *st, const double *sums, int k,
                           double logit_max_abs) {
    /* sums: [0] = -sum p ln p, [1] = max p, [2] = sum p^2, [3] = sum p^3 */
    st->visible = k;
    st->max_weight = sums[1];
    st->logit_max_abs = logit_max_abs;
    if (k < 2) {
        st->entropy = NAN;
        st->jacobian_norm = NAN;
    } else {
        st->entropy = sums[0] / log((double)k);
        /* ||diag(p) - p p^T||_F^2 = sum p^2 - 2 sum p^3 + (sum p^2)^2; it is >= 0
         * exactly, but a one-hot row cancels to ~0 and rounding may dip below */
        const double f2 = sums[2] - 2.0 * sums[3] + sums[2] * sums[2];
        st->jacobian_norm = sqrt(f2 > 0 ? f2 : 0.0);
    }
}

/* The low-precision hooks of the fused forward (fmt: a pelab_lowp): decode
 * one value or a row of values (exact), and round a block of P in place.
 * The float64 twins exist for the template's sake; only the float32 forward
 * is called with low-precision operands. */
static inline float fl_decode1_f32(uint16_t h, int fmt) { return pelab_lowp_to_f32((pelab_lowp)fmt, h); }
static inline double fl_decode1_f64(uint16_t h, int fmt) { return pelab_lowp_to_f32((pelab_lowp)fmt, h); }
static void fl_decode_f32(float *dst, const uint16_t *src, size_t count, int fmt) {
    pelab_lowp_unpack(dst, src, count, (pelab_lowp)fmt);
}
static void fl_decode_f64(double *dst, const uint16_t *src, size_t count, int fmt) {
    for (size_t i = 0; i < count; i++) dst[i] = pelab_lowp_to_f32((pelab_lowp)fmt, src[i]);
}
static void fl_round_p_f32(float *x, size_t count, int fmt) { pelab_lowp_round_array(x, count, (pelab_lowp)fmt); }
static void fl_round_p_f64(double *x, size_t count, int fmt) {
    for (size_t i = 0; i < count; i++) x[i] = pelab_lowp_round_f64((pelab_lowp)fmt, x[i]);
}

#define T float
#define SFX f32
#define T_EXP expf
#define T_LOG logf
#define VT pv_f32
#define VF(op) pv_f32_##op
#define VL PV_F32_LANES
#include "attention_impl.inc"
#include "flash_impl.inc"
#undef T
#undef SFX
#undef T_EXP
#undef T_LOG
#undef VT
#undef VF
#undef VL

void pelab_attention_forward_lowp(float *out, float *lse, pelab_attn_row_stats *stats, const uint16_t *q,
                                  const uint16_t *k, const uint16_t *v, const float *rel_bias, int causal, int n,
                                  int D, int H, pelab_lowp fmt) {
    PELAB_ASSERT((unsigned)fmt < PELAB_LOWP_COUNT);
    fl_forward_f32(out, lse, stats, NULL, NULL, NULL, q, k, v, (int)fmt, rel_bias, causal, n, D, H);
}

#define T double
#define SFX f64
#define T_EXP exp
#define T_LOG log
#define VT pv_f64
#define VF(op) pv_f64_##op
#define VL PV_F64_LANES
#undef FL_DPBF16
#define FL_DPBF16 0
#undef FL_AMX
#define FL_AMX 0
#include "attention_impl.inc"
#include "flash_impl.inc"
#undef T
#undef SFX
#undef T_EXP
#undef T_LOG
#undef VT
#undef VF
#undef VL
