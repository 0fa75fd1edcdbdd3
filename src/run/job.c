/* job.c — see pelab/run/job.h: the dispatch, and the probe's kind of job */
#include "pelab/run/job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"
#include "pelab/lab/cell.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/probe.h"
#include "pelab/lab/results.h"
#include "pelab/lab/sweep.h"
#include "pelab/train/config.h"
#include "pelab/train/train.h"
#include "pelab/yaml/yaml.h"

#define ROW_MAX 16384

/* ---- the probe ------------------------------------------------------------------ */

typedef struct probe_job {
    pelab_config cfg;         /* owned when owns_cfg                          */
    const pelab_config *c;    /* the config in use                            */
    int owns_cfg;
    pelab_cell *cells;
    pelab_cell_timing timing;
    int calibrated;
    char header[ROW_MAX];
} probe_job;

static const probe_job *probe_of(const pelab_job *job) { return job->impl; }

static int probe_key(const pelab_job *job, size_t i, char *buf, size_t cap) {
    int k = pelab_results_identity(buf, cap, &probe_of(job)->cells[i]);
    return k >= 0 && (size_t)k < cap ? k : -1;
}

static int probe_describe(const pelab_job *job, size_t i, char *buf, size_t cap) {
    return pelab_cell_identity(buf, cap, &probe_of(job)->cells[i]);
}

static double probe_flops(const pelab_job *job, size_t i) {
    return pelab_cell_flops(&probe_of(job)->cells[i], job->trials);
}

static void probe_calibrate(const pelab_job *job) {
    probe_job *p = job->impl;
    if (p->calibrated) return;
    pelab_cell_timing_calibrate(&p->timing);
    p->calibrated = 1;
}

static double probe_seconds(const pelab_job *job, size_t i) {
    const probe_job *p = probe_of(job);
    if (!p->calibrated) return pelab_cell_flops(&p->cells[i], job->trials);
    return pelab_cell_seconds(&p->cells[i], job->trials, &p->timing);
}

static int probe_check(const pelab_job *job, size_t i, char *why, size_t cap) {
    return pelab_cell_check(&probe_of(job)->cells[i], why, cap);
}

static int probe_rows(const pelab_job *job, size_t i) {
    (void)job, (void)i;
    return 1;
}

static void probe_run(const pelab_job *job, size_t i, pelab_strbuf *rows, pelab_strbuf *curves) {
    (void)curves;
    const probe_job *p = probe_of(job);
    pelab_cell_result res;
    pelab_cell_run(&res, p->c, &p->cells[i]);
    char row[ROW_MAX];
    int len = pelab_results_row(row, sizeof row, &p->cells[i], &res);
    PELAB_ASSERT(len > 0);
    pelab_strbuf_put(rows, row, (size_t)len);
}

static void probe_free(pelab_job *job) {
    probe_job *p = job->impl;
    if (!p) return;
    free(p->cells);
    if (p->owns_cfg) pelab_config_free(&p->cfg);
    free(p);
}

static const pelab_job_ops g_probe_ops = {probe_key,  probe_describe, probe_flops, probe_seconds,   probe_check,
                                          probe_rows, probe_run,      NULL,        probe_calibrate, probe_free};

/* Fill job for p->c. */
static pelab_status probe_init(pelab_job *job, probe_job *p, pelab_error *err) {
    size_t n = 0;
    pelab_status s = pelab_sweep_expand(&p->cells, &n, p->c, err);
    if (s) {
        if (p->owns_cfg) pelab_config_free(&p->cfg);
        free(p);
        return s;
    }
    PELAB_ASSERT(pelab_results_header(p->header, sizeof p->header) > 0);
    memset(job, 0, sizeof *job);
    job->ops = &g_probe_ops;
    job->impl = p;
    job->kind = "probe";
    job->path = p->c->path;
    job->name = p->c->name;
    job->resolved_json = p->c->resolved_json;
    job->hash = p->c->hash;
    job->trials = p->c->trials;
    job->n_cells = n;
    job->n_key = PELAB_RESULTS_ID_COLUMNS;
    job->n_id = PELAB_RESULTS_ID_COLUMNS;
    job->header = p->header;
    job->curves_header = NULL;
    return PELAB_STATUS_OK;
}

pelab_status pelab_job_probe(pelab_job *job, const pelab_config *cfg, pelab_error *err) {
    probe_job *p = pelab_xcalloc(1, sizeof *p);
    p->c = cfg;
    return probe_init(job, p, err);
}

static pelab_status probe_load(pelab_job *job, const char *path, pelab_error *err) {
    probe_job *p = pelab_xcalloc(1, sizeof *p);
    pelab_status s = pelab_config_load(&p->cfg, path, err);
    if (s) {
        free(p);
        return s;
    }
    p->owns_cfg = 1;
    p->c = &p->cfg;
    return probe_init(job, p, err);
}

/* ---- training -------------------------------------------------------------------- */

typedef struct train_job {
    pelab_train_config cfg;
    char header[ROW_MAX], curves_header[ROW_MAX];
} train_job;

static const train_job *train_of(const pelab_job *job) { return job->impl; }

static void train_settings(pelab_train_settings *s, const pelab_job *job, size_t i) {
    pelab_train_config_cell(s, &train_of(job)->cfg, i);
}

static int train_key(const pelab_job *job, size_t i, char *buf, size_t cap) {
    pelab_train_settings s;
    train_settings(&s, job, i);
    int k = pelab_train_config_key(buf, cap, &train_of(job)->cfg, &s);
    return k >= 0 && (size_t)k < cap ? k : -1;
}

static int train_describe(const pelab_job *job, size_t i, char *buf, size_t cap) {
    pelab_train_settings s;
    train_settings(&s, job, i);
    return pelab_train_config_describe(buf, cap, &train_of(job)->cfg, &s);
}

static double train_flops(const pelab_job *job, size_t i) {
    pelab_train_settings s;
    train_settings(&s, job, i);
    return pelab_train_flops(&s, job->trials);
}

/* The progress line's estimate: training runs at about 10 GFLOP/s a thread
 * at the experiments' sizes (small matrices). */
static double train_seconds(const pelab_job *job, size_t i) { return train_flops(job, i) / 1e10; }

static int train_check(const pelab_job *job, size_t i, char *why, size_t cap) {
    pelab_train_settings s;
    train_settings(&s, job, i);
    if (pelab_train_check(&s, why, cap)) return 1;
    const double need = pelab_train_bytes(&s), limit = pelab_cell_bytes_limit();
    if (need > limit) {
        snprintf(why, cap, "needs about %.0f MiB, above the limit of %.0f MiB (PELAB_MAX_CELL_BYTES)",
                 need / 1048576.0, limit / 1048576.0);
        return 1;
    }
    return 0;
}

static int train_rows(const pelab_job *job, size_t i) {
    pelab_train_settings s;
    train_settings(&s, job, i);
    return s.n_eval;
}

static void train_run(const pelab_job *job, size_t i, pelab_strbuf *rows, pelab_strbuf *curves) {
    char why[512];
    if (train_check(job, i, why, sizeof why)) {
        pelab_train_cell_skip(rows, &train_of(job)->cfg, i, why);
        return;
    }
    pelab_train_cell_run(rows, curves, &train_of(job)->cfg, i, job->out_dir);
}

/* A training step of under 1 GFLOP parallelises badly inside (matrices of
 * tens of rows): such cells run one per thread. */
static int train_small(const pelab_job *job, size_t i) {
    pelab_train_settings s;
    train_settings(&s, job, i);
    const double step = pelab_train_flops(&s, 1) / (double)s.steps;
    return step < 1e9;
}

static void train_free(pelab_job *job) {
    train_job *t = job->impl;
    if (!t) return;
    pelab_train_config_free(&t->cfg);
    free(t);
}

static const pelab_job_ops g_train_ops = {train_key,  train_describe, train_flops, train_seconds, train_check,
                                          train_rows, train_run,      train_small, NULL,          train_free};

static pelab_status train_load(pelab_job *job, const char *path, pelab_error *err) {
    train_job *t = pelab_xcalloc(1, sizeof *t);
    pelab_status s = pelab_train_config_load(&t->cfg, path, err);
    if (s) {
        free(t);
        return s;
    }
    PELAB_ASSERT(pelab_train_results_header(t->header, sizeof t->header, &t->cfg) > 0);
    PELAB_ASSERT(pelab_train_curves_header(t->curves_header, sizeof t->curves_header, &t->cfg) > 0);
    job->ops = &g_train_ops;
    job->impl = t;
    job->kind = "train";
    job->path = t->cfg.path;
    job->name = t->cfg.name;
    job->resolved_json = t->cfg.resolved_json;
    job->hash = t->cfg.hash;
    job->trials = t->cfg.trials;
    job->n_cells = t->cfg.n_cells;
    job->n_key = t->cfg.n_key;
    job->n_id = t->cfg.n_key + 1;
    job->header = t->header;
    job->curves_header = t->curves_header;
    return PELAB_STATUS_OK;
}

/* ---- the dispatch ------------------------------------------------------------------ */

pelab_status pelab_job_load(pelab_job *job, const char *path, pelab_error *err) {
    memset(job, 0, sizeof *job);
    char *text = NULL;
    size_t len = 0;
    int train = 0;
    if (pelab_read_file_max(&text, &len, path, PELAB_CONFIG_MAX_BYTES, NULL) == PELAB_STATUS_OK)
        train = pelab_train_config_detect(text, len);
    free(text);
    return train ? train_load(job, path, err) : probe_load(job, path, err);
}

void pelab_job_free(pelab_job *job) {
    if (job->ops && job->ops->free) job->ops->free(job);
    memset(job, 0, sizeof *job);
}
