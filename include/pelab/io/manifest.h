/* pelab/io/manifest.h — manifest.json, the record of a results folder: one
 * writer, one reader, one struct.
 *
 * Every command that writes a results folder (run, resume, a shard, merge,
 * MPI) fills a pelab_manifest and calls pelab_manifest_write; every command
 * that reads one (resume, merge, check, report) calls pelab_manifest_read.
 * The file (members in this order, two-space indent; optional ones only
 * when present):
 *   pelab_version, config_path, config_hash ("%016x"), status (running |
 *   complete | interrupted | failed), error (why it failed; failed only),
 *   threads, cells_total, cells_done, started, finished (null while
 *   running), elapsed_s (the sum over attempts), attempts [{started,
 *   finished, elapsed_s, cells, threads, status}], shard {index, count,
 *   rule, sweep_cells, cells [...]}, mpi {...}, merged_at, merged [{dir,
 *   shard, cells, threads, started, finished, elapsed_s}], config {...}.
 * Times are UTC, ISO 8601 ("2026-12-01T21:14:19Z"). */
#ifndef PELAB_IO_MANIFEST_H
#define PELAB_IO_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"

typedef enum pelab_manifest_status {
    PELAB_MANIFEST_STATUS_RUNNING = 0,
    PELAB_MANIFEST_STATUS_COMPLETE,
    PELAB_MANIFEST_STATUS_INTERRUPTED,
    PELAB_MANIFEST_STATUS_FAILED,
    PELAB_MANIFEST_STATUS_COUNT
} pelab_manifest_status;

/* "running", "complete", "interrupted", "failed". */
const char *pelab_manifest_status_str(pelab_manifest_status s);

#define PELAB_MANIFEST_TIME_MAX 32

/* One run of pelab on the folder: the first, and each --resume. */
typedef struct pelab_manifest_attempt {
    char started[PELAB_MANIFEST_TIME_MAX];
    char finished[PELAB_MANIFEST_TIME_MAX]; /* "" while it runs          */
    double elapsed_s;
    long long cells;                        /* cells it wrote             */
    int threads;
    pelab_manifest_status status;
} pelab_manifest_attempt;

/* One shard folder a merge took its rows from. */
typedef struct pelab_manifest_merged {
    char *dir;
    int has_shard, shard_index, shard_count;
    long long cells;
    int threads;
    char started[PELAB_MANIFEST_TIME_MAX], finished[PELAB_MANIFEST_TIME_MAX];
    double elapsed_s;
} pelab_manifest_merged;

typedef struct pelab_manifest {
    char version[32];
    char *config_path;
    uint64_t config_hash;
    pelab_manifest_status status;
    char *error;                /* failed: the reason; else NULL            */
    int threads;
    long long cells_total, cells_done;
    char started[PELAB_MANIFEST_TIME_MAX];
    char finished[PELAB_MANIFEST_TIME_MAX]; /* "" = null (running)         */
    double elapsed_s;
    size_t n_attempts;
    pelab_manifest_attempt *attempts;
    /* a shard of the sweep (pelab/run/shard.h) */
    int has_shard, shard_index, shard_count;
    char shard_rule[16];
    long long shard_sweep_cells;
    size_t n_shard_cells;
    long long *shard_cells;     /* sweep indices the shard owns             */
    char *mpi_json;             /* the "mpi" member's JSON text, or NULL    */
    char merged_at[PELAB_MANIFEST_TIME_MAX]; /* "" unless merged            */
    size_t n_merged;
    pelab_manifest_merged *merged;
    char *config_json;          /* the resolved config's canonical JSON     */
} pelab_manifest;

/* The current UTC time as ISO 8601 into buf (PELAB_MANIFEST_TIME_MAX). */
void pelab_manifest_now(char *buf);

/* m as manifest.json text (malloc'ed, NUL-terminated; the caller frees). */
char *pelab_manifest_format(const pelab_manifest *m);

/* Write m to path atomically (pelab_write_file_atomic): a reader sees the
 * previous manifest or this one. IO error naming the path. */
pelab_status pelab_manifest_write(const char *path, const pelab_manifest *m, pelab_error *err);

/* Read the manifest at path into *m (free with pelab_manifest_free). IO
 * error when it cannot be read; RUN ("PATH: not a manifest pelab writes:
 * WHAT") when a required member is missing or has the wrong type. Members
 * this version does not know are ignored; a manifest of an older pelab
 * without attempts reads as one attempt made of its top-level times. */
pelab_status pelab_manifest_read(pelab_manifest *m, const char *path, pelab_error *err);

/* Parse manifest text (display names it in messages). */
pelab_status pelab_manifest_parse(pelab_manifest *m, const char *text, size_t len, const char *display,
                                  pelab_error *err);

/* Append an attempt (copied) to m. */
void pelab_manifest_add_attempt(pelab_manifest *m, const pelab_manifest_attempt *a);

/* Release what m owns and zero it. */
void pelab_manifest_free(pelab_manifest *m);

/* The folder's manifest status without parsing the rest: 1 with *status
 * when DIR/manifest.json can be read, 0 otherwise. */
int pelab_manifest_status_of(const char *dir, pelab_manifest_status *status);

#endif /* PELAB_IO_MANIFEST_H */
