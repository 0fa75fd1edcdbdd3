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
#include "pelab/run/job.h"
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
    const pelab_job *job;
    char results_path[4200], manifest_path[4200], curves_path[4200];
    pelab_manifest man;          /* what manifest.json says; its last attempt is this one */
    double prev_elapsed;         /* the previous attempts' time                          */
    size_t total, done;          /* the folder's cells, and rows on disk                 */
    size_t this_attempt;         /* rows this run wrote                                  */
    double t0;                   /* omp_get_wtime() at the start                        */
    double last_manifest;        /* when manifest.json was last written                 */
    pthread_mutex_t mu;          /* rows, counters and the progress line                */
    FILE *fp, *cfp;              /* results.csv and curves.csv (NULL without curves)      */
    off_t good_size, cgood_size; /* their lengths after the last whole cell               */
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

/* Append len bytes to fp (then flush and fsync); on failure cut fp back to
 * *good and record the error. */
static int append(run_state *st, FILE *fp, const char *path, off_t *good, const char *data, size_t len) {
    if (fwrite(data, 1, len, fp) != len || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        pelab_error_set(&st->write_err, PELAB_STATUS_IO, "%s: cannot write: %s", path, strerror(errno));
        st->failed = 1;
        /* drop the part that did reach the file (else resume cuts it) */
        if (ftruncate(fileno(fp), *good) != 0) {
        }
        return -1;
    }
    *good = ftello(fp);
    return 0;
}

int pelab_run_sink_put(pelab_run_sink *st, const char *rows, size_t rl, const char *curves, size_t cl) {
    pthread_mutex_lock(&st->mu);
    int rc = -1;
    if (st->failed) goto out;
    /* the curves first: a cell whose rows are all on disk has its curves there
     * too; resume drops the curves of a cell whose rows are not */
    if (cl && st->cfp && append(st, st->cfp, st->curves_path, &st->cgood_size, curves, cl)) goto out;
    if (append(st, st->fp, st->results_path, &st->good_size, rows, rl)) goto out;
    st->done++;
    st->this_attempt++;
    st->last_put = omp_get_wtime();
    size_t key_len = 0;
    for (int commas = 0; key_len < rl; key_len++)
        if (rows[key_len] == ',' && ++commas == st->job->n_key) break;
    size_t k;
    if (pelab_row_index_get(&st->cost_of, rows, key_len, &k)) st->cost_done += st->cost[k];
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
static pelab_status run_here(void *user, pelab_run_sink *sink, const pelab_job *job, const size_t *order,
                             size_t n_small, size_t n, pelab_error *err) {
    (void)user, (void)err;
    for (int phase = 0; phase < 2; phase++) {
        size_t lo = phase == 0 ? 0 : n_small, hi = phase == 0 ? n_small : n;
        int parallel_cells = phase == 0;
#pragma omp parallel for schedule(dynamic, 1) if (parallel_cells)
        for (size_t i = lo; i < hi; i++) {
            while (pelab_run_sink_held(sink)) nap_ms(5);
            if (pelab_run_sink_stopping(sink)) continue;
            pelab_strbuf rows = PELAB_STRBUF_INIT, curves = PELAB_STRBUF_INIT;
            job->ops->run(job, order[i], &rows, &curves);
            pelab_run_sink_put(sink, rows.data, rows.len, curves.data, curves.len);
            pelab_strbuf_free(&rows);
            pelab_strbuf_free(&curves);
        }
    }
    return PELAB_STATUS_OK;
}

/* ---- results.csv and curves.csv ---------------------------------------------------------- */

/* The row classes of a finished cell, from its status field (after the
 * identity: width, trials, status). */
typedef enum outcome { OUTCOME_OK, OUTCOME_SKIPPED, OUTCOME_NONFINITE } outcome;

static outcome row_outcome(const pelab_job *job, const char *row, size_t len, char *status, size_t cap) {
    const char *f = NULL;
    size_t fl = 0;
    if (!pelab_rows_field(row, len, job->n_id + 2, &f, &fl)) f = "", fl = 0;
    if (status && cap) snprintf(status, cap, "%.*s", (int)(fl < cap ? fl : cap - 1), f);
    if (fl == 2 && memcmp(f, "ok", 2) == 0) return OUTCOME_OK;
    if (fl >= 10 && memcmp(f, "nonfinite:", 10) == 0) return OUTCOME_NONFINITE;
    return OUTCOME_SKIPPED;
}

/* A file of rows keyed by cell, read whole: the rows of each of this run's
 * cells (cell[r]: its position in the run's cell list, or SIZE_MAX for a
 * row of no cell here). */
typedef struct keyed_file {
    char *data;
    size_t len;
    pelab_rows rows;
    size_t *cell;
} keyed_file;

static void keyed_file_free(keyed_file *f) {
    pelab_rows_free(&f->rows);
    free(f->cell);
    free(f->data);
    memset(f, 0, sizeof *f);
}

/* Read path (which must exist) as rows after header, keyed by ix. */
static pelab_status keyed_file_read(keyed_file *f, const char *path, const char *header, const pelab_job *job,
                                    const pelab_row_index *ix, pelab_error *err) {
    memset(f, 0, sizeof *f);
    pelab_status s = pelab_read_file(&f->data, &f->len, path, err);
    if (s) return s;
    if ((s = pelab_rows_scan(&f->rows, f->data, f->len, header, job->n_key, path, err))) {
        free(f->data);
        f->data = NULL;
        return s;
    }
    f->cell = pelab_xmalloc((f->rows.n ? f->rows.n : 1) * sizeof *f->cell);
    for (size_t r = 0; r < f->rows.n; r++)
        if (!pelab_row_index_get(ix, f->rows.row[r], f->rows.id_len[r], &f->cell[r])) f->cell[r] = SIZE_MAX;
    return PELAB_STATUS_OK;
}

/* Rewrite path atomically with header and the rows of f that keep() says,
 * grouped by cell in the run's order (a cell's rows in file order), rows of
 * no cell at the end. */
static pelab_status keyed_file_write(const keyed_file *f, const char *path, const char *header, size_t n_cells,
                                     const unsigned char *keep, pelab_error *err) {
    size_t *first = pelab_xmalloc((n_cells + 1) * sizeof *first), *next = NULL;
    for (size_t c = 0; c <= n_cells; c++) first[c] = SIZE_MAX;
    next = pelab_xmalloc((f->rows.n ? f->rows.n : 1) * sizeof *next);
    /* per cell, a list of its rows in file order (built backwards) */
    for (size_t r = f->rows.n; r-- > 0;) {
        size_t c = f->cell[r] == SIZE_MAX ? n_cells : f->cell[r];
        next[r] = first[c];
        first[c] = r;
    }
    pelab_strbuf out = PELAB_STRBUF_INIT;
    pelab_strbuf_puts(&out, header);
    for (size_t c = 0; c <= n_cells; c++) {
        if (c < n_cells && !keep[c]) continue;
        for (size_t r = first[c]; r != SIZE_MAX; r = next[r]) {
            pelab_strbuf_put(&out, f->rows.row[r], f->rows.len[r]);
            pelab_strbuf_putc(&out, '\n');
        }
    }
    pelab_status s = pelab_write_file_atomic(path, out.data, out.len, err);
    pelab_strbuf_free(&out);
    free(first), free(next);
    return s;
}

/* Count each cell's rows in f into count[]. */
static void count_rows(const keyed_file *f, int *count) {
    for (size_t r = 0; r < f->rows.n; r++)
        if (f->cell[r] != SIZE_MAX) count[f->cell[r]]++;
}

/* ---- the run ----------------------------------------------------------------------------- */

static pelab_status open_append(FILE **fp, off_t *good, const char *path, const char *header, pelab_error *err) {
    *fp = fopen(path, "a");
    if (!*fp) return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", path, strerror(errno));
    if (fseeko(*fp, 0, SEEK_END) == 0 && ftello(*fp) == 0) { /* new, or cut to nothing by a torn header */
        size_t hl = strlen(header);
        if (fwrite(header, 1, hl, *fp) != hl || fflush(*fp) != 0 || fsync(fileno(*fp)) != 0)
            return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    *good = ftello(*fp);
    return PELAB_STATUS_OK;
}

pelab_status pelab_run(const pelab_job *job, const pelab_run_options *opt, int *signal_number,
                       pelab_run_summary *summary, pelab_error *err) {
    pelab_run_summary sum_local;
    memset(&sum_local, 0, sizeof sum_local);
    pelab_run_summary *sum = summary ? summary : &sum_local;
    memset(sum, 0, sizeof *sum);
    run_state st;
    memset(&st, 0, sizeof st);
    pthread_mutex_init(&st.mu, NULL);
    st.job = job;
    st.t0 = omp_get_wtime();
    if (opt->threads > 0) omp_set_num_threads(opt->threads);
    const pelab_run_executor local = {run_here, NULL, 0, NULL};
    const pelab_run_executor *ex = opt->executor ? opt->executor : &local;
    int threads = ex->threads > 0 ? ex->threads : omp_get_max_threads();
    pelab_folder_path(st.results_path, sizeof st.results_path, opt->out_dir, PELAB_FOLDER_RESULTS);
    pelab_folder_path(st.manifest_path, sizeof st.manifest_path, opt->out_dir, PELAB_FOLDER_MANIFEST);
    pelab_folder_path(st.curves_path, sizeof st.curves_path, opt->out_dir, PELAB_FOLDER_CURVES);
    if (signal_number) *signal_number = 0;
    char shard_arg[64] = "";
    const char *env_hold = getenv("PELAB_TEST_HOLD_AFTER_ROWS");
    if (env_hold && *env_hold) st.hold_after = (size_t)strtoull(env_hold, NULL, 10);

    /* this run's cells: the whole sweep, or the shard's own (in sweep order) */
    const size_t sweep_cells = job->n_cells;
    size_t *cells = pelab_xmalloc((sweep_cells ? sweep_cells : 1) * sizeof *cells);
    for (size_t c = 0; c < sweep_cells; c++) cells[c] = c;
    st.total = sweep_cells;
    long long *shard_cells = NULL;
    if (opt->shard_count > 0) {
        PELAB_ASSERT(opt->shard_index >= 0 && opt->shard_index < opt->shard_count);
        int *owner = pelab_xmalloc((sweep_cells ? sweep_cells : 1) * sizeof *owner);
        double *cost = pelab_xmalloc((sweep_cells ? sweep_cells : 1) * sizeof *cost);
        for (size_t c = 0; c < sweep_cells; c++) cost[c] = job->ops->flops(job, c);
        pelab_shard_assign(owner, NULL, cost, sweep_cells, opt->shard_count);
        size_t m = 0;
        for (size_t c = 0; c < sweep_cells; c++)
            if (owner[c] == opt->shard_index) cells[m++] = c;
        free(owner), free(cost);
        st.total = m;
        shard_cells = pelab_xmalloc((m ? m : 1) * sizeof *shard_cells);
        for (size_t c = 0; c < m; c++) shard_cells[c] = (long long)cells[c];
        snprintf(shard_arg, sizeof shard_arg, " --shard %d/%d", opt->shard_index, opt->shard_count);
    }
    sum->cells_total = st.total;

    /* every cell's key -> its position in cells[] */
    pelab_row_index ix;
    pelab_row_index_init(&ix, st.total);
    char key[ROW_MAX];
    for (size_t c = 0; c < st.total; c++) {
        int k = job->ops->key(job, cells[c], key, sizeof key);
        PELAB_ASSERT(k > 0);
        PELAB_ASSERT(pelab_row_index_put(&ix, key, (size_t)k, c));
    }
    unsigned char *done = pelab_xcalloc(st.total ? st.total : 1, 1);
    int *count = pelab_xcalloc(st.total ? st.total : 1, sizeof *count);
    size_t *pending = NULL;
    pelab_folder_lock lock = {-1};
    pelab_manifest prev;
    memset(&prev, 0, sizeof prev);
    int have_prev = 0;
    keyed_file rf, cf;
    memset(&rf, 0, sizeof rf);
    memset(&cf, 0, sizeof cf);
    pelab_status s;

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
    if (!exists) unlink(st.curves_path); /* curves without their rows are no cell's */
    if (exists) { /* resume */
        pelab_error merr;
        if (pelab_manifest_read(&prev, st.manifest_path, &merr)) {
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: %s; use another --out folder or --force", opt->out_dir, merr.msg);
            goto out;
        }
        have_prev = 1;
        if (prev.config_hash != job->hash) {
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: the folder was started with another config "
                                "(hash %016llx, this config %016llx); use another --out folder or --force",
                                opt->out_dir, (unsigned long long)prev.config_hash, (unsigned long long)job->hash);
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
        /* the cells whose rows are all there are done; the rows (and curves)
         * of a cell only partly there, and a line torn by a kill, are dropped */
        if ((s = keyed_file_read(&rf, st.results_path, job->header, job, &ix, err))) {
            if (s == PELAB_STATUS_USAGE)
                s = pelab_error_set(err, PELAB_STATUS_USAGE, "%s; use another --out folder or --force", err->msg);
            goto out;
        }
        count_rows(&rf, count);
        int dropped = rf.rows.valid < rf.len;
        for (size_t c = 0; c < st.total; c++) {
            done[c] = count[c] == job->ops->rows(job, cells[c]);
            dropped |= count[c] > 0 && !done[c];
        }
        if (dropped && (s = keyed_file_write(&rf, st.results_path, job->header, st.total, done, err))) goto out;
        if (job->curves_header && access(st.curves_path, F_OK) == 0) {
            if ((s = keyed_file_read(&cf, st.curves_path, job->curves_header, job, &ix, err))) goto out;
            int cdropped = cf.rows.valid < cf.len;
            for (size_t r = 0; r < cf.rows.n; r++) cdropped |= cf.cell[r] != SIZE_MAX && !done[cf.cell[r]];
            if (cdropped && (s = keyed_file_write(&cf, st.curves_path, job->curves_header, st.total, done, err)))
                goto out;
        }
    }

    /* cells still to run: small ones first (in parallel over cells), then the
     * large ones (each parallel inside) */
    pending = pelab_xmalloc((st.total ? st.total : 1) * sizeof *pending);
    size_t n_small = 0, n_pending = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t c = 0; c < st.total; c++) {
            if (done[c]) continue;
            int small = job->ops->small ? job->ops->small(job, cells[c])
                                        : job->ops->flops(job, cells[c]) < SMALL_CELL_FLOPS;
            if (small == (pass == 0)) pending[n_pending++] = cells[c];
            if (pass == 0 && small) n_small++;
        }
    st.done = st.total - n_pending;

    if (have_prev && n_pending == 0 && prev.status == PELAB_MANIFEST_STATUS_COMPLETE) {
        /* nothing to do: the folder stays exactly as it is */
        sum->already_complete = 1;
        sum->cells_done = st.done;
        sum->total_elapsed_s = prev.elapsed_s;
        sum->attempts = (int)prev.n_attempts;
        for (size_t r = 0; r < rf.rows.n; r++) {
            outcome o = row_outcome(job, rf.rows.row[r], rf.rows.len[r], NULL, 0);
            sum->cells_ok += o == OUTCOME_OK;
            sum->cells_skipped += o == OUTCOME_SKIPPED;
            sum->cells_nonfinite += o == OUTCOME_NONFINITE;
        }
        goto out;
    }
    keyed_file_free(&rf);
    keyed_file_free(&cf);

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
    m->config_path = pelab_xstrdup(job->path);
    m->config_json = pelab_xstrdup(job->resolved_json);
    m->config_hash = job->hash;
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
    if ((s = open_append(&st.fp, &st.good_size, st.results_path, job->header, err)) ||
        (job->curves_header &&
         (s = open_append(&st.cfp, &st.cgood_size, st.curves_path, job->curves_header, err)))) {
        write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        goto out;
    }

    /* what is left, by the cost model in seconds, for the progress line */
    st.show = !opt->quiet && isatty(STDERR_FILENO);
    if (st.show && job->ops->calibrate) job->ops->calibrate(job);
    pelab_row_index_init(&st.cost_of, n_pending);
    st.cost = pelab_xmalloc((n_pending ? n_pending : 1) * sizeof *st.cost);
    for (size_t i = 0; i < n_pending; i++) {
        int k = job->ops->key(job, pending[i], key, sizeof key);
        pelab_row_index_put(&st.cost_of, key, (size_t)k, i);
        char why[256];
        st.cost[i] = job->ops->check(job, pending[i], why, sizeof why) ? 0
                     : st.show                                         ? job->ops->seconds(job, pending[i])
                                                                       : job->ops->flops(job, pending[i]);
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

    if (st.show) {
        st.ticking = 1;
        if (pthread_create(&st.ticker, NULL, ticker_main, &st) != 0) st.ticking = 0;
    }
    pelab_error ex_err = {PELAB_STATUS_OK, ""};
    pelab_status ex_status = ex->run(ex->user, &st, job, pending, n_small, n_pending, &ex_err);
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
    if (st.cfp && fclose(st.cfp) != 0 && !st.failed) {
        pelab_error_set(&st.write_err, PELAB_STATUS_IO, "%s: cannot write: %s", st.curves_path, strerror(errno));
        st.failed = 1;
    }
    st.cfp = NULL;
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
                                (int)g_signal, st.done, st.total, st.results_path, job->path, opt->out_dir, shard_arg);
        } else {
            s = pelab_error_set(err, PELAB_STATUS_RUN, "the run ended with %zu of %zu cells in %s", st.done, st.total,
                                st.results_path);
            write_manifest(&st, PELAB_MANIFEST_STATUS_FAILED, err->msg, NULL);
        }
        goto out;
    }
    sum->signal_after_last = g_signal != 0;
    /* every cell is on disk: the rows (and curves) into sweep order, and
     * their outcomes counted */
    memset(done, 1, st.total ? st.total : 1);
    if (!(s = keyed_file_read(&rf, st.results_path, job->header, job, &ix, err))) {
        for (size_t r = 0; r < rf.rows.n; r++) {
            char status[256];
            switch (row_outcome(job, rf.rows.row[r], rf.rows.len[r], status, sizeof status)) {
            case OUTCOME_OK: sum->cells_ok++; break;
            case OUTCOME_NONFINITE:
                if (!sum->cells_nonfinite++)
                    snprintf(sum->first_nonfinite, sizeof sum->first_nonfinite, "%s", status);
                break;
            default:
                if (!sum->cells_skipped++) snprintf(sum->first_skip, sizeof sum->first_skip, "%s", status);
            }
        }
        s = keyed_file_write(&rf, st.results_path, job->header, st.total, done, err);
    }
    if (!s && job->curves_header && access(st.curves_path, F_OK) == 0 &&
        !(s = keyed_file_read(&cf, st.curves_path, job->curves_header, job, &ix, err)))
        s = keyed_file_write(&cf, st.curves_path, job->curves_header, st.total, done, err);
    if (s) {
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
    if (st.cfp) fclose(st.cfp);
    pelab_folder_lock_release(&lock);
    pelab_manifest_free(&st.man);
    pelab_manifest_free(&prev);
    pelab_row_index_free(&st.cost_of);
    keyed_file_free(&rf);
    keyed_file_free(&cf);
    free(st.cost);
    free(shard_cells);
    free(pending);
    free(done);
    free(count);
    pelab_row_index_free(&ix);
    free(cells);
    pthread_mutex_destroy(&st.mu);
    return s;
}
