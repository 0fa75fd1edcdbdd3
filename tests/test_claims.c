/* test_claims.c — the CSV table reader and the claims of experiments:
 * parsing (with located errors) and evaluation of expect, trend and compare
 * on small hand-made results tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelab/study/claims.h"
#include "pelab/lab/results.h"
#include "pelab/io/table.h"
#include "test.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A results table of two schemes over three lengths, two dtypes. */
static const char *g_csv =
    "scheme,seq_len,d_model,dtype,status,pe_max_abs,logit_max_abs,attn_entropy,grad_wv_norm\n"
    "index,8,16,f32,ok,8,19.4,0.41,39\n"
    "index,32,16,f32,ok,32,252.7,0.09,1021\n"
    "index,128,16,f32,ok,128,3979,0.018,16384\n"
    "sinusoidal,8,16,f32,ok,1,8.65,0.35,12.4\n"
    "sinusoidal,32,16,f32,ok,1,10.7,0.52,7.7\n"
    "sinusoidal,128,16,f32,ok,1,13.3,0.64,6.1\n"
    "index,8,16,f64,ok,8,19.4000001,0.41,39\n"
    "index,32,16,f64,ok,32,252.7001,0.09,1021\n"
    "index,128,16,f64,ok,128,3979.2,0.018,16384\n"
    "none,8,16,f32,ok,,6.2,0.34,6.3\n"
    "learned,8,16,f32,ok,0.05,6.1,0.34,6.2\n"
    "learned,1024,16,f32,skipped: seq_len 1024 exceeds learned max_len 512,,,,\n";

/* Parse csv and the claims yaml (asserting both succeed), evaluate claim
 * `which`, fill *v, free everything. */
static void eval_claim(const char *csv, const char *yaml, int which, pelab_claim_verdict *v) {
    pelab_table t;
    pelab_claims cs;
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status s = pelab_table_parse(&t, csv, strlen(csv), "r.csv", &err);
    if (s) fprintf(stderr, "     table: %s\n", err.msg);
    ASSERT_EQ(s, PELAB_STATUS_OK);
    s = pelab_claims_load_buffer(&cs, yaml, strlen(yaml), "c.yaml", &err);
    if (s) {
        fprintf(stderr, "     claims: %s\n", err.msg);
        pelab_table_free(&t);
    }
    ASSERT_EQ(s, PELAB_STATUS_OK);
    ASSERT(which < cs.n);
    pelab_claim_eval(v, &cs.items[which], &t);
    pelab_claims_free(&cs);
    pelab_table_free(&t);
}

/* Assert the first claim of yaml holds (or fails) on g_csv, and that its
 * detail contains phrase. */
static void expect_verdict(const char *yaml, int holds, const char *phrase) {
    pelab_claim_verdict v;
    eval_claim(g_csv, yaml, 0, &v);
    if (v.holds != holds) fprintf(stderr, "     detail: %s\n", v.detail);
    ASSERT_EQ(v.holds, holds);
    ASSERT_STR_CONTAINS(v.detail, phrase);
}

/* Assert yaml is refused with "c.yaml:WHERE: " and phrase in the message. */
static void expect_bad(const char *yaml, const char *where, const char *phrase) {
    pelab_claims cs;
    pelab_error err = {PELAB_STATUS_OK, ""};
    char prefix[64];
    pelab_status s = pelab_claims_load_buffer(&cs, yaml, strlen(yaml), "c.yaml", &err);
    ASSERT_EQ(s, PELAB_STATUS_CONFIG);
    ASSERT_EQ(cs.n, 0);
    ASSERT(cs.items == NULL);
    snprintf(prefix, sizeof prefix, "c.yaml:%s: ", where);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT(strncmp(err.msg, prefix, strlen(prefix)) == 0);
    ASSERT_STR_CONTAINS(err.msg, phrase);
}

/* ---- the table ------------------------------------------------------------------ */

static void test_table_reads_fields_and_numbers(void) {
    const char *csv = "a,b,c\r\n1,\"x,y\",\r\n\"say \"\"hi\"\"\",2.5e3,nan\n\n-inf,,7";
    pelab_table t;
    pelab_error err;
    ASSERT_EQ(pelab_table_parse(&t, csv, strlen(csv), "t.csv", &err), PELAB_STATUS_OK);
    ASSERT_EQ(t.n_cols, 3);
    ASSERT_EQ(t.n_rows, 3);
    ASSERT_EQ(pelab_table_col(&t, "b"), 1);
    ASSERT_EQ(pelab_table_col(&t, "z"), -1);
    ASSERT_STR_EQ(pelab_table_get(&t, 0, 1), "x,y");
    ASSERT_STR_EQ(pelab_table_get(&t, 1, 0), "say \"hi\"");
    ASSERT_EQ(t.line[2], 5);
    double x;
    ASSERT_EQ(pelab_table_number(&t, 0, 0, &x), PELAB_TABLE_NUM_OK);
    ASSERT_DBL_EQ(x, 1);
    ASSERT_EQ(pelab_table_number(&t, 0, 2, &x), PELAB_TABLE_NUM_EMPTY);
    ASSERT(isnan(x));
    ASSERT_EQ(pelab_table_number(&t, 0, 1, &x), PELAB_TABLE_NUM_BAD);
    ASSERT_EQ(pelab_table_number(&t, 1, 1, &x), PELAB_TABLE_NUM_OK);
    ASSERT_DBL_EQ(x, 2500);
    ASSERT_EQ(pelab_table_number(&t, 1, 2, &x), PELAB_TABLE_NUM_OK);
    ASSERT(isnan(x));
    ASSERT_EQ(pelab_table_number(&t, 2, 0, &x), PELAB_TABLE_NUM_OK);
    ASSERT(isinf(x) && x < 0);
    ASSERT_EQ(pelab_table_number(&t, 2, 1, &x), PELAB_TABLE_NUM_EMPTY);
    pelab_table_free(&t);
    ASSERT_EQ(t.n_rows, 0);
}

static void test_table_refuses_malformed(void) {
    static const struct {
        const char *csv, *msg;
    } cases[] = {
        {"a,b\n1,2\n3\n", "t.csv:3: a row of 1 fields; the header has 2"},
        {"a,b\n1,\"2\n", "t.csv:2: a quoted field that starts here never ends"},
        {"a,a\n1,2\n", "t.csv:1: the header names column 'a' twice"},
        {"a,,c\n", "t.csv:1: column 2 of the header has no name"},
        {"", "t.csv: empty: no header line"},
        {"a,b\n1,x\"y\n", "t.csv:2: a quote inside an unquoted field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        pelab_table t;
        pelab_error err = {PELAB_STATUS_OK, ""};
        ASSERT_EQ(pelab_table_parse(&t, cases[i].csv, strlen(cases[i].csv), "t.csv", &err), PELAB_STATUS_RUN);
        ASSERT_STR_EQ(err.msg, cases[i].msg);
        ASSERT(t.cells == NULL && t.n_rows == 0);
        pelab_table_free(&t);
    }
    pelab_table t;
    pelab_error err;
    ASSERT_EQ(pelab_table_read(&t, "no/such/file.csv", &err), PELAB_STATUS_IO);
    ASSERT_STR_CONTAINS(err.msg, "no/such/file.csv: ");
}

/* ---- expect ---------------------------------------------------------------------- */

static void test_expect_every_row(void) {
    expect_verdict("- claim: sinusoidal values are bounded\n"
                   "  where: {scheme: sinusoidal}\n"
                   "  expect: pe_max_abs <= 1\n",
                   1, "3 rows; nearest to the bound: pe_max_abs = 1 <= 1");
    /* one row out of three is enough to fail, and the worst one is named */
    expect_verdict("- claim: x\n  where: {scheme: index, dtype: f32}\n  expect: logit_max_abs < 100\n", 0,
                   "2 of 3 rows fail; worst: logit_max_abs = 3979 at scheme=index seq_len=128 d_model=16 dtype=f32");
    expect_verdict("- claim: x\n  where: {scheme: index}\n  expect: pe_max_abs != 32\n", 0, "2 of 6 rows fail");
    expect_verdict("- claim: x\n  where: {scheme: index, seq_len: 8}\n  expect: pe_max_abs == 8\n", 1, "2 rows");
    expect_verdict("- claim: x\n  where: {scheme: index, seq_len: 8}\n  expect: attn_entropy > 0.41\n", 0,
                   "2 of 2 rows fail");
    expect_verdict("- claim: x\n  where: {scheme: index, seq_len: 8}\n  expect: attn_entropy >= 0.41\n", 1, "2 rows");
}

static void test_expect_where_forms(void) {
    /* a list, a range, a number matching "8.0", a glob */
    expect_verdict("- claim: x\n  where: {scheme: [none, learned], seq_len: 8.0}\n  expect: logit_max_abs < 7\n", 1,
                   "2 rows");
    expect_verdict("- claim: x\n  where: {scheme: index, seq_len: {min: 32}, dtype: f32}\n  expect: grad_wv_norm > 1000\n",
                   1, "2 rows; nearest to the bound: grad_wv_norm = 1021 > 1000 at scheme=index seq_len=32");
    expect_verdict("- claim: x\n  where: {scheme: '*al'}\n  expect: pe_max_abs <= 1\n", 1, "3 rows");
    expect_verdict("- claim: x\n  where: {seq_len: {max: 8}, dtype: f64}\n  expect: grad_wv_norm == 39\n", 1, "1 rows");
}

static void test_expect_undefined_and_status(void) {
    /* scheme none has no positional vectors: an empty field fails the claim */
    expect_verdict("- claim: x\n  where: {scheme: none}\n  expect: pe_max_abs < 1\n", 0,
                   "pe_max_abs is undefined (empty) at scheme=none seq_len=8");
    /* a skipped row among the selected ones fails the claim with its status */
    expect_verdict("- claim: x\n  where: {scheme: learned}\n  expect: logit_max_abs < 100\n", 0,
                   "row scheme=learned seq_len=1024 d_model=16 dtype=f32 has status 'skipped: seq_len 1024 exceeds");
    /* ... unless where names status */
    expect_verdict("- claim: x\n  where: {scheme: learned, status: ok}\n  expect: logit_max_abs < 100\n", 1, "1 rows");
    /* a glob on status selects skipped rows; their metrics are undefined */
    expect_verdict("- claim: x\n  where: {scheme: learned, status: 'skipped*'}\n  expect: logit_max_abs < 1\n", 0,
                   "logit_max_abs is undefined (empty) at scheme=learned seq_len=1024");
}

static void test_no_match_fails(void) {
    expect_verdict("- claim: x\n  where: {scheme: rope}\n  expect: pe_max_abs < 1\n", 0,
                   "no rows match: no row has scheme=rope (scheme has: index, sinusoidal, none, learned)");
    expect_verdict("- claim: x\n  where: {scheme: none, dtype: f64}\n  expect: pe_max_abs < 1\n", 0,
                   "no rows match all of: scheme=none, dtype=f64");
    expect_verdict("- claim: x\n  where: {seq_len: {min: 5000}}\n  expect: pe_max_abs < 1\n", 0,
                   "no row has seq_len in [5000, inf]");
}

/* ---- trend --------------------------------------------------------------------------- */

static void test_trend(void) {
    expect_verdict("- claim: gradients explode\n  where: {scheme: index}\n"
                   "  trend: {metric: grad_wv_norm, over: seq_len, direction: increasing, min_ratio: 100}\n",
                   1, "2 groups, seq_len 8..128, each increasing; smallest last/first ratio 420.1 (power 2.18) at scheme=index d_model=16 dtype=f32");
    expect_verdict("- claim: x\n  where: {scheme: index}\n"
                   "  trend: {metric: grad_wv_norm, over: seq_len, direction: increasing, min_ratio: 1000}\n",
                   0, "last/first ratio 420.1 < min_ratio 1000 at scheme=index d_model=16 dtype=f32 (grad_wv_norm 39 at seq_len 8, 16384 at seq_len 128");
    /* power: the log-log slope between the ends, 420.1 = 16^2.18 */
    expect_verdict("- claim: x\n  where: {scheme: index}\n"
                   "  trend: {metric: grad_wv_norm, over: seq_len, direction: increasing, min_power: 2}\n",
                   1, "(power 2.18)");
    expect_verdict("- claim: x\n  where: {scheme: index}\n"
                   "  trend: {metric: grad_wv_norm, over: seq_len, direction: increasing, min_power: 2.5}\n",
                   0, "power 2.18 < min_power 2.5");
    expect_verdict("- claim: positions grow exactly like n\n  where: {scheme: index}\n"
                   "  trend: {metric: pe_max_abs, over: seq_len, direction: increasing, min_power: 1, max_power: 1}\n",
                   1, "ratio 16 (power 1)");
    expect_verdict("- claim: x\n  where: {scheme: index}\n"
                   "  trend: {metric: attn_entropy, over: seq_len, direction: decreasing, max_power: 1}\n",
                   0, "first/last power 1.13 > max_power 1");
    expect_verdict("- claim: x\n  where: {scheme: index}\n"
                   "  trend: {metric: grad_wv_norm, over: seq_len, direction: increasing, max_ratio: 100}\n",
                   0, "ratio 420.1 > max_ratio 100");
    expect_verdict("- claim: entropy collapses\n  where: {scheme: index}\n"
                   "  trend: {metric: attn_entropy, over: seq_len, direction: decreasing, min_ratio: 20}\n",
                   1, "smallest first/last ratio 22.78");
    /* sinusoidal gradients fall: not increasing, and the step is named */
    expect_verdict("- claim: x\n  where: {scheme: sinusoidal}\n"
                   "  trend: {metric: grad_wv_norm, over: seq_len, direction: increasing}\n",
                   0, "not increasing at scheme=sinusoidal d_model=16 dtype=f32: grad_wv_norm = 12.4 at seq_len 8, then 7.7 at seq_len 32");
}

static void test_trend_tolerance_and_groups(void) {
    const char *csv = "scheme,seq_len,mask,status,attn_entropy\n"
                      "a,8,none,ok,0.5\n"
                      "a,16,none,ok,0.49\n"
                      "a,32,none,ok,0.7\n"
                      "a,8,causal,ok,0.1\n"
                      "a,16,causal,ok,0.2\n"
                      "b,8,none,ok,0.3\n";
    const char *yaml = "- claim: strict\n  where: {scheme: a}\n"
                       "  trend: {metric: attn_entropy, over: seq_len, direction: increasing}\n"
                       "- claim: with tolerance\n  where: {scheme: a}\n"
                       "  trend: {metric: attn_entropy, over: seq_len, direction: increasing, tolerance: 0.05}\n"
                       "- claim: one value per group is no trend\n"
                       "  trend: {metric: attn_entropy, over: seq_len, direction: increasing, tolerance: 0.05}\n";
    pelab_claim_verdict v;
    eval_claim(csv, yaml, 0, &v);
    ASSERT_EQ(v.holds, 0);
    ASSERT_STR_CONTAINS(v.detail, "not increasing at scheme=a mask=none: attn_entropy = 0.5 at seq_len 8, then 0.49 at seq_len 16");
    eval_claim(csv, yaml, 1, &v);
    ASSERT_EQ(v.holds, 1);
    ASSERT_STR_CONTAINS(v.detail, "2 groups, seq_len 8..32");
    eval_claim(csv, yaml, 2, &v);
    ASSERT_EQ(v.holds, 0);
    ASSERT_STR_CONTAINS(v.detail, "only one value of seq_len (8) at scheme=b mask=none");
}

/* ---- compare ---------------------------------------------------------------------------- */

static void test_compare_other_scheme(void) {
    expect_verdict("- claim: index logits dwarf sinusoidal ones\n  where: {scheme: index, dtype: f32, seq_len: {min: 32}}\n"
                   "  compare: {metric: logit_max_abs, op: \">\", other: {scheme: sinusoidal}, factor: 10}\n",
                   1, "2 pairs; tightest: logit_max_abs 252.7 > 10 x 10.7 (scheme=sinusoidal) at scheme=index seq_len=32");
    expect_verdict("- claim: x\n  where: {scheme: index, dtype: f32}\n"
                   "  compare: {metric: logit_max_abs, op: \">\", other: {scheme: sinusoidal}, factor: 10}\n",
                   0, "1 of 3 pairs fails: logit_max_abs 19.4 at scheme=index seq_len=8 d_model=16 dtype=f32, wants > 10 x 8.65 (scheme=sinusoidal)");
    /* the partner must exist */
    expect_verdict("- claim: x\n  where: {scheme: sinusoidal}\n"
                   "  compare: {metric: logit_max_abs, op: \"<\", other: {scheme: index, dtype: f64}}\n",
                   1, "3 pairs");
    expect_verdict("- claim: x\n  where: {scheme: none}\n"
                   "  compare: {metric: logit_max_abs, op: \"<\", other: {dtype: f64}}\n",
                   0, "no partner row with dtype=f64 for scheme=none seq_len=8 d_model=16 dtype=f32");
}

static void test_compare_dtype_approx(void) {
    expect_verdict("- claim: f32 agrees with f64\n  where: {scheme: index, dtype: f32}\n"
                   "  compare: {metric: logit_max_abs, op: \"~=\", other: {dtype: f64}, rtol: 1e-4}\n",
                   1, "3 pairs; tightest: logit_max_abs 3979 ~= 3979.2 (dtype=f64, relative difference 5e-05) at scheme=index seq_len=128 d_model=16 dtype=f32 (rtol 0.0001, atol 0)");
    expect_verdict("- claim: x\n  where: {scheme: index, dtype: f32}\n"
                   "  compare: {metric: logit_max_abs, op: \"~=\", other: {dtype: f64}, rtol: 1e-6}\n",
                   0, "1 of 3 pairs fails: logit_max_abs 3979 at scheme=index seq_len=128");
    expect_verdict("- claim: x\n  where: {scheme: index, dtype: f32}\n"
                   "  compare: {metric: logit_max_abs, op: \"~=\", other: {dtype: f64}, atol: 0.3}\n",
                   1, "3 pairs");
    /* "!~=": beyond the tolerance; the tightest pair is the nearest one */
    expect_verdict("- claim: f32 drifts at n = 128\n  where: {scheme: index, dtype: f32, seq_len: 128}\n"
                   "  compare: {metric: logit_max_abs, op: \"!~=\", other: {dtype: f64}, rtol: 1e-5}\n",
                   1, "1 pair; tightest: logit_max_abs 3979 !~= 3979.2 (dtype=f64, relative difference 5e-05)");
    expect_verdict("- claim: x\n  where: {scheme: index, dtype: f32}\n"
                   "  compare: {metric: logit_max_abs, op: \"!~=\", other: {dtype: f64}, rtol: 1e-5}\n",
                   0, "2 of 3 pairs fail; first: logit_max_abs 19.4 at scheme=index seq_len=8");
}

/* ---- parsing ------------------------------------------------------------------------------ */

static void test_parse_errors_located(void) {
    expect_bad("- claim: x\n  wher: {scheme: none}\n  expect: pe_max_abs < 1\n", "2:3",
               "unknown key 'wher' in a claim (did you mean 'where'?)");
    expect_bad("- claim: x\n  expect: order_tokn_dist < 1\n", "2:11",
               "unknown column 'order_tokn_dist' (did you mean 'order_token_dist'?)");
    expect_bad("- claim: x\n  expect: pe_max_abs =< 1\n", "2:22", "bad operator '=<'");
    expect_bad("- claim: x\n  expect: pe_max_abs < 1x\n", "2:25", "'1x' is not a number");
    expect_bad("- claim: x\n  expect: pe_max_abs ~= 1\n", "2:22", "bad operator");
    expect_bad("- claim: x\n  expect: seq_len < 1\n", "2:11", "'seq_len' is not a metric column");
    expect_bad("- claim: x\n  where: {schem: none}\n  expect: pe_max_abs < 1\n", "2:11",
               "where: unknown column 'schem' (did you mean 'scheme'?)");
    expect_bad("- claim: x\n  where: {seq_len: {min: 8, max: 4}}\n  expect: pe_max_abs < 1\n", "2:20", "min 8 is above max 4");
    expect_bad("- claim: x\n  where: {seq_len: {least: 8}}\n  expect: pe_max_abs < 1\n", "2:21",
               "unknown key 'least' in a where range");
    expect_bad("- claim: x\n  trend: {metric: pe_max_abs, over: seq_len, direction: up}\n", "2:57",
               "'up' is not increasing or decreasing");
    expect_bad("- claim: x\n  trend: {metric: pe_max_abs, over: pe_token_ratio, direction: increasing}\n", "2:37",
               "trend over wants an identity column");
    expect_bad("- claim: x\n  trend: {metric: pe_max_abs, direction: increasing}\n", "2:10", "trend needs over");
    expect_bad("- claim: x\n  trend: {metric: pe_max_abs, over: seq_len, direction: increasing, min_ratio: many}\n",
               "2:80", "expected a number for min_ratio, found the string 'many'");
    expect_bad("- claim: x\n  compare: {metric: pe_max_abs, op: '=>', other: {scheme: none}}\n", "2:37", "bad operator '=>'");
    expect_bad("- claim: x\n  compare: {metric: pe_max_abs, op: '>', other: {status: ok}}\n", "2:50",
               "other: 'status' is not an identity column");
    expect_bad("- claim: x\n  compare: {metric: pe_max_abs, op: '>', other: {scheme: none}, rtol: 0.1}\n", "2:65",
               "rtol goes with op \"~=\" or \"!~=\" only");
    expect_bad("- claim: x\n  compare: {metric: pe_max_abs, op: '~=', other: {scheme: none}}\n", "2:12",
               "op \"~=\" needs rtol, atol or both");
    expect_bad("- claim: x\n  compare: {metric: pe_max_abs, op: '!~=', other: {scheme: none}}\n", "2:12",
               "op \"!~=\" needs rtol, atol or both");
    expect_bad("- claim: x\n  expect: pe_max_abs !~= 1\n", "2:22", "bad operator");
    expect_bad("- claim: x\n  compare: {metric: pe_max_abs, op: '>'}\n", "2:12", "compare needs other");
    expect_bad("- claim: x\n  expect: pe_max_abs < 1\n  trend: {metric: pe_max_abs, over: seq_len, direction: increasing}\n",
               "3:3", "a claim has one check: 'expect' and 'trend' are both here");
    expect_bad("- claim: x\n", "1:3", "needs a check: expect, trend or compare");
    expect_bad("- where: {scheme: none}\n  expect: pe_max_abs < 1\n", "1:3", "a claim needs claim:");
    expect_bad("- claim: x\n  claim: y\n  expect: pe_max_abs < 1\n", "2:3", "duplicate key 'claim' (first at 1:3)");
    expect_bad("claim: x\n", "1:1", "the file should be a list of claims");
    expect_bad("", "1:1", "no claims");
    expect_bad("[]", "1:1", "no claims: the list is empty");
    expect_bad("- &a claim: x\n", "1:3", "claim 'x' needs a check"); /* anchors are YAML, as in configs */
    expect_bad("- claim: x\n  expect: *nope\n", "2:11", "undefined alias '*nope'");
    expect_bad("- claim: x\n  expect: [a\n", "3:1", "did not find expected ',' or ']'");
    expect_bad("- claim: x\n  expect: pe_max_abs < 1\n---\n- claim: y\n  expect: pe_max_abs < 1\n", "3:1",
               "a second YAML document: the file is one document");
}

static void test_parse_good(void) {
    const char *yaml = "# comment\n"
                       "- claim: \"a\\nb\"\n"
                       "  where: {scheme: [index, sinusoidal], seq_len: {min: 8}}\n"
                       "  expect: ' pe_max_abs>=1e-3'\n"
                       "- claim: t\n"
                       "  trend: {metric: attn_entropy, over: d_model, direction: decreasing, min_ratio: 2, max_ratio: 9, tolerance: 0.1}\n"
                       "- claim: c\n"
                       "  compare: {metric: grad_wv_norm, op: '~=', other: {dtype: f64, scheme: none}, factor: 2, rtol: 0.5, atol: 1}\n";
    pelab_claims cs;
    pelab_error err;
    ASSERT_EQ(pelab_claims_load_buffer(&cs, yaml, strlen(yaml), "c.yaml", &err), PELAB_STATUS_OK);
    ASSERT_EQ(cs.n, 3);
    const pelab_claim *a = &cs.items[0], *t = &cs.items[1], *c = &cs.items[2];
    ASSERT_STR_EQ(a->text, "a b");
    ASSERT_EQ(a->kind, PELAB_CLAIM_EXPECT);
    ASSERT_EQ(a->n_where, 2);
    ASSERT_EQ(a->where[0].n_values, 2);
    ASSERT_STR_EQ(a->where[0].values[1], "sinusoidal");
    ASSERT(a->where[1].is_range && a->where[1].min == 8 && isinf(a->where[1].max));
    ASSERT_EQ(a->op, PELAB_OP_GE);
    ASSERT_DBL_EQ(a->value, 1e-3);
    ASSERT_EQ(t->kind, PELAB_CLAIM_TREND);
    ASSERT_EQ(t->direction, -1);
    ASSERT_DBL_EQ(t->min_ratio, 2);
    ASSERT_DBL_EQ(t->max_ratio, 9);
    ASSERT_DBL_EQ(t->tolerance, 0.1);
    ASSERT_EQ(c->kind, PELAB_CLAIM_COMPARE);
    ASSERT_EQ(c->op, PELAB_OP_APPROX);
    ASSERT_EQ(c->n_other, 2);
    ASSERT_STR_EQ(c->other[1].column, "scheme");
    ASSERT_DBL_EQ(c->factor, 2);
    ASSERT_DBL_EQ(c->rtol, 0.5);
    ASSERT_DBL_EQ(c->atol, 1);
    pelab_claims_free(&cs);
}

/* A claim over a column the results lack fails, saying so. */
static void test_missing_column_fails(void) {
    pelab_claim_verdict v;
    eval_claim("scheme,seq_len,status\nindex,8,ok\n", "- claim: x\n  expect: pe_max_abs < 1\n", 0, &v);
    ASSERT_EQ(v.holds, 0);
    ASSERT_STR_CONTAINS(v.detail, "r.csv has no column 'pe_max_abs'");
}

/* ---- training results: the same rule for identity columns ------------------------------ */

/* A training results.csv: key columns (with a swept key, layers, that no
 * probe table has), eval_len, then width, trials, status and the metrics;
 * an empty dtype field too. */
static const char *g_train_csv =
    "scheme,task,d_model,heads,layers,mask,lr,dtype,eval_len,width,trials,status,"
    "eval_acc,eval_acc_std,eval_loss,eval_loss_std,time_s,time_s_std\n"
    "none,majority,8,2,1,none,0.003,f32,16,8,2,ok,0.97,0.01,0.10,0.01,1.5,0.1\n"
    "none,majority,8,2,1,none,0.003,f32,32,8,2,ok,0.90,0.02,0.30,0.02,1.5,0.1\n"
    "none,majority,8,2,1,none,0.003,f32,64,8,2,ok,0.80,0.03,0.60,0.03,1.5,0.1\n"
    "rope,majority,8,2,1,none,0.003,f32,16,8,2,ok,0.99,0.01,0.05,0.01,1.6,0.1\n"
    "rope,majority,8,2,1,none,0.003,f32,32,8,2,ok,0.95,0.01,0.12,0.01,1.6,0.1\n"
    "rope,majority,8,2,1,none,0.003,f32,64,8,2,ok,0.85,0.02,0.40,0.02,1.6,0.1\n"
    "rope,majority,8,2,2,none,0.003,,16,8,2,ok,0.96,0.01,0.08,0.01,3.1,0.2\n";

/* Load yaml against the columns of csv (as pelab check does), evaluate
 * claim `which` into *v. */
static void eval_train_claim(const char *yaml, int which, pelab_claim_verdict *v) {
    pelab_table t;
    pelab_claims cs;
    pelab_error err = {PELAB_STATUS_OK, ""};
    ASSERT_EQ(pelab_table_parse(&t, g_train_csv, strlen(g_train_csv), "train.csv", &err), PELAB_STATUS_OK);
    pelab_status s = pelab_claims_load_buffer_for(&cs, yaml, strlen(yaml), "c.yaml", &t, &err);
    if (s) fprintf(stderr, "     claims: %s\n", err.msg);
    ASSERT_EQ(s, PELAB_STATUS_OK);
    ASSERT(which < cs.n);
    pelab_claim_eval(v, &cs.items[which], &t);
    pelab_claims_free(&cs);
    pelab_table_free(&t);
}

static void expect_train(const char *yaml, int holds, const char *phrase) {
    pelab_claim_verdict v;
    eval_train_claim(yaml, 0, &v);
    if (v.holds != holds || !strstr(v.detail, phrase)) fprintf(stderr, "     detail: %s\n", v.detail);
    ASSERT_EQ(v.holds, holds);
    ASSERT_STR_CONTAINS(v.detail, phrase);
}

/* yaml against the training table's columns is refused at WHERE with phrase. */
static void expect_train_bad(const char *yaml, const char *where, const char *phrase) {
    pelab_table t;
    pelab_claims cs;
    pelab_error err = {PELAB_STATUS_OK, ""};
    char prefix[64];
    ASSERT_EQ(pelab_table_parse(&t, g_train_csv, strlen(g_train_csv), "train.csv", &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_claims_load_buffer_for(&cs, yaml, strlen(yaml), "c.yaml", &t, &err), PELAB_STATUS_CONFIG);
    pelab_table_free(&t);
    ASSERT_EQ(cs.n, 0);
    snprintf(prefix, sizeof prefix, "c.yaml:%s: ", where);
    if (strncmp(err.msg, prefix, strlen(prefix)) != 0 || !strstr(err.msg, phrase)) fprintf(stderr, "     message: %s\n", err.msg);
    ASSERT(strncmp(err.msg, prefix, strlen(prefix)) == 0);
    ASSERT_STR_CONTAINS(err.msg, phrase);
}

static void test_layout_rule(void) {
    /* probe: the identity columns are scheme .. sentence */
    char buf[16384];
    ASSERT(pelab_results_header(buf, sizeof buf) > 0);
    const char *names[512];
    int n = 0;
    for (char *p = buf; n < 512;) {
        names[n++] = p;
        p += strcspn(p, ",\n");
        if (*p != ',') {
            *p = '\0';
            break;
        }
        *p++ = '\0';
    }
    pelab_results_layout l = pelab_results_layout_of(names, n);
    ASSERT_EQ(l.n_id, PELAB_RESULTS_ID_COLUMNS);
    ASSERT_STR_EQ(names[l.n_id - 1], "sentence");
    ASSERT_STR_EQ(names[l.first_metric - 1], "status");
    /* train: the key columns and eval_len; metrics after status */
    pelab_table t;
    pelab_error err;
    ASSERT_EQ(pelab_table_parse(&t, g_train_csv, strlen(g_train_csv), "train.csv", &err), PELAB_STATUS_OK);
    l = pelab_table_layout(&t);
    ASSERT_EQ(l.n_id, 9);
    ASSERT_STR_EQ(t.cols[l.n_id - 1], "eval_len");
    ASSERT_EQ(l.width, 9);
    ASSERT_EQ(l.status, 11);
    ASSERT_STR_EQ(t.cols[l.first_metric], "eval_acc");
    pelab_table_free(&t);
    /* no width: the columns before status; neither: none */
    const char *cut[] = {"scheme", "seq_len", "status", "x"}, *bare[] = {"a", "b"};
    l = pelab_results_layout_of(cut, 4);
    ASSERT_EQ(l.n_id, 2);
    ASSERT_EQ(l.first_metric, 3);
    l = pelab_results_layout_of(bare, 2);
    ASSERT_EQ(l.n_id, 0);
    ASSERT_EQ(l.status, -1);
}

static void test_train_expect(void) {
    expect_train("- claim: every scheme learns majority at the training length\n"
                 "  where: {eval_len: 16}\n"
                 "  expect: eval_acc >= 0.95\n",
                 1, "3 rows; nearest to the bound: eval_acc = 0.96 >= 0.95 at scheme=rope task=majority d_model=8 heads=2 "
                    "layers=2 mask=none lr=0.003 eval_len=16"); /* the empty dtype left out */
    expect_train("- claim: x\n  where: {eval_len: {min: 32}, layers: 1}\n  expect: eval_acc >= 0.9\n", 0,
                 "2 of 4 rows fail; worst: eval_acc = 0.8 at scheme=none task=majority d_model=8 heads=2 layers=1 "
                 "mask=none lr=0.003 dtype=f32 eval_len=64 (wants >= 0.9)");
    /* width and trials are numbers a claim may test */
    expect_train("- claim: x\n  expect: trials == 2\n", 1, "7 rows");
    expect_train("- claim: x\n  where: {task: parity}\n  expect: eval_acc > 0\n", 0,
                 "no rows match: no row has task=parity (task has: majority)");
}

static void test_train_trend_compare(void) {
    expect_train("- claim: accuracy falls beyond the training length\n  where: {layers: 1}\n"
                 "  trend: {metric: eval_acc, over: eval_len, direction: decreasing}\n",
                 1, "2 groups, eval_len 16..64, each decreasing; smallest first/last ratio 1.165 (power 0.11) at "
                    "scheme=rope task=majority d_model=8 heads=2 layers=1 mask=none lr=0.003 dtype=f32");
    expect_train("- claim: x\n  where: {layers: 1}\n"
                 "  trend: {metric: eval_loss, over: eval_len, direction: decreasing}\n",
                 0, "not decreasing at scheme=none task=majority");
    /* rows that differ in layers are two groups, one of a single length */
    expect_train("- claim: x\n  where: {scheme: rope}\n"
                 "  trend: {metric: eval_acc, over: eval_len, direction: decreasing}\n",
                 0, "only one value of eval_len (16) at scheme=rope task=majority d_model=8 heads=2 layers=2");
    expect_train("- claim: rope beats no encoding at every length\n  where: {scheme: rope, layers: 1}\n"
                 "  compare: {metric: eval_acc, op: \">\", other: {scheme: none}}\n",
                 1, "3 pairs; tightest: eval_acc 0.99 > 0.97 (scheme=none) at scheme=rope task=majority");
    expect_train("- claim: x\n  where: {scheme: rope, layers: 2}\n"
                 "  compare: {metric: eval_acc, op: \">\", other: {scheme: none}}\n",
                 0, "no partner row with scheme=none for scheme=rope task=majority d_model=8 heads=2 layers=2");
    expect_train("- claim: two layers cost about twice the time\n  where: {layers: 2}\n"
                 "  compare: {metric: time_s, op: \"~=\", other: {layers: 1, dtype: f32}, factor: 2, rtol: 0.1}\n",
                 1, "1 pair; tightest: time_s 3.1 ~= 2 x 1.6 (layers=1 dtype=f32");
}

static void test_train_refusals(void) {
    expect_train_bad("- claim: x\n  expect: eval_len < 1\n", "2:11",
                     "expect: 'eval_len' is not a metric column (it is an identity column)");
    expect_train_bad("- claim: x\n  expect: layers < 1\n", "2:11", "(it is an identity column)");
    expect_train_bad("- claim: x\n  expect: status < 1\n", "2:11", "'status' is not a metric column");
    expect_train_bad("- claim: x\n  expect: eval_ac >= 1\n", "2:11", "unknown column 'eval_ac' (did you mean 'eval_acc'?)");
    /* a probe metric is not a column of training results */
    expect_train_bad("- claim: x\n  expect: order_token_dist < 1\n", "2:11", "unknown column 'order_token_dist'");
    expect_train_bad("- claim: x\n  where: {seq_len: 8}\n  expect: eval_acc < 1\n", "2:11", "where: unknown column 'seq_len'");
    expect_train_bad("- claim: x\n  trend: {metric: eval_acc, over: width, direction: increasing}\n", "2:35",
                     "trend over wants an identity column (scheme, task, d_model, heads, layers, mask, lr, dtype, "
                     "eval_len), not 'width'");
    expect_train_bad("- claim: x\n  compare: {metric: eval_acc, op: '>', other: {trials: 3}}\n", "2:48",
                     "other: 'trials' is not an identity column (scheme, task, d_model, heads, layers, mask, lr, dtype, "
                     "eval_len)");
    /* without the table, claims are checked against the probe header */
    pelab_claims cs;
    pelab_error err;
    const char *yaml = "- claim: x\n  where: {eval_len: 16}\n  expect: eval_acc > 0\n";
    ASSERT_EQ(pelab_claims_load_buffer(&cs, yaml, strlen(yaml), "c.yaml", &err), PELAB_STATUS_CONFIG);
    ASSERT_STR_CONTAINS(err.msg, "where: unknown column 'eval_len'");
}

/* A claim checked against one header and evaluated on a table where its
 * over or other is not an identity column fails, listing the table's. */
static void test_eval_other_not_identity(void) {
    pelab_claim_verdict v;
    eval_claim("scheme,status,seq_len,pe_max_abs\nindex,ok,8,1\nnone,ok,8,2\n",
               "- claim: x\n  compare: {metric: pe_max_abs, op: '>', other: {seq_len: 16}}\n", 0, &v);
    ASSERT_EQ(v.holds, 0);
    ASSERT_STR_CONTAINS(v.detail, "'seq_len' is not an identity column of r.csv (those are: scheme)");
}

/* pelab_check_run on files: the claims are checked against the results'
 * columns; a claims error is said before unreadable results. */
static void test_check_run_train(void) {
    char dir[] = "/tmp/pelab-test-claims-XXXXXX", csv[256], yaml[256];
    ASSERT(mkdtemp(dir) != NULL);
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    snprintf(yaml, sizeof yaml, "%s/claims.yaml", dir);
    FILE *f = fopen(csv, "w");
    ASSERT(f != NULL);
    fputs(g_train_csv, f);
    fclose(f);
    f = fopen(yaml, "w");
    ASSERT(f != NULL);
    fputs("- claim: every scheme learns majority at the training length\n"
          "  where: {eval_len: 16}\n"
          "  expect: eval_acc >= 0.95\n"
          "- claim: rope forgets less than no encoding\n"
          "  where: {scheme: rope, layers: 1}\n"
          "  compare: {metric: eval_acc, op: '>=', other: {scheme: none}}\n"
          "- claim: accuracy falls with length\n"
          "  where: {layers: 1}\n"
          "  trend: {metric: eval_acc, over: eval_len, direction: increasing}\n",
          f);
    fclose(f);
    pelab_check ck;
    pelab_error err;
    ASSERT_EQ(pelab_check_run(&ck, dir, dir, &err), PELAB_STATUS_OK);
    ASSERT_EQ(ck.claims.n, 3);
    ASSERT_EQ(ck.n_hold, 2);
    ASSERT_EQ(ck.n_fail, 1);
    ASSERT_STR_CONTAINS(ck.verdicts[2].detail, "not increasing at scheme=none task=majority");
    pelab_check_free(&ck);
    /* missing results: the claims are still read (against the probe
     * header) and a claims error comes first */
    char nowhere[300];
    snprintf(nowhere, sizeof nowhere, "%s/none.csv", dir);
    ASSERT_EQ(pelab_check_run(&ck, yaml, nowhere, &err), PELAB_STATUS_CONFIG);
    ASSERT_STR_CONTAINS(err.msg, "unknown column 'eval_len'");
    f = fopen(yaml, "w");
    ASSERT(f != NULL);
    fputs("- claim: x\n  expect: pe_max_abs < 1\n", f);
    fclose(f);
    ASSERT_EQ(pelab_check_run(&ck, yaml, nowhere, &err), PELAB_STATUS_IO);
    ASSERT_STR_CONTAINS(err.msg, "none.csv");
    unlink(csv);
    unlink(yaml);
    rmdir(dir);
}

int main(void) {
    TEST_RUN(test_table_reads_fields_and_numbers);
    TEST_RUN(test_table_refuses_malformed);
    TEST_RUN(test_expect_every_row);
    TEST_RUN(test_expect_where_forms);
    TEST_RUN(test_expect_undefined_and_status);
    TEST_RUN(test_no_match_fails);
    TEST_RUN(test_trend);
    TEST_RUN(test_trend_tolerance_and_groups);
    TEST_RUN(test_compare_other_scheme);
    TEST_RUN(test_compare_dtype_approx);
    TEST_RUN(test_parse_errors_located);
    TEST_RUN(test_parse_good);
    TEST_RUN(test_missing_column_fails);
    TEST_RUN(test_layout_rule);
    TEST_RUN(test_train_expect);
    TEST_RUN(test_train_trend_compare);
    TEST_RUN(test_train_refusals);
    TEST_RUN(test_eval_other_not_identity);
    TEST_RUN(test_check_run_train);
    return TEST_DONE();
}
