/* cli_run.c — `pelab run` and `pelab validate` */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelab/lab/config.h"
#include "pelab/run/runner.h"
#include "pelab/base/mem.h"
#include "pelab/lab/cell.h"
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
    "order cells run in, a resume, a shard split or the number of ranks.\n"
    "\n"
    "One run at a time writes a folder: a second run, resume, shard or merge\n"
    "into it is refused (exit 2, naming the first one's pid). Every option\n"
    "takes its value as --opt VALUE or --opt=VALUE.\n"
    "\n"
    "Exit status: 0 every cell is on disk; 1 the run failed (a write error,\n"
    "or no cell could run); 2 bad usage or config, or the folder is in use;\n"
    "130/143 interrupted by SIGINT/SIGTERM (the message says how to resume).\n";

const char pelab_cli_validate_help[] =
    "usage: pelab validate CONFIG\n"
    "\n"
    "Loads and checks CONFIG without running anything. When it is valid, prints\n"
    "the number of cells and the config hash, the sweep's estimated cost (the\n"
    "cost model shards use, in floating-point operations, and in seconds on\n"
    "this machine from a 30 ms calibration: an estimate, not a promise) and\n"
    "how many cells will be skipped, and why; exits 0. When not, prints\n"
    "FILE:LINE:COLUMN: message and exits 2.\n";

/* Usage errors: printed by rank 0 only (every rank sees the same argv). */
#define RUN_USAGE(...) (rank == 0 ? pelab_cli_usage_error(__VA_ARGS__) : 2)

/* The closing line of a run. */
static void print_summary(const pelab_run_summary *sum, const char *out) {
    char ran[256] = "";
    if (sum->already_complete) {
        printf("pelab: %s is already complete (%zu cells, %d attempt%s, %.1f s): nothing to do\n", out,
               sum->cells_done, sum->attempts, sum->attempts == 1 ? "" : "s", sum->total_elapsed_s);
        return;
    }
    if (sum->cells_this_attempt < sum->cells_done)
        snprintf(ran, sizeof ran, " (%zu this run, %zu from before)", sum->cells_this_attempt,
                 sum->cells_done - sum->cells_this_attempt);
    printf("pelab: %zu cells%s: %zu ok, %zu skipped, %zu nonfinite; %.1f s", sum->cells_done, ran, sum->cells_ok,
           sum->cells_skipped, sum->cells_nonfinite, sum->elapsed_s);
    if (sum->attempts > 1) printf(" (%.1f s over %d attempts)", sum->total_elapsed_s, sum->attempts);
    printf("; results in %s/results.csv\n", out);
    if (sum->cells_skipped) printf("pelab: skipped, the first: %s\n", sum->first_skip);
    if (sum->cells_nonfinite) printf("pelab: nonfinite, the first: %s\n", sum->first_nonfinite);
    if (sum->signal_after_last)
        printf("pelab: a signal came while the last cells ran; they finished, so the sweep is complete\n");
}

/* "pelab run ARGS..." for the lock's record. */
static void command_line(char *buf, size_t cap, int argc, char **argv) {
    size_t o = (size_t)snprintf(buf, cap, "pelab run");
    for (int i = 0; i < argc && o + 2 < cap; i++) o += (size_t)snprintf(buf + o, cap - o, " %s", argv[i]);
}

/* Warn when asked for more threads than the machine has. */
static void warn_threads(long threads) {
    int cores = omp_get_num_procs();
    if (threads > cores)
        fprintf(stderr, "pelab: warning: --threads %ld is more than the %d core%s here: the threads will take "
                        "turns, which is slower, not faster\n",
                threads, cores, cores == 1 ? "" : "s");
}

enum { O_OUT, O_THREADS, O_SHARD, O_NO_SHARD, O_RESUME, O_FORCE, O_QUIET, O_COUNT };

static int run_command(int argc, char **argv, int rank, int size) {
    pelab_cli_opt opts[O_COUNT] = {
        [O_OUT] = {"--out", 1, NULL},         [O_THREADS] = {"--threads", 1, NULL}, [O_SHARD] = {"--shard", 1, NULL},
        [O_NO_SHARD] = {"--no-shard", 0, NULL}, [O_RESUME] = {"--resume", 0, NULL}, [O_FORCE] = {"--force", 0, NULL},
        [O_QUIET] = {"--quiet", 0, NULL},
    };
    const char *pos[1];
    int n_pos = 0;
    pelab_cli_silence(rank > 0); /* the same argv as rank 0, which prints any problem */
    if (pelab_cli_parse("run", argc, argv, opts, O_COUNT, pos, 1, &n_pos)) return 2;
    const char *config = n_pos ? pos[0] : NULL, *out = opts[O_OUT].value;
    pelab_run_options opt = {0};
    opt.resume = opts[O_RESUME].value != NULL;
    opt.force = opts[O_FORCE].value != NULL;
    opt.quiet = opts[O_QUIET].value != NULL;
    int no_shard = opts[O_NO_SHARD].value != NULL, shard_given = opts[O_SHARD].value != NULL;
    if (opts[O_THREADS].value) {
        long t = 0;
        if (!pelab_cli_parse_int(opts[O_THREADS].value, 1, 4096, &t))
            return RUN_USAGE("run: --threads wants a whole number from 1 to 4096, not '%s'", opts[O_THREADS].value);
        opt.threads = (int)t;
        if (rank == 0) warn_threads(t);
    }
    if (shard_given && !pelab_shard_parse(opts[O_SHARD].value, &opt.shard_index, &opt.shard_count))
        return RUN_USAGE("run: --shard wants K/N with 0 <= K < N <= %d (K counts from 0), not '%s'", PELAB_SHARD_MAX,
                         opts[O_SHARD].value);
    if (!config) return RUN_USAGE("run: which CONFIG?");
    if (shard_given && no_shard) return RUN_USAGE("run: --shard and --no-shard contradict each other");
    if (opt.resume && opt.force) return RUN_USAGE("run: --resume and --force contradict each other");
    pelab_job job;
    pelab_error err;
    memset(&job, 0, sizeof job);

    if (rank > 0) { /* an MPI worker: compute what rank 0 hands out */
        int loaded = pelab_job_load(&job, config, &err) == PELAB_STATUS_OK;
        if (!loaded) fprintf(stderr, "pelab: MPI rank %d: %s\n", rank, err.msg);
        char wdir[4096];
        if (loaded) { /* trained models are saved where rank 0 writes (a shared file system) */
            if (!out) snprintf(wdir, sizeof wdir, "results/%s", job.name);
            job.out_dir = out ? out : wdir;
        }
        pelab_error serr;
        pelab_status s = pelab_mpi_serve(loaded ? &job : NULL, opt.threads, &serr);
        pelab_job_free(&job);
        if (!loaded) return pelab_status_exit_code(err.status);
        return s ? pelab_cli_fail(&serr) : 0;
    }

    int code = 0;
    if (pelab_cell_bytes_limit_check(&err) || pelab_job_load(&job, config, &err)) {
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
    char dir[4096], cmdline[1024];
    if (!out) {
        if (opt.shard_count > 0)
            snprintf(dir, sizeof dir, "results/%s/shard-%d-of-%d", job.name, opt.shard_index, opt.shard_count);
        else
            snprintf(dir, sizeof dir, "results/%s", job.name);
        out = dir;
    }
    opt.out_dir = out;
    job.out_dir = out;
    command_line(cmdline, sizeof cmdline, argc, argv);
    opt.command = cmdline;
    pelab_run_executor ex;
    if (size > 1) {
        if (pelab_mpi_executor(&ex, &job, &err)) {
            code = pelab_cli_fail(&err);
            goto out;
        }
        opt.executor = &ex;
    }
    int sig = 0;
    pelab_run_summary sum;
    pelab_status s = pelab_run(&job, &opt, &sig, &sum, &err);
    pelab_mpi_release();
    if (s == PELAB_STATUS_INTERRUPTED) {
        fprintf(stderr, "pelab: %s\n", err.msg);
        code = 128 + sig;
    } else if (s) {
        code = pelab_cli_fail(&err);
    } else if (!opt.quiet) {
        print_summary(&sum, out);
    }
out:
    pelab_mpi_release(); /* rank 0: let every worker go, whatever happened */
    pelab_job_free(&job);
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

/* Cells that will be skipped, grouped by reason (the first few). */
typedef struct skip_group {
    char why[200];
    size_t count;
} skip_group;

int pelab_cli_validate(int argc, char **argv) {
    const char *pos[1];
    int n_pos = 0;
    if (pelab_cli_parse("validate", argc, argv, NULL, 0, pos, 1, &n_pos)) return 2;
    if (n_pos != 1) return pelab_cli_usage_error("validate takes one CONFIG");
    pelab_job job;
    pelab_error err;
    if (pelab_cell_bytes_limit_check(&err) || pelab_job_load(&job, pos[0], &err)) return pelab_cli_fail(&err);
    printf("%s: valid: %zu cells, config hash %016llx\n", pos[0], job.n_cells, (unsigned long long)job.hash);
    enum { MAX_GROUPS = 6 };
    skip_group groups[MAX_GROUPS];
    memset(groups, 0, sizeof groups);
    int n_groups = 0;
    size_t skipped = 0, other = 0;
    double flops = 0, secs = 0;
    if (job.ops->calibrate) job.ops->calibrate(&job);
    for (size_t i = 0; i < job.n_cells; i++) {
        char why[200];
        if (!job.ops->check(&job, i, why, sizeof why)) {
            flops += job.ops->flops(&job, i);
            secs += job.ops->seconds(&job, i);
            continue;
        }
        skipped++;
        int g = 0;
        while (g < n_groups && strcmp(groups[g].why, why) != 0) g++;
        if (g == n_groups && n_groups < MAX_GROUPS) {
            snprintf(groups[g].why, sizeof groups[g].why, "%s", why);
            groups[g].count = 0;
            n_groups++;
        }
        if (g < n_groups) groups[g].count++;
        else other++;
    }
    int threads = omp_get_max_threads();
    secs /= threads;
    printf("  estimated cost: %.3g floating-point operations, about %.2g s on this machine with %d thread%s "
           "(from a short calibration: an estimate)\n",
           flops, secs, threads, threads == 1 ? "" : "s");
    if (!skipped) {
        printf("  every cell can run\n");
    } else {
        printf("  %zu of %zu cells will be skipped (a row with status skipped: REASON):\n", skipped, job.n_cells);
        for (int g = 0; g < n_groups; g++) printf("    %zu x %s\n", groups[g].count, groups[g].why);
        if (other) printf("    %zu x for other reasons\n", other);
        if (skipped == job.n_cells) printf("  no cell can run: pelab run would fail (exit 1)\n");
    }
    pelab_job_free(&job);
    return 0;
}
