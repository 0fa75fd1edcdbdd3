/* fileio.c — see pelab/base/fileio.h */
#include "pelab/base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pelab/base/mem.h"

pelab_status pelab_mkdir_p(const char *dir, pelab_error *err) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST)
                return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot create folder: %s", path, strerror(errno));
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
                return pelab_error_set(err, PELAB_STATUS_IO, "%s: exists and is not a folder", path);
            *p = c;
            if (c == '\0') break;
        }
    }
    return PELAB_STATUS_OK;
}

const char *pelab_path_dir(char *buf, size_t cap, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(buf, cap, ".");
    else if (slash == path) snprintf(buf, cap, "/");
    else snprintf(buf, cap, "%.*s", (int)(slash - path), path);
    return buf;
}

pelab_status pelab_write_file_atomic(const char *path, const char *data, size_t len, pelab_error *err) {
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            unlink(tmp);
            return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", tmp, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", tmp, strerror(e));
    }
    if (close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot replace: %s", path, strerror(e));
    }
    /* make the rename itself durable */
    char dir[4200];
    int dfd = open(pelab_path_dir(dir, sizeof dir, path), O_RDONLY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return PELAB_STATUS_OK;
}

pelab_status pelab_read_file(char **data, size_t *len, const char *path, pelab_error *err) {
    return pelab_read_file_max(data, len, path, SIZE_MAX, err);
}

pelab_status pelab_read_file_max(char **data, size_t *len, const char *path, size_t max, pelab_error *err) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot read: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot read: %s", path, strerror(EISDIR));
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = pelab_xmalloc(cap);
    for (;;) {
        if (n > max) {
            free(buf);
            fclose(fp);
            return pelab_error_set(err, PELAB_STATUS_RUN, "%s: file is larger than %zu bytes", path, max);
        }
        if (n + 1 >= cap) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(fp);
                return pelab_error_set(err, PELAB_STATUS_NOMEM, "%s: out of memory reading", path);
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, fp);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(fp);
    int e = errno;
    fclose(fp);
    if (bad) {
        free(buf);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot read: %s", path, strerror(e));
    }
    buf[n] = '\0';
    *data = buf;
    if (len) *len = n;
    return PELAB_STATUS_OK;
}
