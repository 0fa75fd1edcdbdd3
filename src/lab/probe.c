/* probe.c — see pelab/lab/probe.h. The per-dtype trial lives in
 * probe_impl.inc, included once for float and once for double. */
#include "pelab/lab/probe.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/rng.h"
#include "pelab/kernels/attention.h"
#include "pelab/kernels/lowp.h"
#include "pelab/lab/inputs.h"
#include "pelab/lab/sweep.h"
#include "pelab/pe/encoding.h"
#include "pelab/pe/geometry.h"
#include "pelab/pe/plan.h"
#include "pelab/pe/rope.h"

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

#define T float
#define SFX f32
#include "probe_impl.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "probe_impl.inc"
#undef T
#undef SFX

double pelab_cell_loss_grads(double *dWq, double *dWk, double *dWv, double *dE, const pelab_config *cfg,
                             const pelab_cell *c, const double *E, const double *Wq, const double *Wk,
                             const double *Wv) {
    model_f64 m;
    model_init_f64(&m, cfg, c);
    m.Wq = Wq, m.Wk = Wk, m.Wv = Wv;
    buffers_f64 b;
    buffers_alloc_f64(&b, &m);
    forward_f64(b.X, b.Q, b.K, b.V, b.out, b.lse, NULL, E, &m);
    const size_t nD = (size_t)m.n * m.D;
    double loss = 0;
    for (size_t i = 0; i < nD; i++) loss += b.out[i] * b.out[i];
    loss /= 2.0 * m.n;
    double *dX = pelab_xmalloc((size_t)m.n * m.w * sizeof(double));
    backward_f64(dWq, dWk, dWv, dX, &b, &m);
    for (int p = 0; p < m.n; p++)
        memcpy(dE + (size_t)p * m.d, dX + (size_t)p * m.w, (size_t)m.d * sizeof(double));
    free(dX);
    buffers_free_f64(&b);
    model_free_f64(&m);
    return loss;
}

void pelab_probe_operands_get(pelab_probe_operands *o, const pelab_config *cfg, const pelab_cell *c, int trial) {
    memset(o, 0, sizeof *o);
    o->dtype = c->dtype;
    if (c->dtype != PELAB_DTYPE_F64)
        operands_f32(o, cfg, c, trial);
    else
        operands_f64(o, cfg, c, trial);
}

void pelab_probe_operands_free(pelab_probe_operands *o) {
    free(o->q), free(o->k), free(o->v), free(o->bias);
    memset(o, 0, sizeof *o);
}

void pelab_trial_run(pelab_trial_result *r, const pelab_config *cfg, const pelab_cell *c, int trial) {
    if (c->dtype != PELAB_DTYPE_F64)
        trial_f32(r, NULL, cfg, c, trial);
    else
        trial_f64(r, NULL, cfg, c, trial);
}

void pelab_cell_attend(double *out, const pelab_config *cfg, const pelab_cell *c) {
    if (c->dtype != PELAB_DTYPE_F64)
        trial_f32(NULL, out, cfg, c, 0);
    else
        trial_f64(NULL, out, cfg, c, 0);
}

/* The geometry of the positions depends on the scheme (its id and
 * parameters, not its name), the seed, n, d and the dtype only, while a
 * sweep repeats each such tuple over heads, masks and projections: a memo
 * shared by the threads keeps the first result of each (a pure function:
 * the numbers are those of a fresh computation). An open-addressing table
 * of GEO_MEMO_SLOTS slots, filled to at most half; past that it computes
 * without remembering. */
#define GEO_MEMO_SLOTS 8192

typedef struct geo_memo_key {
    double params[PELAB_SCHEME_MAX_PARAMS];
    uint64_t seed;
    int id, n, d, f32;
} geo_memo_key;

typedef struct geo_memo_entry {
    int used;
    geo_memo_key key;
    pelab_geometry_result g;
} geo_memo_entry;

static geo_memo_entry g_geo_memo[GEO_MEMO_SLOTS];
static int g_geo_memo_count;

/* The slot holding key, or the empty slot where it would go. Call inside the
 * critical section. */
static geo_memo_entry *geo_memo_slot(const geo_memo_key *key) {
    size_t h = (size_t)pelab_hash_bytes(key, sizeof *key) & (GEO_MEMO_SLOTS - 1);
    while (g_geo_memo[h].used && memcmp(&g_geo_memo[h].key, key, sizeof *key) != 0) h = (h + 1) & (GEO_MEMO_SLOTS - 1);
    return &g_geo_memo[h];
}

static void geometry_cached(pelab_geometry_result *g, const pelab_scheme *s, uint64_t seed, int n, int d, int f32) {
    geo_memo_key key;
    memset(&key, 0, sizeof key); /* padding too: keys are compared and hashed as bytes */
    memcpy(key.params, s->params, sizeof key.params);
    key.seed = seed, key.id = (int)s->id, key.n = n, key.d = d, key.f32 = f32;
    int hit = 0;
#pragma omp critical(pelab_geo_memo)
    {
        const geo_memo_entry *e = geo_memo_slot(&key);
        if (e->used) *g = e->g, hit = 1;
    }
    if (hit) return;
    pelab_geometry_measure(g, s, seed, n, d, f32, pelab_cell_bytes_limit());
#pragma omp critical(pelab_geo_memo)
    {
        geo_memo_entry *e = geo_memo_slot(&key);
        if (!e->used && g_geo_memo_count < GEO_MEMO_SLOTS / 2) {
            e->used = 1, e->key = key, e->g = *g;
            g_geo_memo_count++;
        }
    }
}

void pelab_cell_run(pelab_cell_result *res, const pelab_config *cfg, const pelab_cell *c) {
    double t0 = omp_get_wtime();
    memset(res, 0, sizeof *res);
    res->width = pelab_cell_width(c);
    char why[200];
    if (pelab_cell_check(c, why, sizeof why)) {
        snprintf(res->status, sizeof res->status, "skipped: %s", why);
        res->time_s = omp_get_wtime() - t0;
        return;
    }
    const int trials = cfg->trials;
    pelab_trial_result *tr = pelab_xmalloc((size_t)trials * sizeof *tr);
    for (int t = 0; t < trials; t++) pelab_trial_run(&tr[t], cfg, c, t);
    /* the geometry of the positions: the same in every trial */
    pelab_geometry_result g;
    geometry_cached(&g, c->scheme, cfg->seed, c->seq_len, c->d_model, pelab_geometry_prec(c->dtype));
    static const int geometry_metric[PELAB_GEOMETRY_COUNT] = {
        [PELAB_GEOMETRY_POS_MIN_DIST] = PELAB_METRIC_POS_MIN_DIST,
        [PELAB_GEOMETRY_POS_COLLISIONS] = PELAB_METRIC_POS_COLLISIONS,
        [PELAB_GEOMETRY_LENGTH_CONSISTENCY] = PELAB_METRIC_LENGTH_CONSISTENCY,
        [PELAB_GEOMETRY_TI_RESIDUAL] = PELAB_METRIC_TI_RESIDUAL,
        [PELAB_GEOMETRY_MONO_BREAK] = PELAB_METRIC_MONO_BREAK,
        [PELAB_GEOMETRY_MONO_SPEARMAN] = PELAB_METRIC_MONO_SPEARMAN,
        [PELAB_GEOMETRY_SYM_RESIDUAL] = PELAB_METRIC_SYM_RESIDUAL,
    };
    for (int k = 0; k < PELAB_GEOMETRY_COUNT; k++) {
        PELAB_ASSERT(strcmp(pelab_metric_defs()[geometry_metric[k]].name, pelab_geometry_metric_name((pelab_geometry_metric)k)) == 0);
        for (int t = 0; t < trials; t++) {
            tr[t].value[geometry_metric[k]] = g.value[k];
            tr[t].defined[geometry_metric[k]] = g.defined[k];
        }
    }
    pelab_metrics_reduce(res, tr, trials);
    free(tr);
    res->time_s = omp_get_wtime() - t0;
}

/* The best of 3 single-threaded runs of the one cell of yaml, in seconds;
 * *flops receives its cost by pelab_cell_flops. */
static double time_cell(const char *yaml, double *flops) {
    pelab_config cfg;
    pelab_error err;
    PELAB_ASSERT(pelab_config_load_buffer(&cfg, yaml, strlen(yaml), "<calibration>", NULL, &err) == 0);
    pelab_cell *cells = NULL;
    size_t n = 0;
    PELAB_ASSERT(pelab_sweep_expand(&cells, &n, &cfg, &err) == 0 && n == 1);
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        pelab_cell_result res;
        double t0 = omp_get_wtime();
#pragma omp parallel num_threads(1)
        pelab_cell_run(&res, &cfg, &cells[0]);
        double t = omp_get_wtime() - t0;
        if (t < best) best = t;
    }
    *flops = pelab_cell_flops(&cells[0], cfg.trials);
    free(cells);
    pelab_config_free(&cfg);
    return best > 1e-9 ? best : 1e-9;
}

void pelab_cell_timing_calibrate(pelab_cell_timing *t) {
    double f_small, f32, f64;
    double s_small = time_cell("name: c\nseed: 977\nsweep: {seq_len: 8, d_model: 16, scheme: sinusoidal}\n", &f_small);
    double s32 = time_cell("name: c\nseed: 977\nsweep: {seq_len: 256, d_model: 64, scheme: sinusoidal, heads: 4}\n", &f32);
    double s64 = time_cell("name: c\nseed: 977\nsweep: {seq_len: 256, d_model: 64, scheme: sinusoidal, heads: 4, "
                           "dtype: f64}\n", &f64);
    t->overhead_s = s_small;
    t->rate[PELAB_DTYPE_F32] = f32 / (s32 > s_small ? s32 - s_small : s32);
    t->rate[PELAB_DTYPE_F64] = f64 / (s64 > s_small ? s64 - s_small : s64);
    /* bf16 and f16 cells compute in float32 (plus roundings): its rate */
    t->rate[PELAB_DTYPE_BF16] = t->rate[PELAB_DTYPE_F16] = t->rate[PELAB_DTYPE_F32];
}

double pelab_cell_seconds(const pelab_cell *c, int trials, const pelab_cell_timing *t) {
    return pelab_cell_flops(c, trials) / t->rate[c->dtype] + trials * t->overhead_s;
}
