/* train.c — see pelab/train/train.h. */
#include "pelab/train/train.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"
#include "pelab/base/numtext.h"
#include "pelab/base/rng.h"
#include "pelab/base/stats.h"
#include "pelab/base/status.h"
#include "pelab/train/task.h"

static const pelab_train_metric_def g_metrics[PELAB_TRAIN_METRIC_COUNT] = {
    {"eval_acc", "accuracy on eval_samples fresh samples of the row's eval_len"},
    {"eval_loss", "mean cross-entropy on those samples"},
    {"train_loss", "mean training loss over the last 10% of steps"},
    {"train_acc", "mean training accuracy over the last 10% of steps"},
    {"grad_norm_max", "largest global gradient norm (before clipping) over all steps"},
    {"grad_norm_median", "median global gradient norm over all steps"},
    {"diverged", "fraction of trials whose loss or gradient became non-finite (training stops there)"},
    {"diverged_step", "the step it happened (over the trials that diverged; empty if none)"},
    {"steps_to_fit", "first curve step whose running training accuracy is >= 0.9 (over the trials that got there)"},
    {"logit_max_abs", "largest |attention logit| on the evaluation samples"},
    {"time_s", "wall time of a trial (training and evaluation)"},
};

const pelab_train_metric_def *pelab_train_metric_defs(int *count) {
    if (count) *count = PELAB_TRAIN_METRIC_COUNT;
    return g_metrics;
}

/* ---- headers --------------------------------------------------------------------- */

static int key_names(pelab_strbuf *b, const pelab_train_config *cfg) {
    for (int i = 0; i < cfg->n_key; i++) pelab_strbuf_printf(b, "%s%s", i ? "," : "", cfg->key_names[i]);
    return 0;
}

static int finish(char *buf, size_t cap, pelab_strbuf *b) {
    char *s = pelab_strbuf_take(b);
    const size_t len = strlen(s);
    int r = -1;
    if (len < cap) {
        memcpy(buf, s, len + 1);
        r = (int)len;
    }
    free(s);
    return r;
}

int pelab_train_results_header(char *buf, size_t cap, const pelab_train_config *cfg) {
    pelab_strbuf b = {0};
    key_names(&b, cfg);
    pelab_strbuf_puts(&b, ",eval_len,width,trials,status");
    for (int i = 0; i < PELAB_TRAIN_METRIC_COUNT; i++)
        pelab_strbuf_printf(&b, ",%s,%s_std", g_metrics[i].name, g_metrics[i].name);
    pelab_strbuf_putc(&b, '\n');
    return finish(buf, cap, &b);
}

int pelab_train_curves_header(char *buf, size_t cap, const pelab_train_config *cfg) {
    pelab_strbuf b = {0};
    key_names(&b, cfg);
    pelab_strbuf_puts(&b, ",trial,step," PELAB_TRAIN_CURVE_COLUMNS "\n");
    return finish(buf, cap, &b);
}

/* ---- settings-level facts ---------------------------------------------------------- */

double pelab_train_lr(const pelab_train_settings *s, long t) {
    if (s->warmup > 0 && t <= s->warmup) return s->lr * (double)t / (double)s->warmup;
    if (s->schedule == PELAB_SCHEDULE_COSINE && s->steps > s->warmup) {
        const double x = (double)(t - s->warmup) / (double)(s->steps - s->warmup);
        return s->lr * 0.5 * (1.0 + cos(3.14159265358979323846 * x));
    }
    return s->lr;
}

int pelab_train_longest(const pelab_train_settings *s) {
    int L = s->len_to;
    for (int i = 0; i < s->n_eval; i++)
        if (s->eval_lengths[i] > L) L = s->eval_lengths[i];
    return L;
}

/* Evaluation runs in chunks of this many sequences. */
static int eval_chunk(const pelab_train_settings *s) { return s->batch; }

double pelab_train_bytes(const pelab_train_settings *s) {
    const double N = (double)s->batch * pelab_train_longest(s), D = s->d_model, Hd = (double)s->mlp_ratio * D;
    const double es = s->dtype == PELAB_DTYPE_F64 ? 8 : 4;
    const double per_layer = N * (9 * D + 2 * Hd + s->heads);
    const double scratch = N * (8 * D + 2 * Hd + 64);
    const double params = 4.0 * (12 * D * D * s->layers + 64 * D); /* params, grads, m, v (approx.) */
    return es * (per_layer * s->layers + scratch + params);
}

/* The scheme as the cell's model uses it: onehot and binary without a
 * max_len take L = the longest length of the cell. */
static pelab_scheme run_scheme(const pelab_train_settings *s) {
    pelab_scheme r = *s->scheme;
    if (r.id == PELAB_SCHEME_ONEHOT || r.id == PELAB_SCHEME_BINARY) {
        const int k = pelab_scheme_param_index(pelab_scheme_def_get(r.id), "max_len");
        if (r.params[k] == 0) r.params[k] = pelab_train_longest(s);
    }
    return r;
}

/* 0 when the cell's scheme encodes length n; else 1 and why ("WHAT 24
 * exceeds learned max_len 16", or the registry's reason). */
static int length_check(const pelab_train_settings *s, int n, const char *what, char *why, size_t cap) {
    const pelab_scheme r = run_scheme(s);
    char reason[256];
    if (!pelab_encoding_check(&r, n, s->d_model, reason, sizeof reason)) return 0;
    const int L = pelab_encoding_max_len(&r, n);
    if (L > 0 && L < n)
        snprintf(why, cap, "%s %d exceeds %s max_len %d", what, n, pelab_scheme_def_get(r.id)->name, L);
    else
        snprintf(why, cap, "%s %d: %s", what, n, reason);
    return 1;
}

int pelab_train_check(const pelab_train_settings *s, char *why, size_t cap) {
    const pelab_task_def *t = pelab_task_def_get(s->task);
    if (s->len_from < t->min_len) {
        snprintf(why, cap, "task %s needs length >= %d (lengths.from is %d)", t->name, t->min_len, s->len_from);
        return 1;
    }
    for (int i = 0; i < s->n_eval; i++)
        if (s->eval_lengths[i] < t->min_len) {
            snprintf(why, cap, "task %s needs length >= %d (eval length %d)", t->name, t->min_len,
                     s->eval_lengths[i]);
            return 1;
        }
    if (length_check(s, s->len_to, "training length", why, cap)) return 1;
    if (s->d_model % s->heads != 0) {
        snprintf(why, cap, "heads %d do not divide d_model %d", s->heads, s->d_model);
        return 1;
    }
    if (pelab_scheme_def_get(s->scheme->id)->kind == PELAB_SCHEME_KIND_ROTATE && s->d_model / s->heads < 2) {
        snprintf(why, cap, "rope needs heads of width >= 2 (d_model %d / heads %d)", s->d_model, s->heads);
        return 1;
    }
    return 0;
}

double pelab_train_flops(const pelab_train_settings *s, int trials) {
    const double D = s->d_model, Hd = (double)s->mlp_ratio * D;
    const double mean_n = 0.5 * (s->len_from + s->len_to);
    const double matmul_params = s->layers * (4 * D * D + 2 * D * Hd) + D * 17;
    double per_seq = 6 * matmul_params * mean_n + 14.0 * mean_n * mean_n * D * s->layers;
    if (s->mask == PELAB_MASK_CAUSAL) per_seq -= 7.0 * mean_n * mean_n * D * s->layers;
    double train = per_seq * (double)s->batch * s->steps;
    double eval = 0;
    for (int i = 0; i < s->n_eval; i++) {
        const double n = s->eval_lengths[i];
        eval += (2 * matmul_params * n + 4.0 * n * n * D * s->layers) * s->eval_samples;
    }
    return (train + eval) * trials;
}

/* ---- one trial ------------------------------------------------------------------- */

typedef struct trial_result {
    double train_loss, train_acc, grad_norm_max, grad_norm_median, time_s;
    int diverged, diverged_step, steps_to_fit; /* step 0: never */
    double eval_acc[PELAB_TRAIN_MAX_EVAL], eval_loss[PELAB_TRAIN_MAX_EVAL], logit_max[PELAB_TRAIN_MAX_EVAL];
} trial_result;

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint64_t mix3(uint64_t a, const char *what, uint64_t b) {
    return pelab_hash_mix(a, pelab_hash_mix(pelab_hash_str(what), b));
}

/* Fill a batch of B samples of length n, samples first .. first + B - 1. */
static void fill_batch(int *tokens, int *targets, const pelab_task_def *t, uint64_t key, uint64_t first, int B,
                       int n) {
    const int nt = pelab_task_targets(t, n);
    for (int b = 0; b < B; b++)
        pelab_task_sample(tokens + (size_t)b * n, targets + (size_t)b * nt, t, key, first + (uint64_t)b, n);
}

static void fmt_num(pelab_strbuf *b, int defined, double v) {
    char t[PELAB_TEXT_NUMBER_MAX];
    pelab_strbuf_putc(b, ',');
    if (defined) pelab_strbuf_puts(b, pelab_text_number(t, v));
}

/* A row of curves.csv (PELAB_TRAIN_CURVE_COLUMNS after the key, trial and
 * step); the attention columns from st when with_attn, else empty. */
static void curve_row(pelab_strbuf *curves, const char *key, int trial, long t, double loss, double acc,
                      double grad_norm, double lr, const pelab_model_stats *st, int with_attn) {
    pelab_strbuf_printf(curves, "%s,%d,%ld", key, trial, t);
    fmt_num(curves, 1, loss);
    fmt_num(curves, 1, acc);
    fmt_num(curves, 1, grad_norm);
    fmt_num(curves, 1, lr);
    fmt_num(curves, with_attn, st->logit_max_abs);
    fmt_num(curves, with_attn, st->attn_entropy);
    pelab_strbuf_putc(curves, '\n');
}

static void run_trial(trial_result *res, pelab_model *m, const pelab_train_settings *s, const pelab_task_def *task,
                      uint64_t seed, int trial, const char *key, pelab_strbuf *curves) {
    const double t0 = omp_get_wtime();
    memset(res, 0, sizeof *res);
    const uint64_t ts = mix3(seed, "trial", (uint64_t)trial);
    pelab_model_dims dims;
    const int longest = pelab_train_longest(s);
    pelab_model_dims_make(&dims, s, task, longest, s->batch > eval_chunk(s) ? s->batch : eval_chunk(s), longest);
    pelab_model_init(m, &dims, s->init, s->token_std, pelab_hash_mix(ts, pelab_hash_str("init")));

    const uint64_t train_key = mix3(ts, "train", (uint64_t)s->task);
    const uint64_t len_key = pelab_hash_mix(train_key, pelab_hash_str("lengths"));
    const int maxN = dims.max_batch * dims.max_len;
    int *tokens = pelab_xcalloc((size_t)maxN, sizeof(int));
    int *targets = pelab_xcalloc((size_t)maxN, sizeof(int));
    double *norms = pelab_xcalloc((size_t)s->steps, sizeof(double));
    const int tail_from = s->steps - (s->steps / 10 > 0 ? s->steps / 10 : 1); /* steps > tail_from */
    double tail_loss = 0, tail_correct = 0, tail_pred = 0;
    double win_loss = 0, win_correct = 0, win_pred = 0, win_gmax = 0;
    int win_steps = 0, done = 0;
    m->training = 1; /* a rope scaling with apply: eval stays off until the evaluation */
    for (long t = 1; t <= s->steps; t++) {
        pelab_rng lr_rng = {len_key, (uint64_t)(t - 1)};
        const int n = s->len_from + (int)pelab_rng_below(&lr_rng, (uint64_t)(s->len_to - s->len_from + 1));
        fill_batch(tokens, targets, task, train_key, (uint64_t)(t - 1) * (uint64_t)s->batch, s->batch, n);
        const int curve_step = t % s->curve_every == 0 || t == s->steps;
        pelab_model_stats st;
        pelab_model_forward(&st, m, tokens, targets, s->batch, n, curve_step);
        double gn = NAN;
        if (isfinite(st.loss)) {
            pelab_model_backward(m);
            gn = pelab_model_grad_norm(m);
        }
        if (!isfinite(st.loss) || !isfinite(gn)) {
            res->diverged = 1;
            res->diverged_step = (int)t;
            norms[done++] = isfinite(gn) ? gn : INFINITY;
            if (curves)
                curve_row(curves, key, trial, t, st.loss, (double)st.correct / st.predictions, gn,
                          pelab_train_lr(s, t), &st, curve_step);
            break;
        }
        norms[done++] = gn;
        if (s->clip > 0 && gn > s->clip) pelab_model_scale_grads(m, s->clip / gn);
        const double lr = pelab_train_lr(s, t);
        pelab_model_step(m, s->optimizer, lr, s->weight_decay, s->momentum, t);
        if (t > tail_from) {
            tail_loss += st.loss * st.predictions;
            tail_correct += st.correct;
            tail_pred += st.predictions;
        }
        win_loss += st.loss;
        win_correct += st.correct;
        win_pred += st.predictions;
        if (gn > win_gmax) win_gmax = gn;
        win_steps++;
        if (curve_step) {
            const double acc = win_correct / win_pred;
            if (!res->steps_to_fit && acc >= 0.9) res->steps_to_fit = (int)t;
            if (curves) curve_row(curves, key, trial, t, win_loss / win_steps, acc, win_gmax, lr, &st, 1);
            win_loss = win_correct = win_pred = win_gmax = 0;
            win_steps = 0;
        }
    }
    res->train_loss = tail_pred > 0 ? tail_loss / tail_pred : NAN;
    res->train_acc = tail_pred > 0 ? tail_correct / tail_pred : NAN;
    qsort(norms, (size_t)done, sizeof *norms, cmp_double); /* no NaN: a non-finite norm is stored as inf */
    res->grad_norm_max = done ? norms[done - 1] : 0;
    res->grad_norm_median = done ? (done % 2 ? norms[done / 2] : 0.5 * (norms[done / 2 - 1] + norms[done / 2])) : NAN;
    free(norms);

    /* evaluation */
    m->training = 0;
    for (int e = 0; e < s->n_eval; e++) {
        const int n = s->eval_lengths[e];
        char why[256];
        if (length_check(s, n, "eval length", why, sizeof why)) continue;
        const uint64_t ek = pelab_hash_mix(mix3(ts, "eval", (uint64_t)s->task), (uint64_t)n);
        double loss = 0, lmax = 0;
        long correct = 0, pred = 0;
        for (int first = 0; first < s->eval_samples; first += eval_chunk(s)) {
            const int B = s->eval_samples - first < eval_chunk(s) ? s->eval_samples - first : eval_chunk(s);
            fill_batch(tokens, targets, task, ek, (uint64_t)first, B, n);
            pelab_model_stats st;
            pelab_model_forward(&st, m, tokens, targets, B, n, 1);
            loss += st.loss * st.predictions;
            correct += st.correct;
            pred += st.predictions;
            if (st.logit_max_abs > lmax || isnan(st.logit_max_abs)) lmax = st.logit_max_abs;
        }
        res->eval_acc[e] = (double)correct / (double)pred;
        res->eval_loss[e] = loss / (double)pred;
        res->logit_max[e] = lmax;
    }
    free(tokens);
    free(targets);
    res->time_s = omp_get_wtime() - t0;
}

/* A row without numbers: status "skipped: WHY", or WHY itself when it is
 * already a status ("failed: ..."). */
static void skip_row(pelab_strbuf *rows, const char *key, int n, int width, int trials, const char *why) {
    if (strncmp(why, "failed: ", 8) == 0)
        pelab_strbuf_printf(rows, "%s,%d,%d,%d,%s", key, n, width, trials, why);
    else
        pelab_strbuf_printf(rows, "%s,%d,%d,%d,skipped: %s", key, n, width, trials, why);
    for (int i = 0; i < 2 * PELAB_TRAIN_METRIC_COUNT; i++) pelab_strbuf_putc(rows, ',');
    pelab_strbuf_putc(rows, '\n');
}

void pelab_train_cell_skip(pelab_strbuf *rows, const pelab_train_config *cfg, size_t cell, const char *why) {
    pelab_train_settings s;
    pelab_train_config_cell(&s, cfg, cell);
    char key[4096];
    const int kl = pelab_train_config_key(key, sizeof key, cfg, &s);
    PELAB_ASSERT(kl > 0 && (size_t)kl < sizeof key);
    for (int e = 0; e < s.n_eval; e++) skip_row(rows, key, s.eval_lengths[e], 0, cfg->trials, why);
}

/* Write trial t's model to DIR/models/<cell>-t<t>.safetensors, with the
 * cell's key columns and the task in its metadata. On failure a status
 * "failed: REASON" (commas replaced: it is a CSV field) goes to failed. */
static void save_model(char *failed, size_t cap, const pelab_model *m, const pelab_train_config *cfg,
                       const pelab_train_settings *s, const char *key, size_t cell, int t, const char *dir) {
    char path[4600], folder[4200];
    pelab_error err;
    snprintf(folder, sizeof folder, "%s/models", dir);
    snprintf(path, sizeof path, "%s/%zu-t%d.safetensors", folder, cell, t);
    pelab_safetensors_meta extra[PELAB_TRAIN_MAX_KEY_COLUMNS + 4];
    char vals[PELAB_TRAIN_MAX_KEY_COLUMNS][128], cellbuf[32], trialbuf[32], hashbuf[32];
    int n = 0;
    const char *p = key;
    for (int i = 0; i < cfg->n_key && *p; i++) {
        const char *c = strchr(p, ',');
        const size_t len = c ? (size_t)(c - p) : strlen(p);
        snprintf(vals[i], sizeof vals[i], "%.*s", (int)(len < 127 ? len : 127), p);
        extra[n].key = cfg->key_names[i];
        extra[n].value = vals[i];
        n++;
        p = c ? c + 1 : p + len;
    }
    snprintf(cellbuf, sizeof cellbuf, "%zu", cell);
    snprintf(trialbuf, sizeof trialbuf, "%d", t);
    snprintf(hashbuf, sizeof hashbuf, "%016llx", (unsigned long long)cfg->hash);
    extra[n++] = (pelab_safetensors_meta){"cell", cellbuf};
    extra[n++] = (pelab_safetensors_meta){"trial", trialbuf};
    extra[n++] = (pelab_safetensors_meta){"config_hash", hashbuf};
    (void)s;
    /* "task" may already be a key column */
    int has_task = 0;
    for (int i = 0; i < cfg->n_key; i++) has_task |= strcmp(cfg->key_names[i], "task") == 0;
    if (!has_task) extra[n++] = (pelab_safetensors_meta){"task", pelab_task_def_get(s->task)->name};
    if (pelab_mkdir_p(folder, &err) || pelab_model_save(m, path, extra, n, &err)) {
        snprintf(failed, cap, "failed: %.900s", err.msg);
        for (char *q = failed; *q; q++)
            if (*q == ',' || *q == '\n') *q = ';';
    }
}

void pelab_train_cell_run(pelab_strbuf *rows, pelab_strbuf *curves, const pelab_train_config *cfg, size_t cell,
                          const char *models_dir) {
    (void)models_dir;
    pelab_train_settings s;
    pelab_train_config_cell(&s, cfg, cell);
    char key[4096];
    const int kl = pelab_train_config_key(key, sizeof key, cfg, &s);
    PELAB_ASSERT(kl > 0 && (size_t)kl < sizeof key);
    const pelab_task_def *task = pelab_task_def_get(s.task);
    char why[512];
    const int T_ = cfg->trials;
    if (pelab_train_check(&s, why, sizeof why)) {
        pelab_train_cell_skip(rows, cfg, cell, why);
        return;
    }
    trial_result *res = pelab_xcalloc((size_t)T_, sizeof *res);
    int width = 0;
    char failed[PELAB_ERROR_MSG_MAX] = "";
    for (int t = 0; t < T_; t++) {
        pelab_model m;
        run_trial(&res[t], &m, &s, task, cfg->seed, t, key, curves);
        width = m.dims.width;
        if (s.save && models_dir && !failed[0]) save_model(failed, sizeof failed, &m, cfg, &s, key, cell, t, models_dir);
        pelab_model_free(&m);
    }
    double *v = pelab_xcalloc((size_t)T_, sizeof *v);
    for (int e = 0; e < s.n_eval; e++) {
        const int n = s.eval_lengths[e];
        if (length_check(&s, n, "eval length", why, sizeof why)) {
            skip_row(rows, key, n, width, T_, why);
            continue;
        }
        if (failed[0]) {
            skip_row(rows, key, n, width, T_, failed);
            continue;
        }
        pelab_strbuf_printf(rows, "%s,%d,%d,%d,ok", key, n, width, T_);
        for (int mi = 0; mi < PELAB_TRAIN_METRIC_COUNT; mi++) {
            int k = 0;
            for (int t = 0; t < T_; t++) {
                const trial_result *r = &res[t];
                switch ((pelab_train_metric)mi) {
                case PELAB_TRAIN_METRIC_EVAL_ACC: v[k++] = r->eval_acc[e]; break;
                case PELAB_TRAIN_METRIC_EVAL_LOSS: v[k++] = r->eval_loss[e]; break;
                case PELAB_TRAIN_METRIC_TRAIN_LOSS: v[k++] = r->train_loss; break;
                case PELAB_TRAIN_METRIC_TRAIN_ACC: v[k++] = r->train_acc; break;
                case PELAB_TRAIN_METRIC_GRAD_NORM_MAX: v[k++] = r->grad_norm_max; break;
                case PELAB_TRAIN_METRIC_GRAD_NORM_MEDIAN: v[k++] = r->grad_norm_median; break;
                case PELAB_TRAIN_METRIC_DIVERGED: v[k++] = r->diverged; break;
                case PELAB_TRAIN_METRIC_DIVERGED_STEP:
                    if (r->diverged) v[k++] = r->diverged_step;
                    break;
                case PELAB_TRAIN_METRIC_STEPS_TO_FIT:
                    if (r->steps_to_fit) v[k++] = r->steps_to_fit;
                    break;
                case PELAB_TRAIN_METRIC_LOGIT_MAX_ABS: v[k++] = r->logit_max[e]; break;
                case PELAB_TRAIN_METRIC_TIME_S: v[k++] = r->time_s; break;
                case PELAB_TRAIN_METRIC_COUNT: break;
                }
            }
            double mean = 0, sd = 0;
            if (k) pelab_mean_std(&mean, &sd, v, k);
            fmt_num(rows, k > 0, mean);
            fmt_num(rows, k > 0, sd);
        }
        pelab_strbuf_putc(rows, '\n');
    }
    free(v);
    free(res);
}
