/* cli_bench.c — `pelab bench`: the attention engine timed against the machine */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "pelab/kernels/attention.h"
#include "pelab/bench/bench.h"
#include "cli.h"

const char pelab_cli_bench_help[] =
    "usage: pelab bench [--seq-len N] [--d-model D] [--heads H] [--threads T[,T..]]\n"
    "                   [--dtype f32|f64] [--backward] [--causal] [--repeat R]\n"
    "                   [--no-reference] [--no-blas] [--format table|csv]\n"
    "\n"
    "Times the fused attention engine on random inputs of n = N tokens, width D\n"
    "(H heads of D/H), on T threads (default: all), and in the same run the\n"
    "machine: each time is the median of R repetitions (default 5; fewer for a\n"
    "kernel slower than 2 s) after a warm-up. Defaults: N 2048, D 64, H 1, f32.\n"
    "--threads 1,2 (a list) times every row on each count; the engine rows'\n"
    "repetitions are interleaved (1, 2, 2, 1, ..) and a note gives each count's\n"
    "speedup over the first: the median of the ratios of runs moments apart.\n"
    "Rows (column kernel):\n"
    "  fma_peak                    a register-resident FMA loop on T threads\n"
    "  forward                     the fused forward (out and lse)\n"
    "  forward_stats               the same with every row statistic (as pelab run)\n"
    "  forward_backward            forward then backward (with --backward)\n"
    "  reference_forward[_backward] the materialising reference kernels, one\n"
    "                              thread; skipped when P (H, n, n) exceeds 1 GiB\n"
    "  blas_sgemm (f64: blas_dgemm) OpenBLAS gemm at the shape n x n x D, T threads\n"
    "  blas_attention              OpenBLAS gemm + softmax + gemm per panel of\n"
    "                              256 queries, a panel per thread; timed\n"
    "                              interleaved with the forward, and a note gives\n"
    "                              forward vs blas_attention: the median of the\n"
    "                              ratios of runs moments apart\n"
    "  blas_attention_mt           the same pipeline as a framework runs it: per\n"
    "                              panel of rows (<= 64 MiB of scores), a gemm\n"
    "                              call on T threads (OpenBLAS's threading), the\n"
    "                              softmax, a gemm call; interleaved with the\n"
    "                              forward like blas_attention, with its note\n"
    "(the BLAS rows only when pelab was built with OpenBLAS; OpenBLAS picks its\n"
    "kernels when it loads, from OPENBLAS_CORETYPE if set: a note says which).\n"
    "GFLOP/s by one convention: forward 4 n^2 D, forward+backward 14 n^2 D, gemm\n"
    "2 n^2 D; a causal mask counts half. csv columns:\n"
    "  kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops\n"
    "Notes (skipped rows, peak memory after the engine rows, the BLAS library)\n"
    "go to stderr with --format csv, below the table otherwise. Nothing here is a\n"
    "test: timings on a shared machine are noisy; compare ratios within one run.\n";

typedef struct out_ctx {
    const pelab_bench_config *cfg;
    int csv;
} out_ctx;

static void emit(void *p, const pelab_bench_row *row, const char *note) {
    const out_ctx *o = p;
    const pelab_bench_config *c = o->cfg;
    if (note) {
        if (o->csv) fprintf(stderr, "# %s\n", note);
        else printf("# %s\n", note);
    } else if (o->csv) {
        printf("%s,%d,%d,%d,%s,%d,%.6g,%.4g\n", row->kernel, c->seq_len, c->d_model, c->heads, c->f64 ? "f64" : "f32",
               row->threads, row->seconds, row->gflops);
    } else {
        printf("%-28s %8d %8d %6d %6s %8d %12.6f %10.2f\n", row->kernel, c->seq_len, c->d_model, c->heads,
               c->f64 ? "f64" : "f32", row->threads, row->seconds, row->gflops);
    }
    fflush(stdout);
}

/* "T" or "T1,T2,..": up to PELAB_BENCH_MAX_THREAD_COUNTS whole numbers in
 * [1, 1024] into cfg->threads; 0 (cfg untouched) on anything else. */
static int parse_thread_list(const char *arg, pelab_bench_config *cfg) {
    int got[PELAB_BENCH_MAX_THREAD_COUNTS], cnt = 0;
    char item[32];
    const char *p = arg;
    for (;;) {
        const char *comma = strchr(p, ',');
        const size_t len = comma ? (size_t)(comma - p) : strlen(p);
        long v = 0;
        if (cnt == PELAB_BENCH_MAX_THREAD_COUNTS || len == 0 || len >= sizeof item) return 0;
        memcpy(item, p, len);
        item[len] = '\0';
        if (!pelab_cli_parse_int(item, 1, 1024, &v)) return 0;
        got[cnt++] = (int)v;
        if (!comma) break;
        p = comma + 1;
    }
    memcpy(cfg->threads, got, (size_t)cnt * sizeof *got);
    cfg->n_threads = cnt;
    return 1;
}

int pelab_cli_bench(int argc, char **argv) {
    pelab_bench_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.seq_len = 2048, cfg.d_model = 64, cfg.heads = 1;
    cfg.threads[0] = omp_get_max_threads(), cfg.n_threads = 1;
    cfg.reference = 1, cfg.blas = 1, cfg.repeats = 5;
    int csv = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        long v = 0;
        int *target = NULL;
        long lo = 1, hi = 1;
        if (strcmp(a, "--seq-len") == 0) target = &cfg.seq_len, hi = 1L << 24;
        else if (strcmp(a, "--d-model") == 0) target = &cfg.d_model, hi = 1L << 16;
        else if (strcmp(a, "--heads") == 0) target = &cfg.heads, hi = 1L << 12;
        else if (strcmp(a, "--repeat") == 0) target = &cfg.repeats, hi = 64;
        if (target) {
            if (i + 1 >= argc) return pelab_cli_usage_error("bench: %s needs a value", a);
            if (!pelab_cli_parse_int(argv[i + 1], lo, hi, &v))
                return pelab_cli_usage_error("bench: %s is a whole number in [%ld, %ld], not '%s'", a, lo, hi,
                                             argv[i + 1]);
            *target = (int)v;
            i++;
        } else if (strcmp(a, "--threads") == 0) {
            if (i + 1 >= argc) return pelab_cli_usage_error("bench: %s needs a value", a);
            if (!parse_thread_list(argv[++i], &cfg))
                return pelab_cli_usage_error("bench: --threads is a whole number in [1, 1024] or a comma-separated "
                                             "list of up to %d of them (1,2), not '%s'",
                                             PELAB_BENCH_MAX_THREAD_COUNTS, argv[i]);
        } else if (strcmp(a, "--dtype") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "f32") == 0) cfg.f64 = 0;
            else if (strcmp(argv[i], "f64") == 0) cfg.f64 = 1;
            else return pelab_cli_usage_error("bench: --dtype is f32 or f64, not '%s'", argv[i]);
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "csv") == 0) csv = 1;
            else if (strcmp(argv[i], "table") == 0) csv = 0;
            else return pelab_cli_usage_error("bench: --format is table or csv, not '%s'", argv[i]);
        } else if (strcmp(a, "--backward") == 0) {
            cfg.backward = 1;
        } else if (strcmp(a, "--causal") == 0) {
            cfg.causal = 1;
        } else if (strcmp(a, "--no-reference") == 0) {
            cfg.reference = 0;
        } else if (strcmp(a, "--no-blas") == 0) {
            cfg.blas = 0;
        } else {
            return pelab_cli_usage_error("bench: unknown or incomplete option '%s'", a);
        }
    }
    if (cfg.d_model % cfg.heads)
        return pelab_cli_usage_error("bench: --d-model %d is not a multiple of --heads %d", cfg.d_model, cfg.heads);
    out_ctx o = {&cfg, csv};
    if (csv) {
        printf("kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops\n");
    } else {
        printf("%-28s %8s %8s %6s %6s %8s %12s %10s\n", "kernel", "seq_len", "d_model", "heads", "dtype", "threads",
               "seconds", "GFLOP/s");
    }
    fflush(stdout);
    char note[160];
    snprintf(note, sizeof note, "engine: fused tiled attention, %s vector path; bidirectional unless --causal",
             pelab_attention_simd());
    emit(&o, NULL, note);
    pelab_bench_run(&cfg, emit, &o);
    return 0;
}
