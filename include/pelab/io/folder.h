/* pelab/io/folder.h — a results folder: the names of its files, the lock
 * that gives it one writer, and the clean slate of --force.
 *
 * A results folder holds results.csv and manifest.json (the run's record),
 * the derived outputs of pelab report (report.md, report.html, figures/),
 * and .pelab.lock, an empty-looking file that carries the writer's flock
 * (it stays after the run; the lock itself is released by the kernel when
 * the process ends, however it ends, so a SIGKILL never leaves a stale
 * lock). */
#ifndef PELAB_IO_FOLDER_H
#define PELAB_IO_FOLDER_H

#include <stddef.h>

#include "pelab/base/status.h"

#define PELAB_FOLDER_RESULTS "results.csv"
#define PELAB_FOLDER_MANIFEST "manifest.json"
#define PELAB_FOLDER_CURVES "curves.csv"
#define PELAB_FOLDER_LOCK ".pelab.lock"

/* The outputs pelab report derives from a folder's results: removed with
 * the results by --force, so no report outlives the rows it describes.
 * NULL-terminated. Files, or folders (a trailing '/'). */
extern const char *const pelab_folder_derived[];

/* "DIR/NAME" into buf (cap >= 4200 is always enough for pelab's paths);
 * returns buf. */
const char *pelab_folder_path(char *buf, size_t cap, const char *dir, const char *name);

typedef struct pelab_folder_lock {
    int fd; /* -1 when not held */
} pelab_folder_lock;

/* Take the exclusive lock of folder dir (which must exist) for `what` (a
 * short description such as "pelab run configs/x.yaml", recorded in the
 * lock file with this process's pid). Never waits: when another process
 * holds it, PELAB_STATUS_USAGE "DIR is in use by another pelab (pid N:
 * WHAT): wait for it to finish, or use another folder". IO error when the
 * lock file cannot be created. */
pelab_status pelab_folder_lock_take(pelab_folder_lock *lock, const char *dir, const char *what, pelab_error *err);

/* Release the lock (closing the file); safe on a lock not held. */
void pelab_folder_lock_release(pelab_folder_lock *lock);

/* Remove results.csv, curves.csv, manifest.json and the derived outputs from dir (for
 * --force: the previous run is replaced whole). Missing files are fine; IO
 * error naming the file that could not be removed. */
pelab_status pelab_folder_clear(const char *dir, pelab_error *err);

#endif /* PELAB_IO_FOLDER_H */
