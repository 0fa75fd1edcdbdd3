/* test_train_config.c — the training config loader (pelab/train/config.h):
 * defaults, every key, sweep order and cells, key columns and describe, the
 * canonical JSON and its hash, detect, and every refusal with its exact
 * located message (inline, and the files of configs/train/bad). Runs in
 * tests/. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/kernels/types.h"
#include "pelab/train/config.h"
#include "test.h"

/* ---- helpers ----------------------------------------------------------------- */

static pelab_status load_str(pelab_train_config *cfg, const char *yaml, pelab_error *err) {
    return pelab_train_config_load_buffer(cfg, yaml, strlen(yaml), "t.yaml", err);
}

static int is_zeroed(const pelab_train_config *cfg) {
    const unsigned char *p = (const unsigned char *)cfg;
    for (size_t i = 0; i < sizeof *cfg; i++)
        if (p[i]) return 0;
    return 1;
}

static int g_mismatches; /* expect_bad's misses, so one run lists them all */

/* yaml is refused with exactly "t.yaml:" msg, status CONFIG, cfg zeroed. A
 * different message is printed and counted (the test asserts the count). */
static void expect_bad(const char *yaml, const char *msg) {
    pelab_train_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    char want[PELAB_ERROR_MSG_MAX];
    pelab_status st = load_str(&cfg, yaml, &err);
    int zero = is_zeroed(&cfg);
    pelab_train_config_free(&cfg);
    snprintf(want, sizeof want, "t.yaml:%s", msg);
    ASSERT_EQ(st, PELAB_STATUS_CONFIG);
    ASSERT_EQ(err.status, PELAB_STATUS_CONFIG);
    ASSERT(zero);
    if (strcmp(err.msg, want) != 0) {
        fprintf(stderr, "     got:  %s\n     want: %s\n", err.msg, want);
        g_mismatches++;
    }
}

/* Loads yaml, asserting success. */
static void load_ok(pelab_train_config *cfg, const char *yaml) {
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status st = load_str(cfg, yaml, &err);
    if (st != PELAB_STATUS_OK) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
}

static uint64_t hash_of(const char *yaml) {
    pelab_train_config cfg;
    uint64_t h;
    load_ok(&cfg, yaml);
    ASSERT_EQ(cfg.hash, pelab_hash_str(cfg.resolved_json));
    h = cfg.hash;
    pelab_train_config_free(&cfg);
    return h;
}

#define MINIMAL "name: t\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16}\n"

/* ---- defaults and every key ---------------------------------------------------- */

static void test_defaults(void) {
    pelab_train_config cfg;
    const pelab_train_settings *s = &cfg.base;
    load_ok(&cfg, MINIMAL);
    ASSERT_STR_EQ(cfg.path, "t.yaml");
    ASSERT_STR_EQ(cfg.name, "t");
    ASSERT_EQ(cfg.seed, 1);
    ASSERT_EQ(cfg.trials, 1);
    ASSERT_EQ(cfg.n_cells, 1);
    ASSERT_EQ(cfg.n_axes, 2);
    ASSERT_STR_EQ(cfg.axes[0].key, "scheme");
    ASSERT_STR_EQ(cfg.axes[1].key, "d_model");
    ASSERT_EQ(cfg.n_schemes, 1);
    ASSERT_STR_EQ(s->scheme->name, "none");
    ASSERT(s->scheme == &cfg.schemes[0]);
    ASSERT_EQ(s->d_model, 16);
    ASSERT_EQ(s->heads, 1);
    ASSERT_EQ(s->mask, PELAB_MASK_NONE);
    ASSERT_EQ(s->dtype, PELAB_DTYPE_F32);
    ASSERT_EQ(s->layers, 2);
    ASSERT_EQ(s->mlp_ratio, 4);
    ASSERT_EQ(s->norm, PELAB_NORM_PRE);
    ASSERT_EQ(s->init, PELAB_INIT_PROBE);
    ASSERT_DBL_EQ(s->token_std, 1.0);
    ASSERT_EQ(s->task, PELAB_TASK_AGENT);
    ASSERT_EQ(s->steps, 1000);
    ASSERT_EQ(s->batch, 32);
    ASSERT_EQ(s->len_from, 8);
    ASSERT_EQ(s->len_to, 16);
    ASSERT_EQ(s->optimizer, PELAB_OPTIMIZER_ADAMW);
    ASSERT_DBL_EQ(s->lr, 1e-3);
    ASSERT_EQ(s->warmup, 100);
    ASSERT_EQ(cfg.warmup_auto, 1);
    ASSERT_EQ(s->schedule, PELAB_SCHEDULE_CONSTANT);
    ASSERT_DBL_EQ(s->weight_decay, 0.01);
    ASSERT_DBL_EQ(s->momentum, 0.0);
    ASSERT_DBL_EQ(s->clip, 0.0);
    ASSERT_EQ(s->eval_samples, 512);
    ASSERT_EQ(s->curve_every, 50);
    ASSERT_EQ(s->save, 0);
    ASSERT_EQ(s->n_eval, 3);
    ASSERT_EQ(s->eval_lengths[0], 16);
    ASSERT_EQ(s->eval_lengths[1], 32);
    ASSERT_EQ(s->eval_lengths[2], 64);
    pelab_train_config_free(&cfg);
    ASSERT(is_zeroed(&cfg));
}

/* The warmup default follows steps: min(100, steps / 10), per cell. */
static void test_warmup_default(void) {
    pelab_train_config cfg;
    pelab_train_settings s;
    load_ok(&cfg, "name: t\ntrain: {task: agent, steps: 300}\nsweep: {scheme: none, d_model: 16}\n");
    ASSERT_EQ(cfg.base.warmup, 30);
    pelab_train_config_free(&cfg);
    load_ok(&cfg, "name: t\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16, steps: [5, 50, 5000]}\n");
    ASSERT_EQ(cfg.warmup_auto, 1);
    pelab_train_config_cell(&s, &cfg, 0);
    ASSERT_EQ(s.warmup, 0);
    pelab_train_config_cell(&s, &cfg, 1);
    ASSERT_EQ(s.warmup, 5);
    pelab_train_config_cell(&s, &cfg, 2);
    ASSERT_EQ(s.warmup, 100);
    pelab_train_config_free(&cfg);
    load_ok(&cfg, "name: t\ntrain: {task: agent, warmup: 3}\nsweep: {scheme: none, d_model: 16, steps: [5, 5000]}\n");
    ASSERT_EQ(cfg.warmup_auto, 0);
    pelab_train_config_cell(&s, &cfg, 1);
    ASSERT_EQ(s.warmup, 3);
    pelab_train_config_free(&cfg);
}

static void test_every_key_file(void) {
    pelab_train_config cfg;
    pelab_error err;
    const pelab_train_settings *s = &cfg.base;
    ASSERT_EQ(pelab_train_config_load(&cfg, "configs/train/good/every-key.yaml", &err), PELAB_STATUS_OK);
    ASSERT_STR_EQ(cfg.path, "configs/train/good/every-key.yaml");
    ASSERT_STR_EQ(cfg.name, "every-key");
    ASSERT_EQ(cfg.seed, 7);
    ASSERT_EQ(cfg.trials, 2);
    ASSERT_EQ(cfg.n_cells, 1);
    ASSERT_STR_EQ(s->scheme->name, "rope");
    ASSERT_EQ(s->d_model, 32);
    ASSERT_EQ(s->heads, 2);
    ASSERT_EQ(s->mask, PELAB_MASK_CAUSAL);
    ASSERT_EQ(s->dtype, PELAB_DTYPE_F64);
    ASSERT_EQ(s->layers, 3);
    ASSERT_EQ(s->mlp_ratio, 2);
    ASSERT_EQ(s->norm, PELAB_NORM_NONE);
    ASSERT_EQ(s->init, PELAB_INIT_GPT2);
    ASSERT_DBL_EQ(s->token_std, 0.5);
    ASSERT_EQ(s->task, PELAB_TASK_RETRIEVE);
    ASSERT_EQ(s->steps, 400);
    ASSERT_EQ(s->batch, 8);
    ASSERT_EQ(s->len_from, 12);
    ASSERT_EQ(s->len_to, 24);
    ASSERT_EQ(s->optimizer, PELAB_OPTIMIZER_SGD);
    ASSERT_DBL_EQ(s->lr, 0.05);
    ASSERT_EQ(s->warmup, 7);
    ASSERT_EQ(s->schedule, PELAB_SCHEDULE_COSINE);
    ASSERT_DBL_EQ(s->weight_decay, 0.0);
    ASSERT_DBL_EQ(s->momentum, 0.9);
    ASSERT_DBL_EQ(s->clip, 1.5);
    ASSERT_EQ(s->n_eval, 3); /* [96, 24, 48] sorted */
    ASSERT_EQ(s->eval_lengths[0], 24);
    ASSERT_EQ(s->eval_lengths[1], 48);
    ASSERT_EQ(s->eval_lengths[2], 96);
    ASSERT_EQ(s->eval_samples, 64);
    ASSERT_EQ(s->curve_every, 10);
    ASSERT_EQ(s->save, 1);
    pelab_train_config_free(&cfg);
}

/* Small forms: lengths as one integer, eval_lengths as one value, a range. */
static void test_short_forms(void) {
    pelab_train_config cfg;
    load_ok(&cfg, "name: t\ntrain: {task: shift, lengths: 10, eval_lengths: 40}\nsweep: {scheme: none, d_model: 16}\n");
    ASSERT_EQ(cfg.base.len_from, 10);
    ASSERT_EQ(cfg.base.len_to, 10);
    ASSERT_EQ(cfg.base.n_eval, 1);
    ASSERT_EQ(cfg.base.eval_lengths[0], 40);
    pelab_train_config_free(&cfg);
    load_ok(&cfg, "name: t\ntrain: {task: shift, lengths: {to: 32}, eval_lengths: {from: 8, to: 20, step: 4}}\n"
                  "sweep: {scheme: none, d_model: 16}\n");
    ASSERT_EQ(cfg.base.len_from, 8);
    ASSERT_EQ(cfg.base.len_to, 32);
    ASSERT_EQ(cfg.base.n_eval, 4);
    ASSERT_EQ(cfg.base.eval_lengths[3], 20);
    pelab_train_config_free(&cfg);
    /* the default eval lengths stop at the limit */
    load_ok(&cfg, "name: t\ntrain: {task: shift, lengths: {from: 8, to: 524288}}\nsweep: {scheme: none, d_model: 16}\n");
    ASSERT_EQ(cfg.base.n_eval, 2);
    ASSERT_EQ(cfg.base.eval_lengths[1], PELAB_TRAIN_MAX_LEN);
    pelab_train_config_free(&cfg);
}

static void test_enum_names(void) {
    pelab_train_config cfg;
    char buf[512];
    for (int m = 0; m < PELAB_MASK_COUNT; m++)
        for (int d = 0; d < 2; d++) { /* f32, f64: the model's (bf16, f16 are the probe's, refused below) */
            char y[256];
            snprintf(y, sizeof y, "name: t\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16, mask: %s, dtype: %s}\n",
                     pelab_mask_str((pelab_mask)m), pelab_dtype_str((pelab_dtype)d));
            load_ok(&cfg, y);
            ASSERT_EQ(cfg.base.mask, m);
            ASSERT_EQ(cfg.base.dtype, d);
            pelab_train_config_key(buf, sizeof buf, &cfg, &cfg.base);
            ASSERT_STR_CONTAINS(buf, pelab_mask_str((pelab_mask)m));
            pelab_train_config_free(&cfg);
        }
    ASSERT_STR_EQ(pelab_norm_str(PELAB_NORM_NONE), "none");
    ASSERT_STR_EQ(pelab_init_str(PELAB_INIT_GPT2), "gpt2");
    ASSERT_STR_EQ(pelab_optimizer_str(PELAB_OPTIMIZER_SGD), "sgd");
    ASSERT_STR_EQ(pelab_schedule_str(PELAB_SCHEDULE_COSINE), "cosine");
    ASSERT_STR_EQ(pelab_schedule_str(PELAB_SCHEDULE_COUNT), "unknown");
    ASSERT_STR_EQ(pelab_norm_str((pelab_norm)-1), "unknown");
}

/* ---- the sweep --------------------------------------------------------------- */

/* The issue's example: scheme outermost, mask fastest. */
static void test_issue_example(void) {
    pelab_train_config cfg;
    pelab_train_settings s;
    pelab_error err;
    char buf[1024];
    ASSERT_EQ(pelab_train_config_load(&cfg, "configs/train/good/agent-order.yaml", &err), PELAB_STATUS_OK);
    ASSERT_EQ(cfg.n_cells, 16);
    ASSERT_EQ(cfg.n_axes, 4);
    ASSERT_EQ(cfg.trials, 3);
    ASSERT_STR_EQ(cfg.axes[0].key, "scheme");
    ASSERT_STR_EQ(cfg.axes[3].key, "mask");
    pelab_train_config_cell(&s, &cfg, 0);
    ASSERT_STR_EQ(s.scheme->name, "none");
    ASSERT_EQ(s.mask, PELAB_MASK_NONE);
    pelab_train_config_cell(&s, &cfg, 1);
    ASSERT_STR_EQ(s.scheme->name, "none");
    ASSERT_EQ(s.mask, PELAB_MASK_CAUSAL);
    pelab_train_config_cell(&s, &cfg, 2);
    ASSERT_STR_EQ(s.scheme->name, "index");
    ASSERT_EQ(s.mask, PELAB_MASK_NONE);
    pelab_train_config_cell(&s, &cfg, 15);
    ASSERT_STR_EQ(s.scheme->name, "t5");
    ASSERT_EQ(s.mask, PELAB_MASK_CAUSAL);
    ASSERT_EQ(s.steps, 1500);
    ASSERT_EQ(s.heads, 4);
    ASSERT_EQ(s.d_model, 64);
    ASSERT_EQ(s.warmup, 100);
    ASSERT_EQ(pelab_train_config_key(buf, sizeof buf, &cfg, &s), (int)strlen(buf));
    ASSERT_STR_EQ(buf, "t5,agent,64,4,2,pre,probe,causal,adamw,0.001,0,32,1500,f32");
    pelab_train_config_describe(buf, sizeof buf, &cfg, &s);
    ASSERT_STR_EQ(buf, "scheme=t5 task=agent d_model=64 heads=4 layers=2 norm=pre init=probe mask=causal "
                       "optimizer=adamw lr=0.001 clip=0 batch=32 steps=1500 dtype=f32");
    pelab_train_config_free(&cfg);
}

/* Model and train keys as axes: order as written, cell i decomposed with
 * the last axis fastest; the extra key columns in schema order. */
static void test_axes_file(void) {
    static const char *const want_cols[] = {"scheme", "task",  "d_model",  "heads", "layers",    "norm",
                                            "init",   "mask",  "optimizer", "lr",   "clip",      "batch",
                                            "steps",  "dtype", "mlp_ratio", "weight_decay", "save"};
    pelab_train_config cfg;
    pelab_train_settings s;
    pelab_error err;
    char buf[1024];
    ASSERT_EQ(pelab_train_config_load(&cfg, "configs/train/good/axes.yaml", &err), PELAB_STATUS_OK);
    ASSERT_EQ(cfg.n_axes, 7);
    ASSERT_STR_EQ(cfg.axes[0].key, "save");
    ASSERT_STR_EQ(cfg.axes[1].key, "task");
    ASSERT_STR_EQ(cfg.axes[2].key, "d_model");
    ASSERT_STR_EQ(cfg.axes[3].key, "scheme");
    ASSERT_STR_EQ(cfg.axes[4].key, "weight_decay");
    ASSERT_STR_EQ(cfg.axes[5].key, "steps");
    ASSERT_STR_EQ(cfg.axes[6].key, "mlp_ratio");
    ASSERT_EQ(cfg.n_cells, 64);
    ASSERT_EQ(cfg.n_schemes, 2);
    ASSERT_STR_EQ(cfg.schemes[1].name, "rope100");
    ASSERT_DBL_EQ(cfg.axes[2].values[1], 32);
    ASSERT_DBL_EQ(cfg.axes[1].values[1], PELAB_TASK_SHIFT);
    ASSERT_EQ(cfg.n_key, 17);
    for (int i = 0; i < 17; i++) ASSERT_STR_EQ(cfg.key_names[i], want_cols[i]);
    ASSERT_EQ(cfg.base.n_eval, 3);
    ASSERT_EQ(cfg.base.eval_lengths[2], 48);
    /* base: swept keys at their first values */
    ASSERT_EQ(cfg.base.save, 0);
    ASSERT_EQ(cfg.base.task, PELAB_TASK_RETRIEVE);
    ASSERT_EQ(cfg.base.mlp_ratio, 2);
    /* i = 45 = ((((1*2+0)*2+1)*2+1)*2+0)*2+1: save true, retrieve, d_model 32, rope100, wd 0, steps 2000 */
    pelab_train_config_cell(&s, &cfg, 45);
    ASSERT_EQ(s.save, 1);
    ASSERT_EQ(s.task, PELAB_TASK_RETRIEVE);
    ASSERT_EQ(s.d_model, 32);
    ASSERT_STR_EQ(s.scheme->name, "rope100");
    ASSERT_DBL_EQ(s.weight_decay, 0);
    ASSERT_EQ(s.steps, 2000);
    ASSERT_EQ(s.warmup, 100);
    pelab_train_config_key(buf, sizeof buf, &cfg, &s);
    ASSERT_STR_EQ(buf, "rope100,retrieve,32,1,2,pre,probe,none,adamw,0.001,0,32,2000,f32,2,0,true");
    pelab_train_config_cell(&s, &cfg, 26); /* 0,1,1,0,1,0 */
    ASSERT_EQ(s.save, 0);
    ASSERT_EQ(s.task, PELAB_TASK_SHIFT);
    ASSERT_EQ(s.d_model, 32);
    ASSERT_STR_EQ(s.scheme->name, "none");
    ASSERT_DBL_EQ(s.weight_decay, 0.1);
    ASSERT_EQ(s.steps, 50);
    ASSERT_EQ(s.warmup, 5);
    pelab_train_config_describe(buf, sizeof buf, &cfg, &s);
    ASSERT_STR_EQ(buf, "scheme=none task=shift d_model=32 heads=1 layers=2 norm=pre init=probe mask=none "
                       "optimizer=adamw lr=0.001 clip=0 batch=32 steps=50 dtype=f32 mlp_ratio=2 weight_decay=0.1 "
                       "save=false");
    pelab_train_config_free(&cfg);
}

/* Real axes and lists of every type; the key's return value when cut. */
static void test_axis_types_and_key_cut(void) {
    pelab_train_config cfg;
    pelab_train_settings s;
    char buf[16];
    load_ok(&cfg, "name: t\ntrain: {task: agent}\n"
                  "sweep: {scheme: none, d_model: 16, lr: [1e-3, 3e-4], clip: [0, 0.5], norm: [none, pre], "
                  "init: gpt2, optimizer: [sgd, adamw], token_std: [1, 0.25], momentum: 0.5, schedule: [cosine]}\n");
    ASSERT_EQ(cfg.n_cells, 32);
    pelab_train_config_cell(&s, &cfg, 31);
    ASSERT_DBL_EQ(s.lr, 3e-4);
    ASSERT_DBL_EQ(s.clip, 0.5);
    ASSERT_EQ(s.norm, PELAB_NORM_PRE);
    ASSERT_EQ(s.init, PELAB_INIT_GPT2);
    ASSERT_EQ(s.optimizer, PELAB_OPTIMIZER_ADAMW);
    ASSERT_DBL_EQ(s.token_std, 0.25);
    ASSERT_DBL_EQ(s.momentum, 0.5);
    ASSERT_EQ(s.schedule, PELAB_SCHEDULE_COSINE);
    ASSERT_EQ(cfg.n_key, 17); /* lr, clip, norm, init, optimizer are columns anyway */
    ASSERT_STR_EQ(cfg.key_names[14], "token_std");
    ASSERT_STR_EQ(cfg.key_names[15], "schedule");
    ASSERT_STR_EQ(cfg.key_names[16], "momentum");
    {
        char full[512];
        int n = pelab_train_config_key(full, sizeof full, &cfg, &s);
        ASSERT_STR_EQ(full, "none,agent,16,1,2,pre,gpt2,none,adamw,0.0003,0.5,32,1000,f32,0.25,cosine,0.5");
        ASSERT_EQ(n, (int)strlen(full));
        ASSERT_EQ(pelab_train_config_key(buf, sizeof buf, &cfg, &s), n);
        ASSERT_EQ(strlen(buf), sizeof buf - 1);
        ASSERT(strncmp(buf, full, sizeof buf - 1) == 0);
    }
    pelab_train_config_free(&cfg);
}

/* ---- the canonical JSON and its hash ------------------------------------------- */

static void test_resolved_json_exact(void) {
    pelab_train_config cfg;
    load_ok(&cfg, MINIMAL);
    ASSERT_STR_EQ(cfg.resolved_json,
                  "{\"name\":\"t\",\"seed\":1,\"trials\":1,\"columns\":[\"scheme\",\"task\",\"d_model\",\"heads\","
                  "\"layers\",\"norm\",\"init\",\"mask\",\"optimizer\",\"lr\",\"clip\",\"batch\",\"steps\",\"dtype\"],"
                  "\"axes\":[],\"settings\":{\"scheme\":\"none\",\"d_model\":16,\"heads\":1,\"mask\":\"none\","
                  "\"dtype\":\"f32\",\"layers\":2,\"mlp_ratio\":4,\"norm\":\"pre\",\"init\":\"probe\","
                  "\"token_std\":1,\"task\":\"agent\",\"steps\":1000,\"batch\":32,\"lengths\":{\"from\":8,\"to\":16},"
                  "\"optimizer\":\"adamw\",\"lr\":0.001,\"warmup\":100,\"schedule\":\"constant\","
                  "\"weight_decay\":0.01,\"momentum\":0,\"clip\":0,\"eval_lengths\":[16,32,64],\"eval_samples\":512,"
                  "\"curve_every\":50,\"save\":false},\"schemes\":{\"none\":{\"type\":\"none\"}}}");
    ASSERT_EQ(cfg.hash, pelab_hash_str(cfg.resolved_json));
    pelab_train_config_free(&cfg);
}

static void test_hash_invariance(void) {
    uint64_t h = hash_of(MINIMAL);
    /* keys in another order, flow or block style, comments */
    ASSERT_EQ(hash_of("sweep:\n  d_model: 16\n  scheme: [none]\n# c\ntrain:\n  task: agent\nname: t\n"), h);
    /* every default written out, in another order */
    ASSERT_EQ(hash_of("name: t\nseed: 1\ntrials: 1\n"
                      "model: {token_std: 1.0, init: probe, norm: pre, mlp_ratio: 4, layers: 2}\n"
                      "train: {save: false, curve_every: 50, eval_samples: 512, eval_lengths: [64, 16, 32], clip: 0,\n"
                      "  momentum: 0, weight_decay: 0.01, schedule: constant, warmup: 100, lr: 0.001,\n"
                      "  optimizer: adamw, lengths: {to: 16, from: 8}, batch: 32, steps: 1000, task: agent}\n"
                      "sweep: {dtype: f32, mask: none, heads: 1, d_model: [16], scheme: none}\n"),
              h);
    /* a one-value axis of a key that is a column anyway */
    ASSERT_EQ(hash_of("name: t\ntrain: {}\nsweep: {scheme: none, d_model: 16, task: agent, lr: 1e-3, steps: [1000]}\n"),
              h);
    /* any value changed, or a key becoming a column */
    ASSERT_NE(hash_of("name: t\ntrain: {task: agent, lr: 0.002}\nsweep: {scheme: none, d_model: 16}\n"), h);
    ASSERT_NE(hash_of("name: u\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16}\n"), h);
    ASSERT_NE(hash_of("name: t\ntrain: {task: agent, warmup: 99}\nsweep: {scheme: none, d_model: 16}\n"), h);
    ASSERT_NE(hash_of("name: t\ntrain: {task: agent, eval_lengths: [16, 32]}\nsweep: {scheme: none, d_model: 16}\n"),
              h);
    ASSERT_NE(hash_of("name: t\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16, weight_decay: 0.01}\n"), h);
    ASSERT_NE(hash_of("name: t\nschemes: {r: {type: rope, base: 100}}\ntrain: {task: agent}\n"
                      "sweep: {scheme: r, d_model: 16}\n"),
              hash_of("name: t\nschemes: {r: {type: rope, base: 101}}\ntrain: {task: agent}\n"
                      "sweep: {scheme: r, d_model: 16}\n"));
    /* the axes' order is the cells' order */
    ASSERT_NE(hash_of("name: t\ntrain: {task: agent}\nsweep: {scheme: [none, rope], d_model: [16, 32]}\n"),
              hash_of("name: t\ntrain: {task: agent}\nsweep: {d_model: [16, 32], scheme: [none, rope]}\n"));
    /* unused variants do not count */
    ASSERT_EQ(hash_of("name: t\nschemes: {r: {type: rope}}\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16}\n"),
              h);
}

/* ---- detect ------------------------------------------------------------------ */

static void test_detect(void) {
    static const char *const probe = "name: t\nsweep: {seq_len: 8, d_model: 16, scheme: none}\n";
    ASSERT_EQ(pelab_train_config_detect(MINIMAL, strlen(MINIMAL)), 1);
    ASSERT_EQ(pelab_train_config_detect(probe, strlen(probe)), 0);
    ASSERT_EQ(pelab_train_config_detect("train: 1\n", 9), 1);
    ASSERT_EQ(pelab_train_config_detect("a: {train: 1}\n", 14), 0); /* top level only */
    ASSERT_EQ(pelab_train_config_detect("- train\n", 8), 0);
    ASSERT_EQ(pelab_train_config_detect("train: [\n", 9), 0);      /* does not parse */
    ASSERT_EQ(pelab_train_config_detect("train: 1\ntrain: 2\n", 18), 0); /* duplicate key */
    ASSERT_EQ(pelab_train_config_detect("", 0), 0);
    ASSERT_EQ(pelab_train_config_detect(NULL, 0), 0);
}

/* ---- refusals ---------------------------------------------------------------- */

#define T "name: t\n"
#define SW "sweep: {scheme: none, d_model: 16}\n"

static void test_bad_inline(void) {
    g_mismatches = 0;
    expect_bad("", "1:1: config is empty");
    expect_bad("- a\n", "1:1: expected a mapping for the top level, found a list");
    expect_bad(T "train: {task: agent}\n", "1:1: missing required key 'sweep'");
    expect_bad(T "train: {task: agent, stpes: 10}\n" SW, "2:22: unknown key 'stpes' in train (did you mean 'steps'?)");
    expect_bad(T "train: {task: agent, zzzzzz: 1}\n" SW,
               "2:22: unknown key 'zzzzzz' in train (the keys here: task, steps, batch, lengths, train_len, train_to, optimizer, lr, "
               "warmup, schedule, weight_decay, momentum, clip, eval_lengths, eval_samples, curve_every or save)");
    expect_bad(T "model: {layer: 1}\ntrain: {task: agent}\n" SW,
               "2:9: unknown key 'layer' in model (did you mean 'layers'?)");
    expect_bad(T "model: {task: agent}\ntrain: {}\n" SW,
               "2:9: 'task' belongs under train: (or sweep: as an axis), not under model:");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, eval_lengths: [8]}\n",
               "3:36: 'eval_lengths' is not a scalar key and cannot be a sweep axis: give it under train:");
    expect_bad(T "train: {task: agent, heads: 2}\n" SW, "2:22: 'heads' belongs under sweep:, not under train:");
    expect_bad(T "model: {layers: 2}\ntrain: {task: agent}\nsweep: {scheme: none, d_model: 16, layers: [1, 2]}\n",
               "2:9: 'layers' is swept under sweep: (line 4); remove it from model:");
    expect_bad(T "train: {}\nsweep: {scheme: none, d_model: 16, task: [agent, agent]}\n",
               "3:50: duplicate value 'agent' in task (first at 3:43)");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: [16, 16]}\n",
               "3:37: duplicate value 16 in d_model (first at 3:33)");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, save: [true, True]}\n",
               "3:49: duplicate value True in save (first at 3:43)");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, lr: {from: 1, to: 2}}\n",
               "3:40: expected a number or a list of numbers for lr, found a mapping");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, lr: []}\n", "3:40: empty list for lr");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 0}\n",
               "3:32: d_model must be in [1, 65536], found 0");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, steps: {from: 10, to: 1, step: 1}}\n",
               "3:50: range from 10 is greater than to 1");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, lr: [0.1, -1]}\n",
               "3:46: lr must be greater than 0, found -1");
    expect_bad(T "model: {token_std: 0}\ntrain: {task: agent}\n" SW, "2:20: token_std must be greater than 0, found 0");
    expect_bad(T "train: {task: agent, momentum: -0.1}\n" SW, "2:32: momentum must be in [0, 1), found -0.1");
    expect_bad(T "train: {task: agent, clip: -1}\n" SW, "2:28: clip must be at least 0, found -1");
    expect_bad(T "train: {task: agent, lr: 1e999}\n" SW, "2:26: lr 1e999 is not a finite number");
    expect_bad(T "train: {task: agent, batch: 65537}\n" SW, "2:29: batch must be in [1, 65536], found 65537");
    expect_bad(T "train: {task: agent, norm: pre}\n" SW,
               "2:22: 'norm' belongs under model: (or sweep: as an axis), not under train:");
    expect_bad(T "model: {norm: post}\ntrain: {task: agent}\n" SW, "2:15: unknown norm 'post' (expected pre or none)");
    expect_bad(T "model: {init: xavier}\ntrain: {task: agent}\n" SW,
               "2:15: unknown init 'xavier' (expected probe or gpt2)");
    expect_bad(T "train: {task: agent, lengths: [8, 16]}\n" SW,
               "2:31: expected a mapping {from, to} or an integer for lengths, found a list");
    expect_bad(T "train: {task: agent, lengths: {from: 0}}\n" SW,
               "2:38: lengths from must be in [1, 1048576], found 0");
    expect_bad(T "train: {task: agent, eval_lengths: [16, 2000000]}\n" SW,
               "2:41: eval_lengths must be in [1, 1048576], found 2000000");
    expect_bad(T "train: {task: shift}\nsweep: {scheme: none, d_model: 16, task: agent}\n",
               "2:9: 'task' is swept under sweep: (line 3); remove it from train:");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, heads: [1, 2, 3]}\n",
               "3:50: heads 3 does not divide d_model 16");
    expect_bad(T "train: {lengths: {from: 3, to: 9}}\nsweep: {scheme: none, d_model: 16, task: [shift, agent, retrieve]}\n",
               "2:25: lengths from 3 is shorter than 9, the shortest length of task 'retrieve'");
    expect_bad(T "train: {lengths: {to: 20}}\nsweep: {scheme: none, d_model: 16, task: [shift, retrieve]}\n",
               "3:50: task 'retrieve' needs lengths of at least 9, but lengths from is 8 (the default): give "
               "train: lengths: {from: 9, to: ...}");
    expect_bad(T "train: {lengths: 9, eval_lengths: [9, 4]}\nsweep: {scheme: none, d_model: 16, task: [retrieve]}\n",
               "2:39: eval length 4 is shorter than 9, the shortest length of task 'retrieve'");
    expect_bad(T "seed: -1\ntrain: {task: agent}\n" SW, "2:7: seed must be in [0, 18446744073709551615], found -1");
    expect_bad(T "trials: 0\ntrain: {task: agent}\n" SW, "2:9: trials must be in [1, 100000], found 0");
    expect_bad("name: a/b\ntrain: {task: agent}\n" SW,
               "1:7: invalid name 'a/b': use letters, digits, '_', '.' and '-' only");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: [none, rope, none], d_model: 16}\n",
               "3:30: duplicate value 'none' in scheme (first at 3:18)");
    expect_bad(T "train: {task: agent}\nsweep: {scheme: none, d_model: 16, seq_len: 8, zz: 1}\n",
               "3:36: a training config has no seq_len axis: sequence lengths come from train: lengths and "
               "eval_lengths");
    ASSERT_EQ(g_mismatches, 0);
}

/* More than 64 eval lengths in a list; a product of axes past the limit,
 * refused at the first axis that takes it there. */
static void test_bad_limits(void) {
    char y[2048];
    g_mismatches = 0;
    size_t o = (size_t)snprintf(y, sizeof y, T "train: {task: agent, eval_lengths: [");
    for (int i = 0; i < 65; i++) o += (size_t)snprintf(y + o, sizeof y - o, "%s%d", i ? ", " : "", 10 + i);
    snprintf(y + o, sizeof y - o, "]}\n" SW);
    expect_bad(y, "2:36: eval_lengths has 65 values, more than the limit of 64");
    expect_bad(T "train: {task: agent}\nsweep:\n  scheme: none\n  d_model: 16\n"
                 "  steps: {from: 1, to: 1000, step: 1}\n  batch: {from: 1, to: 1000, step: 1}\n"
                 "  layers: [1, 2]\n  lr: [0.1, 0.2]\n",
               "4:3: the sweep has more than 1000000 cells (the axes up to 'layers' give 2000000)");
    ASSERT_EQ(g_mismatches, 0);
}

/* ---- the files in configs/train ---------------------------------------------- */

static char g_file[256];

/* configs/train/bad/FILE is refused with exactly the message of its first
 * line, "# expect: LINE:COL: message", after "PATH:". */
static void test_bad_file(void) {
    char path[512], first[1024], want[1600], *nl;
    pelab_train_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    FILE *f;
    snprintf(path, sizeof path, "configs/train/bad/%s", g_file);
    f = fopen(path, "r");
    ASSERT(f != NULL);
    if (!fgets(first, sizeof first, f)) first[0] = '\0';
    fclose(f);
    if ((nl = strchr(first, '\n'))) *nl = '\0';
    ASSERT(strncmp(first, "# expect: ", 10) == 0);
    ASSERT_EQ(pelab_train_config_load(&cfg, path, &err), PELAB_STATUS_CONFIG);
    ASSERT(is_zeroed(&cfg));
    snprintf(want, sizeof want, "%s:%s", path, first + 10);
    ASSERT_STR_EQ(err.msg, want);
}

/* configs/train/good/FILE loads, is detected, and every cell describes. */
static void test_good_file(void) {
    char path[512], buf[1024];
    pelab_train_config cfg;
    pelab_train_settings s;
    pelab_error err = {PELAB_STATUS_OK, ""};
    snprintf(path, sizeof path, "configs/train/good/%s", g_file);
    pelab_status st = pelab_train_config_load(&cfg, path, &err);
    if (st != PELAB_STATUS_OK) fprintf(stderr, "     %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
    ASSERT(cfg.resolved_json != NULL);
    ASSERT_GE(cfg.n_cells, 1);
    for (size_t i = 0; i < cfg.n_cells; i++) {
        pelab_train_config_cell(&s, &cfg, i);
        ASSERT_LT(pelab_train_config_describe(buf, sizeof buf, &cfg, &s), (int)sizeof buf);
    }
    {
        FILE *f = fopen(path, "rb");
        size_t n;
        char text[8192];
        ASSERT(f != NULL);
        n = fread(text, 1, sizeof text, f);
        fclose(f);
        ASSERT_EQ(pelab_train_config_detect(text, n), 1);
    }
    pelab_train_config_free(&cfg);
}

static int cmp_str(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

static void run_files(const char *dir, void (*fn)(void), int at_least) {
    char names[128][256];
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        printf("FAIL %s cannot be opened\n", dir);
        test_failed_++;
        return;
    }
    while ((e = readdir(d)) && n < 128) {
        size_t l = strlen(e->d_name);
        if (l < 5 || l >= sizeof names[0] || strcmp(e->d_name + l - 5, ".yaml") != 0) continue;
        memcpy(names[n++], e->d_name, l + 1);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        memcpy(g_file, names[i], sizeof g_file);
        printf("     %s/%s\n", dir, g_file);
        if (fn == test_bad_file) TEST_RUN(test_bad_file);
        else TEST_RUN(test_good_file);
    }
    if (n < at_least) {
        printf("FAIL only %d files in %s, want at least %d\n", n, dir, at_least);
        test_failed_++;
    }
}

int main(void) {
    TEST_RUN(test_defaults);
    TEST_RUN(test_warmup_default);
    TEST_RUN(test_every_key_file);
    TEST_RUN(test_short_forms);
    TEST_RUN(test_enum_names);
    TEST_RUN(test_issue_example);
    TEST_RUN(test_axes_file);
    TEST_RUN(test_axis_types_and_key_cut);
    TEST_RUN(test_resolved_json_exact);
    TEST_RUN(test_hash_invariance);
    TEST_RUN(test_detect);
    TEST_RUN(test_bad_inline);
    TEST_RUN(test_bad_limits);
    run_files("configs/train/good", test_good_file, 3);
    run_files("configs/train/bad", test_bad_file, 30);
    return TEST_DONE();
}
