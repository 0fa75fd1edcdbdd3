/* cli.c — helpers shared by the commands; see pelab/cli.h */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int pelab_cli_fail(const pelab_error *err) {
    fprintf(stderr, "pelab: %s\n", err->msg);
    return pelab_status_exit_code(err->status);
}

int pelab_cli_usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pelab: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see pelab --help)\n");
    va_end(ap);
    return 2;
}

int pelab_cli_parse_int(const char *s, long lo, long hi, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!s[0] || *end || errno || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}
