/* bench.c — see pelab/bench/bench.h. */
#include "pelab/bench/bench.h"

#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernels/simd.h"
#include "pelab/kernels/attention.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"
#include "pelab/pe/encoding.h"
#include "pelab/train/config.h"
#include "pelab/train/model.h"
#include "pelab/train/task.h"

#if defined(PELAB_HAVE_OPENBLAS)
#include <cblas.h>
#endif

double pelab_bench_flops(int n, int D, int causal, int backward) {
    const double f = (backward ? 14.0 : 4.0) * (double)n * (double)n * (double)D;
    return causal ? f / 2 : f;
}

/* The one place of the training convention (pelab/bench/bench.h; the twin,
 * scripts/torch_twin.py, mirrors it): the matmul parameters are q, k, v, o
 * (4 d^2) and the MLP (2 d hidden) per block and the head (d classes); each
 * costs 2 flops per token forward and 4 backward. Attention: 14 n^2 d per
 * block and sequence (forward 4, backward with recomputation 10). */
double pelab_bench_train_flops(int d, int layers, int hidden, int classes, int batch, int n, int causal) {
    const double D = d, mm = (double)layers * (4.0 * D * D + 2.0 * D * hidden) + D * classes;
    const double tokens = (double)batch * n;
    double attn = 14.0 * (double)n * n * D * layers * batch;
    if (causal) attn /= 2;
    return 6.0 * mm * tokens + attn;
}

int pelab_bench_have_blas(void) {
#if defined(PELAB_HAVE_OPENBLAS)
    return 1;
#else
    return 0;
#endif
}

double pelab_bench_max_rss_mib(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return NAN;
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

/* CPU seconds spent by every process (all cores, from /proc/stat) and by
 * this one (getrusage); 0 when /proc/stat cannot be read. */
static int cpu_seconds(double *all, double *self) {
    FILE *f = fopen("/proc/stat", "r");
    if (!f) return 0;
    unsigned long long v[8] = {0};
    const int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                           &v[5], &v[6], &v[7]);
    fclose(f);
    if (got < 8) return 0;
    const double hz = (double)sysconf(_SC_CLK_TCK);
    /* user nice system idle iowait irq softirq steal: busy = all but idle and iowait */
    *all = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *self = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_sec +
            1e-6 * (double)ru.ru_stime.tv_usec;
    return 1;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *t, int k) {
    qsort(t, (size_t)k, sizeof *t, cmp_double);
    return k % 2 ? t[k / 2] : 0.5 * (t[k / 2 - 1] + t[k / 2]);
}

/* ---- the FMA peak: independent register-resident chains ------------------------ */

#define FMA_CHAINS 16

static volatile double g_sink;

static void fma_loop_f32(long iters) {
    pv_f32 acc[FMA_CHAINS];
    const pv_f32 m = pv_f32_set1(0.999999f), a = pv_f32_set1(1e-6f);
    for (int c = 0; c < FMA_CHAINS; c++) acc[c] = pv_f32_set1((float)c * 1e-3f);
    for (long i = 0; i < iters; i++) {
        PV_UNROLL for (int c = 0; c < FMA_CHAINS; c++) acc[c] = pv_f32_fma(acc[c], m, a);
    }
    float out[PV_F32_LANES];
    for (int c = 1; c < FMA_CHAINS; c++) acc[0] = pv_f32_add(acc[0], acc[c]);
    pv_f32_store(out, acc[0]);
    g_sink += out[0];
}

static void fma_loop_f64(long iters) {
    pv_f64 acc[FMA_CHAINS];
    const pv_f64 m = pv_f64_set1(0.999999), a = pv_f64_set1(1e-6);
    for (int c = 0; c < FMA_CHAINS; c++) acc[c] = pv_f64_set1((double)c * 1e-3);
    for (long i = 0; i < iters; i++) {
        PV_UNROLL for (int c = 0; c < FMA_CHAINS; c++) acc[c] = pv_f64_fma(acc[c], m, a);
    }
    double out[PV_F64_LANES];
    for (int c = 1; c < FMA_CHAINS; c++) acc[0] = pv_f64_add(acc[0], acc[c]);
    pv_f64_store(out, acc[0]);
    g_sink += out[0];
}

/* wall time of `iters` iterations on every one of `threads` threads at once */
static double fma_run(int threads, int f64, long iters) {
    double t = 0;
#pragma omp parallel num_threads(threads)
    {
#pragma omp barrier
        const double t0 = omp_get_wtime();
        if (f64) fma_loop_f64(iters);
        else fma_loop_f32(iters);
#pragma omp barrier
#pragma omp master
        t = omp_get_wtime() - t0;
    }
    return t;
}

double pelab_bench_fma_peak(int threads, int f64, double *seconds) {
    const int lanes = f64 ? PV_F64_LANES : PV_F32_LANES;
    long iters = 1L << 16;
    double t = fma_run(1, f64, iters); /* calibrate: ~0.1 s per run */
    while (t < 0.01) {
        iters *= 4;
        t = fma_run(1, f64, iters);
    }
    iters = (long)((double)iters * 0.1 / t) + 1;
    fma_run(threads, f64, iters); /* warm-up */
    double ts[7];
    for (int r = 0; r < 7; r++) ts[r] = fma_run(threads, f64, iters);
    const double tm = median(ts, 7);
    if (seconds) *seconds = tm;
    return (double)threads * (double)iters * FMA_CHAINS * lanes * 2.0 / tm * 1e-9;
}

/* ---- timing ------------------------------------------------------------------------ */

typedef void (*bench_fn)(void *ctx);

#define MAX_REPS 64
#define SLOW_BUDGET 10.0 /* s: a slow kernel gets at most this much time after its warm-up */

/* One contestant of an interleaved timing: fn(ctx) on `threads` threads. */
typedef struct bench_entry {
    bench_fn fn;
    void *ctx;
    int threads;
} bench_entry;

/* Times the ne entries interleaved: a warm-up of each, then rounds of one run
 * per entry (in order, then in reverse, alternately, so that a drift in the
 * machine's load hits every entry alike). med[i]: entry i's median time;
 * ratio[i]: the median over the rounds of time(entry 0) / time(entry i), the
 * ratio of runs taken moments apart. The round count is cut when runs are
 * slow: as many as fit in SLOW_BUDGET after the warm-ups, at least one. */
static void time_interleaved(const bench_entry *e, int ne, int repeats, double *med, double *ratio, int *used) {
    PELAB_ASSERT(ne >= 1 && ne <= PELAB_BENCH_MAX_THREAD_COUNTS);
    double warm = 0;
    for (int i = 0; i < ne; i++) {
        omp_set_num_threads(e[i].threads);
        const double t0 = omp_get_wtime();
        e[i].fn(e[i].ctx);
        warm += omp_get_wtime() - t0;
    }
    int reps = repeats < MAX_REPS ? repeats : MAX_REPS;
    if (warm * reps > SLOW_BUDGET) {
        reps = (int)(SLOW_BUDGET / warm);
        if (reps < 1) reps = 1;
    }
    double ts[PELAB_BENCH_MAX_THREAD_COUNTS][MAX_REPS] = {{0}};
    for (int r = 0; r < reps; r++)
        for (int x = 0; x < ne; x++) {
            const int i = r % 2 ? ne - 1 - x : x;
            omp_set_num_threads(e[i].threads);
            const double t0 = omp_get_wtime();
            e[i].fn(e[i].ctx);
            ts[i][r] = omp_get_wtime() - t0;
        }
    for (int i = 0; i < ne; i++) {
        double q[MAX_REPS] = {0}; /* reps >= 1: every median input is written below */
        for (int r = 0; r < reps; r++) q[r] = ts[0][r] / ts[i][r];
        ratio[i] = median(q, reps);
    }
    for (int i = 0; i < ne; i++) med[i] = median(ts[i], reps);
    *used = reps;
}

/* One warm-up, then `repeats` timed runs on the current thread count (fewer
 * when one run is slow: as many as fit in SLOW_BUDGET, at least one); the
 * median. */
static double time_median(bench_fn fn, void *ctx, int repeats, int *used) {
    const bench_entry e = {fn, ctx, omp_get_max_threads()};
    double med = 0, ratio = 0;
    time_interleaved(&e, 1, repeats, &med, &ratio, used);
    return med;
}

/* ---- the kernels under test --------------------------------------------------------- */

typedef struct bench_ctx {
    const pelab_bench_config *cfg;
    int n, D, H;
    size_t nD;
    void *q, *k, *v, *out, *lse, *dq, *dk, *dv, *P;
    pelab_attn_row_stats *stats;
} bench_ctx;

/* the forward: out and lse (with the row statistics when c->stats is set) */
static void run_forward(void *p) {
    bench_ctx *c = p;
    if (c->cfg->f64)
        pelab_attention_forward_f64(c->out, c->lse, c->stats, c->q, c->k, c->v, NULL, c->cfg->causal, c->n, c->D,
                                    c->H);
    else
        pelab_attention_forward_f32(c->out, c->lse, c->stats, c->q, c->k, c->v, NULL, c->cfg->causal, c->n, c->D,
                                    c->H);
}

/* forward, then backward with dL/dout = out (the loss ||out||^2 / 2) */
static void run_forward_backward(void *p) {
    bench_ctx *c = p;
    run_forward(p);
    if (c->cfg->f64)
        pelab_attention_backward_f64(c->dq, c->dk, c->dv, c->out, c->out, c->lse, c->q, c->k, c->v, NULL,
                                     c->cfg->causal, c->n, c->D, c->H);
    else
        pelab_attention_backward_f32(c->dq, c->dk, c->dv, c->out, c->out, c->lse, c->q, c->k, c->v, NULL,
                                     c->cfg->causal, c->n, c->D, c->H);
}

static void run_reference_forward(void *p) {
    bench_ctx *c = p;
    if (c->cfg->f64)
        pelab_attention_reference_forward_f64(c->out, c->P, c->q, c->k, c->v, NULL, c->cfg->causal, c->n, c->D,
                                              c->H);
    else
        pelab_attention_reference_forward_f32(c->out, c->P, c->q, c->k, c->v, NULL, c->cfg->causal, c->n, c->D,
                                              c->H);
}

static void run_reference_forward_backward(void *p) {
    bench_ctx *c = p;
    run_reference_forward(p);
    if (c->cfg->f64)
        pelab_attention_reference_backward_f64(c->dq, c->dk, c->dv, c->out, c->P, c->q, c->k, c->v, c->n, c->D,
                                               c->H);
    else
        pelab_attention_reference_backward_f32(c->dq, c->dk, c->dv, c->out, c->P, c->q, c->k, c->v, c->n, c->D,
                                               c->H);
}

/* ---- the BLAS rows -------------------------------------------------------------------- */

#if defined(PELAB_HAVE_OPENBLAS)

#define GEMM_PANEL_ELEMS ((size_t)1 << 24) /* C panel of the plain gemm: 64 MiB of floats */
#define ATTN_PANEL 256                     /* query rows per panel of the BLAS pipeline */

/* rows per panel of an n-column score matrix within GEMM_PANEL_ELEMS, 1 .. n */
static size_t gemm_panel_rows(int n) {
    const size_t pr = GEMM_PANEL_ELEMS / (size_t)n;
    return pr > (size_t)n ? (size_t)n : pr < 1 ? 1 : pr;
}

/* S (rows, n) = Q_panel K^T per head, in panels that bound the memory */
static void run_blas_gemm(void *p) {
    bench_ctx *c = p;
    const int n = c->n, D = c->D, dh = c->D / c->H;
    const size_t pr = gemm_panel_rows(n);
    for (int h = 0; h < c->H; h++)
        for (int i0 = 0; i0 < n; i0 += (int)pr) {
            const int m = n - i0 < (int)pr ? n - i0 : (int)pr;
            if (c->cfg->f64)
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, dh, 1.0, (double *)c->q + (size_t)i0 * D + h * dh,
                            D, (double *)c->k + h * dh, D, 0.0, c->P, n);
            else
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, dh, 1.0f, (float *)c->q + (size_t)i0 * D + h * dh,
                            D, (float *)c->k + h * dh, D, 0.0f, c->P, n);
        }
}

/* The softmax of one row of cnt logits (the rest of the row, masked, set to 0):
 * max, exp(s - max) with pelab's vectorised exponential, sum, scale. */
#define BENCH_SOFTMAX_(T, SFX)                                                      \
    static void softmax_row_##SFX(T *s, int cnt, int n) {                          \
        T mx = -(T)INFINITY, sum = 0;                                               \
        _Pragma("omp simd reduction(max : mx)") for (int j = 0; j < cnt; j++) mx = s[j] > mx ? s[j] : mx; \
        _Pragma("omp simd") for (int j = 0; j < cnt; j++) s[j] -= mx;              \
        pelab_vexp_##SFX(s, s, (size_t)cnt);                                        \
        _Pragma("omp simd reduction(+ : sum)") for (int j = 0; j < cnt; j++) sum += s[j]; \
        const T inv = (T)1 / sum;                                                   \
        _Pragma("omp simd") for (int j = 0; j < cnt; j++) s[j] *= inv;             \
        for (int j = cnt; j < n; j++) s[j] = 0;                                     \
    }
BENCH_SOFTMAX_(float, f32)
BENCH_SOFTMAX_(double, f64)
#undef BENCH_SOFTMAX_

/* One panel of the unfused pipeline, rows i0 .. i0+m-1 of head h: S (m, n) =
 * scale Q_p K^T (gemm), the softmax of each row (on every thread when par),
 * out_p = S V (gemm). */
static void blas_panel(bench_ctx *c, void *S, int h, int i0, int m, int par) {
    const int n = c->n, D = c->D, dh = D / c->H, causal = c->cfg->causal;
    const size_t off = (size_t)i0 * D + (size_t)h * dh;
    const double scale = 1.0 / sqrt((double)dh);
    if (c->cfg->f64) {
        double *s = S;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, dh, scale, (double *)c->q + off, D,
                    (double *)c->k + h * dh, D, 0.0, s, n);
#pragma omp parallel for if (par) schedule(static)
        for (int r = 0; r < m; r++) softmax_row_f64(s + (size_t)r * n, causal ? i0 + r + 1 : n, n);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, dh, n, 1.0, s, n, (double *)c->v + h * dh, D, 0.0,
                    (double *)c->out + off, D);
    } else {
        float *s = S;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, dh, (float)scale, (float *)c->q + off, D,
                    (float *)c->k + h * dh, D, 0.0f, s, n);
#pragma omp parallel for if (par) schedule(static)
        for (int r = 0; r < m; r++) softmax_row_f32(s + (size_t)r * n, causal ? i0 + r + 1 : n, n);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, dh, n, 1.0f, s, n, (float *)c->v + h * dh, D,
                    0.0f, (float *)c->out + off, D);
    }
}

/* blas_attention: per head and panel of ATTN_PANEL queries, one thread each
 * (single-threaded BLAS) */
static void run_blas_attention(void *p) {
    bench_ctx *c = p;
    const int n = c->n, H = c->H;
    const int np = (n + ATTN_PANEL - 1) / ATTN_PANEL;
#pragma omp parallel
    {
        void *S = pelab_xmalloc((size_t)ATTN_PANEL * n * (c->cfg->f64 ? sizeof(double) : sizeof(float)));
#pragma omp for schedule(dynamic, 1)
        for (long it = 0; it < (long)H * np; it++) {
            const int h = (int)(it / np), i0 = (int)(it % np) * ATTN_PANEL;
            blas_panel(c, S, h, i0, n - i0 < ATTN_PANEL ? n - i0 : ATTN_PANEL, 0);
        }
        free(S);
    }
}

/* blas_attention_mt, the same pipeline as a framework runs it: per head and
 * panel of rows (bounded as in run_blas_gemm, in c->P), one gemm call on
 * every thread (OpenBLAS's own threading), the softmax rows in parallel, one
 * gemm call. */
static void run_blas_attention_mt(void *p) {
    bench_ctx *c = p;
    const int n = c->n;
    const size_t pr = gemm_panel_rows(n);
    for (int h = 0; h < c->H; h++)
        for (int i0 = 0; i0 < n; i0 += (int)pr) blas_panel(c, c->P, h, i0, n - i0 < (int)pr ? n - i0 : (int)pr, 1);
}
#endif

/* ---- the run -------------------------------------------------------------------------- */

static void emit_row(pelab_bench_emit emit, void *ctx, const char *kernel, int threads, double seconds,
                     double flops) {
    pelab_bench_row row = {kernel, threads, seconds, flops / seconds * 1e-9, 0, NULL};
    emit(ctx, &row, NULL);
}

static void emit_note(pelab_bench_emit emit, void *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void emit_note(pelab_bench_emit emit, void *ctx, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    emit(ctx, NULL, buf);
}

static void *fill_random(size_t count, int f64, uint64_t stream) {
    void *x = pelab_xmalloc(count * (f64 ? sizeof(double) : sizeof(float)));
    pelab_rng r = pelab_rng_make(20250101u, stream);
    for (size_t i = 0; i < count; i++) {
        const double g = pelab_rng_normal(&r);
        if (f64) ((double *)x)[i] = g;
        else ((float *)x)[i] = (float)g;
    }
    return x;
}

/* Times one engine kernel on every thread count (interleaved) and emits its
 * rows, then the speedups as a note. */
static void engine_rows(const pelab_bench_config *cfg, bench_fn fn, bench_ctx *c, const char *kernel,
                        double flops, pelab_bench_emit emit, void *ctx) {
    double med[PELAB_BENCH_MAX_THREAD_COUNTS], sp[PELAB_BENCH_MAX_THREAD_COUNTS];
    bench_entry e[PELAB_BENCH_MAX_THREAD_COUNTS];
    for (int i = 0; i < cfg->n_threads; i++) e[i] = (bench_entry){fn, c, cfg->threads[i]};
    int reps = 0;
    time_interleaved(e, cfg->n_threads, cfg->repeats, med, sp, &reps);
    for (int i = 0; i < cfg->n_threads; i++) emit_row(emit, ctx, kernel, cfg->threads[i], med[i], flops);
    if (reps < cfg->repeats) emit_note(emit, ctx, "%s: %d repetition(s) (slow)", kernel, reps);
    for (int i = 1; i < cfg->n_threads; i++)
        emit_note(emit, ctx, "speedup %s: %d threads vs %d: %.2fx (median over %d interleaved repetitions of "
                  "time on %d / time on %d)", kernel, cfg->threads[i], cfg->threads[0], sp[i], reps,
                  cfg->threads[0], cfg->threads[i]);
}

#if defined(PELAB_HAVE_OPENBLAS)
/* Times an unfused pipeline interleaved with the fused forward on T threads
 * (their ratio then compares runs taken moments apart, as the speedups do),
 * emits its row and the ratio, then checks that it computes what the forward
 * computes: a note with max |out_pipeline - out_forward| / max |out_forward|. */
static void pipeline_rows(const pelab_bench_config *cfg, bench_ctx *c, bench_fn fn, const char *kernel, int T,
                          double flops, pelab_bench_emit emit, void *ctx) {
    const bench_entry pair[2] = {{fn, c, T}, {run_forward, c, T}};
    double med[2], ratio[2];
    int reps = 0;
    time_interleaved(pair, 2, cfg->repeats, med, ratio, &reps);
    emit_row(emit, ctx, kernel, T, med[0], flops);
    emit_note(emit, ctx, "forward vs %s on %d thread(s): %.2fx (median over %d interleaved repetitions of time of "
              "%s / time of forward)", kernel, T, ratio[1], reps, kernel);
    const size_t es = cfg->f64 ? sizeof(double) : sizeof(float);
    void *mine = pelab_xmalloc(c->nD * es);
    omp_set_num_threads(T);
    fn(c);
    memcpy(mine, c->out, c->nD * es);
    run_forward(c);
    double diff = 0, big = 0;
    for (size_t i = 0; i < c->nD; i++) {
        const double a = cfg->f64 ? ((double *)mine)[i] : ((float *)mine)[i];
        const double b = cfg->f64 ? ((double *)c->out)[i] : ((float *)c->out)[i];
        diff = fmax(diff, fabs(a - b)); /* fmax ignores a NaN: the isnan below catches it */
        if (isnan(a) || isnan(b)) diff = INFINITY;
        big = fmax(big, fabs(b));
    }
    free(mine);
    emit_note(emit, ctx, "%s agrees with the forward: max |diff| / max |out| = %.1e", kernel,
              big > 0 ? diff / big : diff);
}
#endif

/* ---- low precision ------------------------------------------------------------------------ */

typedef struct lowp_ctx {
    const pelab_bench_config *cfg;
    int n, D, H;
    const uint16_t *qh, *kh, *vh; /* (n, D) in cfg->lowp_fmt */
    const float *q, *k, *v;       /* (n, D) the same, decoded */
    float *out, *out_lowp, *lse;  /* (n, D), (n, D), (H, n) */
} lowp_ctx;

static void run_forward_f32_decoded(void *p) {
    lowp_ctx *c = p;
    pelab_attention_forward_f32(c->out, c->lse, NULL, c->q, c->k, c->v, NULL, c->cfg->causal, c->n, c->D, c->H);
}

static void run_forward_lowp(void *p) {
    lowp_ctx *c = p;
    pelab_attention_forward_lowp(c->out_lowp, c->lse, NULL, c->qh, c->kh, c->vh, NULL, c->cfg->causal, c->n, c->D,
                                 c->H, c->cfg->lowp_fmt);
}

/* the same through another path of the bf16 forward (pelab_attention_set_lowp_path) */
static void run_forward_lowp_on(void *p, pelab_lowp_path path) {
    pelab_attention_set_lowp_path(path);
    run_forward_lowp(p);
    pelab_attention_set_lowp_path(PELAB_LOWP_PATH_DECODED);
}
static void run_forward_lowp_dot(void *p) { run_forward_lowp_on(p, PELAB_LOWP_PATH_DOT); }
static void run_forward_lowp_amx(void *p) { run_forward_lowp_on(p, PELAB_LOWP_PATH_AMX); }

#define LOWP_CHECK_ROWS 256

/* Exact attention in double on the decoded operands for up to LOWP_CHECK_ROWS
 * query rows spread evenly over the sequence (all of them when n is smaller):
 * err[0], err[1] = max |a - exact| / max |exact| over those rows' outputs,
 * a = c->out (the f32 forward's), c->out_lowp (a lowp forward's). O(rows n D). */
static void lowp_errors(const lowp_ctx *c, double err[2]) {
    const int n = c->n, D = c->D, H = c->H, dh = D / H, causal = c->cfg->causal;
    const int rows = n < LOWP_CHECK_ROWS ? n : LOWP_CHECK_ROWS;
    const double scale = 1.0 / sqrt((double)dh);
    double *dmax = pelab_xcalloc(3 * (size_t)rows, sizeof(double)); /* (rows, 3): max |exact|, |f32 - e|, |lowp - e| */
#pragma omp parallel
    {
        double *w = pelab_xmalloc((size_t)n * sizeof(double)); /* (n) one row's weights */
#pragma omp for schedule(dynamic, 1)
        for (int r = 0; r < rows; r++) {
            const int i = rows == n ? r : (int)((long)r * (n - 1) / (rows - 1));
            const int kend = causal ? i + 1 : n;
            double *m3 = dmax + 3 * (size_t)r;
            for (int h = 0; h < H; h++) {
                const size_t col = (size_t)h * dh;
                double mx = -INFINITY, l = 0;
                for (int j = 0; j < kend; j++) {
                    double s = 0;
                    for (int x = 0; x < dh; x++) s += (double)c->q[(size_t)i * D + col + x] * c->k[(size_t)j * D + col + x];
                    w[j] = s * scale;
                    mx = fmax(mx, w[j]);
                }
                for (int j = 0; j < kend; j++) l += (w[j] = exp(w[j] - mx));
                for (int x = 0; x < dh; x++) {
                    double o = 0;
                    for (int j = 0; j < kend; j++) o += w[j] * c->v[(size_t)j * D + col + x];
                    o /= l;
                    const size_t at = (size_t)i * D + col + x;
                    m3[0] = fmax(m3[0], fabs(o));
                    m3[1] = fmax(m3[1], fabs((double)c->out[at] - o));
                    m3[2] = fmax(m3[2], fabs((double)c->out_lowp[at] - o));
                    if (isnan(c->out[at])) m3[1] = INFINITY;
                    if (isnan(c->out_lowp[at])) m3[2] = INFINITY;
                }
            }
        }
        free(w);
    }
    double big = 0, e32 = 0, elp = 0;
    for (int r = 0; r < rows; r++)
        big = fmax(big, dmax[3 * r]), e32 = fmax(e32, dmax[3 * r + 1]), elp = fmax(elp, dmax[3 * r + 2]);
    free(dmax);
    err[0] = big > 0 ? e32 / big : e32;
    err[1] = big > 0 ? elp / big : elp;
}

void pelab_bench_lowp_run(const pelab_bench_config *cfg, pelab_bench_emit emit, void *ctx) {
    const int n = cfg->seq_len, D = cfg->d_model, H = cfg->heads;
    const pelab_lowp fmt = cfg->lowp_fmt;
    const char *fname = pelab_lowp_str(fmt);
    PELAB_ASSERT(cfg->lowp && !cfg->f64 && cfg->n_threads >= 1 && cfg->n_threads <= PELAB_BENCH_MAX_THREAD_COUNTS);
    const int saved_threads = omp_get_max_threads();
    double all0 = 0, self0 = 0, all1 = 0, self1 = 0;
    const int have_load = cpu_seconds(&all0, &self0);
    const double wall0 = omp_get_wtime();
    const double flops = pelab_bench_flops(n, D, cfg->causal, 0);
    double peak[PELAB_BENCH_MAX_THREAD_COUNTS] = {0};
    for (int i = 0; i < cfg->n_threads; i++) {
        double secs = 0;
        peak[i] = pelab_bench_fma_peak(cfg->threads[i], 0, &secs);
        pelab_bench_row prow = {"fma_peak", cfg->threads[i], secs, peak[i], 0, "f32"};
        emit(ctx, &prow, NULL);
    }
    /* the f32 rows' random inputs, stored in the format; the f32 forward gets them decoded */
    const size_t nD = (size_t)n * D;
    lowp_ctx c = {cfg, n, D, H, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    float *qkv = pelab_xmalloc(3 * nD * sizeof(float));
    uint16_t *hqkv = pelab_xmalloc(3 * nD * sizeof(uint16_t));
    for (int a = 0; a < 3; a++) {
        float *x = fill_random(nD, 0, (uint64_t)a + 1);
        pelab_lowp_pack(hqkv + a * nD, x, nD, fmt);
        pelab_lowp_unpack(qkv + a * nD, hqkv + a * nD, nD, fmt);
        free(x);
    }
    c.q = qkv, c.k = qkv + nD, c.v = qkv + 2 * nD;
    c.qh = hqkv, c.kh = hqkv + nD, c.vh = hqkv + 2 * nD;
    c.out = pelab_xmalloc(nD * sizeof(float));
    c.out_lowp = pelab_xmalloc(nD * sizeof(float));
    c.lse = pelab_xmalloc((size_t)H * n * sizeof(float));
    const int dot = fmt == PELAB_LOWP_BF16 && pelab_attention_lowp_path_available(PELAB_LOWP_PATH_DOT);
    const int amx = fmt == PELAB_LOWP_BF16 && pelab_attention_lowp_path_applies(PELAB_LOWP_PATH_AMX, D / H);
    for (int i = 0; i < cfg->n_threads; i++) {
        const int T = cfg->threads[i];
        /* the bf16 forward's other paths as further rows where the build and machine have them */
        bench_entry rows[4] = {{run_forward_f32_decoded, &c, T}, {run_forward_lowp, &c, T}};
        const char *names[4] = {"forward", "forward_lowp"};
        int nrows = 2;
        if (dot) rows[nrows] = (bench_entry){run_forward_lowp_dot, &c, T}, names[nrows++] = "forward_lowp_dot";
        if (amx) rows[nrows] = (bench_entry){run_forward_lowp_amx, &c, T}, names[nrows++] = "forward_lowp_amx";
        double med[4], ratio[4];
        int reps = 0;
        time_interleaved(rows, nrows, cfg->repeats, med, ratio, &reps);
        pelab_bench_row r32 = {"forward", T, med[0], flops / med[0] * 1e-9, 0, "f32"};
        pelab_bench_row rlp = {"forward_lowp", T, med[1], flops / med[1] * 1e-9, 0, fname};
        emit(ctx, &r32, NULL);
        emit(ctx, &rlp, NULL);
        emit_note(emit, ctx, "forward_lowp (%s) vs forward (f32) on %d thread(s): %.2fx the speed (median over %d "
                  "interleaved repetitions of time of forward / time of forward_lowp)", fname, T, ratio[1], reps);
        for (int x = 2; x < nrows; x++) {
            pelab_bench_row rx = {names[x], T, med[x], flops / med[x] * 1e-9, 0, fname};
            emit(ctx, &rx, NULL);
            if (strcmp(names[x], "forward_lowp_dot") == 0)
                emit_note(emit, ctx, "forward_lowp_dot (Q K^T and P V by vdpbf16ps, bitwise the same result) vs "
                          "forward (f32) on %d thread(s): %.2fx the speed; forward_lowp (decoded to float32, the "
                          "default) %.2fx", T, ratio[x], ratio[1]);
            else
                emit_note(emit, ctx, "forward_lowp_amx (Q K^T and P V on AMX tiles, tdpbf16ps) vs forward (f32) on %d "
                          "thread(s): %.2fx the speed; forward_lowp (decoded to float32, the default) %.2fx", T,
                          ratio[x], ratio[1]);
        }
        emit_note(emit, ctx, "fraction of fma_peak on %d thread(s): forward %.2f, forward_lowp %.2f (%s operands "
                  "decoded to float32, whose FMA peak bounds both%s)", T, r32.gflops / peak[i], rlp.gflops / peak[i],
                  fname, dot && amx ? "; forward_lowp_dot and forward_lowp_amx count their multiply-adds the same"
                         : dot      ? "; forward_lowp_dot counts its multiply-adds the same"
                         : amx      ? "; forward_lowp_amx counts its multiply-adds the same"
                                    : "; this build has no bf16 dot product");
    }
    omp_set_num_threads(cfg->threads[cfg->n_threads - 1]);
    run_forward_f32_decoded(&c);
    double err_amx[2] = {0, 0};
    if (amx) {
        run_forward_lowp_amx(&c);
        lowp_errors(&c, err_amx);
    }
    run_forward_lowp(&c);
    double err[2];
    lowp_errors(&c, err);
    const int rows = n < LOWP_CHECK_ROWS ? n : LOWP_CHECK_ROWS;
    emit_note(emit, ctx, "accuracy against exact float64 attention on the decoded operands (%d of %d query rows, "
              "every head): max |out - exact| / max |exact| = %.2e for forward_lowp (%s: P stored in the format; "
              "unit roundoff %.2e), %.2e for forward (f32)", rows, n, err[1], fname, pelab_lowp_unit_roundoff(fmt),
              err[0]);
    if (amx)
        emit_note(emit, ctx, "accuracy of forward_lowp_amx, the same way: %.2e (forward_lowp_dot: bitwise "
                  "forward_lowp's)", err_amx[1]);
    emit_note(emit, ctx, "peak memory (max RSS): %.1f MiB; the %s operands take %.1f MiB, their f32 copies %.1f MiB",
              pelab_bench_max_rss_mib(), fname, 3.0 * nD * 2 / 1048576.0, 3.0 * nD * 4 / 1048576.0);
    emit_note(emit, ctx, "reference and BLAS rows skipped: --dtype %s times forward and forward_lowp (and "
              "forward_lowp_dot, forward_lowp_amx where present) only", fname);
    free(qkv), free(hqkv), free(c.out), free(c.out_lowp), free(c.lse);
    if (have_load && cpu_seconds(&all1, &self1)) {
        const double other = ((all1 - all0) - (self1 - self0)) / (omp_get_wtime() - wall0);
        emit_note(emit, ctx, "other processes kept %.2f of the %ld cores busy on average during this run%s",
                  other < 0 ? 0 : other, sysconf(_SC_NPROCESSORS_ONLN),
                  other > 0.1 ? " (noisy timings: compare ratios, or rerun)" : "");
    }
    omp_set_num_threads(saved_threads);
}

void pelab_bench_run(const pelab_bench_config *cfg, pelab_bench_emit emit, void *ctx) {
    if (cfg->lowp) {
        pelab_bench_lowp_run(cfg, emit, ctx);
        return;
    }
    const int n = cfg->seq_len, D = cfg->d_model, H = cfg->heads, f64 = cfg->f64;
    const size_t es = f64 ? sizeof(double) : sizeof(float);
    PELAB_ASSERT(cfg->n_threads >= 1 && cfg->n_threads <= PELAB_BENCH_MAX_THREAD_COUNTS);
    const int saved_threads = omp_get_max_threads();
    double all0 = 0, self0 = 0, all1 = 0, self1 = 0;
    const int have_load = cpu_seconds(&all0, &self0);
    const double wall0 = omp_get_wtime();
    int reps = 0;
    const double fwd_flops = pelab_bench_flops(n, D, cfg->causal, 0);
    const double fb_flops = pelab_bench_flops(n, D, cfg->causal, 1);

    for (int i = 0; i < cfg->n_threads; i++) {
        double secs = 0;
        const double peak = pelab_bench_fma_peak(cfg->threads[i], f64, &secs);
        pelab_bench_row prow = {"fma_peak", cfg->threads[i], secs, peak, 0, NULL};
        emit(ctx, &prow, NULL);
    }

    bench_ctx c;
    memset(&c, 0, sizeof c);
    c.cfg = cfg, c.n = n, c.D = D, c.H = H, c.nD = (size_t)n * D;
    c.q = fill_random(c.nD, f64, 1);
    c.k = fill_random(c.nD, f64, 2);
    c.v = fill_random(c.nD, f64, 3);
    c.out = pelab_xmalloc(c.nD * es);
    c.lse = pelab_xmalloc((size_t)H * n * es);
    engine_rows(cfg, run_forward, &c, "forward", fwd_flops, emit, ctx);
    c.stats = pelab_xmalloc((size_t)H * n * sizeof *c.stats);
    engine_rows(cfg, run_forward, &c, "forward_stats", fwd_flops, emit, ctx);
    free(c.stats);
    c.stats = NULL;
    if (cfg->backward) {
        c.dq = pelab_xmalloc(c.nD * es);
        c.dk = pelab_xmalloc(c.nD * es);
        c.dv = pelab_xmalloc(c.nD * es);
        engine_rows(cfg, run_forward_backward, &c, "forward_backward", fb_flops, emit, ctx);
    }
    const double engine_rss = pelab_bench_max_rss_mib();
    const double engine_arrays = (double)c.nD * es * (cfg->backward ? 7 : 4) / 1048576.0;
    emit_note(emit, ctx,
              "peak memory of the engine (max RSS after its rows, before any other): %.1f MiB, of which its n x d "
              "arrays are %.1f MiB",
              engine_rss, engine_arrays);

    /* the reference: P (H, n, n) in full, one thread */
    const double pbytes = (double)H * n * n * (double)es;
    if (!cfg->reference) {
        emit_note(emit, ctx, "reference rows skipped (--no-reference)");
    } else if (pbytes > 1.1 * (1 << 30)) {
        emit_note(emit, ctx, "reference rows skipped: P (H, n, n) would take %.1f GiB (> 1 GiB)",
                  pbytes / (1 << 30));
    } else {
        c.P = pelab_xmalloc((size_t)pbytes);
        omp_set_num_threads(1);
        double t = time_median(run_reference_forward, &c, cfg->repeats, &reps);
        emit_row(emit, ctx, "reference_forward", 1, t, fwd_flops);
        if (reps < cfg->repeats) emit_note(emit, ctx, "reference_forward: %d repetition(s) (slow)", reps);
        if (cfg->backward) {
            t = time_median(run_reference_forward_backward, &c, cfg->repeats, &reps);
            emit_row(emit, ctx, "reference_forward_backward", 1, t, fb_flops);
            if (reps < cfg->repeats)
                emit_note(emit, ctx, "reference_forward_backward: %d repetition(s) (slow)", reps);
        }
        free(c.P);
        c.P = NULL;
        emit_note(emit, ctx, "peak memory after the reference rows (they hold P, H x n x n): %.1f MiB",
                  pelab_bench_max_rss_mib());
    }

#if defined(PELAB_HAVE_OPENBLAS)
    if (cfg->blas) {
        const char *ct = getenv("OPENBLAS_CORETYPE");
        emit_note(emit, ctx, "BLAS: %s; kernel core %s (OPENBLAS_CORETYPE=%s)", openblas_get_config(),
                  openblas_get_corename(), ct ? ct : "unset");
        /* the score panel of blas_sgemm and blas_attention_mt (blas_attention
         * allocates its own, one per thread) */
        c.P = pelab_xmalloc(gemm_panel_rows(n) * (size_t)n * es);
        for (int i = 0; i < cfg->n_threads; i++) {
            const int T = cfg->threads[i];
            openblas_set_num_threads(T);
            double t = time_median(run_blas_gemm, &c, cfg->repeats, &reps);
            emit_row(emit, ctx, f64 ? "blas_dgemm" : "blas_sgemm", T, t, 2.0 * n * (double)n * D);
            openblas_set_num_threads(1); /* the pipeline calls it from T threads at once */
            pipeline_rows(cfg, &c, run_blas_attention, "blas_attention", T, fwd_flops, emit, ctx);
            openblas_set_num_threads(T);
            pipeline_rows(cfg, &c, run_blas_attention_mt, "blas_attention_mt", T, fwd_flops, emit, ctx);
        }
        free(c.P);
        c.P = NULL;
        openblas_set_num_threads(saved_threads);
        emit_note(emit, ctx,
                  "peak memory after the BLAS rows (OpenBLAS's buffers and the pipelines' score panels, 256 x n "
                  "per thread): %.1f MiB; the engine's own is the %.1f MiB above",
                  pelab_bench_max_rss_mib(), engine_rss);
    }
#else
    if (cfg->blas) emit_note(emit, ctx, "BLAS rows skipped: pelab was built without OpenBLAS");
#endif

    free(c.q), free(c.k), free(c.v), free(c.out), free(c.lse);
    free(c.dq), free(c.dk), free(c.dv);
    if (have_load && cpu_seconds(&all1, &self1)) {
        const double other = ((all1 - all0) - (self1 - self0)) / (omp_get_wtime() - wall0);
        emit_note(emit, ctx,
                  "other processes kept %.2f of the %ld cores busy on average during this run%s", other < 0 ? 0 : other,
                  sysconf(_SC_NPROCESSORS_ONLN), other > 0.1 ? " (noisy timings: compare ratios, or rerun)" : "");
    }
    omp_set_num_threads(saved_threads);
}

/* ---- training --------------------------------------------------------------------------- */

#define TRAIN_VOCAB 16
#define TRAIN_CLASSES 16

typedef struct train_ctx {
    pelab_model m;
    int *tokens, *targets;
    int B, n;
    long t;
} train_ctx;

/* one training step: forward, backward, AdamW (lr 1e-3, weight decay 0.01) */
static void run_train_step(void *p) {
    train_ctx *c = p;
    pelab_model_stats st;
    pelab_model_forward(&st, &c->m, c->tokens, c->targets, c->B, c->n, 0);
    pelab_model_backward(&c->m);
    pelab_model_step(&c->m, PELAB_OPTIMIZER_ADAMW, 1e-3, 0.01, 0.0, ++c->t);
}

/* The twin: a child process on pipes (its stdout and stderr on one). */
typedef struct twin_proc {
    pid_t pid;
    FILE *to, *from;
} twin_proc;

static void twin_stop(twin_proc *tp) {
    if (tp->to) {
        fputs("quit\n", tp->to);
        fclose(tp->to);
    }
    if (tp->from) fclose(tp->from);
    if (tp->pid > 0) {
        int status = 0;
        waitpid(tp->pid, &status, 0);
    }
    memset(tp, 0, sizeof *tp);
}

/* a line of the child into buf (newline cut); 0 at its end */
static int twin_line(twin_proc *tp, char *buf, size_t len) {
    if (!fgets(buf, (int)len, tp->from)) return 0;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 1;
}

/* Starts the twin on cfg's shape and T threads in --serve mode and waits for
 * its "ready" line (the warm-up done). 0 and a reason in why on failure. */
static int twin_start(twin_proc *tp, const pelab_bench_config *cfg, int T, char *why, size_t whylen) {
    memset(tp, 0, sizeof *tp);
    const char *cmd = cfg->twin;
    const size_t cl = strlen(cmd);
    const char *interp = NULL;
    if (cl > 3 && strcmp(cmd + cl - 3, ".py") == 0) {
        interp = getenv("PELAB_PYTHON");
        if (!interp || !*interp) interp = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
        if (access(cmd, R_OK) != 0) {
            snprintf(why, whylen, "%s cannot be read", cmd);
            return 0;
        }
    }
    char num[7][24];
    const int vals[7] = {cfg->d_model, cfg->layers, cfg->heads, cfg->batch, cfg->seq_len, T, cfg->warmup};
    for (int i = 0; i < 7; i++) snprintf(num[i], sizeof num[i], "%d", vals[i]);
    char cls[24], voc[24];
    snprintf(cls, sizeof cls, "%d", TRAIN_CLASSES);
    snprintf(voc, sizeof voc, "%d", TRAIN_VOCAB);
    const char *args[32];
    int ac = 0;
    if (interp) args[ac++] = interp;
    args[ac++] = cmd;
    const char *flags[7] = {"--d-model", "--layers", "--heads", "--batch", "--seq-len", "--threads", "--warmup"};
    for (int i = 0; i < 7; i++) args[ac++] = flags[i], args[ac++] = num[i];
    args[ac++] = "--vocab", args[ac++] = voc, args[ac++] = "--classes", args[ac++] = cls;
    if (cfg->causal) args[ac++] = "--causal";
    args[ac++] = "--serve";
    int in[2], out[2];
    if (pipe(in) != 0) {
        snprintf(why, whylen, "no pipe");
        return 0;
    }
    if (pipe(out) != 0) {
        close(in[0]), close(in[1]);
        snprintf(why, whylen, "no pipe");
        return 0;
    }
    char *argv[32]; /* execvp's (mutable) copies */
    for (int i = 0; i < ac; i++) argv[i] = pelab_xstrdup(args[i]);
    argv[ac] = NULL;
    fflush(stdout);
    fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        for (int i = 0; i < ac; i++) free(argv[i]);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        snprintf(why, whylen, "fork failed");
        return 0;
    }
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        /* OMP_NUM_THREADS and friends of pelab's run must not steer the twin */
        unsetenv("OMP_NUM_THREADS");
        execvp(argv[0], argv);
        printf("cannot run %s\n", argv[0]);
        _exit(127);
    }
    close(in[0]), close(out[1]);
    for (int i = 0; i < ac; i++) free(argv[i]);
    tp->pid = pid;
    tp->to = fdopen(in[1], "w");
    tp->from = fdopen(out[0], "r");
    if (!tp->to || !tp->from) {
        snprintf(why, whylen, "fdopen failed");
        twin_stop(tp);
        return 0;
    }
    char line[256], last[256] = "it ended without a word";
    while (twin_line(tp, line, sizeof line)) {
        if (strncmp(line, "ready", 5) == 0) return 1;
        if (*line) snprintf(last, sizeof last, "%s", line);
    }
    snprintf(why, whylen, "%s %s: %s", interp ? interp : "", cmd, last);
    twin_stop(tp);
    return 0;
}

/* one timed step of the twin (its own clock); < 0 on failure */
static double twin_step(twin_proc *tp) {
    char line[256];
    fputs("step\n", tp->to);
    fflush(tp->to);
    while (twin_line(tp, line, sizeof line))
        if (strncmp(line, "seconds=", 8) == 0) return atof(line + 8);
    return -1;
}

/* The twin on T threads interleaved with pelab's step (pelab, twin, twin,
 * pelab, ..): its row and the ratio note, or a note saying why not. */
static void twin_rows(const pelab_bench_config *cfg, train_ctx *c, int T, double flops, double tokens,
                      pelab_bench_emit emit, void *ctx) {
    twin_proc tp;
    char why[1024];
    if (!twin_start(&tp, cfg, T, why, sizeof why)) {
        emit_note(emit, ctx, "torch_twin on %d thread(s) skipped: %s", T, why);
        return;
    }
    omp_set_num_threads(T);
    double tc[MAX_REPS], tt[MAX_REPS], q[MAX_REPS];
    int reps = cfg->repeats < MAX_REPS ? cfg->repeats : MAX_REPS, done = 0, ok = 1;
    for (int r = 0; r < reps && ok; r++) {
        for (int x = 0; x < 2; x++) {
            if ((x == 0) == (r % 2 == 0)) {
                const double t0 = omp_get_wtime();
                run_train_step(c);
                tc[r] = omp_get_wtime() - t0;
            } else if ((tt[r] = twin_step(&tp)) <= 0) {
                ok = 0;
                break;
            }
        }
        if (!ok) break;
        done = r + 1;
        if (r == 0 && (tc[0] + tt[0]) * reps > SLOW_BUDGET) {
            /* slow: what fits in the budget, but at least 3 pairs (a ratio of one pair is a coin toss) */
            reps = (int)(SLOW_BUDGET / (tc[0] + tt[0]));
            const int least = cfg->repeats < 3 ? cfg->repeats : 3;
            if (reps < least) reps = least;
        }
    }
    twin_stop(&tp);
    if (!ok || done == 0) {
        emit_note(emit, ctx, "torch_twin on %d thread(s) skipped: it stopped answering", T);
        return;
    }
    for (int r = 0; r < done; r++) q[r] = tt[r] / tc[r];
    const double ratio = median(q, done), ttm = median(tt, done);
    pelab_bench_row row = {"torch_twin", T, ttm, flops / ttm * 1e-9, tokens / ttm, NULL};
    emit(ctx, &row, NULL);
    emit_note(emit, ctx,
              "train_step vs torch_twin on %d threads: %.2fx (median over %d interleaved repetitions of time of "
              "torch_twin / time of train_step; the twin's own clock)",
              T, ratio, done);
}

void pelab_bench_train_run(const pelab_bench_config *cfg, pelab_bench_emit emit, void *ctx) {
    PELAB_ASSERT(cfg->n_threads >= 1 && cfg->n_threads <= PELAB_BENCH_MAX_THREAD_COUNTS);
    const int saved_threads = omp_get_max_threads();
    double all0 = 0, self0 = 0, all1 = 0, self1 = 0;
    const int have_load = cpu_seconds(&all0, &self0);
    const double wall0 = omp_get_wtime();
    const int B = cfg->batch, n = cfg->seq_len;

    pelab_scheme scheme;
    pelab_scheme_init_default(&scheme, PELAB_SCHEME_NONE);
    pelab_train_settings s;
    memset(&s, 0, sizeof s);
    s.scheme = &scheme;
    s.d_model = cfg->d_model;
    s.heads = cfg->heads;
    s.mask = cfg->causal ? PELAB_MASK_CAUSAL : PELAB_MASK_NONE;
    s.dtype = cfg->f64 ? PELAB_DTYPE_F64 : PELAB_DTYPE_F32;
    s.layers = cfg->layers;
    s.mlp_ratio = 4;
    s.norm = PELAB_NORM_PRE;
    s.init = PELAB_INIT_PROBE;
    s.token_std = 1;
    const pelab_task_def task = {"bench", PELAB_TASK_REVERSE, TRAIN_VOCAB, TRAIN_CLASSES, PELAB_READOUT_EACH,
                                 1.0 / TRAIN_CLASSES, 1, "pelab bench --train"};
    pelab_model_dims dims;
    pelab_model_dims_make(&dims, &s, &task, n, B, n);
    train_ctx c;
    memset(&c, 0, sizeof c);
    pelab_model_init(&c.m, &dims, PELAB_INIT_PROBE, 1.0, 20250101u);
    c.B = B, c.n = n;
    c.tokens = pelab_xmalloc((size_t)B * n * sizeof *c.tokens);
    c.targets = pelab_xmalloc((size_t)B * n * sizeof *c.targets);
    pelab_rng r = pelab_rng_make(20250101u, 7);
    for (size_t i = 0; i < (size_t)B * n; i++) {
        c.tokens[i] = (int)pelab_rng_below(&r, TRAIN_VOCAB);
        c.targets[i] = (int)pelab_rng_below(&r, TRAIN_CLASSES);
    }
    const double flops = pelab_bench_train_flops(dims.d, dims.layers, dims.hidden, dims.classes, B, n, cfg->causal);
    const double tokens = (double)B * n;
    emit_note(emit, ctx,
              "model: d_model %d, %d layers, %d heads, mlp hidden %d, pre-LN, scheme none, mask %s, readout each, "
              "%d classes, %s, AdamW; batch %d x n %d = %.0f tokens per step; %zu parameters; %.4g GFLOP per step "
              "(6 x matmul parameters x tokens + 14 n^2 d per block and sequence%s)",
              dims.d, dims.layers, dims.heads, dims.hidden, cfg->causal ? "causal" : "none", dims.classes,
              cfg->f64 ? "f64" : "f32", B, n, tokens, c.m.n_params, flops * 1e-9,
              cfg->causal ? ", halved by the causal mask" : "");

    for (int i = 0; i < cfg->n_threads; i++) {
        double secs = 0;
        const double peak = pelab_bench_fma_peak(cfg->threads[i], cfg->f64, &secs);
        pelab_bench_row prow = {"fma_peak", cfg->threads[i], secs, peak, 0, NULL};
        emit(ctx, &prow, NULL);
    }

    /* warm-up steps (the first allocates the optimiser state) */
    omp_set_num_threads(cfg->threads[0]);
    for (int w = 0; w < cfg->warmup; w++) run_train_step(&c);
    double med[PELAB_BENCH_MAX_THREAD_COUNTS], sp[PELAB_BENCH_MAX_THREAD_COUNTS];
    bench_entry e[PELAB_BENCH_MAX_THREAD_COUNTS];
    for (int i = 0; i < cfg->n_threads; i++) e[i] = (bench_entry){run_train_step, &c, cfg->threads[i]};
    int reps = 0;
    time_interleaved(e, cfg->n_threads, cfg->repeats, med, sp, &reps);
    for (int i = 0; i < cfg->n_threads; i++) {
        pelab_bench_row row = {"train_step", cfg->threads[i], med[i], flops / med[i] * 1e-9, tokens / med[i], NULL};
        emit(ctx, &row, NULL);
    }
    if (reps < cfg->repeats) emit_note(emit, ctx, "train_step: %d repetition(s) (slow)", reps);
    for (int i = 1; i < cfg->n_threads; i++)
        emit_note(emit, ctx, "speedup train_step: %d threads vs %d: %.2fx (median over %d interleaved repetitions of "
                  "time on %d / time on %d)", cfg->threads[i], cfg->threads[0], sp[i], reps, cfg->threads[0],
                  cfg->threads[i]);
    emit_note(emit, ctx, "peak memory of the training step (max RSS after its rows): %.1f MiB",
              pelab_bench_max_rss_mib());

    if (cfg->twin) {
        signal(SIGPIPE, SIG_IGN); /* a twin that dies mid-run is a note, not our end */
        for (int i = 0; i < cfg->n_threads; i++) twin_rows(cfg, &c, cfg->threads[i], flops, tokens, emit, ctx);
    }

    pelab_model_free(&c.m);
    free(c.tokens), free(c.targets);
    if (have_load && cpu_seconds(&all1, &self1)) {
        struct rusage ch; /* the twins (ended and waited for) are part of this run */
        if (getrusage(RUSAGE_CHILDREN, &ch) == 0)
            self1 += (double)ch.ru_utime.tv_sec + 1e-6 * (double)ch.ru_utime.tv_usec + (double)ch.ru_stime.tv_sec +
                     1e-6 * (double)ch.ru_stime.tv_usec;
        const double other = ((all1 - all0) - (self1 - self0)) / (omp_get_wtime() - wall0);
        emit_note(emit, ctx, "other processes kept %.2f of the %ld cores busy on average during this run%s",
                  other < 0 ? 0 : other, sysconf(_SC_NPROCESSORS_ONLN),
                  other > 0.1 ? " (noisy timings: compare ratios, or rerun)" : "");
    }
    omp_set_num_threads(saved_threads);
}
