/* runner.c — see pelab/run/runner.h */
#include "pelab/run/runner.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"
#include "pelab/base/strbuf.h"
#include "pelab/io/folder.h"
#include "pelab/io/manifest.h"
#include "pelab/io/rows.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/probe.h"
#include "pelab/lab/results.h"
#include "pelab/run/shard.h"

#define ROW_MAX 16384

/* Work below which a cell runs on one thread, in parallel with other cells. */
#define SMALL_CELL_FLOPS 2.0e8

/* manifest.json's cells_done is brought up to date at most this often (s) */
#define MANIFEST_EVERY_S 1.0

/* ---- signals -------------------------------------------------------------------- */

static volatile sig_atomic_t g_signal;
static volatile sig_atomic_t g_quiet;

static const char g_msg_int[] =
    "\npelab: SIGINT: finishing the cells in flight, starting no new one (Ctrl-C again stops at once)\n";
static const char g_msg_term[] = "\npelab: SIGTERM: finishing the cells in flight, starting no new one\n";

/* The first signal asks for a clean stop (and says so: write() is safe in a
 * handler); a second one ends the process the default way, at once. */
static void on_signal(int sig) {
    if (g_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    g_signal = sig;
    if (!g_quiet) {
        ssize_t w = sig == SIGINT ? write(STDERR_FILENO, g_msg_int, sizeof g_msg_int - 1)
                                  : write(STDERR_FILENO, g_msg_term, sizeof g_msg_term - 1);
        (void)w;
    }
}

static void nap_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the run's state: the sink an executor puts rows into ----------------------- */

struct pelab_run_sink {
    const pelab_config *cfg;
    char results_path[4200], manifest_path[4200];
    pelab_manifest man;          /* what manifest.json says; its last attempt is this one */
    double prev_elapsed;         /* the previous attempts' time                          */
    size_t total, done;          /* the folder's cells, and rows on disk                 */
    size_t this_attempt;         /* rows this run wrote                                  */
    double t0;                   /* omp_get_wtime() at the start                        */
    double last_manifest;        /* when manifest.json was last written                 */
    pthread_mutex_t mu;          /* rows, counters and the progress line                */
    FILE *fp;
    off_t good_size;             /* results.csv's length after the last whole row        */
    volatile int failed;
    pelab_error write_err;
    /* progress */
    int show;
    double cost_total, cost_done;
    pelab_row_index cost_of;     /* identity of a pending cell -> its index in cost[]   */
    double *cost;
    double last_put;
    size_t hold_after;           /* PELAB_TEST_HOLD_AFTER_ROWS, 0 = none                */
    int ticking;
    pthread_t ticker;
};
typedef struct pelab_run_sink run_state;

static double attempt_elapsed(const run_state *st) { return omp_get_wtime() - st->t0; }

/* Bring the manifest's counters and this attempt up to date and write it. */
static pelab_status write_manifest(run_state *st, pelab_manifest_status status, const char *error,
                                   pelab_error *err) {
    pelab_manifest *m = &st->man;
    pelab_manifest_attempt *a = &m->attempts[m->n_attempts - 1];
    double el = attempt_elapsed(st);
    m->status = status;
    free(m->error);
    m->error = error ? pelab_xstrdup(error) : NULL;
    m->cells_done = (long long)st->done;
    m->elapsed_s = st->prev_elapsed + el;
    a->elapsed_s = el;
    a->cells = (long long)st->this_attempt;
    a->status = status;
    if (status == PELAB_MANIFEST_STATUS_RUNNING) {
        m->finished[0] = a->finished[0] = '\0';
    } else {
        pelab_manifest_now(a->finished);
        snprintf(m->finished, sizeof m->finished, "%s", a->finished);
    }
    st->last_manifest = omp_get_wtime();
    return pelab_manifest_write(st->manifest_path, m, err);
}

static void format_seconds(char *buf, size_t cap, double s) {
    if (s < 99.5) snprintf(buf, cap, "%.1f s", s);
    else if (s < 5999.5) snprintf(buf, cap, "%.0f min %02.0f s", floor(s / 60), fmod(s, 60));
    else snprintf(buf, cap, "%.1f h", s / 3600);
}

/* The progress line (call with st->mu held). */
static void draw_progress(const run_state *st) {
    double now = omp_get_wtime(), el = now - st->t0;
    char e[32], left[64] = "", running[96] = "";
    format_seconds(e, sizeof e, el);
    if (el >= 0.5 && st->cost_done >= 0.01 * st->cost_total && st->cost_total > st->cost_done) {
        char l[32];
        format_seconds(l, sizeof l, (st->cost_total - st->cost_done) * el / st->cost_done);
        snprintf(left, sizeof left, ", ~%s left", l);
    }
    double quiet_for = now - (st->last_put > st->t0 ? st->last_put : st->t0);
    if (quiet_for >= 3 && st->done < st->total) {
        char q[32];
        format_seconds(q, sizeof q, quiet_for);
        snprintf(running, sizeof running, "; cells running, the last row %s ago", q);
    }
    fprintf(stderr, "\r\033[Kpelab: %zu/%zu cells, %s elapsed%s%s", st->done, st->total, e, left, running);
    fflush(stderr);
}

static void *ticker_main(void *arg) {
    run_state *st = arg;
    for (;;) {
        nap_ms(250);
        pthread_mutex_lock(&st->mu);
        int go = st->ticking;
        if (go && !g_signal) draw_progress(st);
        pthread_mutex_unlock(&st->mu);
        if (!go) return NULL;
    }
}

int pelab_run_sink_stopping(const pelab_run_sink *st) { return g_signal || st->failed; }

int pelab_run_sink_held(const pelab_run_sink *st) {
    return st->hold_after && !g_signal && !st->failed && st->this_attempt >= st->hold_after;
}

int pelab_run_sink_put(pelab_run_sink *st, const char *row, size_t rl) {
    pthread_mutex_lock(&st->mu);
    int rc = -1;
    if (st->failed) goto out;
    FILE *fp = st->fp;
    if (fwrite(row, 1, rl, fp) != rl || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        pelab_error_set(&st->write_err, PELAB_STATUS_IO, "%s: cannot write: %s", st->results_path, strerror(errno));
        st->failed = 1;
        /* drop the part of the row that did reach the file (else resume cuts it) */
        if (ftruncate(fileno(fp), st->good_size) != 0) {
        }
        goto out;
    }
    st->good_size = ftello(fp);
    st->done++;
    st->this_attempt++;
    st->last_put = omp_get_wtime();
    size_t id_len = 0;
    for (int commas = 0; id_len < rl; id_len++)
        if (row[id_len] == ',' && ++commas == PELAB_RESULTS_ID_COLUMNS) break;
    size_t k;
    if (pelab_row_index_get(&st->cost_of, row, id_len, &k)) st->cost_done += st->cost[k];
    if (st->last_put - st->last_manifest >= MANIFEST_EVERY_S) {
        pelab_error merr;
        if (write_manifest(st, PELAB_MANIFEST_STATUS_RUNNING, NULL, &merr)) {
            st->write_err = merr;
            st->failed = 1;
            goto out;
        }
    }
    if (st->show && !g_signal) draw_progress(st);
    rc = 0;
out:
    pthread_mutex_unlock(&st->mu);
    return rc;
}

/* ---- the executor of a single process -------------------------------------------- */

/* OpenMP threads over small cells, then large cells one at a time with their
 * kernels parallel inside. */
static pelab_status run_here(void *user, pelab_run_sink *sink, const pelab_config *cfg, const pelab_cell *cells,
                             const size_t *order, size_t n_small, size_t n, pelab_error *err) {
    (void)user, (void)err;
    for (int phase = 0; phase < 2; phase++) {
        size_t lo = phase == 0 ? 0 : n_small, hi = phase == 0 ? n_small : n;
        int parallel_cells = phase == 0;
#pragma omp parallel for schedule(dynamic, 1) if (parallel_cells)
        for (size_t i = lo; i < hi; i++) {
            while (pelab_run_sink_held(sink)) nap_ms(5);
            if (pelab_run_sink_stopping(sink)) continue;
            const pelab_cell *c = &cells[order[i]];
            pelab_cell_result res;
            pelab_cell_run(&res, cfg, c);
            char row[ROW_MAX];
            int rl = pelab_results_row(row, sizeof row, c, &res);
            PELAB_ASSERT(rl > 0);
            pelab_run_sink_put(sink, row, (size_t)rl);
        }
    }
    return PELAB_STATUS_OK;
}

/* ---- results.csv ---------------------------------------------------------------------- */

/* The identity of every cell, indexed: identity -> position in cells[]. */
static void index_cells(pelab_row_index *ix, const pelab_cell *cells, size_t n) {
    pelab_row_index_init(ix, n);
    char id[ROW_MAX];
    for (size_t c = 0; c < n; c++) {
        int k = pelab_results_identity(id, sizeof id, &cells[c]);
        PELAB_ASSERT(k > 0 && (size_t)k < sizeof id);
        pelab_row_index_put(ix, id, (size_t)k, c);
    }
}

/* Rewrite results.csv with its rows in the order of cells[], and count the
 * rows' outcomes into sum. */
static pelab_status sort_results(const run_state *st, const pelab_cell *cells, pelab_run_summary *sum,
                                 pelab_error *err) {
    char *data = NULL, header[ROW_MAX];
    size_t len = 0;
    pelab_status s = pelab_read_file(&data, &len, st->results_path, err);
    if (s) return s;
    PELAB_ASSERT(pelab_results_header(header, sizeof header) > 0);
    pelab_rows rows;
    if ((s = pelab_rows_scan(&rows, data, len, header, PELAB_RESULTS_ID_COLUMNS, st->results_path, err))) {
        free(data);
        return s;
    }
    pelab_row_index ix;
    index_cells(&ix, cells, st->total);
    size_t *slot = pelab_xmalloc((st->total ? st->total : 1) * sizeof *slot);
    for (size_t c = 0; c < st->total; c++) slot[c] = SIZE_MAX;
    for (size_t r = 0; r < rows.n; r++) {
        size_t c;
        if (pelab_row_index_get(&ix, rows.row[r], rows.id_len[r], &c) && slot[c] == SIZE_MAX) slot[c] = r;
    }
    pelab_strbuf out = PELAB_STRBUF_INIT;
    pelab_strbuf_puts(&out, header);
    size_t written = 0;
    for (size_t c = 0; c < st->total; c++) {
        if (slot[c] == SIZE_MAX) continue;
        size_t r = slot[c];
        pelab_strbuf_put(&out, rows.row[r], rows.len[r]);
        pelab_strbuf_putc(&out, '\n');
        written++;
        char status[256];
        switch (pelab_results_row_outcome(rows.row[r], rows.len[r], status, sizeof status)) {
        case PELAB_ROW_OUTCOME_OK: sum->cells_ok++; break;
        case PELAB_ROW_OUTCOME_NONFINITE:
            if (!sum->cells_nonfinite++) snprintf(sum->first_nonfinite, sizeof sum->first_nonfinite, "%s", status);
            break;
        default:
            if (!sum->cells_skipped++) snprintf(sum->first_skip, sizeof sum->first_skip, "%s", status);
        }
    }
    /* rows the sweep does not know (cannot happen: resume checked the hash)
     * are never dropped silently: then the file stays as it was */
    if (written == rows.n && !rows.bad_line) s = pelab_write_file_atomic(st->results_path, out.data, out.len, err);
    pelab_strbuf_free(&out);
    free(slot);
    pelab_row_index_free(&ix);
    pelab_rows_free(&rows);
    free(data);
    return s;
}

/* Scan an existing results.csv: index its whole rows' identities in done,
 * and cut a torn last line (a kill in the middle of a write). */
static pelab_status scan_existing(pelab_row_index *done, const char *path, pelab_error *err) {
    char *data = NULL, header[ROW_MAX];
    size_t len = 0;
    pelab_status s = pelab_read_file(&data, &len, path, err);
    if (s) return s;
    PELAB_ASSERT(pelab_results_header(header, sizeof header) > 0);
    pelab_rows rows;
    s = pelab_rows_scan(&rows, data, len, header, PELAB_RESULTS_ID_COLUMNS, path, err);
    if (s) {
        free(data);
        return pelab_error_set(err, PELAB_STATUS_USAGE, "%s; use another --out folder or --force", err->msg);
    }
    for (size_t r = 0; r < rows.n; r++) pelab_row_index_put(done, rows.row[r], rows.id_len[r], r);
    if (rows.valid < len && truncate(path, (off_t)rows.valid) != 0)
        s = pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot cut the torn last line: %s", path, strerror(errno));
    pelab_rows_free(&rows);
    free(data);
    return s;
}

static pelab_status write_all(FILE *fp, const char *path, const char *data, size_t len, pelab_error *err) {
    if (fwrite(data, 1, len, fp) != len || fflush(fp) != 0 || fsync(fileno(fp)) != 0)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", path, strerror(errno));
    return PELAB_STATUS_OK;
}

/* ---- the run ----------------------------------------------------------------------------- */

pelab_status pelab_run(const pelab_config *cfg, const pelab_run_options *opt, int *signal_number,
                       pelab_run_summary *summary, pelab_error *err) {
    pelab_run_summary sum_local;
    memset(&sum_local, 0, sizeof sum_local);
    pelab_run_summary *sum = summary ? summary : &sum_local;
    memset(sum, 0, sizeof *sum);
    run_state st;
    memset(&st, 0, sizeof st);
    pthread_mutex_init(&st.mu, NULL);
    st.cfg = cfg;
    st.t0 = omp_get_wtime();
    if (opt->threads > 0) omp_set_num_threads(opt->threads);
    const pelab_run_executor local = {run_here, NULL, 0, NULL};
    const pelab_run_executor *ex = opt->executor ? opt->executor : &local;
    int threads = ex->threads > 0 ? ex->threads : omp_get_max_threads();
    pelab_folder_path(st.results_path, sizeof st.results_path, opt->out_dir, PELAB_FOLDER_RESULTS);
    pelab_folder_path(st.manifest_path, sizeof st.manifest_path, opt->out_dir, PELAB_FOLDER_MANIFEST);
    if (signal_number) *signal_number = 0;
    char shard_arg[64] = "";
    const char *env_hold = getenv("PELAB_TEST_HOLD_AFTER_ROWS");
    if (env_hold && *env_hold) st.hold_after = (size_t)strtoull(env_hold, NULL, 10);

    pelab_cell *cells = NULL;
    size_t sweep_cells = 0;
    pelab_status s = pelab_sweep_expand(&cells, &sweep_cells, cfg, err);
    if (s) {
        pthread_mutex_destroy(&st.mu);
        return s;
    }
    st.total = sweep_cells;
    long long *shard_cells = NULL;
    if (opt->shard_count > 0) {
        /* keep the shard's own cells, in sweep order */
        PELAB_ASSERT(opt->shard_index >= 0 && opt->shard_index < opt->shard_count);
        int *owner = pelab_xmalloc(sweep_cells * sizeof *owner);
        pelab_shard_assign(owner, NULL, cells, sweep_cells, cfg->trials, opt->shard_count);
        size_t m = 0;
        for (size_t c = 0; c < sweep_cells; c++)
            if (owner[c] == opt->shard_index) cells[m++] = cells[c];
        free(owner);
        st.total = m;
        shard_cells = pelab_xmalloc((m ? m : 1) * sizeof *shard_cells);
        for (size_t c = 0; c < m; c++) shard_cells[c] = (long long)cells[c].index;
        snprintf(shard_arg, sizeof shard_arg, " --shard %d/%d", opt->shard_index, opt->shard_count);
    }
    sum->cells_total = st.total;

    pelab_row_index done;
    pelab_row_index_init(&done, st.total);
    size_t *pending = NULL;
    pelab_folder_lock lock = {-1};
    pelab_manifest prev;
    memset(&prev, 0, sizeof prev);
    int have_prev = 0;

    if ((s = pelab_mkdir_p(opt->out_dir, err))) goto out;
    if ((s = pelab_folder_lock_take(&lock, opt->out_dir, opt->command ? opt->command : "pelab run", err))) goto out;
    struct stat sb;
    int exists = stat(st.results_path, &sb) == 0;
    if (exists && !opt->resume && !opt->force) {
        s = pelab_error_set(err, PELAB_STATUS_USAGE,
                            "%s exists: pass --resume to finish that sweep, --force to replace it, "
                            "or --out to write elsewhere",
                            st.results_path);
        goto out;
    }
    if (opt->force) {
        if ((s = pelab_folder_clear(opt->out_dir, err))) goto out;
        exists = 0;
    }
    if (exists) { /* resume */
        pelab_error merr;
        if (pelab_manifest_read(&prev, st.manifest_path, &merr)) {
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: %s; use another --out folder or --force", opt->out_dir, merr.msg);
            goto out;
        }
        have_prev = 1;
        if (prev.config_hash != cfg->hash) {
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: the folder was started with another config "
                                "(hash %016llx, this config %016llx); use another --out folder or --force",
                                opt->out_dir, (unsigned long long)prev.config_hash, (unsigned long long)cfg->hash);
            goto out;
        }
        if (prev.has_shard != (opt->shard_count > 0) ||
            (prev.has_shard && (prev.shard_index != opt->shard_index || prev.shard_count != opt->shard_count))) {
            char was[64] = "the whole sweep", want[64] = "the whole sweep";
            if (prev.has_shard) snprintf(was, sizeof was, "shard %d/%d", prev.shard_index, prev.shard_count);
            if (opt->shard_count > 0) snprintf(want, sizeof want, "shard %d/%d", opt->shard_index, opt->shard_count);
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: the folder holds %s, not %s; use another --out folder "
                                "or --force",
                                opt->out_dir, was, want);
            goto out;
        }
        if ((s = scan_existing(&done, st.results_path, err))) goto out;
    }

    /* cells still to run: small ones first (in parallel over cells), then the
     * large ones (each parallel inside) */
    pending = pelab_xmalloc((st.total ? st.total : 1) * sizeof *pending);
    size_t n_small = 0, n_pending = 0;
    char id[ROW_MAX];
    for (int pass = 0; pass < 2; pass++)
        for (size_t c = 0; c < st.total; c++) {
            int k = pelab_results_identity(id, sizeof id, &cells[c]);
            if (pelab_row_index_get(&done, id, (size_t)k, NULL)) continue;
            int small = pelab_cell_flops(&cells[c], cfg->trials) < SMALL_CELL_FLOPS;
            if (small == (pass == 0)) pending[n_pending++] = c;
            if (pass == 0 && small) n_small++;
        }
    st.done = st.total - n_pending;

    if (have_prev && n_pending == 0 && prev.status == PELAB_MANIFEST_STATUS_COMPLETE) {
        /* nothing to do: the folder stays exactly as it is */
        sum->already_complete = 1;
        sum->cells_done = st.done;
        sum->total_elapsed_s = prev.elapsed_s;
        sum->attempts = (int)prev.n_attempts;
        char *data = NULL, header[ROW_MAX];
        size_t len = 0;
        PELAB_ASSERT(pelab_results_header(header, sizeof header) > 0);
        if (pelab_read_file(&data, &len, st.results_path, NULL) == PELAB_STATUS_OK) {
            pelab_rows rows;
            if (pelab_rows_scan(&rows, data, len, header, PELAB_RESULTS_ID_COLUMNS, st.results_path, NULL) ==
                PELAB_STATUS_OK) {
                for (size_t r = 0; r < rows.n; r++) {
                    pelab_row_outcome o = pelab_results_row_outcome(rows.row[r], rows.len[r], NULL, 0);
                    sum->cells_ok += o == PELAB_ROW_OUTCOME_OK;
                    sum->cells_skipped += o == PELAB_ROW_OUTCOME_SKIPPED;
                    sum->cells_nonfinite += o == PELAB_ROW_OUTCOME_NONFINITE;
                }
                pelab_rows_free(&rows);
            }
            free(data);
        }
        goto out;
    }

    /* the manifest: a new one, or the previous one with this attempt added */
    pelab_manifest *m = &st.man;
    if (have_prev) {
        *m = prev; /* takes over what prev owns */
        memset(&prev, 0, sizeof prev);
        have_prev = 0;
        st.prev_elapsed = m->elapsed_s;
        free(m->config_path);
        free(m->config_json);
        if (ex->manifest_mpi) {
            free(m->mpi_json);
            m->mpi_json = pelab_xstrdup(ex->manifest_mpi);
        }
    } else {
        pelab_manifest_now(m->started);
        m->mpi_json = ex->manifest_mpi ? pelab_xstrdup(ex->manifest_mpi) : NULL;
        if (opt->shard_count > 0) {
            m->has_shard = 1;
            m->shard_index = opt->shard_index;
            m->shard_count = opt->shard_count;
            snprintf(m->shard_rule, sizeof m->shard_rule, "%s", PELAB_SHARD_RULE);
            m->shard_sweep_cells = (long long)sweep_cells;
            m->shard_cells = shard_cells;
            m->n_shard_cells = st.total;
            shard_cells = NULL;
        }
    }
    snprintf(m->version, sizeof m->version, "%s", PELAB_VERSION);
    m->config_path = pelab_xstrdup(cfg->path);
    m->config_json = pelab_xstrdup(cfg->resolved_json);
    m->config_hash = cfg->hash;
    m->threads = threads;
    m->cells_total = (long long)st.total;
    pelab_manifest_attempt attempt;
    memset(&attempt, 0, sizeof attempt);
    pelab_manifest_now(attempt.started);
    attempt.threads = threads;
    pelab_manifest_add_attempt(m, &attempt);

    /* the manifest first: a results.csv never exists without the config
     * hash that lets --resume check it */
    if ((s = write_manifest(&st, PELAB_MANIFEST_STATUS_RUNNING, NULL, err))) goto out;

    st.fp = fopen(st.results_path, exists ? "a" : "w");
    if (!st.fp) {
        s = pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", st.results_path, strerror(errno));
        write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        goto out;
    }
    if (fseeko(st.fp, 0, SEEK_END) == 0 && ftello(st.fp) == 0) { /* new, or cut to nothing by a torn header */
        char header[ROW_MAX];
        int hl = pelab_results_header(header, sizeof header);
        if ((s = write_all(st.fp, st.results_path, header, (size_t)hl, err))) {
            write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
            goto out;
        }
    }

    /* what is left, by the cost model in seconds, for the progress line */
    st.show = !opt->quiet && isatty(STDERR_FILENO);
    pelab_cell_timing timing;
    if (st.show) pelab_cell_timing_calibrate(&timing);
    pelab_row_index_init(&st.cost_of, n_pending);
    st.cost = pelab_xmalloc((n_pending ? n_pending : 1) * sizeof *st.cost);
    for (size_t i = 0; i < n_pending; i++) {
        const pelab_cell *c = &cells[pending[i]];
        int k = pelab_results_identity(id, sizeof id, c);
        pelab_row_index_put(&st.cost_of, id, (size_t)k, i);
        char why[256];
        st.cost[i] = pelab_cell_check(c, why, sizeof why) ? 0
                     : st.show                             ? pelab_cell_seconds(c, cfg->trials, &timing)
                                                           : pelab_cell_flops(c, cfg->trials);
        st.cost_total += st.cost[i];
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_signal = 0;
    g_quiet = opt->quiet;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    st.good_size = ftello(st.fp);
    if (st.show) {
        st.ticking = 1;
        if (pthread_create(&st.ticker, NULL, ticker_main, &st) != 0) st.ticking = 0;
    }
    pelab_error ex_err = {PELAB_STATUS_OK, ""};
    pelab_status ex_status = ex->run(ex->user, &st, cfg, cells, pending, n_small, n_pending, &ex_err);
    if (st.ticking) {
        pthread_mutex_lock(&st.mu);
        st.ticking = 0;
        pthread_mutex_unlock(&st.mu);
        pthread_join(st.ticker, NULL);
    }
    if (st.show) {
        draw_progress(&st);
        fprintf(stderr, "\n");
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (fclose(st.fp) != 0 && !st.failed) {
        pelab_error_set(&st.write_err, PELAB_STATUS_IO, "%s: cannot write: %s", st.results_path, strerror(errno));
        st.failed = 1;
    }
    st.fp = NULL;
    sum->cells_this_attempt = st.this_attempt;
    sum->cells_done = st.done;
    sum->attempts = (int)st.man.n_attempts;
    if (st.failed || ex_status) {
        *err = st.failed ? st.write_err : ex_err;
        write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        s = err->status;
        goto out;
    }
    if (st.done < st.total) {
        if (g_signal) {
            if (signal_number) *signal_number = (int)g_signal;
            write_manifest(&st, PELAB_MANIFEST_STATUS_INTERRUPTED, NULL, NULL);
            s = pelab_error_set(err, PELAB_STATUS_INTERRUPTED,
                                "interrupted by signal %d: %zu of %zu cells are in %s; finish with: "
                                "pelab run %s --out %s%s --resume",
                                (int)g_signal, st.done, st.total, st.results_path, cfg->path, opt->out_dir, shard_arg);
        } else {
            s = pelab_error_set(err, PELAB_STATUS_RUN, "the run ended with %zu of %zu cells in %s", st.done, st.total,
                                st.results_path);
            write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        }
        goto out;
    }
    sum->signal_after_last = g_signal != 0;
    if ((s = sort_results(&st, cells, sum, err))) {
        write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        goto out;
    }
    if (st.total > 0 && sum->cells_ok + sum->cells_nonfinite == 0) {
        s = pelab_error_set(err, PELAB_STATUS_RUN, "no cell could run: all %zu cells were skipped (the first: %s)",
                            st.total, sum->first_skip);
        write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        goto out;
    }
    s = write_manifest(&st, PELAB_MANIFEST_STATUS_COMPLETE, NULL, err);

out:
    sum->elapsed_s = attempt_elapsed(&st);
    if (st.man.n_attempts) sum->total_elapsed_s = st.prev_elapsed + sum->elapsed_s;
    if (st.fp) fclose(st.fp);
    pelab_folder_lock_release(&lock);
    pelab_manifest_free(&st.man);
    pelab_manifest_free(&prev);
    pelab_row_index_free(&st.cost_of);
    free(st.cost);
    free(shard_cells);
    free(pending);
    pelab_row_index_free(&done);
    free(cells);
    pthread_mutex_destroy(&st.mu);
    return s;
}
