/* test_config.c — the config loader: good configs resolve to the right
 * values and JSON; every kind of bad config is refused with status CONFIG
 * and a message located at the offending node. Runs in tests/. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/lab/config.h"
#include "pelab/base/rng.h"
#include "test.h"

/* ---- helpers ----------------------------------------------------------------- */

/* Loads yaml as "t.yaml" with relative inputs looked up in configs/. */
static pelab_status load_str(pelab_config *cfg, const char *yaml, pelab_error *err) {
    return pelab_config_load_buffer(cfg, yaml, strlen(yaml), "t.yaml", "configs", err);
}

/* 1 if every byte of cfg is zero. */
static int is_zeroed(const pelab_config *cfg) {
    const unsigned char *p = (const unsigned char *)cfg;
    for (size_t i = 0; i < sizeof *cfg; i++)
        if (p[i]) return 0;
    return 1;
}

/* Asserts that len bytes of text are refused with status CONFIG, a message
 * starting with "t.yaml:WHERE: " when where is "LINE:COL" ("t.yaml:LINE:"
 * when it is "LINE:"; where itself when it does not start with a digit) and
 * containing phrase, and that cfg is left zeroed. */
static void expect_bad_n(const char *text, size_t len, const char *where, const char *phrase) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    char prefix[256], got[256];
    pelab_status st = pelab_config_load_buffer(&cfg, text, len, "t.yaml", "configs", &err);
    int is_zero = is_zeroed(&cfg);
    pelab_config_free(&cfg);
    if (st != PELAB_STATUS_CONFIG) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_CONFIG);
    ASSERT_EQ(err.status, PELAB_STATUS_CONFIG);
    if (where[0] >= '0' && where[0] <= '9')
        snprintf(prefix, sizeof prefix, "t.yaml:%s%s", where, where[strlen(where) - 1] == ':' ? "" : ": ");
    else
        snprintf(prefix, sizeof prefix, "%s", where);
    snprintf(got, sizeof got, "%.*s", (int)strlen(prefix), err.msg);
    if (strcmp(got, prefix) != 0) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_STR_EQ(got, prefix);
    ASSERT_STR_CONTAINS(err.msg, phrase);
    ASSERT(is_zero);
}

static void expect_bad(const char *yaml, const char *where, const char *phrase) {
    expect_bad_n(yaml, strlen(yaml), where, phrase);
}

/* Loads yaml, asserting success. */
static void load_ok(pelab_config *cfg, const char *yaml) {
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status st = load_str(cfg, yaml, &err);
    if (st != PELAB_STATUS_OK) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
}

/* The head of most inline configs: name and a sweep whose last key is
 * `scheme: none`, so that a case can append sweep keys or top-level keys. */
#define HEAD "name: t\nsweep:\n  seq_len: [8, 16]\n  d_model: 16\n  scheme: none\n"

/* ---- good configs ------------------------------------------------------------ */

static void test_minimal_defaults(void) {
    pelab_config cfg;
    load_ok(&cfg, HEAD);
    ASSERT_STR_EQ(cfg.name, "t");
    ASSERT_STR_EQ(cfg.path, "t.yaml");
    ASSERT(cfg.seed == 1);
    ASSERT_EQ(cfg.trials, 1);
    ASSERT_EQ(cfg.permutation, PELAB_PERMUTATION_RANDOM);
    ASSERT_DBL_EQ(cfg.token_std, 1.0);
    ASSERT_EQ(cfg.input, PELAB_INPUT_KIND_RANDOM);
    ASSERT_EQ(cfg.n_seq_len, 2);
    ASSERT_EQ(cfg.seq_len[0], 8);
    ASSERT_EQ(cfg.seq_len[1], 16);
    ASSERT_EQ(cfg.n_d_model, 1);
    ASSERT_EQ(cfg.d_model[0], 16);
    ASSERT_EQ(cfg.n_schemes, 1);
    ASSERT_STR_EQ(cfg.schemes[0].name, "none");
    ASSERT_EQ(cfg.schemes[0].id, PELAB_SCHEME_NONE);
    ASSERT_EQ(cfg.n_heads, 1);
    ASSERT_EQ(cfg.heads[0], 1);
    ASSERT_EQ(cfg.n_masks, 1);
    ASSERT_EQ(cfg.masks[0], PELAB_MASK_NONE);
    ASSERT_EQ(cfg.n_projections, 1);
    ASSERT_EQ(cfg.projections[0], PELAB_PROJECTION_RANDOM);
    ASSERT_EQ(cfg.n_dtypes, 1);
    ASSERT_EQ(cfg.dtypes[0], PELAB_DTYPE_F32);
    ASSERT_EQ(pelab_config_cell_count(&cfg), 2);
    ASSERT(cfg.resolved_json != NULL);
    ASSERT(cfg.hash == pelab_hash_str(cfg.resolved_json));
    pelab_config_free(&cfg);
    ASSERT(is_zeroed(&cfg));
}

static void test_resolved_json_exact(void) {
    pelab_config cfg;
    load_ok(&cfg, "name: \"q.x\"\nseed: 7\nsweep: {seq_len: 4, d_model: 8, scheme: [sinusoidal, rope]}\n"
                  "token_std: 0.25\n");
    ASSERT_STR_EQ(cfg.resolved_json,
                  "{\"name\":\"q.x\",\"seed\":7,\"trials\":1,\"permutation\":\"random\",\"token_std\":0.25,"
                  "\"inputs\":\"random\",\"sweep\":{\"seq_len\":[4],\"d_model\":[8],"
                  "\"scheme\":[\"sinusoidal\",\"rope\"],\"heads\":[1],\"mask\":[\"none\"],"
                  "\"projection\":[\"random\"],\"dtype\":[\"f32\"]},\"schemes\":{\"sinusoidal\":{\"type\":"
                  "\"sinusoidal\",\"base\":10000},\"rope\":{\"type\":\"rope\",\"base\":10000,\"pairing\":"
                  "\"interleaved\",\"scaling\":\"none\",\"angle_dtype\":\"f32\"}}}");
    pelab_config_free(&cfg);
}

static void test_json_independent_of_formatting(void) {
    static const char *a =
        "# block style, keys in one order, defaults omitted\n"
        "name: same\n"
        "sweep:\n"
        "  seq_len: [8, 16, 32]\n"
        "  d_model: [16]\n"
        "  scheme: [sinusoidal, v]\n"
        "schemes:\n"
        "  v:\n"
        "    type: learned\n"
        "    std: 0.5\n";
    static const char *b =
        "{schemes: {v: {std: 0.5, type: learned, max_len: 512}},\n"
        " sweep: {dtype: f32, projection: [random], mask: none, heads: [1],\n"
        "         scheme: [sinusoidal, v], d_model: 16,\n"
        "         seq_len: {from: 8, to: 32, factor: 2}},\n"
        " token_std: 1.0, permutation: random, trials: 1, seed: 1, inputs: random,\n"
        " name: 'same'}\n";
    pelab_config ca, cb;
    load_ok(&ca, a);
    load_ok(&cb, b);
    ASSERT_STR_EQ(ca.resolved_json, cb.resolved_json);
    ASSERT(ca.hash == cb.hash);
    pelab_config_free(&ca);
    pelab_config_free(&cb);
}

static void test_hash_changes_with_a_value(void) {
    pelab_config ca, cb, cc;
    load_ok(&ca, HEAD);
    load_ok(&cb, "name: t\nsweep:\n  seq_len: [8, 16]\n  d_model: 16\n  scheme: none\nseed: 2\n");
    load_ok(&cc, "name: t\nsweep:\n  seq_len: [16, 8]\n  d_model: 16\n  scheme: none\n");
    ASSERT(ca.hash != cb.hash);
    ASSERT(ca.hash != cc.hash); /* axis order is part of the config */
    ASSERT(cb.hash != cc.hash);
    pelab_config_free(&ca);
    pelab_config_free(&cb);
    pelab_config_free(&cc);
}

static void test_ranges(void) {
    pelab_config cfg;
    load_ok(&cfg, "name: t\nsweep:\n  seq_len: {from: 3, to: 20, factor: 2}\n"
                  "  d_model: {from: 8, to: 64, factor: 2}\n  heads: {from: 1, to: 2, step: 1}\n"
                  "  scheme: index\n");
    ASSERT_EQ(cfg.n_seq_len, 3);
    ASSERT_EQ(cfg.seq_len[0], 3);
    ASSERT_EQ(cfg.seq_len[1], 6);
    ASSERT_EQ(cfg.seq_len[2], 12);
    ASSERT_EQ(cfg.n_d_model, 4);
    ASSERT_EQ(cfg.d_model[0], 8);
    ASSERT_EQ(cfg.d_model[1], 16);
    ASSERT_EQ(cfg.d_model[2], 32);
    ASSERT_EQ(cfg.d_model[3], 64);
    ASSERT_EQ(cfg.n_heads, 2);
    ASSERT_EQ(cfg.heads[1], 2);
    pelab_config_free(&cfg);
    load_ok(&cfg, "name: t\nsweep:\n  seq_len: {from: 8, to: 30, step: 8}\n  d_model: {from: 5, to: 5, step: 3}\n"
                  "  scheme: index\n");
    ASSERT_EQ(cfg.n_seq_len, 3);
    ASSERT_EQ(cfg.seq_len[0], 8);
    ASSERT_EQ(cfg.seq_len[1], 16);
    ASSERT_EQ(cfg.seq_len[2], 24);
    ASSERT_EQ(cfg.n_d_model, 1);
    ASSERT_EQ(cfg.d_model[0], 5);
    pelab_config_free(&cfg);
    /* a factor range near the top of the int range does not overflow */
    load_ok(&cfg, "name: t\nsweep:\n  seq_len: {from: 4194304, to: 16777216, factor: 1000000000000}\n"
                  "  d_model: 1\n  scheme: index\n");
    ASSERT_EQ(cfg.n_seq_len, 1);
    ASSERT_EQ(cfg.seq_len[0], 4194304);
    pelab_config_free(&cfg);
}

static void test_good_scaling_file(void) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status st = pelab_config_load(&cfg, "configs/good/scaling.yaml", &err);
    if (st) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
    ASSERT_STR_EQ(cfg.path, "configs/good/scaling.yaml");
    ASSERT_STR_EQ(cfg.name, "scaling");
    ASSERT_EQ(cfg.trials, 4);
    ASSERT_EQ(cfg.n_seq_len, 3);
    ASSERT_EQ(cfg.seq_len[2], 512);
    ASSERT_EQ(cfg.n_schemes, 5);
    ASSERT_STR_EQ(cfg.schemes[4].name, "norm512");
    ASSERT_EQ(cfg.schemes[4].id, PELAB_SCHEME_INDEX_NORM);
    ASSERT_DBL_EQ(pelab_scheme_param(&cfg.schemes[4], "max_len"), 512);
    ASSERT_DBL_EQ(pelab_scheme_param(&cfg.schemes[2], "max_len"), 0); /* built-in: default */
    ASSERT_EQ(cfg.n_projections, 2);
    ASSERT_EQ(cfg.projections[0], PELAB_PROJECTION_IDENTITY);
    ASSERT_EQ(cfg.dtypes[1], PELAB_DTYPE_F64);
    ASSERT_EQ(pelab_config_cell_count(&cfg), 3 * 2 * 5 * 2 * 2);
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"norm512\":{\"type\":\"index_norm\",\"max_len\":512}");
    pelab_config_free(&cfg);
}

static void test_good_ranges_file(void) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status st = pelab_config_load(&cfg, "configs/good/ranges.yaml", &err);
    if (st) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
    ASSERT(cfg.seed == UINT64_MAX);
    ASSERT_EQ(cfg.trials, 3);
    ASSERT_EQ(cfg.permutation, PELAB_PERMUTATION_SWAP_ADJACENT);
    ASSERT_DBL_EQ(cfg.token_std, 0.5);
    ASSERT_EQ(cfg.n_seq_len, 4);
    ASSERT_EQ(cfg.seq_len[3], 64);
    ASSERT_EQ(cfg.n_d_model, 3);
    ASSERT_EQ(cfg.d_model[2], 24);
    /* axis values keep the file's order; the axis order is the struct's */
    ASSERT_EQ(cfg.dtypes[0], PELAB_DTYPE_F64);
    ASSERT_EQ(cfg.dtypes[1], PELAB_DTYPE_F32);
    ASSERT_EQ(cfg.masks[0], PELAB_MASK_CAUSAL);
    ASSERT_EQ(cfg.n_projections, 1);
    ASSERT_EQ(cfg.projections[0], PELAB_PROJECTION_IDENTITY);
    ASSERT_EQ(cfg.n_schemes, 3);
    ASSERT_STR_EQ(cfg.schemes[0].name, "rope_half");
    ASSERT_EQ(cfg.schemes[0].id, PELAB_SCHEME_ROPE);
    ASSERT_DBL_EQ(pelab_scheme_param(&cfg.schemes[0], "pairing"), 1);
    ASSERT_DBL_EQ(pelab_scheme_param(&cfg.schemes[0], "base"), 500);
    ASSERT_EQ(cfg.schemes[2].id, PELAB_SCHEME_LEARNED);
    ASSERT_DBL_EQ(pelab_scheme_param(&cfg.schemes[2], "max_len"), 64);
    ASSERT_DBL_EQ(pelab_scheme_param(&cfg.schemes[2], "std"), 0.1);
    ASSERT_EQ(pelab_config_cell_count(&cfg), 4 * 3 * 3 * 2 * 2 * 1 * 2);
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"seed\":18446744073709551615,");
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"rope_half\":{\"type\":\"rope\",\"base\":500,\"pairing\":\"half\",\"scaling\":\"none\","
                                          "\"angle_dtype\":\"f32\"}");
    ASSERT(strstr(cfg.resolved_json, "unused") == NULL); /* only schemes the sweep uses */
    pelab_config_free(&cfg);
}

static void test_good_sentences_file(void) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status st = pelab_config_load(&cfg, "configs/good/sentences.yaml", &err);
    if (st) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
    ASSERT_EQ(cfg.input, PELAB_INPUT_KIND_SENTENCES);
    ASSERT_EQ(cfg.n_seq_len, 0);
    ASSERT_EQ(cfg.n_d_model, 1);
    ASSERT_EQ(cfg.d_model[0], 3);
    ASSERT_EQ(cfg.n_tokens, 3);
    ASSERT_EQ(cfg.token_dim, 3);
    ASSERT_STR_EQ(cfg.token_names[1], "Kills");
    ASSERT_DBL_EQ(cfg.token_vectors[0 * 3 + 1], 0.8);
    ASSERT_DBL_EQ(cfg.token_vectors[2 * 3 + 2], 0.7);
    ASSERT_EQ(cfg.n_sentences, 2);
    ASSERT_STR_EQ(cfg.sentence_text[0], "Lion Kills Deer");
    ASSERT_STR_EQ(cfg.sentence_text[1], "Deer Kills Lion");
    ASSERT_EQ(cfg.sentence_len[1], 3);
    ASSERT_EQ(cfg.sentence_tokens[0][0], 0);
    ASSERT_EQ(cfg.sentence_tokens[1][0], 2);
    ASSERT_EQ(cfg.sentence_tokens[1][2], 0);
    ASSERT_EQ(pelab_config_cell_count(&cfg), 2 * 4);
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"inputs\":\"sentences\"");
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"seq_len\":[]");
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"tokens\":{\"Lion\":[0.20000000000000001,0.80000000000000004,0.5],");
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"sentences\":[[\"Lion\",\"Kills\",\"Deer\"],[\"Deer\",\"Kills\",\"Lion\"]]}");
    pelab_config_free(&cfg);
}

static void test_good_file_input(void) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status st = pelab_config_load(&cfg, "configs/good/file_input.yaml", &err);
    if (st) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT_EQ(st, PELAB_STATUS_OK);
    ASSERT_EQ(cfg.input, PELAB_INPUT_KIND_FILE);
    ASSERT_STR_EQ(cfg.input_path, "configs/good/inputs.csv");
    ASSERT_EQ(cfg.input_rows, 4);
    ASSERT_EQ(cfg.input_cols, 3);
    ASSERT_DBL_EQ(cfg.input_data[0], 0.5);
    ASSERT_DBL_EQ(cfg.input_data[3], 1e-3);
    ASSERT_DBL_EQ(cfg.input_data[5], 3.25);
    ASSERT_DBL_EQ(cfg.input_data[11], 8);
    ASSERT_EQ(cfg.n_d_model, 1);
    ASSERT_EQ(cfg.d_model[0], 3);
    ASSERT_EQ(cfg.n_heads, 2);
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"inputs\":{\"file\":\"inputs.csv\",\"rows\":4,\"cols\":3,\"data_hash\":\"");
    pelab_config_free(&cfg);
}

static void test_file_input_crlf_and_given_d_model(void) {
    pelab_config cfg;
    load_ok(&cfg, "name: t\nsweep: {seq_len: [1, 2], d_model: 2, scheme: none}\ninputs: {file: csv/crlf.csv}\n");
    ASSERT_STR_EQ(cfg.input_path, "configs/csv/crlf.csv");
    ASSERT_EQ(cfg.input_rows, 2);
    ASSERT_EQ(cfg.input_cols, 2);
    ASSERT_DBL_EQ(cfg.input_data[3], 4);
    ASSERT_EQ(cfg.d_model[0], 2);
    pelab_config_free(&cfg);
}

static void test_every_good_file_loads(void) {
    DIR *d = opendir("configs/good");
    struct dirent *e;
    int n = 0;
    ASSERT(d != NULL);
    while ((e = readdir(d))) {
        char path[512];
        pelab_config cfg;
        pelab_error err = {PELAB_STATUS_OK, ""};
        size_t l = strlen(e->d_name);
        if (l < 5 || strcmp(e->d_name + l - 5, ".yaml") != 0) continue;
        snprintf(path, sizeof path, "configs/good/%s", e->d_name);
        if (pelab_config_load(&cfg, path, &err) != PELAB_STATUS_OK) {
            closedir(d);
            ASSERT_STR_EQ(err.msg, "(no error)");
        }
        pelab_config_free(&cfg);
        n++;
    }
    closedir(d);
    ASSERT_GE(n, 3);
}

static void test_cells_at_the_limit(void) {
    pelab_config cfg;
    load_ok(&cfg, "name: t\nsweep:\n  seq_len: {from: 1, to: 1000, step: 1}\n"
                  "  d_model: {from: 1, to: 1000, step: 1}\n  scheme: none\n");
    ASSERT_EQ(pelab_config_cell_count(&cfg), PELAB_CONFIG_MAX_CELLS);
    pelab_config_free(&cfg);
}

static void test_json_escapes_strings(void) {
    pelab_config cfg;
    load_ok(&cfg, "name: t\nsweep: {scheme: none}\ntokens: {'a\"b\\': [1], \"\\u00e9t\\u00e9\": [2]}\n"
                  "sentences: [['a\"b\\', \"\\u00e9t\\u00e9\"]]\n");
    ASSERT_STR_EQ(cfg.token_names[0], "a\"b\\");
    ASSERT_STR_EQ(cfg.token_names[1], "\xc3\xa9t\xc3\xa9");
    ASSERT_STR_CONTAINS(cfg.resolved_json, "\"sentences\":[[\"a\\\"b\\\\\",\"\xc3\xa9t\xc3\xa9\"]]");
    ASSERT_STR_EQ(cfg.sentence_text[0], "a\"b\\ \xc3\xa9t\xc3\xa9");
    pelab_config_free(&cfg);
}

static void test_aliases_and_quoting(void) {
    pelab_config cfg;
    /* anchors and aliases are fine in moderation; quoted strings are strings */
    load_ok(&cfg, "name: 'a-b.c_1'\nsweep:\n  seq_len: &n 16\n  d_model: *n\n  heads: [*n, 4]\n"
                  "  scheme: [\"none\", 'index']\n  mask: \"causal\"\n");
    ASSERT_STR_EQ(cfg.name, "a-b.c_1");
    ASSERT_EQ(cfg.d_model[0], 16);
    ASSERT_EQ(cfg.heads[0], 16);
    ASSERT_EQ(cfg.schemes[1].id, PELAB_SCHEME_INDEX);
    ASSERT_EQ(cfg.masks[0], PELAB_MASK_CAUSAL);
    pelab_config_free(&cfg);
}

static void test_utf8_bom(void) {
    pelab_config cfg;
    load_ok(&cfg, "\xef\xbb\xbfname: t\nsweep: {seq_len: 8, d_model: 8, scheme: none}\n");
    ASSERT_STR_EQ(cfg.name, "t");
    pelab_config_free(&cfg);
    expect_bad("\xef\xbb\xbfname: t\xff\n", "1:8", "invalid UTF-8 byte 0xff");
}

static void test_enum_names(void) {
    ASSERT_STR_EQ(pelab_mask_str(PELAB_MASK_CAUSAL), "causal");
    ASSERT_STR_EQ(pelab_mask_str(PELAB_MASK_NONE), "none");
    ASSERT_STR_EQ(pelab_projection_str(PELAB_PROJECTION_IDENTITY), "identity");
    ASSERT_STR_EQ(pelab_projection_str(PELAB_PROJECTION_RANDOM), "random");
    ASSERT_STR_EQ(pelab_dtype_str(PELAB_DTYPE_F64), "f64");
    ASSERT_STR_EQ(pelab_permutation_str(PELAB_PERMUTATION_SWAP_ADJACENT), "swap_adjacent");
    ASSERT_STR_EQ(pelab_permutation_str(PELAB_PERMUTATION_REVERSE), "reverse");
    ASSERT_STR_EQ(pelab_input_kind_str(PELAB_INPUT_KIND_FILE), "file");
    ASSERT_STR_EQ(pelab_input_kind_str(PELAB_INPUT_KIND_SENTENCES), "sentences");
    ASSERT_STR_EQ(pelab_input_kind_str(PELAB_INPUT_KIND_RANDOM), "random");
    ASSERT_STR_EQ(pelab_mask_str(PELAB_MASK_COUNT), "unknown");
}

/* ---- files that cannot be read ----------------------------------------------- */

static void test_missing_file(void) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    ASSERT_EQ(pelab_config_load(&cfg, "configs/nope.yaml", &err), PELAB_STATUS_CONFIG);
    ASSERT_STR_EQ(err.msg, "configs/nope.yaml: No such file or directory");
    ASSERT(is_zeroed(&cfg));
    ASSERT_EQ(pelab_config_load(&cfg, "configs", &err), PELAB_STATUS_CONFIG);
    ASSERT_STR_EQ(err.msg, "configs: Is a directory");
    pelab_config_free(&cfg);
}

static void test_bad_oversize(void) {
    size_t n = (size_t)PELAB_CONFIG_MAX_BYTES + 1;
    char *big = malloc(n);
    char want[128];
    ASSERT(big != NULL);
    memset(big, '#', n);
    snprintf(want, sizeof want, "t.yaml: config is %zu bytes, larger than the limit of %d", n,
             PELAB_CONFIG_MAX_BYTES);
    expect_bad_n(big, n, want, "larger than the limit");
    free(big);
}

/* ---- bad configs, one kind each ---------------------------------------------- */

#define BAD(fn, yaml, where, phrase) \
    static void fn(void) { expect_bad(yaml, where, phrase); }

BAD(test_bad_unknown_top_key, "name: t\nseeed: 3\n", "2:1", "unknown key 'seeed' (did you mean 'seed'?)")
BAD(test_bad_unknown_sweep_key, "name: t\nsweep:\n  seqlen: 8\n", "3:3",
    "unknown key 'seqlen' in sweep (did you mean 'seq_len'?)")
static void test_bad_unknown_key_no_suggestion(void) {
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    ASSERT_EQ(load_str(&cfg, "name: t\nzebra: 3\n", &err), PELAB_STATUS_CONFIG);
    ASSERT_STR_EQ(err.msg, "t.yaml:2:1: unknown key 'zebra' (the keys here: name, seed, sweep, trials, permutation, "
                           "inputs, token_std, schemes, tokens or sentences)");
}
BAD(test_bad_sweep_is_list, "name: t\nsweep: [1, 2]\n", "2:8", "expected a mapping for sweep, found a list")
BAD(test_bad_string_for_int, "name: t\ntrials: many\n" "sweep: {seq_len: 8, d_model: 8, scheme: none}\n", "2:9",
    "expected an integer for trials, found the string 'many'")
BAD(test_bad_real_for_int, HEAD "  heads: 1.5\n", "6:10", "expected an integer for heads, found the real number 1.5")
BAD(test_bad_quoted_number, "name: t\nsweep:\n  seq_len: '8'\n", "3:12",
    "expected an integer for seq_len, found the quoted string \"8\"")
BAD(test_bad_boolean_for_int, "name: t\ntrials: true\n", "2:9", "found the boolean true")
BAD(test_bad_null_for_int, "name: t\nseed:\nsweep: {}\n", "2:6", "expected an integer for seed, found null")
BAD(test_bad_tag, "name: t\ntrials: !!int 3\n", "2:9", "unsupported YAML tag '!!int'")
BAD(test_bad_mapping_for_list, HEAD "  mask: {a: 1}\n", "6:9", "expected a name or a list of names for mask, found a mapping")
BAD(test_bad_out_of_range, "name: t\nsweep:\n  seq_len: 8\n  d_model: [16, 0]\n", "4:17",
    "d_model must be in [1, 65536], found 0")
BAD(test_bad_trials_out_of_range, "name: t\ntrials: 100001\n", "2:9", "trials must be in [1, 100000], found 100001")
BAD(test_bad_seed_negative, "name: t\nseed: -1\n", "2:7", "seed must be in [0, 18446744073709551615], found -1")
BAD(test_bad_overflow_seed, "name: t\nseed: 99999999999999999999\n", "2:7",
    "seed must be in [0, 18446744073709551615], found 99999999999999999999")
BAD(test_bad_overflow_seq_len, "name: t\nsweep:\n  seq_len: 1000000000000000000000000000000\n", "3:12",
    "seq_len must be in [1, 16777216], found 1000000000000000000000000000000")
BAD(test_bad_exponent_for_int, "name: t\nsweep:\n  seq_len: 1e30\n", "3:12", "found the real number 1e30")
BAD(test_bad_nan, "name: t\ntoken_std: .nan\n", "2:12", "expected a finite number for token_std, found the non-finite number .nan")
BAD(test_bad_inf, "name: t\ntoken_std: -.inf\n", "2:12", "expected a finite number for token_std")
BAD(test_bad_real_overflow, "name: t\ntoken_std: 1e999\n", "2:12", "token_std 1e999 is not a finite number")
BAD(test_bad_token_std_zero, "name: t\ntoken_std: 0\n", "2:12", "token_std must be greater than 0")
BAD(test_bad_unknown_scheme, "name: t\nsweep:\n  seq_len: 8\n  d_model: 8\n  scheme: [none, sinusoidl]\n", "5:18",
    "unknown scheme 'sinusoidl' (did you mean 'sinusoidal'?)")
BAD(test_bad_unknown_scheme_far, "name: t\nsweep: {seq_len: 8, d_model: 8, scheme: qqqq}\n", "2:41",
    "unknown scheme 'qqqq' (built-in schemes: none, index, ")
BAD(test_bad_unknown_scheme_near_variant,
    "name: t\nsweep: {seq_len: 8, d_model: 8, scheme: [norm521]}\nschemes: {norm512: {type: index_norm}}\n", "2:42",
    "unknown scheme 'norm521' (did you mean 'norm512'?)")
BAD(test_bad_unknown_top_key_late, HEAD "schemes: {v: {type: index}}\nsweep2: 1\n", "7:1", "unknown key 'sweep2' (did you mean 'sweep'?)")
BAD(test_bad_unknown_scheme_param,
    "name: t\nsweep: {seq_len: 8, d_model: 8, scheme: v}\nschemes:\n  v: {type: index_norm, maxlen: 4}\n", "4:25",
    "unknown parameter 'maxlen' for scheme type 'index_norm' (did you mean 'max_len'?)")
BAD(test_bad_param_of_paramless_scheme, "name: t\nschemes:\n  v: {type: alibi, slope: 2}\n", "3:20",
    "unknown parameter 'slope' for scheme type 'alibi' (it has no parameters)")
BAD(test_bad_scheme_param_range, "name: t\nschemes:\n  v: {type: learned, max_len: 0}\n", "3:31",
    "max_len of scheme 'v' must be in [1, 1048576], found 0")
BAD(test_bad_scheme_param_real_range, "name: t\nschemes:\n  v: {type: sinusoidal, base: 1.5}\n", "3:31",
    "base of scheme 'v' must be in [2, 1000000000000], found 1.5")
BAD(test_bad_scheme_choice, "name: t\nschemes:\n  v: {type: rope, pairing: halff}\n", "3:28",
    "unknown pairing 'halff' (did you mean 'half'?)")
BAD(test_bad_variant_missing_type, "name: t\nschemes:\n  v: {max_len: 3}\n", "3:6", "missing required key 'type' in scheme 'v'")
BAD(test_bad_variant_unknown_type, "name: t\nschemes:\n  v: {type: alibii}\n", "3:13",
    "unknown scheme type 'alibii' (did you mean 'alibi'?)")
BAD(test_bad_variant_shadows_builtin, "name: t\nschemes:\n  t5: {type: t5}\n", "3:3",
    "scheme variant 't5' has the name of a built-in scheme")
BAD(test_bad_variant_name_chars, "name: t\nschemes:\n  my scheme: {type: t5}\n", "3:3", "invalid scheme name 'my scheme'")
BAD(test_bad_heads_not_dividing, "name: t\nsweep:\n  seq_len: 8\n  d_model: [16]\n  scheme: none\n  heads: [2, 3]\n",
    "6:14", "heads 3 does not divide d_model 16")
BAD(test_bad_syntax_error, "name: t\nsweep: [1, 2\n", "3:1", "did not find expected ',' or ']' (while parsing a flow sequence)")
BAD(test_bad_syntax_tab, "name: t\nsweep:\n\tseq_len: 8\n", "3:1", "found character that cannot start any token")
BAD(test_bad_missing_name, "seed: 3\nsweep: {seq_len: 8, d_model: 8, scheme: none}\n", "1:1", "missing required key 'name'")
BAD(test_bad_missing_sweep, "\n\nname: t\n", "3:1", "missing required key 'sweep'")
BAD(test_bad_missing_scheme, "name: t\nsweep:\n  seq_len: 8\n  d_model: 8\n", "3:3", "missing required key 'scheme' in sweep")
BAD(test_bad_missing_d_model, "name: t\nsweep: {seq_len: 8, scheme: none}\n", "2:8", "missing required key 'd_model' in sweep")
BAD(test_bad_empty_list, "name: t\nsweep:\n  seq_len: []\n", "3:12", "empty list for seq_len")
BAD(test_bad_duplicate_axis_value, "name: t\nsweep:\n  seq_len: 8\n  d_model: [16, 32, 16]\n", "4:21",
    "duplicate value 16 in d_model (first at 4:13)")
BAD(test_bad_duplicate_enum_value, HEAD "  mask: [causal, none]\n  dtype: [f64, f32, f64]\n", "7:21",
    "duplicate value 'f64' in dtype (first at 7:11)")
BAD(test_bad_duplicate_scheme_value, "name: t\nsweep: {seq_len: 8, d_model: 8, scheme: [rope, index, rope]}\n", "2:55",
    "duplicate value 'rope' in scheme (first at 2:42)")
BAD(test_bad_duplicate_key, "name: t\nsweep:\n  seq_len: 8\n  seq_len: 9\n", "4:3", "duplicate key 'seq_len' (first at 3:3)")
BAD(test_bad_duplicate_top_key, "name: t\nseed: 1\nname: u\n", "3:1", "duplicate key 'name' (first at 1:1)")
BAD(test_bad_mapping_key, "name: t\n? [a]\n: 1\n", "2:3", "a mapping key must be a scalar, found a list")
BAD(test_bad_alias_bomb,
    "name: t\n"
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n",
    "2:", "more than 100000 nodes with aliases expanded")
BAD(test_bad_undefined_alias, "name: *x\n", "1:7", "undefined alias '*x'")
BAD(test_bad_recursive_alias, "name: t\nx: &a [1, *a]\n", "2:11", "undefined alias '*a'")
BAD(test_bad_deep_via_aliases,
    "a: &a [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]\n"
    "b: [[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]\n",
    "1:22", "nesting deeper than 32 levels (with aliases expanded)")
BAD(test_bad_non_utf8, "name: t\xff\n", "1:8", "invalid UTF-8 byte 0xff")
BAD(test_bad_overlong_utf8, "name: t\nsweep:\n  x\xc0\xaf: 1\n", "3:4", "invalid UTF-8 byte 0xc0")
BAD(test_bad_control_char, "name: t\x01\n", "1:8", "control characters are not allowed")
BAD(test_bad_multiple_documents, "name: t\n---\nname: u\n", "2:1", "a second YAML document")
BAD(test_bad_empty_file, "", "1:1", "config is empty")
BAD(test_bad_only_comments, "# nothing\n\n", "1:1", "config is empty")
BAD(test_bad_top_level_list, "- name\n- t\n", "1:1", "expected a mapping for the top level, found a list")
BAD(test_bad_top_level_scalar, "hello\n", "1:1", "expected a mapping for the top level, found the string 'hello'")
BAD(test_bad_name_chars, "name: a/b\n", "1:7", "invalid name 'a/b': use letters, digits")
BAD(test_bad_name_dotdot, "name: ..\n", "1:7", "invalid name '..'")
BAD(test_bad_name_too_long, "name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "1:7",
    "is longer than 63 characters")
BAD(test_bad_name_empty, "name: ''\n", "1:7", "invalid name ''")
BAD(test_bad_permutation, "name: t\npermutation: revers\n", "2:14", "unknown permutation 'revers' (did you mean 'reverse'?)")
BAD(test_bad_mask_listed_choices, HEAD "  mask: zzz\n", "6:9", "unknown mask 'zzz' (expected none or causal)")
BAD(test_bad_mask_suggestion, HEAD "  mask: [none, casual]\n", "6:16", "unknown mask 'casual' (did you mean 'causal'?)")
BAD(test_bad_range_factor_and_step, "name: t\nsweep:\n  seq_len: {from: 8, to: 64, factor: 2, step: 8}\n", "3:12",
    "range has both 'factor' and 'step': give exactly one")
BAD(test_bad_range_neither, "name: t\nsweep:\n  seq_len: {from: 8, to: 64}\n", "3:12", "range needs 'factor' or 'step'")
BAD(test_bad_range_factor_one, "name: t\nsweep:\n  seq_len: {from: 8, to: 64, factor: 1}\n", "3:38",
    "factor of the seq_len range must be in [2, 9223372036854775807], found 1")
BAD(test_bad_range_step_zero, "name: t\nsweep:\n  seq_len: {from: 8, to: 64, step: 0}\n", "3:36",
    "step of the seq_len range must be in [1,")
BAD(test_bad_range_from_gt_to, "name: t\nsweep:\n  seq_len: {from: 64, to: 8, factor: 2}\n", "3:19",
    "range from 64 is greater than to 8")
BAD(test_bad_range_unknown_key, "name: t\nsweep:\n  seq_len: {from: 8, to: 64, fator: 2}\n", "3:30",
    "unknown key 'fator' in range (did you mean 'factor'?)")
BAD(test_bad_range_missing_to, "name: t\nsweep:\n  seq_len: {from: 8, step: 2}\n", "3:12", "missing required key 'to' in range")
BAD(test_bad_range_out_of_bounds, "name: t\nsweep:\n  seq_len: {from: 8, to: 99999999, step: 1}\n", "3:26",
    "seq_len must be in [1, 16777216], found 99999999")
BAD(test_bad_too_many_cells_product,
    "name: t\nsweep:\n  seq_len: {from: 1, to: 1000, step: 1}\n  d_model: {from: 1, to: 1000, step: 1}\n"
    "  scheme: [none, index]\n",
    "3:3", "the sweep has 2000000 cells, more than the limit of 1000000")
BAD(test_bad_huge_step_range, "name: t\nsweep:\n  seq_len: {from: 1, to: 16777216, step: 1}\n", "3:12",
    "range gives 16777216 values")
BAD(test_bad_seq_len_with_sentences,
    "name: t\nsweep: {seq_len: 8, scheme: none}\ntokens: {A: [1]}\nsentences: [A]\n", "2:9",
    "seq_len comes from the sentences")
BAD(test_bad_unknown_token, "name: t\nsweep: {scheme: none}\ntokens: {Lion: [1, 2], Deer: [3, 4]}\nsentences: [Lion Lio]\n",
    "4:13", "unknown token 'Lio' (did you mean 'Lion'?)")
BAD(test_bad_unknown_token_in_list,
    "name: t\nsweep: {scheme: none}\ntokens: {Lion: [1, 2], Deer: [3, 4]}\nsentences: [[Lion, Dear]]\n", "4:20",
    "unknown token 'Dear' (did you mean 'Deer'?)")
BAD(test_bad_ragged_tokens, "name: t\nsweep: {scheme: none}\ntokens:\n  Lion: [1, 2]\n  Deer: [3]\nsentences: [Lion]\n",
    "5:9", "token 'Deer' has 1 values, but token 'Lion' has 2")
BAD(test_bad_token_nan, "name: t\nsweep: {scheme: none}\ntokens:\n  Lion: [1, .inf]\nsentences: [Lion]\n", "4:13",
    "expected a finite number for token 'Lion'")
BAD(test_bad_token_name_space, "name: t\nsweep: {scheme: none}\ntokens:\n  'Big Lion': [1]\nsentences: [x]\n", "4:3",
    "invalid token name 'Big Lion'")
BAD(test_bad_empty_sentence, "name: t\nsweep: {scheme: none}\ntokens: {A: [1]}\nsentences: [A, '  ']\n", "4:16",
    "sentence 2 is empty")
BAD(test_bad_tokens_without_sentences, HEAD "tokens: {A: [1]}\n", "6:1", "tokens need sentences")
BAD(test_bad_sentences_without_tokens, HEAD "sentences: [A]\n", "6:1", "sentences need tokens")
BAD(test_bad_inputs_with_tokens, "name: t\nsweep: {scheme: none}\ntokens: {A: [1]}\nsentences: [A]\ninputs: random\n", "5:1",
    "inputs cannot be combined with tokens")
BAD(test_bad_d_model_vs_tokens, "name: t\nsweep: {scheme: none, d_model: 4}\ntokens: {A: [1, 2]}\nsentences: [A]\n", "2:32",
    "d_model 4 does not match the token dimension 2")
BAD(test_bad_inputs_unknown, HEAD "inputs: randon\n", "6:9", "unknown inputs 'randon' (did you mean 'random'?)")
BAD(test_bad_inputs_unknown_key, HEAD "inputs: {fil: x.csv}\n", "6:10", "unknown key 'fil' in inputs (did you mean 'file'?)")
BAD(test_bad_inputs_missing_file, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/nope.csv}\n", "3:16",
    "cannot open inputs file 'configs/csv/nope.csv': No such file or directory")
BAD(test_bad_csv_cell, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/bad_cell.csv}\n",
    "configs/csv/bad_cell.csv:2:3: ", "value 'x' is not a number")
BAD(test_bad_csv_ragged, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/ragged.csv}\n",
    "configs/csv/ragged.csv:2:1: ", "row has 2 values, expected 3")
BAD(test_bad_csv_blank_line, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/blank.csv}\n",
    "configs/csv/blank.csv:2:1: ", "blank line")
BAD(test_bad_csv_nan, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/nan.csv}\n",
    "configs/csv/nan.csv:1:3: ", "value 'nan' is not a finite number")
BAD(test_bad_csv_empty_value, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/empty_value.csv}\n",
    "configs/csv/empty_value.csv:1:4: ", "empty value")
BAD(test_bad_csv_empty_file, "name: t\nsweep: {seq_len: 1, scheme: none}\ninputs: {file: csv/empty.csv}\n",
    "configs/csv/empty.csv:1:1: ", "inputs file is empty")
BAD(test_bad_seq_len_beyond_csv, "name: t\nsweep: {seq_len: [2, 5], scheme: none}\ninputs: {file: csv/rows4.csv}\n", "2:22",
    "seq_len 5 is more than the 4 rows of inputs file 'csv/rows4.csv'")
BAD(test_bad_d_model_vs_csv, "name: t\nsweep: {seq_len: 2, d_model: [2, 3], scheme: none}\ninputs: {file: csv/rows4.csv}\n",
    "2:34", "d_model 3 does not match the 2 columns of inputs file 'csv/rows4.csv'")

static void test_bad_nul_byte(void) {
    static const char text[] = "name: t\nseed: 1\0\n";
    expect_bad_n(text, sizeof text - 1, "2:8", "NUL byte in the file");
}

static void test_bad_nul_escape(void) {
    expect_bad("name: \"a\\0b\"\n", "1:7", "NUL character in a string");
}

static void test_bad_deep_nesting(void) {
    char text[256];
    int o = snprintf(text, sizeof text, "name: t\nx: ");
    for (int i = 0; i < 40; i++) text[o++] = '[';
    for (int i = 0; i < 40; i++) text[o++] = ']';
    text[o] = '\0';
    expect_bad(text, "2:35", "nesting deeper than 32 levels");
}

static void test_bad_many_nodes(void) {
    /* 100001 plain nodes without any alias */
    size_t cap = 500000, o = 0;
    char *text = malloc(cap);
    ASSERT(text != NULL);
    o += (size_t)snprintf(text + o, cap - o, "name: t\nx: [");
    for (int i = 0; i < 100000; i++) o += (size_t)snprintf(text + o, cap - o, "1,");
    o += (size_t)snprintf(text + o, cap - o, "1]\n");
    expect_bad_n(text, o, "2:", "more than 100000 YAML nodes");
    free(text);
}

/* ---- the files in configs/bad ------------------------------------------------ */

static char g_bad_file[256];

/* configs/bad/FILE refuses with the location and phrase of its first line,
 * "# expect: LINE:COL: phrase". */
static void test_bad_file(void) {
    char path[512], first[512], want[1100], *loc, *phrase, *nl;
    pelab_config cfg;
    pelab_error err = {PELAB_STATUS_OK, ""};
    FILE *f;
    snprintf(path, sizeof path, "configs/bad/%s", g_bad_file);
    f = fopen(path, "r");
    ASSERT(f != NULL);
    if (!fgets(first, sizeof first, f)) first[0] = '\0';
    fclose(f);
    if ((nl = strchr(first, '\n'))) *nl = '\0';
    ASSERT(strncmp(first, "# expect: ", 10) == 0);
    loc = first + 10;
    phrase = strstr(loc, ": ");
    ASSERT(phrase != NULL);
    *phrase = '\0';
    phrase += 2;
    ASSERT_EQ(pelab_config_load(&cfg, path, &err), PELAB_STATUS_CONFIG);
    ASSERT(is_zeroed(&cfg));
    snprintf(want, sizeof want, "%s:%s: ", path, loc);
    if (strncmp(err.msg, want, strlen(want)) != 0) ASSERT_STR_EQ(err.msg, want);
    ASSERT_STR_CONTAINS(err.msg, phrase);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

static void run_bad_files(void) {
    char names[64][256];
    int n = 0;
    DIR *d = opendir("configs/bad");
    struct dirent *e;
    if (!d) {
        printf("FAIL configs/bad cannot be opened\n");
        test_failed_++;
        return;
    }
    while ((e = readdir(d)) && n < 64) {
        size_t l = strlen(e->d_name);
        if (l < 5 || l >= sizeof names[0] || strcmp(e->d_name + l - 5, ".yaml") != 0) continue;
        memcpy(names[n++], e->d_name, l + 1);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    for (int i = 0; i < n; i++) {
        memcpy(g_bad_file, names[i], sizeof g_bad_file);
        printf("     configs/bad/%s\n", g_bad_file);
        TEST_RUN(test_bad_file);
    }
    if (n < 10) {
        printf("FAIL only %d files in configs/bad, want at least 10\n", n);
        test_failed_++;
    }
}

int main(void) {
    TEST_RUN(test_minimal_defaults);
    TEST_RUN(test_resolved_json_exact);
    TEST_RUN(test_json_independent_of_formatting);
    TEST_RUN(test_hash_changes_with_a_value);
    TEST_RUN(test_ranges);
    TEST_RUN(test_good_scaling_file);
    TEST_RUN(test_good_ranges_file);
    TEST_RUN(test_good_sentences_file);
    TEST_RUN(test_good_file_input);
    TEST_RUN(test_file_input_crlf_and_given_d_model);
    TEST_RUN(test_every_good_file_loads);
    TEST_RUN(test_cells_at_the_limit);
    TEST_RUN(test_json_escapes_strings);
    TEST_RUN(test_aliases_and_quoting);
    TEST_RUN(test_utf8_bom);
    TEST_RUN(test_enum_names);
    TEST_RUN(test_missing_file);

    TEST_RUN(test_bad_oversize);
    TEST_RUN(test_bad_unknown_top_key);
    TEST_RUN(test_bad_unknown_sweep_key);
    TEST_RUN(test_bad_unknown_key_no_suggestion);
    TEST_RUN(test_bad_sweep_is_list);
    TEST_RUN(test_bad_string_for_int);
    TEST_RUN(test_bad_real_for_int);
    TEST_RUN(test_bad_quoted_number);
    TEST_RUN(test_bad_boolean_for_int);
    TEST_RUN(test_bad_null_for_int);
    TEST_RUN(test_bad_tag);
    TEST_RUN(test_bad_mapping_for_list);
    TEST_RUN(test_bad_out_of_range);
    TEST_RUN(test_bad_trials_out_of_range);
    TEST_RUN(test_bad_seed_negative);
    TEST_RUN(test_bad_overflow_seed);
    TEST_RUN(test_bad_overflow_seq_len);
    TEST_RUN(test_bad_exponent_for_int);
    TEST_RUN(test_bad_nan);
    TEST_RUN(test_bad_inf);
    TEST_RUN(test_bad_real_overflow);
    TEST_RUN(test_bad_token_std_zero);
    TEST_RUN(test_bad_unknown_scheme);
    TEST_RUN(test_bad_unknown_scheme_far);
    TEST_RUN(test_bad_unknown_scheme_near_variant);
    TEST_RUN(test_bad_unknown_top_key_late);
    TEST_RUN(test_bad_unknown_scheme_param);
    TEST_RUN(test_bad_param_of_paramless_scheme);
    TEST_RUN(test_bad_scheme_param_range);
    TEST_RUN(test_bad_scheme_param_real_range);
    TEST_RUN(test_bad_scheme_choice);
    TEST_RUN(test_bad_variant_missing_type);
    TEST_RUN(test_bad_variant_unknown_type);
    TEST_RUN(test_bad_variant_shadows_builtin);
    TEST_RUN(test_bad_variant_name_chars);
    TEST_RUN(test_bad_heads_not_dividing);
    TEST_RUN(test_bad_syntax_error);
    TEST_RUN(test_bad_syntax_tab);
    TEST_RUN(test_bad_missing_name);
    TEST_RUN(test_bad_missing_sweep);
    TEST_RUN(test_bad_missing_scheme);
    TEST_RUN(test_bad_missing_d_model);
    TEST_RUN(test_bad_empty_list);
    TEST_RUN(test_bad_duplicate_axis_value);
    TEST_RUN(test_bad_duplicate_enum_value);
    TEST_RUN(test_bad_duplicate_scheme_value);
    TEST_RUN(test_bad_duplicate_key);
    TEST_RUN(test_bad_duplicate_top_key);
    TEST_RUN(test_bad_mapping_key);
    TEST_RUN(test_bad_alias_bomb);
    TEST_RUN(test_bad_undefined_alias);
    TEST_RUN(test_bad_recursive_alias);
    TEST_RUN(test_bad_deep_via_aliases);
    TEST_RUN(test_bad_deep_nesting);
    TEST_RUN(test_bad_many_nodes);
    TEST_RUN(test_bad_non_utf8);
    TEST_RUN(test_bad_overlong_utf8);
    TEST_RUN(test_bad_control_char);
    TEST_RUN(test_bad_nul_byte);
    TEST_RUN(test_bad_nul_escape);
    TEST_RUN(test_bad_multiple_documents);
    TEST_RUN(test_bad_empty_file);
    TEST_RUN(test_bad_only_comments);
    TEST_RUN(test_bad_top_level_list);
    TEST_RUN(test_bad_top_level_scalar);
    TEST_RUN(test_bad_name_chars);
    TEST_RUN(test_bad_name_dotdot);
    TEST_RUN(test_bad_name_too_long);
    TEST_RUN(test_bad_name_empty);
    TEST_RUN(test_bad_permutation);
    TEST_RUN(test_bad_mask_listed_choices);
    TEST_RUN(test_bad_mask_suggestion);
    TEST_RUN(test_bad_range_factor_and_step);
    TEST_RUN(test_bad_range_neither);
    TEST_RUN(test_bad_range_factor_one);
    TEST_RUN(test_bad_range_step_zero);
    TEST_RUN(test_bad_range_from_gt_to);
    TEST_RUN(test_bad_range_unknown_key);
    TEST_RUN(test_bad_range_missing_to);
    TEST_RUN(test_bad_range_out_of_bounds);
        TEST_RUN(test_bad_too_many_cells_product);
    TEST_RUN(test_bad_huge_step_range);
    TEST_RUN(test_bad_seq_len_with_sentences);
    TEST_RUN(test_bad_unknown_token);
    TEST_RUN(test_bad_unknown_token_in_list);
    TEST_RUN(test_bad_ragged_tokens);
    TEST_RUN(test_bad_token_nan);
    TEST_RUN(test_bad_token_name_space);
    TEST_RUN(test_bad_empty_sentence);
    TEST_RUN(test_bad_tokens_without_sentences);
    TEST_RUN(test_bad_sentences_without_tokens);
    TEST_RUN(test_bad_inputs_with_tokens);
    TEST_RUN(test_bad_d_model_vs_tokens);
    TEST_RUN(test_bad_inputs_unknown);
    TEST_RUN(test_bad_inputs_unknown_key);
    TEST_RUN(test_bad_inputs_missing_file);
    TEST_RUN(test_bad_csv_cell);
    TEST_RUN(test_bad_csv_ragged);
    TEST_RUN(test_bad_csv_blank_line);
    TEST_RUN(test_bad_csv_nan);
    TEST_RUN(test_bad_csv_empty_value);
    TEST_RUN(test_bad_csv_empty_file);
    TEST_RUN(test_bad_seq_len_beyond_csv);
    TEST_RUN(test_bad_d_model_vs_csv);
    run_bad_files();
    return TEST_DONE();
}
