/* pelab/run/job.h — a sweep of any kind, as the run layer sees it: a list
 * of cells, each with its identity, cost and rows. The probe's sweeps
 * (lab/) and training sweeps (train/) are two kinds of job; the runner,
 * shards, merge and MPI serve both through this interface alone.
 *
 * A cell writes one or more rows of results.csv (a training cell one per
 * evaluation length) and, for kinds that have them, rows of curves.csv.
 * Every row starts with the cell's key: its first n_key comma-separated
 * fields, the same for all the cell's rows (the rows of one cell differ in
 * the n_id - n_key identity fields after it: eval_len). Then, for every
 * kind: width, trials, status. Curve rows start with the same key. A cell
 * is on disk when all its rows are; resume drops the rows (and curves) of a
 * cell only partly there and runs it again. */
#ifndef PELAB_RUN_JOB_H
#define PELAB_RUN_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"
#include "pelab/base/strbuf.h"
#include "pelab/lab/config.h"

typedef struct pelab_job pelab_job;

typedef struct pelab_job_ops {
    /* The cell's key fields, comma-separated, no newline (what its rows
     * start with). Returns the length, or -1 when buf is too small. */
    int (*key)(const pelab_job *job, size_t cell, char *buf, size_t cap);
    /* "scheme=rope seq_len=8 ..." for messages. Returns the length. */
    int (*describe)(const pelab_job *job, size_t cell, char *buf, size_t cap);
    /* Estimated floating-point work (the cost model shards and the progress
     * line use), and estimated seconds on one thread of this machine. */
    double (*flops)(const pelab_job *job, size_t cell);
    double (*seconds)(const pelab_job *job, size_t cell);
    /* 0 when the cell can run; 1 with the reason (its rows are then
     * "skipped: REASON"). */
    int (*check)(const pelab_job *job, size_t cell, char *why, size_t cap);
    /* How many rows of results.csv the cell writes. */
    int (*rows)(const pelab_job *job, size_t cell);
    /* Compute the cell: append its rows (each ending in '\n') to rows and
     * its curve rows to curves. Deterministic: a function of the config and
     * the cell alone. Thread-safe; uses OpenMP inside (serially when called
     * in a parallel region). */
    void (*run)(const pelab_job *job, size_t cell, pelab_strbuf *rows, pelab_strbuf *curves);
    /* 1 when the cell is small enough to run on one thread beside others
     * (parallel over cells) rather than alone with its kernels parallel
     * inside; optional (NULL: estimated work below a fixed threshold). */
    int (*small)(const pelab_job *job, size_t cell);
    /* Calibrate `seconds` (a few tens of ms); optional (NULL). */
    void (*calibrate)(const pelab_job *job);
    void (*free)(pelab_job *job);
} pelab_job_ops;

struct pelab_job {
    const pelab_job_ops *ops;
    void *impl;                /* the kind's own state                         */
    const char *kind;          /* "probe" or "train"                           */
    const char *path;          /* the config's path                            */
    const char *name;          /* the config's name (results/NAME)             */
    const char *resolved_json; /* its canonical JSON (the manifest's config)   */
    uint64_t hash;             /* its config hash                              */
    int trials;
    size_t n_cells;            /* in sweep order: cell i is the i-th           */
    int n_key;                 /* key fields at the start of every row         */
    int n_id;                  /* identity fields (n_key, then per-row ones)   */
    const char *header;        /* results.csv's header line, with '\n'         */
    const char *curves_header; /* curves.csv's, or NULL when the kind has none */
    const char *out_dir;       /* the results folder, set by the command before */
                               /* running (trained models go to out_dir/models) */
};

/* Load the config at path as the job it describes: a training sweep when it
 * has a `train:` section, else a probe sweep. Errors as the configs give
 * them (PELAB_STATUS_CONFIG, located). Free with pelab_job_free. */
pelab_status pelab_job_load(pelab_job *job, const char *path, pelab_error *err);

/* The probe job of an already loaded config (it must outlive the job). */
pelab_status pelab_job_probe(pelab_job *job, const pelab_config *cfg, pelab_error *err);

void pelab_job_free(pelab_job *job);

#endif /* PELAB_RUN_JOB_H */
