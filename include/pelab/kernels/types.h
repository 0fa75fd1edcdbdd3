/* pelab/kernels/types.h — the two axes every engine shares: the precision
 * of the arithmetic and the attention mask. The probe (lab/) and the
 * trainable model (train/) both sweep over them; the kernels implement them
 * (each kernel has an _f32 and an _f64 twin and a causal flag). */
#ifndef PELAB_KERNELS_TYPES_H
#define PELAB_KERNELS_TYPES_H

/* f32 and f64 compute in that type. bf16 and f16 are storage formats as
 * practised (mixed precision): the probe rounds its inputs, positional
 * vectors, weights and the q, k, v, P operands of attention to the format
 * and computes products, sums and the softmax in float32
 * (pelab/kernels/lowp.h); the trainable model runs f32 and f64 only. */
typedef enum pelab_dtype {
    PELAB_DTYPE_F32 = 0,
    PELAB_DTYPE_F64,
    PELAB_DTYPE_BF16,
    PELAB_DTYPE_F16,
    PELAB_DTYPE_COUNT
} pelab_dtype;
typedef enum pelab_mask { PELAB_MASK_NONE = 0, PELAB_MASK_CAUSAL, PELAB_MASK_COUNT } pelab_mask;

/* Whether t is a 16-bit storage format (bf16, f16), computed in float32. */
int pelab_dtype_is_lowp(pelab_dtype t);

/* Names as they appear in configs and results: "f32", "f64", "bf16", "f16"; "none",
 * "causal" ("unknown" out of range). */
const char *pelab_dtype_str(pelab_dtype t);
const char *pelab_mask_str(pelab_mask m);

#endif /* PELAB_KERNELS_TYPES_H */
