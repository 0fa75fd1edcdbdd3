/* results.c — see pelab/results.h */
#include "pelab/lab/results.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Append printf output to buf at *k, keeping track of overflow. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void put(char *buf, size_t len, int *k, const char *fmt, ...) {
    if (*k < 0) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(buf + *k, (size_t)*k < len ? len - (size_t)*k : 0, fmt, ap);
    va_end(ap);
    *k = (w < 0 || (size_t)(*k + w) >= len) ? -1 : *k + w;
}

int pelab_results_header(char *buf, size_t len) {
    int k = 0;
    put(buf, len, &k, "scheme,seq_len,d_model,heads,mask,projection,dtype,sentence,width,trials,status");
    const pelab_metric_def *m = pelab_metric_defs();
    for (int i = 0; i < PELAB_METRIC_COUNT; i++) put(buf, len, &k, ",%s,%s_std", m[i].name, m[i].name);
    put(buf, len, &k, ",time_s\n");
    return k;
}

int pelab_results_identity(char *buf, size_t len, const pelab_cell *c) {
    int k = 0;
    put(buf, len, &k, "%s,%d,%d,%d,%s,%s,%s,", c->scheme->name, c->seq_len, c->d_model, c->heads,
        pelab_mask_str(c->mask), pelab_projection_str(c->projection), pelab_dtype_str(c->dtype));
    if (c->sentence >= 0) put(buf, len, &k, "%d", c->sentence);
    return k;
}

/* A number field: empty when undefined, 17 significant digits otherwise. */
static void put_number(char *buf, size_t len, int *k, int defined, double v) {
    if (!defined)
        put(buf, len, k, ",");
    else if (isnan(v))
        put(buf, len, k, ",nan");
    else if (isinf(v))
        put(buf, len, k, v > 0 ? ",inf" : ",-inf");
    else
        put(buf, len, k, ",%.17g", v);
}

int pelab_results_row(char *buf, size_t len, const pelab_cell *c, const pelab_cell_result *r) {
    int k = pelab_results_identity(buf, len, c);
    if (k < 0 || (size_t)k >= len) return -1;
    char status[sizeof r->status];
    snprintf(status, sizeof status, "%s", r->status);
    for (char *s = status; *s; s++)
        if (*s == ',' || *s == '\n' || *s == '"') *s = ';';
    put(buf, len, &k, ",%d,%d,%s", r->width, r->trials, status);
    int ran = r->trials > 0;
    for (int i = 0; i < PELAB_METRIC_COUNT; i++) {
        put_number(buf, len, &k, ran && r->defined[i], r->mean[i]);
        put_number(buf, len, &k, ran && r->defined[i], r->std[i]);
    }
    put(buf, len, &k, ",%.6f\n", r->time_s);
    return k;
}

pelab_status pelab_mkdir_p(const char *dir, pelab_error *err) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: path too long", dir);
    for (char *p = path + 1; ; p++) {
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

pelab_status pelab_write_file_atomic(const char *path, const char *data, size_t len, pelab_error *err) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
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
    if (fsync(fd) != 0 || close(fd) != 0) {
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
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = '\0'; else snprintf(dir, sizeof dir, ".");
    int dfd = open(dir, O_RDONLY);
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
    size_t cap = 1 << 16, n = 0;
    char *buf = pelab_xmalloc(cap);
    for (;;) {
        if (n > max) {
            free(buf);
            fclose(fp);
            return pelab_error_set(err, PELAB_STATUS_RUN, "%s: file too large", path);
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
    fclose(fp);
    if (bad) {
        free(buf);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    if (len) *len = n;
    return PELAB_STATUS_OK;
}

void pelab_json_escape(char *buf, size_t len, const char *s) {
    size_t k = 0;
    for (; *s && k + 7 < len; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)c;
        } else if (c < 0x20) {
            k += (size_t)snprintf(buf + k, len - k, "\\u%04x", c);
        } else {
            buf[k++] = (char)c;
        }
    }
    buf[k] = '\0';
}
