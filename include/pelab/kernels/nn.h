/* pelab/kernels/nn.h — the trainable model's operations (pelab/train/model.h
 * composes them): linear layers, layer norm, GELU, softmax cross-entropy, the
 * gradient of attention's logit bias, and the AdamW and SGD steps.
 *
 * Knows no YAML, no files, no CLI: arrays and sizes in, arrays out (outputs
 * first, then inputs, then sizes), in the manner of llm.c. Every kernel has a
 * float32 (_f32) and a float64 (_f64) twin computing in its own precision.
 *
 * Conventions
 *   - Shapes are row-major; N rows (tokens of the whole batch), C, I, O widths.
 *   - Every backward ACCUMULATES (+=) into its gradient outputs, so residual
 *     branches and shared parameters add up; the caller zeroes them first.
 *     A NULL gradient output is not computed.
 *   - Parallel kernels put one OpenMP pragma on an outer loop whose iterations
 *     write disjoint memory, and every sum runs in a fixed order (over rows
 *     in increasing order), so results are bit-identical for any thread
 *     count. Called inside a parallel region they run on the calling thread.
 * Each kernel is tested against central finite differences in double
 * (tests/test_nn.c), the optimiser steps against hand-computed steps. */
#ifndef PELAB_KERNELS_NN_H
#define PELAB_KERNELS_NN_H

#include <stddef.h>

#define PELAB_LAYERNORM_EPS 1e-5

#define PELAB_NN_DECLARE(T, SFX)                                                                   \
    /* out (N, O) = inp (N, I) @ w (I, O) + b (O); b may be NULL (no bias). */                    \
    void pelab_linear_forward_##SFX(T *out, const T *inp, const T *w, const T *b, int N, int I,    \
                                    int O);                                                        \
    /* dinp (N, I) += dout @ w^T;  dw (I, O) += inp^T @ dout;  db (O) += sum_rows dout.           \
     * Any of dinp, dw, db may be NULL. Sums over rows run in row order. */                       \
    void pelab_linear_backward_##SFX(T *dinp, T *dw, T *db, const T *dout, const T *inp,           \
                                     const T *w, int N, int I, int O);                             \
    /* out (N, C) = (inp - mean) * rstd * gain + shift, per row, eps PELAB_LAYERNORM_EPS;         \
     * mean, rstd (N) saved for the backward (biased variance, as PyTorch). */                    \
    void pelab_layernorm_forward_##SFX(T *out, T *mean, T *rstd, const T *inp, const T *gain,      \
                                       const T *shift, int N, int C);                              \
    /* dinp (N, C) +=, dgain (C) +=, dshift (C) += from dout (N, C). */                           \
    void pelab_layernorm_backward_##SFX(T *dinp, T *dgain, T *dshift, const T *dout,               \
                                        const T *inp, const T *gain, const T *mean,                \
                                        const T *rstd, int N, int C);                              \
    /* out[i] = GELU(inp[i]), tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */     \
    void pelab_gelu_forward_##SFX(T *out, const T *inp, size_t count);                             \
    /* dinp[i] += GELU'(inp[i]) * dout[i]. */                                                      \
    void pelab_gelu_backward_##SFX(T *dinp, const T *dout, const T *inp, size_t count);            \
    /* Softmax cross-entropy of N rows of C logits (max-subtracted):                              \
     *   loss[i] = logsumexp(logits_i) - logits_i[targets[i]]                                     \
     *   dlogits (N, C) = scale * (softmax(logits_i) - onehot(targets[i]))  (WRITTEN, not +=)     \
     *   pred[i] = argmax_c logits_i[c] (the smallest c on ties)                                  \
     * dlogits and pred may be NULL. A non-finite logit gives a non-finite loss. */               \
    void pelab_crossentropy_##SFX(T *loss, T *dlogits, int *pred, const T *logits,                 \
                                  const int *targets, T scale, int N, int C);                      \
    /* Gradient of attention's logit bias (pelab/kernels/attention.h's rel_bias):                 \
     *   drel_bias[h*(2n-1) + j-i+n-1] += sum over (i, j) of dS_h[i][j]                           \
     * where dS = P o (dout V^T - rowsum(dout o out)) / 1 (the bias is added after the            \
     * 1/sqrt(dk) scaling). P is recomputed from q, k, rel_bias and the forward's lse,            \
     * as the flash backward does: O(n) scratch per thread, never n x n. Shapes as                \
     * pelab_attention_backward: dout, out, q, k, v (n, D); lse (H, n); rel_bias,                 \
     * drel_bias (H, 2n-1). Parallel over heads. */                                               \
    void pelab_attention_bias_backward_##SFX(T *drel_bias, const T *dout, const T *out,            \
                                             const T *lse, const T *q, const T *k, const T *v,     \
                                             const T *rel_bias, int causal, int n, int D, int H);  \
    /* AdamW (Loshchilov & Hutter 2019), step t = 1, 2, ...:                                      \
     *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2                                              \
     *   param -= lr * ( (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + weight_decay * param )     \
     * in that order (the decay uses the parameter before the step). */                           \
    void pelab_adamw_step_##SFX(T *param, T *m, T *v, const T *grad, size_t count, double lr,      \
                                double beta1, double beta2, double eps, double weight_decay,       \
                                long t);                                                           \
    /* SGD with momentum (PyTorch's form) and L2 weight decay:                                    \
     *   g' = g + weight_decay * param;  vel = momentum * vel + g';  param -= lr * vel            \
     * (vel is g' itself when momentum is 0; vel may then be NULL). */                            \
    void pelab_sgd_step_##SFX(T *param, T *vel, const T *grad, size_t count, double lr,            \
                              double momentum, double weight_decay);

PELAB_NN_DECLARE(float, f32)
PELAB_NN_DECLARE(double, f64)

#endif /* PELAB_KERNELS_NN_H */
