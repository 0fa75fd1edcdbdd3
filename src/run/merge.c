/* merge.c — shards' results folders into one; see pelab_merge in pelab/run/shard.h */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"
#include "pelab/base/strbuf.h"
#include "pelab/io/folder.h"
#include "pelab/io/manifest.h"
#include "pelab/io/rows.h"
#include "pelab/run/job.h"
#include "pelab/run/shard.h"

#define ID_MAX 4096

/* What merge needs from one shard folder. */
typedef struct shard_in {
    const char *dir;
    pelab_manifest man;
    char *results;  /* results.csv's text                */
    pelab_rows rows;
    char *curves;   /* curves.csv's text, or NULL        */
    pelab_rows crows;
    size_t n_cells; /* cells it gives the merge          */
    struct stat st;
} shard_in;

static pelab_status read_shard(shard_in *s, pelab_error *err) {
    char path[4200];
    if (stat(s->dir, &s->st) != 0 || !S_ISDIR(s->st.st_mode))
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: not a folder", s->dir);
    pelab_folder_path(path, sizeof path, s->dir, PELAB_FOLDER_MANIFEST);
    pelab_error merr;
    pelab_status st = pelab_manifest_read(&s->man, path, &merr);
    if (st == PELAB_STATUS_IO)
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: not a pelab results folder (%s)", s->dir, merr.msg);
    if (st) return pelab_error_set(err, st, "%s", merr.msg);
    return PELAB_STATUS_OK;
}

/* The manifest of the merged folder. */
static pelab_status write_manifest(const char *path, const pelab_job *job, const shard_in *in, int n,
                                   pelab_manifest_status status, size_t cells, pelab_error *err) {
    pelab_manifest m;
    memset(&m, 0, sizeof m);
    snprintf(m.version, sizeof m.version, "%s", PELAB_VERSION);
    m.config_path = pelab_xstrdup(job->path);
    m.config_hash = job->hash;
    m.status = status;
    m.cells_total = (long long)cells;
    m.cells_done = status == PELAB_MANIFEST_STATUS_COMPLETE ? (long long)cells : 0;
    m.config_json = pelab_xstrdup(job->resolved_json);
    pelab_manifest_now(m.merged_at);
    m.n_merged = (size_t)n;
    m.merged = pelab_xcalloc((size_t)n, sizeof *m.merged);
    for (int i = 0; i < n; i++) {
        const pelab_manifest *s = &in[i].man;
        pelab_manifest_merged *g = &m.merged[i];
        m.threads += s->threads;
        m.elapsed_s += s->elapsed_s;
        if (!m.started[0] || strcmp(s->started, m.started) < 0) snprintf(m.started, sizeof m.started, "%s", s->started);
        if (strcmp(s->finished, m.finished) > 0) snprintf(m.finished, sizeof m.finished, "%s", s->finished);
        g->dir = pelab_xstrdup(in[i].dir);
        g->has_shard = s->has_shard, g->shard_index = s->shard_index, g->shard_count = s->shard_count;
        g->cells = (long long)in[i].n_cells;
        g->threads = s->threads;
        snprintf(g->started, sizeof g->started, "%s", s->started);
        snprintf(g->finished, sizeof g->finished, "%s", s->finished);
        g->elapsed_s = s->elapsed_s;
    }
    if (!m.finished[0]) snprintf(m.finished, sizeof m.finished, "%s", m.merged_at);
    pelab_status st = pelab_manifest_write(path, &m, err);
    pelab_manifest_free(&m);
    return st;
}

pelab_status pelab_merge(const pelab_merge_options *opt, size_t *cells_out, pelab_error *err) {
    int n = opt->n_shard_dirs;
    PELAB_ASSERT(n >= 1);
    shard_in *in = pelab_xcalloc((size_t)n, sizeof *in);
    pelab_job job;
    memset(&job, 0, sizeof job);
    size_t total = 0;
    pelab_row_index ix;
    memset(&ix, 0, sizeof ix);
    int *from = NULL, *count = NULL;
    pelab_strbuf out = PELAB_STRBUF_INIT, cout = PELAB_STRBUF_INIT;
    pelab_folder_lock lock = {-1};
    pelab_status s = PELAB_STATUS_OK;
    char results_path[4200], manifest_path[4200], curves_path[4200];
    pelab_folder_path(results_path, sizeof results_path, opt->out_dir, PELAB_FOLDER_RESULTS);
    pelab_folder_path(manifest_path, sizeof manifest_path, opt->out_dir, PELAB_FOLDER_MANIFEST);
    pelab_folder_path(curves_path, sizeof curves_path, opt->out_dir, PELAB_FOLDER_CURVES);

    /* the shards' manifests: complete, one config, no folder or shard twice */
    for (int i = 0; i < n; i++) {
        in[i].dir = opt->shard_dirs[i];
        if ((s = read_shard(&in[i], err))) goto out;
        const pelab_manifest *m = &in[i].man;
        if (m->status != PELAB_MANIFEST_STATUS_COMPLETE) {
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "%s: the shard is not complete (manifest status '%s'): finish it with "
                                "pelab run CONFIG --out %s --resume%s, then merge",
                                in[i].dir, pelab_manifest_status_str(m->status), in[i].dir,
                                m->has_shard ? " --shard K/N" : "");
            goto out;
        }
        if (m->config_hash != in[0].man.config_hash) {
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "%s: from another config (hash %016llx; %s has %016llx): shards to merge must "
                                "come from one config",
                                in[i].dir, (unsigned long long)m->config_hash, in[0].dir,
                                (unsigned long long)in[0].man.config_hash);
            goto out;
        }
        for (int j = 0; j < i; j++) {
            if (in[i].st.st_dev == in[j].st.st_dev && in[i].st.st_ino == in[j].st.st_ino) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s and %s are the same folder: a shard given twice",
                                    in[j].dir, in[i].dir);
                goto out;
            }
            if (m->has_shard && in[j].man.has_shard && m->shard_index == in[j].man.shard_index &&
                m->shard_count == in[j].man.shard_count) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "shard %d/%d is given twice: %s and %s", m->shard_index,
                                    m->shard_count, in[j].dir, in[i].dir);
                goto out;
            }
        }
    }

    /* OUT: never a shard, never over existing results without force */
    struct stat ost;
    if (stat(opt->out_dir, &ost) == 0)
        for (int i = 0; i < n; i++)
            if (ost.st_dev == in[i].st.st_dev && ost.st_ino == in[i].st.st_ino) {
                s = pelab_error_set(err, PELAB_STATUS_USAGE, "%s: OUT is one of the shards; merge into another folder",
                                    opt->out_dir);
                goto out;
            }
    if (!opt->force && stat(results_path, &ost) == 0) {
        s = pelab_error_set(err, PELAB_STATUS_USAGE,
                            "%s exists: pass --force to replace it, or merge into another folder", results_path);
        goto out;
    }

    /* the config: the full list of cells */
    const char *config_path = opt->config_path ? opt->config_path : in[0].man.config_path;
    if ((s = pelab_job_load(&job, config_path, err))) {
        if (!opt->config_path) {
            char msg[PELAB_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            pelab_error_set(err, s, "%s (the config the shards' manifests name; pass --config FILE to give it)",
                            msg);
        }
        goto out;
    }
    if (job.hash != in[0].man.config_hash) {
        s = pelab_error_set(err, PELAB_STATUS_USAGE,
                            "%s has config hash %016llx, the shards %016llx: it is not the config they ran "
                            "(edited since?); pass --config with the one they ran",
                            config_path, (unsigned long long)job.hash, (unsigned long long)in[0].man.config_hash);
        goto out;
    }
    total = job.n_cells;
    pelab_row_index_init(&ix, total);
    char id[ID_MAX];
    for (size_t c = 0; c < total; c++) {
        int k = job.ops->key(&job, c, id, sizeof id);
        PELAB_ASSERT(k > 0 && (size_t)k < sizeof id);
        pelab_row_index_put(&ix, id, (size_t)k, c);
    }

    /* every row of every shard to its cell; every cell from one shard, whole */
    from = pelab_xmalloc((total ? total : 1) * sizeof *from);
    count = pelab_xcalloc(total ? total : 1, sizeof *count);
    for (size_t c = 0; c < total; c++) from[c] = -1;
    for (int i = 0; i < n; i++) {
        char path[4200];
        pelab_folder_path(path, sizeof path, in[i].dir, PELAB_FOLDER_RESULTS);
        size_t len = 0;
        if ((s = pelab_read_file(&in[i].results, &len, path, err))) goto out;
        pelab_rows *rows = &in[i].rows;
        if ((s = pelab_rows_scan(rows, in[i].results, len, job.header, job.n_key, path, err)) || rows->header_torn) {
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "%s: not a results file of this pelab version (its header differs)", path);
            goto out;
        }
        if (rows->bad_line) {
            s = pelab_error_set(err, PELAB_STATUS_RUN, "%s:%d: %s", path, rows->bad_line,
                                rows->bad_torn ? "a torn last line (the shard is not whole)"
                                               : "a row with the wrong number of fields");
            goto out;
        }
        for (size_t r = 0; r < rows->n; r++) {
            size_t c;
            if (!pelab_row_index_get(&ix, rows->row[r], rows->id_len[r], &c)) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s:%zu: the row '%.*s' is no cell of %s", path, r + 2,
                                    (int)rows->id_len[r], rows->row[r], config_path);
                goto out;
            }
            if (from[c] >= 0 && from[c] != i) {
                job.ops->describe(&job, c, id, sizeof id);
                s = pelab_error_set(err, PELAB_STATUS_RUN, "cell %s is in two shards: %s and %s", id,
                                    in[from[c]].dir, in[i].dir);
                goto out;
            }
            if (from[c] < 0) in[i].n_cells++;
            from[c] = i;
            count[c]++;
        }
        if (job.curves_header) {
            pelab_folder_path(path, sizeof path, in[i].dir, PELAB_FOLDER_CURVES);
            if ((s = pelab_read_file(&in[i].curves, &len, path, err))) goto out;
            if ((s = pelab_rows_scan(&in[i].crows, in[i].curves, len, job.curves_header, job.n_key, path, err)) ||
                in[i].crows.header_torn || in[i].crows.bad_line) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s: not a whole curves file of this pelab version", path);
                goto out;
            }
        }
    }
    size_t missing = 0, first_missing = 0;
    for (size_t c = 0; c < total; c++) {
        int want = job.ops->rows(&job, c);
        if (count[c] != want && missing++ == 0) first_missing = c;
    }
    if (missing) {
        job.ops->describe(&job, first_missing, id, sizeof id);
        if (count[first_missing] > 0)
            s = pelab_error_set(err, PELAB_STATUS_RUN, "cell %s has %d of its %d rows in %s: the shard is not whole", id,
                                count[first_missing], job.ops->rows(&job, first_missing), in[from[first_missing]].dir);
        else if (missing > 1)
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "cell %s is in none of the shards (it and %zu more of the %zu cells are missing): "
                                "is a shard left out?",
                                id, missing - 1, total);
        else
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "cell %s is in none of the shards (1 of %zu cells is missing): is a shard left out?",
                                id, total);
        goto out;
    }

    /* the merged files: the cells in sweep order, each cell's rows in its
     * shard's order */
    pelab_strbuf_puts(&out, job.header);
    if (job.curves_header) pelab_strbuf_puts(&cout, job.curves_header);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !job.curves_header) break;
        pelab_strbuf *dst = pass == 0 ? &out : &cout;
        size_t *head = pelab_xmalloc((total ? total : 1) * sizeof *head), **nexts = pelab_xcalloc((size_t)n, sizeof *nexts);
        for (size_t c = 0; c < total; c++) head[c] = SIZE_MAX;
        for (int i = 0; i < n; i++) {
            const pelab_rows *rows = pass == 0 ? &in[i].rows : &in[i].crows;
            nexts[i] = pelab_xmalloc((rows->n ? rows->n : 1) * sizeof **nexts);
        }
        /* (shard, row) lists per cell, built backwards so they run forwards */
        for (size_t c = 0; c < total; c++) head[c] = SIZE_MAX;
        for (int i = 0; i < n; i++) {
            const pelab_rows *rows = pass == 0 ? &in[i].rows : &in[i].crows;
            for (size_t r = rows->n; r-- > 0;) {
                size_t c;
                if (!pelab_row_index_get(&ix, rows->row[r], rows->id_len[r], &c) || from[c] != i) continue;
                nexts[i][r] = head[c];
                head[c] = r;
            }
        }
        for (size_t c = 0; c < total; c++) {
            const pelab_rows *rows = pass == 0 ? &in[from[c]].rows : &in[from[c]].crows;
            for (size_t r = head[c]; r != SIZE_MAX; r = nexts[from[c]][r]) {
                pelab_strbuf_put(dst, rows->row[r], rows->len[r]);
                pelab_strbuf_putc(dst, '\n');
            }
        }
        for (int i = 0; i < n; i++) free(nexts[i]);
        free(nexts), free(head);
    }

    /* write: take OUT's lock; the manifest says running first, then the
     * files, then complete */
    if ((s = pelab_mkdir_p(opt->out_dir, err))) goto out;
    if ((s = pelab_folder_lock_take(&lock, opt->out_dir, "pelab merge", err))) goto out;
    if (opt->force && (s = pelab_folder_clear(opt->out_dir, err))) goto out;
    if ((s = write_manifest(manifest_path, &job, in, n, PELAB_MANIFEST_STATUS_RUNNING, total, err))) goto out;
    if (job.curves_header && (s = pelab_write_file_atomic(curves_path, cout.data, cout.len, err))) goto out;
    if ((s = pelab_write_file_atomic(results_path, out.data, out.len, err))) goto out;
    if ((s = write_manifest(manifest_path, &job, in, n, PELAB_MANIFEST_STATUS_COMPLETE, total, err))) goto out;
    if (cells_out) *cells_out = total;

out:
    pelab_folder_lock_release(&lock);
    for (int i = 0; i < n; i++) {
        pelab_manifest_free(&in[i].man);
        pelab_rows_free(&in[i].rows);
        pelab_rows_free(&in[i].crows);
        free(in[i].results);
        free(in[i].curves);
    }
    free(in), free(from), free(count);
    pelab_row_index_free(&ix);
    pelab_strbuf_free(&out);
    pelab_strbuf_free(&cout);
    pelab_job_free(&job);
    return s;
}
