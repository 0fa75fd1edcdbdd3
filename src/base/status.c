/* status.c — see pelab/status.h */
#include "pelab/base/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const char *pelab_status_str(pelab_status s) {
    switch (s) {
    case PELAB_STATUS_OK: return "ok";
    case PELAB_STATUS_USAGE: return "usage";
    case PELAB_STATUS_CONFIG: return "config";
    case PELAB_STATUS_IO: return "io";
    case PELAB_STATUS_NOMEM: return "nomem";
    case PELAB_STATUS_RUN: return "run";
    case PELAB_STATUS_INTERRUPTED: return "interrupted";
    case PELAB_STATUS_COUNT: break;
    }
    return "unknown";
}

int pelab_status_exit_code(pelab_status s) {
    switch (s) {
    case PELAB_STATUS_OK: return 0;
    case PELAB_STATUS_USAGE:
    case PELAB_STATUS_CONFIG: return 2;
    default: return 1;
    }
}

pelab_status pelab_error_set(pelab_error *err, pelab_status s, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = s;
    }
    return s;
}

void *pelab_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "pelab: out of memory allocating %zu bytes\n", size);
        abort();
    }
    return p;
}

void *pelab_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) {
        fprintf(stderr, "pelab: out of memory allocating %zu x %zu bytes\n", count, size);
        abort();
    }
    return p;
}

/* Levenshtein distance of a and b, ASCII case-insensitive; INT_MAX when
 * either is longer than 64 bytes. */
int pelab_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    int row[65], prev[65];
    if (la > 64 || lb > 64) return INT_MAX;
    for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int ca = a[i - 1], cb = b[j - 1];
            if (ca >= 'A' && ca <= 'Z') ca += 'a' - 'A';
            if (cb >= 'A' && cb <= 'Z') cb += 'a' - 'A';
            int best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best) best = prev[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
        }
        memcpy(prev, row, (lb + 1) * sizeof *row);
    }
    return prev[lb];
}
