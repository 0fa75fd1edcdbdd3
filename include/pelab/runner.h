/* pelab/runner.h — run a sweep: schedule cells over threads, write each
 * finished cell to DIR/results.csv at once (whole line, flushed, fsynced),
 * keep DIR/manifest.json current (replaced atomically), resume, and stop
 * cleanly on SIGINT/SIGTERM. */
#ifndef PELAB_RUNNER_H
#define PELAB_RUNNER_H

#include "pelab/config.h"
#include "pelab/status.h"

typedef struct pelab_run_options {
    const char *out_dir;     /* results folder (created)                          */
    int threads;             /* OpenMP threads; 0 = OpenMP's default              */
    int resume;              /* finish a folder's sweep: skip cells already there  */
    int force;               /* replace an existing results.csv                   */
    int quiet;               /* no progress line even on a terminal               */
} pelab_run_options;

/* Run every cell of cfg into opt->out_dir.
 * - Refuses (PELAB_STATUS_USAGE) when DIR/results.csv exists and neither
 *   resume nor force is set, and on resume when the folder's config hash is
 *   not cfg's.
 * - Scheduling: cells whose estimated work is small run in parallel over
 *   cells (one thread each); large cells run one at a time with their
 *   kernels parallel over rows. Results do not depend on the choice.
 * - On success results.csv is rewritten in sweep order (atomically).
 * - On SIGINT/SIGTERM: cells in flight finish, no new cell starts, finished
 *   cells stay on disk; returns PELAB_STATUS_INTERRUPTED with how to resume,
 *   and *signal_number is set (exit code 128 + it).
 * - A write error (full disk, unwritable folder) stops the run with
 *   PELAB_STATUS_IO naming the path; rows already written stay intact. */
pelab_status pelab_run(const pelab_config *cfg, const pelab_run_options *opt, int *signal_number,
                       pelab_error *err);

#endif /* PELAB_RUNNER_H */
