/* pelab/run/runner.h — run a sweep: schedule cells over threads, write each
 * finished cell to DIR/results.csv at once (whole line, flushed, fsynced),
 * keep DIR/manifest.json current (replaced atomically), resume, and stop
 * cleanly on SIGINT/SIGTERM. A run may cover one shard of the sweep
 * (pelab/shard.h), and the cells may be computed by other processes (an
 * executor: MPI ranks) while this one writes the folder. */
#ifndef PELAB_RUNNER_H
#define PELAB_RUNNER_H

#include <stddef.h>

#include "pelab/base/status.h"
#include "pelab/run/job.h"

/* The runner's side of a run, handed to an executor: where rows go. */
typedef struct pelab_run_sink pelab_run_sink;

/* Put one finished cell: its rows (rlen bytes of whole lines) appended to
 * results.csv and its curve rows (clen bytes, may be 0) to curves.csv, each
 * written whole, flushed and fsynced before it returns, the curves first
 * (manifest.json's cells_done brought up to date at most once a second).
 * Returns 0, or -1 once a write has failed (the run then fails with that
 * error; later cells are dropped). Cells still arriving after a signal are
 * written. Thread-safe. */
int pelab_run_sink_put(pelab_run_sink *sink, const char *rows, size_t rlen, const char *curves, size_t clen);

/* Nonzero once SIGINT/SIGTERM arrived or a write failed: start no new cell
 * (cells in flight may finish and be put). */
int pelab_run_sink_stopping(const pelab_run_sink *sink);

/* Nonzero while the test hold is in force: start no new cell yet, but do
 * not stop either (check again shortly). The hold is a documented test-only
 * hook: with PELAB_TEST_HOLD_AFTER_ROWS=N in the environment a run starts
 * no cell once N rows were put in this attempt, until a signal arrives, so
 * a test can interrupt a sweep that is certainly still running on a machine
 * of any speed. */
int pelab_run_sink_held(const pelab_run_sink *sink);

/* Who computes the cells. The runner calls run once with the cells still to
 * do, job cells order[0..n), in the order to start them: order[0..n_small)
 * are small (run them in parallel over cells, one thread each), the rest
 * large (one at a time, kernels parallel inside). run computes each (the
 * job's run), puts each cell into the sink, waits while
 * pelab_run_sink_held and stops starting cells once pelab_run_sink_stopping
 * says so. It returns PELAB_STATUS_OK, or an error in err (the run is then
 * "failed"). */
typedef struct pelab_run_executor {
    pelab_status (*run)(void *user, pelab_run_sink *sink, const pelab_job *job, const size_t *order,
                        size_t n_small, size_t n, pelab_error *err);
    void *user;
    int threads;                /* manifest "threads" when > 0 (else this process's) */
    const char *manifest_mpi;   /* the manifest's "mpi" object (JSON), or NULL      */
} pelab_run_executor;

typedef struct pelab_run_options {
    const char *out_dir;     /* results folder (created)                          */
    int threads;             /* OpenMP threads; 0 = OpenMP's default              */
    int resume;              /* finish a folder's sweep: skip cells already there  */
    int force;               /* replace an existing results folder                */
    int quiet;               /* no progress line even on a terminal, no notes     */
    int shard_count;         /* 0: the whole sweep; N >= 1: only shard ...        */
    int shard_index;         /* ... K (0 <= K < N) of pelab_shard_assign's split  */
    const char *command;     /* how the run was started, for the lock's record    */
    const pelab_run_executor *executor; /* NULL: compute here (OpenMP threads)    */
} pelab_run_options;

/* What a run did, for the command's closing line. Counts are of the rows in
 * results.csv when the run ended (resumed rows included). */
typedef struct pelab_run_summary {
    size_t cells_total;          /* the folder's cells (a shard's own)          */
    size_t cells_done;           /* rows on disk                                */
    size_t cells_ok, cells_skipped, cells_nonfinite;
    size_t cells_this_attempt;   /* rows this run wrote                         */
    double elapsed_s;            /* this attempt                                */
    double total_elapsed_s;      /* every attempt, from the manifest           */
    int attempts;
    int already_complete;        /* --resume found every cell there: no change  */
    int signal_after_last;       /* a signal came once every cell had started   */
    char first_skip[256];        /* the first skipped row's status              */
    char first_nonfinite[256];   /* the first nonfinite row's status            */
} pelab_run_summary;

/* Run every cell of job (or of one shard) into opt->out_dir.
 * - Takes the folder's lock first (pelab/io/folder.h): a second run, resume,
 *   shard or merge into the same folder is refused (PELAB_STATUS_USAGE,
 *   naming the holder's pid) while this one runs.
 * - Refuses (PELAB_STATUS_USAGE) when DIR/results.csv exists and neither
 *   resume nor force is set, and on resume when the folder's config hash is
 *   not cfg's or its shard (manifest "shard") is not this run's. force
 *   removes the previous results and the report derived from them.
 * - resume of a folder that already holds every cell changes nothing
 *   (summary->already_complete); otherwise the manifest keeps the previous
 *   attempts (and a merge's "merged" record) and adds this one; elapsed_s
 *   is the sum over attempts.
 * - Scheduling: cells whose estimated work is small run in parallel over
 *   cells (one thread each); large cells run one at a time with their
 *   kernels parallel over rows. Results do not depend on the choice.
 * - On success results.csv is rewritten in sweep order (atomically) and the
 *   manifest says complete. The status is complete whenever every cell is
 *   on disk, even when a signal arrived during the last cells.
 * - A shard's manifest.json has "shard": {"index": K, "count": N, "rule":
 *   "lpt", "sweep_cells": total, "cells": [sweep indices it owns]}, and its
 *   cells_total counts only those; its config_hash is the config's.
 * - On SIGINT/SIGTERM: cells in flight finish, no new cell starts (the first
 *   signal says so on stderr; a second one ends the process at once),
 *   finished cells stay on disk; returns PELAB_STATUS_INTERRUPTED with how
 *   to resume, and *signal_number is set (exit code 128 + it).
 * - A write error (full disk, unwritable folder) stops the run with
 *   PELAB_STATUS_IO naming the path; rows already written stay intact and
 *   the manifest says failed with the reason (when it can be written).
 * - When no cell could run (every row skipped): PELAB_STATUS_RUN, the rows
 *   kept and the manifest failed.
 * summary (may be NULL) is filled whenever the run got as far as its
 * folder. */
pelab_status pelab_run(const pelab_job *job, const pelab_run_options *opt, int *signal_number,
                       pelab_run_summary *summary, pelab_error *err);

/* ---- MPI (src/run/runner_mpi.c; real only in a -DPELAB_MPI=ON build) ----------
 *
 * `mpirun -np R pelab run CONFIG`: rank 0 only coordinates — it hands out
 * cells (in the runner's order: small ones first, in batches of up to a few
 * per worker thread; large ones one at a time), receives finished rows and
 * writes the one results folder exactly as a single-process run does. Ranks
 * 1..R-1 compute, each with its own OpenMP threads. With R = 1 (or when the
 * process was not started by an MPI launcher) it is the normal run. */

/* 1 when this binary was built with MPI. */
int pelab_mpi_built(void);

/* Initialise MPI when the process was started by an MPI launcher (mpirun,
 * mpiexec, srun with PMI/PMIx), else do nothing. *rank and *size are 0 and 1
 * without MPI. */
void pelab_mpi_start(int *rank, int *size);

/* A rank > 0: report to rank 0 (job NULL: the config could not be loaded
 * here), then compute the cells it hands out with threads OpenMP threads
 * (0: OpenMP's default) and send back their rows and curves, until it says
 * stop. */
pelab_status pelab_mpi_serve(const pelab_job *job, int threads, pelab_error *err);

/* Rank 0: wait for every other rank's report, check that all loaded the
 * same config (hash), and fill *ex with the executor that hands cells out
 * to them. An error names the rank. */
pelab_status pelab_mpi_executor(pelab_run_executor *ex, const pelab_job *job, pelab_error *err);

/* Rank 0: tell every rank still waiting to stop (after collecting what it
 * still sends). Safe to call more than once, and before pelab_mpi_executor. */
void pelab_mpi_release(void);

/* MPI_Finalize, when pelab_mpi_start initialised MPI. Rank 0 must have
 * called pelab_mpi_release unless every rank stopped before talking (a bad
 * command line, which every rank sees alike). */
void pelab_mpi_finish(void);

#endif /* PELAB_RUNNER_H */
