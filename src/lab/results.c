/* results.c — see pelab/lab/results.h */
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

#include "pelab/base/numtext.h"

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
    char t[PELAB_TEXT_NUMBER_MAX];
    put(buf, len, k, ",%s", defined ? pelab_text_number(t, v) : "");
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
