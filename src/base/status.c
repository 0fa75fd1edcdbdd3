/* status.c — see pelab/base/status.h */
#include "pelab/base/status.h"

#include <stdarg.h>
#include <stdio.h>
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
