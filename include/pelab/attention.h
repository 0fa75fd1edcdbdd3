/* pelab/attention.h — attention kernels: arrays and sizes in, arrays out.
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
 * Parallel kernels put one OpenMP pragma on the outer loop over (head, row)
 * or (head, key); each iteration writes only its own row, and every sum runs
 * in a fixed order, so results are bit-identical for any thread count. Called
 * inside another parallel region they run on the calling thread. */
#ifndef PELAB_ATTENTION_H
#define PELAB_ATTENTION_H

/* Per (head, query row) statistics of the attention distribution, filled by
 * the forward pass. k = number of visible keys of the row. */
typedef struct pelab_attn_row_stats {
    double entropy;       /* H(P_i) / ln k, NaN when k < 2                    */
    double max_weight;    /* max_j P_ij                                        */
    double logit_max_abs; /* max |S_ij| over visible j                         */
    double jacobian_norm; /* ||diag(p) - p p^T||_F, NaN when k < 2            */
    int visible;          /* k                                                 */
} pelab_attn_row_stats;

#define PELAB_ATTENTION_DECLARE(T, SFX)                                                        \
    /* out = a @ b.  out (m, p), a (m, k), b (k, p). Parallel over rows of out. */             \
    void pelab_matmul_##SFX(T *out, const T *a, const T *b, int m, int k, int p);              \
    /* out = a^T @ b.  out (k, p), a (m, k), b (m, p). Parallel over rows of out; */           \
    /* each entry sums over m in order. */                                                     \
    void pelab_matmul_tn_##SFX(T *out, const T *a, const T *b, int m, int k, int p);           \
    /* out = a @ b^T (+= when accumulate).  out (m, k), a (m, p), b (k, p). */                 \
    void pelab_matmul_nt_##SFX(T *out, const T *a, const T *b, int m, int k, int p,            \
                               int accumulate);                                                \
    /* Rotate each head's pairs in place by +angle (inverse = 0) or -angle      */             \
    /* (inverse = 1, the backward pass: R^T = R(-angle)).  x (n, D).            */             \
    void pelab_rope_##SFX(T *x, int n, int D, int H, double base, int half, int inverse);      \
    /* Fused streaming forward: O(n) scratch per thread, never the n x n matrix. */            \
    /* out (n, D); lse (H, n) log-sum-exp of each row of S; stats (H, n) or NULL; */           \
    /* rel_bias (H, 2n-1) or NULL. */                                                          \
    void pelab_attention_forward_##SFX(T *out, T *lse, pelab_attn_row_stats *stats,            \
                                       const T *q, const T *k, const T *v,                     \
                                       const T *rel_bias, int causal, int n, int D, int H);    \
    /* Backward of the forward above, recomputing scores from q, k and lse.      */            \
    /* In: dout (n, D) = dL/dout, and the forward's out and lse.                 */            \
    /* Out: dq, dk, dv (n, D). dq is computed per query row, dk and dv per key   */            \
    /* row, so no two threads write the same memory. */                                        \
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
                                                  const T *v, int n, int D, int H);

PELAB_ATTENTION_DECLARE(float, f32)
PELAB_ATTENTION_DECLARE(double, f64)

#endif /* PELAB_ATTENTION_H */
