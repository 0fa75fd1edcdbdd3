/* merge.c — shards' results folders into one; see pelab_merge in pelab/shard.h */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pelab/lab/config.h"
#include "pelab/lab/results.h"
#include "pelab/base/rng.h"
#include "pelab/run/shard.h"
#include "pelab/lab/sweep.h"

#define ID_MAX 4096

/* What merge needs from one shard's manifest.json and results.csv. */
typedef struct shard_in {
    const char *dir;
    char *manifest;          /* the file's text                             */
    char *results;           /* results.csv's text (rows are cut in place)  */
    char config_path[4096];
    unsigned long long hash;
    char status[32];
    int threads;
    double elapsed;
    char started[40], finished[40];
    int has_shard, k, n;
    size_t rows;
    struct stat st;
} shard_in;

/* The value of a top-level member of a manifest pelab wrote ("\n  \"KEY\": "
 * at the start of a line, before the embedded config), or NULL. */
static const char *member(const char *json, const char *key) {
    char pat[96];
    snprintf(pat, sizeof pat, "\n  \"%s\": ", key);
    const char *end = strstr(json, "\n  \"config\": ");
    const char *p = strstr(json, pat);
    if (!p || (end && p > end)) return NULL;
    return p + strlen(pat);
}

/* A JSON string value at p (pelab's escapes: \", \\, \u00XX) into buf;
 * 1 on success. */
static int json_string(char *buf, size_t len, const char *p) {
    if (!p || *p != '"') return 0;
    size_t k = 0;
    for (p++; *p && *p != '"'; p++) {
        char c = *p;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                unsigned v = 0;
                if (sscanf(p + 1, "%4x", &v) != 1) return 0;
                c = (char)v;
                p += 4;
            } else if (*p == '"' || *p == '\\' || *p == '/') {
                c = *p;
            } else {
                return 0;
            }
        }
        if (k + 1 >= len) return 0;
        buf[k++] = c;
    }
    if (*p != '"') return 0;
    buf[k] = '\0';
    return 1;
}

static pelab_status read_manifest(shard_in *s, pelab_error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/manifest.json", s->dir);
    if (stat(s->dir, &s->st) != 0 || !S_ISDIR(s->st.st_mode))
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: not a folder", s->dir);
    if (pelab_read_file(&s->manifest, NULL, path, err)) {
        char why[PELAB_ERROR_MSG_MAX];
        snprintf(why, sizeof why, "%s", err->msg);
        return pelab_error_set(err, PELAB_STATUS_IO, "%s: not a pelab results folder (%s)", s->dir, why);
    }
    const char *m = s->manifest, *v;
    if (!json_string(s->config_path, sizeof s->config_path, member(m, "config_path")) ||
        !(v = member(m, "config_hash")) || sscanf(v, "\"%16llx\"", &s->hash) != 1 ||
        !json_string(s->status, sizeof s->status, member(m, "status")) || !(v = member(m, "threads")) ||
        sscanf(v, "%d", &s->threads) != 1 || !json_string(s->started, sizeof s->started, member(m, "started")) ||
        !(v = member(m, "elapsed_s")) || sscanf(v, "%lf", &s->elapsed) != 1)
        return pelab_error_set(err, PELAB_STATUS_RUN, "%s: manifest.json is not one pelab writes", path);
    if (!json_string(s->finished, sizeof s->finished, member(m, "finished"))) s->finished[0] = '\0';
    v = member(m, "shard");
    s->has_shard = v && sscanf(v, "{\"index\": %d, \"count\": %d", &s->k, &s->n) == 2;
    return PELAB_STATUS_OK;
}

/* Identity key of a row or a cell (its identity fields), never 0. */
static uint64_t key_of(const char *id, size_t len) {
    uint64_t h = pelab_hash_bytes(id, len);
    return h ? h : 1;
}

/* The manifest of the merged folder. */
static pelab_status write_manifest(const char *path, const pelab_config *cfg, const shard_in *in, int n,
                                   const char *status, size_t cells, pelab_error *err) {
    size_t len = strlen(cfg->resolved_json) + (size_t)n * 8800 + 16384;
    char *buf = pelab_xmalloc(len);
    char cpath[8400], now[32], first[40] = "", last[40] = "";
    pelab_json_escape(cpath, sizeof cpath, cfg->path);
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    int threads = 0;
    double elapsed = 0;
    for (int i = 0; i < n; i++) {
        threads += in[i].threads;
        elapsed += in[i].elapsed;
        if (!first[0] || strcmp(in[i].started, first) < 0) snprintf(first, sizeof first, "%s", in[i].started);
        if (strcmp(in[i].finished, last) > 0) snprintf(last, sizeof last, "%s", in[i].finished);
    }
    int k = snprintf(buf, len,
                     "{\n  \"pelab_version\": \"%s\",\n  \"config_path\": \"%s\",\n"
                     "  \"config_hash\": \"%016llx\",\n  \"status\": \"%s\",\n  \"threads\": %d,\n"
                     "  \"cells_total\": %zu,\n  \"cells_done\": %zu,\n  \"started\": \"%s\",\n"
                     "  \"finished\": \"%s\",\n  \"elapsed_s\": %.3f,\n  \"merged_at\": \"%s\",\n"
                     "  \"merged\": [",
                     PELAB_VERSION, cpath, (unsigned long long)cfg->hash, status, threads, cells,
                     strcmp(status, "complete") == 0 ? cells : 0, first, last[0] ? last : now, elapsed, now);
    for (int i = 0; i < n; i++) {
        char dir[8400], shard[64] = "null";
        pelab_json_escape(dir, sizeof dir, in[i].dir);
        if (in[i].has_shard) snprintf(shard, sizeof shard, "\"%d/%d\"", in[i].k, in[i].n);
        k += snprintf(buf + k, len - (size_t)k,
                      "%s\n    {\"dir\": \"%s\", \"shard\": %s, \"cells\": %zu, \"threads\": %d, \"started\": \"%s\", "
                      "\"finished\": \"%s\", \"elapsed_s\": %.3f}",
                      i ? "," : "", dir, shard, in[i].rows, in[i].threads, in[i].started, in[i].finished,
                      in[i].elapsed);
    }
    k += snprintf(buf + k, len - (size_t)k, "\n  ],\n  \"config\": %s\n}\n", cfg->resolved_json);
    PELAB_ASSERT(k > 0 && (size_t)k < len);
    pelab_status s = pelab_write_file_atomic(path, buf, (size_t)k, err);
    free(buf);
    return s;
}

pelab_status pelab_merge(const pelab_merge_options *opt, size_t *cells_out, pelab_error *err) {
    int n = opt->n_shard_dirs;
    PELAB_ASSERT(n >= 1);
    shard_in *in = pelab_xcalloc((size_t)n, sizeof *in);
    pelab_config cfg;
    memset(&cfg, 0, sizeof cfg);
    pelab_cell *cells = NULL;
    size_t total = 0, cap = 16;
    uint64_t *keys = NULL;
    size_t *idx = NULL;
    const char **row = NULL;
    int *from = NULL;
    char *out = NULL;
    pelab_status s = PELAB_STATUS_OK;
    char results_path[4200], manifest_path[4200];
    snprintf(results_path, sizeof results_path, "%s/results.csv", opt->out_dir);
    snprintf(manifest_path, sizeof manifest_path, "%s/manifest.json", opt->out_dir);

    /* the shards' manifests: complete, one config, no folder or shard twice */
    for (int i = 0; i < n; i++) {
        in[i].dir = opt->shard_dirs[i];
        if ((s = read_manifest(&in[i], err))) goto out;
        if (strcmp(in[i].status, "complete") != 0) {
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "%s: the shard is not complete (manifest status '%s'): finish it with "
                                "pelab run CONFIG --out %s --resume%s, then merge",
                                in[i].dir, in[i].status, in[i].dir, in[i].has_shard ? " --shard K/N" : "");
            goto out;
        }
        if (in[i].hash != in[0].hash) {
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "%s: from another config (hash %016llx; %s has %016llx): shards to merge must "
                                "come from one config",
                                in[i].dir, in[i].hash, in[0].dir, in[0].hash);
            goto out;
        }
        for (int j = 0; j < i; j++) {
            if (in[i].st.st_dev == in[j].st.st_dev && in[i].st.st_ino == in[j].st.st_ino) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s and %s are the same folder: a shard given twice",
                                    in[j].dir, in[i].dir);
                goto out;
            }
            if (in[i].has_shard && in[j].has_shard && in[i].k == in[j].k && in[i].n == in[j].n) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "shard %d/%d is given twice: %s and %s", in[i].k,
                                    in[i].n, in[j].dir, in[i].dir);
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
    const char *config_path = opt->config_path ? opt->config_path : in[0].config_path;
    if ((s = pelab_config_load(&cfg, config_path, err))) {
        if (!opt->config_path) {
            char msg[PELAB_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err->msg);
            pelab_error_set(err, s, "%s (the config the shards' manifests name; pass --config FILE to give it)",
                            msg);
        }
        goto out;
    }
    if ((unsigned long long)cfg.hash != in[0].hash) {
        s = pelab_error_set(err, PELAB_STATUS_USAGE,
                            "%s has config hash %016llx, the shards %016llx: it is not the config they ran "
                            "(edited since?); pass --config with the one they ran",
                            config_path, (unsigned long long)cfg.hash, in[0].hash);
        goto out;
    }
    if ((s = pelab_sweep_expand(&cells, &total, &cfg, err))) goto out;
    while (cap < 2 * total + 2) cap *= 2;
    keys = pelab_xcalloc(cap, sizeof *keys);
    idx = pelab_xcalloc(cap, sizeof *idx);
    char id[ID_MAX];
    for (size_t c = 0; c < total; c++) {
        int k = pelab_results_identity(id, sizeof id, &cells[c]);
        PELAB_ASSERT(k > 0 && (size_t)k < sizeof id);
        uint64_t key = key_of(id, (size_t)k);
        size_t i = key & (cap - 1);
        while (keys[i]) i = (i + 1) & (cap - 1);
        keys[i] = key, idx[i] = c;
    }

    /* every row of every shard to its cell, once */
    row = pelab_xcalloc(total, sizeof *row);
    from = pelab_xcalloc(total, sizeof *from);
    char header[16384];
    int hl = pelab_results_header(header, sizeof header);
    PELAB_ASSERT(hl > 0);
    size_t want_commas = 0;
    for (int i = 0; i < hl; i++) want_commas += header[i] == ',';
    size_t bytes = (size_t)hl;
    for (int i = 0; i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/results.csv", in[i].dir);
        size_t len = 0;
        if ((s = pelab_read_file(&in[i].results, &len, path, err))) goto out;
        char *data = in[i].results;
        if (len < (size_t)hl || memcmp(data, header, (size_t)hl) != 0) {
            s = pelab_error_set(err, PELAB_STATUS_RUN, "%s: not a results file of this pelab version (its header differs)",
                                path);
            goto out;
        }
        int line = 1;
        for (char *p = data + hl; p < data + len;) {
            line++;
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            if (!nl) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s:%d: a torn last line (the shard is not whole)", path,
                                    line);
                goto out;
            }
            *nl = '\0';
            size_t commas = 0;
            char *id_end = NULL;
            for (char *q = p; q < nl; q++)
                if (*q == ',' && ++commas == PELAB_RESULTS_ID_COLUMNS) id_end = q;
            if (commas != want_commas || !id_end) {
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s:%d: a row with the wrong number of fields", path, line);
                goto out;
            }
            size_t idl = (size_t)(id_end - p);
            uint64_t key = key_of(p, idl);
            size_t h = key & (cap - 1);
            size_t c = total;
            for (; keys[h]; h = (h + 1) & (cap - 1)) {
                if (keys[h] != key) continue;
                int k = pelab_results_identity(id, sizeof id, &cells[idx[h]]);
                if ((size_t)k == idl && memcmp(id, p, idl) == 0) {
                    c = idx[h];
                    break;
                }
            }
            if (c == total) {
                *id_end = '\0';
                s = pelab_error_set(err, PELAB_STATUS_RUN, "%s:%d: the row '%s' is no cell of %s", path, line, p,
                                    config_path);
                goto out;
            }
            if (row[c]) {
                pelab_cell_identity(id, sizeof id, &cells[c]);
                s = pelab_error_set(err, PELAB_STATUS_RUN, "cell %s is in two shards: %s and %s", id,
                                    in[from[c]].dir, in[i].dir);
                goto out;
            }
            row[c] = p;
            from[c] = i;
            in[i].rows++;
            bytes += (size_t)(nl - p) + 1;
            p = nl + 1;
        }
    }
    size_t missing = 0, first_missing = 0;
    for (size_t c = 0; c < total; c++)
        if (!row[c] && missing++ == 0) first_missing = c;
    if (missing) {
        pelab_cell_identity(id, sizeof id, &cells[first_missing]);
        if (missing > 1)
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

    /* write: the manifest says running first, then results.csv, then complete */
    out = pelab_xmalloc(bytes + 1);
    memcpy(out, header, (size_t)hl);
    size_t at = (size_t)hl;
    for (size_t c = 0; c < total; c++) {
        size_t l = strlen(row[c]);
        memcpy(out + at, row[c], l);
        at += l;
        out[at++] = '\n';
    }
    PELAB_ASSERT(at == bytes);
    if ((s = pelab_mkdir_p(opt->out_dir, err))) goto out;
    if ((s = write_manifest(manifest_path, &cfg, in, n, "running", total, err))) goto out;
    if ((s = pelab_write_file_atomic(results_path, out, at, err))) goto out;
    if ((s = write_manifest(manifest_path, &cfg, in, n, "complete", total, err))) goto out;
    if (cells_out) *cells_out = total;

out:
    for (int i = 0; i < n; i++) free(in[i].manifest), free(in[i].results);
    free(in), free(cells), free(keys), free(idx), free(row), free(from), free(out);
    pelab_config_free(&cfg);
    return s;
}
