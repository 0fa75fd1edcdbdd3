/* runner.c — see pelab/runner.h */
#include "pelab/run/runner.h"

#include <errno.h>
#include <omp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pelab/lab/metrics.h"
#include "pelab/lab/results.h"
#include "pelab/base/rng.h"
#include "pelab/run/shard.h"
#include "pelab/lab/sweep.h"

#define ROW_MAX 16384

/* Work below which a cell runs on one thread, in parallel with other cells. */
#define SMALL_CELL_FLOPS 2.0e8

static volatile sig_atomic_t g_signal;

static void on_signal(int sig) { g_signal = sig; }

/* ---- a hash set of finished cells, keyed by their identity fields ---------- */

typedef struct done_set {
    size_t cap;
    uint64_t *keys; /* 0 = empty */
} done_set;

static uint64_t identity_key(const char *id, size_t len) {
    uint64_t h = pelab_hash_bytes(id, len);
    return h ? h : 1;
}

static void done_add(done_set *s, uint64_t key) {
    size_t i = key & (s->cap - 1);
    while (s->keys[i] && s->keys[i] != key) i = (i + 1) & (s->cap - 1);
    s->keys[i] = key;
}

static int done_has(const done_set *s, uint64_t key) {
    size_t i = key & (s->cap - 1);
    while (s->keys[i]) {
        if (s->keys[i] == key) return 1;
        i = (i + 1) & (s->cap - 1);
    }
    return 0;
}

/* ISO 8601 UTC time into buf. */
static void iso_now(char *buf, size_t len) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The run's state; it is the sink an executor puts rows into. */
struct pelab_run_sink {
    const pelab_config *cfg;
    const char *dir;
    char results_path[4200], manifest_path[4200];
    char started[32];
    int threads;
    size_t total, done;
    double t0;
    char *shard_json;          /* the manifest's "shard" member, or NULL        */
    const char *extra_json;    /* an executor's manifest members, or NULL       */
    /* writing rows */
    FILE *fp;
    off_t good_size;           /* results.csv's length after the last whole row */
    volatile int failed;
    pelab_error write_err;
    int show;                  /* progress line on stderr                       */
    size_t done_before;        /* cells already done when the run started       */
};
typedef struct pelab_run_sink run_state;

/* Write manifest.json (atomically) with the run's status. */
static pelab_status write_manifest(const run_state *st, const char *status, pelab_error *err) {
    char finished[32] = "";
    if (strcmp(status, "running") != 0) iso_now(finished, sizeof finished);
    char path[8400];
    pelab_json_escape(path, sizeof path, st->cfg->path);
    const char *shard = st->shard_json ? st->shard_json : "", *extra = st->extra_json ? st->extra_json : "";
    size_t len = strlen(st->cfg->resolved_json) + strlen(shard) + strlen(extra) + 16384;
    char *buf = pelab_xmalloc(len);
    int k = snprintf(buf, len,
                     "{\n  \"pelab_version\": \"%s\",\n  \"config_path\": \"%s\",\n"
                     "  \"config_hash\": \"%016llx\",\n  \"status\": \"%s\",\n  \"threads\": %d,\n"
                     "  \"cells_total\": %zu,\n  \"cells_done\": %zu,\n  \"started\": \"%s\",\n"
                     "  \"finished\": %s%s%s,\n  \"elapsed_s\": %.3f,\n%s%s%s%s%s%s  \"config\": %s\n}\n",
                     PELAB_VERSION, path, (unsigned long long)st->cfg->hash, status, st->threads, st->total,
                     st->done, st->started, finished[0] ? "\"" : "", finished[0] ? finished : "null",
                     finished[0] ? "\"" : "", omp_get_wtime() - st->t0, shard[0] ? "  " : "", shard,
                     shard[0] ? ",\n" : "", extra[0] ? "  " : "", extra, extra[0] ? ",\n" : "",
                     st->cfg->resolved_json);
    PELAB_ASSERT(k > 0 && (size_t)k < len);
    pelab_status s = pelab_write_file_atomic(st->manifest_path, buf, (size_t)k, err);
    free(buf);
    return s;
}

/* Scan an existing results.csv: check its header, mark the complete rows as
 * done, and cut a torn last line (a kill in the middle of a write). */
static pelab_status scan_existing(done_set *done, size_t *n_done, const char *path, pelab_error *err) {
    char *data = NULL;
    size_t len = 0;
    pelab_status s = pelab_read_file(&data, &len, path, err);
    if (s) return s;
    char header[ROW_MAX];
    int hl = pelab_results_header(header, sizeof header);
    PELAB_ASSERT(hl > 0);
    size_t valid = 0;
    if (len < (size_t)hl && memcmp(data, header, len) == 0) {
        valid = 0; /* a header torn by a kill: start the file again */
    } else if (len >= (size_t)hl && memcmp(data, header, (size_t)hl) == 0) {
        valid = (size_t)hl;
        size_t want_commas = 0;
        for (int i = 0; i < hl; i++) want_commas += header[i] == ',';
        char *p = data + hl;
        while (p < data + len) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            if (!nl) break; /* torn line */
            size_t commas = 0;
            char *id_end = NULL;
            for (char *q = p; q < nl; q++)
                if (*q == ',' && ++commas == PELAB_RESULTS_ID_COLUMNS) id_end = q;
            if (commas != want_commas || !id_end) break;
            done_add(done, identity_key(p, (size_t)(id_end - p)));
            (*n_done)++;
            p = nl + 1;
            valid = (size_t)(p - data);
        }
    } else {
        free(data);
        return pelab_error_set(err, PELAB_STATUS_USAGE,
                               "%s: not a results file of this pelab version (its header differs); "
                               "use another --out folder or --force",
                               path);
    }
    free(data);
    if (valid < len && truncate(path, (off_t)valid) != 0)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot cut the torn last line: %s", path, strerror(errno));
    return PELAB_STATUS_OK;
}

/* Hash recorded in DIR/manifest.json, or 0 when there is none. */
static unsigned long long manifest_hash(const char *path) {
    char *data = NULL;
    if (pelab_read_file(&data, NULL, path, NULL)) return 0;
    unsigned long long h = 0;
    const char *p = strstr(data, "\"config_hash\": \"");
    if (p) h = strtoull(p + 16, NULL, 16);
    free(data);
    return h;
}

/* Rewrite results.csv with its rows in sweep order. */
static pelab_status sort_results(const run_state *st, const pelab_cell *cells, pelab_error *err) {
    char *data = NULL;
    size_t len = 0;
    pelab_status s = pelab_read_file(&data, &len, st->results_path, err);
    if (s) return s;
    char *body = strchr(data, '\n');
    PELAB_ASSERT(body);
    body++;
    size_t nrows = 0;
    for (char *p = body; *p; p++) nrows += *p == '\n';
    /* key -> sweep index, through a table sized like the done set */
    size_t cap = 16;
    while (cap < 2 * st->total + 2) cap *= 2;
    uint64_t *keys = pelab_xcalloc(cap, sizeof *keys);
    size_t *idx = pelab_xcalloc(cap, sizeof *idx);
    char id[ROW_MAX];
    for (size_t c = 0; c < st->total; c++) {
        int k = pelab_results_identity(id, sizeof id, &cells[c]);
        uint64_t key = identity_key(id, (size_t)k);
        size_t i = key & (cap - 1);
        while (keys[i]) i = (i + 1) & (cap - 1);
        keys[i] = key, idx[i] = c;
    }
    char **slot = pelab_xcalloc(st->total, sizeof *slot);
    for (char *p = body; *p;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        char *q = p;
        for (int commas = 0; *q; q++)
            if (*q == ',' && ++commas == PELAB_RESULTS_ID_COLUMNS) break;
        uint64_t key = identity_key(p, (size_t)(q - p));
        size_t i = key & (cap - 1);
        while (keys[i] && keys[i] != key) i = (i + 1) & (cap - 1);
        if (keys[i] == key) slot[idx[i]] = p;
        p = nl + 1;
    }
    char *out = pelab_xmalloc(len + 2);
    size_t k = (size_t)(body - data);
    memcpy(out, data, k);
    size_t written = 0;
    for (size_t c = 0; c < st->total; c++)
        if (slot[c]) {
            size_t l = strlen(slot[c]);
            memcpy(out + k, slot[c], l);
            k += l;
            out[k++] = '\n';
            written++;
        }
    if (written == nrows) s = pelab_write_file_atomic(st->results_path, out, k, err);
    free(out), free(slot), free(keys), free(idx), free(data);
    return s;
}

/* The shard a folder's manifest records: 1 with *k, *n; 0 when it records
 * none (a whole-sweep run, or no manifest). */
static int manifest_shard(const char *path, int *k, int *n) {
    char *data = NULL;
    if (pelab_read_file(&data, NULL, path, NULL)) return 0;
    int found = 0;
    const char *p = strstr(data, "\n  \"shard\": {\"index\": ");
    if (p && sscanf(p, "\n  \"shard\": {\"index\": %d, \"count\": %d", k, n) == 2) found = 1;
    free(data);
    return found;
}

/* The manifest's "shard" member for the cells a shard owns. */
static char *shard_json(int k, int n, size_t sweep_cells, const pelab_cell *mine, size_t count) {
    size_t len = 256 + count * 22;
    char *buf = pelab_xmalloc(len);
    int w = snprintf(buf, len, "\"shard\": {\"index\": %d, \"count\": %d, \"rule\": \"%s\", \"sweep_cells\": %zu, "
                     "\"cells\": [", k, n, PELAB_SHARD_RULE, sweep_cells);
    PELAB_ASSERT(w > 0 && (size_t)w < len);
    size_t at = (size_t)w;
    for (size_t i = 0; i < count; i++) {
        w = snprintf(buf + at, len - at, "%s%zu", i ? ", " : "", mine[i].index);
        PELAB_ASSERT(w > 0 && (size_t)w < len - at);
        at += (size_t)w;
    }
    PELAB_ASSERT(at + 3 < len);
    memcpy(buf + at, "]}", 3);
    return buf;
}

int pelab_run_sink_stopping(const pelab_run_sink *st) { return g_signal || st->failed; }

int pelab_run_sink_put(pelab_run_sink *st, const char *row, size_t rl) {
    if (st->failed) return -1;
    FILE *fp = st->fp;
    if (fwrite(row, 1, rl, fp) != rl || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
        pelab_error_set(&st->write_err, PELAB_STATUS_IO, "%s: cannot write: %s", st->results_path, strerror(errno));
        st->failed = 1;
        /* drop the part of the row that did reach the file */
        if (ftruncate(fileno(fp), st->good_size) != 0) { /* resume cuts it instead */
        }
        return -1;
    }
    st->good_size = ftello(fp);
    st->done++;
    if (st->show) {
        double el = omp_get_wtime() - st->t0;
        size_t ran = st->done - st->done_before;
        double left = ran ? el / (double)ran * (double)(st->total - st->done) : 0;
        fprintf(stderr, "\rpelab: %zu/%zu cells, %.1f s elapsed, ~%.1f s left   ", st->done, st->total, el, left);
    }
    return 0;
}

/* The executor of a single process: OpenMP threads over small cells, then
 * large cells one at a time with their kernels parallel inside. */
static pelab_status run_here(void *user, pelab_run_sink *sink, const pelab_config *cfg, const pelab_cell *cells,
                             const size_t *order, size_t n_small, size_t n, pelab_error *err) {
    (void)user, (void)err;
    for (int phase = 0; phase < 2; phase++) {
        size_t lo = phase == 0 ? 0 : n_small, hi = phase == 0 ? n_small : n;
        int parallel_cells = phase == 0;
#pragma omp parallel for schedule(dynamic, 1) if (parallel_cells)
        for (size_t i = lo; i < hi; i++) {
            if (pelab_run_sink_stopping(sink)) continue;
            const pelab_cell *c = &cells[order[i]];
            pelab_cell_result res;
            pelab_cell_run(&res, cfg, c);
            char row[ROW_MAX];
            int rl = pelab_results_row(row, sizeof row, c, &res);
            PELAB_ASSERT(rl > 0);
#pragma omp critical(pelab_results_write)
            pelab_run_sink_put(sink, row, (size_t)rl);
        }
    }
    return PELAB_STATUS_OK;
}

pelab_status pelab_run(const pelab_config *cfg, const pelab_run_options *opt, int *signal_number,
                       pelab_error *err) {
    run_state st;
    memset(&st, 0, sizeof st);
    st.cfg = cfg;
    st.dir = opt->out_dir;
    st.t0 = omp_get_wtime();
    iso_now(st.started, sizeof st.started);
    if (opt->threads > 0) omp_set_num_threads(opt->threads);
    st.threads = omp_get_max_threads();
    const pelab_run_executor local = {run_here, NULL, 0, NULL};
    const pelab_run_executor *ex = opt->executor ? opt->executor : &local;
    if (ex->threads > 0) st.threads = ex->threads;
    st.extra_json = ex->manifest_extra;
    snprintf(st.results_path, sizeof st.results_path, "%s/results.csv", opt->out_dir);
    snprintf(st.manifest_path, sizeof st.manifest_path, "%s/manifest.json", opt->out_dir);
    if (signal_number) *signal_number = 0;
    char shard_arg[64] = "";

    pelab_cell *cells = NULL;
    size_t sweep_cells = 0;
    pelab_status s = pelab_sweep_expand(&cells, &sweep_cells, cfg, err);
    if (s) return s;
    st.total = sweep_cells;
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
        st.shard_json = shard_json(opt->shard_index, opt->shard_count, sweep_cells, cells, m);
        snprintf(shard_arg, sizeof shard_arg, " --shard %d/%d", opt->shard_index, opt->shard_count);
    }

    done_set done = {16, NULL};
    while (done.cap < 2 * st.total + 2) done.cap *= 2;
    done.keys = pelab_xcalloc(done.cap, sizeof *done.keys);
    size_t already = 0;
    size_t *pending = NULL;

    s = pelab_mkdir_p(opt->out_dir, err);
    if (s) goto out;
    struct stat sb;
    int exists = stat(st.results_path, &sb) == 0;
    if (exists && opt->resume && !opt->force) {
        unsigned long long h = manifest_hash(st.manifest_path);
        if (h != (unsigned long long)cfg->hash) {
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: the folder was started with another config "
                                "(hash %016llx, this config %016llx); use another --out folder or --force",
                                opt->out_dir, h, (unsigned long long)cfg->hash);
            goto out;
        }
        int fk = 0, fn = 0, has = manifest_shard(st.manifest_path, &fk, &fn);
        if (has != (opt->shard_count > 0) || (has && (fk != opt->shard_index || fn != opt->shard_count))) {
            char was[64] = "the whole sweep", want[64] = "the whole sweep";
            if (has) snprintf(was, sizeof was, "shard %d/%d", fk, fn);
            if (opt->shard_count > 0) snprintf(want, sizeof want, "shard %d/%d", opt->shard_index, opt->shard_count);
            s = pelab_error_set(err, PELAB_STATUS_USAGE,
                                "%s: cannot resume: the folder holds %s, not %s; use another --out folder "
                                "or --force",
                                opt->out_dir, was, want);
            goto out;
        }
        s = scan_existing(&done, &already, st.results_path, err);
        if (s) goto out;
    } else if (exists && !opt->force) {
        s = pelab_error_set(err, PELAB_STATUS_USAGE,
                            "%s exists: pass --resume to finish that sweep, --force to replace it, "
                            "or --out to write elsewhere",
                            st.results_path);
        goto out;
    } else {
        exists = 0;
    }

    /* cells still to run: small ones first (in parallel over cells), then the
     * large ones (each parallel inside) */
    pending = pelab_xmalloc(st.total * sizeof *pending);
    size_t n_small = 0, n_pending = 0;
    char id[ROW_MAX];
    for (int pass = 0; pass < 2; pass++)
        for (size_t c = 0; c < st.total; c++) {
            int k = pelab_results_identity(id, sizeof id, &cells[c]);
            if (done_has(&done, identity_key(id, (size_t)k))) continue;
            int small = pelab_cell_flops(&cells[c], cfg->trials) < SMALL_CELL_FLOPS;
            if (small == (pass == 0)) pending[n_pending++] = c;
            if (pass == 0 && small) n_small++;
        }
    st.done = st.total - n_pending;
    st.done_before = st.done;
    /* the manifest first: a results.csv never exists without the config
     * hash that lets --resume check it */
    s = write_manifest(&st, "running", err);
    if (s) goto out;

    st.fp = fopen(st.results_path, exists ? "a" : "w");
    if (!st.fp) {
        s = pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", st.results_path, strerror(errno));
        goto out;
    }
    if (fseeko(st.fp, 0, SEEK_END) == 0 && ftello(st.fp) == 0) { /* new, or cut to nothing by a torn header */
        char header[ROW_MAX];
        int hl = pelab_results_header(header, sizeof header);
        if (fwrite(header, 1, (size_t)hl, st.fp) != (size_t)hl || fflush(st.fp) != 0 || fsync(fileno(st.fp)) != 0) {
            s = pelab_error_set(err, PELAB_STATUS_IO, "%s: cannot write: %s", st.results_path, strerror(errno));
            goto out;
        }
    }

    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_signal = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    st.show = !opt->quiet && isatty(STDERR_FILENO);
    st.good_size = ftello(st.fp);
    pelab_error ex_err = {PELAB_STATUS_OK, ""};
    pelab_status ex_status = ex->run(ex->user, &st, cfg, cells, pending, n_small, n_pending, &ex_err);
    if (st.show) fprintf(stderr, "\n");
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);

    if (fclose(st.fp) != 0 && !st.failed) {
        pelab_error_set(&st.write_err, PELAB_STATUS_IO, "%s: cannot write: %s", st.results_path, strerror(errno));
        st.failed = 1;
    }
    st.fp = NULL;
    if (st.failed || ex_status) {
        *err = st.failed ? st.write_err : ex_err;
        write_manifest(&st, "failed", NULL);
        s = err->status;
        goto out;
    }
    if (g_signal) {
        if (signal_number) *signal_number = (int)g_signal;
        write_manifest(&st, "interrupted", NULL);
        s = pelab_error_set(err, PELAB_STATUS_INTERRUPTED,
                            "interrupted by signal %d: %zu of %zu cells are in %s; finish with: "
                            "pelab run %s --out %s%s --resume",
                            (int)g_signal, st.done, st.total, st.results_path, cfg->path, opt->out_dir, shard_arg);
        goto out;
    }
    s = sort_results(&st, cells, err);
    if (s) goto out;
    s = write_manifest(&st, "complete", err);

out:
    if (st.fp) fclose(st.fp);
    free(st.shard_json);
    free(pending);
    free(done.keys);
    free(cells);
    return s;
}
