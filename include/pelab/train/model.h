/* pelab/train/model.h — the trainable encoder (the README's "The model" is its
 * contract; scripts/torch_twin.py is built from it):
 *
 *   input   none/rotate/bias  h0 = E_tok[tokens]
 *           append            h0 = [E_tok[tokens] | PE] W_in      (no bias)
 *           add               h0 = E_tok[tokens] + PE (learned: a trained table)
 *   block   norm pre:   h += Attn(LN1(h));  h += MLP(LN2(h))
 *           norm none:  h += Attn(h);       h += MLP(h)
 *           Attn: q, k, v = x Wq + bq, x Wk + bk, x Wv + bv (rope: q, k rotated),
 *                 fused attention (mask, alibi/t5 bias), o Wo + bo
 *           MLP:  GELU(x W1 + b1) W2 + b2, hidden mlp_ratio * d_model
 *   readout final LN (norm pre); pool: mean over positions (the last position
 *           under the causal mask) or each: every position; logits = z Wh + bh;
 *           loss = mean softmax cross-entropy over the predictions.
 *
 * Every weight is stored as its forward uses it: x (N, in) @ W (in, out).
 * One forward and its mirrored backward per batch of B sequences of one
 * length n. Computation is in the model's dtype; everything is
 * deterministic, bit for bit, whatever the thread count. */
#ifndef PELAB_TRAIN_MODEL_H
#define PELAB_TRAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"
#include "pelab/io/safetensors.h"
#include "pelab/kernels/types.h"
#include "pelab/pe/encoding.h"
#include "pelab/train/config.h"
#include "pelab/train/task.h"

#define PELAB_MODEL_MAX_TENSORS 256
#define PELAB_TENSOR_NAME_MAX 48

/* A parameter tensor: a slice of the model's parameter (and gradient, and
 * optimiser state) arrays. */
typedef struct pelab_tensor {
    char name[PELAB_TENSOR_NAME_MAX]; /* "blocks.0.attn.wq.weight"             */
    int rank;                         /* 1 or 2                                 */
    int shape[2];
    size_t offset, count;             /* in elements of the parameter array     */
    int decay;                        /* weight decay applies (matrices, tables) */
} pelab_tensor;

/* What fixes the model's shapes. */
typedef struct pelab_model_dims {
    pelab_dtype dtype;
    int vocab, classes;
    pelab_readout readout;
    pelab_scheme scheme;  /* onehot/binary: max_len resolved to the run's L    */
    pelab_scheme_kind kind;
    int d, heads, layers, hidden;
    pelab_norm norm;
    int causal;
    int pe_width;         /* append/add positional columns                      */
    int width;            /* X's width: d + pe_width (append), else d           */
    int pos_rows;         /* learned: rows of the table (the scheme's max_len)  */
    int t5_buckets, t5_max_distance;
    int max_batch, max_len; /* activation capacity: B x n <= max_batch x max_len */
} pelab_model_dims;

typedef struct pelab_model {
    pelab_model_dims dims;
    int n_tensors;
    pelab_tensor tensors[PELAB_MODEL_MAX_TENSORS];
    size_t n_params;
    void *params, *grads;  /* n_params elements of the dtype                     */
    void *opt_m, *opt_v;   /* optimiser state (allocated by the first step)     */
    void *impl;            /* activations, scratch                              */
    int training;          /* 1: forwards are training steps (a rope scaling with
                            * apply: eval is then off, pelab_rope_for_training);
                            * 0 (init, load): evaluation                        */
} pelab_model;

/* The dims of settings s for a task t, with positional widths fixed for a
 * whole run: onehot and binary use L = the scheme's max_len when given, else
 * `longest` (the longest training or evaluation length of the cell). */
void pelab_model_dims_make(pelab_model_dims *d, const pelab_train_settings *s, const pelab_task_def *t,
                           int longest, int max_batch, int max_len);

/* Allocate m for dims and draw its parameters from `seed` (init probe or
 * gpt2, token_std: pelab/train/config.h). Each tensor is drawn from its own
 * stream, keyed by (seed, its name). Free with pelab_model_free. */
void pelab_model_init(pelab_model *m, const pelab_model_dims *dims, pelab_init init, double token_std,
                      uint64_t seed);
void pelab_model_free(pelab_model *m);

/* Forward statistics of a batch. */
typedef struct pelab_model_stats {
    double loss;          /* mean cross-entropy over the predictions           */
    int predictions;      /* B (pool) or B n (each)                             */
    int correct;          /* predictions equal to their target                  */
    double logit_max_abs; /* largest |attention logit| (when stats asked)       */
    double attn_entropy;  /* mean normalised entropy of the attention rows      */
} pelab_model_stats;

/* Forward of B sequences of length n (tokens (B, n), targets (B) for pool or
 * (B, n) for each), keeping what the backward needs. want_attn fills
 * logit_max_abs and attn_entropy (else NaN). B <= max_batch, n <= max_len,
 * and n <= pos_rows for learned positions. */
void pelab_model_forward(pelab_model_stats *st, pelab_model *m, const int *tokens, const int *targets, int B,
                         int n, int want_attn);

/* The logits of the last forward: (predictions, classes) of the model's
 * dtype (float or double), valid until the next forward. */
const void *pelab_model_logits(const pelab_model *m);

/* The attention of layer `layer` (0 .. layers-1) for sequence b (0 .. B-1)
 * of the last forward (of length n): P (H, n, n), P[(h n + i) n + j] the
 * weight of query i on key j in head h (0 where a causal mask hides j),
 * recomputed by the reference kernel (pelab/kernels/attention.h) from the
 * forward's stored q, k (after the RoPE rotation), v and logit bias of that
 * length (alibi, t5), in the model's dtype, converted to double. logits (H,
 * n, n) or NULL: S = q . k / sqrt(d_k) + bias in double from those operands,
 * NaN where masked. P V is the layer's fused attention output up to the
 * kernels' documented tolerance (test_model.c checks). Valid until the next
 * forward; O(H n^2). */
void pelab_model_attention(double *P, double *logits, const pelab_model *m, int layer, int b);

/* The values v (n, D) and the fused kernel's attention output out (n, D)
 * (before the output projection) of layer `layer` for sequence b of the
 * last forward, in double; either may be NULL. */
void pelab_model_attention_values(double *v, double *out, const pelab_model *m, int layer, int b);

/* The length n and batch B of the last forward (0, 0 before any). */
void pelab_model_last_shape(const pelab_model *m, int *n, int *B);

/* Gradient of the last forward's loss into m->grads (overwritten). */
void pelab_model_backward(pelab_model *m);

/* Global L2 norm of m->grads (summed in double in tensor order). */
double pelab_model_grad_norm(const pelab_model *m);

/* Scale every gradient by f (global-norm clipping). */
void pelab_model_scale_grads(pelab_model *m, double f);

/* One optimiser step t = 1, 2, ... at learning rate lr. */
void pelab_model_step(pelab_model *m, pelab_optimizer opt, double lr, double weight_decay, double momentum,
                      long t);

/* The tensor named name, or NULL. */
const pelab_tensor *pelab_model_tensor(const pelab_model *m, const char *name);

/* Write m's parameters to path as safetensors (pelab/io/safetensors.h),
 * each tensor under its name and shape, in the model's dtype, with
 * metadata: "format" = "pelab-model-1", every field of the dims
 * ("d_model", "heads", "layers", "hidden", "norm", "mask", "readout",
 * "vocab", "classes", "width", "pe_width", "pos_rows", "scheme" and its
 * parameters "scheme.param0", ...), then those of extra[0..n_extra) (the cell's
 * key columns, the task) whose keys are not among them. Written atomically;
 * errors name the path. */
pelab_status pelab_model_save(const pelab_model *m, const char *path, const pelab_safetensors_meta *extra,
                              int n_extra, pelab_error *err);

/* Load a model saved by pelab_model_save: its dims from the metadata (with
 * activation room for max_batch sequences of max_len tokens), its
 * parameters from the tensors (names and shapes checked). *task_name (cap
 * bytes) receives the "task" metadata ("" when absent). Errors (RUN) name
 * the path and what is missing or wrong. */
pelab_status pelab_model_load(pelab_model *m, char *task_name, size_t cap, const char *path, int max_batch,
                              int max_len, pelab_error *err);

#endif /* PELAB_TRAIN_MODEL_H */
