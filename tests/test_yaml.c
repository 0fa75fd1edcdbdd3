/* test_yaml.c — the one YAML front end (pelab/yaml/yaml.h): the tree, its
 * limits and anchors, the typed getters, and the promise that a config and
 * a claims file get the same message for the same mistake. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/lab/config.h"
#include "pelab/study/claims.h"
#include "pelab/yaml/yaml.h"
#include "test.h"

static pelab_yaml_doc g_doc;
static pelab_error g_err;

static int parse(const char *text) {
    pelab_yaml_free(&g_doc);
    return pelab_yaml_parse(&g_doc, text, strlen(text), "t.yaml", NULL, &g_err);
}

static void test_tree_shape(void) {
    ASSERT_EQ(parse("a: 1\nb: [x, 'y', {c: d}]\n"), 0);
    const pelab_yaml_node *r = g_doc.root;
    ASSERT(r != NULL);
    ASSERT_EQ(r->kind, PELAB_YAML_KIND_MAP);
    ASSERT_EQ(r->n, 4);
    pelab_yaml_node *key = NULL, *b = pelab_yaml_map_get(r, "b", &key);
    ASSERT(b != NULL && key != NULL);
    ASSERT_EQ(key->line, 2);
    ASSERT_EQ(key->col, 1);
    ASSERT_EQ(b->kind, PELAB_YAML_KIND_SEQ);
    ASSERT_EQ(b->n, 3);
    ASSERT_STR_EQ(b->kids[0]->text, "x");
    ASSERT_EQ(b->kids[0]->quoted, 0);
    ASSERT_EQ(b->kids[1]->quoted, 1);
    ASSERT_EQ(b->kids[2]->kind, PELAB_YAML_KIND_MAP);
    ASSERT(pelab_yaml_map_get(r, "nope", NULL) == NULL);
    ASSERT_EQ(parse(""), 0);
    ASSERT(g_doc.root == NULL); /* no document: the caller decides */
    ASSERT_EQ(parse("# only a comment\n"), 0);
    ASSERT(g_doc.root == NULL);
}

static void test_anchors_are_shared_nodes(void) {
    ASSERT_EQ(parse("a: &x [1, 2]\nb: *x\n"), 0);
    ASSERT(pelab_yaml_map_get(g_doc.root, "a", NULL) == pelab_yaml_map_get(g_doc.root, "b", NULL));
    ASSERT_EQ(parse("a: *nope\n"), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:4: undefined alias '*nope'");
    /* an alias bomb: 9 levels of 9 aliases = 9^9 visits */
    char bomb[2048] = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i <= 9; i++) {
        char line[128];
        snprintf(line, sizeof line, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1,
                 i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        strcat(bomb, line);
    }
    ASSERT_EQ(parse(bomb), -1);
    ASSERT_STR_CONTAINS(g_err.msg, "more than 100000 nodes with aliases expanded");
}

static void test_limits_and_bytes(void) {
    pelab_yaml_limits lim = {64, 3, 1000};
    pelab_yaml_free(&g_doc);
    ASSERT_EQ(pelab_yaml_parse(&g_doc, "a: [[[[1]]]]\n", 13, "t.yaml", &lim, &g_err), -1);
    ASSERT_STR_CONTAINS(g_err.msg, "t.yaml:1:6: nesting deeper than 3 levels");
    char big[100];
    memset(big, 'a', sizeof big);
    pelab_yaml_free(&g_doc);
    ASSERT_EQ(pelab_yaml_parse(&g_doc, big, sizeof big, "t.yaml", &lim, &g_err), -1);
    ASSERT_STR_CONTAINS(g_err.msg, "larger than the limit of 64");
    pelab_yaml_free(&g_doc);
    ASSERT_EQ(pelab_yaml_parse(&g_doc, "a: \xff\n", 6, "t.yaml", NULL, &g_err), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:4: invalid UTF-8 byte 0xff");
    pelab_yaml_free(&g_doc);
    ASSERT_EQ(pelab_yaml_parse(&g_doc, "a: b\0c\n", 7, "t.yaml", NULL, &g_err), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:5: NUL byte in the file");
    ASSERT_EQ(parse("a: !!int 3\n"), -1);
    ASSERT_STR_CONTAINS(g_err.msg, "unsupported YAML tag '!!int'");
    ASSERT_EQ(parse("a: 1\n---\nb: 2\n"), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:2:1: a second YAML document: the file is one document");
    ASSERT_EQ(parse("a: 1\nb: 2\na: 3\n"), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:3:1: duplicate key 'a' (first at 1:1)");
    ASSERT_EQ(parse("[1]: x\n"), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:1: a mapping key must be a scalar, found a list");
}

static void test_typed_getters(void) {
    ASSERT_EQ(parse("i: 42\nq: \"42\"\nr: 2.5e-3\nn: .nan\nb: true\ns: hello\nz: ~\nbig: 99999999999\n"), 0);
    const pelab_yaml_node *r = g_doc.root;
    long long v = 0;
    double x = 0;
    int flag = 0;
    const char *s = NULL;
    ASSERT_EQ(pelab_yaml_get_int(&g_doc, pelab_yaml_map_get(r, "i", NULL), "i", 0, 100, &v), 0);
    ASSERT_EQ(v, 42);
    ASSERT_EQ(pelab_yaml_get_int(&g_doc, pelab_yaml_map_get(r, "i", NULL), "i", 0, 10, &v), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:4: i must be in [0, 10], found 42");
    ASSERT_EQ(pelab_yaml_get_int(&g_doc, pelab_yaml_map_get(r, "q", NULL), "q", 0, 100, &v), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:2:4: expected an integer for q, found the quoted string \"42\"");
    ASSERT_EQ(pelab_yaml_get_real(&g_doc, pelab_yaml_map_get(r, "r", NULL), "r", &x), 0);
    ASSERT_DBL_EQ(x, 2.5e-3);
    ASSERT_EQ(pelab_yaml_get_real(&g_doc, pelab_yaml_map_get(r, "n", NULL), "n", &x), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:4:4: expected a finite number for n, found the non-finite number .nan");
    ASSERT_EQ(pelab_yaml_get_bool(&g_doc, pelab_yaml_map_get(r, "b", NULL), "b", &flag), 0);
    ASSERT_EQ(flag, 1);
    ASSERT_EQ(pelab_yaml_get_bool(&g_doc, pelab_yaml_map_get(r, "i", NULL), "i", &flag), -1);
    ASSERT_EQ(pelab_yaml_get_str(&g_doc, pelab_yaml_map_get(r, "s", NULL), "s", &s), 0);
    ASSERT_STR_EQ(s, "hello");
    ASSERT_EQ(pelab_yaml_get_str(&g_doc, pelab_yaml_map_get(r, "z", NULL), "z", &s), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:7:4: expected a string for z, found null");
    ASSERT_EQ(pelab_yaml_get_int(&g_doc, pelab_yaml_map_get(r, "big", NULL), "big", 0, 1 << 30, &v), -1);
    static const char *const names[] = {"none", "causal"};
    int idx = -1;
    ASSERT_EQ(parse("m: casual\nk: zzz\n"), 0);
    ASSERT_EQ(pelab_yaml_get_choice(&g_doc, pelab_yaml_map_get(g_doc.root, "m", NULL), "mask", names, 2, &idx), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:4: unknown mask 'casual' (did you mean 'causal'?)");
    ASSERT_EQ(pelab_yaml_get_choice(&g_doc, pelab_yaml_map_get(g_doc.root, "k", NULL), "mask", names, 2, &idx), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:2:4: unknown mask 'zzz' (expected none or causal)");
}

static void test_known_and_required_keys(void) {
    static const char *const known[] = {"metric", "over", "direction"};
    ASSERT_EQ(parse("metrc: x\n"), 0);
    ASSERT_EQ(pelab_yaml_check_keys(&g_doc, g_doc.root, known, 3, " in trend"), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:1: unknown key 'metrc' in trend (did you mean 'metric'?)");
    ASSERT_EQ(parse("zebra: x\n"), 0);
    ASSERT_EQ(pelab_yaml_check_keys(&g_doc, g_doc.root, known, 3, " in trend"), -1);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:1: unknown key 'zebra' in trend (the keys here: metric, over or direction)");
    ASSERT(pelab_yaml_map_require(&g_doc, g_doc.root, "over", " in trend") == NULL);
    ASSERT_STR_EQ(g_err.msg, "t.yaml:1:1: missing required key 'over' in trend");
}

/* The message after "FILE:LINE:COL: " of a failed config load. */
static const char *config_error(const char *yaml) {
    static pelab_error err;
    pelab_config cfg;
    PELAB_ASSERT(pelab_config_load_buffer(&cfg, yaml, strlen(yaml), "f.yaml", NULL, &err) != PELAB_STATUS_OK);
    pelab_config_free(&cfg);
    const char *p = strstr(err.msg, ": ");
    return p ? p + 2 : err.msg;
}

static const char *claims_error(const char *yaml) {
    static pelab_error err;
    pelab_claims cs;
    PELAB_ASSERT(pelab_claims_load_buffer(&cs, yaml, strlen(yaml), "f.yaml", &err) != PELAB_STATUS_OK);
    pelab_claims_free(&cs);
    const char *p = strstr(err.msg, ": ");
    return p ? p + 2 : err.msg;
}

/* The same mistake in a config and in a claims file: the same words (after
 * the location, which differs with the file's layout). */
static void test_one_vocabulary(void) {
    char a[PELAB_ERROR_MSG_MAX], b[PELAB_ERROR_MSG_MAX];
    /* a duplicate key, with its first place */
    snprintf(a, sizeof a, "%s", config_error("name: t\nsweep: {seq_len: 8, d_model: 4, scheme: none}\nseed: 1\nseed: 2\n"));
    snprintf(b, sizeof b, "%s", claims_error("- claim: x\n  claim: y\n  expect: pe_max_abs < 1\n"));
    ASSERT_STR_EQ(strstr(a, "duplicate key"), "duplicate key 'seed' (first at 3:1)");
    ASSERT_STR_EQ(strstr(b, "duplicate key"), "duplicate key 'claim' (first at 1:3)");
    /* a quoted number is a string in both */
    snprintf(a, sizeof a, "%s", config_error("name: t\ntrials: \"3\"\nsweep: {seq_len: 8, d_model: 4, scheme: none}\n"));
    snprintf(b, sizeof b, "%s",
             claims_error("- claim: x\n  trend: {metric: pe_max_abs, over: seq_len, direction: increasing, "
                          "min_ratio: \"3\"}\n"));
    ASSERT_STR_EQ(strstr(a, "expected"), "expected an integer for trials, found the quoted string \"3\"");
    ASSERT_STR_EQ(strstr(b, "expected"), "expected a number for min_ratio, found the quoted string \"3\"");
    /* a wrong type */
    snprintf(a, sizeof a, "%s", config_error("name: t\nsweep: [1, 2]\n"));
    snprintf(b, sizeof b, "%s", claims_error("- claim: x\n  trend: [1, 2]\n"));
    ASSERT_STR_EQ(strstr(a, "expected"), "expected a mapping for sweep, found a list");
    ASSERT_STR_EQ(strstr(b, "expected"), "expected a mapping for trend, found a list");
    /* an unknown key, with the nearest name */
    snprintf(a, sizeof a, "%s", config_error("name: t\nseeed: 1\nsweep: {seq_len: 8, d_model: 4, scheme: none}\n"));
    snprintf(b, sizeof b, "%s", claims_error("- claim: x\n  wher: {scheme: none}\n  expect: pe_max_abs < 1\n"));
    ASSERT_STR_EQ(strstr(a, "unknown"), "unknown key 'seeed' (did you mean 'seed'?)");
    ASSERT_STR_EQ(strstr(b, "unknown"), "unknown key 'wher' in a claim (did you mean 'where'?)");
    /* NaN is not a number in either */
    snprintf(a, sizeof a, "%s", config_error("name: t\ntoken_std: .nan\nsweep: {seq_len: 8, d_model: 4, scheme: none}\n"));
    snprintf(b, sizeof b, "%s",
             claims_error("- claim: x\n  trend: {metric: pe_max_abs, over: seq_len, direction: increasing, "
                          "min_ratio: .nan}\n"));
    ASSERT_STR_EQ(strstr(a, "expected"), "expected a finite number for token_std, found the non-finite number .nan");
    ASSERT_STR_EQ(strstr(b, "expected"), "expected a finite number for min_ratio, found the non-finite number .nan");
    /* anchors work in both */
    pelab_claims cs;
    pelab_error err;
    const char *anchored = "- claim: x\n  where: &w {scheme: none}\n  expect: pe_max_abs < 1\n"
                           "- claim: y\n  where: *w\n  expect: pe_max_abs < 2\n";
    ASSERT_EQ(pelab_claims_load_buffer(&cs, anchored, strlen(anchored), "f.yaml", &err), PELAB_STATUS_OK);
    ASSERT_EQ(cs.n, 2);
    ASSERT_STR_EQ(cs.items[1].where[0].values[0], "none");
    pelab_claims_free(&cs);
    pelab_config cfg;
    const char *cfg_anchored = "name: t\nsweep: {seq_len: &n [8, 16], d_model: *n, scheme: none}\n";
    ASSERT_EQ(pelab_config_load_buffer(&cfg, cfg_anchored, strlen(cfg_anchored), "f.yaml", NULL, &err), PELAB_STATUS_OK);
    ASSERT_EQ(cfg.n_d_model, 2);
    pelab_config_free(&cfg);
}

int main(void) {
    TEST_RUN(test_tree_shape);
    TEST_RUN(test_anchors_are_shared_nodes);
    TEST_RUN(test_limits_and_bytes);
    TEST_RUN(test_typed_getters);
    TEST_RUN(test_known_and_required_keys);
    TEST_RUN(test_one_vocabulary);
    pelab_yaml_free(&g_doc);
    return TEST_DONE();
}
