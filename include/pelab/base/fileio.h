/* pelab/base/fileio.h — files that survive crashes, and bounded reads.
 *
 * Every error names the path and the reason ("results/x/manifest.json.tmp:
 * cannot write: No space left on device"). */
#ifndef PELAB_BASE_FILEIO_H
#define PELAB_BASE_FILEIO_H

#include <stddef.h>

#include "pelab/base/status.h"

/* Create dir and its parents (like mkdir -p). IO error naming the path. */
pelab_status pelab_mkdir_p(const char *dir, pelab_error *err);

/* Replace path with data atomically: write path.tmp, fsync, rename, fsync
 * the folder. A reader sees the old file or the new one, never a mix; on
 * failure the old file is left as it was and path.tmp is removed. */
pelab_status pelab_write_file_atomic(const char *path, const char *data, size_t len, pelab_error *err);

/* Read a whole file into a NUL-terminated malloc'ed buffer (*data, freed by
 * the caller; *len its length when len is not NULL). IO error naming the
 * path when it cannot be opened or read (a folder is refused). */
pelab_status pelab_read_file(char **data, size_t *len, const char *path, pelab_error *err);

/* pelab_read_file, refusing a file of more than max bytes ("PATH: file is
 * larger than MAX bytes", status RUN) once that many are read, without
 * reading the rest. */
pelab_status pelab_read_file_max(char **data, size_t *len, const char *path, size_t max, pelab_error *err);

/* The folder part of path ("a/b" of "a/b/c.yaml", "." of "c.yaml", "/" of
 * "/c.yaml") into buf. Returns buf. */
const char *pelab_path_dir(char *buf, size_t cap, const char *path);

#endif /* PELAB_BASE_FILEIO_H */
