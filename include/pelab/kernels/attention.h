/* pelab/kernels/attention.h — attention kernels: arrays and sizes in, arrays out.
 *
 * Knows no YAML, no files, no CLI. Every kernel exists in float32 (_f32) and
 * float64 (_f64) and computes in that precision (accumulating in it too), so
 * a cell's dtype really is the precision of its arithmetic.
 *
 * Shapes (row-major): n tokens, w input width, D projected width, H heads,
 * dk = D / H. Head h owns columns h*dk .. h*dk+dk-1 of q, k, v and out.
 *   S_h = Q_h K_h^T / sqrt(dk) + B_h,   B_h[i][j] = rel_bias[h*(2n-1) + j-i + n-1]
 *   causal: S_h[i][j] = -inf for j > i
 *   P_h = softmax(S_h) row-wise (max-subtracted),  O_h = P_h V_h
 *
 * Parallel kernels put one OpenMP pragma on the outer loop over rows, or over
 * (head, tile of queries) / (head, tile of keys); each iteration writes only
 * its own rows, and every sum runs in a fixed order, so results are
 * bit-identical for any thread count. Called inside another parallel region
 * they run on the calling thread.
 *
 * The fused kernels (pelab_attention_forward / _backward) are flash
 * attention: tiles of queries against blocks of keys with an online softmax,
 * in O(n D) memory, vectorised (AVX-512 or AVX2 + FMA when built for a CPU
 * that has it, else a portable path: pelab_attention_simd() says which). They are tested
 * against the reference kernels, which materialise P (H, n, n) and compute
 * it row by row the obvious way, on every mask, head count, bias on/off and
 * dtype, with ragged tiles. Documented tolerance (elementwise, |fast - ref|
 * <= rtol * max(|fast|, |ref|) + atol; measured maxima in brackets):
 *   forward out, lse, statistics  f32: rtol = atol = 1e-5  [2.4e-6; stats 5e-7]
 *                                 f64: 1e-12               [3.6e-15; stats 4e-13]
 *   (the Jacobian norm, the sqrt of a cancelling sum: absolute 1e-3 / 1e-7)
 *   backward dq, dk, dv           relative to max |ref| of the array:
 *                                 f32: 1e-4 [4.2e-6]   f64: 1e-11 [1.1e-14]
 * The differences come from the summation order (blocks of keys, online
 * rescaling, fused multiply-adds) and the vectorised exponential. The row
 * statistics' sums of p^2 and p^3 accumulate in double even in f32: the
 * Jacobian norm cancels, and float sums would cost it three digits. */
#ifndef PELAB_ATTENTION_H
#define PELAB_ATTENTION_H

#include <stddef.h>

/* Per (head, query row) statistics of the attention distribution, filled by
 * the forward pass. k = number of visible keys of the row. */
typedef struct pelab_attn_row_stats {
    double entropy;       /* H(P_i) / ln k, NaN when k < 2                    */
    double max_weight;    /* max_j P_ij                                        */
    double logit_max_abs; /* max |S_ij| over visible j                         */
    double jacobian_norm; /* ||diag(p) - p p^T||_F, NaN when k < 2            */
    int visible;          /* k                                                 */
} pelab_attn_row_stats;

/* How RoPE's angle p * theta_i and its cosine and sine are computed before
 * they are applied in the kernel's type: in double; in float32 (as Hugging
 * Face's Llama does: float32 inv_freq times float32 positions, cos/sin in
 * float32); or in a 16-bit format (the position, the frequency, the product
 * and cos/sin each rounded to it: the "same precision" failure Wang et al.
 * 2024 describe). */
typedef enum pelab_rope_angle_mode {
    PELAB_ROPE_ANGLE_F64 = 0,
    PELAB_ROPE_ANGLE_F32,
    PELAB_ROPE_ANGLE_BF16,
    PELAB_ROPE_ANGLE_F16,
    PELAB_ROPE_ANGLE_COUNT
} pelab_rope_angle_mode;

/* Everything a rotation needs for a head of width dk (pe/rope.h makes one
 * from a scheme: RoPE and its scalings, xPos). Arrays are borrowed. */
typedef struct pelab_rope_table {
    int dk;                       /* head width; pairs i < dk/2 rotate        */
    int half;                     /* pairing: 0 (2i, 2i+1), 1 (i, i + dk/2)   */
    const double *inv_freq;       /* (dk/2) theta_i, after any scaling        */
    double mscale;                /* q and k times it (YaRN), else 1          */
    const double *zeta;           /* (dk/2) xPos per-pair scale, or NULL      */
    double scale_base;            /* xPos: exponent (p - centre)/scale_base   */
    double centre;                /* xPos: the position of exponent 0         */
    pelab_rope_angle_mode angle;  /* precision of the angle and cos/sin       */
    int round_fmt;                /* -1, or a pelab_lowp (kernels/lowp.h):    */
                                  /* the coefficients then rounded to it (the */
                                  /* cast of cos, sin to a bf16/f16 model's)  */
} pelab_rope_table;

#define PELAB_ATTENTION_DECLARE(T, SFX)                                                        \
    /* out = a @ b.  out (m, p), a (m, k), b (k, p). Parallel over rows of out. */             \
    void pelab_matmul_##SFX(T *out, const T *a, const T *b, int m, int k, int p);              \
    /* out = a^T @ b.  out (k, p), a (m, k), b (m, p). Parallel over rows of out; */           \
    /* each entry sums over m in order. */                                                     \
    void pelab_matmul_tn_##SFX(T *out, const T *a, const T *b, int m, int k, int p);           \
    /* out = a @ b^T (+= when accumulate).  out (m, k), a (m, p), b (k, p). */                 \
    void pelab_matmul_nt_##SFX(T *out, const T *a, const T *b, int m, int k, int p,            \
                               int accumulate);                                                \
    /* Plain RoPE: rotate each head's pairs in place by +angle (inverse = 0) or */             \
    /* -angle (inverse = 1, the backward pass: R^T = R(-angle)), angles in      */             \
    /* double.  x (n, D). The same as pelab_rope_apply with a plain table.      */             \
    void pelab_rope_##SFX(T *x, int n, int D, int H, double base, int half, int inverse);      \
    /* Table-driven RoPE (every scaling, xPos, YaRN's temperature): row r of x  */             \
    /* (n, D) sits at position pos0 + r; each head's pair i becomes            */             \
    /*   g (c x_a - s x_b),  g (s x_a + c x_b)                                 */             \
    /* with c, s = mscale cos, mscale sin of the angle (pos0 + r) inv_freq[i]  */             \
    /* and g = zeta[i]^(sign (pos0 + r - centre) / scale_base) (1 without      */             \
    /* zeta; sign +1 for queries, -1 for keys). transpose = 1 applies the      */             \
    /* transpose (the backward pass: g R(-angle)). Parallel over rows.         */             \
    void pelab_rope_apply_##SFX(T *x, const pelab_rope_table *t, int pos0, int sign,           \
                                int transpose, int n, int D, int H);                           \
    /* Fused tiled forward: O(D) scratch per thread, never the n x n matrix.     */            \
    /* out (n, D); lse (H, n) log-sum-exp of each row of S; stats (H, n) or NULL; */           \
    /* rel_bias (H, 2n-1) or NULL. Parallel over (head, query tile). */                        \
    void pelab_attention_forward_##SFX(T *out, T *lse, pelab_attn_row_stats *stats,            \
                                       const T *q, const T *k, const T *v,                     \
                                       const T *rel_bias, int causal, int n, int D, int H);    \
    /* Backward of the forward above (flash: recomputes the score tiles from q, */            \
    /* k and lse). In: dout (n, D) = dL/dout, and the forward's out and lse.     */            \
    /* Out: dq, dk, dv (n, D). Two passes: dq per query tile, then dk and dv per */            \
    /* key tile, so no two threads write the same memory. O(H n) scratch.       */            \
    void pelab_attention_backward_##SFX(T *dq, T *dk, T *dv, const T *dout, const T *out,      \
                                        const T *lse, const T *q, const T *k, const T *v,      \
                                        const T *rel_bias, int causal, int n, int D, int H);   \
    /* Reference forward: materialises P (H, n, n) in full; the test oracle.     */            \
    void pelab_attention_reference_forward_##SFX(T *out, T *p, const T *q, const T *k,         \
                                                 const T *v, const T *rel_bias, int causal,    \
                                                 int n, int D, int H);                         \
    /* Reference backward from the materialised P (H, n, n). */                                \
    void pelab_attention_reference_backward_##SFX(T *dq, T *dk, T *dv, const T *dout,          \
                                                  const T *p, const T *q, const T *k,          \
                                                  const T *v, int n, int D, int H);             \
    /* y[i] = exp(x[i]), vectorised (the kernels' softmax uses its 2^x twin).  */            \
    /* Tolerance, against expl over the whole range: 2 ulp where the result is */            \
    /* a normal number (measured: 1.0 ulp f32, 1.0 ulp f64), one smallest      */            \
    /* subnormal below that; exactly 0 below the underflow threshold, inf      */            \
    /* above the overflow one, NaN for NaN. */                                                 \
    void pelab_vexp_##SFX(T *y, const T *x, size_t count);

PELAB_ATTENTION_DECLARE(float, f32)
PELAB_ATTENTION_DECLARE(double, f64)

/* The fused kernels take their tiles (48 queries, or keys, at float32 with
 * AVX-512) in groups that walk the other axis in chunks of rows small enough
 * for L2, so long sequences stream K and V (Q and dO) from memory once per
 * group rather than once per tile. The grouping is chosen from n, the head
 * width and the thread count; it changes no result, bitwise (the tests
 * check), only the speed. This forces a group of `group` tiles (1 .. 8) and
 * chunks of `chunk` rows (rounded down to the kernel's block, at least one
 * block); 0 restores the automatic choice of either. For tests and tuning;
 * not thread-safe: call it between kernel calls. */
void pelab_attention_set_grouping(int group, int chunk);

/* RoPE rotation of the pair (a, b) of a head of width dk at position p:
 * pair i (i < dk/2) is (2i, 2i+1) when interleaved, (i, i + dk/2) when `half`;
 * its angle is p * base^(-2i/dk) (pelab_rope_angle), its frequency
 * base^(-2i/width) = exp(-2i/width * log(base)) computed by one pow call,
 * which stays within an ulp (pelab_rope_inv_freq; the sinusoidal encoding
 * uses the same frequencies). An odd last dimension is not rotated. */
void pelab_rope_pair(int i, int dk, int half, int *a, int *b);
double pelab_rope_angle(int p, int i, int dk, double base);
double pelab_rope_inv_freq(int i, int width, double base);

/* The coefficients of table t at position pos: cs[2i] = g c, cs[2i+1] = g s
 * for pair i < dk/2 (see pelab_rope_apply), computed in the table's angle
 * mode: F64 all in double; F32 the angle (float)pos * (float)theta_i, cosf,
 * sinf, times (float)mscale, times g = powf(zeta_i, exponent), each step
 * rounded to float; BF16 / F16 the same with every step rounded to the
 * 16-bit format (pelab/kernels/lowp.h); then, with round_fmt >= 0, each
 * coefficient rounded to that format. cs holds dk/2 * 2 values. */
void pelab_rope_coeffs(double *cs, const pelab_rope_table *t, long pos, int sign);

/* "avx512", "avx2" (AVX2 + FMA, without AVX-512) or "portable": the vector
 * path the fused kernels were built with. */
const char *pelab_attention_simd(void);

/* The paths of the bf16 forward (pelab_attention_forward_lowp with
 * PELAB_LOWP_BF16; f16 always takes DECODED):
 *   DECODED  the operands decoded to float32 a chunk at a time, then the
 *            float32 kernel's tiles (every build; the default, so a sweep's
 *            numbers do not depend on the CPU it runs on).
 *   DOT      Q K^T and P V by AVX512-BF16's vdpbf16ps on bf16 pairs (built
 *            with it: -march=native on a CPU that has it). It adds the same
 *            exact products in the same order as DECODED, so its results are
 *            the same bit for bit (but for the instruction treating subnormal
 *            inputs and results as zero). Slower than DECODED on the one
 *            AVX512-BF16 machine measured (an Intel Xeon: 0.61x the float32
 *            forward where DECODED runs at 0.89x; README, Benchmark).
 *   AMX      Q K^T and P V on AMX tiles (tdpbf16ps; built with AMX-BF16 and
 *            granted the tile state by Linux), for head widths that are a
 *            multiple of 32 (others take DECODED). The softmax and its
 *            statistics are DECODED's code; P is rounded to bf16 while its
 *            pairs are packed (vcvtne2ps2bf16: as pelab_lowp_round, but a
 *            float32 subnormal p reads as zero, as the tiles read bf16
 *            subnormals anyway); the dot products are summed in the
 *            hardware's order, so out, lse and the statistics agree with
 *            DECODED to float32 rounding, not bit for bit, and subnormal
 *            inputs are zero. Within lowp.h's documented tolerance of exact
 *            attention, and bit-identical for any thread count
 *            (tests/test_lowp.c). Besides O(D) scratch per thread it
 *            allocates, per call, every head's K rows and V^T pairs padded to
 *            a multiple of 64 keys: about the size of K and V in bf16.
 * available(p): whether this build and machine can take path p.
 * applies(p, dk): whether a forward with heads of width dk takes path p
 * when it is set (available, and for AMX dk a multiple of 32).
 * set_lowp_path(p) asserts that p is available. Not thread-safe: call it
 * between kernel calls (benchmark, tests). */
typedef enum pelab_lowp_path {
    PELAB_LOWP_PATH_DECODED = 0,
    PELAB_LOWP_PATH_DOT,
    PELAB_LOWP_PATH_AMX,
    PELAB_LOWP_PATH_COUNT
} pelab_lowp_path;

/* "decoded", "dot", "amx" ("unknown" out of range) */
const char *pelab_lowp_path_str(pelab_lowp_path p);
int pelab_attention_lowp_path_available(pelab_lowp_path p);
int pelab_attention_lowp_path_applies(pelab_lowp_path p, int dk);
void pelab_attention_set_lowp_path(pelab_lowp_path p);

#endif /* PELAB_ATTENTION_H */
