/* cli_bench.c — `pelab bench`: the attention engine timed against the machine */
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "pelab/kernels/attention.h"
#include "pelab/bench/bench.h"
#include "cli.h"

const char pelab_cli_bench_help[] =
    "usage: pelab bench [--seq-len N] [--d-model D] [--heads H] [--threads T[,T..]]\n"
    "                   [--dtype f32|f64|bf16|f16] [--backward] [--causal] [--repeat R]\n"
    "                   [--no-reference] [--no-blas] [--format table|csv]\n"
    "       pelab bench --train [--d-model D] [--layers L] [--heads H] [--batch B]\n"
    "                   [--seq-len N] [--threads T[,T..]] [--dtype f32|f64] [--causal]\n"
    "                   [--warmup W] [--repeat R] [--twin SCRIPT|PROGRAM] [--format ..]\n"
    "\n"
    "Times the fused attention engine on random inputs of n = N tokens, width D\n"
    "(H heads of D/H), on T threads (default: all), and the machine: each time\n"
    "the median of R repetitions (default 5; fewer for a kernel slower than 2 s)\n"
    "after a warm-up. Defaults: N 2048, D 64, H 1, f32.\n"
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
    "                              256 queries, a panel per thread\n"
    "  blas_attention_mt           the same as a framework runs it: per panel of\n"
    "                              rows (<= 64 MiB of scores) a gemm call on T\n"
    "                              threads (OpenBLAS's), the softmax, a gemm call\n"
    "  (each pipeline interleaved with the forward: a note gives forward vs it,\n"
    "  the median of the ratios of runs moments apart)\n"
    "(the BLAS rows only when pelab was built with OpenBLAS; OpenBLAS picks its\n"
    "kernels when it loads, from OPENBLAS_CORETYPE if set: a note says which).\n"
    "--dtype bf16|f16 (forward only): rows fma_peak, forward (f32, on the inputs\n"
    "stored in bf16|f16 and decoded) and forward_lowp (q, k, v, P in bf16|f16,\n"
    "float32 arithmetic), bf16 also forward_lowp_dot, forward_lowp_amx where\n"
    "available (the engine note lists them; amx: head widths a multiple of\n"
    "32), interleaved; notes: their ratios, fraction of fma_peak and error vs\n"
    "exact float64 attention (up to 256 query rows).\n"
    "GFLOP/s by one convention: forward 4 n^2 D, forward+backward 14 n^2 D, gemm\n"
    "2 n^2 D; a causal mask counts half. csv columns:\n"
    "  kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops\n"
    "Notes (skipped rows, peak memory, the BLAS library) go to stderr with\n"
    "--format csv, below the table otherwise. Timings on a shared machine are\n"
    "noisy: compare ratios within one run.\n";

/* the --train half of the help (one string would pass C's 4095 limit) */
const char pelab_cli_bench_help_train[] =
    "\n"
    "--train times training steps of the model of pelab/train/model.h instead:\n"
    "scheme none, pre-LN, mlp_ratio 4, readout each, a fixed random batch of B\n"
    "sequences of N tokens (16-token vocabulary, 16 classes), AdamW; W untimed\n"
    "warm-up steps (default 2), then the median of R steps (each forward +\n"
    "backward + optimiser step). Defaults: D 256, L 2, H 8, B 16, N 256, f32.\n"
    "Rows: fma_peak; train_step per thread count (repetitions interleaved, and\n"
    "speedup notes); with --twin, torch_twin: the PyTorch twin of the model\n"
    "(scripts/torch_twin.py; a .py runs under $PELAB_PYTHON, else\n"
    "/usr/bin/python3 when present, else python3) on the same shape and thread\n"
    "count, its steps interleaved with pelab's, and the note \"train_step vs\n"
    "torch_twin on T threads: X.XXx\" (its time / pelab's, median of the pairs).\n"
    "No python3 or no torch: a note says the twin was skipped. Training flops:\n"
    "6 x matmul parameters x tokens (q, k, v, o: 4 D^2 and the MLP 8 D^2 per\n"
    "layer, the head 16 D) + 14 N^2 D per layer and sequence for attention (a\n"
    "causal mask halves it); embeddings, norms, GELU, loss, optimiser: none.\n"
    "csv columns with --train: the ones above, then tokens_per_s (B N / seconds;\n"
    "empty for fma_peak):\n"
    "  kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops,tokens_per_s\n";

#define BENCH_HEADER "kernel,seq_len,d_model,heads,dtype,threads,seconds,gflops"

typedef struct out_ctx {
    const pelab_bench_config *cfg;
    int csv;
} out_ctx;

static void emit(void *p, const pelab_bench_row *row, const char *note) {
    const out_ctx *o = p;
    const pelab_bench_config *c = o->cfg;
    const char *dtype = row && row->dtype ? row->dtype : c->f64 ? "f64" : "f32";
    if (note) {
        if (o->csv) fprintf(stderr, "# %s\n", note);
        else printf("# %s\n", note);
    } else if (o->csv) {
        printf("%s,%d,%d,%d,%s,%d,%.6g,%.4g", row->kernel, c->seq_len, c->d_model, c->heads, dtype, row->threads,
               row->seconds, row->gflops);
        if (c->train) {
            if (row->tokens_per_s > 0) printf(",%.6g", row->tokens_per_s);
            else printf(",");
        }
        printf("\n");
    } else {
        printf("%-28s %8d %8d %6d %6s %8d %12.6f %10.2f", row->kernel, c->seq_len, c->d_model, c->heads, dtype,
               row->threads, row->seconds, row->gflops);
        if (c->train) {
            if (row->tokens_per_s > 0) printf(" %12.0f", row->tokens_per_s);
            else printf(" %12s", "-");
        }
        printf("\n");
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
    enum { B_SEQ_LEN, B_D_MODEL, B_HEADS, B_REPEAT, B_THREADS, B_DTYPE, B_FORMAT, B_BACKWARD, B_CAUSAL,
           B_NO_REFERENCE, B_NO_BLAS, B_TRAIN, B_LAYERS, B_BATCH, B_WARMUP, B_TWIN, B_COUNT };
    pelab_cli_opt opts[B_COUNT] = {
        {"--seq-len", 1, NULL}, {"--d-model", 1, NULL},  {"--heads", 1, NULL},        {"--repeat", 1, NULL},
        {"--threads", 1, NULL}, {"--dtype", 1, NULL},    {"--format", 1, NULL},       {"--backward", 0, NULL},
        {"--causal", 0, NULL},  {"--no-reference", 0, NULL}, {"--no-blas", 0, NULL},  {"--train", 0, NULL},
        {"--layers", 1, NULL},  {"--batch", 1, NULL},    {"--warmup", 1, NULL},       {"--twin", 1, NULL},
    };
    int n_pos = 0;
    if (pelab_cli_parse("bench", argc, argv, opts, B_COUNT, NULL, 0, &n_pos)) return 2;
    cfg.train = opts[B_TRAIN].value != NULL;
    if (cfg.train) {
        cfg.seq_len = 256, cfg.d_model = 256, cfg.heads = 8, cfg.layers = 2, cfg.batch = 16, cfg.warmup = 2;
        if (opts[B_BACKWARD].value || opts[B_NO_REFERENCE].value || opts[B_NO_BLAS].value)
            return pelab_cli_usage_error("bench: --backward, --no-reference and --no-blas are for the attention "
                                         "rows, not --train");
    } else {
        const int train_only[] = {B_LAYERS, B_BATCH, B_WARMUP, B_TWIN};
        for (size_t k = 0; k < sizeof train_only / sizeof *train_only; k++)
            if (opts[train_only[k]].value)
                return pelab_cli_usage_error("bench: %s is an option of --train", opts[train_only[k]].name);
    }
    struct {
        int opt;
        int *target;
        long hi;
        long lo;
    } ints[] = {{B_SEQ_LEN, &cfg.seq_len, 1L << 24, 1}, {B_D_MODEL, &cfg.d_model, 1L << 16, 1},
                {B_HEADS, &cfg.heads, 1L << 12, 1},    {B_REPEAT, &cfg.repeats, 64, 1},
                {B_LAYERS, &cfg.layers, 1024, 1},      {B_BATCH, &cfg.batch, 1L << 20, 1},
                {B_WARMUP, &cfg.warmup, 1000, 0}};
    for (size_t k = 0; k < sizeof ints / sizeof *ints; k++) {
        const char *v = opts[ints[k].opt].value;
        long x = 0;
        if (!v) continue;
        if (!pelab_cli_parse_int(v, ints[k].lo, ints[k].hi, &x))
            return pelab_cli_usage_error("bench: %s is a whole number in [%ld, %ld], not '%s'",
                                         opts[ints[k].opt].name, ints[k].lo, ints[k].hi, v);
        *ints[k].target = (int)x;
    }
    const char *v;
    if ((v = opts[B_THREADS].value) && !parse_thread_list(v, &cfg))
        return pelab_cli_usage_error("bench: --threads is a whole number in [1, 1024] or a comma-separated "
                                     "list of up to %d of them (1,2), not '%s'",
                                     PELAB_BENCH_MAX_THREAD_COUNTS, v);
    if ((v = opts[B_DTYPE].value)) {
        if (strcmp(v, "f32") == 0) cfg.f64 = 0;
        else if (strcmp(v, "f64") == 0) cfg.f64 = 1;
        else if (strcmp(v, "bf16") == 0) cfg.lowp = 1, cfg.lowp_fmt = PELAB_LOWP_BF16;
        else if (strcmp(v, "f16") == 0) cfg.lowp = 1, cfg.lowp_fmt = PELAB_LOWP_F16;
        else return pelab_cli_usage_error("bench: --dtype is f32, f64, bf16 or f16, not '%s'", v);
        if (cfg.lowp && cfg.train)
            return pelab_cli_usage_error("bench: --train runs f32 or f64, not --dtype %s", v);
        if (cfg.lowp && opts[B_BACKWARD].value)
            return pelab_cli_usage_error("bench: --dtype %s times the forward only (no --backward)", v);
    }
    if ((v = opts[B_FORMAT].value)) {
        if (strcmp(v, "csv") == 0) csv = 1;
        else if (strcmp(v, "table") == 0) csv = 0;
        else return pelab_cli_usage_error("bench: --format is table or csv, not '%s'", v);
    }
    cfg.backward = opts[B_BACKWARD].value != NULL;
    cfg.causal = opts[B_CAUSAL].value != NULL;
    if (opts[B_NO_REFERENCE].value) cfg.reference = 0;
    if (opts[B_NO_BLAS].value) cfg.blas = 0;
    if (cfg.d_model % cfg.heads)
        return pelab_cli_usage_error("bench: --d-model %d is not a multiple of --heads %d", cfg.d_model, cfg.heads);
    if ((v = opts[B_TWIN].value)) {
        if (!*v) return pelab_cli_usage_error("bench: --twin names a script or program (scripts/torch_twin.py)");
        cfg.twin = v;
    }
    if (cfg.train && (double)cfg.batch * cfg.seq_len > (double)(1 << 30))
        return pelab_cli_usage_error("bench: --batch x --seq-len is at most 2^30 tokens");
    out_ctx o = {&cfg, csv};
    if (csv) {
        printf("%s%s\n", BENCH_HEADER, cfg.train ? ",tokens_per_s" : "");
    } else {
        printf("%-28s %8s %8s %6s %6s %8s %12s %10s", "kernel", "seq_len", "d_model", "heads", "dtype", "threads",
               "seconds", "GFLOP/s");
        printf(cfg.train ? " %12s\n" : "\n", "tokens/s");
    }
    fflush(stdout);
    if (cfg.train) {
        pelab_bench_train_run(&cfg, emit, &o);
        return 0;
    }
    char note[256], paths[64] = "";
    for (int p = 0; p < PELAB_LOWP_PATH_COUNT; p++)
        if (pelab_attention_lowp_path_available((pelab_lowp_path)p))
            snprintf(paths + strlen(paths), sizeof paths - strlen(paths), "%s%s", *paths ? ", " : "",
                     pelab_lowp_path_str((pelab_lowp_path)p));
    snprintf(note, sizeof note, "engine: fused tiled attention, %s vector path; bidirectional unless --causal; "
             "bf16 paths here: %s", pelab_attention_simd(), paths);
    emit(&o, NULL, note);
    pelab_bench_run(&cfg, emit, &o);
    return 0;
}
