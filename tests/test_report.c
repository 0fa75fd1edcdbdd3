/* test_report.c — what `pelab report` and `pelab heatmap` are made of:
 * markdown rendered by md4c against fixtures (tests/report/NAME.md ->
 * NAME.html, checked by eye once: lists over several lines, emphasis and
 * bold paired right, tables, code, links), text escaped so that it stays
 * literal, and the heatmap matrices tied to the trial (P V is the cell's
 * output; P's rows are distributions; the mask, the logits and Phi); the
 * report of a training results folder (tables, slices, claims, banner). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/lab/probe.h"
#include "pelab/lab/config.h"
#include "pelab/lab/heatmap.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/results.h"
#include "pelab/lab/sweep.h"
#include "pelab/pe/geometry.h"
#include "pelab/study/report.h"
#include "test.h"

/* ---- markdown ------------------------------------------------------------------- */

static char *read_all(const char *path) {
    char *data = NULL;
    size_t len = 0;
    pelab_error err;
    if (pelab_read_file(&data, &len, path, &err)) {
        fprintf(stderr, "     %s\n", err.msg);
        return NULL;
    }
    return data;
}

static char *render(const char *md) {
    char *html = NULL;
    size_t len = 0;
    pelab_error err;
    if (pelab_markdown_to_html(&html, &len, md, strlen(md), &err)) return NULL;
    return html;
}

static void check_fixture(const char *name) {
    char md_path[256], html_path[256];
    snprintf(md_path, sizeof md_path, "report/%s.md", name);
    snprintf(html_path, sizeof html_path, "report/%s.html", name);
    char *md = read_all(md_path), *want = read_all(html_path);
    ASSERT(md && want);
    char *got = render(md);
    ASSERT(got);
    if (strcmp(got, want) != 0) fprintf(stderr, "     %s renders as:\n%s\n     wanted:\n%s\n", name, got, want);
    ASSERT(strcmp(got, want) == 0);
    free(md), free(want), free(got);
}

static void test_fixture_lists(void) { check_fixture("lists"); }
static void test_fixture_emphasis(void) { check_fixture("emphasis"); }
static void test_fixture_table(void) { check_fixture("table"); }
static void test_fixture_code(void) { check_fixture("code"); }

/* The old converter's bugs, stated directly. */
static void test_markdown_old_bugs(void) {
    char *h = render("- a list item that goes\n  on over a second line\n- and *rises* here\n");
    ASSERT(h);
    ASSERT(strstr(h, "<li>a list item that goes\non over a second line</li>") != NULL);
    ASSERT(strstr(h, "<em>rises</em>") != NULL);
    ASSERT(strchr(h, '*') == NULL);
    free(h);
    h = render("**bold over\ntwo lines.** The logit between positions i and j carries the term\n");
    ASSERT(h);
    ASSERT(strstr(h, "<strong>bold over\ntwo lines.</strong> The logit between") != NULL);
    ASSERT(strstr(h, "carries the term</p>") != NULL);
    free(h);
    h = render("");
    ASSERT(h && h[0] == '\0');
    free(h);
}

/* Escaped text renders as itself, whatever markdown it looks like. */
static void test_markdown_escape(void) {
    static const char *const texts[] = {
        "order_token_dist = 3.1e-07 < 1e-05 at scheme=none",
        "*rises* and **bold** and `code` and [a](b) and <b>tag</b> & more",
        "- not a list",
        "# not a heading",
        "a | b | c",
        "_leading and trailing_",
        "![img](x.png) \\ backslash ~~strike~~",
    };
    static const char *const want[] = {
        "<p>order_token_dist = 3.1e-07 &lt; 1e-05 at scheme=none</p>\n",
        "<p>*rises* and **bold** and `code` and [a](b) and &lt;b&gt;tag&lt;/b&gt; &amp; more</p>\n",
        "<p>- not a list</p>\n",
        "<p># not a heading</p>\n",
        "<p>a | b | c</p>\n",
        "<p>_leading and trailing_</p>\n",
        "<p>![img](x.png) \\ backslash ~~strike~~</p>\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char *e = pelab_markdown_escape(texts[i]);
        char *h = render(e);
        ASSERT(h);
        if (strcmp(h, want[i]) != 0) fprintf(stderr, "     '%s' -> '%s' -> '%s'\n", texts[i], e, h);
        ASSERT(strcmp(h, want[i]) == 0);
        free(e), free(h);
    }
    /* inside a table cell too: the bar does not split the cell */
    char *e = pelab_markdown_escape("x | y");
    char md[256];
    snprintf(md, sizeof md, "| a |\n| --- |\n| %s |\n", e);
    char *h = render(md);
    ASSERT(h && strstr(h, "<td>x | y</td>") != NULL);
    free(e), free(h);
    e = pelab_markdown_escape("two\nlines");
    ASSERT(strcmp(e, "two lines") == 0);
    free(e);
}

/* ---- heatmaps ------------------------------------------------------------------------ */

static void load(pelab_config *cfg, const char *yaml) {
    pelab_error err = {PELAB_STATUS_OK, ""};
    pelab_status s = pelab_config_load_buffer(cfg, yaml, strlen(yaml), "inline.yaml", ".", &err);
    if (s) fprintf(stderr, "     %s\n", err.msg);
    ASSERT_EQ(s, PELAB_STATUS_OK);
}

static const char *g_sweep = "name: t\nseed: 3\n"
                             "sweep:\n"
                             "  seq_len: [12]\n"
                             "  d_model: 8\n"
                             "  scheme: [none, index, sinusoidal, onehot, learned, rope, alibi, t5]\n"
                             "  heads: [1, 2]\n"
                             "  mask: [none, causal]\n"
                             "  projection: [identity, random]\n"
                             "  dtype: [f32, f64]\n";

/* P V from the heatmap's forward is the trial's output, in every cell of
 * the sweep: the picture is of what the results measured. */
static void test_heatmap_is_the_trial(void) {
    pelab_config cfg;
    load(&cfg, g_sweep);
    pelab_cell *cells = NULL;
    size_t count = 0;
    pelab_error err;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, &err), PELAB_STATUS_OK);
    int checked = 0;
    for (size_t k = 0; k < count; k++) {
        const pelab_cell *c = &cells[k];
        char why[256];
        if (pelab_cell_check(c, why, sizeof why)) continue;
        const size_t nD = (size_t)c->seq_len * pelab_cell_proj_width(c);
        double *a = malloc(nD * sizeof *a), *b = malloc(nD * sizeof *b);
        pelab_cell_attend(a, &cfg, c);
        pelab_heatmap_forward(b, &cfg, c);
        double worst = 0, scale = 0;
        for (size_t i = 0; i < nD; i++) worst = fmax(worst, fabs(a[i] - b[i])), scale = fmax(scale, fabs(a[i]));
        const double tol = c->dtype == PELAB_DTYPE_F32 ? 1e-5 : 1e-12;
        if (worst > tol * (scale + 1)) {
            char id[256];
            pelab_cell_identity(id, sizeof id, c);
            fprintf(stderr, "     %s: max |attend - P V| = %g (scale %g)\n", id, worst, scale);
        }
        ASSERT_DBL_LE(worst, tol * (scale + 1));
        free(a), free(b);
        checked++;
    }
    ASSERT_GE(checked, 100);
    free(cells);
    pelab_config_free(&cfg);
}

/* Attention rows are distributions, zero above the diagonal under the
 * causal mask; the logits are NaN exactly there; softmax of the logits is
 * P; Phi is pelab_geometry_phi's and ignores the head. */
static void test_heatmap_matrices(void) {
    pelab_config cfg;
    load(&cfg, g_sweep);
    pelab_heatmap_select sel;
    pelab_heatmap_select_init(&sel);
    sel.mask = PELAB_MASK_CAUSAL, sel.heads = 2, sel.projection = PELAB_PROJECTION_RANDOM, sel.dtype = PELAB_DTYPE_F64;
    pelab_error err;
    for (int s = 0; s < cfg.n_schemes; s++) {
        pelab_cell c;
        ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[s], &sel, &err), PELAB_STATUS_OK);
        const int n = c.seq_len;
        ASSERT_EQ(n, 12);
        double *P = malloc((size_t)n * n * sizeof *P), *S = malloc((size_t)n * n * sizeof *S);
        for (int h = 0; h < 2; h++) {
            pelab_heatmap_compute(P, &cfg, &c, h, PELAB_HEATMAP_ATTENTION);
            pelab_heatmap_compute(S, &cfg, &c, h, PELAB_HEATMAP_LOGITS);
            for (int i = 0; i < n; i++) {
                double sum = 0, mx = -INFINITY, z = 0;
                for (int j = 0; j < n; j++) {
                    sum += P[i * n + j];
                    if (j > i) {
                        ASSERT_DBL_EQ(P[i * n + j], 0);
                        ASSERT(isnan(S[i * n + j]));
                    } else {
                        ASSERT(isfinite(S[i * n + j]));
                        mx = fmax(mx, S[i * n + j]);
                    }
                }
                ASSERT_NEAR(sum, 1, 1e-12);
                for (int j = 0; j <= i; j++) z += exp(S[i * n + j] - mx);
                for (int j = 0; j <= i; j++) ASSERT_NEAR(P[i * n + j], exp(S[i * n + j] - mx) / z, 1e-12);
            }
        }
        double *phi = malloc((size_t)n * n * sizeof *phi);
        pelab_geometry_phi(phi, c.scheme, cfg.seed, n, c.d_model);
        pelab_heatmap_compute(P, &cfg, &c, 1, PELAB_HEATMAP_PHI);
        ASSERT(memcmp(P, phi, (size_t)n * n * sizeof *phi) == 0);
        free(P), free(S), free(phi);
    }
    /* heads differ for alibi: its slopes are per head */
    pelab_cell c;
    int alibi = -1;
    for (int s = 0; s < cfg.n_schemes; s++)
        if (strcmp(cfg.schemes[s].name, "alibi") == 0) alibi = s;
    ASSERT_GE(alibi, 0);
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[alibi], &sel, &err), PELAB_STATUS_OK);
    double *a = malloc(144 * sizeof *a), *b = malloc(144 * sizeof *b);
    pelab_heatmap_compute(a, &cfg, &c, 0, PELAB_HEATMAP_LOGITS);
    pelab_heatmap_compute(b, &cfg, &c, 1, PELAB_HEATMAP_LOGITS);
    ASSERT_DBL_GT(fabs(a[11 * 12 + 0] - b[11 * 12 + 0]), 1e-3);
    free(a), free(b);
    pelab_config_free(&cfg);
}

/* The cell a selection picks, and the ones it refuses. */
static void test_heatmap_cell(void) {
    pelab_config cfg;
    load(&cfg, "name: t\nsweep:\n  seq_len: [8, 32, 128]\n  d_model: [16, 64]\n  scheme: [learned, index]\n"
               "  heads: [1, 4]\n  mask: [causal, none]\n  projection: random\n");
    pelab_heatmap_select sel;
    pelab_heatmap_select_init(&sel);
    pelab_cell c;
    pelab_error err;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_OK);
    ASSERT_EQ(c.seq_len, 32); /* the largest up to 64 */
    ASSERT_EQ(c.d_model, 16);
    ASSERT_EQ(c.heads, 1);
    ASSERT_EQ(c.mask, PELAB_MASK_CAUSAL);
    ASSERT_EQ(c.sentence, -1);
    sel.seq_len = 1024;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_USAGE);
    ASSERT(strstr(err.msg, "exceeds learned max_len 512") != NULL);
    sel.seq_len = 5000;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[1], &sel, &err), PELAB_STATUS_USAGE);
    ASSERT(strstr(err.msg, "heatmaps go up to 4096") != NULL);
    sel.seq_len = 0, sel.sentence = 1;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[1], &sel, &err), PELAB_STATUS_USAGE);
    ASSERT(strstr(err.msg, "needs a config with sentences") != NULL);
    pelab_config_free(&cfg);

    load(&cfg, "name: t\ntokens: {A: [1, 0], B: [0, 1]}\nsentences: [A B, B A A]\nsweep:\n  scheme: [none]\n");
    pelab_heatmap_select_init(&sel);
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_OK);
    ASSERT_EQ(c.sentence, 0);
    ASSERT_EQ(c.seq_len, 2);
    sel.sentence = 1;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_OK);
    ASSERT_EQ(c.seq_len, 3);
    sel.sentence = 2;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_USAGE);
    ASSERT(strstr(err.msg, "the config has 2") != NULL);
    sel.sentence = -1, sel.seq_len = 4;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_USAGE);
    sel.seq_len = 0, sel.d_model = 3;
    ASSERT_EQ(pelab_heatmap_cell(&c, &cfg, &cfg.schemes[0], &sel, &err), PELAB_STATUS_USAGE);
    ASSERT(strstr(err.msg, "fixed by the config's sentences input") != NULL);
    pelab_config_free(&cfg);
}

static void test_heatmap_spec_parse(void) {
    pelab_heatmap_spec spec;
    pelab_error err;
    char *ok[] = {"--scheme", "rope,alibi", "--scheme", "t5", "--what", "phi", "--seq-len", "16",
                  "--head", "1", "--mask", "causal", "--projection", "identity", "--dtype", "f64"};
    ASSERT_EQ(pelab_heatmap_spec_parse(&spec, 16, ok, &err), PELAB_STATUS_OK);
    ASSERT_EQ(spec.n_schemes, 3);
    ASSERT(strcmp(spec.schemes[2], "t5") == 0);
    ASSERT_EQ(spec.what, PELAB_HEATMAP_PHI);
    ASSERT_EQ(spec.sel.seq_len, 16);
    ASSERT_EQ(spec.head, 1);
    ASSERT_EQ(spec.sel.mask, PELAB_MASK_CAUSAL);
    ASSERT_EQ(spec.sel.projection, PELAB_PROJECTION_IDENTITY);
    ASSERT_EQ(spec.sel.dtype, PELAB_DTYPE_F64);
    char *sent[] = {"--sentence", "5", "--head", "2"};
    ASSERT_EQ(pelab_heatmap_spec_parse(&spec, 4, sent, &err), PELAB_STATUS_OK);
    ASSERT_EQ(spec.sel.sentence, 5);
    ASSERT_EQ(spec.head, 2);
    char *bad1[] = {"--what", "weights"};
    ASSERT_EQ(pelab_heatmap_spec_parse(&spec, 2, bad1, &err), PELAB_STATUS_USAGE);
    ASSERT(strstr(err.msg, "attention, phi or logits, not 'weights'") != NULL);
    char *bad2[] = {"--mask", "diagonal"};
    ASSERT_EQ(pelab_heatmap_spec_parse(&spec, 2, bad2, &err), PELAB_STATUS_USAGE);
    char *bad3[] = {"--seq-len"};
    ASSERT_EQ(pelab_heatmap_spec_parse(&spec, 1, bad3, &err), PELAB_STATUS_USAGE);
    char *bad4[] = {"--bogus", "1"};
    ASSERT_EQ(pelab_heatmap_spec_parse(&spec, 2, bad4, &err), PELAB_STATUS_USAGE);
}

/* ---- the report of training results -------------------------------------------------------- */

static void write_text(const char *dir, const char *leaf, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, leaf);
    FILE *f = fopen(path, "w");
    ASSERT(f != NULL);
    fputs(text, f);
    fclose(f);
}

/* A training results folder written by the test (two tasks, two schemes,
 * two eval lengths, a skipped cell), its report without figures: the same
 * structure as a probe report (banner, claims, slices, tables with mean ±
 * std), the tables of training (evaluation per eval_len, training per
 * model) listing the key columns that vary. */
static void test_report_of_training_results(void) {
    char dir[] = "/tmp/pelab-test-report-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    char res[600], exp[600];
    snprintf(res, sizeof res, "%s/res", dir);
    snprintf(exp, sizeof exp, "%s/exp", dir);
    pelab_error err;
    ASSERT_EQ(pelab_mkdir_p(res, &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_mkdir_p(exp, &err), PELAB_STATUS_OK);
    write_text(res, "results.csv",
               "scheme,task,d_model,heads,layers,mask,lr,dtype,eval_len,width,trials,status,eval_acc,eval_acc_std,"
               "eval_loss,eval_loss_std,train_loss,train_loss_std,steps_to_fit,steps_to_fit_std,time_s,time_s_std\n"
               "none,majority,8,2,1,none,0.003,f32,16,8,2,ok,0.97,0.01,0.1,0.01,0.2,0.02,100,0,1.5,0.1\n"
               "none,majority,8,2,1,none,0.003,f32,32,8,2,ok,0.9,0.02,0.3,0.02,0.2,0.02,100,0,1.5,0.1\n"
               "rope,majority,8,2,1,none,0.003,f32,16,8,2,ok,0.99,0.01,0.05,0.01,0.1,0.01,50,10,1.6,0.1\n"
               "rope,majority,8,2,1,none,0.003,f32,32,8,2,ok,0.95,0,0.12,0.01,0.1,0.01,50,10,1.6,0.1\n"
               "none,reverse,8,2,1,none,0.003,f32,16,8,2,ok,0.5,0.1,1.1,0.1,1.2,0.1,,,1.5,0.1\n"
               "none,reverse,8,2,1,none,0.003,f32,32,8,2,ok,0.4,0.1,1.5,0.1,1.2,0.1,,,1.5,0.1\n"
               "rope,reverse,8,2,1,none,0.003,f32,16,0,2,skipped: a reason,,,,,,,,,,\n"
               "rope,reverse,8,2,1,none,0.003,f32,32,0,2,skipped: a reason,,,,,,,,,,\n");
    write_text(res, "manifest.json",
               "{\n  \"pelab_version\": \"0.1.0\",\n  \"config_path\": \"t.yaml\",\n  \"config_hash\": \"18be3c4bb3b6f909\",\n"
               "  \"status\": \"interrupted\",\n  \"threads\": 1,\n  \"cells_total\": 6,\n  \"cells_done\": 4,\n"
               "  \"started\": \"2026-12-02T05:58:00Z\",\n  \"finished\": \"2026-12-02T06:00:28Z\",\n  \"elapsed_s\": 1.5,\n"
               "  \"attempts\": [],\n  \"config\": {\"name\":\"t\",\"columns\":[\"scheme\",\"task\",\"d_model\",\"heads\","
               "\"layers\",\"mask\",\"lr\",\"dtype\"]}\n}\n");
    write_text(exp, "claims.yaml",
               "- claim: every scheme learns majority at the training length\n"
               "  where: {task: majority, eval_len: 16}\n"
               "  expect: eval_acc >= 0.95\n"
               "- claim: rope at least matches no encoding\n"
               "  where: {scheme: rope, task: majority}\n"
               "  compare: {metric: eval_acc, op: \">=\", other: {scheme: none}}\n"
               "- claim: accuracy falls with length\n"
               "  where: {task: majority}\n"
               "  trend: {metric: eval_acc, over: eval_len, direction: decreasing}\n");
    pelab_report_options opt = {res, exp, NULL, NULL};
    pelab_report_summary sum;
    ASSERT_EQ(pelab_report_write(&sum, &opt, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.n_claims, 3);
    ASSERT_EQ(sum.n_hold, 3);
    char *md = read_all(sum.md_path), *html = read_all(sum.html_path);
    ASSERT(md && html);
    ASSERT_STR_CONTAINS(md, "<div class=\"banner interrupted\">");
    ASSERT_STR_CONTAINS(md, "pelab run t.yaml --out ");
    ASSERT_STR_CONTAINS(md, "## Claims: 3 of 3 hold on this run");
    ASSERT_STR_CONTAINS(md, "No figures: not made (--no-figures)");
    ASSERT_STR_CONTAINS(md, "## Every metric at each evaluation length");
    ASSERT_STR_CONTAINS(md, "<summary>Slice 1 of 2: task=majority</summary>");
    ASSERT_STR_CONTAINS(md, "<summary>Slice 2 of 2: task=reverse</summary>");
    /* eval_acc pivoted: a row per trained model, a column per eval_len */
    ASSERT_STR_CONTAINS(md, "**eval_acc by evaluation length** (rows: the trained models; columns: eval_len)\n\n"
                            "| scheme | task | 16 | 32 |\n| --- | --- | ---: | ---: |\n");
    ASSERT_STR_CONTAINS(md, "| rope | majority | 0.99\u00a0±\u00a00.01 | 0.95 |");
    /* evaluation: per scheme and eval_len, the varying key (task) listed */
    ASSERT_STR_CONTAINS(md, "| scheme | task | eval_len | eval_acc | eval_loss |\n| --- | --- | ---: | ---: | ---: |\n");
    ASSERT_STR_CONTAINS(md, "| rope | majority | 16 | 0.99\u00a0±\u00a00.01 | 0.05\u00a0±\u00a00.01 |");
    ASSERT_STR_CONTAINS(md, "| rope | majority | 32 | 0.95 | 0.12\u00a0±\u00a00.01 |"); /* std 0: no ± */
    /* training: a row per model, the metrics of the run */
    ASSERT_STR_CONTAINS(md, "| scheme | task | train_loss | steps_to_fit | time_s |");
    ASSERT_STR_CONTAINS(md, "| none | majority | 0.2\u00a0±\u00a00.02 | 100 | 1.5\u00a0±\u00a00.1 |\n| rope | majority |");
    ASSERT_STR_CONTAINS(md, "| none | reverse | 1.2\u00a0±\u00a00.1 | — | 1.5\u00a0±\u00a00.1 |\n\n");
    /* the rows that did not run */
    ASSERT_STR_CONTAINS(md, "2 rows of this slice did not run:\n\n- rope task=reverse at eval_len = 16: skipped: a reason\n");
    ASSERT_STR_CONTAINS(html, "<th align=\"right\">eval_len</th>");
    ASSERT_STR_CONTAINS(html, "<div class=\"banner interrupted\">");
    free(md), free(html);
    /* without an experiment and a manifest: the banner says so, tables stay */
    char path[700];
    snprintf(path, sizeof path, "%s/manifest.json", res);
    unlink(path);
    pelab_report_options bare = {res, NULL, NULL, NULL};
    ASSERT_EQ(pelab_report_write(&sum, &bare, &err), PELAB_STATUS_OK);
    md = read_all(sum.md_path);
    ASSERT(md);
    ASSERT_STR_CONTAINS(md, "**No manifest.json**");
    ASSERT(strstr(md, "## Claims") == NULL);
    ASSERT_STR_CONTAINS(md, "| scheme | task | eval_len | eval_acc | eval_loss |");
    free(md);
    /* a claims file naming a probe metric is refused against training results */
    write_text(exp, "claims.yaml", "- claim: x\n  expect: order_token_dist < 1\n");
    ASSERT_EQ(pelab_report_write(&sum, &opt, &err), PELAB_STATUS_CONFIG);
    ASSERT_STR_CONTAINS(err.msg, "unknown column 'order_token_dist'");
    const char *leaves[] = {"res/results.csv", "res/report.md", "res/report.html", "exp/claims.yaml", "res", "exp"};
    for (size_t i = 0; i < sizeof leaves / sizeof *leaves; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, leaves[i]);
        if (remove(path) != 0) fprintf(stderr, "     could not remove %s\n", path);
    }
    rmdir(dir);
}

int main(void) {
    TEST_RUN(test_fixture_lists);
    TEST_RUN(test_fixture_emphasis);
    TEST_RUN(test_fixture_table);
    TEST_RUN(test_fixture_code);
    TEST_RUN(test_markdown_old_bugs);
    TEST_RUN(test_markdown_escape);
    TEST_RUN(test_heatmap_is_the_trial);
    TEST_RUN(test_heatmap_matrices);
    TEST_RUN(test_heatmap_cell);
    TEST_RUN(test_heatmap_spec_parse);
    TEST_RUN(test_report_of_training_results);
    return TEST_DONE();
}
