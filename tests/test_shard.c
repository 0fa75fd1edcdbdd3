/* test_shard.c — the shard assignment (every cell exactly once, costs
 * balanced within one cell, deterministic, the documented tie rules), and
 * where K/N come from (--shard, Slurm job array variables). */
#include <stdlib.h>

#include "pelab/lab/config.h"
#include "pelab/run/shard.h"
#include "pelab/lab/sweep.h"
#include "test.h"

static void load(pelab_config *cfg, const char *yaml) {
    pelab_error err;
    pelab_status s = pelab_config_load_buffer(cfg, yaml, strlen(yaml), "inline.yaml", ".", &err);
    if (s) TEST_FAIL_("config: %s", err.msg);
}

static const char *g_mixed =
    "name: mixed\n"
    "trials: 3\n"
    "sweep:\n"
    "  seq_len: [5, 8, 24, 64, 100]\n"
    "  d_model: [6, 16]\n"
    "  scheme: [none, index, onehot, rope, alibi]\n"
    "  heads: [1, 2]\n"
    "  mask: [none, causal]\n"
    "  projection: [identity, random]\n";

/* The cost model of a cell list, as the runner gives it to the split. */
static double *costs(const pelab_cell *cells, size_t count, int trials) {
    double *c = malloc((count ? count : 1) * sizeof *c);
    for (size_t i = 0; i < count; i++) c[i] = pelab_cell_flops(&cells[i], trials);
    return c;
}

static void assign(int *owner, double *load, const pelab_cell *cells, size_t count, int trials, int n) {
    double *c = costs(cells, count, trials);
    pelab_shard_assign(owner, load, c, count, n);
    free(c);
}

/* The properties for one N: ownership, balance, the loads reported. */
static void check_split(const pelab_cell *cells, size_t count, int trials, int n) {
    int *owner = malloc(count * sizeof *owner), *again = malloc(count * sizeof *again);
    double *load = calloc((size_t)n, sizeof *load);
    size_t *per = calloc((size_t)n, sizeof *per);
    assign(owner, load, cells, count, trials, n);
    assign(again, NULL, cells, count, trials, n);
    double biggest = 0, total = 0, sum = 0;
    double *mine = calloc((size_t)n, sizeof *mine);
    for (size_t i = 0; i < count; i++) {
        ASSERT_GE(owner[i], 0);
        ASSERT_LT(owner[i], n);
        ASSERT_EQ(owner[i], again[i]); /* deterministic */
        double c = pelab_cell_flops(&cells[i], trials);
        if (c > biggest) biggest = c;
        total += c;
        mine[owner[i]] += c;
        per[owner[i]]++;
    }
    double lo = load[0], hi = load[0];
    size_t owned = 0;
    for (int s = 0; s < n; s++) {
        sum += load[s];
        owned += per[s];
        ASSERT_CLOSE(load[s], mine[s], 1e-12, 0);
        if (load[s] < lo) lo = load[s];
        if (load[s] > hi) hi = load[s];
    }
    ASSERT_EQ(owned, count); /* every cell exactly once */
    ASSERT_CLOSE(sum, total, 1e-12, 0);
    ASSERT_DBL_LE(hi, lo + biggest); /* balanced within one cell */
    if ((size_t)n > count) {
        size_t empty = 0;
        for (int s = 0; s < n; s++) empty += per[s] == 0;
        ASSERT_EQ(empty, (size_t)n - count);
    }
    free(owner), free(again), free(load), free(per), free(mine);
}

static void test_assignment_properties(void) {
    pelab_config cfg;
    load(&cfg, g_mixed);
    pelab_cell *cells = NULL;
    size_t count = 0;
    pelab_error err;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, &err), PELAB_STATUS_OK);
    ASSERT_EQ(count, 5u * 2 * 5 * 2 * 2 * 2);
    int ns[] = {1, 2, 3, 5, 7, 16, 64, 399, 400, 401, 1000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) check_split(cells, count, cfg.trials, ns[i]);
    free(cells);
    pelab_config_free(&cfg);
}

static void test_one_shard_owns_everything(void) {
    pelab_config cfg;
    load(&cfg, g_mixed);
    pelab_cell *cells = NULL;
    size_t count = 0;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, NULL), PELAB_STATUS_OK);
    int *owner = malloc(count * sizeof *owner);
    assign(owner, NULL, cells, count, cfg.trials, 1);
    for (size_t i = 0; i < count; i++) ASSERT_EQ(owner[i], 0);
    free(owner), free(cells);
    pelab_config_free(&cfg);
}

/* Equal costs: taken in sweep order, each to the least loaded shard, ties to
 * the lowest number: round robin. */
static void test_ties_round_robin(void) {
    pelab_config cfg;
    load(&cfg, "name: ties\nsweep:\n  seq_len: 8\n  d_model: 4\n  scheme: [none, sinusoidal, learned, alibi, t5, rope]\n"
               "  dtype: [f32, f64]\n  projection: random\n");
    pelab_cell *cells = NULL;
    size_t count = 0;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, NULL), PELAB_STATUS_OK);
    ASSERT_EQ(count, 12u);
    double c0 = pelab_cell_flops(&cells[0], 1);
    for (size_t i = 0; i < count; i++) ASSERT_DBL_EQ(pelab_cell_flops(&cells[i], 1), c0);
    int owner[12];
    assign(owner, NULL, cells, count, 1, 3);
    for (int i = 0; i < 12; i++) ASSERT_EQ(owner[i], i % 3);
    free(cells);
    pelab_config_free(&cfg);
}

/* Distinct costs: largest first, each to the shard with the least so far. */
static void test_lpt_order(void) {
    pelab_config cfg;
    /* costs grow as n^2: 64^2 = 4096, 48^2 = 2304, 32^2 = 1024, 16^2 = 256, 8^2 = 64 (x the same factor) */
    load(&cfg, "name: lpt\nsweep:\n  seq_len: [8, 16, 32, 48, 64]\n  d_model: 4\n  scheme: none\n  projection: identity\n");
    pelab_cell *cells = NULL;
    size_t count = 0;
    ASSERT_EQ(pelab_sweep_expand(&cells, &count, &cfg, NULL), PELAB_STATUS_OK);
    int owner[5];
    double load2[2];
    assign(owner, load2, cells, count, 1, 2);
    /* 64 -> 0 (4096); 48 -> 1 (2304); 32 -> 1 (2304 < 4096: 3328); 16 -> 1 (3584); 8 -> 1 (3584 < 4096) */
    ASSERT_EQ(owner[4], 0); /* n = 64 */
    ASSERT_EQ(owner[3], 1); /* n = 48 */
    ASSERT_EQ(owner[2], 1); /* n = 32 */
    ASSERT_EQ(owner[1], 1); /* n = 16 */
    ASSERT_EQ(owner[0], 1); /* n = 8 */
    ASSERT_DBL_EQ(load2[0], pelab_cell_flops(&cells[4], 1));
    free(cells);
    pelab_config_free(&cfg);
}

static void test_parse(void) {
    int k = -1, n = -1;
    ASSERT(pelab_shard_parse("0/1", &k, &n));
    ASSERT_EQ(k, 0);
    ASSERT_EQ(n, 1);
    ASSERT(pelab_shard_parse("4/5", &k, &n));
    ASSERT_EQ(k, 4);
    ASSERT_EQ(n, 5);
    ASSERT(pelab_shard_parse("999999/1000000", &k, &n));
    const char *bad[] = {"", "1", "5/5", "6/5", "-1/5", "1/-5", "1/0", "/3", "1/", "a/3", "1/b", " 1/3", "1/3 ",
                         "1/3x", "1//3", "+1/3", "0/1000001", "1.0/3", "99999999999999999999/3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        k = n = -7;
        if (pelab_shard_parse(bad[i], &k, &n)) TEST_FAIL_("'%s' parsed as %d/%d", bad[i], k, n);
        ASSERT_EQ(k, -7);
    }
    ASSERT(!pelab_shard_parse(NULL, &k, &n));
}

static void test_slurm(void) {
    int k = -1, n = -1;
    char why[512] = "";
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, NULL, NULL, NULL, NULL, why, sizeof why), 0);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "3", NULL, NULL, NULL, why, sizeof why), 0);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, NULL, "4", NULL, NULL, why, sizeof why), 0);
    /* --array=0-3 */
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "2", "4", "0", NULL, why, sizeof why), 1);
    ASSERT_EQ(k, 2);
    ASSERT_EQ(n, 4);
    /* --array=1-4: task 1 is shard 0, task 4 is shard 3 */
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "1", "4", "1", NULL, why, sizeof why), 1);
    ASSERT_EQ(k, 0);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "4", "4", "1", "1", why, sizeof why), 1);
    ASSERT_EQ(k, 3);
    /* no MIN: ids are taken as 0-based */
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "0", "3", NULL, NULL, why, sizeof why), 1);
    ASSERT_EQ(k, 0);
    /* --array=10-40:10 (10, 20, 30, 40) */
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "30", "4", "10", "10", why, sizeof why), 1);
    ASSERT_EQ(k, 2);
    ASSERT_EQ(n, 4);
    /* out of range or not numbers */
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "4", "4", "0", NULL, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "SLURM_ARRAY_TASK_ID=4");
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "4", "4", NULL, NULL, why, sizeof why), -1);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "0", "4", "1", NULL, why, sizeof why), -1);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "15", "4", "10", "10", why, sizeof why), -1);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "x", "4", NULL, NULL, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "SLURM_ARRAY_TASK_ID");
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "1", "0", NULL, NULL, why, sizeof why), -1);
    ASSERT_STR_CONTAINS(why, "SLURM_ARRAY_TASK_COUNT");
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "1", "4", "z", NULL, why, sizeof why), -1);
    ASSERT_EQ(pelab_shard_from_slurm(&k, &n, "1", "4", NULL, "0", why, sizeof why), -1);
}

int main(void) {
    TEST_RUN(test_assignment_properties);
    TEST_RUN(test_one_shard_owns_everything);
    TEST_RUN(test_ties_round_robin);
    TEST_RUN(test_lpt_order);
    TEST_RUN(test_parse);
    TEST_RUN(test_slurm);
    return TEST_DONE();
}
