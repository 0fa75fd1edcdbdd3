/* cell.c — see pelab/lab/cell.h */
#include "pelab/lab/cell.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const g_projection_names[PELAB_PROJECTION_COUNT] = {"identity", "random"};

const char *pelab_projection_str(pelab_projection p) {
    return (unsigned)p < PELAB_PROJECTION_COUNT ? g_projection_names[p] : "unknown";
}

int pelab_cell_width(const pelab_cell *c) {
    return pelab_encoding_width(c->scheme, c->seq_len, c->d_model);
}

int pelab_cell_proj_width(const pelab_cell *c) {
    return c->projection == PELAB_PROJECTION_IDENTITY ? pelab_cell_width(c) : c->d_model;
}

double pelab_cell_bytes(const pelab_cell *c) {
    double n = c->seq_len, d = c->d_model, w = pelab_cell_width(c), D = pelab_cell_proj_width(c);
    double pw = pelab_encoding_pe_width(c->scheme, c->seq_len, c->d_model);
    double t = c->dtype == PELAB_DTYPE_F64 ? 8.0 : 4.0; /* bf16, f16: float32 buffers */
    double doubles = n * d * 2 + n * pw;              /* E, E' and PE, kept in double */
    double reals = 3 * n * w                          /* X, X', dX                    */
                   + 6 * w * D                        /* Wq, Wk, Wv and their grads   */
                   + 12 * n * D                       /* q k v out dout dq dk dv, q' k' v' out' */
                   + c->heads * (2 * n + 1)           /* lse, relative bias           */
                   + 2.0 * n * 8;                     /* per-thread score rows        */
    return doubles * 8 + reals * t + c->heads * n * 40.0 /* row stats */;
}

double pelab_cell_flops(const pelab_cell *c, int trials) {
    double n = c->seq_len, D = pelab_cell_proj_width(c), w = pelab_cell_width(c);
    double attn = (4.0 + 14.0 + 4.0) * n * n * D;    /* forward, forward+backward, permuted forward */
    if (c->mask == PELAB_MASK_CAUSAL) attn *= 0.5;
    double proj = c->projection == PELAB_PROJECTION_RANDOM ? 2.0 * 3 * 3 * n * w * D : 0.0;
    return trials * (attn + proj);
}

/* PELAB_MAX_CELL_BYTES as a number of bytes: a positive number, optionally
 * followed by K, M, G or T (powers of 1024; KiB, MiB, GiB, TiB too). 1 with
 * *out, 0 when the text is not one. */
static int parse_bytes(const char *s, double *out) {
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == s || !(v > 0) || !isfinite(v)) return 0;
    static const char *const units[] = {"", "K", "M", "G", "T"};
    static const char *const iec[] = {"", "KiB", "MiB", "GiB", "TiB"};
    for (int i = 0; i < 5; i++)
        if (strcmp(end, units[i]) == 0 || (i && strcmp(end, iec[i]) == 0)) {
            *out = v * pow(1024.0, i);
            return 1;
        }
    return 0;
}

static double machine_half_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return 4.0 * (1 << 30);
    return 0.5 * (double)pages * (double)page;
}

double pelab_cell_bytes_limit(void) {
    const char *env = getenv("PELAB_MAX_CELL_BYTES");
    double v;
    if (env && *env && parse_bytes(env, &v)) return v;
    return machine_half_memory();
}

pelab_status pelab_cell_bytes_limit_check(pelab_error *err) {
    const char *env = getenv("PELAB_MAX_CELL_BYTES");
    double v;
    if (env && !parse_bytes(env, &v))
        return pelab_error_set(err, PELAB_STATUS_USAGE,
                               "PELAB_MAX_CELL_BYTES='%.64s' is not a number of bytes (a positive number, "
                               "optionally with K, M, G or T: 512M, 2G)",
                               env);
    return PELAB_STATUS_OK;
}

int pelab_cell_check(const pelab_cell *c, char *why, size_t why_len) {
    if (pelab_encoding_check(c->scheme, c->seq_len, c->d_model, why, why_len)) return 1;
    int D = pelab_cell_proj_width(c);
    if (D % c->heads != 0) {
        snprintf(why, why_len, "heads %d do not divide width %d (identity projection)", c->heads, D);
        return 1;
    }
    if (pelab_scheme_def_get(c->scheme->id)->kind == PELAB_SCHEME_KIND_ROTATE && D / c->heads < 2) {
        snprintf(why, why_len, "%s rotates pairs of a head's dimensions: head width %d (width %d / heads %d) "
                 "has none", c->scheme->name, D / c->heads, D, c->heads);
        return 1;
    }
    double need = pelab_cell_bytes(c), limit = pelab_cell_bytes_limit();
    if (need > limit) {
        snprintf(why, why_len, "needs %.1f MiB: more than the %.1f MiB a cell may use", need / 1048576.0,
                 limit / 1048576.0);
        return 1;
    }
    return 0;
}

int pelab_cell_identity(char *buf, size_t len, const pelab_cell *c) {
    int k = snprintf(buf, len, "scheme=%s seq_len=%d d_model=%d heads=%d mask=%s projection=%s dtype=%s",
                     c->scheme->name, c->seq_len, c->d_model, c->heads, pelab_mask_str(c->mask),
                     pelab_projection_str(c->projection), pelab_dtype_str(c->dtype));
    if (c->sentence >= 0 && k >= 0 && (size_t)k < len)
        k += snprintf(buf + k, len - (size_t)k, " sentence=%d", c->sentence);
    return k;
}
