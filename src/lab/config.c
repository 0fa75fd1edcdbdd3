/* config.c — see pelab/lab/config.h
 *
 * The text goes through the one YAML front end (pelab/yaml/yaml.h: bytes,
 * tree, whole-tree checks); then the schema walk below fills pelab_config,
 * refusing the first problem with one located message; then the canonical
 * JSON and its hash. Scheme parameters are validated from the registry in
 * pe/encoding.c alone. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "pelab/lab/config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pelab/base/fileio.h"
#include "pelab/base/keyed.h"
#include "pelab/base/mem.h"
#include "pelab/base/numtext.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/base/strbuf.h"
#include "pelab/io/table.h"
#include "pelab/base/suggest.h"
#include "pelab/pe/encoding.h"
#include "pelab/pe/rope.h"
#include "pelab/yaml/axis.h"
#include "pelab/yaml/schemes.h"
#include "pelab/yaml/yaml.h"

#if defined(__GNUC__)
#define CFG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CFG_PRINTF(a, b)
#endif

#define CSV_MAX_VALUES (1 << 26) /* values in an inputs file (512 MiB of doubles) */
#define QBUF PELAB_YAML_QBUF      /* a user string quoted into a message           */

/* ---- names of the enums ---------------------------------------------------- */

static const char *const g_permutation_names[PELAB_PERMUTATION_COUNT] = {"random", "reverse",
                                                                         "swap_adjacent"};
static const char *const g_input_kind_names[PELAB_INPUT_KIND_COUNT] = {"random", "file",
                                                                       "sentences"};

const char *pelab_permutation_str(pelab_permutation p) {
    return (unsigned)p < PELAB_PERMUTATION_COUNT ? g_permutation_names[p] : "unknown";
}

const char *pelab_input_kind_str(pelab_input_kind k) {
    return (unsigned)k < PELAB_INPUT_KIND_COUNT ? g_input_kind_names[k] : "unknown";
}

/* ---- the schema walk's state ------------------------------------------------ */

typedef pelab_yaml_node node;
typedef pelab_keyed keyed;

typedef struct ctx {
    pelab_yaml_doc y;     /* the tree, and where failures go                 */
    const char *display;  /* the config's name in messages                   */
    const char *base_dir; /* folder of relative input files                  */
    pelab_error *err;
    /* where each axis value came from, for errors found across axes */
    node **seq_len_at, **d_model_at, **heads_at;
    node *seq_len_key, *d_model_key;
    pelab_yaml_schemes schemes; /* the `schemes:` variants */
    keyed *token_index;   /* tokens sorted by name   */
    const char *input_file; /* inputs: {file: ...} as written */
} ctx;

/* quote() of a NUL-terminated string. */
static const char *qs(char buf[QBUF], const char *s) { return pelab_yaml_quote(buf, s, strlen(s)); }

/* ---- scalars ----------------------------------------------------------------- */

/* ---- mappings ---------------------------------------------------------------- */

/* ---- sweep axes -------------------------------------------------------------- */

static const char *const g_sweep_keys[] = {"seq_len", "d_model", "scheme", "heads",
                                           "mask",    "projection", "dtype"};

/* Copies an int axis of enum indices into an enum array (enums may not be int-sized). */
#define ENUM_AXIS(dst, type, src, n)                                                       \
    do {                                                                                   \
        (dst) = pelab_xmalloc((size_t)(n) * sizeof *(dst));                                \
        for (int i_ = 0; i_ < (n); i_++) (dst)[i_] = (type)(src)[i_];                       \
    } while (0)

/* Parses `sweep`. Every axis value is checked alone here; checks across
 * axes and inputs come later. */
static int parse_sweep(ctx *c, pelab_config *cfg, node *sw) {
    node *v, *key;
    int *tmp = NULL, n = 0;
    if (sw->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, sw, "a mapping", "sweep");
    if (pelab_yaml_check_keys(&c->y, sw, g_sweep_keys, 7, " in sweep")) return -1;

    v = pelab_yaml_map_get(sw, "seq_len", &key);
    c->seq_len_key = key;
    if (v && cfg->input == PELAB_INPUT_KIND_SENTENCES)
        return pelab_yaml_fail(&c->y, key, "seq_len comes from the sentences: remove it from sweep");
    if (!v && cfg->input != PELAB_INPUT_KIND_SENTENCES)
        return pelab_yaml_fail(&c->y, sw, "missing required key 'seq_len' in sweep");
    if (v && pelab_yaml_int_axis(&c->y, v, "seq_len", 1, PELAB_CONFIG_MAX_SEQ_LEN, PELAB_CONFIG_MAX_CELLS, &cfg->seq_len, &c->seq_len_at,
                            &cfg->n_seq_len))
        return -1;

    v = pelab_yaml_map_get(sw, "d_model", &key);
    c->d_model_key = key;
    if (!v && cfg->input == PELAB_INPUT_KIND_RANDOM)
        return pelab_yaml_fail(&c->y, sw, "missing required key 'd_model' in sweep");
    if (v && pelab_yaml_int_axis(&c->y, v, "d_model", 1, PELAB_CONFIG_MAX_D_MODEL, PELAB_CONFIG_MAX_CELLS, &cfg->d_model, &c->d_model_at,
                            &cfg->n_d_model))
        return -1;

    if (!(v = pelab_yaml_map_require(&c->y, sw, "scheme", " in sweep")) || pelab_yaml_scheme_axis(&c->y, &c->schemes, v, &cfg->schemes, &cfg->n_schemes)) return -1;

    if ((v = pelab_yaml_map_get(sw, "heads", NULL))) {
        if (pelab_yaml_int_axis(&c->y, v, "heads", 1, PELAB_CONFIG_MAX_D_MODEL, PELAB_CONFIG_MAX_CELLS, &cfg->heads, &c->heads_at,
                           &cfg->n_heads))
            return -1;
    } else {
        cfg->heads = pelab_xmalloc(sizeof *cfg->heads);
        cfg->heads[0] = 1;
        cfg->n_heads = 1;
    }

    if ((v = pelab_yaml_map_get(sw, "mask", NULL))) {
        const char *names[PELAB_MASK_COUNT];
        for (int i = 0; i < PELAB_MASK_COUNT; i++) names[i] = pelab_mask_str((pelab_mask)i);
        if (pelab_yaml_enum_axis(&c->y, v, "mask", names, PELAB_MASK_COUNT, &tmp, &n)) goto fail;
    } else {
        tmp = pelab_xcalloc(1, sizeof *tmp), n = 1; /* none */
    }
    ENUM_AXIS(cfg->masks, pelab_mask, tmp, n);
    cfg->n_masks = n;
    free(tmp), tmp = NULL;

    if ((v = pelab_yaml_map_get(sw, "projection", NULL))) {
        const char *names[PELAB_PROJECTION_COUNT];
        for (int i = 0; i < PELAB_PROJECTION_COUNT; i++) names[i] = pelab_projection_str((pelab_projection)i);
        if (pelab_yaml_enum_axis(&c->y, v, "projection", names, PELAB_PROJECTION_COUNT, &tmp, &n)) goto fail;
    } else {
        tmp = pelab_xmalloc(sizeof *tmp), n = 1;
        tmp[0] = PELAB_PROJECTION_RANDOM;
    }
    ENUM_AXIS(cfg->projections, pelab_projection, tmp, n);
    cfg->n_projections = n;
    free(tmp), tmp = NULL;

    if ((v = pelab_yaml_map_get(sw, "dtype", NULL))) {
        const char *names[PELAB_DTYPE_COUNT];
        for (int i = 0; i < PELAB_DTYPE_COUNT; i++) names[i] = pelab_dtype_str((pelab_dtype)i);
        if (pelab_yaml_enum_axis(&c->y, v, "dtype", names, PELAB_DTYPE_COUNT, &tmp, &n)) goto fail;
    } else {
        tmp = pelab_xcalloc(1, sizeof *tmp), n = 1; /* f32 */
    }
    ENUM_AXIS(cfg->dtypes, pelab_dtype, tmp, n);
    cfg->n_dtypes = n;
    free(tmp);
    return 0;
fail:
    free(tmp);
    return -1;
}

/* ---- scheme variants --------------------------------------------------------- */

/* ---- tokens and sentences ---------------------------------------------------- */

/* 1 if s is a valid token name: non-empty, no whitespace or control bytes. */
static int token_chars_ok(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7F) return 0;
    return 1;
}

/* Parses `tokens:` {name: [numbers]}: names unique, vectors of one length. */
static int parse_tokens(ctx *c, pelab_config *cfg, node *m) {
    int n, dim = 0, first, dup;
    char q[QBUF], q2[QBUF];
    if (m->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, m, "a mapping of token names to vectors", "tokens");
    if (m->n == 0) return pelab_yaml_fail(&c->y, m, "tokens is empty");
    n = m->n / 2;
    cfg->token_names = pelab_xcalloc((size_t)n, sizeof *cfg->token_names);
    for (int i = 0; i < n; i++) {
        node *k = m->kids[2 * i], *v = m->kids[2 * i + 1];
        char what[QBUF + 16];
        if (!token_chars_ok(k->text))
            return pelab_yaml_fail(&c->y, k, "invalid token name '%s': it must be non-empty, without whitespace",
                           pelab_yaml_quote(q, k->text, k->len));
        if (k->len > PELAB_NAME_MAX - 1)
            return pelab_yaml_fail(&c->y, k, "token name '%s' is longer than %d characters", pelab_yaml_quote(q, k->text, k->len),
                           PELAB_NAME_MAX - 1);
        snprintf(what, sizeof what, "token '%s'", qs(q, k->text));
        if (v->kind != PELAB_YAML_KIND_SEQ) return pelab_yaml_fail_type(&c->y, v, "a list of numbers", what);
        if (v->n == 0) return pelab_yaml_fail(&c->y, v, "empty list for %s", what);
        if (i == 0) {
            if (v->n > PELAB_CONFIG_MAX_D_MODEL)
                return pelab_yaml_fail(&c->y, v, "%s has %d values, more than the d_model limit of %d", what, v->n,
                               PELAB_CONFIG_MAX_D_MODEL);
            dim = v->n;
            cfg->token_dim = dim;
            cfg->token_vectors = pelab_xmalloc((size_t)n * (size_t)dim * sizeof *cfg->token_vectors);
        } else if (v->n != dim) {
            return pelab_yaml_fail(&c->y, v, "%s has %d values, but token '%s' has %d: all vectors need the same length",
                           what, v->n, qs(q2, m->kids[0]->text), dim);
        }
        for (int j = 0; j < dim; j++)
            if (pelab_yaml_get_real(&c->y, v->kids[j], what, &cfg->token_vectors[(size_t)i * (size_t)dim + (size_t)j]))
                return -1;
        memcpy(cfg->token_names[i], k->text, k->len + 1);
        cfg->n_tokens = i + 1;
    }
    c->token_index = pelab_xmalloc((size_t)n * sizeof *c->token_index);
    for (int i = 0; i < n; i++) {
        c->token_index[i].s = cfg->token_names[i];
        c->token_index[i].len = strlen(cfg->token_names[i]);
        c->token_index[i].v = 0;
        c->token_index[i].idx = i;
    }
    if (pelab_keyed_find_dup(c->token_index, n, &first, &dup)) /* cannot happen: keys are unique */
        return pelab_yaml_fail(&c->y, m->kids[2 * dup], "duplicate token '%s'", qs(q, cfg->token_names[dup]));
    return 0;
}

/* Index of token word (len bytes) or a located error at n with the nearest name. */
static int find_token(ctx *c, const pelab_config *cfg, const node *n, const char *word, size_t len, int *out) {
    char buf[PELAB_NAME_MAX], q[QBUF], sug[2 * QBUF];
    const char **names;
    int i = -1;
    if (len < sizeof buf) {
        memcpy(buf, word, len);
        buf[len] = '\0';
        i = pelab_keyed_find(c->token_index, cfg->n_tokens, buf);
    }
    if (i >= 0) {
        *out = i;
        return 0;
    }
    names = pelab_xmalloc((size_t)cfg->n_tokens * sizeof *names);
    for (int j = 0; j < cfg->n_tokens; j++) names[j] = cfg->token_names[j];
    if (len < sizeof buf) pelab_suggest(sug, sizeof sug, buf, names, cfg->n_tokens);
    else sug[0] = '\0';
    free(names);
    return pelab_yaml_fail(&c->y, n, "unknown token '%s'%s", pelab_yaml_quote(q, word, len), sug);
}

static int is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Parses `sentences:`: strings split on whitespace, or lists of token names. */
static int parse_sentences(ctx *c, pelab_config *cfg, node *s) {
    int *idx = NULL;
    size_t cap = 0;
    if (s->kind != PELAB_YAML_KIND_SEQ) return pelab_yaml_fail_type(&c->y, s, "a list", "sentences");
    if (s->n == 0) return pelab_yaml_fail(&c->y, s, "empty list for sentences");
    cfg->sentence_text = pelab_xcalloc((size_t)s->n, sizeof *cfg->sentence_text);
    cfg->sentence_len = pelab_xcalloc((size_t)s->n, sizeof *cfg->sentence_len);
    cfg->sentence_tokens = pelab_xcalloc((size_t)s->n, sizeof *cfg->sentence_tokens);
    cfg->n_sentences = s->n;
    for (int i = 0; i < s->n; i++) {
        node *it = s->kids[i];
        int len = 0;
        size_t tlen = 0;
        char what[64];
        snprintf(what, sizeof what, "sentence %d", i + 1);
        if (it->kind == PELAB_YAML_KIND_SCALAR) {
            const char *str, *p;
            if (pelab_yaml_get_str(&c->y, it, what, &str)) goto fail;
            for (p = str; *p;) {
                const char *w;
                while (is_space(*p)) p++;
                if (!*p) break;
                w = p;
                while (*p && !is_space(*p)) p++;
                idx = pelab_xgrow(idx, &cap, (size_t)len + 1, sizeof *idx);
                if (find_token(c, cfg, it, w, (size_t)(p - w), &idx[len])) goto fail;
                len++;
            }
        } else if (it->kind == PELAB_YAML_KIND_SEQ) {
            for (int j = 0; j < it->n; j++) {
                const char *str;
                if (pelab_yaml_get_str(&c->y, it->kids[j], "a token name", &str)) goto fail;
                idx = pelab_xgrow(idx, &cap, (size_t)len + 1, sizeof *idx);
                if (find_token(c, cfg, it->kids[j], str, it->kids[j]->len, &idx[len])) goto fail;
                len++;
            }
        } else {
            pelab_yaml_fail_type(&c->y, it, "a string or a list of token names", what);
            goto fail;
        }
        if (len == 0) {
            pelab_yaml_fail(&c->y, it, "%s is empty", what);
            goto fail;
        }
        cfg->sentence_len[i] = len;
        cfg->sentence_tokens[i] = pelab_xmalloc((size_t)len * sizeof **cfg->sentence_tokens);
        memcpy(cfg->sentence_tokens[i], idx, (size_t)len * sizeof *idx);
        for (int j = 0; j < len; j++) tlen += strlen(cfg->token_names[idx[j]]) + 1;
        cfg->sentence_text[i] = pelab_xmalloc(tlen);
        tlen = 0;
        for (int j = 0; j < len; j++) {
            size_t l = strlen(cfg->token_names[idx[j]]);
            memcpy(cfg->sentence_text[i] + tlen, cfg->token_names[idx[j]], l);
            tlen += l;
            cfg->sentence_text[i][tlen++] = j + 1 < len ? ' ' : '\0';
        }
    }
    free(idx);
    return 0;
fail:
    free(idx);
    return -1;
}

/* ---- inputs file ------------------------------------------------------------- */

/* Reads the CSV matrix at path into cfg->input_*; its errors are located in
 * the CSV file ("path:LINE:COL: ..."); `at` locates a failure to open it. */
/* Reads the inputs file into cfg: a located error at `at` when it cannot
 * be opened, "FILE:LINE:COL: ..." inside it otherwise. */
static int read_csv(ctx *c, pelab_config *cfg, const node *at, const char *path) {
    pelab_error e;
    char q[QBUF];
    pelab_status s = pelab_table_read_matrix(&cfg->input_data, &cfg->input_rows, &cfg->input_cols, path,
                                             PELAB_CONFIG_MAX_SEQ_LEN, PELAB_CONFIG_MAX_D_MODEL, CSV_MAX_VALUES, &e);
    if (s == PELAB_STATUS_IO) return pelab_yaml_fail(&c->y, at, "cannot open inputs file '%s': %s", qs(q, path), e.msg);
    if (s) {
        if (c->err) *c->err = e;
        return -1;
    }
    return 0;
}

static const char *const g_inputs_keys[] = {"file"};

/* Parses `inputs:` (random, or {file: PATH}) and reads the file. */
static int parse_inputs_file(ctx *c, pelab_config *cfg, node *m) {
    node *fn;
    const char *file;
    char q[QBUF];
    int k;
    if (pelab_yaml_check_keys(&c->y, m, g_inputs_keys, 1, " in inputs")) return -1;
    if (!(fn = pelab_yaml_map_require(&c->y, m, "file", " in inputs")) || pelab_yaml_get_str(&c->y, fn, "file", &file)) return -1;
    if (!*file) return pelab_yaml_fail(&c->y, fn, "inputs file path is empty");
    c->input_file = file;
    if (file[0] == '/' || strcmp(c->base_dir, ".") == 0)
        k = snprintf(cfg->input_path, sizeof cfg->input_path, "%s", file);
    else
        k = snprintf(cfg->input_path, sizeof cfg->input_path, "%s/%s", c->base_dir, file);
    if (k < 0 || (size_t)k >= sizeof cfg->input_path)
        return pelab_yaml_fail(&c->y, fn, "inputs file path '%s' is too long", qs(q, file));
    return read_csv(c, cfg, fn, cfg->input_path);
}

/* ---- the canonical JSON ------------------------------------------------------ */

typedef pelab_strbuf sbuf;
#define sb_put pelab_strbuf_put
#define sb_puts pelab_strbuf_puts
#define sb_printf pelab_strbuf_printf
#define sb_json_str pelab_strbuf_json_str

static void sb_real(sbuf *b, double v) { sb_printf(b, "%.17g", v); }

static void sb_int_list(sbuf *b, const int *v, int n) {
    sb_puts(b, "[");
    for (int i = 0; i < n; i++) sb_printf(b, "%s%d", i ? "," : "", v[i]);
    sb_puts(b, "]");
}

/* Builds cfg->resolved_json and cfg->hash. Keys in a fixed order; every
 * value resolved, so equivalent YAML texts give the same JSON. */
static void build_json(const ctx *c, pelab_config *cfg) {
    sbuf b = PELAB_STRBUF_INIT;
    sb_puts(&b, "{\"name\":");
    sb_json_str(&b, cfg->name);
    sb_printf(&b, ",\"seed\":%" PRIu64 ",\"trials\":%d,\"permutation\":", cfg->seed, cfg->trials);
    sb_json_str(&b, pelab_permutation_str(cfg->permutation));
    sb_puts(&b, ",\"token_std\":");
    sb_real(&b, cfg->token_std);
    sb_puts(&b, ",\"inputs\":");
    if (cfg->input == PELAB_INPUT_KIND_FILE) {
        uint64_t h = pelab_hash_bytes(cfg->input_data,
                                      (size_t)cfg->input_rows * (size_t)cfg->input_cols * sizeof *cfg->input_data);
        sb_puts(&b, "{\"file\":");
        sb_json_str(&b, c->input_file);
        sb_printf(&b, ",\"rows\":%d,\"cols\":%d,\"data_hash\":\"%016" PRIx64 "\"}", cfg->input_rows,
                  cfg->input_cols, h);
    } else {
        sb_json_str(&b, cfg->input == PELAB_INPUT_KIND_SENTENCES ? "sentences" : "random");
    }
    sb_puts(&b, ",\"sweep\":{\"seq_len\":");
    sb_int_list(&b, cfg->seq_len, cfg->n_seq_len);
    sb_puts(&b, ",\"d_model\":");
    sb_int_list(&b, cfg->d_model, cfg->n_d_model);
    sb_puts(&b, ",\"scheme\":[");
    for (int i = 0; i < cfg->n_schemes; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, cfg->schemes[i].name);
    }
    sb_puts(&b, "],\"heads\":");
    sb_int_list(&b, cfg->heads, cfg->n_heads);
    sb_puts(&b, ",\"mask\":[");
    for (int i = 0; i < cfg->n_masks; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, pelab_mask_str(cfg->masks[i]));
    }
    sb_puts(&b, "],\"projection\":[");
    for (int i = 0; i < cfg->n_projections; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, pelab_projection_str(cfg->projections[i]));
    }
    sb_puts(&b, "],\"dtype\":[");
    for (int i = 0; i < cfg->n_dtypes; i++) {
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, pelab_dtype_str(cfg->dtypes[i]));
    }
    sb_puts(&b, "]},\"schemes\":{");
    for (int i = 0; i < cfg->n_schemes; i++) {
        const pelab_scheme *s = &cfg->schemes[i];
        const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
        if (i) sb_puts(&b, ",");
        sb_json_str(&b, s->name);
        sb_puts(&b, ":{\"type\":");
        sb_json_str(&b, def->name);
        for (int j = 0; j < def->n_params; j++) {
            if (!pelab_rope_param_applies(s, j)) continue; /* e.g. beta_fast without yarn */
            const pelab_param_def *pd = &def->params[j];
            sb_puts(&b, ",");
            sb_json_str(&b, pd->name);
            sb_puts(&b, ":");
            if (pd->type == PELAB_PARAM_TYPE_INT) {
                sb_printf(&b, "%lld", (long long)s->params[j]);
            } else if (pd->type == PELAB_PARAM_TYPE_REAL) {
                sb_real(&b, s->params[j]);
            } else {
                char cn[64];
                sb_json_str(&b, pelab_param_choice_name(pd, (int)s->params[j], cn, sizeof cn));
            }
        }
        sb_puts(&b, "}");
    }
    sb_puts(&b, "}");
    if (cfg->input == PELAB_INPUT_KIND_SENTENCES) {
        sb_puts(&b, ",\"tokens\":{");
        for (int i = 0; i < cfg->n_tokens; i++) {
            if (i) sb_puts(&b, ",");
            sb_json_str(&b, cfg->token_names[i]);
            sb_puts(&b, ":[");
            for (int j = 0; j < cfg->token_dim; j++) {
                if (j) sb_puts(&b, ",");
                sb_real(&b, cfg->token_vectors[(size_t)i * (size_t)cfg->token_dim + (size_t)j]);
            }
            sb_puts(&b, "]");
        }
        sb_puts(&b, "},\"sentences\":[");
        for (int i = 0; i < cfg->n_sentences; i++) {
            sb_puts(&b, i ? ",[" : "[");
            for (int j = 0; j < cfg->sentence_len[i]; j++) {
                if (j) sb_puts(&b, ",");
                sb_json_str(&b, cfg->token_names[cfg->sentence_tokens[i][j]]);
            }
            sb_puts(&b, "]");
        }
        sb_puts(&b, "]");
    }
    sb_puts(&b, "}");
    cfg->resolved_json = pelab_strbuf_take(&b);
    cfg->hash = pelab_hash_str(cfg->resolved_json);
}

/* ---- stage 4: resolve -------------------------------------------------------- */

static const char *const g_top_keys[] = {"name",      "seed",    "sweep",  "trials",
                                         "permutation", "inputs", "token_std", "schemes",
                                         "tokens",    "sentences"};

/* a * b, or LLONG_MAX when it overflows (a, b >= 0). */
static long long mul_sat(long long a, long long b) {
    if (a == 0 || b == 0) return 0;
    if (a > LLONG_MAX / b) return LLONG_MAX;
    return a * b;
}

/* Fills cfg from the checked tree. */
static int resolve(ctx *c, pelab_config *cfg, node *root) {
    node *v, *tokens, *tokens_key, *sentences, *sentences_key, *inputs, *inputs_key, *sweep;
    const char *s;
    char q[QBUF];
    long long cells;
    int e = 0;

    if (root->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, root, "a mapping", "the top level");
    if (pelab_yaml_check_keys(&c->y, root, g_top_keys, (int)(sizeof g_top_keys / sizeof *g_top_keys), "")) return -1;

    if (!(v = pelab_yaml_map_require(&c->y, root, "name", "")) || pelab_yaml_get_str(&c->y, v, "name", &s) || pelab_yaml_check_name(&c->y, v, "name", s, PELAB_NAME_MAX))
        return -1;
    snprintf(cfg->name, sizeof cfg->name, "%s", s);
    cfg->seed = 1;
    if ((v = pelab_yaml_map_get(root, "seed", NULL)) && pelab_yaml_get_u64(&c->y, v, "seed", &cfg->seed)) return -1;
    cfg->trials = 1;
    if ((v = pelab_yaml_map_get(root, "trials", NULL)) && pelab_yaml_get_int32(&c->y, v, "trials", 1, PELAB_CONFIG_MAX_TRIALS, &cfg->trials))
        return -1;
    cfg->permutation = PELAB_PERMUTATION_RANDOM;
    if ((v = pelab_yaml_map_get(root, "permutation", NULL))) {
        if (pelab_yaml_get_choice(&c->y, v, "permutation", g_permutation_names, PELAB_PERMUTATION_COUNT, &e)) return -1;
        cfg->permutation = (pelab_permutation)e;
    }
    cfg->token_std = 1.0;
    if ((v = pelab_yaml_map_get(root, "token_std", NULL))) {
        if (pelab_yaml_get_real(&c->y, v, "token_std", &cfg->token_std)) return -1;
        if (!(cfg->token_std > 0))
            return pelab_yaml_fail(&c->y, v, "token_std must be greater than 0, found %s", pelab_yaml_quote(q, v->text, v->len));
    }

    if ((v = pelab_yaml_map_get(root, "schemes", NULL)) && pelab_yaml_scheme_variants(&c->y, &c->schemes, v)) return -1;
    /* a probe has no training: apply: eval would silently mean always */
    for (int i = 0; i < c->schemes.n; i++) {
        const pelab_scheme *var = &c->schemes.variants[i];
        if (pelab_rope_scaling_of(var) != PELAB_ROPE_SCALING_NONE && (int)pelab_scheme_param(var, "apply") == 1)
            return pelab_yaml_fail(&c->y, c->schemes.at[i],
                                   "scheme '%s' sets apply: eval, which only training configs use (a probe has no "
                                   "training and always applies the scaling): remove it",
                                   pelab_yaml_quote_str(q, var->name));
    }

    /* the kind of input decides which axes the sweep may give */
    tokens = pelab_yaml_map_get(root, "tokens", &tokens_key);
    sentences = pelab_yaml_map_get(root, "sentences", &sentences_key);
    inputs = pelab_yaml_map_get(root, "inputs", &inputs_key);
    if (tokens && !sentences) return pelab_yaml_fail(&c->y, tokens_key, "tokens need sentences: add a 'sentences' list");
    if (sentences && !tokens) return pelab_yaml_fail(&c->y, sentences_key, "sentences need tokens: add a 'tokens' mapping");
    if (tokens && inputs)
        return pelab_yaml_fail(&c->y, inputs_key, "inputs cannot be combined with tokens and sentences");
    cfg->input = PELAB_INPUT_KIND_RANDOM;
    if (tokens) {
        cfg->input = PELAB_INPUT_KIND_SENTENCES;
    } else if (inputs && inputs->kind == PELAB_YAML_KIND_MAP) {
        cfg->input = PELAB_INPUT_KIND_FILE;
    } else if (inputs) {
        static const char *const kinds[] = {"random"};
        if (inputs->kind != PELAB_YAML_KIND_SCALAR) return pelab_yaml_fail_type(&c->y, inputs, "'random' or a mapping {file: PATH}", "inputs");
        if (pelab_yaml_get_choice(&c->y, inputs, "inputs", kinds, 1, &e)) return -1;
    }

    if (!(sweep = pelab_yaml_map_require(&c->y, root, "sweep", "")) || parse_sweep(c, cfg, sweep)) return -1;

    if (cfg->input == PELAB_INPUT_KIND_SENTENCES) {
        if (parse_tokens(c, cfg, tokens) || parse_sentences(c, cfg, sentences)) return -1;
        for (int i = 0; i < cfg->n_d_model; i++)
            if (cfg->d_model[i] != cfg->token_dim)
                return pelab_yaml_fail(&c->y, c->d_model_at[i], "d_model %d does not match the token dimension %d",
                               cfg->d_model[i], cfg->token_dim);
        if (!cfg->n_d_model) {
            cfg->d_model = pelab_xmalloc(sizeof *cfg->d_model);
            cfg->n_d_model = 1;
        }
        cfg->d_model[0] = cfg->token_dim;
    }

    /* cells, before any file is read */
    cells = cfg->input == PELAB_INPUT_KIND_SENTENCES ? cfg->n_sentences : cfg->n_seq_len;
    cells = mul_sat(cells, cfg->input == PELAB_INPUT_KIND_FILE ? 1 : cfg->n_d_model);
    cells = mul_sat(cells, cfg->n_schemes);
    cells = mul_sat(cells, cfg->n_heads);
    cells = mul_sat(cells, cfg->n_masks);
    cells = mul_sat(cells, cfg->n_projections);
    cells = mul_sat(cells, cfg->n_dtypes);
    if (cells > PELAB_CONFIG_MAX_CELLS) {
        if (cells == LLONG_MAX)
            return pelab_yaml_fail(&c->y, sweep, "the sweep has more than %lld cells, more than the limit of %d", LLONG_MAX,
                           PELAB_CONFIG_MAX_CELLS);
        return pelab_yaml_fail(&c->y, sweep, "the sweep has %lld cells, more than the limit of %d", cells,
                       PELAB_CONFIG_MAX_CELLS);
    }

    if (cfg->input == PELAB_INPUT_KIND_FILE) {
        if (parse_inputs_file(c, cfg, inputs)) return -1;
        for (int i = 0; i < cfg->n_d_model; i++)
            if (cfg->d_model[i] != cfg->input_cols)
                return pelab_yaml_fail(&c->y, c->d_model_at[i], "d_model %d does not match the %d columns of inputs file '%s'",
                               cfg->d_model[i], cfg->input_cols, qs(q, c->input_file));
        for (int i = 0; i < cfg->n_seq_len; i++)
            if (cfg->seq_len[i] > cfg->input_rows)
                return pelab_yaml_fail(&c->y, c->seq_len_at[i], "seq_len %d is more than the %d rows of inputs file '%s'",
                               cfg->seq_len[i], cfg->input_rows, qs(q, c->input_file));
        if (!cfg->n_d_model) {
            cfg->d_model = pelab_xmalloc(sizeof *cfg->d_model);
            cfg->n_d_model = 1;
        }
        cfg->d_model[0] = cfg->input_cols;
    }

    for (int h = 0; h < cfg->n_heads; h++)
        for (int d = 0; d < cfg->n_d_model; d++)
            if (cfg->d_model[d] % cfg->heads[h] != 0) {
                const node *at = c->heads_at ? c->heads_at[h] : sweep;
                return pelab_yaml_fail(&c->y, at, "heads %d does not divide d_model %d", cfg->heads[h], cfg->d_model[d]);
            }

    build_json(c, cfg);
    return 0;
}

/* ---- public ------------------------------------------------------------------ */

static void ctx_free(ctx *c) {
    pelab_yaml_free(&c->y);
    free(c->seq_len_at);
    free(c->d_model_at);
    free(c->heads_at);
    pelab_yaml_schemes_free(&c->schemes);
    free(c->token_index);
}

static const pelab_yaml_limits g_limits = {PELAB_CONFIG_MAX_BYTES, PELAB_CONFIG_MAX_DEPTH, PELAB_CONFIG_MAX_NODES};

/* The schema walk of a parsed document (c->y), then the context freed. */
static pelab_status load_doc(pelab_config *cfg, ctx *c, int parsed) {
    int rc = -1;
    if (parsed == 0) {
        if (!c->y.root) pelab_yaml_fail_pos(&c->y, 1, 1, "config is empty");
        else rc = resolve(c, cfg, c->y.root);
    }
    ctx_free(c);
    if (rc) {
        pelab_config_free(cfg);
        return PELAB_STATUS_CONFIG;
    }
    snprintf(cfg->path, sizeof cfg->path, "%s", c->display);
    return PELAB_STATUS_OK;
}

pelab_status pelab_config_load_buffer(pelab_config *cfg, const char *text, size_t len,
                                      const char *display_path, const char *base_dir,
                                      pelab_error *err) {
    ctx c;
    memset(cfg, 0, sizeof *cfg);
    memset(&c, 0, sizeof c);
    c.display = display_path ? display_path : "<config>";
    c.base_dir = base_dir ? base_dir : ".";
    c.err = err;
    if (len > PELAB_CONFIG_MAX_BYTES)
        return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: config is %zu bytes, larger than the limit of %d",
                               c.display, len, PELAB_CONFIG_MAX_BYTES);
    if (!text && len) return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: no config text", c.display);
    return load_doc(cfg, &c, pelab_yaml_parse(&c.y, text ? text : "", len, c.display, &g_limits, err));
}

pelab_status pelab_config_load(pelab_config *cfg, const char *path, pelab_error *err) {
    ctx c;
    char dir[4096];
    memset(cfg, 0, sizeof *cfg);
    memset(&c, 0, sizeof c);
    c.display = path;
    c.base_dir = pelab_path_dir(dir, sizeof dir, path);
    c.err = err;
    return load_doc(cfg, &c, pelab_yaml_load_file(&c.y, path, "config", &g_limits, err));
}

void pelab_config_free(pelab_config *cfg) {
    if (!cfg) return;
    free(cfg->seq_len);
    free(cfg->d_model);
    free(cfg->schemes);
    free(cfg->heads);
    free(cfg->masks);
    free(cfg->projections);
    free(cfg->dtypes);
    free(cfg->input_data);
    free(cfg->token_names);
    free(cfg->token_vectors);
    if (cfg->sentence_text)
        for (int i = 0; i < cfg->n_sentences; i++) free(cfg->sentence_text[i]);
    if (cfg->sentence_tokens)
        for (int i = 0; i < cfg->n_sentences; i++) free(cfg->sentence_tokens[i]);
    free(cfg->sentence_text);
    free(cfg->sentence_tokens);
    free(cfg->sentence_len);
    free(cfg->resolved_json);
    memset(cfg, 0, sizeof *cfg);
}

long long pelab_config_cell_count(const pelab_config *cfg) {
    long long n = cfg->input == PELAB_INPUT_KIND_SENTENCES ? cfg->n_sentences : cfg->n_seq_len;
    n = mul_sat(n, cfg->n_d_model);
    n = mul_sat(n, cfg->n_schemes);
    n = mul_sat(n, cfg->n_heads);
    n = mul_sat(n, cfg->n_masks);
    n = mul_sat(n, cfg->n_projections);
    return mul_sat(n, cfg->n_dtypes);
}
