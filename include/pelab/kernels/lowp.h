/* pelab/kernels/lowp.h — bfloat16 and float16 as practised: values stored in
 * 16 bits, arithmetic in float32 (issue 17).
 *
 * Knows no YAML, no files, no CLI. A low-precision value is a uint16_t bit
 * pattern of the format pelab_lowp says:
 *   bf16  1 sign, 8 exponent, 7 mantissa bits: float32's range, 8 bits of
 *         precision (the top half of a float32)
 *   f16   IEEE binary16: 1 sign, 5 exponent, 10 mantissa bits, 11 bits of
 *         precision, largest finite 65504, subnormals down to 2^-24
 *
 * Conversions round to nearest, ties to even; a NaN stays a quiet NaN with its
 * sign (bf16: the float's top payload bits and the quiet bit; f16 likewise,
 * as F16C's vcvtps2ph does); beyond the largest finite value (by half an ulp
 * or more) is +-inf; f16 underflows gradually (its subnormals are exact) and
 * bf16 keeps float32's subnormals (no flush to zero). Decoding is exact. Where
 * the compiler targets F16C (__F16C__) the f16 conversions use it; the
 * portable twins (_portable) are always built, and the tests check both,
 * bitwise, over every 16-bit pattern and a million random floats.
 *
 * The attention kernel's practice (FlashAttention-2 on hardware with bf16
 * dot products): q, k, v stored in the format; the scores S = q.k / sqrt(dk)
 * + bias from the decoded operands, products accumulated in float32; the
 * online softmax in float32 (the running max m, l = sum of the float32
 * p = exp(s - m)); p rounded to the format for the P V product, accumulated in
 * float32; out = acc / l in float32, not rounded (a caller that stores it in
 * the format rounds it). lse and the row statistics come from the float32
 * softmax and are bitwise those of pelab_attention_forward_f32 on the decoded
 * operands (the tests check).
 *
 * Documented tolerance of pelab_attention_forward_lowp (elementwise,
 * |fast - ref| <= rtol * max(|fast|, |ref|) + atol * max|v|; q, k, v ~ N(0, 1)
 * stored in the format, n in {1, 2, 47, 48, 49, 130}, 1, 2, 4 heads, causal
 * and not, bias on and off; tests/test_lowp.c prints the measured maxima: in
 * brackets, max |fast - ref| / max |ref| and the atol that rtol alone leaves
 * needed):
 *   THE DOCUMENTED TOLERANCE, against exact attention in float64 on the
 *   decoded operands (pelab_attention_reference_forward_f64, P not rounded;
 *   the error is that of storing P in the format, about u/2):
 *     bf16: rtol = 2^-6, atol = 2^-8   [1.9e-3 = 2^-9.0; atol 2^-11.0]
 *     f16:  rtol = 2^-9, atol = 2^-11  [2.1e-4 = 2^-12.2; atol 2^-13.8]
 *   (the f32 kernel on the same decoded operands: 1e-6, attention.h)
 *   against pelab_attention_reference_forward_lowp (the roundings redone in
 *   double; it rounds exp(s - m) with the row's final max m where the kernel
 *   rounds it with the running max, so some p round the other way): the same
 *   tolerance [bf16 1.5e-3 = 2^-9.4; f16 1.9e-4 = 2^-12.4].
 *   lse and the row statistics: bitwise those of the f32 kernel on the decoded
 *   operands (computed before P is rounded), so attention.h's tolerance. */
#ifndef PELAB_KERNELS_LOWP_H
#define PELAB_KERNELS_LOWP_H

#include <stddef.h>
#include <stdint.h>

/* the row statistics of pelab/kernels/attention.h (declared, not included:
 * attention.c includes this header, for the kernel below lives there) */
struct pelab_attn_row_stats;

typedef enum pelab_lowp { PELAB_LOWP_BF16 = 0, PELAB_LOWP_F16, PELAB_LOWP_COUNT } pelab_lowp;

/* "bf16", "f16" ("unknown" out of range) */
const char *pelab_lowp_str(pelab_lowp f);

/* The bit pattern of x rounded to f (rules above). */
uint16_t pelab_lowp_from_f32(pelab_lowp f, float x);
/* The value of the bit pattern h of f, exactly. */
float pelab_lowp_to_f32(pelab_lowp f, uint16_t h);
/* to_f32(from_f32(x)): x rounded to f, as a float. */
float pelab_lowp_round(pelab_lowp f, float x);
/* x rounded to f directly from double, once (not via float: a double just off
 * a tie of f would round to the tie in float, then to even). For references.
 * NaN stays NaN; beyond the overflow threshold +-inf. */
double pelab_lowp_round_f64(pelab_lowp f, double x);

/* The integer-only scalar conversions, what from_f32 / to_f32 compute without
 * F16C (bitwise the same results; the tests compare them). */
uint16_t pelab_lowp_from_f32_portable(pelab_lowp f, float x);
float pelab_lowp_to_f32_portable(pelab_lowp f, uint16_t h);

/* x[i] = pelab_lowp_round(f, x[i]) in place.  x (count). Vectorised. */
void pelab_lowp_round_array(float *x, size_t count, pelab_lowp f);
/* dst[i] = pelab_lowp_from_f32(f, src[i]).  dst (count), src (count). */
void pelab_lowp_pack(uint16_t *dst, const float *src, size_t count, pelab_lowp f);
/* dst[i] = pelab_lowp_to_f32(f, src[i]).  dst (count), src (count). */
void pelab_lowp_unpack(float *dst, const uint16_t *src, size_t count, pelab_lowp f);

/* Facts of the format: the unit roundoff u = 2^-p (bf16 2^-8, f16 2^-11: a
 * rounded x is x (1 + d), |d| <= u, in the normal range); the largest finite
 * value (bf16 3.3895313892515355e38, f16 65504); the largest integer N such
 * that every integer 0 .. N is exact (bf16 256, f16 2048; N + 1 is not). */
double pelab_lowp_unit_roundoff(pelab_lowp f);
double pelab_lowp_max(pelab_lowp f);
long pelab_lowp_exact_int_max(pelab_lowp f);

/* Fused tiled forward attention with operands stored in `fmt` (the practice
 * above): the f32 kernel's tiles, blocks and OpenMP loop over (head, query
 * tile), with each chunk of K and V rows decoded once per group of query
 * tiles into float32 scratch (O(D) per thread) and P rounded to fmt per
 * block. Bit-identical for any thread count. That is the default path; bf16
 * has two more (vdpbf16ps, bitwise this one; AMX tiles, within the same
 * tolerance; pelab_lowp_path in pelab/kernels/attention.h), which the lse
 * and statistics remarks above do not cover for AMX (there: to float32
 * rounding of the scores; its memory: attention.h).
 * out (n, D) float32; lse (H, n); stats (H, n) or NULL (as the f32 kernel's);
 * q, k, v (n, D) in fmt; rel_bias (H, 2n-1) float32 or NULL. */
void pelab_attention_forward_lowp(float *out, float *lse, struct pelab_attn_row_stats *stats, const uint16_t *q,
                                  const uint16_t *k, const uint16_t *v, const float *rel_bias, int causal, int n,
                                  int D, int H, pelab_lowp fmt);

/* Materialising reference of the above, sequential, in double: s = (q.k of
 * the decoded operands) / sqrt(dk) + bias, m = max_j s, w_j = exp(s_j - m),
 * l = sum_j w_j, P_ij = round_f64(w_j) / l, out_i = sum_j P_ij v_j. p (H, n, n)
 * receives that P: the weights as used, rounded (before the division by l),
 * so a row of p sums to 1 only up to the rounding. out (n, D); rel_bias
 * (H, 2n-1) or NULL. */
void pelab_attention_reference_forward_lowp(double *out, double *p, const uint16_t *q, const uint16_t *k,
                                            const uint16_t *v, const double *rel_bias, int causal, int n, int D,
                                            int H, pelab_lowp fmt);

#endif /* PELAB_KERNELS_LOWP_H */
