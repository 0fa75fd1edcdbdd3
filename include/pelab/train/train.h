/* pelab/train/train.h — one training cell: train each trial on the cell's task
 * (lengths drawn per batch from lengths {from, to}), evaluate it at every
 * eval length, and write its rows of results.csv and curves.csv.
 *
 * Random streams, all keyed by identity (pelab/base/rng.h), never by the
 * scheme, so every scheme of a sweep sees the same samples and, where the
 * tensors agree, the same initial weights:
 *   trial seed   s_t  = mix(seed, mix(hash("trial"), t))
 *   weights      mix(s_t, hash("init")), one stream per tensor name
 *   training     key mix(s_t, mix(hash("train"), task)); step k's length is
 *                draw k of mix(key, hash("lengths")); its batch is samples
 *                k B .. k B + B - 1 of that key
 *   evaluation   key mix(mix(s_t, mix(hash("eval"), task)), n): samples 0 ..
 *                eval_samples - 1 of each length n */
#ifndef PELAB_TRAIN_TRAIN_H
#define PELAB_TRAIN_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/strbuf.h"
#include "pelab/train/config.h"
#include "pelab/train/model.h"

/* The metrics of results.csv, in column order: each is written as NAME and
 * NAME_std (the mean over trials and its sample standard deviation). */
typedef enum pelab_train_metric {
    PELAB_TRAIN_METRIC_EVAL_ACC = 0,
    PELAB_TRAIN_METRIC_EVAL_LOSS,
    PELAB_TRAIN_METRIC_TRAIN_LOSS,
    PELAB_TRAIN_METRIC_TRAIN_ACC,
    PELAB_TRAIN_METRIC_GRAD_NORM_MAX,
    PELAB_TRAIN_METRIC_GRAD_NORM_MEDIAN,
    PELAB_TRAIN_METRIC_DIVERGED,
    PELAB_TRAIN_METRIC_DIVERGED_STEP,
    PELAB_TRAIN_METRIC_STEPS_TO_FIT,
    PELAB_TRAIN_METRIC_LOGIT_MAX_ABS,
    PELAB_TRAIN_METRIC_TIME_S,
    PELAB_TRAIN_METRIC_COUNT
} pelab_train_metric;

typedef struct pelab_train_metric_def {
    const char *name; /* the column                                           */
    const char *help; /* one line: what it measures                           */
} pelab_train_metric_def;

/* The registry of the metrics, in column order. */
const pelab_train_metric_def *pelab_train_metric_defs(int *count);

/* The curves.csv columns after the key: trial, step, then these. */
#define PELAB_TRAIN_CURVE_COLUMNS "loss,train_acc,grad_norm,lr,logit_max_abs,attn_entropy"

/* The results.csv header ("KEY...,eval_len,width,trials,status,eval_acc,
 * eval_acc_std,...,time_s,time_s_std\n") and curves.csv's ("KEY...,trial,
 * step,loss,...\n"). Return the length, or -1 when cap is too small. */
int pelab_train_results_header(char *buf, size_t cap, const pelab_train_config *cfg);
int pelab_train_curves_header(char *buf, size_t cap, const pelab_train_config *cfg);

/* The learning rate of step t (1-based): linear warm-up over `warmup` steps,
 * then constant or cosine decay to 0 at `steps`. */
double pelab_train_lr(const pelab_train_settings *s, long t);

/* The longest sequence a cell sees (training or evaluation). */
int pelab_train_longest(const pelab_train_settings *s);

/* 0 when the cell can train; 1 with the reason (its rows are then
 * "skipped: REASON"): a task longer than its shortest training length, a
 * learned table shorter than the training lengths, rope on heads narrower
 * than 2, a memory need above the limit. */
int pelab_train_check(const pelab_train_settings *s, char *why, size_t cap);

/* Estimated floating-point work of a cell, all trials (the convention of
 * `pelab bench --train`: 6 x matmul parameters x tokens plus 14 n^2 d per
 * block and sequence for the attention, for training; a third of it per
 * evaluated token), and its activation memory in bytes. */
double pelab_train_flops(const pelab_train_settings *s, int trials);
double pelab_train_bytes(const pelab_train_settings *s);

/* Run cell `cell` of cfg: every trial, then one row per eval length appended
 * to rows and the curve rows to curves. When models_dir (the results
 * folder) is not NULL and the settings say save, each trial's final
 * parameters are written to models_dir/models/<cell>-t<trial>.safetensors
 * (pelab_model_save; the cell's key columns, task, cell, trial and config
 * hash in its metadata); an error there makes the cell's status "failed:
 * REASON". Deterministic: a function of cfg and cell alone (time_s aside). */
void pelab_train_cell_run(pelab_strbuf *rows, pelab_strbuf *curves, const pelab_train_config *cfg, size_t cell,
                          const char *models_dir);

/* The rows of cell `cell` when it cannot run: status "skipped: WHY" on every
 * eval length, metrics empty. */
void pelab_train_cell_skip(pelab_strbuf *rows, const pelab_train_config *cfg, size_t cell, const char *why);

#endif /* PELAB_TRAIN_TRAIN_H */
