/* test_run.c — the run layer through its library calls: a folder's rows
 * (identity, outcome), a manifest's history across attempts, resume of a
 * complete folder changing nothing, --force clearing the old report, the
 * memory limit as skipped rows, a sweep where no cell runs, the lock
 * against a second writer, and shards merged into what one run writes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/io/folder.h"
#include "pelab/io/manifest.h"
#include "pelab/io/rows.h"
#include "pelab/lab/config.h"
#include "pelab/lab/probe.h"
#include "pelab/lab/results.h"
#include "pelab/lab/sweep.h"
#include "pelab/run/job.h"
#include "pelab/run/runner.h"
#include "pelab/run/shard.h"
#include "test.h"

static char g_dir[] = "/tmp/pelab-run-XXXXXX";

static const char *g_yaml = "name: t\nseed: 5\ntrials: 2\n"
                            "sweep: {seq_len: [4, 12], d_model: 4, scheme: [none, index, rope, alibi], heads: [1, 2],"
                            " projection: [identity, random]}\n";

static void load(pelab_config *cfg, const char *yaml) {
    pelab_error err;
    if (pelab_config_load_buffer(cfg, yaml, strlen(yaml), "t.yaml", ".", &err)) TEST_FAIL_("config: %s", err.msg);
}

static const char *path_in(const char *sub, const char *file) {
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s%s%s", g_dir, sub, file ? "/" : "", file ? file : "");
    return p[k];
}

static char *slurp(const char *path) {
    char *d = NULL;
    if (pelab_read_file(&d, NULL, path, NULL)) return NULL;
    return d;
}

/* results.csv without the last column (time_s) */
static char *strip_time(const char *path) {
    char *d = slurp(path);
    if (!d) return NULL;
    char *out = malloc(strlen(d) + 1), *o = out;
    for (char *line = d; *line;) {
        char *nl = strchr(line, '\n');
        char *comma = line;
        for (char *q = line; q < nl; q++)
            if (*q == ',') comma = q;
        memcpy(o, line, (size_t)(comma - line));
        o += comma - line;
        *o++ = '\n';
        line = nl + 1;
    }
    *o = '\0';
    free(d);
    return out;
}

static pelab_status run(const pelab_config *cfg, const char *sub, int resume, int force, pelab_run_summary *sum,
                        pelab_error *err) {
    pelab_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.out_dir = path_in(sub, NULL);
    opt.resume = resume, opt.force = force, opt.quiet = 1, opt.threads = 2;
    int sig = 0;
    pelab_job job;
    pelab_status s = pelab_job_probe(&job, cfg, err);
    if (s) return s;
    s = pelab_run(&job, &opt, &sig, sum, err);
    pelab_job_free(&job);
    return s;
}

static void test_rows(void) {
    pelab_config cfg;
    load(&cfg, g_yaml);
    pelab_cell *cells = NULL;
    size_t n = 0;
    pelab_error err;
    ASSERT_EQ(pelab_sweep_expand(&cells, &n, &cfg, &err), PELAB_STATUS_OK);
    ASSERT_EQ(n, 32);
    char id[256], row[16384], status[64];
    /* index at n = 12 with identity projection: width 5, 2 heads do not divide it */
    const pelab_cell *c = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(cells[i].scheme->name, "index") == 0 && cells[i].seq_len == 12 && cells[i].heads == 2 &&
            cells[i].projection == PELAB_PROJECTION_IDENTITY)
            c = &cells[i];
    ASSERT(c != NULL);
    ASSERT_EQ(pelab_results_identity(id, sizeof id, c), (int)strlen("index,12,4,2,none,identity,f32,"));
    ASSERT_STR_EQ(id, "index,12,4,2,none,identity,f32,");
    pelab_cell_result res;
    pelab_cell_run(&res, &cfg, c);
    int len = pelab_results_row(row, sizeof row, c, &res);
    ASSERT(len > 0 && row[len - 1] == '\n');
    const char *f = NULL;
    size_t fl = 0;
    ASSERT(pelab_rows_field(row, (size_t)len, PELAB_RESULTS_ID_COLUMNS + 2, &f, &fl));
    snprintf(status, sizeof status, "%.*s", (int)fl, f);
    ASSERT_STR_EQ(status, "skipped: heads 2 do not divide width 5 (identity projection)");
    /* every column of the header is in the row */
    char header[16384];
    int hl = pelab_results_header(header, sizeof header);
    int hc = 0, rc = 0;
    for (int i = 0; i < hl; i++) hc += header[i] == ',';
    for (int i = 0; i < len; i++) rc += row[i] == ',';
    ASSERT_EQ(hc, rc);
    ASSERT(pelab_rows_field("a,b,c", 5, 2, &f, &fl) && fl == 1 && *f == 'c');
    ASSERT(!pelab_rows_field("a,b,c", 5, 3, &f, &fl));
    free(cells);
    pelab_config_free(&cfg);
}

static void test_history_and_resume(void) {
    pelab_config cfg;
    load(&cfg, g_yaml);
    pelab_run_summary sum;
    pelab_error err;
    ASSERT_EQ(run(&cfg, "h", 0, 0, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.cells_done, 32);
    ASSERT_EQ(sum.cells_ok + sum.cells_skipped + sum.cells_nonfinite, 32);
    ASSERT_EQ(sum.cells_skipped, 2); /* index, identity, 2 heads, at both lengths: width 5 */
    char *whole = strip_time(path_in("h", "results.csv"));
    /* cut to 10 rows: an interrupted run, as far as the files go */
    char *d = slurp(path_in("h", "results.csv"));
    char *p = d;
    for (int i = 0; i < 11; i++) p = strchr(p, '\n') + 1;
    ASSERT_EQ(pelab_write_file_atomic(path_in("h", "results.csv"), d, (size_t)(p - d), &err), PELAB_STATUS_OK);
    free(d);
    pelab_manifest m;
    ASSERT_EQ(pelab_manifest_read(&m, path_in("h", "manifest.json"), &err), PELAB_STATUS_OK);
    double first = m.elapsed_s;
    m.status = PELAB_MANIFEST_STATUS_INTERRUPTED;
    m.attempts[0].status = PELAB_MANIFEST_STATUS_INTERRUPTED;
    m.attempts[0].cells = 10;
    ASSERT_EQ(pelab_manifest_write(path_in("h", "manifest.json"), &m, &err), PELAB_STATUS_OK);
    pelab_manifest_free(&m);
    ASSERT_EQ(run(&cfg, "h", 1, 0, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.cells_this_attempt, 22);
    ASSERT_EQ(sum.attempts, 2);
    char *resumed = strip_time(path_in("h", "results.csv"));
    ASSERT_STR_EQ(resumed, whole);
    ASSERT_EQ(pelab_manifest_read(&m, path_in("h", "manifest.json"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(m.status, PELAB_MANIFEST_STATUS_COMPLETE);
    ASSERT_EQ(m.n_attempts, 2);
    ASSERT_EQ(m.attempts[0].status, PELAB_MANIFEST_STATUS_INTERRUPTED);
    ASSERT_EQ(m.attempts[1].status, PELAB_MANIFEST_STATUS_COMPLETE);
    ASSERT_EQ(m.attempts[1].cells, 22);
    ASSERT_EQ(m.cells_done, 32);
    ASSERT_NEAR(m.elapsed_s, first + m.attempts[1].elapsed_s, 2e-3); /* the sum over attempts */
    pelab_manifest_free(&m);
    /* resume of a complete folder: nothing changes, byte for byte */
    char *man_before = slurp(path_in("h", "manifest.json")), *res_before = slurp(path_in("h", "results.csv"));
    ASSERT_EQ(run(&cfg, "h", 1, 0, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.already_complete, 1);
    char *man_after = slurp(path_in("h", "manifest.json")), *res_after = slurp(path_in("h", "results.csv"));
    ASSERT_STR_EQ(man_after, man_before);
    ASSERT_STR_EQ(res_after, res_before);
    /* --force replaces the run and the report made from it */
    ASSERT_EQ(pelab_write_file_atomic(path_in("h", "report.html"), "<html>", 6, &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_mkdir_p(path_in("h", "figures"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_write_file_atomic(path_in("h", "figures/x.png"), "png", 3, &err), PELAB_STATUS_OK);
    ASSERT_EQ(run(&cfg, "h", 0, 1, &sum, &err), PELAB_STATUS_OK);
    ASSERT(access(path_in("h", "report.html"), F_OK) != 0);
    ASSERT(access(path_in("h", "figures"), F_OK) != 0);
    ASSERT_EQ(pelab_manifest_read(&m, path_in("h", "manifest.json"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(m.n_attempts, 1);
    pelab_manifest_free(&m);
    /* without --resume or --force an existing folder is refused */
    ASSERT_EQ(run(&cfg, "h", 0, 0, &sum, &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "exists: pass --resume");
    free(whole), free(resumed), free(man_before), free(res_before), free(man_after), free(res_after);
    pelab_config_free(&cfg);
}

static void test_memory_limit_and_nothing_runs(void) {
    pelab_config cfg;
    load(&cfg, "name: m\nsweep: {seq_len: [8, 4096], d_model: 8, scheme: sinusoidal}\n");
    setenv("PELAB_MAX_CELL_BYTES", "64K", 1);
    pelab_error err;
    ASSERT_EQ(pelab_cell_bytes_limit_check(&err), PELAB_STATUS_OK);
    pelab_run_summary sum;
    ASSERT_EQ(run(&cfg, "mem", 0, 0, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.cells_ok, 1);
    ASSERT_EQ(sum.cells_skipped, 1);
    ASSERT_STR_CONTAINS(sum.first_skip, "skipped: needs ");
    ASSERT_STR_CONTAINS(sum.first_skip, "more than the 0.1 MiB a cell may use");
    setenv("PELAB_MAX_CELL_BYTES", "abc", 1);
    ASSERT_EQ(pelab_cell_bytes_limit_check(&err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "PELAB_MAX_CELL_BYTES='abc' is not a number of bytes");
    setenv("PELAB_MAX_CELL_BYTES", "1", 1); /* no cell fits */
    ASSERT_EQ(run(&cfg, "none", 0, 0, &sum, &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "no cell could run: all 2 cells were skipped");
    pelab_manifest m;
    ASSERT_EQ(pelab_manifest_read(&m, path_in("none", "manifest.json"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(m.status, PELAB_MANIFEST_STATUS_FAILED);
    ASSERT_STR_CONTAINS(m.error, "no cell could run");
    pelab_manifest_free(&m);
    unsetenv("PELAB_MAX_CELL_BYTES");
    /* rope on heads one dimension wide is skipped, with the reason */
    pelab_config_free(&cfg);
    load(&cfg, "name: r\nsweep: {seq_len: 8, d_model: 4, scheme: [rope, none], heads: 4}\n");
    ASSERT_EQ(run(&cfg, "rope", 0, 0, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.cells_skipped, 1);
    ASSERT_STR_CONTAINS(sum.first_skip, "rope rotates pairs of a head's dimensions: head width 1");
    pelab_config_free(&cfg);
}

static void test_lock_refuses_a_second_writer(void) {
    pelab_config cfg;
    load(&cfg, g_yaml);
    pelab_error err;
    ASSERT_EQ(pelab_mkdir_p(path_in("lock", NULL), &err), PELAB_STATUS_OK);
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t pid = fork();
    if (pid == 0) { /* another pelab holding the folder */
        pelab_folder_lock l = {-1};
        if (pelab_folder_lock_take(&l, path_in("lock", NULL), "pelab run other.yaml", &err)) _exit(1);
        ssize_t w = write(ready[1], "x", 1);
        (void)w;
        for (;;) pause();
    }
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    pelab_run_summary sum;
    ASSERT_EQ(run(&cfg, "lock", 0, 0, &sum, &err), PELAB_STATUS_USAGE);
    char want[128];
    snprintf(want, sizeof want, "is in use by another pelab (pid %ld: pelab run other.yaml)", (long)pid);
    ASSERT_STR_CONTAINS(err.msg, want);
    ASSERT(access(path_in("lock", "results.csv"), F_OK) != 0); /* nothing written */
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    close(ready[0]), close(ready[1]);
    ASSERT_EQ(run(&cfg, "lock", 0, 0, &sum, &err), PELAB_STATUS_OK); /* the kill released it */
    pelab_config_free(&cfg);
}

static void test_shards_merge_to_the_whole(void) {
    pelab_config cfg;
    load(&cfg, g_yaml);
    pelab_error err;
    pelab_run_summary sum;
    ASSERT_EQ(run(&cfg, "whole", 0, 0, &sum, &err), PELAB_STATUS_OK);
    const char *dirs[3];
    char dir_store[3][512];
    for (int k = 0; k < 3; k++) {
        char sub[32];
        snprintf(sub, sizeof sub, "shard%d", k);
        pelab_run_options opt;
        memset(&opt, 0, sizeof opt);
        opt.out_dir = path_in(sub, NULL);
        opt.quiet = 1, opt.shard_count = 3, opt.shard_index = k;
        int sig = 0;
        pelab_job job;
        ASSERT_EQ(pelab_job_probe(&job, &cfg, &err), PELAB_STATUS_OK);
        ASSERT_EQ(pelab_run(&job, &opt, &sig, &sum, &err), PELAB_STATUS_OK);
        pelab_job_free(&job);
        snprintf(dir_store[k], sizeof dir_store[k], "%s", path_in(sub, NULL));
        dirs[k] = dir_store[k];
    }
    /* the merge finds the config by the path the manifests record */
    char cfg_path[512];
    snprintf(cfg_path, sizeof cfg_path, "%s/t.yaml", g_dir);
    ASSERT_EQ(pelab_write_file_atomic(cfg_path, g_yaml, strlen(g_yaml), &err), PELAB_STATUS_OK);
    pelab_merge_options mo;
    memset(&mo, 0, sizeof mo);
    mo.out_dir = path_in("merged", NULL);
    mo.shard_dirs = dirs;
    mo.n_shard_dirs = 3;
    mo.config_path = cfg_path;
    size_t cells = 0;
    ASSERT_EQ(pelab_merge(&mo, &cells, &err), PELAB_STATUS_OK);
    ASSERT_EQ(cells, 32);
    char *a = strip_time(path_in("whole", "results.csv")), *b = strip_time(path_in("merged", "results.csv"));
    ASSERT_STR_EQ(b, a);
    pelab_manifest m;
    ASSERT_EQ(pelab_manifest_read(&m, path_in("merged", "manifest.json"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(m.status, PELAB_MANIFEST_STATUS_COMPLETE);
    ASSERT_EQ(m.n_merged, 3);
    ASSERT(m.merged[2].has_shard && m.merged[2].shard_index == 2);
    pelab_manifest_free(&m);
    /* resume of the merged folder keeps it as it is, merged record included */
    char *before = slurp(path_in("merged", "manifest.json"));
    pelab_config cfg2;
    ASSERT_EQ(pelab_config_load(&cfg2, cfg_path, &err), PELAB_STATUS_OK);
    ASSERT_EQ(run(&cfg2, "merged", 1, 0, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sum.already_complete, 1);
    char *after = slurp(path_in("merged", "manifest.json"));
    ASSERT_STR_EQ(after, before);
    /* a shard missing: refused, naming a cell */
    mo.n_shard_dirs = 2;
    mo.out_dir = path_in("merged2", NULL);
    ASSERT_EQ(pelab_merge(&mo, &cells, &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "is in none of the shards");
    ASSERT(access(path_in("merged2", "results.csv"), F_OK) != 0);
    /* a shard twice: refused */
    const char *twice[2] = {dirs[0], dirs[0]};
    mo.shard_dirs = twice;
    ASSERT_EQ(pelab_merge(&mo, &cells, &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "a shard given twice");
    free(a), free(b), free(before), free(after);
    pelab_config_free(&cfg2);
    pelab_config_free(&cfg);
}

/* An executor that computes every cell, and has SIGINT arrive while the last
 * one is computed (after it started, before its row is put): the sweep is
 * whole, so the run is complete, and says a signal came. */
static pelab_status signal_in_last(void *user, pelab_run_sink *sink, const pelab_job *job, const size_t *order,
                                   size_t n_small, size_t n, pelab_error *err) {
    (void)user, (void)n_small, (void)err;
    for (size_t i = 0; i < n; i++) {
        if (pelab_run_sink_stopping(sink)) break;
        pelab_strbuf rows = PELAB_STRBUF_INIT, curves = PELAB_STRBUF_INIT;
        job->ops->run(job, order[i], &rows, &curves);
        if (i + 1 == n) raise(SIGINT);
        pelab_run_sink_put(sink, rows.data, rows.len, curves.data, curves.len);
        pelab_strbuf_free(&rows), pelab_strbuf_free(&curves);
    }
    return PELAB_STATUS_OK;
}

/* ... and one where it arrives before the last cell starts. */
static pelab_status signal_before_last(void *user, pelab_run_sink *sink, const pelab_job *job, const size_t *order,
                                       size_t n_small, size_t n, pelab_error *err) {
    (void)user, (void)n_small, (void)err;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 == n) raise(SIGINT);
        if (pelab_run_sink_stopping(sink)) break;
        pelab_strbuf rows = PELAB_STRBUF_INIT, curves = PELAB_STRBUF_INIT;
        job->ops->run(job, order[i], &rows, &curves);
        pelab_run_sink_put(sink, rows.data, rows.len, curves.data, curves.len);
        pelab_strbuf_free(&rows), pelab_strbuf_free(&curves);
    }
    return PELAB_STATUS_OK;
}

static void test_signal_and_the_last_cell(void) {
    pelab_config cfg;
    load(&cfg, "name: s\nsweep: {seq_len: [4, 8, 16], d_model: 4, scheme: [none, sinusoidal]}\n");
    pelab_run_executor ex = {signal_in_last, NULL, 1, NULL};
    pelab_run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.out_dir = path_in("sig-last", NULL);
    opt.quiet = 1;
    opt.executor = &ex;
    pelab_run_summary sum;
    pelab_error err;
    int sig = 0;
    pelab_job job;
    ASSERT_EQ(pelab_job_probe(&job, &cfg, &err), PELAB_STATUS_OK);
    ASSERT_EQ(pelab_run(&job, &opt, &sig, &sum, &err), PELAB_STATUS_OK);
    ASSERT_EQ(sig, 0);
    ASSERT_EQ(sum.cells_done, 6);
    ASSERT_EQ(sum.signal_after_last, 1);
    pelab_manifest m;
    ASSERT_EQ(pelab_manifest_read(&m, path_in("sig-last", "manifest.json"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(m.status, PELAB_MANIFEST_STATUS_COMPLETE);
    pelab_manifest_free(&m);
    ex.run = signal_before_last;
    opt.out_dir = path_in("sig-before", NULL);
    ASSERT_EQ(pelab_run(&job, &opt, &sig, &sum, &err), PELAB_STATUS_INTERRUPTED);
    ASSERT_EQ(sig, SIGINT);
    ASSERT_EQ(sum.cells_done, 5);
    ASSERT_STR_CONTAINS(err.msg, "5 of 6 cells are in");
    ASSERT_EQ(pelab_manifest_read(&m, path_in("sig-before", "manifest.json"), &err), PELAB_STATUS_OK);
    ASSERT_EQ(m.status, PELAB_MANIFEST_STATUS_INTERRUPTED);
    ASSERT_EQ(m.cells_done, 5);
    pelab_manifest_free(&m);
    pelab_job_free(&job);
    pelab_config_free(&cfg);
}

int main(void) {
    if (!mkdtemp(g_dir)) return 1;
    TEST_RUN(test_rows);
    TEST_RUN(test_history_and_resume);
    TEST_RUN(test_memory_limit_and_nothing_runs);
    TEST_RUN(test_lock_refuses_a_second_writer);
    TEST_RUN(test_shards_merge_to_the_whole);
    TEST_RUN(test_signal_and_the_last_cell);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) return 1;
    return TEST_DONE();
}
