/* pelab/train/config.h — a training sweep's YAML config, loaded, validated and
 * resolved (the probe's counterpart is pelab/lab/config.h; both read YAML
 * through pelab/yaml/yaml.h alone).
 *
 *   name: agent-order
 *   seed: 1
 *   trials: 3
 *   model: {layers: 2, norm: pre, mlp_ratio: 4, init: probe, token_std: 1}
 *   train: {task: agent, steps: 1500, batch: 32, lengths: {from: 8, to: 16},
 *           optimizer: adamw, lr: 1e-3, warmup: 100, schedule: constant,
 *           weight_decay: 0.01, momentum: 0, clip: 0, eval_lengths: [16, 32, 64],
 *           eval_samples: 512, curve_every: 50, save: false}
 *   sweep: {scheme: [...], d_model: 64, heads: 4, mask: [none, causal], dtype: f32}
 *   schemes: {...}            # named variants, as in probe configs
 *
 * Any scalar key of model: or train: may instead be a sweep axis under
 * sweep: (then it must not be given in its section). The sweep's axes are
 * taken in the order they are written (outermost first). A config with a
 * `train:` section has no seq_len axis (located error if it does).
 * Loading either returns a config in which every value is present (defaults
 * filled in), in range and consistent, or refuses with one located message
 * "FILE:LINE:COLUMN: what is wrong" (PELAB_STATUS_CONFIG). The schema (keys,
 * types, ranges, defaults) is one table in config.c; README describes it. */
#ifndef PELAB_TRAIN_CONFIG_H
#define PELAB_TRAIN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"
#include "pelab/kernels/types.h"
#include "pelab/pe/encoding.h"
#include "pelab/train/task.h"

typedef enum pelab_norm { PELAB_NORM_PRE = 0, PELAB_NORM_NONE, PELAB_NORM_COUNT } pelab_norm;
typedef enum pelab_init { PELAB_INIT_PROBE = 0, PELAB_INIT_GPT2, PELAB_INIT_COUNT } pelab_init;
typedef enum pelab_optimizer {
    PELAB_OPTIMIZER_ADAMW = 0,
    PELAB_OPTIMIZER_SGD,
    PELAB_OPTIMIZER_COUNT
} pelab_optimizer;
typedef enum pelab_schedule {
    PELAB_SCHEDULE_CONSTANT = 0,
    PELAB_SCHEDULE_COSINE,
    PELAB_SCHEDULE_COUNT
} pelab_schedule;

/* "pre", "none"; "probe", "gpt2"; "adamw", "sgd"; "constant", "cosine"
 * ("unknown" out of range). */
const char *pelab_norm_str(pelab_norm v);
const char *pelab_init_str(pelab_init v);
const char *pelab_optimizer_str(pelab_optimizer v);
const char *pelab_schedule_str(pelab_schedule v);

#define PELAB_TRAIN_MAX_EVAL 64       /* eval_lengths entries                 */
#define PELAB_TRAIN_MAX_LEN (1 << 20) /* any training or evaluation length    */
#define PELAB_TRAIN_MAX_STEPS 100000000
#define PELAB_TRAIN_MAX_BATCH 65536

/* One training run's settings: every key of sweep:, model: and train:, the
 * swept ones at the cell's values. Defaults in brackets. */
typedef struct pelab_train_settings {
    /* sweep: (these are always identity columns) */
    const pelab_scheme *scheme;  /* required; points into the config           */
    int d_model;                 /* required, >= 1                              */
    int heads;                   /* [1], divides d_model                        */
    pelab_mask mask;             /* [none]                                      */
    pelab_dtype dtype;           /* [f32]                                       */
    /* model: */
    int layers;                  /* [2], >= 1                                   */
    int mlp_ratio;               /* [4], >= 1                                   */
    pelab_norm norm;             /* [pre]                                       */
    pelab_init init;             /* [probe]                                     */
    double token_std;            /* [1], > 0                                    */
    /* train: */
    pelab_task_id task;          /* required                                    */
    int steps;                   /* [1000], >= 1                                */
    int batch;                   /* [32], >= 1                                  */
    int len_from, len_to;        /* lengths: {from, to} [8, 16], from <= to     */
    pelab_optimizer optimizer;   /* [adamw]                                     */
    double lr;                   /* [1e-3], > 0                                 */
    int warmup;                  /* [min(100, steps/10)], resolved per cell     */
    pelab_schedule schedule;     /* [constant]                                  */
    double weight_decay;         /* [0.01], >= 0                                */
    double momentum;             /* [0], in [0, 1)                              */
    double clip;                 /* [0] = none, >= 0                            */
    int eval_samples;            /* [512], >= 1                                 */
    int curve_every;             /* [50], >= 1                                  */
    int save;                    /* [false]                                     */
    int n_eval;                  /* eval_lengths [to, 2 to, 4 to]: sorted,     */
    int eval_lengths[PELAB_TRAIN_MAX_EVAL]; /* distinct, each >= 1              */
} pelab_train_settings;

/* A sweep axis: a key of the schema and its values, as written. */
typedef struct pelab_train_axis {
    const char *key;             /* "scheme", "lr", "task", ... (static)        */
    int count;
    double *values;              /* numbers, booleans (0/1) and enum indices;   */
                                 /* for scheme: the index into cfg->schemes     */
} pelab_train_axis;

#define PELAB_TRAIN_MAX_KEY_COLUMNS 32

typedef struct pelab_train_config {
    char path[4096];
    char name[64];
    uint64_t seed;               /* [1]                                         */
    int trials;                  /* [1], >= 1                                   */
    pelab_train_settings base;   /* unswept keys as given or defaulted; swept   */
                                 /* keys at their first value                   */
    int n_schemes;
    pelab_scheme *schemes;       /* the scheme axis's values                    */
    int n_axes;
    pelab_train_axis *axes;      /* in sweep order, outermost first             */
    size_t n_cells;              /* product of the axis lengths                 */
    /* The key columns of every row of results.csv and curves.csv, in order:
     * scheme, task, d_model, heads, layers, norm, init, mask, optimizer, lr,
     * clip, batch, steps, dtype, then every other swept key in schema order.
     * (results.csv adds eval_len after them.) */
    int n_key;
    const char *key_names[PELAB_TRAIN_MAX_KEY_COLUMNS];
    char *resolved_json;         /* canonical JSON of the resolved config       */
    uint64_t hash;               /* pelab_hash_str(resolved_json)               */
    /* Added: 1 when warmup is neither given nor swept, so each cell's is
     * min(100, its steps / 10) (base.warmup holds base.steps's). */
    int warmup_auto;
} pelab_train_config;

/* 1 when text (a YAML document) is a training config: its top-level mapping
 * has a `train` key. 0 otherwise, also when it does not parse (the probe's
 * loader then reports the error). */
int pelab_train_config_detect(const char *text, size_t len);

/* Load and validate. On failure *cfg is left empty (safe to free) and the
 * status is PELAB_STATUS_CONFIG with err->msg "PATH:LINE:COLUMN: message". */
pelab_status pelab_train_config_load(pelab_train_config *cfg, const char *path, pelab_error *err);
pelab_status pelab_train_config_load_buffer(pelab_train_config *cfg, const char *text, size_t len,
                                            const char *display_path, pelab_error *err);
void pelab_train_config_free(pelab_train_config *cfg);

/* The settings of cell i (0 <= i < n_cells; the last axis varies fastest),
 * warmup resolved. */
void pelab_train_config_cell(pelab_train_settings *s, const pelab_train_config *cfg, size_t i);

/* The values of cfg's key columns for settings s, comma-separated, no
 * newline (numbers as %.17g trimmed, e.g. "0.001"). Returns the length
 * snprintf would write. */
int pelab_train_config_key(char *buf, size_t cap, const pelab_train_config *cfg,
                           const pelab_train_settings *s);
/* "scheme=rope task=agent d_model=64 ..." (the key columns as name=value). */
int pelab_train_config_describe(char *buf, size_t cap, const pelab_train_config *cfg,
                                const pelab_train_settings *s);

#endif /* PELAB_TRAIN_CONFIG_H */
