/* main.c — the pelab command line. The only place that prints errors and
 * picks exit codes: 0 success, 1 the run failed, 2 bad usage or invalid
 * config, 128+N stopped by signal N. */
#include <stdio.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "cli.h"

static const char *g_usage =
    "usage: pelab COMMAND [ARGS]\n"
    "\n"
    "pelab measures how positional encodings behave in self-attention: value\n"
    "magnitudes, attention saturation, gradients and order distinguishability,\n"
    "over sweeps of sequence length, width and scheme described in YAML.\n"
    "\n"
    "commands:\n"
    "  run CONFIG [--out DIR] [--threads N] [--resume] [--force] [--quiet]\n"
    "                        run every cell of the sweep into DIR (default results/NAME)\n"
    "      [--shard K/N | --no-shard]\n"
    "                        only shard K of N (K from 0; default DIR results/NAME/shard-K-of-N;\n"
    "                        in a Slurm job array K and N come from SLURM_ARRAY_TASK_*)\n"
    "  merge OUT SHARD_DIR... [--config FILE] [--force]\n"
    "                        merge the shards of one sweep into OUT (checks every cell is there once)\n"
    "  validate CONFIG       check a config without running it\n"
    "  attend CONFIG [--format table|csv]\n"
    "                        contextual embeddings of literal sentences under every scheme\n"
    "  schemes               the encoding schemes, their formulas and parameters\n"
    "  metrics               the metric columns of results.csv\n"
    "  tasks                 the synthetic training tasks: vocabulary, classes, readout, chance\n"
    "  geometry --scheme S --d-model D [--seq-len N]\n"
    "                        position similarity curves and geometry metrics of a scheme\n"
    "  heatmap CONFIG [--scheme S] [--what attention|phi|logits] [--seq-len N] [--head H] [--out DIR]\n"
    "                        the attention weights, logits or position similarity of one cell, as CSV and PNG\n"
    "  bench [--seq-len N] [--d-model D] [--heads H] [--threads T] [--dtype f32|f64|bf16|f16] [--backward]\n"
    "                        GFLOP/s of the attention engine against the machine's peak and BLAS\n"
    "  check EXPERIMENT RESULTS\n"
    "                        check an experiment's claims against its results\n"
    "  report RESULTS [EXPERIMENT] [--no-figures]\n"
    "                        figures (gnuplot), report.md and report.html into RESULTS\n"
    "\n"
    "  pelab COMMAND --help  help for one command;  pelab --version\n"
    "exit status: 0 success, 1 the run failed, 2 bad usage or invalid config,\n"
    "             130/143 interrupted by SIGINT/SIGTERM (finished cells are kept)\n";

/* The commands: adding one is one row here and its src/cli/NAME.c. */
static const struct {
    const char *name;
    pelab_cli_fn fn;
    const char *help, *help_more; /* help_more: printed after help, or NULL */
} g_commands[] = {
    {"run", pelab_cli_run, pelab_cli_run_help, NULL},
    {"merge", pelab_cli_merge, pelab_cli_merge_help, NULL},
    {"validate", pelab_cli_validate, pelab_cli_validate_help, NULL},
    {"attend", pelab_cli_attend, pelab_cli_attend_help, NULL},
    {"schemes", pelab_cli_schemes, pelab_cli_schemes_help, NULL},
    {"metrics", pelab_cli_metrics, pelab_cli_metrics_help, NULL},
    {"tasks", pelab_cli_tasks, pelab_cli_tasks_help, NULL},
    {"bench", pelab_cli_bench, pelab_cli_bench_help, pelab_cli_bench_help_train},
    {"check", pelab_cli_check, pelab_cli_check_help, NULL},
    {"report", pelab_cli_report, pelab_cli_report_help, NULL},
    {"geometry", pelab_cli_geometry, pelab_cli_geometry_help, NULL},
    {"heatmap", pelab_cli_heatmap, pelab_cli_heatmap_help, NULL},
};

/* glibc hands blocks over its mmap threshold (128 KiB, adapting) back to
 * the system when they are freed; a sweep allocates and frees its per-cell
 * buffers thousands of times, and each time their pages fault in again (a
 * third of the default sweep's time, measured with perf). Blocks under
 * 256 MiB stay in the heap, and up to 512 MiB of freed top is kept. */
static void tune_malloc(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

int main(int argc, char **argv) {
    tune_malloc();
    if (argc < 2) {
        fputs(g_usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(g_usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("pelab %s\n", PELAB_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof g_commands / sizeof g_commands[0]; i++) {
        if (strcmp(cmd, g_commands[i].name) != 0) continue;
        for (int k = 2; k < argc; k++)
            if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
                fputs(g_commands[i].help, stdout);
                if (g_commands[i].help_more) fputs(g_commands[i].help_more, stdout);
                return 0;
            }
        return g_commands[i].fn(argc - 2, argv + 2);
    }
    return pelab_cli_usage_error("unknown command '%s'", cmd);
}
