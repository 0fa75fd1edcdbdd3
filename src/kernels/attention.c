/* attention.c — see pelab/kernels/attention.h.
 *
 * Every kernel is written once over a real type T and included twice: T =
 * float (suffix f32) and T = double (suffix f64). attention_impl.inc holds
 * the matmuls, RoPE and the reference kernels; kernels/flash_impl.inc the
 * fused tiled forward and backward, over the vector layer kernels/simd.h
 * (AVX-512 or portable). Each instance computes and accumulates in T; only
 * RoPE's cos/sin and the final per-row statistics are evaluated in double
 * (then applied in T). */
#include "pelab/kernels/attention.h"

#include <math.h>
#include <omp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"

const char *pelab_attention_simd(void) { return PV_AVX512 ? "avx512" : "portable"; }

/* pelab_attention_set_grouping's overrides (0: automatic), read by fl_plan_make */
static int g_fl_group, g_fl_chunk;

void pelab_attention_set_grouping(int group, int chunk) {
    PELAB_ASSERT(group >= 0 && chunk >= 0);
    g_fl_group = group;
    g_fl_chunk = chunk;
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

#define T double
#define SFX f64
#define T_EXP exp
#define T_LOG log
#define VT pv_f64
#define VF(op) pv_f64_##op
#define VL PV_F64_LANES
#include "attention_impl.inc"
#include "flash_impl.inc"
#undef T
#undef SFX
#undef T_EXP
#undef T_LOG
#undef VT
#undef VF
#undef VL
