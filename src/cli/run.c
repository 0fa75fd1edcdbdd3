/* cli_run.c — `pelab run` and `pelab validate` */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelab/lab/config.h"
#include "pelab/run/runner.h"
#include "pelab/run/shard.h"

const char pelab_cli_run_help[] =
    "usage: pelab run CONFIG [--out DIR] [--threads N] [--resume] [--force] [--quiet]\n"
    "                        [--shard K/N | --no-shard]\n"
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
    "                 another config (or another shard). On a folder without\n"
    "                 results it just runs.\n"
    "  --force        replace DIR's results instead of refusing\n"
    "  --quiet        no progress line (it is shown only on a terminal anyway)\n"
    "  --shard K/N    run only shard K of N (K from 0 to N-1); DIR defaults to\n"
    "                 results/NAME/shard-K-of-N. Merge the N folders with\n"
    "                 pelab merge. Cells go to shards by estimated cost: largest\n"
    "                 first (ties in sweep order), each to the shard with the\n"
    "                 least cost so far (ties to the lowest K); the split depends\n"
    "                 only on the config. A shard may get no cell.\n"
    "  --no-shard     run the whole sweep even inside a Slurm job array\n"
    "\n"
    "Without --shard, inside a Slurm job array (SLURM_ARRAY_TASK_ID and\n"
    "SLURM_ARRAY_TASK_COUNT set) the task runs shard K = (TASK_ID - TASK_MIN) /\n"
    "TASK_STEP of N = TASK_COUNT (MIN 0, STEP 1 when unset), and says so.\n"
    "\n"
    "Under MPI (a -DPELAB_MPI=ON build started by mpirun or srun with R > 1\n"
    "ranks) rank 0 hands cells out to ranks 1..R-1, which compute them with\n"
    "their own OpenMP threads, and writes the one results folder itself.\n"
    "\n"
    "Numbers depend only on the config and its seed: not on --threads, the\n"
    "order cells run in, a resume, a shard split or the number of ranks.\n";

const char pelab_cli_validate_help[] =
    "usage: pelab validate CONFIG\n"
    "\n"
    "Loads and checks CONFIG without running anything. Prints the number of\n"
    "cells and exits 0 when valid; prints FILE:LINE:COLUMN: message and exits 2\n"
    "when not.\n";

/* Usage errors: printed by rank 0 only (every rank sees the same argv). */
#define RUN_USAGE(...) (rank == 0 ? pelab_cli_usage_error(__VA_ARGS__) : 2)

static int run_command(int argc, char **argv, int rank, int size) {
    const char *config = NULL, *out = NULL;
    pelab_run_options opt = {0};
    int no_shard = 0, shard_given = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            long t = 0;
            if (!pelab_cli_parse_int(argv[++i], 1, 4096, &t))
                return RUN_USAGE("--threads wants a whole number from 1 to 4096, not '%s'", argv[i]);
            opt.threads = (int)t;
        } else if (strcmp(argv[i], "--shard") == 0 && i + 1 < argc) {
            if (!pelab_shard_parse(argv[++i], &opt.shard_index, &opt.shard_count))
                return RUN_USAGE("--shard wants K/N with 0 <= K < N <= %d (K counts from 0), not '%s'",
                                 PELAB_SHARD_MAX, argv[i]);
            shard_given = 1;
        } else if (strcmp(argv[i], "--no-shard") == 0)
            no_shard = 1;
        else if (strcmp(argv[i], "--resume") == 0)
            opt.resume = 1;
        else if (strcmp(argv[i], "--force") == 0)
            opt.force = 1;
        else if (strcmp(argv[i], "--quiet") == 0)
            opt.quiet = 1;
        else if (argv[i][0] == '-')
            return RUN_USAGE("run: unknown or incomplete option '%s'", argv[i]);
        else if (!config)
            config = argv[i];
        else
            return RUN_USAGE("run: one CONFIG only ('%s' is extra)", argv[i]);
    }
    if (!config) return RUN_USAGE("run: which CONFIG?");
    if (shard_given && no_shard) return RUN_USAGE("run: --shard and --no-shard contradict each other");
    pelab_config cfg;
    pelab_error err;

    if (rank > 0) { /* an MPI worker: compute what rank 0 hands out */
        int loaded = pelab_config_load(&cfg, config, &err) == PELAB_STATUS_OK;
        if (!loaded) fprintf(stderr, "pelab: MPI rank %d: %s\n", rank, err.msg);
        pelab_error serr;
        pelab_status s = pelab_mpi_serve(loaded ? &cfg : NULL, opt.threads, &serr);
        pelab_config_free(&cfg);
        if (!loaded) return pelab_status_exit_code(err.status);
        return s ? pelab_cli_fail(&serr) : 0;
    }

    int code = 0;
    if (pelab_config_load(&cfg, config, &err)) {
        code = pelab_cli_fail(&err);
        goto out;
    }
    if (!shard_given && !no_shard) {
        char why[512];
        int got = pelab_shard_from_slurm(&opt.shard_index, &opt.shard_count, getenv("SLURM_ARRAY_TASK_ID"),
                                         getenv("SLURM_ARRAY_TASK_COUNT"), getenv("SLURM_ARRAY_TASK_MIN"),
                                         getenv("SLURM_ARRAY_TASK_STEP"), why, sizeof why);
        if (got < 0) {
            code = pelab_cli_usage_error("run: %s (or --no-shard to run the whole sweep)", why);
            goto out;
        }
        if (got > 0 && !opt.quiet)
            fprintf(stderr, "pelab: Slurm job array (SLURM_ARRAY_TASK_ID=%s, SLURM_ARRAY_TASK_COUNT=%s): running "
                            "shard %d/%d (pass --no-shard to run the whole sweep)\n",
                    getenv("SLURM_ARRAY_TASK_ID"), getenv("SLURM_ARRAY_TASK_COUNT"), opt.shard_index,
                    opt.shard_count);
    }
    char dir[4096];
    if (!out) {
        if (opt.shard_count > 0)
            snprintf(dir, sizeof dir, "results/%s/shard-%d-of-%d", cfg.name, opt.shard_index, opt.shard_count);
        else
            snprintf(dir, sizeof dir, "results/%s", cfg.name);
        out = dir;
    }
    opt.out_dir = out;
    pelab_run_executor ex;
    if (size > 1) {
        if (pelab_mpi_executor(&ex, &cfg, &err)) {
            code = pelab_cli_fail(&err);
            goto out;
        }
        opt.executor = &ex;
    }
    int sig = 0;
    pelab_status s = pelab_run(&cfg, &opt, &sig, &err);
    pelab_mpi_release();
    if (s == PELAB_STATUS_INTERRUPTED) {
        fprintf(stderr, "pelab: %s\n", err.msg);
        code = 128 + sig;
    } else if (s) {
        code = pelab_cli_fail(&err);
    } else if (!opt.quiet) {
        printf("pelab: wrote %s/results.csv and %s/manifest.json\n", out, out);
    }
out:
    pelab_mpi_release(); /* rank 0: let every worker go, whatever happened */
    pelab_config_free(&cfg);
    return code;
}

int pelab_cli_run(int argc, char **argv) {
    int rank = 0, size = 1;
    pelab_mpi_start(&rank, &size);
    int code = run_command(argc, argv, rank, size);
    fflush(stdout);
    pelab_mpi_finish();
    return code;
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

