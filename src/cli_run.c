/* cli_run.c — `pelab run` and `pelab validate` */
#include <stdio.h>
#include <string.h>

#include "pelab/cli.h"
#include "pelab/config.h"
#include "pelab/runner.h"

const char pelab_cli_run_help[] =
    "usage: pelab run CONFIG [--out DIR] [--threads N] [--resume] [--force] [--quiet]\n"
    "\n"
    "Runs every cell of CONFIG's sweep and writes DIR/results.csv (one row per\n"
    "cell, written and flushed as soon as the cell finishes, sorted into sweep\n"
    "order at the end) and DIR/manifest.json (the resolved config, its hash,\n"
    "pelab's version, threads, start and end times). DIR defaults to results/NAME.\n"
    "\n"
    "  --out DIR      results folder (created with its parents)\n"
    "  --threads N    OpenMP threads (default: OpenMP's, e.g. OMP_NUM_THREADS)\n"
    "  --resume       finish an interrupted sweep in DIR: cells already in\n"
    "                 results.csv are skipped; refused if DIR was started with\n"
    "                 another config. On a folder without results it just runs.\n"
    "  --force        replace DIR's results instead of refusing\n"
    "  --quiet        no progress line (it is shown only on a terminal anyway)\n"
    "\n"
    "Numbers depend only on the config and its seed: not on --threads, the\n"
    "order cells run in, or a resume.\n";

const char pelab_cli_validate_help[] =
    "usage: pelab validate CONFIG\n"
    "\n"
    "Loads and checks CONFIG without running anything. Prints the number of\n"
    "cells and exits 0 when valid; prints FILE:LINE:COLUMN: message and exits 2\n"
    "when not.\n";

int pelab_cli_run(int argc, char **argv) {
    const char *config = NULL, *out = NULL;
    pelab_run_options opt = {0};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            long t = 0;
            if (!pelab_cli_parse_int(argv[++i], 1, 4096, &t))
                return pelab_cli_usage_error("--threads wants a whole number from 1 to 4096, not '%s'", argv[i]);
            opt.threads = (int)t;
        } else if (strcmp(argv[i], "--resume") == 0)
            opt.resume = 1;
        else if (strcmp(argv[i], "--force") == 0)
            opt.force = 1;
        else if (strcmp(argv[i], "--quiet") == 0)
            opt.quiet = 1;
        else if (argv[i][0] == '-')
            return pelab_cli_usage_error("run: unknown or incomplete option '%s'", argv[i]);
        else if (!config)
            config = argv[i];
        else
            return pelab_cli_usage_error("run: one CONFIG only ('%s' is extra)", argv[i]);
    }
    if (!config) return pelab_cli_usage_error("run: which CONFIG?");
    pelab_config cfg;
    pelab_error err;
    if (pelab_config_load(&cfg, config, &err)) return pelab_cli_fail(&err);
    char dir[4096];
    if (!out) {
        snprintf(dir, sizeof dir, "results/%s", cfg.name);
        out = dir;
    }
    opt.out_dir = out;
    int sig = 0;
    pelab_status s = pelab_run(&cfg, &opt, &sig, &err);
    pelab_config_free(&cfg);
    if (s == PELAB_STATUS_INTERRUPTED) {
        fprintf(stderr, "pelab: %s\n", err.msg);
        return 128 + sig;
    }
    if (s) return pelab_cli_fail(&err);
    if (!opt.quiet) printf("pelab: wrote %s/results.csv and %s/manifest.json\n", out, out);
    return 0;
}

int pelab_cli_validate(int argc, char **argv) {
    if (argc != 1) return pelab_cli_usage_error("validate takes one CONFIG");
    pelab_config cfg;
    pelab_error err;
    if (pelab_config_load(&cfg, argv[0], &err)) return pelab_cli_fail(&err);
    printf("%s: valid: %lld cells, config hash %016llx\n", argv[0], pelab_config_cell_count(&cfg),
           (unsigned long long)cfg.hash);
    pelab_config_free(&cfg);
    return 0;
}

