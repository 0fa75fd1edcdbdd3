/* test_io.c — the io layer: manifest.json written and read back (and an
 * older manifest read), results rows scanned and indexed, the folder lock
 * and --force's clean slate. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"
#include "pelab/io/folder.h"
#include "pelab/io/manifest.h"
#include "pelab/io/rows.h"
#include "test.h"

static char g_dir[] = "/tmp/pelab-io-XXXXXX";

static void test_manifest_round_trip(void) {
    pelab_manifest m;
    memset(&m, 0, sizeof m);
    snprintf(m.version, sizeof m.version, "9.9.9");
    m.config_path = pelab_xstrdup("configs/a \"b\".yaml");
    m.config_hash = 0x0123456789abcdefull;
    m.status = PELAB_MANIFEST_STATUS_FAILED;
    m.error = pelab_xstrdup("results.csv: cannot write: No space left on device");
    m.threads = 3;
    m.cells_total = 12, m.cells_done = 7;
    snprintf(m.started, sizeof m.started, "2026-12-01T10:00:00Z");
    snprintf(m.finished, sizeof m.finished, "2026-12-01T10:05:00Z");
    m.elapsed_s = 123.25;
    pelab_manifest_attempt a = {"2026-12-01T10:00:00Z", "2026-12-01T10:01:00Z", 60.5, 5, 2,
                                PELAB_MANIFEST_STATUS_INTERRUPTED};
    pelab_manifest_add_attempt(&m, &a);
    pelab_manifest_attempt b = {"2026-12-01T10:03:00Z", "2026-12-01T10:05:00Z", 62.75, 2, 3, PELAB_MANIFEST_STATUS_FAILED};
    pelab_manifest_add_attempt(&m, &b);
    m.has_shard = 1, m.shard_index = 1, m.shard_count = 4;
    snprintf(m.shard_rule, sizeof m.shard_rule, "lpt");
    m.shard_sweep_cells = 48;
    m.n_shard_cells = 3;
    m.shard_cells = pelab_xmalloc(3 * sizeof *m.shard_cells);
    m.shard_cells[0] = 2, m.shard_cells[1] = 17, m.shard_cells[2] = 40;
    m.mpi_json = pelab_xstrdup("{\"ranks\": 3, \"coordinator\": 0, \"worker_threads\": [2, 2]}");
    snprintf(m.merged_at, sizeof m.merged_at, "2026-12-01T11:00:00Z");
    m.n_merged = 1;
    m.merged = pelab_xcalloc(1, sizeof *m.merged);
    m.merged[0].dir = pelab_xstrdup("results/x/shard-1-of-4");
    m.merged[0].has_shard = 1, m.merged[0].shard_index = 1, m.merged[0].shard_count = 4;
    m.merged[0].cells = 3, m.merged[0].threads = 2, m.merged[0].elapsed_s = 1.5;
    snprintf(m.merged[0].started, sizeof m.merged[0].started, "2026-12-01T10:00:00Z");
    m.config_json = pelab_xstrdup("{\"name\":\"x\",\"sweep\":{\"seq_len\":[8]}}");
    char path[256];
    snprintf(path, sizeof path, "%s/manifest.json", g_dir);
    pelab_error err;
    ASSERT_EQ(pelab_manifest_write(path, &m, &err), PELAB_STATUS_OK);
    pelab_manifest r;
    ASSERT_EQ(pelab_manifest_read(&r, path, &err), PELAB_STATUS_OK);
    ASSERT_STR_EQ(r.version, "9.9.9");
    ASSERT_STR_EQ(r.config_path, "configs/a \"b\".yaml");
    ASSERT(r.config_hash == m.config_hash);
    ASSERT_EQ(r.status, PELAB_MANIFEST_STATUS_FAILED);
    ASSERT_STR_EQ(r.error, m.error);
    ASSERT_EQ(r.threads, 3);
    ASSERT_EQ(r.cells_total, 12);
    ASSERT_EQ(r.cells_done, 7);
    ASSERT_STR_EQ(r.finished, m.finished);
    ASSERT_DBL_EQ(r.elapsed_s, 123.25);
    ASSERT_EQ(r.n_attempts, 2);
    ASSERT_EQ(r.attempts[0].status, PELAB_MANIFEST_STATUS_INTERRUPTED);
    ASSERT_EQ(r.attempts[1].cells, 2);
    ASSERT_EQ(r.attempts[1].threads, 3);
    ASSERT_DBL_EQ(r.attempts[1].elapsed_s, 62.75);
    ASSERT(r.has_shard && r.shard_index == 1 && r.shard_count == 4 && r.shard_sweep_cells == 48);
    ASSERT_EQ(r.n_shard_cells, 3);
    ASSERT_EQ(r.shard_cells[2], 40);
    ASSERT_STR_EQ(r.mpi_json, m.mpi_json);
    ASSERT_EQ(r.n_merged, 1);
    ASSERT_STR_EQ(r.merged[0].dir, "results/x/shard-1-of-4");
    ASSERT(r.merged[0].has_shard && r.merged[0].shard_count == 4);
    ASSERT_STR_EQ(r.merged[0].finished, ""); /* null */
    ASSERT_STR_EQ(r.config_json, m.config_json);
    /* writing what was read gives the same text */
    char *t1 = pelab_manifest_format(&m), *t2 = pelab_manifest_format(&r);
    ASSERT_STR_EQ(t1, t2);
    free(t1), free(t2);
    pelab_manifest_free(&r);
    pelab_manifest_free(&m);
}

/* A manifest of the previous pelab (no attempts, running: finished null)
 * reads as one attempt made of its top-level record. */
static void test_manifest_old_format(void) {
    const char *old = "{\n  \"pelab_version\": \"0.1.0\",\n  \"config_path\": \"c.yaml\",\n"
                      "  \"config_hash\": \"00000000000000ff\",\n  \"status\": \"interrupted\",\n  \"threads\": 2,\n"
                      "  \"cells_total\": 10,\n  \"cells_done\": 4,\n  \"started\": \"2026-11-28T10:00:00Z\",\n"
                      "  \"finished\": \"2026-11-28T10:00:09Z\",\n  \"elapsed_s\": 9.125,\n"
                      "  \"shard\": {\"index\": 0, \"count\": 2, \"rule\": \"lpt\", \"sweep_cells\": 20, \"cells\": [0, 3]},\n"
                      "  \"config\": {\"name\":\"c\"}\n}\n";
    pelab_manifest r;
    pelab_error err;
    ASSERT_EQ(pelab_manifest_parse(&r, old, strlen(old), "m.json", &err), PELAB_STATUS_OK);
    ASSERT(r.config_hash == 0xff);
    ASSERT_EQ(r.n_attempts, 1);
    ASSERT_EQ(r.attempts[0].cells, 4);
    ASSERT_DBL_EQ(r.attempts[0].elapsed_s, 9.125);
    ASSERT_EQ(r.attempts[0].status, PELAB_MANIFEST_STATUS_INTERRUPTED);
    ASSERT(r.has_shard && r.n_shard_cells == 2);
    pelab_manifest_free(&r);
    /* what is not a manifest pelab writes is refused by name */
    const char *bad[][2] = {
        {"{\"pelab_version\": \"0.1.0\"}", "no \"config_path\""},
        {"[]", "not a JSON object"},
        {"{", "(not a manifest pelab writes)"},
    };
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ(pelab_manifest_parse(&r, bad[i][0], strlen(bad[i][0]), "m.json", &err), PELAB_STATUS_RUN);
        ASSERT_STR_CONTAINS(err.msg, bad[i][1]);
    }
    char *wrong = pelab_xstrdup(old);
    memcpy(strstr(wrong, "interrupted"), "interrupteX", 11);
    ASSERT_EQ(pelab_manifest_parse(&r, wrong, strlen(wrong), "m.json", &err), PELAB_STATUS_RUN);
    ASSERT_STR_CONTAINS(err.msg, "\"status\" is 'interrupteX'");
    free(wrong);
}

static void test_rows_scan(void) {
    const char *header = "a,b,c,v\n";
    const char *text = "a,b,c,v\n1,2,3,x\n4,5,6,y\n7,8\n9,9,9,z\n";
    pelab_rows rows;
    pelab_error err;
    ASSERT_EQ(pelab_rows_scan(&rows, text, strlen(text), header, 2, "r.csv", &err), PELAB_STATUS_OK);
    ASSERT_EQ(rows.n, 2);
    ASSERT_EQ(rows.bad_line, 4); /* "7,8": too few fields; nothing after it is scanned */
    ASSERT_EQ(rows.bad_torn, 0);
    ASSERT_EQ(rows.valid, strlen("a,b,c,v\n1,2,3,x\n4,5,6,y\n"));
    ASSERT_EQ(rows.id_len[1], 3); /* "4,5" */
    ASSERT(memcmp(rows.row[1], "4,5,6,y", rows.len[1]) == 0);
    pelab_rows_free(&rows);
    const char *torn = "a,b,c,v\n1,2,3,x\n4,5,";
    ASSERT_EQ(pelab_rows_scan(&rows, torn, strlen(torn), header, 2, "r.csv", &err), PELAB_STATUS_OK);
    ASSERT(rows.n == 1 && rows.bad_line == 3 && rows.bad_torn == 1);
    pelab_rows_free(&rows);
    ASSERT_EQ(pelab_rows_scan(&rows, "a,b", 3, header, 2, "r.csv", &err), PELAB_STATUS_OK);
    ASSERT(rows.header_torn && rows.n == 0 && rows.valid == 0);
    pelab_rows_free(&rows);
    ASSERT_EQ(pelab_rows_scan(&rows, "x,y\n", 4, header, 2, "r.csv", &err), PELAB_STATUS_USAGE);
    ASSERT_STR_CONTAINS(err.msg, "r.csv: not a results file of this pelab version");
}

static void test_row_index(void) {
    pelab_row_index ix;
    pelab_row_index_init(&ix, 2); /* grows past what it expected */
    char id[32];
    for (size_t i = 0; i < 1000; i++) {
        int k = snprintf(id, sizeof id, "rope,%zu,64", i);
        ASSERT_EQ(pelab_row_index_put(&ix, id, (size_t)k, i * 3), 1);
    }
    ASSERT_EQ(pelab_row_index_put(&ix, "rope,7,64", 9, 0), 0); /* already there */
    size_t v = 0;
    ASSERT_EQ(pelab_row_index_get(&ix, "rope,999,64", 11, &v), 1);
    ASSERT_EQ(v, 2997);
    ASSERT_EQ(pelab_row_index_get(&ix, "rope,7,6", 8, &v), 0); /* a prefix is not a match */
    ASSERT_EQ(pelab_row_index_get(&ix, "rope,1000,64", 12, &v), 0);
    pelab_row_index_free(&ix);
}

static void test_folder_lock(void) {
    pelab_folder_lock a = {-1}, b = {-1};
    pelab_error err;
    ASSERT_EQ(pelab_folder_lock_take(&a, g_dir, "pelab run x.yaml", &err), PELAB_STATUS_OK);
    /* another process cannot take it, and learns who holds it */
    int pipefd[2];
    ASSERT_EQ(pipe(pipefd), 0);
    pid_t pid = fork();
    if (pid == 0) {
        pelab_error e;
        pelab_folder_lock c = {-1};
        int st = pelab_folder_lock_take(&c, g_dir, "second", &e);
        ssize_t w = write(pipefd[1], e.msg, strlen(e.msg) + 1);
        (void)w;
        _exit(st == PELAB_STATUS_USAGE ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char msg[PELAB_ERROR_MSG_MAX] = "";
    ASSERT(read(pipefd[0], msg, sizeof msg - 1) > 0);
    close(pipefd[0]), close(pipefd[1]);
    char want[128];
    snprintf(want, sizeof want, "is in use by another pelab (pid %ld: pelab run x.yaml)", (long)getpid());
    ASSERT_STR_CONTAINS(msg, want);
    pelab_folder_lock_release(&a);
    ASSERT_EQ(pelab_folder_lock_take(&b, g_dir, "third", &err), PELAB_STATUS_OK);
    pelab_folder_lock_release(&b);
    /* a holder killed with SIGKILL leaves no stale lock */
    pid = fork();
    if (pid == 0) {
        pelab_folder_lock c = {-1};
        pelab_error e;
        if (pelab_folder_lock_take(&c, g_dir, "doomed", &e)) _exit(1);
        for (;;) pause();
    }
    for (int i = 0; i < 2000; i++) { /* wait until the child holds it */
        pelab_folder_lock t = {-1};
        if (pelab_folder_lock_take(&t, g_dir, "probe", &err) == PELAB_STATUS_USAGE) break;
        pelab_folder_lock_release(&t);
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    ASSERT_EQ(pelab_folder_lock_take(&b, g_dir, "after the kill", &err), PELAB_STATUS_OK);
    pelab_folder_lock_release(&b);
}

static void test_folder_clear(void) {
    char p[300];
    pelab_error err;
    const char *files[] = {"results.csv", "manifest.json", "report.md", "report.html", "figures/a.png", "keep.txt"};
    snprintf(p, sizeof p, "%s/figures", g_dir);
    ASSERT_EQ(pelab_mkdir_p(p, &err), PELAB_STATUS_OK);
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", g_dir, files[i]);
        ASSERT_EQ(pelab_write_file_atomic(p, "x", 1, &err), PELAB_STATUS_OK);
    }
    ASSERT_EQ(pelab_folder_clear(g_dir, &err), PELAB_STATUS_OK);
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", g_dir, files[i]);
        ASSERT(access(p, F_OK) != 0);
    }
    snprintf(p, sizeof p, "%s/figures", g_dir);
    ASSERT(access(p, F_OK) != 0);
    snprintf(p, sizeof p, "%s/keep.txt", g_dir); /* not pelab's: left alone */
    ASSERT(access(p, F_OK) == 0);
    ASSERT_EQ(pelab_folder_clear(g_dir, &err), PELAB_STATUS_OK); /* nothing to remove: fine */
}

int main(void) {
    if (!mkdtemp(g_dir)) return 1;
    TEST_RUN(test_manifest_round_trip);
    TEST_RUN(test_manifest_old_format);
    TEST_RUN(test_rows_scan);
    TEST_RUN(test_row_index);
    TEST_RUN(test_folder_lock);
    TEST_RUN(test_folder_clear);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) return 1;
    return TEST_DONE();
}
