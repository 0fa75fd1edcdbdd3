/* types.c — see pelab/kernels/types.h */
#include "pelab/kernels/types.h"

static const char *const g_dtype_names[PELAB_DTYPE_COUNT] = {"f32", "f64", "bf16", "f16"};
static const char *const g_mask_names[PELAB_MASK_COUNT] = {"none", "causal"};

const char *pelab_dtype_str(pelab_dtype t) { return (unsigned)t < PELAB_DTYPE_COUNT ? g_dtype_names[t] : "unknown"; }

const char *pelab_mask_str(pelab_mask m) { return (unsigned)m < PELAB_MASK_COUNT ? g_mask_names[m] : "unknown"; }

int pelab_dtype_is_lowp(pelab_dtype t) { return t == PELAB_DTYPE_BF16 || t == PELAB_DTYPE_F16; }
