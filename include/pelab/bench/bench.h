/* pelab/bench/bench.h — `pelab bench`: the attention engine timed against the
 * machine it runs on, in one run.
 *
 * Rows (kernel names are the csv contract of `pelab bench`):
 *   fma_peak                    a register-resident FMA loop on T threads
 *   forward, forward_backward   the fused engine: out and lse; then backward
 *   forward_stats               the forward with every row statistic (the
 *                               metrics' pass; same flop count)
 *   reference_forward, reference_forward_backward
 *                               the materialising reference kernels (one
 *                               thread), when P (H, n, n) fits in ~1 GiB
 *   blas_sgemm / blas_dgemm     OpenBLAS gemm at the shape n x n x D
 *   blas_attention              OpenBLAS gemm + softmax + gemm per panel of
 *                               queries (the unfused pipeline), timed
 *                               interleaved with the forward: a note gives
 *                               their ratio (median of runs moments apart)
 *   blas_attention_mt           the pipeline as a framework runs it: per panel
 *                               of rows, one threaded gemm call, the softmax,
 *                               one threaded gemm call; its own ratio note
 * Low precision (cfg->lowp, `--dtype bf16|f16`): instead of the rows above,
 *   fma_peak                    (float32 lanes)
 *   forward                     the f32 fused forward on the decoded operands
 *   forward_lowp                pelab_attention_forward_lowp on the same
 *                               operands stored in the format, timed
 *                               interleaved with forward: notes give the speed
 *                               ratio (median of runs moments apart), each
 *                               row's fraction of fma_peak, and both kernels'
 *                               max |out - exact| / max |exact| against exact
 *                               float64 attention on the decoded operands (on
 *                               up to 256 query rows spread over the sequence)
 * Every time is the median of several repetitions after a warm-up. GFLOP/s
 * follow one convention: forward 4 n^2 D, forward+backward 14 n^2 D (the
 * backward recomputes the scores), gemm 2 n^2 D, D = head width x heads; a
 * causal mask counts half. The flops a kernel really executes may differ (the
 * two-pass backward does 14 n^2 D on its own; the reference computes the
 * masked half): the convention makes the rows comparable.
 *
 * Training (cfg->train, `pelab bench --train`): the model of
 * pelab/train/model.h (scheme none, norm pre, mlp_ratio 4, readout each, a
 * fixed random batch of 16 tokens and 16 classes, AdamW) timed per step
 * (forward + backward + optimiser step) after warm-up steps:
 *   fma_peak                    as above
 *   train_step                  one training step, per thread count (the
 *                               repetitions interleaved, speedup notes)
 *   torch_twin                  scripts/torch_twin.py (cfg->twin) on the same
 *                               shape and thread count, its steps interleaved
 *                               with pelab's: a note gives their ratio
 * Training flops (pelab_bench_train_flops): 6 x matmul parameters x tokens
 * (forward 2, backward 4) plus 14 n^2 d per block and sequence for
 * attention (half under a causal mask); embeddings, norms, GELU, softmax
 * cross-entropy and the optimiser count nothing. */
#ifndef PELAB_BENCH_H
#define PELAB_BENCH_H

#include "pelab/kernels/lowp.h"

#define PELAB_BENCH_MAX_THREAD_COUNTS 8

typedef struct pelab_bench_config {
    int seq_len, d_model, heads;
    /* thread counts: every engine row is timed on each, the repetitions
     * interleaved (T1, T2, .., then back), so that the speedups between them
     * (printed as notes) compare timings taken under the same load */
    int threads[PELAB_BENCH_MAX_THREAD_COUNTS];
    int n_threads; /* 1 .. PELAB_BENCH_MAX_THREAD_COUNTS */
    int f64;       /* 0: float32, 1: float64                                   */
    int lowp;      /* 1: the low-precision rows, operands in lowp_fmt (f64 = 0) */
    pelab_lowp lowp_fmt;
    int backward;  /* 1: also forward+backward                                  */
    int causal;    /* 1: causal mask                                            */
    int reference; /* 1: time the reference kernels (when they fit)             */
    int blas;      /* 1: time the BLAS rows (when built with BLAS)              */
    int repeats;   /* timed repetitions after the warm-up (median), >= 1        */
    /* training (`--train`): seq_len, d_model, heads as above */
    int train;        /* 1: the training rows instead of the attention rows       */
    int layers, batch;
    int warmup;       /* untimed training steps before the timed ones, >= 0     */
    const char *twin; /* NULL, or the twin: a .py script (run by $PELAB_PYTHON,
                         else /usr/bin/python3 when present, else python3) or a
                         program, called with the shape (torch_twin.py's options) */
} pelab_bench_config;

typedef struct pelab_bench_row {
    const char *kernel;
    int threads;
    double seconds; /* median wall time of one repetition */
    double gflops;  /* by the convention above */
    double tokens_per_s; /* training rows: B n / seconds; else 0 */
    const char *dtype;   /* the row's dtype, or NULL: the config's (f32 or f64) */
} pelab_bench_row;

/* Receives each row as soon as it is measured (note == NULL), and notes: a
 * skipped row and why, the peak memory, the BLAS library (row == NULL). */
typedef void (*pelab_bench_emit)(void *ctx, const pelab_bench_row *row, const char *note);

/* The convention's flop count. */
double pelab_bench_flops(int n, int D, int causal, int backward);

/* The training step's flop count by the convention above: d_model d, hidden
 * MLP width, `classes` head outputs, batch sequences of n tokens. */
double pelab_bench_train_flops(int d, int layers, int hidden, int classes, int batch, int n, int causal);

/* GFLOP/s of a register-resident FMA loop (float or double lanes of the
 * widest vectors pelab was built for) on `threads` threads, median of a few
 * runs of about 0.1 s each; *seconds gets the median run's time. */
double pelab_bench_fma_peak(int threads, int f64, double *seconds);

/* 1 when pelab was built with OpenBLAS. */
int pelab_bench_have_blas(void);

/* Peak resident memory of the process so far (getrusage), MiB. */
double pelab_bench_max_rss_mib(void);

/* Runs every row of cfg in order: fma_peak (per thread count), forward,
 * forward_stats, forward_backward (each on every thread count, interleaved,
 * then a note with the speedups over the first count), then (after noting
 * the peak memory) the reference rows and the BLAS rows per thread count,
 * each count's blas_attention and blas_attention_mt with a note each:
 * forward vs the pipeline. */
void pelab_bench_run(const pelab_bench_config *cfg, pelab_bench_emit emit, void *ctx);

/* The low-precision rows (cfg->lowp; pelab_bench_run calls it): fma_peak per
 * thread count, then per count forward and forward_lowp interleaved, each
 * count's ratio and peak-fraction notes, then the accuracy note. */
void pelab_bench_lowp_run(const pelab_bench_config *cfg, pelab_bench_emit emit, void *ctx);

/* The training rows (cfg->train): a note with the model, fma_peak per
 * thread count, train_step on every thread count (interleaved, speedup
 * notes), the peak memory, then with cfg->twin per thread count a torch_twin
 * row and the note "train_step vs torch_twin on T threads: X.XXx" (or a note
 * saying why the twin was skipped: no python3, no torch, a failure). */
void pelab_bench_train_run(const pelab_bench_config *cfg, pelab_bench_emit emit, void *ctx);

#endif /* PELAB_BENCH_H */
