/* manifest.c — see pelab/io/manifest.h */
#include "pelab/io/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pelab/base/fileio.h"
#include "pelab/base/json.h"
#include "pelab/base/mem.h"
#include "pelab/base/strbuf.h"

static const char *const g_status_names[PELAB_MANIFEST_STATUS_COUNT] = {"running", "complete", "interrupted",
                                                                         "failed"};

const char *pelab_manifest_status_str(pelab_manifest_status s) {
    return (unsigned)s < PELAB_MANIFEST_STATUS_COUNT ? g_status_names[s] : "unknown";
}

static int status_parse(const char *s, pelab_manifest_status *out) {
    for (int i = 0; i < PELAB_MANIFEST_STATUS_COUNT; i++)
        if (strcmp(s, g_status_names[i]) == 0) {
            *out = (pelab_manifest_status)i;
            return 1;
        }
    return 0;
}

void pelab_manifest_now(char *buf) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, PELAB_MANIFEST_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "KEY": "VALUE" or "KEY": null for an empty time */
static void put_time(pelab_strbuf *b, const char *key, const char *t) {
    pelab_strbuf_printf(b, "\"%s\": ", key);
    if (t[0]) pelab_strbuf_json_str(b, t);
    else pelab_strbuf_puts(b, "null");
}

char *pelab_manifest_format(const pelab_manifest *m) {
    pelab_strbuf b = PELAB_STRBUF_INIT;
    pelab_strbuf_puts(&b, "{\n  \"pelab_version\": ");
    pelab_strbuf_json_str(&b, m->version);
    pelab_strbuf_puts(&b, ",\n  \"config_path\": ");
    pelab_strbuf_json_str(&b, m->config_path ? m->config_path : "");
    pelab_strbuf_printf(&b, ",\n  \"config_hash\": \"%016llx\",\n  \"status\": \"%s\",\n",
                        (unsigned long long)m->config_hash, pelab_manifest_status_str(m->status));
    if (m->error) {
        pelab_strbuf_puts(&b, "  \"error\": ");
        pelab_strbuf_json_str(&b, m->error);
        pelab_strbuf_puts(&b, ",\n");
    }
    pelab_strbuf_printf(&b, "  \"threads\": %d,\n  \"cells_total\": %lld,\n  \"cells_done\": %lld,\n  ", m->threads,
                        m->cells_total, m->cells_done);
    put_time(&b, "started", m->started);
    pelab_strbuf_puts(&b, ",\n  ");
    put_time(&b, "finished", m->finished);
    pelab_strbuf_printf(&b, ",\n  \"elapsed_s\": %.3f,\n", m->elapsed_s);
    if (m->n_attempts) {
        pelab_strbuf_puts(&b, "  \"attempts\": [");
        for (size_t i = 0; i < m->n_attempts; i++) {
            const pelab_manifest_attempt *a = &m->attempts[i];
            pelab_strbuf_puts(&b, i ? ",\n    {" : "\n    {");
            put_time(&b, "started", a->started);
            pelab_strbuf_puts(&b, ", ");
            put_time(&b, "finished", a->finished);
            pelab_strbuf_printf(&b, ", \"elapsed_s\": %.3f, \"cells\": %lld, \"threads\": %d, \"status\": \"%s\"}",
                                a->elapsed_s, a->cells, a->threads, pelab_manifest_status_str(a->status));
        }
        pelab_strbuf_puts(&b, "\n  ],\n");
    }
    if (m->has_shard) {
        pelab_strbuf_printf(&b, "  \"shard\": {\"index\": %d, \"count\": %d, \"rule\": ", m->shard_index,
                            m->shard_count);
        pelab_strbuf_json_str(&b, m->shard_rule);
        pelab_strbuf_printf(&b, ", \"sweep_cells\": %lld, \"cells\": [", m->shard_sweep_cells);
        for (size_t i = 0; i < m->n_shard_cells; i++)
            pelab_strbuf_printf(&b, "%s%lld", i ? ", " : "", m->shard_cells[i]);
        pelab_strbuf_puts(&b, "]},\n");
    }
    if (m->mpi_json) pelab_strbuf_printf(&b, "  \"mpi\": %s,\n", m->mpi_json);
    if (m->merged_at[0]) {
        pelab_strbuf_puts(&b, "  ");
        put_time(&b, "merged_at", m->merged_at);
        pelab_strbuf_puts(&b, ",\n  \"merged\": [");
        for (size_t i = 0; i < m->n_merged; i++) {
            const pelab_manifest_merged *g = &m->merged[i];
            pelab_strbuf_puts(&b, i ? ",\n    {\"dir\": " : "\n    {\"dir\": ");
            pelab_strbuf_json_str(&b, g->dir ? g->dir : "");
            if (g->has_shard) pelab_strbuf_printf(&b, ", \"shard\": \"%d/%d\"", g->shard_index, g->shard_count);
            else pelab_strbuf_puts(&b, ", \"shard\": null");
            pelab_strbuf_printf(&b, ", \"cells\": %lld, \"threads\": %d, ", g->cells, g->threads);
            put_time(&b, "started", g->started);
            pelab_strbuf_puts(&b, ", ");
            put_time(&b, "finished", g->finished);
            pelab_strbuf_printf(&b, ", \"elapsed_s\": %.3f}", g->elapsed_s);
        }
        pelab_strbuf_puts(&b, "\n  ],\n");
    }
    pelab_strbuf_printf(&b, "  \"config\": %s\n}\n", m->config_json ? m->config_json : "null");
    return pelab_strbuf_take(&b);
}

pelab_status pelab_manifest_write(const char *path, const pelab_manifest *m, pelab_error *err) {
    char *text = pelab_manifest_format(m);
    pelab_status s = pelab_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return s;
}

/* ---- reading --------------------------------------------------------------- */

typedef struct reader {
    const char *display;
    const char *text;
    pelab_error *err;
    int failed;
} reader;

static int bad(reader *r, const char *what) {
    if (!r->failed)
        pelab_error_set(r->err, PELAB_STATUS_RUN, "%s: not a manifest pelab writes: %s", r->display, what);
    r->failed = 1;
    return 0;
}

static int get_str(reader *r, const pelab_json *o, const char *key, char *buf, size_t cap, int required) {
    const pelab_json *v = pelab_json_get(o, key);
    if (!v || v->type == PELAB_JSON_TYPE_NULL) {
        buf[0] = '\0';
        if (!required) return 1;
        char w[96];
        snprintf(w, sizeof w, "no \"%s\"", key);
        return bad(r, w);
    }
    if (v->type != PELAB_JSON_TYPE_STRING) {
        char w[96];
        snprintf(w, sizeof w, "\"%s\" is not a string", key);
        return bad(r, w);
    }
    snprintf(buf, cap, "%s", v->string);
    return 1;
}

static int get_ll(reader *r, const pelab_json *o, const char *key, long long *out, int required) {
    if (pelab_json_get_int(o, key, out)) return 1;
    if (!required && !pelab_json_get(o, key)) return 1;
    char w[96];
    snprintf(w, sizeof w, "\"%s\" is not a whole number", key);
    return bad(r, w);
}

static int get_int(reader *r, const pelab_json *o, const char *key, int *out, int required) {
    long long v = *out;
    if (!get_ll(r, o, key, &v, required)) return 0;
    *out = (int)v;
    return 1;
}

static int get_real(reader *r, const pelab_json *o, const char *key, double *out, int required) {
    if (pelab_json_get_number(o, key, out)) return 1;
    if (!required && !pelab_json_get(o, key)) return 1;
    char w[96];
    snprintf(w, sizeof w, "\"%s\" is not a number", key);
    return bad(r, w);
}

static int get_status(reader *r, const pelab_json *o, const char *key, pelab_manifest_status *out) {
    char s[32];
    if (!get_str(r, o, key, s, sizeof s, 1)) return 0;
    if (!status_parse(s, out)) {
        char w[96];
        snprintf(w, sizeof w, "\"%s\" is '%.32s'", key, s);
        return bad(r, w);
    }
    return 1;
}

/* The JSON text of value v (as it is in the file). */
static char *raw(const reader *r, const pelab_json *v) { return pelab_xmemdup(r->text + v->start, v->end - v->start); }

pelab_status pelab_manifest_parse(pelab_manifest *m, const char *text, size_t len, const char *display,
                                  pelab_error *err) {
    memset(m, 0, sizeof *m);
    pelab_json_doc doc;
    pelab_error jerr = {PELAB_STATUS_OK, ""};
    if (pelab_json_parse(&doc, text, len, display, &jerr))
        return pelab_error_set(err, PELAB_STATUS_RUN, "%s (not a manifest pelab writes)", jerr.msg);
    reader r = {display, text, err, 0};
    const pelab_json *o = doc.root, *v;
    char buf[8192], hash[32];
    if (o->type != PELAB_JSON_TYPE_OBJECT) {
        bad(&r, "not a JSON object");
        goto out;
    }
    if (!get_str(&r, o, "pelab_version", m->version, sizeof m->version, 1)) goto out;
    if (!get_str(&r, o, "config_path", buf, sizeof buf, 1)) goto out;
    m->config_path = pelab_xstrdup(buf);
    if (!get_str(&r, o, "config_hash", hash, sizeof hash, 1)) goto out;
    {
        char *end = NULL;
        unsigned long long h = strtoull(hash, &end, 16);
        if (strlen(hash) != 16 || *end) {
            bad(&r, "\"config_hash\" is not 16 hexadecimal digits");
            goto out;
        }
        m->config_hash = (uint64_t)h;
    }
    if (!get_status(&r, o, "status", &m->status)) goto out;
    if ((v = pelab_json_get(o, "error")) && v->type == PELAB_JSON_TYPE_STRING) m->error = pelab_xstrdup(v->string);
    if (!get_int(&r, o, "threads", &m->threads, 1) || !get_ll(&r, o, "cells_total", &m->cells_total, 1) ||
        !get_ll(&r, o, "cells_done", &m->cells_done, 1) ||
        !get_str(&r, o, "started", m->started, sizeof m->started, 1) ||
        !get_str(&r, o, "finished", m->finished, sizeof m->finished, 0) ||
        !get_real(&r, o, "elapsed_s", &m->elapsed_s, 1))
        goto out;
    if ((v = pelab_json_get(o, "attempts"))) {
        if (v->type != PELAB_JSON_TYPE_ARRAY) {
            bad(&r, "\"attempts\" is not a list");
            goto out;
        }
        m->attempts = pelab_xcalloc(v->n, sizeof *m->attempts);
        for (size_t i = 0; i < v->n; i++) {
            const pelab_json *a = v->items[i];
            pelab_manifest_attempt *t = &m->attempts[i];
            if (a->type != PELAB_JSON_TYPE_OBJECT) {
                bad(&r, "an attempt is not an object");
                goto out;
            }
            if (!get_str(&r, a, "started", t->started, sizeof t->started, 1) ||
                !get_str(&r, a, "finished", t->finished, sizeof t->finished, 0) ||
                !get_real(&r, a, "elapsed_s", &t->elapsed_s, 1) || !get_ll(&r, a, "cells", &t->cells, 1) ||
                !get_int(&r, a, "threads", &t->threads, 1) || !get_status(&r, a, "status", &t->status))
                goto out;
            m->n_attempts = i + 1;
        }
    } else {
        /* an older manifest: its one run */
        pelab_manifest_attempt a;
        memset(&a, 0, sizeof a);
        snprintf(a.started, sizeof a.started, "%s", m->started);
        snprintf(a.finished, sizeof a.finished, "%s", m->finished);
        a.elapsed_s = m->elapsed_s;
        a.cells = m->cells_done;
        a.threads = m->threads;
        a.status = m->status;
        pelab_manifest_add_attempt(m, &a);
    }
    if ((v = pelab_json_get(o, "shard")) && v->type != PELAB_JSON_TYPE_NULL) {
        const pelab_json *cells = pelab_json_get(v, "cells");
        if (v->type != PELAB_JSON_TYPE_OBJECT || !get_int(&r, v, "index", &m->shard_index, 1) ||
            !get_int(&r, v, "count", &m->shard_count, 1) ||
            !get_str(&r, v, "rule", m->shard_rule, sizeof m->shard_rule, 1) ||
            !get_ll(&r, v, "sweep_cells", &m->shard_sweep_cells, 1)) {
            bad(&r, "\"shard\" is not {index, count, rule, sweep_cells, cells}");
            goto out;
        }
        if (!cells || cells->type != PELAB_JSON_TYPE_ARRAY) {
            bad(&r, "\"shard\" has no list of cells");
            goto out;
        }
        m->has_shard = 1;
        m->shard_cells = pelab_xcalloc(cells->n, sizeof *m->shard_cells);
        for (size_t i = 0; i < cells->n; i++) {
            const pelab_json *c = cells->items[i];
            if (c->type != PELAB_JSON_TYPE_NUMBER) {
                bad(&r, "a shard cell is not a number");
                goto out;
            }
            m->shard_cells[i] = (long long)c->number;
        }
        m->n_shard_cells = cells->n;
    }
    if ((v = pelab_json_get(o, "mpi")) && v->type != PELAB_JSON_TYPE_NULL) m->mpi_json = raw(&r, v);
    if (!get_str(&r, o, "merged_at", m->merged_at, sizeof m->merged_at, 0)) goto out;
    if ((v = pelab_json_get(o, "merged")) && v->type != PELAB_JSON_TYPE_NULL) {
        if (v->type != PELAB_JSON_TYPE_ARRAY) {
            bad(&r, "\"merged\" is not a list");
            goto out;
        }
        m->merged = pelab_xcalloc(v->n ? v->n : 1, sizeof *m->merged);
        for (size_t i = 0; i < v->n; i++) {
            const pelab_json *g = v->items[i];
            pelab_manifest_merged *t = &m->merged[i];
            char shard[64];
            m->n_merged = i + 1;
            if (g->type != PELAB_JSON_TYPE_OBJECT || !get_str(&r, g, "dir", buf, sizeof buf, 1)) {
                bad(&r, "a merged shard has no dir");
                goto out;
            }
            t->dir = pelab_xstrdup(buf);
            if (!get_str(&r, g, "shard", shard, sizeof shard, 0) || !get_ll(&r, g, "cells", &t->cells, 1) ||
                !get_int(&r, g, "threads", &t->threads, 1) ||
                !get_str(&r, g, "started", t->started, sizeof t->started, 1) ||
                !get_str(&r, g, "finished", t->finished, sizeof t->finished, 0) ||
                !get_real(&r, g, "elapsed_s", &t->elapsed_s, 1))
                goto out;
            t->has_shard = shard[0] && sscanf(shard, "%d/%d", &t->shard_index, &t->shard_count) == 2;
        }
    }
    if (!(v = pelab_json_get(o, "config")) || v->type != PELAB_JSON_TYPE_OBJECT) {
        bad(&r, "no \"config\" object");
        goto out;
    }
    m->config_json = raw(&r, v);
out:
    pelab_json_free(&doc);
    if (r.failed) {
        pelab_manifest_free(m);
        return PELAB_STATUS_RUN;
    }
    return PELAB_STATUS_OK;
}

pelab_status pelab_manifest_read(pelab_manifest *m, const char *path, pelab_error *err) {
    memset(m, 0, sizeof *m);
    char *text = NULL;
    size_t len = 0;
    pelab_status s = pelab_read_file_max(&text, &len, path, (size_t)1 << 28, err);
    if (s) return s;
    s = pelab_manifest_parse(m, text, len, path, err);
    free(text);
    return s;
}

void pelab_manifest_add_attempt(pelab_manifest *m, const pelab_manifest_attempt *a) {
    m->attempts = pelab_xrealloc(m->attempts, (m->n_attempts + 1) * sizeof *m->attempts);
    m->attempts[m->n_attempts++] = *a;
}

void pelab_manifest_free(pelab_manifest *m) {
    free(m->config_path);
    free(m->error);
    free(m->attempts);
    free(m->shard_cells);
    free(m->mpi_json);
    for (size_t i = 0; i < m->n_merged; i++) free(m->merged[i].dir);
    free(m->merged);
    free(m->config_json);
    memset(m, 0, sizeof *m);
}

int pelab_manifest_status_of(const char *dir, pelab_manifest_status *status) {
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    pelab_manifest m;
    if (pelab_manifest_read(&m, path, NULL)) return 0;
    *status = m.status;
    pelab_manifest_free(&m);
    return 1;
}
