/* config.c — see pelab/train/config.h
 *
 * One table, g_keys below, is the schema of a training config: every key of
 * sweep:, model: and train: with its type, range, default and place in
 * pelab_train_settings. The parser, the defaults, what may be swept, the
 * resolved JSON, the key columns and describe all walk that table; adding a
 * key is one row (and its field in the settings).
 *
 * The text goes through the one YAML front end (pelab/yaml/yaml.h); scheme
 * axes and `schemes:` variants through pelab/yaml/schemes.h, integer axes
 * through pelab/yaml/axis.h, as in probe configs. Every refusal is one
 * located message (PELAB_STATUS_CONFIG). */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "pelab/train/config.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/base/strbuf.h"
#include "pelab/base/suggest.h"
#include "pelab/pe/encoding.h"
#include "pelab/pe/rope.h"
#include "pelab/yaml/axis.h"
#include "pelab/yaml/schemes.h"
#include "pelab/yaml/yaml.h"

#define QBUF PELAB_YAML_QBUF
#define MAX_CELLS 1000000
#define MAX_TRIALS 100000
#define MAX_D_MODEL 65536
#define MAX_LAYERS 1024
#define MAX_MLP_RATIO 64
#define MAX_EVAL_SAMPLES 1000000
#define NAME_MAX_LEN 64

/* Enum fields are written through their offset as ints. */
_Static_assert(sizeof(pelab_mask) == sizeof(int), "pelab_mask is int-sized");
_Static_assert(sizeof(pelab_dtype) == sizeof(int), "pelab_dtype is int-sized");
_Static_assert(sizeof(pelab_norm) == sizeof(int), "pelab_norm is int-sized");
_Static_assert(sizeof(pelab_init) == sizeof(int), "pelab_init is int-sized");
_Static_assert(sizeof(pelab_optimizer) == sizeof(int), "pelab_optimizer is int-sized");
_Static_assert(sizeof(pelab_schedule) == sizeof(int), "pelab_schedule is int-sized");
_Static_assert(sizeof(pelab_task_id) == sizeof(int), "pelab_task_id is int-sized");

/* ---- names of the enums ------------------------------------------------------ */

static const char *const g_norm_names[PELAB_NORM_COUNT] = {"pre", "none"};
static const char *const g_init_names[PELAB_INIT_COUNT] = {"probe", "gpt2"};
static const char *const g_optimizer_names[PELAB_OPTIMIZER_COUNT] = {"adamw", "sgd"};
static const char *const g_schedule_names[PELAB_SCHEDULE_COUNT] = {"constant", "cosine"};
/* the names pelab_mask_str and pelab_dtype_str give (test_train_config checks) */
static const char *const g_mask_names[PELAB_MASK_COUNT] = {"none", "causal"};
static const char *const g_dtype_names[2] = {"f32", "f64"}; /* the model runs f32 and f64 (not bf16, f16) */

const char *pelab_norm_str(pelab_norm v) { return (unsigned)v < PELAB_NORM_COUNT ? g_norm_names[v] : "unknown"; }
const char *pelab_init_str(pelab_init v) { return (unsigned)v < PELAB_INIT_COUNT ? g_init_names[v] : "unknown"; }
const char *pelab_optimizer_str(pelab_optimizer v) {
    return (unsigned)v < PELAB_OPTIMIZER_COUNT ? g_optimizer_names[v] : "unknown";
}
const char *pelab_schedule_str(pelab_schedule v) {
    return (unsigned)v < PELAB_SCHEDULE_COUNT ? g_schedule_names[v] : "unknown";
}

/* ---- the key registry -------------------------------------------------------- */

typedef enum section { SEC_SWEEP = 0, SEC_MODEL, SEC_TRAIN, SEC_COUNT } section;
static const char *const g_section_names[SEC_COUNT] = {"sweep", "model", "train"};

typedef enum kind {
    K_INT = 0, /* int field, [lo, hi]                                        */
    K_REAL,    /* double field, finite, lo/hi with open ends as flagged      */
    K_BOOL,    /* int field, 0/1                                             */
    K_ENUM,    /* int-sized enum field, one of names                         */
    K_TASK,    /* pelab_task_id, one of the task registry's names            */
    K_SCHEME,  /* const pelab_scheme *, the scheme axis                      */
    K_LENGTHS, /* len_from, len_to: {from, to} (not a scalar: never swept)   */
    K_EVAL,    /* n_eval, eval_lengths: a list (not a scalar: never swept)   */
} kind;

typedef struct keydef {
    const char *name;
    section sec;
    kind kind;
    double lo, hi;     /* range (K_INT, K_REAL, and each length of K_LENGTHS/K_EVAL) */
    int lo_open, hi_open; /* K_REAL: an end excluded                               */
    int required;
    double def;        /* the default (an enum's index, a bool's 0/1)               */
    size_t off;        /* offset of the field in pelab_train_settings               */
    const char *const *names; /* K_ENUM                                             */
    int n_names;
    int col;           /* position among the fixed key columns, or -1               */
    const char *meaning; /* one line, for README and help                           */
} keydef;

#define OFF(f) offsetof(pelab_train_settings, f)
#define NAMES(a) a, (int)(sizeof a / sizeof *a)

/* In schema order: the order of the resolved JSON and of the extra key
 * columns. */
static const keydef g_keys[] = {
    {"scheme", SEC_SWEEP, K_SCHEME, 0, 0, 0, 0, 1, 0, OFF(scheme), NULL, 0, 0,
     "positional scheme: a built-in or a `schemes:` variant"},
    {"d_model", SEC_SWEEP, K_INT, 1, MAX_D_MODEL, 0, 0, 1, 0, OFF(d_model), NULL, 0, 2, "model width"},
    {"heads", SEC_SWEEP, K_INT, 1, MAX_D_MODEL, 0, 0, 0, 1, OFF(heads), NULL, 0, 3,
     "attention heads; must divide d_model"},
    {"mask", SEC_SWEEP, K_ENUM, 0, 0, 0, 0, 0, PELAB_MASK_NONE, OFF(mask), NAMES(g_mask_names), 7,
     "attention mask"},
    {"dtype", SEC_SWEEP, K_ENUM, 0, 0, 0, 0, 0, PELAB_DTYPE_F32, OFF(dtype), NAMES(g_dtype_names), 13,
     "arithmetic of the model"},
    {"layers", SEC_MODEL, K_INT, 1, MAX_LAYERS, 0, 0, 0, 2, OFF(layers), NULL, 0, 4, "transformer blocks"},
    {"mlp_ratio", SEC_MODEL, K_INT, 1, MAX_MLP_RATIO, 0, 0, 0, 4, OFF(mlp_ratio), NULL, 0, -1,
     "MLP hidden width / d_model"},
    {"norm", SEC_MODEL, K_ENUM, 0, 0, 0, 0, 0, PELAB_NORM_PRE, OFF(norm), NAMES(g_norm_names), 5,
     "layer norm before each sublayer, or none"},
    {"init", SEC_MODEL, K_ENUM, 0, 0, 0, 0, 0, PELAB_INIT_PROBE, OFF(init), NAMES(g_init_names), 6,
     "weight initialisation"},
    {"token_std", SEC_MODEL, K_REAL, 0, INFINITY, 1, 0, 0, 1, OFF(token_std), NULL, 0, -1,
     "standard deviation of the initial token embeddings"},
    {"task", SEC_TRAIN, K_TASK, 0, 0, 0, 0, 1, 0, OFF(task), NULL, 0, 1, "the synthetic task (`pelab tasks`)"},
    {"steps", SEC_TRAIN, K_INT, 1, PELAB_TRAIN_MAX_STEPS, 0, 0, 0, 1000, OFF(steps), NULL, 0, 12,
     "optimizer steps"},
    {"batch", SEC_TRAIN, K_INT, 1, PELAB_TRAIN_MAX_BATCH, 0, 0, 0, 32, OFF(batch), NULL, 0, 11,
     "samples per step"},
    {"lengths", SEC_TRAIN, K_LENGTHS, 1, PELAB_TRAIN_MAX_LEN, 0, 0, 0, 0, OFF(len_from), NULL, 0, -1,
     "{from, to}: each batch's length drawn uniformly from this range"},
    {"train_len", SEC_TRAIN, K_INT, 1, PELAB_TRAIN_MAX_LEN, 0, 0, 0, 0, OFF(train_len), NULL, 0, -1,
     "one training length (lengths from = to = train_len); sweepable, unlike lengths"},
    {"train_to", SEC_TRAIN, K_INT, 1, PELAB_TRAIN_MAX_LEN, 0, 0, 0, 0, OFF(train_to), NULL, 0, -1,
     "the longest training length (lengths to; from stays); sweepable"},
    {"optimizer", SEC_TRAIN, K_ENUM, 0, 0, 0, 0, 0, PELAB_OPTIMIZER_ADAMW, OFF(optimizer),
     NAMES(g_optimizer_names), 8, "adamw or sgd (with momentum)"},
    {"lr", SEC_TRAIN, K_REAL, 0, INFINITY, 1, 0, 0, 1e-3, OFF(lr), NULL, 0, 9, "peak learning rate"},
    {"warmup", SEC_TRAIN, K_INT, 0, PELAB_TRAIN_MAX_STEPS, 0, 0, 0, -1, OFF(warmup), NULL, 0, -1,
     "linear warmup steps; default min(100, steps/10)"},
    {"schedule", SEC_TRAIN, K_ENUM, 0, 0, 0, 0, 0, PELAB_SCHEDULE_CONSTANT, OFF(schedule),
     NAMES(g_schedule_names), -1, "learning rate after warmup: constant or cosine decay"},
    {"weight_decay", SEC_TRAIN, K_REAL, 0, INFINITY, 0, 0, 0, 0.01, OFF(weight_decay), NULL, 0, -1,
     "decoupled weight decay"},
    {"momentum", SEC_TRAIN, K_REAL, 0, 1, 0, 1, 0, 0, OFF(momentum), NULL, 0, -1, "SGD momentum"},
    {"clip", SEC_TRAIN, K_REAL, 0, INFINITY, 0, 0, 0, 0, OFF(clip), NULL, 0, 10,
     "gradient norm clipping; 0 = none"},
    {"eval_lengths", SEC_TRAIN, K_EVAL, 1, PELAB_TRAIN_MAX_LEN, 0, 0, 0, 0, OFF(eval_lengths), NULL, 0, -1,
     "lengths evaluated after training; default [to, 2 to, 4 to]"},
    {"eval_samples", SEC_TRAIN, K_INT, 1, MAX_EVAL_SAMPLES, 0, 0, 0, 512, OFF(eval_samples), NULL, 0, -1,
     "fresh samples per evaluation length"},
    {"curve_every", SEC_TRAIN, K_INT, 1, PELAB_TRAIN_MAX_STEPS, 0, 0, 0, 50, OFF(curve_every), NULL, 0, -1,
     "steps between rows of curves.csv"},
    {"save", SEC_TRAIN, K_BOOL, 0, 1, 0, 0, 0, 0, OFF(save), NULL, 0, -1, "save the trained weights"},
};

#define N_KEYS ((int)(sizeof g_keys / sizeof *g_keys))
#define N_FIXED_COLS 14
enum { KEY_WARMUP_DEFAULT = 100 }; /* warmup = min(100, steps / 10) */

static int key_index(const char *name) {
    for (int i = 0; i < N_KEYS; i++)
        if (strcmp(g_keys[i].name, name) == 0) return i;
    return -1;
}

static int sweepable(const keydef *k) { return k->kind != K_LENGTHS && k->kind != K_EVAL; }

/* The names of an enum-like key (K_ENUM, K_TASK) into names[16]. */
static int choice_names(const keydef *k, const char *names[16]) {
    if (k->kind == K_TASK) {
        int n;
        const pelab_task_def *defs = pelab_task_defs(&n);
        PELAB_ASSERT(n <= 16);
        for (int i = 0; i < n; i++) names[i] = defs[i].name;
        return n;
    }
    PELAB_ASSERT(k->n_names <= 16);
    for (int i = 0; i < k->n_names; i++) names[i] = k->names[i];
    return k->n_names;
}

/* ---- numbers as text --------------------------------------------------------- */

/* The shortest %.Ng (N <= 17) that reads back as v ("0.001", not
 * "0.0010000000000000000208"); a whole number below 2^53 without an
 * exponent ("10000", not "1e+04"). There is no such helper in
 * pelab/base/numtext.h yet. */
static void fmt_real(char buf[32], double v) {
    if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        snprintf(buf, 32, "%.0f", v == 0 ? 0.0 : v); /* no "-0" */
        return;
    }
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, 32, "%.*g", p, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* "[0, 1)", "(0, inf)"... for a message. */
static void fmt_range(char *buf, size_t cap, const keydef *k) {
    char lo[32], hi[32];
    fmt_real(lo, k->lo);
    if (isinf(k->hi)) snprintf(hi, sizeof hi, "inf");
    else fmt_real(hi, k->hi);
    snprintf(buf, cap, "%s%s, %s%s", k->lo_open ? "(" : "[", lo, hi, k->hi_open || isinf(k->hi) ? ")" : "]");
}

/* ---- settings fields through the table --------------------------------------- */

static void set_field(pelab_train_settings *s, const pelab_train_config *cfg, const keydef *k, double v) {
    char *p = (char *)s + k->off;
    if (k->kind == K_REAL) {
        memcpy(p, &v, sizeof v);
    } else if (k->kind == K_SCHEME) {
        s->scheme = &cfg->schemes[(int)v];
    } else {
        int x = (int)v;
        memcpy(p, &x, sizeof x);
    }
}

static double get_field(const pelab_train_settings *s, const keydef *k) {
    const char *p = (const char *)s + k->off;
    if (k->kind == K_REAL) {
        double v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    int x;
    memcpy(&x, p, sizeof x);
    return x;
}

/* The text of value v of key k (not K_SCHEME, K_LENGTHS or K_EVAL). *quote
 * (may be NULL) is set when the value is a name (a JSON string). */
static const char *value_text(char buf[32], const keydef *k, double v, int *quote) {
    int q = 0;
    switch (k->kind) {
    case K_REAL: fmt_real(buf, v); break;
    case K_BOOL: snprintf(buf, 32, "%s", v != 0 ? "true" : "false"); break;
    case K_ENUM: q = 1, snprintf(buf, 32, "%s", k->names[(int)v]); break;
    case K_TASK: q = 1, snprintf(buf, 32, "%s", pelab_task_def_get((pelab_task_id)(int)v)->name); break;
    default: snprintf(buf, 32, "%d", (int)v); break;
    }
    if (quote) *quote = q;
    return buf;
}

/* The text of key k in settings s (a scheme's name for scheme). */
static const char *settings_text(char buf[32], const keydef *k, const pelab_train_settings *s) {
    if (k->kind == K_SCHEME) return s->scheme ? s->scheme->name : "";
    return value_text(buf, k, get_field(s, k), NULL);
}

/* ---- the schema walk's state ------------------------------------------------- */

typedef pelab_yaml_node node;

typedef struct ctx {
    pelab_yaml_doc y;
    const char *display;
    pelab_yaml_schemes schemes;       /* the `schemes:` variants                   */
    int axis_of[N_KEYS];              /* index into cfg->axes, or -1               */
    node *sweep_key[N_KEYS];          /* the key node under sweep:                 */
    node **axis_at[N_KEYS];           /* each axis value's node                    */
    node *given_key[N_KEYS];          /* the key node in its section               */
    node *given_val[N_KEYS];
    node *from_at;                    /* lengths from (or the one length), as given */
    node *to_at;                      /* lengths to (or the one length), as given   */
    node **eval_at;                   /* eval_lengths, as given (before sorting)   */
    int *eval_given, n_eval_given;
} ctx;

/* A finite number in k's range, read from n. */
static int get_real_in(ctx *c, const node *n, const keydef *k, double *out) {
    char q[QBUF], r[128], lo[32];
    if (pelab_yaml_get_real(&c->y, n, k->name, out)) return -1;
    if (*out < k->lo || (k->lo_open && *out == k->lo) || *out > k->hi || (k->hi_open && *out == k->hi)) {
        fmt_real(lo, k->lo);
        if (isinf(k->hi) && k->lo_open) snprintf(r, sizeof r, "greater than %s", lo);
        else if (isinf(k->hi)) snprintf(r, sizeof r, "at least %s", lo);
        else {
            char b[80];
            fmt_range(b, sizeof b, k);
            snprintf(r, sizeof r, "in %s", b);
        }
        return pelab_yaml_fail(&c->y, n, "%s must be %s, found %s", k->name, r, pelab_yaml_quote(q, n->text, n->len));
    }
    return 0;
}

/* One scalar value of key k (not K_SCHEME, K_LENGTHS, K_EVAL) from n. */
static int get_scalar(ctx *c, const node *n, const keydef *k, double *out) {
    int x;
    switch (k->kind) {
    case K_INT:
        if (pelab_yaml_get_int32(&c->y, n, k->name, (long long)k->lo, (long long)k->hi, &x)) return -1;
        *out = x;
        return 0;
    case K_REAL: return get_real_in(c, n, k, out);
    case K_BOOL:
        if (pelab_yaml_get_bool(&c->y, n, k->name, &x)) return -1;
        *out = x;
        return 0;
    case K_ENUM:
    case K_TASK: {
        const char *names[16];
        int nn = choice_names(k, names);
        if (pelab_yaml_get_choice(&c->y, n, k->name, names, nn, &x)) return -1;
        *out = x;
        return 0;
    }
    default: PELAB_ASSERT(0); return -1;
    }
}

/* Reads the axis of key k (its value v under sweep:) into ax; the nodes of
 * its values into c->axis_at[ki]. */
static int read_axis(ctx *c, pelab_train_config *cfg, int ki, node *v, pelab_train_axis *ax) {
    const keydef *k = &g_keys[ki];
    node *single, *const *items = NULL;
    int n = 0, rc;
    ax->key = k->name;
    if (k->kind == K_SCHEME) {
        rc = pelab_yaml_scheme_axis(&c->y, &c->schemes, v, &cfg->schemes, &cfg->n_schemes);
        if (rc) return -1;
        ax->count = cfg->n_schemes;
        ax->values = pelab_xmalloc((size_t)ax->count * sizeof *ax->values);
        for (int i = 0; i < ax->count; i++) ax->values[i] = i;
        if (pelab_yaml_axis_items(&c->y, v, k->name, &single, &items, &n) == 0 && n == ax->count) {
            c->axis_at[ki] = pelab_xmalloc((size_t)n * sizeof *c->axis_at[ki]);
            for (int i = 0; i < n; i++) c->axis_at[ki][i] = items[i];
        }
        return 0;
    }
    if (k->kind == K_INT) {
        int *vals = NULL;
        rc = pelab_yaml_int_axis(&c->y, v, k->name, (long long)k->lo, (long long)k->hi, MAX_CELLS, &vals,
                                 &c->axis_at[ki], &ax->count);
        if (rc == 0) {
            ax->values = pelab_xmalloc((size_t)ax->count * sizeof *ax->values);
            for (int i = 0; i < ax->count; i++) ax->values[i] = vals[i];
        }
        free(vals);
        return rc;
    }
    rc = pelab_yaml_axis_items(&c->y, v, k->name, &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2)
        return pelab_yaml_fail_type(&c->y, v,
                                    k->kind == K_REAL   ? "a number or a list of numbers"
                                    : k->kind == K_BOOL ? "true, false or a list of them"
                                                        : "a name or a list of names",
                                    k->name);
    ax->values = pelab_xmalloc((size_t)n * sizeof *ax->values);
    c->axis_at[ki] = pelab_xmalloc((size_t)n * sizeof *c->axis_at[ki]);
    for (int i = 0; i < n; i++) {
        char q[QBUF];
        c->axis_at[ki][i] = items[i];
        if (get_scalar(c, items[i], k, &ax->values[i])) return -1;
        ax->count = i + 1;
        for (int j = 0; j < i; j++)
            if (ax->values[j] == ax->values[i])
                return pelab_yaml_fail(&c->y, items[i], "duplicate value %s%s%s in %s (first at %d:%d)",
                                       k->kind == K_ENUM || k->kind == K_TASK ? "'" : "",
                                       pelab_yaml_quote(q, items[i]->text, items[i]->len),
                                       k->kind == K_ENUM || k->kind == K_TASK ? "'" : "", k->name, items[j]->line,
                                       items[j]->col);
    }
    return 0;
}

/* "unknown key 'k' in WHERE (did you mean ...)" or, for a key of another
 * section, "'k' belongs under S:, not WHERE". */
static int fail_key(ctx *c, const node *key, int sec) {
    const char *cands[N_KEYS + 8], *where = sec >= 0 ? g_section_names[sec] : "";
    char q[QBUF], sug[2 * QBUF], list[512], here[32];
    int n = 0, ki = key_index(key->text);
    if (sec >= 0) snprintf(here, sizeof here, "under %s:", where);
    else snprintf(here, sizeof here, "at the top level");
    if (ki >= 0) {
        const keydef *k = &g_keys[ki];
        if (k->sec == SEC_SWEEP || !sweepable(k))
            return pelab_yaml_fail(&c->y, key, "'%s' belongs under %s:, not %s", k->name, g_section_names[k->sec],
                                   here);
        return pelab_yaml_fail(&c->y, key, "'%s' belongs under %s: (or sweep: as an axis), not %s", k->name,
                               g_section_names[k->sec], here);
    }
    for (int i = 0; i < N_KEYS; i++) {
        const keydef *k = &g_keys[i];
        if (sec == SEC_SWEEP ? sweepable(k) : (int)k->sec == sec) cands[n++] = k->name;
    }
    if (*pelab_suggest(sug, sizeof sug, key->text, cands, n))
        return pelab_yaml_fail(&c->y, key, "unknown key '%s' in %s%s", pelab_yaml_quote(q, key->text, key->len),
                               where, sug);
    return pelab_yaml_fail(&c->y, key, "unknown key '%s' in %s (the keys here: %s)",
                           pelab_yaml_quote(q, key->text, key->len), where,
                           pelab_suggest_list(list, sizeof list, cands, n));
}

/* Parses sweep: in the order written: every key an axis. */
static int parse_sweep(ctx *c, pelab_train_config *cfg, node *sw) {
    long long cells = 1;
    if (sw->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, sw, "a mapping", "sweep");
    node *sl_key;
    if (pelab_yaml_map_get(sw, "seq_len", &sl_key))
        return pelab_yaml_fail(&c->y, sl_key,
                               "a training config has no seq_len axis: sequence lengths come from train: lengths "
                               "and eval_lengths");
    for (int i = 0; i + 1 < sw->n; i += 2) {
        node *key = sw->kids[i];
        int ki = key_index(key->text);
        if (ki < 0) return fail_key(c, key, SEC_SWEEP);
        if (!sweepable(&g_keys[ki]))
            return pelab_yaml_fail(&c->y, key, "'%s' is not a scalar key and cannot be a sweep axis: give it under %s:",
                                   g_keys[ki].name, g_section_names[g_keys[ki].sec]);
    }
    cfg->axes = pelab_xcalloc((size_t)(sw->n / 2 ? sw->n / 2 : 1), sizeof *cfg->axes);
    for (int i = 0; i + 1 < sw->n; i += 2) {
        int ki = key_index(sw->kids[i]->text);
        c->axis_of[ki] = cfg->n_axes;
        c->sweep_key[ki] = sw->kids[i];
        cfg->n_axes++;
        if (read_axis(c, cfg, ki, sw->kids[i + 1], &cfg->axes[cfg->n_axes - 1])) return -1;
        /* counted as the axes are read, so that a sweep far too large is
         * refused before all its ranges are expanded (each product <= 10^6
         * times one axis, no overflow) */
        cells *= cfg->axes[cfg->n_axes - 1].count;
        if (cells > MAX_CELLS)
            return pelab_yaml_fail(&c->y, sw, "the sweep has more than %d cells (the axes up to '%s' give %lld)",
                                   MAX_CELLS, g_keys[ki].name, cells);
    }
    cfg->n_cells = (size_t)cells;
    return 0;
}

/* Parses lengths: {from, to} (either may be left at its default) or one
 * integer n (from = to = n). */
static int parse_lengths(ctx *c, pelab_train_settings *s, const keydef *k, node *v) {
    static const char *const keys[] = {"from", "to"};
    node *nf, *nt;
    if (v->kind == PELAB_YAML_KIND_SCALAR) {
        if (pelab_yaml_get_int32(&c->y, v, "lengths", (long long)k->lo, (long long)k->hi, &s->len_from)) return -1;
        s->len_to = s->len_from;
        c->from_at = c->to_at = v;
        return 0;
    }
    if (v->kind != PELAB_YAML_KIND_MAP)
        return pelab_yaml_fail_type(&c->y, v, "a mapping {from, to} or an integer", "lengths");
    if (pelab_yaml_check_keys(&c->y, v, keys, 2, " in lengths")) return -1;
    if ((nf = pelab_yaml_map_get(v, "from", NULL))) {
        if (pelab_yaml_get_int32(&c->y, nf, "lengths from", (long long)k->lo, (long long)k->hi, &s->len_from))
            return -1;
        c->from_at = nf;
    }
    if ((nt = pelab_yaml_map_get(v, "to", NULL))) {
        if (pelab_yaml_get_int32(&c->y, nt, "lengths to", (long long)k->lo, (long long)k->hi, &s->len_to)) return -1;
        c->to_at = nt;
    }
    if (s->len_from > s->len_to)
        return pelab_yaml_fail(&c->y, nf ? nf : v, "lengths from %d is greater than to %d", s->len_from, s->len_to);
    return 0;
}

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Parses eval_lengths: a list of lengths (or a range, or one length), no
 * duplicates. They are kept as given here and sorted into the settings
 * later: the order they are written in does not matter. */
static int parse_eval(ctx *c, const keydef *k, node *v) {
    if (v->kind == PELAB_YAML_KIND_SEQ && v->n > PELAB_TRAIN_MAX_EVAL)
        return pelab_yaml_fail(&c->y, v, "eval_lengths has %d values, more than the limit of %d", v->n,
                               PELAB_TRAIN_MAX_EVAL);
    if (pelab_yaml_int_axis(&c->y, v, "eval_lengths", (long long)k->lo, (long long)k->hi, MAX_CELLS, &c->eval_given,
                            &c->eval_at, &c->n_eval_given))
        return -1;
    if (c->n_eval_given > PELAB_TRAIN_MAX_EVAL)
        return pelab_yaml_fail(&c->y, v, "eval_lengths has %d values, more than the limit of %d", c->n_eval_given,
                               PELAB_TRAIN_MAX_EVAL);
    return 0;
}

/* Parses model: or train: (sec), filling the keys given into base. */
static int parse_section(ctx *c, pelab_train_config *cfg, node *m, int sec) {
    const char *sname = g_section_names[sec];
    if (m->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, m, "a mapping", sname);
    for (int i = 0; i + 1 < m->n; i += 2) {
        node *key = m->kids[i], *v = m->kids[i + 1];
        int ki = key_index(key->text);
        const keydef *k;
        double x;
        if (ki < 0 || (int)g_keys[ki].sec != sec) return fail_key(c, key, sec);
        k = &g_keys[ki];
        if (c->sweep_key[ki])
            return pelab_yaml_fail(&c->y, key, "'%s' is swept under sweep: (line %d); remove it from %s:", k->name,
                                   c->sweep_key[ki]->line, sname);
        c->given_key[ki] = key;
        c->given_val[ki] = v;
        if (k->kind == K_LENGTHS) {
            if (parse_lengths(c, &cfg->base, k, v)) return -1;
        } else if (k->kind == K_EVAL) {
            if (parse_eval(c, k, v)) return -1;
        } else {
            if (get_scalar(c, v, k, &x)) return -1;
            set_field(&cfg->base, cfg, k, x);
        }
    }
    return 0;
}

/* The values key ki takes over the sweep: the axis's, or the one in base. */
static int key_values(const ctx *c, const pelab_train_config *cfg, int ki, const double **vals, double *one) {
    if (c->axis_of[ki] >= 0) {
        *vals = cfg->axes[c->axis_of[ki]].values;
        return cfg->axes[c->axis_of[ki]].count;
    }
    *one = get_field(&cfg->base, &g_keys[ki]);
    *vals = one;
    return 1;
}

/* The node that gave key ki (its key under sweep: or in its section), or NULL. */
static node *key_node(const ctx *c, int ki) { return c->sweep_key[ki] ? c->sweep_key[ki] : c->given_key[ki]; }

/* train_len and train_to against lengths and each other, each value against
 * lengths from and every task's shortest length; one value of either goes
 * into base (so the default eval_lengths follow it); a swept one needs
 * eval_lengths given (the default would differ between cells). */
static int check_lengths(ctx *c, pelab_train_config *cfg) {
    const int il = key_index("train_len"), ito = key_index("train_to"), it = key_index("task");
    const int il_ev = key_index("eval_lengths");
    node *nl = key_node(c, il), *nto = key_node(c, ito);
    if (!nl && !nto) return 0;
    if (nl && nto) return pelab_yaml_fail(&c->y, nto, "train_to and train_len contradict each other: train_len fixes both ends");
    if (nl && c->given_key[key_index("lengths")])
        return pelab_yaml_fail(&c->y, nl, "train_len fixes lengths from and to: remove lengths (line %d)",
                               c->given_key[key_index("lengths")]->line);
    if (nto && c->to_at)
        return pelab_yaml_fail(&c->y, nto, "train_to replaces lengths to (line %d): give lengths: {from: %d} only",
                               c->to_at->line, cfg->base.len_from);
    const int ki = nl ? il : ito;
    const double *v, *tv;
    double one, t1;
    const int n = key_values(c, cfg, ki, &v, &one), nt = key_values(c, cfg, it, &tv, &t1);
    for (int i = 0; i < n; i++) {
        node *at = c->axis_of[ki] >= 0 ? c->axis_at[ki][i] : c->given_val[ki];
        if (!nl && (int)v[i] < cfg->base.len_from)
            return pelab_yaml_fail(&c->y, at, "train_to %d is shorter than lengths from %d", (int)v[i], cfg->base.len_from);
        for (int t = 0; nl && t < nt; t++) {
            const pelab_task_def *td = pelab_task_def_get((pelab_task_id)(int)tv[t]);
            if ((int)v[i] < td->min_len)
                return pelab_yaml_fail(&c->y, at, "train_len %d is shorter than %d, the shortest length of task '%s'",
                                       (int)v[i], td->min_len, td->name);
        }
    }
    if (n > 1 && !c->given_key[il_ev])
        return pelab_yaml_fail(&c->y, key_node(c, ki), "%s is swept: give eval_lengths (the default [to, 2 to, 4 to] "
                               "would differ between cells)", g_keys[ki].name);
    if (nl) cfg->base.len_from = cfg->base.len_to = (int)v[0];
    else cfg->base.len_to = (int)v[0];
    return 0;
}

/* Checks across keys: heads divides d_model; lengths and eval_lengths fit
 * every task. */
static int check_across(ctx *c, pelab_train_config *cfg, node *train) {
    const double *hv, *dv, *tv;
    double h1, d1, t1;
    int ih = key_index("heads"), id = key_index("d_model"), it = key_index("task");
    int nh = key_values(c, cfg, ih, &hv, &h1), nd = key_values(c, cfg, id, &dv, &d1);
    int nt = key_values(c, cfg, it, &tv, &t1);
    for (int h = 0; h < nh; h++)
        for (int d = 0; d < nd; d++)
            if ((int)dv[d] % (int)hv[h] != 0)
                return pelab_yaml_fail(&c->y, c->axis_at[ih] ? c->axis_at[ih][h] : c->sweep_key[ih],
                                       "heads %d does not divide d_model %d", (int)hv[h], (int)dv[d]);
    for (int t = 0; t < nt; t++) {
        const pelab_task_def *td = pelab_task_def_get((pelab_task_id)(int)tv[t]);
        const node *tat = c->axis_of[it] >= 0 ? c->axis_at[it][t] : c->given_val[it];
        if (cfg->base.len_from < td->min_len) {
            if (c->from_at)
                return pelab_yaml_fail(&c->y, c->from_at, "lengths from %d is shorter than %d, the shortest length of task '%s'",
                                       cfg->base.len_from, td->min_len, td->name);
            return pelab_yaml_fail(&c->y, tat ? tat : train,
                                   "task '%s' needs lengths of at least %d, but lengths from is %d (the default): "
                                   "give train: lengths: {from: %d, to: ...}",
                                   td->name, td->min_len, cfg->base.len_from, td->min_len);
        }
        for (int e = 0; e < c->n_eval_given; e++)
            if (c->eval_given[e] < td->min_len)
                return pelab_yaml_fail(&c->y, c->eval_at[e],
                                       "eval length %d is shorter than %d, the shortest length of task '%s'",
                                       c->eval_given[e], td->min_len, td->name);
    }
    return 0;
}

/* ---- key columns ------------------------------------------------------------- */

static void build_key_columns(const ctx *c, pelab_train_config *cfg) {
    cfg->n_key = 0;
    for (int col = 0; col < N_FIXED_COLS; col++)
        for (int i = 0; i < N_KEYS; i++)
            if (g_keys[i].col == col) cfg->key_names[cfg->n_key++] = g_keys[i].name;
    PELAB_ASSERT(cfg->n_key == N_FIXED_COLS);
    for (int i = 0; i < N_KEYS; i++)
        if (g_keys[i].col < 0 && c->axis_of[i] >= 0) {
            PELAB_ASSERT(cfg->n_key < PELAB_TRAIN_MAX_KEY_COLUMNS);
            cfg->key_names[cfg->n_key++] = g_keys[i].name;
        }
}

/* ---- the canonical JSON ------------------------------------------------------ */

/* Value v of key k as a JSON value. */
static void json_value(pelab_strbuf *b, const pelab_train_config *cfg, const keydef *k, double v) {
    char t[32];
    int quote;
    if (k->kind == K_SCHEME) {
        pelab_strbuf_json_str(b, cfg->schemes[(int)v].name);
        return;
    }
    value_text(t, k, v, &quote);
    if (quote) pelab_strbuf_json_str(b, t);
    else pelab_strbuf_puts(b, t);
}

static void json_scheme(pelab_strbuf *b, const pelab_scheme *s) {
    const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
    char t[32];
    pelab_strbuf_json_str(b, s->name);
    pelab_strbuf_puts(b, ":{\"type\":");
    pelab_strbuf_json_str(b, def->name);
    for (int j = 0; j < def->n_params; j++) {
        if (!pelab_rope_param_applies(s, j)) continue; /* e.g. beta_fast without yarn */
        const pelab_param_def *pd = &def->params[j];
        pelab_strbuf_putc(b, ',');
        pelab_strbuf_json_str(b, pd->name);
        pelab_strbuf_putc(b, ':');
        if (pd->type == PELAB_PARAM_TYPE_INT) {
            pelab_strbuf_printf(b, "%lld", (long long)s->params[j]);
        } else if (pd->type == PELAB_PARAM_TYPE_REAL) {
            fmt_real(t, s->params[j]);
            pelab_strbuf_puts(b, t);
        } else {
            char cn[64];
            pelab_strbuf_json_str(b, pelab_param_choice_name(pd, (int)s->params[j], cn, sizeof cn));
        }
    }
    pelab_strbuf_putc(b, '}');
}

/* cfg->resolved_json and cfg->hash. What a config means, in a fixed order:
 * the key columns, the axes of more than one value (in sweep order: it is
 * the order of the cells), every other key at its one value (in schema
 * order), the schemes used. So a key written in another order, a default
 * written out, or a one-value axis of a key that is a column anyway change
 * nothing; any value, or a key becoming a column, does. */
static void build_json(const ctx *c, pelab_train_config *cfg) {
    pelab_strbuf b = PELAB_STRBUF_INIT;
    int first = 1, steps_vary = c->axis_of[key_index("steps")] >= 0 &&
                                cfg->axes[c->axis_of[key_index("steps")]].count > 1;
    pelab_strbuf_puts(&b, "{\"name\":");
    pelab_strbuf_json_str(&b, cfg->name);
    pelab_strbuf_printf(&b, ",\"seed\":%" PRIu64 ",\"trials\":%d,\"columns\":[", cfg->seed, cfg->trials);
    for (int i = 0; i < cfg->n_key; i++) {
        if (i) pelab_strbuf_putc(&b, ',');
        pelab_strbuf_json_str(&b, cfg->key_names[i]);
    }
    pelab_strbuf_puts(&b, "],\"axes\":[");
    for (int a = 0; a < cfg->n_axes; a++) {
        const pelab_train_axis *ax = &cfg->axes[a];
        const keydef *k = &g_keys[key_index(ax->key)];
        if (ax->count < 2) continue;
        if (!first) pelab_strbuf_putc(&b, ',');
        first = 0;
        pelab_strbuf_puts(&b, "{\"key\":");
        pelab_strbuf_json_str(&b, ax->key);
        pelab_strbuf_puts(&b, ",\"values\":[");
        for (int i = 0; i < ax->count; i++) {
            if (i) pelab_strbuf_putc(&b, ',');
            json_value(&b, cfg, k, ax->values[i]);
        }
        pelab_strbuf_puts(&b, "]}");
    }
    pelab_strbuf_puts(&b, "],\"settings\":{");
    first = 1;
    for (int i = 0; i < N_KEYS; i++) {
        const keydef *k = &g_keys[i];
        if (c->axis_of[i] >= 0 && cfg->axes[c->axis_of[i]].count > 1) continue;
        if ((strcmp(k->name, "train_len") == 0 || strcmp(k->name, "train_to") == 0) && get_field(&cfg->base, k) == 0)
            continue; /* not given: lengths says it all */
        if (!first) pelab_strbuf_putc(&b, ',');
        first = 0;
        pelab_strbuf_json_str(&b, k->name);
        pelab_strbuf_putc(&b, ':');
        if (k->kind == K_LENGTHS) {
            pelab_strbuf_printf(&b, "{\"from\":%d,\"to\":%d}", cfg->base.len_from, cfg->base.len_to);
        } else if (k->kind == K_EVAL) {
            pelab_strbuf_putc(&b, '[');
            for (int e = 0; e < cfg->base.n_eval; e++)
                pelab_strbuf_printf(&b, "%s%d", e ? "," : "", cfg->base.eval_lengths[e]);
            pelab_strbuf_putc(&b, ']');
        } else if (k->kind == K_SCHEME) {
            pelab_strbuf_json_str(&b, cfg->base.scheme->name);
        } else if (strcmp(k->name, "warmup") == 0 && cfg->warmup_auto && steps_vary) {
            pelab_strbuf_puts(&b, "\"min(100, steps/10)\"");
        } else {
            json_value(&b, cfg, k, get_field(&cfg->base, k));
        }
    }
    pelab_strbuf_puts(&b, "},\"schemes\":{");
    for (int i = 0; i < cfg->n_schemes; i++) {
        if (i) pelab_strbuf_putc(&b, ',');
        json_scheme(&b, &cfg->schemes[i]);
    }
    pelab_strbuf_puts(&b, "}}");
    cfg->resolved_json = pelab_strbuf_take(&b);
    cfg->hash = pelab_hash_str(cfg->resolved_json);
}

/* ---- resolve ----------------------------------------------------------------- */

static const char *const g_top_keys[] = {"name", "seed", "trials", "model", "train", "sweep", "schemes"};
#define N_TOP ((int)(sizeof g_top_keys / sizeof *g_top_keys))

static int check_top_keys(ctx *c, node *root) {
    for (int i = 0; i + 1 < root->n; i += 2) {
        node *key = root->kids[i];
        int ok = 0;
        for (int j = 0; j < N_TOP && !ok; j++) ok = strcmp(key->text, g_top_keys[j]) == 0;
        if (ok) continue;
        if (key_index(key->text) >= 0) return fail_key(c, key, -1);
        return pelab_yaml_check_keys(&c->y, root, g_top_keys, N_TOP, "");
    }
    return 0;
}

static int resolve(ctx *c, pelab_train_config *cfg, node *root) {
    node *v, *sweep, *train, *model;
    const char *s;
    int ki;

    if (root->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, root, "a mapping", "the top level");
    if (check_top_keys(c, root)) return -1;
    if (!(v = pelab_yaml_map_require(&c->y, root, "name", "")) || pelab_yaml_get_str(&c->y, v, "name", &s) ||
        pelab_yaml_check_name(&c->y, v, "name", s, NAME_MAX_LEN))
        return -1;
    snprintf(cfg->name, sizeof cfg->name, "%s", s);
    cfg->seed = 1;
    if ((v = pelab_yaml_map_get(root, "seed", NULL)) && pelab_yaml_get_u64(&c->y, v, "seed", &cfg->seed)) return -1;
    cfg->trials = 1;
    if ((v = pelab_yaml_map_get(root, "trials", NULL)) &&
        pelab_yaml_get_int32(&c->y, v, "trials", 1, MAX_TRIALS, &cfg->trials))
        return -1;
    if ((v = pelab_yaml_map_get(root, "schemes", NULL)) && pelab_yaml_scheme_variants(&c->y, &c->schemes, v))
        return -1;

    /* defaults first; the sections and the axes overwrite them */
    for (int i = 0; i < N_KEYS; i++)
        if (sweepable(&g_keys[i]) && g_keys[i].kind != K_SCHEME) set_field(&cfg->base, cfg, &g_keys[i], g_keys[i].def);
    cfg->base.len_from = 8;
    cfg->base.len_to = 16;

    if (!(sweep = pelab_yaml_map_require(&c->y, root, "sweep", "")) || parse_sweep(c, cfg, sweep)) return -1;
    if ((model = pelab_yaml_map_get(root, "model", NULL)) && parse_section(c, cfg, model, SEC_MODEL)) return -1;
    if (!(train = pelab_yaml_map_require(&c->y, root, "train", "")) || parse_section(c, cfg, train, SEC_TRAIN))
        return -1;

    /* required keys */
    for (int i = 0; i < N_KEYS; i++) {
        const keydef *k = &g_keys[i];
        if (!k->required || c->axis_of[i] >= 0 || c->given_key[i]) continue;
        if (k->sec == SEC_SWEEP) return pelab_yaml_fail(&c->y, sweep, "missing required key '%s' in sweep", k->name);
        return pelab_yaml_fail(&c->y, train, "missing required key '%s' in %s (or sweep it under sweep:)", k->name,
                               g_section_names[k->sec]);
    }

    /* swept keys at their first value */
    for (int a = 0; a < cfg->n_axes; a++)
        set_field(&cfg->base, cfg, &g_keys[key_index(cfg->axes[a].key)], cfg->axes[a].values[0]);

    if (check_lengths(c, cfg)) return -1;
    if (check_across(c, cfg, train)) return -1;

    /* eval_lengths: as given, sorted (the order written does not matter: the
     * evaluation is per length), or [to, 2 to, 4 to] up to the limit */
    if (c->eval_given) {
        cfg->base.n_eval = c->n_eval_given;
        memcpy(cfg->base.eval_lengths, c->eval_given, (size_t)c->n_eval_given * sizeof *c->eval_given);
        qsort(cfg->base.eval_lengths, (size_t)cfg->base.n_eval, sizeof *cfg->base.eval_lengths, cmp_int);
    } else {
        cfg->base.n_eval = 0;
        for (long long e = cfg->base.len_to; e <= 4LL * cfg->base.len_to && e <= PELAB_TRAIN_MAX_LEN; e *= 2)
            cfg->base.eval_lengths[cfg->base.n_eval++] = (int)e;
    }

    ki = key_index("warmup");
    cfg->warmup_auto = c->axis_of[ki] < 0 && !c->given_key[ki];
    if (cfg->warmup_auto)
        cfg->base.warmup = cfg->base.steps / 10 < KEY_WARMUP_DEFAULT ? cfg->base.steps / 10 : KEY_WARMUP_DEFAULT;

    build_key_columns(c, cfg);
    build_json(c, cfg);
    return 0;
}

/* ---- public ------------------------------------------------------------------ */

static void ctx_free(ctx *c) {
    pelab_yaml_free(&c->y);
    pelab_yaml_schemes_free(&c->schemes);
    for (int i = 0; i < N_KEYS; i++) free(c->axis_at[i]);
    free(c->eval_at);
    free(c->eval_given);
}

/* a training config's limits are every config's (pelab/yaml/yaml.h) */
static const pelab_yaml_limits g_limits = PELAB_YAML_LIMITS_DEFAULT;

static void ctx_init(ctx *c, const char *display) {
    memset(c, 0, sizeof *c);
    c->display = display;
    for (int i = 0; i < N_KEYS; i++) c->axis_of[i] = -1;
}

static pelab_status load_doc(pelab_train_config *cfg, ctx *c, int parsed) {
    int rc = -1;
    if (parsed == 0) {
        if (!c->y.root) pelab_yaml_fail_pos(&c->y, 1, 1, "config is empty");
        else rc = resolve(c, cfg, c->y.root);
    }
    ctx_free(c);
    if (rc) {
        pelab_train_config_free(cfg);
        return PELAB_STATUS_CONFIG;
    }
    snprintf(cfg->path, sizeof cfg->path, "%s", c->display);
    return PELAB_STATUS_OK;
}

pelab_status pelab_train_config_load_buffer(pelab_train_config *cfg, const char *text, size_t len,
                                            const char *display_path, pelab_error *err) {
    ctx c;
    memset(cfg, 0, sizeof *cfg);
    ctx_init(&c, display_path ? display_path : "<config>");
    if (len > g_limits.max_bytes)
        return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: config is %zu bytes, larger than the limit of %zu",
                               c.display, len, g_limits.max_bytes);
    if (!text && len) return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: no config text", c.display);
    return load_doc(cfg, &c, pelab_yaml_parse(&c.y, text ? text : "", len, c.display, &g_limits, err));
}

pelab_status pelab_train_config_load(pelab_train_config *cfg, const char *path, pelab_error *err) {
    ctx c;
    memset(cfg, 0, sizeof *cfg);
    ctx_init(&c, path);
    return load_doc(cfg, &c, pelab_yaml_load_file(&c.y, path, "config", &g_limits, err));
}

void pelab_train_config_free(pelab_train_config *cfg) {
    if (!cfg) return;
    if (cfg->axes)
        for (int a = 0; a < cfg->n_axes; a++) free(cfg->axes[a].values);
    free(cfg->axes);
    free(cfg->schemes);
    free(cfg->resolved_json);
    memset(cfg, 0, sizeof *cfg);
}

int pelab_train_config_detect(const char *text, size_t len) {
    pelab_yaml_doc y;
    pelab_error err;
    int r = 0;
    if (!text || len > g_limits.max_bytes) return 0;
    memset(&y, 0, sizeof y);
    if (pelab_yaml_parse(&y, text, len, "<detect>", &g_limits, &err) == 0 && y.root &&
        y.root->kind == PELAB_YAML_KIND_MAP && pelab_yaml_map_get(y.root, "train", NULL))
        r = 1;
    pelab_yaml_free(&y);
    return r;
}

void pelab_train_config_cell(pelab_train_settings *s, const pelab_train_config *cfg, size_t i) {
    PELAB_ASSERT(i < cfg->n_cells);
    *s = cfg->base;
    for (int a = cfg->n_axes - 1; a >= 0; a--) {
        const pelab_train_axis *ax = &cfg->axes[a];
        size_t n = (size_t)ax->count;
        set_field(s, cfg, &g_keys[key_index(ax->key)], ax->values[i % n]);
        i /= n;
    }
    if (cfg->warmup_auto) s->warmup = s->steps / 10 < KEY_WARMUP_DEFAULT ? s->steps / 10 : KEY_WARMUP_DEFAULT;
    if (s->train_len > 0) s->len_from = s->len_to = s->train_len;
    if (s->train_to > 0) s->len_to = s->train_to;
}

/* The key columns of s, joined: sep between columns, "name=" before each
 * value when named. */
static int join_key(char *buf, size_t cap, const pelab_train_config *cfg, const pelab_train_settings *s,
                    const char *sep, int named) {
    size_t len = 0;
    for (int i = 0; i < cfg->n_key; i++) {
        char t[32];
        const keydef *k = &g_keys[key_index(cfg->key_names[i])];
        int w = snprintf(len < cap ? buf + len : NULL, len < cap ? cap - len : 0, "%s%s%s%s", i ? sep : "",
                         named ? k->name : "", named ? "=" : "", settings_text(t, k, s));
        if (w < 0) return w;
        len += (size_t)w;
    }
    if (cap && len == 0) buf[0] = '\0';
    return (int)len;
}

int pelab_train_config_key(char *buf, size_t cap, const pelab_train_config *cfg, const pelab_train_settings *s) {
    return join_key(buf, cap, cfg, s, ",", 0);
}

int pelab_train_config_describe(char *buf, size_t cap, const pelab_train_config *cfg, const pelab_train_settings *s) {
    return join_key(buf, cap, cfg, s, " ", 1);
}
