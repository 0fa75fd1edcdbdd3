/* report.c — `pelab report` as a library: report.md and report.html for a
 * results folder, the figures (scripts/plot.sh) and heatmaps
 * (scripts/plot/heatmap.sh) they show. See pelab/study/report.h.
 *
 * report.html is report.md rendered by md4c (markdown.c) inside a page of
 * its own style, so the two always say the same. Text that comes from data
 * (claims, verdicts, statuses, captions) is escaped for markdown; the
 * experiment's README sections are markdown and go in as they are. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "pelab/study/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"
#include "pelab/base/json.h"
#include "pelab/base/strbuf.h"
#include "pelab/io/manifest.h"
#include "pelab/io/table.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/results.h"
#include "pelab/lab/sweep.h"
#include "pelab/run/job.h"
#include "pelab/study/claims.h"
#include "pelab/train/train.h"

/* ---- strings: the one builder of base/strbuf.h ------------------------------------- */

typedef pelab_strbuf sbuf;
#define sb_put pelab_strbuf_put
#define sb_puts pelab_strbuf_puts
#define sb_printf pelab_strbuf_printf

/* s escaped for markdown (pelab_markdown_escape). */
static void sb_md(sbuf *b, const char *s) {
    char *e = pelab_markdown_escape(s);
    sb_puts(b, e);
    free(e);
}

/* s with &, <, > and " as entities (for raw HTML inside report.md). */
#define sb_html pelab_strbuf_html

/* ---- files -------------------------------------------------------------------------- */

/* The whole file at path, or NULL when it cannot be read. */
static char *slurp(const char *path) {
    char *data = NULL;
    size_t len = 0;
    pelab_error err;
    if (pelab_read_file(&data, &len, path, &err)) return NULL;
    return data;
}

/* The words of an arguments file (blank-separated; a line starting with #
 * is a comment), one line at a time: returns the words of the next
 * non-empty line in words (pointers into text, which is modified), their
 * count, and advances *at; 0 at the end. */
static int args_line(char **at, char **words, int max) {
    while (*at && **at) {
        char *line = *at, *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        *at = nl ? nl + 1 : NULL;
        while (*line == ' ' || *line == '\t') line++;
        if (*line == '#') continue;
        int n = 0;
        char *save = NULL;
        for (char *p = strtok_r(line, " \t\r", &save); p && n < max; p = strtok_r(NULL, " \t\r", &save)) words[n++] = p;
        if (n) return n;
    }
    return 0;
}

/* ---- markdown sections of the experiment's README ------------------------------------ */

/* The body of the section "## NAME" of md (up to the next "## " or "# "
 * heading outside a code fence), trimmed, malloc'ed; NULL when none. */
static char *md_section(const char *md, const char *name) {
    size_t nl = strlen(name);
    int fence = 0;
    for (const char *p = md; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "```", 3) == 0) fence = !fence;
        if (fence || strncmp(p, "## ", 3) != 0 || strncmp(p + 3, name, nl) != 0) continue;
        if (p[3 + nl] != '\n' && p[3 + nl] != ' ' && p[3 + nl] != '\r' && p[3 + nl] != '\0') continue;
        const char *body = strchr(p, '\n');
        if (!body) return NULL;
        body++;
        const char *end = body;
        int f = 0;
        while (*end) {
            if (strncmp(end, "```", 3) == 0) f = !f;
            if (!f && (strncmp(end, "## ", 3) == 0 || strncmp(end, "# ", 2) == 0)) break;
            const char *e = strchr(end, '\n');
            end = e ? e + 1 : end + strlen(end);
        }
        while (*body == '\n') body++;
        while (end > body && (end[-1] == '\n' || end[-1] == ' ')) end--;
        char *out = pelab_xmalloc((size_t)(end - body) + 1);
        memcpy(out, body, (size_t)(end - body));
        out[end - body] = '\0';
        return out;
    }
    return NULL;
}

/* The text of the first "# " heading of md into buf ("" when none). */
static void md_title(char *buf, size_t cap, const char *md) {
    buf[0] = '\0';
    for (const char *p = md; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, "# ", 2) == 0) {
            size_t len = strcspn(p + 2, "\r\n");
            snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p + 2);
            return;
        }
}

/* ---- the manifest ------------------------------------------------------------------------ */

static const char *const g_manifest_keys[] = {"pelab_version", "config_path", "config_hash", "status",
                                              "threads",       "cells_done",  "cells_total", "started",
                                              "finished",      "elapsed_s"};
#define N_MANIFEST_KEYS ((int)(sizeof g_manifest_keys / sizeof *g_manifest_keys))
enum { M_VERSION, M_CONFIG_PATH, M_HASH, M_STATUS, M_THREADS, M_DONE, M_TOTAL, M_STARTED, M_FINISHED, M_ELAPSED };

/* The manifest's fields the report shows, as text (io/manifest reads the
 * file), the largest seq_len of its config's sweep (0 without one: sentence
 * input, or a training sweep) and its config's name. 1 when there is a
 * manifest pelab can read. */
static int read_manifest(char fields[][512], long *sweep_max_n, char *name, size_t name_cap, const char *dir) {
    char path[4400];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    pelab_manifest m;
    *sweep_max_n = 0;
    name[0] = '\0';
    if (pelab_manifest_read(&m, path, NULL)) return 0;
    snprintf(fields[M_VERSION], 512, "%s", m.version);
    snprintf(fields[M_CONFIG_PATH], 512, "%s", m.config_path ? m.config_path : "");
    snprintf(fields[M_HASH], 512, "%016llx", (unsigned long long)m.config_hash);
    snprintf(fields[M_STATUS], 512, "%s", pelab_manifest_status_str(m.status));
    snprintf(fields[M_THREADS], 512, "%d", m.threads);
    snprintf(fields[M_DONE], 512, "%lld", m.cells_done);
    snprintf(fields[M_TOTAL], 512, "%lld", m.cells_total);
    snprintf(fields[M_STARTED], 512, "%s", m.started);
    snprintf(fields[M_FINISHED], 512, "%s", m.finished);
    snprintf(fields[M_ELAPSED], 512, "%.3f", m.elapsed_s);
    pelab_json_doc doc;
    if (m.config_json && pelab_json_parse(&doc, m.config_json, strlen(m.config_json), path, NULL) == PELAB_STATUS_OK) {
        const char *nm = NULL;
        if (pelab_json_get_string(doc.root, "name", &nm)) snprintf(name, name_cap, "%s", nm);
        const pelab_json *seq = pelab_json_get(pelab_json_get(doc.root, "sweep"), "seq_len");
        for (size_t i = 0; seq && seq->type == PELAB_JSON_TYPE_ARRAY && i < seq->n; i++)
            if (seq->items[i]->type == PELAB_JSON_TYPE_NUMBER && seq->items[i]->number > *sweep_max_n)
                *sweep_max_n = (long)seq->items[i]->number;
        pelab_json_free(&doc);
    }
    pelab_manifest_free(&m);
    return 1;
}

/* ---- running a script -------------------------------------------------------------------- */

int pelab_report_run_script(char *const argv[], const char *pelab_bin, char *why, size_t why_cap) {
    size_t n = 0;
    while (argv[n]) n++;
    char **av = pelab_xcalloc(n + 2, sizeof *av);
    av[0] = "bash";
    for (size_t i = 0; i < n; i++) av[i + 1] = argv[i];
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_cap, "cannot start %s: %s", argv[0], strerror(errno));
        free(av);
        return -1;
    }
    if (pid == 0) {
        if (pelab_bin) setenv("PELAB_BIN", pelab_bin, 1);
        execvp("bash", av);
        _exit(127);
    }
    free(av);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(why, why_cap, "waiting for %s: %s", argv[0], strerror(errno));
            return -1;
        }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* ---- heatmaps ---------------------------------------------------------------------------- */

static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!s[0] || *end || errno || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

pelab_status pelab_heatmap_spec_parse(pelab_heatmap_spec *spec, int argc, char *const argv[], pelab_error *err) {
    memset(spec, 0, sizeof *spec);
    spec->what = PELAB_HEATMAP_ATTENTION;
    pelab_heatmap_select_init(&spec->sel);
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        long v;
        if (!val || opt[0] != '-')
            return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: unknown or incomplete option '%s'", opt);
        i++;
        if (strcmp(opt, "--scheme") == 0) {
            char list[1024];
            snprintf(list, sizeof list, "%s", val);
            char *save = NULL;
            for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
                if (strcmp(p, "all") == 0) continue;
                if (spec->n_schemes == PELAB_HEATMAP_MAX_SCHEMES)
                    return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: at most %d schemes",
                                           PELAB_HEATMAP_MAX_SCHEMES);
                snprintf(spec->schemes[spec->n_schemes++], PELAB_SCHEME_NAME_MAX, "%s", p);
            }
        } else if (strcmp(opt, "--what") == 0) {
            if (!pelab_heatmap_what_parse(val, &spec->what))
                return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: --what is attention, phi or logits, not '%s'",
                                       val);
        } else if (strcmp(opt, "--seq-len") == 0 || strcmp(opt, "--d-model") == 0 || strcmp(opt, "--heads") == 0) {
            long hi = opt[2] == 's' ? PELAB_HEATMAP_MAX_SEQ_LEN : PELAB_CONFIG_MAX_D_MODEL;
            if (!parse_int(val, 1, hi, &v))
                return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: %s is a whole number in [1, %ld], not '%s'",
                                       opt, hi, val);
            if (opt[2] == 's') spec->sel.seq_len = (int)v;
            else if (opt[2] == 'd') spec->sel.d_model = (int)v;
            else spec->sel.heads = (int)v;
        } else if (strcmp(opt, "--head") == 0 || strcmp(opt, "--sentence") == 0) {
            if (!parse_int(val, 0, 1 << 20, &v))
                return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: %s is a whole number from 0, not '%s'", opt,
                                       val);
            if (strcmp(opt, "--head") == 0) spec->head = (int)v;
            else spec->sel.sentence = (int)v;
        } else if (strcmp(opt, "--mask") == 0 || strcmp(opt, "--projection") == 0 || strcmp(opt, "--dtype") == 0) {
            int found = -1, count = opt[2] == 'm' ? PELAB_MASK_COUNT : opt[2] == 'p' ? PELAB_PROJECTION_COUNT
                                                                                     : PELAB_DTYPE_COUNT;
            for (int k = 0; k < count; k++) {
                const char *name = opt[2] == 'm'   ? pelab_mask_str((pelab_mask)k)
                                   : opt[2] == 'p' ? pelab_projection_str((pelab_projection)k)
                                                   : pelab_dtype_str((pelab_dtype)k);
                if (strcmp(name, val) == 0) found = k;
            }
            if (found < 0)
                return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: %s '%s' is not one (%s)", opt, val,
                                       opt[2] == 'm' ? "none, causal" : opt[2] == 'p' ? "identity, random" : "f32, f64, bf16, f16");
            if (opt[2] == 'm') spec->sel.mask = found;
            else if (opt[2] == 'p') spec->sel.projection = found;
            else spec->sel.dtype = found;
        } else {
            return pelab_error_set(err, PELAB_STATUS_USAGE, "heatmap: unknown option '%s'", opt);
        }
    }
    return PELAB_STATUS_OK;
}

/* A file name part from a scheme name: letters, digits, - and _ kept. */
static void file_part(char *buf, size_t cap, const char *s) {
    size_t o = 0;
    for (; *s && o + 1 < cap; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        buf[o++] = ok ? c : '_';
    }
    buf[o] = '\0';
}

static const char *what_title(pelab_heatmap_what w) {
    return w == PELAB_HEATMAP_ATTENTION ? "attention weights P" : w == PELAB_HEATMAP_LOGITS ? "logits S"
                                                                                             : "position similarity Phi";
}

typedef struct cell_fill_ctx {
    const pelab_config *cfg;
    const pelab_cell *cells;
    const pelab_heatmap_spec *spec;
} cell_fill_ctx;

static void cell_fill(double *m, int i, void *ctx) {
    const cell_fill_ctx *c = ctx;
    pelab_heatmap_compute(m, c->cfg, &c->cells[i], c->spec->head, c->spec->what);
}

pelab_status pelab_heatmaps_write(pelab_heatmap_made *made, const pelab_config *cfg, const pelab_heatmap_spec *spec,
                                  const char *dir, const char *name_prefix, const char *scripts,
                                  const char *pelab_bin, pelab_error *err) {
    memset(made, 0, sizeof *made);
    const pelab_scheme *schemes[PELAB_HEATMAP_MAX_SCHEMES];
    int ns = 0;
    if (spec->n_schemes == 0) {
        for (int k = 0; k < cfg->n_schemes && ns < PELAB_HEATMAP_MAX_SCHEMES; k++) schemes[ns++] = &cfg->schemes[k];
    } else {
        for (int i = 0; i < spec->n_schemes; i++) {
            int found = -1;
            for (int k = 0; k < cfg->n_schemes; k++)
                if (strcmp(cfg->schemes[k].name, spec->schemes[i]) == 0) found = k;
            if (found < 0) {
                char names[1024] = "";
                size_t o = 0;
                for (int k = 0; k < cfg->n_schemes && o < sizeof names; k++)
                    o += (size_t)snprintf(names + o, sizeof names - o, "%s%s", k ? ", " : "", cfg->schemes[k].name);
                return pelab_error_set(err, PELAB_STATUS_USAGE, "%s: no scheme '%s' (the config has %s)", cfg->path,
                                       spec->schemes[i], names);
            }
            schemes[ns++] = &cfg->schemes[found];
        }
    }
    /* every cell first: a scheme that cannot run stops before any file */
    pelab_cell cells[PELAB_HEATMAP_MAX_SCHEMES];
    for (int i = 0; i < ns; i++) {
        pelab_status s = pelab_heatmap_cell(&cells[i], cfg, schemes[i], &spec->sel, err);
        if (s) return s;
        if (spec->head >= cells[i].heads)
            return pelab_error_set(err, PELAB_STATUS_USAGE, "head %d: the cell has %d head%s (numbered from 0)",
                                   spec->head, cells[i].heads, cells[i].heads == 1 ? "" : "s");
    }
    PELAB_ASSERT(ns > 0); /* a config has at least one scheme; --scheme names at least one */
    pelab_status s;
    const pelab_cell *c0 = &cells[0];
    const int n = c0->seq_len;
    char base[512], cell_desc[300];
    snprintf(base, sizeof base, "%s-%s", name_prefix, pelab_heatmap_what_str(spec->what));
    if (c0->sentence >= 0)
        snprintf(cell_desc, sizeof cell_desc, "sentence %d \"%.200s\" (n=%d), d_model=%d", c0->sentence,
                 cfg->sentence_text[c0->sentence], n, c0->d_model);
    else
        snprintf(cell_desc, sizeof cell_desc, "seq_len=%d, d_model=%d", n, c0->d_model);
    if (spec->what == PELAB_HEATMAP_PHI)
        snprintf(made->title, sizeof made->title, "%s(p, q): %s", what_title(spec->what), cell_desc);
    else
        snprintf(made->title, sizeof made->title, "%s, head %d of %d: %s, mask=%s, projection=%s, dtype=%s, trial 0",
                 what_title(spec->what), spec->head, c0->heads, cell_desc, pelab_mask_str(c0->mask),
                 pelab_projection_str(c0->projection), pelab_dtype_str(c0->dtype));
    made->seq_len = n;

    /* the files and the picture, each matrix computed when its file is written */
    pelab_heatmap_panel *panels = pelab_xcalloc((size_t)ns, sizeof *panels);
    char (*heads)[600] = pelab_xcalloc((size_t)ns, sizeof *heads);
    for (int i = 0; i < ns; i++) {
        char ident[512];
        pelab_cell_identity(ident, sizeof ident, &cells[i]);
        snprintf(heads[i], sizeof heads[i], "what=%s head=%d %s", pelab_heatmap_what_str(spec->what), spec->head,
                 ident);
        panels[i].name = cells[i].scheme->name;
        panels[i].header = heads[i];
    }
    char title[sizeof made->title];
    snprintf(title, sizeof title, "%s", made->title);
    cell_fill_ctx ctx = {cfg, cells, spec};
    s = pelab_heatmap_panels_write(made, dir, base, spec->what, title, n, panels, ns, cell_fill, &ctx, NULL, scripts,
                                   pelab_bin, err);
    free(panels);
    free(heads);
    return s;
}

pelab_status pelab_heatmap_panels_write(pelab_heatmap_made *made, const char *dir, const char *base,
                                        pelab_heatmap_what what, const char *title, int n,
                                        const pelab_heatmap_panel *panels, int np,
                                        void (*fill)(double *m, int panel, void *ctx), void *ctx, const char *labels,
                                        const char *scripts, const char *pelab_bin, pelab_error *err) {
    memset(made, 0, sizeof *made);
    snprintf(made->title, sizeof made->title, "%s", title);
    made->seq_len = n;
    pelab_status s = pelab_mkdir_p(dir, err);
    if (s) return s;
    char **argv = pelab_xcalloc((size_t)np * 2 + 16, sizeof *argv);
    char (*paths)[4400] = pelab_xcalloc((size_t)np, sizeof *paths);
    char (*names)[PELAB_SCHEME_NAME_MAX] = pelab_xcalloc((size_t)np, sizeof *names);
    char script[4400], out_png[4400], title_arg[600], what_arg[64], *labels_arg = NULL;
    int ac = 0;
    snprintf(script, sizeof script, "%s/plot/heatmap.sh", scripts ? scripts : ".");
    snprintf(out_png, sizeof out_png, "%s/%s.png", dir, base);
    snprintf(title_arg, sizeof title_arg, "%s", title);
    snprintf(what_arg, sizeof what_arg, "%s", pelab_heatmap_what_str(what));
    argv[ac++] = script;
    argv[ac++] = "--what";
    argv[ac++] = what_arg;
    argv[ac++] = "--title";
    argv[ac++] = title_arg;
    argv[ac++] = "--out";
    argv[ac++] = out_png;
    if (labels) {
        labels_arg = pelab_xmalloc(strlen(labels) + 1);
        memcpy(labels_arg, labels, strlen(labels) + 1);
        argv[ac++] = "--labels";
        argv[ac++] = labels_arg;
    }
    sbuf csv = PELAB_STRBUF_INIT;
    double *buf = fill ? pelab_xmalloc((size_t)n * n * sizeof(double)) : NULL;
    for (int i = 0; i < np && !s; i++) {
        const double *m = panels[i].m;
        if (!m) {
            PELAB_ASSERT(fill);
            fill(buf, i, ctx);
            m = buf;
        }
        char part[PELAB_SCHEME_NAME_MAX];
        file_part(part, sizeof part, panels[i].name);
        snprintf(paths[i], sizeof paths[i], "%s/%s-%s.csv", dir, base, part);
        csv.len = 0;
        sb_printf(&csv, "# pelab heatmap: %s (row i = query i, column j = key j)\n", panels[i].header);
        for (int r = 0; r < n; r++) {
            for (int q = 0; q < n; q++) {
                double x = m[(size_t)r * n + q];
                if (isnan(x)) sb_printf(&csv, "%snan", q ? "," : "");
                else sb_printf(&csv, "%s%.9g", q ? "," : "", x);
            }
            sb_puts(&csv, "\n");
        }
        s = pelab_write_file_atomic(paths[i], csv.data, csv.len, err);
        snprintf(names[i], sizeof names[i], "%s", panels[i].name);
        argv[ac++] = names[i];
        argv[ac++] = paths[i];
        made->n_csv++;
    }
    free(csv.data);
    free(buf);
    argv[ac] = NULL;
    if (!s && !scripts) snprintf(made->note, sizeof made->note, "not drawn (no scripts folder)");
    if (!s && scripts) {
        char why[512];
        int code = access(script, R_OK) == 0 ? pelab_report_run_script(argv, pelab_bin, why, sizeof why) : -2;
        if (code == 0 && access(out_png, R_OK) == 0)
            snprintf(made->png, sizeof made->png, "%s", out_png);
        else if (code == -2)
            snprintf(made->note, sizeof made->note, "not drawn: %.400s not found", script);
        else if (code == -1)
            snprintf(made->note, sizeof made->note, "not drawn: %.400s", why);
        else if (code == 3)
            snprintf(made->note, sizeof made->note, "not drawn: gnuplot is not installed (apt-get install gnuplot-nox)");
        else
            snprintf(made->note, sizeof made->note, "not drawn: plot/heatmap.sh failed (exit %d; its message is above)",
                     code);
    }
    free(argv);
    free(labels_arg);
    free(paths);
    free(names);
    return s;
}

/* ---- figures ----------------------------------------------------------------------------- */

typedef struct figure {
    char family[64], png[256], svg[256], title[1024], slice[512], caption[2048];
} figure;

#define MAX_FIGURES 512

/* Run plot.sh on dir with --all and the arguments of plot_args (a file of
 * blank-separated words, # comment lines) when not NULL. Reads the
 * figures from figures/index.tsv (family, png, svg, title, slice, caption)
 * into figs (up to max, malloc'ed) and returns their count; 0 with the
 * reason in note when there are none. */
static int make_figures(figure **figs, const char *dir, const char *scripts, const char *pelab_bin,
                        const char *plot_args, char *note, size_t note_cap) {
    char plot[4400], outdir[4400], dir_arg[4400];
    *figs = NULL;
    snprintf(plot, sizeof plot, "%s/plot.sh", scripts);
    snprintf(outdir, sizeof outdir, "%s/figures", dir);
    snprintf(dir_arg, sizeof dir_arg, "%s", dir);
    if (access(plot, R_OK) != 0) {
        snprintf(note, note_cap, "%.400s not found (set PELAB_SCRIPTS to the scripts folder)", plot);
        return 0;
    }
    char *argv[80];
    int argc = 0;
    argv[argc++] = plot;
    argv[argc++] = dir_arg;
    argv[argc++] = outdir;
    argv[argc++] = "--all";
    char *extra = plot_args ? slurp(plot_args) : NULL;
    char *at = extra;
    int k;
    while (at && (k = args_line(&at, argv + argc, 76 - argc)) > 0) argc += k;
    argv[argc] = NULL;
    char why[512];
    int code = pelab_report_run_script(argv, pelab_bin, why, sizeof why);
    free(extra);
    if (code == -1) {
        snprintf(note, note_cap, "%s", why);
        return 0;
    }
    if (code == 3) {
        snprintf(note, note_cap, "gnuplot is not installed (apt-get install gnuplot-nox)");
        return 0;
    }
    if (code != 0) {
        snprintf(note, note_cap, "%.400s failed (exit %d; its message is above)", plot, code);
        return 0;
    }
    char index[4500];
    snprintf(index, sizeof index, "%s/index.tsv", outdir);
    char *tsv = slurp(index);
    if (!tsv) {
        snprintf(note, note_cap, "plot.sh wrote no %.400s", index);
        return 0;
    }
    figure *f = pelab_xcalloc(MAX_FIGURES, sizeof *f);
    int n = 0;
    for (char *ln = tsv; ln && *ln && n < MAX_FIGURES;) {
        char *nl = strchr(ln, '\n');
        if (nl) *nl = '\0';
        char *fld[6] = {ln, NULL, NULL, NULL, NULL, NULL};
        for (int j = 1; j < 6 && fld[j - 1]; j++) {
            char *tab = strchr(fld[j - 1], '\t');
            if (tab) *tab = '\0', fld[j] = tab + 1;
        }
        if (fld[3]) {
            snprintf(f[n].family, sizeof f[n].family, "%s", fld[0]);
            snprintf(f[n].png, sizeof f[n].png, "%s", fld[1]);
            snprintf(f[n].svg, sizeof f[n].svg, "%s", fld[2]);
            snprintf(f[n].title, sizeof f[n].title, "%s", fld[3]);
            snprintf(f[n].slice, sizeof f[n].slice, "%s", fld[4] ? fld[4] : "");
            snprintf(f[n].caption, sizeof f[n].caption, "%s", fld[5] ? fld[5] : "");
            n++;
        }
        ln = nl ? nl + 1 : NULL;
    }
    free(tsv);
    *figs = f;
    if (!n) snprintf(note, note_cap, "plot.sh listed no figure in %.400s", index);
    return n;
}

/* ---- slices and the tables ----------------------------------------------------------------- */

/* The axes a slice fixes, in the order plot.sh nests them: the identity
 * columns (the one rule, pelab_table_layout: those before width) but
 * scheme, sentence and the length a table runs along (probe: seq_len;
 * train: eval_len). Probe: d_model, heads, mask, projection, dtype; train:
 * task, d_model, ..., dtype and every other key. */
#define MAX_AXES 64
#define MAX_VALUES 64
#define MAX_SLICES 1024

typedef struct slicing {
    int n_axes;
    int col[MAX_AXES];               /* table column                          */
    int n_values[MAX_AXES];
    const char *values[MAX_AXES][MAX_VALUES];
    int n_slices;
    int pick[MAX_SLICES][MAX_AXES];  /* value index of each axis              */
} slicing;

/* The slices of table t: every combination of the values (in order of
 * first appearance) of the axes that take several, outermost first. */
static void slices_of(slicing *sl, const pelab_table *t) {
    memset(sl, 0, sizeof *sl);
    const int n_id = pelab_table_layout(t).n_id;
    for (int c = 0; c < n_id && sl->n_axes < MAX_AXES; c++) {
        const char *name = t->cols[c];
        if (strcmp(name, "scheme") == 0 || strcmp(name, "sentence") == 0 || strcmp(name, "seq_len") == 0 ||
            strcmp(name, "eval_len") == 0)
            continue;
        int a = sl->n_axes++;
        sl->col[a] = c;
        for (size_t r = 0; r < t->n_rows; r++) {
            const char *v = pelab_table_get(t, r, c);
            int k = 0;
            while (k < sl->n_values[a] && strcmp(sl->values[a][k], v) != 0) k++;
            if (k == sl->n_values[a] && k < MAX_VALUES) sl->values[a][sl->n_values[a]++] = v;
        }
    }
    sl->n_slices = 1;
    memset(sl->pick[0], 0, sizeof sl->pick[0]);
    for (int a = 0; a < sl->n_axes; a++) {
        if (sl->n_values[a] < 2) continue;
        int old = sl->n_slices, next = 0;
        int (*np)[MAX_AXES] = pelab_xmalloc(sizeof(int[MAX_SLICES][MAX_AXES]));
        for (int s = 0; s < old; s++)
            for (int v = 0; v < sl->n_values[a] && next < MAX_SLICES; v++) {
                memcpy(np[next], sl->pick[s], sizeof np[next]);
                np[next++][a] = v;
            }
        memcpy(sl->pick, np, sizeof(int[MAX_SLICES][MAX_AXES]));
        free(np);
        sl->n_slices = next;
    }
}

/* "d_model=16, mask=causal" of slice s: the axes with several values. */
static void slice_name(char *buf, size_t cap, const pelab_table *t, const slicing *sl, int s) {
    size_t o = 0;
    buf[0] = '\0';
    for (int a = 0; a < sl->n_axes && o < cap; a++)
        if (sl->n_values[a] > 1)
            o += (size_t)snprintf(buf + o, cap - o, "%s%s=%s", o ? ", " : "", t->cols[sl->col[a]],
                                  sl->values[a][sl->pick[s][a]]);
}

/* Whether row r is in slice s. */
static int in_slice(const pelab_table *t, const slicing *sl, int s, size_t r) {
    for (int a = 0; a < sl->n_axes; a++)
        if (sl->n_values[a] > 1 && strcmp(pelab_table_get(t, r, sl->col[a]), sl->values[a][sl->pick[s][a]]) != 0)
            return 0;
    return 1;
}

/* Whether t holds training results: its identity columns end in eval_len
 * and have no seq_len (pelab/train/train.h). */
static int is_train_table(const pelab_table *t) {
    const int n_id = pelab_table_layout(t).n_id, e = pelab_table_col(t, "eval_len"), q = pelab_table_col(t, "seq_len");
    return e >= 0 && e < n_id && !(q >= 0 && q < n_id);
}

/* A metric mean of row r and its _std as "m ± s" (4 and 2 significant
 * digits; no ± when the std is 0 or absent), "—" when undefined. */
static void fmt_cell(char *buf, size_t cap, const pelab_table *t, size_t r, int col, int std_col) {
    double x, sd = 0;
    pelab_table_num k = pelab_table_number(t, r, col, &x);
    if (k == PELAB_TABLE_NUM_EMPTY) {
        snprintf(buf, cap, "—");
        return;
    }
    if (k != PELAB_TABLE_NUM_OK) {
        snprintf(buf, cap, "%s", pelab_table_get(t, r, col));
        return;
    }
    int has_sd = std_col >= 0 && pelab_table_number(t, r, std_col, &sd) == PELAB_TABLE_NUM_OK && sd != 0 && isfinite(x);
    if (has_sd)
        snprintf(buf, cap, "%.4g\u00a0±\u00a0%.2g", x, sd); /* no-break spaces: "m ± s" never splits */
    else
        snprintf(buf, cap, "%.4g", x);
}

/* The families of the metric registry present in t, in registry order. */
static int families_of(const char **fams, int max, const pelab_table *t) {
    const pelab_metric_def *m = pelab_metric_defs();
    int n = 0;
    for (int k = 0; k < PELAB_METRIC_COUNT; k++) {
        if (pelab_table_col(t, m[k].name) < 0) continue;
        int j = 0;
        while (j < n && strcmp(fams[j], m[k].family) != 0) j++;
        if (j == n && n < max) fams[n++] = m[k].family;
    }
    return n;
}

/* The tables of slice s: per family, one row per scheme at its largest
 * seq_len among the rows with status ok; then the cells that did not run. */
static void write_slice_tables(sbuf *b, const pelab_table *t, const slicing *sl, int s, long sweep_max_n) {
    const int sc = pelab_table_col(t, "scheme"), nc = pelab_table_col(t, "seq_len"), st = pelab_table_col(t, "status");
    if (sc < 0 || nc < 0 || st < 0) return;
    size_t *best = pelab_xmalloc((t->n_rows + 1) * sizeof *best);
    int n = 0, skipped = 0;
    long largest = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!in_slice(t, sl, s, r)) continue;
        if (strcmp(pelab_table_get(t, r, st), "ok") != 0) {
            skipped++;
            continue;
        }
        const char *scheme = pelab_table_get(t, r, sc);
        long len = atol(pelab_table_get(t, r, nc));
        if (len > largest) largest = len;
        int k = 0;
        while (k < n && strcmp(pelab_table_get(t, best[k], sc), scheme) != 0) k++;
        if (k == n) best[n++] = r;
        else if (len > atol(pelab_table_get(t, best[k], nc))) best[k] = r;
    }
    if (!n) {
        sb_puts(b, "No cell of this slice ran (status ok).\n\n");
    } else {
        sb_printf(b, "Each scheme at the largest sequence length it ran (status ok) in this slice");
        if (sweep_max_n > largest) sb_printf(b, " — **the sweep goes to n = %ld, these results only to %ld**", sweep_max_n, largest);
        sb_puts(b, "; mean ± standard deviation over trials, — where a metric is undefined.\n\n");
        const char *fams[32];
        int nf = families_of(fams, 32, t);
        const pelab_metric_def *m = pelab_metric_defs();
        for (int f = 0; f < nf; f++) {
            sb_printf(b, "**%s**\n\n| scheme | n |", fams[f]);
            int cols = 0;
            for (int k = 0; k < PELAB_METRIC_COUNT; k++)
                if (strcmp(m[k].family, fams[f]) == 0 && pelab_table_col(t, m[k].name) >= 0) {
                    sb_printf(b, " %s |", m[k].name);
                    cols++;
                }
            sb_puts(b, "\n| --- | ---: |");
            for (int k = 0; k < cols; k++) sb_puts(b, " ---: |");
            sb_puts(b, "\n");
            for (int i = 0; i < n; i++) {
                sb_puts(b, "| ");
                sb_md(b, pelab_table_get(t, best[i], sc));
                sb_printf(b, " | %s |", pelab_table_get(t, best[i], nc));
                for (int k = 0; k < PELAB_METRIC_COUNT; k++) {
                    int c = pelab_table_col(t, m[k].name);
                    if (strcmp(m[k].family, fams[f]) != 0 || c < 0) continue;
                    char name_std[128], cell[128];
                    snprintf(name_std, sizeof name_std, "%s_std", m[k].name);
                    fmt_cell(cell, sizeof cell, t, best[i], c, pelab_table_col(t, name_std));
                    sb_puts(b, " ");
                    sb_md(b, cell);
                    sb_puts(b, " |");
                }
                sb_puts(b, "\n");
            }
            sb_puts(b, "\n");
        }
    }
    if (skipped) {
        sb_printf(b, "%d cell%s of this slice did not run:\n\n", skipped, skipped == 1 ? "" : "s");
        int shown = 0;
        for (size_t r = 0; r < t->n_rows && shown < 20; r++) {
            if (!in_slice(t, sl, s, r) || strcmp(pelab_table_get(t, r, st), "ok") == 0) continue;
            sb_puts(b, "- ");
            sb_md(b, pelab_table_get(t, r, sc));
            sb_printf(b, " at n = %s: ", pelab_table_get(t, r, nc));
            sb_md(b, pelab_table_get(t, r, st));
            sb_puts(b, "\n");
            shown++;
        }
        if (skipped > shown) sb_printf(b, "- … and %d more\n", skipped - shown);
        sb_puts(b, "\n");
    }
    free(best);
}

/* ---- the tables of training results -------------------------------------------------------- */

/* The training metrics that are measured at each evaluation length (the
 * rest of the registry, pelab_train_metric_defs, are of the whole training
 * run: the same in every row of a cell). scripts/plot.sh draws these. */
static int train_metric_per_length(const char *name) {
    return strcmp(name, "eval_acc") == 0 || strcmp(name, "eval_loss") == 0 || strcmp(name, "logit_max_abs") == 0;
}

/* The metric columns of t (after status, each NAME with NAME_std) in the
 * order of the training registry, then any others in column order; those
 * of one family: per_length 1 (at each eval_len) or 0 (of the run). */
static int train_metrics_of(int *cols, int max, const pelab_table *t, int per_length) {
    int n = 0, count = 0;
    const pelab_train_metric_def *m = pelab_train_metric_defs(&count);
    const int first = pelab_table_layout(t).first_metric;
    char name_std[160];
    for (int k = 0; k < count && n < max; k++) {
        int c = pelab_table_col(t, m[k].name);
        snprintf(name_std, sizeof name_std, "%s_std", m[k].name);
        if (c >= first && pelab_table_col(t, name_std) >= 0 && train_metric_per_length(m[k].name) == per_length)
            cols[n++] = c;
    }
    for (int c = first; c < t->n_cols && n < max && !per_length; c++) {
        size_t len = strlen(t->cols[c]);
        if (len > 4 && strcmp(t->cols[c] + len - 4, "_std") == 0) continue;
        snprintf(name_std, sizeof name_std, "%s_std", t->cols[c]);
        if (pelab_table_col(t, name_std) < 0) continue;
        int known = 0;
        for (int k = 0; k < count && !known; k++) known = strcmp(m[k].name, t->cols[c]) == 0;
        if (!known) cols[n++] = c;
    }
    return n;
}

/* The table's identity columns that take several values over all of t
 * (the key columns a reader tells rows apart by), but scheme and eval_len. */
static int varying_keys(int *cols, int max, const pelab_table *t) {
    const int n_id = pelab_table_layout(t).n_id;
    int n = 0;
    for (int c = 0; c < n_id && n < max; c++) {
        if (strcmp(t->cols[c], "scheme") == 0 || strcmp(t->cols[c], "eval_len") == 0) continue;
        for (size_t r = 1; r < t->n_rows; r++)
            if (strcmp(pelab_table_get(t, r, c), pelab_table_get(t, 0, c)) != 0) {
                cols[n++] = c;
                break;
            }
    }
    return n;
}

/* One table: a header of scheme, the varying keys, [eval_len,] metrics;
 * then the rows. */
static void train_table(sbuf *b, const pelab_table *t, const char *title, const size_t *rows, int n_rows,
                        const int *keys, int n_keys, int with_len, const int *mcols, int n_m) {
    const int sc = pelab_table_col(t, "scheme"), ec = pelab_table_col(t, "eval_len");
    sb_printf(b, "**%s**\n\n| scheme |", title);
    for (int k = 0; k < n_keys; k++) sb_printf(b, " %s |", t->cols[keys[k]]);
    if (with_len) sb_puts(b, " eval_len |");
    for (int k = 0; k < n_m; k++) sb_printf(b, " %s |", t->cols[mcols[k]]);
    sb_puts(b, "\n| --- |");
    for (int k = 0; k < n_keys; k++) sb_puts(b, " --- |");
    if (with_len) sb_puts(b, " ---: |");
    for (int k = 0; k < n_m; k++) sb_puts(b, " ---: |");
    sb_puts(b, "\n");
    for (int i = 0; i < n_rows; i++) {
        sb_puts(b, "| ");
        sb_md(b, pelab_table_get(t, rows[i], sc));
        sb_puts(b, " |");
        for (int k = 0; k < n_keys; k++) {
            sb_puts(b, " ");
            sb_md(b, pelab_table_get(t, rows[i], keys[k]));
            sb_puts(b, " |");
        }
        if (with_len) sb_printf(b, " %s |", pelab_table_get(t, rows[i], ec));
        for (int k = 0; k < n_m; k++) {
            char name_std[160], cell[128];
            snprintf(name_std, sizeof name_std, "%s_std", t->cols[mcols[k]]);
            fmt_cell(cell, sizeof cell, t, rows[i], mcols[k], pelab_table_col(t, name_std));
            sb_puts(b, " ");
            sb_md(b, cell);
            sb_puts(b, " |");
        }
        sb_puts(b, "\n");
    }
    sb_puts(b, "\n");
}

/* Whether rows a and b of t belong to one cell: equal identity but for
 * eval_len. */
static int same_cell(const pelab_table *t, size_t a, size_t b, int n_id, int ec) {
    for (int c = 0; c < n_id; c++)
        if (c != ec && strcmp(pelab_table_get(t, a, c), pelab_table_get(t, b, c)) != 0) return 0;
    return 1;
}

static int cmp_len(const void *a, const void *b) {
    const long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The "train short, test long" table: eval_acc with one row per trained
 * model (scheme and the varying keys) and one column per evaluation length;
 * — where that row did not run. */
static void acc_by_length_table(sbuf *b, const pelab_table *t, const size_t *rows, int n, const size_t *cells,
                                int n_cells, const int *keys, int n_keys, int n_id) {
    const int sc = pelab_table_col(t, "scheme"), ec = pelab_table_col(t, "eval_len");
    const int ac = pelab_table_col(t, "eval_acc"), as = pelab_table_col(t, "eval_acc_std");
    if (ac < 0) return;
    long lens[64] = {0};
    int n_len = 0;
    for (int i = 0; i < n; i++) {
        const long L = strtol(pelab_table_get(t, rows[i], ec), NULL, 10);
        int k = 0;
        while (k < n_len && lens[k] != L) k++;
        if (k == n_len && n_len < 64) lens[n_len++] = L;
    }
    qsort(lens, (size_t)n_len, sizeof *lens, cmp_len);
    sb_puts(b, "**eval_acc by evaluation length** (rows: the trained models; columns: eval_len)\n\n| scheme |");
    for (int k = 0; k < n_keys; k++) sb_printf(b, " %s |", t->cols[keys[k]]);
    for (int j = 0; j < n_len; j++) sb_printf(b, " %ld |", lens[j]);
    sb_puts(b, "\n| --- |");
    for (int k = 0; k < n_keys; k++) sb_puts(b, " --- |");
    for (int j = 0; j < n_len; j++) sb_puts(b, " ---: |");
    sb_puts(b, "\n");
    for (int c = 0; c < n_cells; c++) {
        sb_puts(b, "| ");
        sb_md(b, pelab_table_get(t, cells[c], sc));
        sb_puts(b, " |");
        for (int k = 0; k < n_keys; k++) {
            sb_puts(b, " ");
            sb_md(b, pelab_table_get(t, cells[c], keys[k]));
            sb_puts(b, " |");
        }
        for (int j = 0; j < n_len; j++) {
            char cell[128] = "—";
            for (int i = 0; i < n; i++)
                if (same_cell(t, rows[i], cells[c], n_id, ec) &&
                    strtol(pelab_table_get(t, rows[i], ec), NULL, 10) == lens[j]) {
                    fmt_cell(cell, sizeof cell, t, rows[i], ac, as);
                    break;
                }
            sb_puts(b, " ");
            sb_md(b, cell);
            sb_puts(b, " |");
        }
        sb_puts(b, "\n");
    }
    sb_puts(b, "\n");
}

/* The tables of slice s of training results: eval_acc by evaluation length
 * (a row per trained model, a column per eval_len); "evaluation", one row per
 * scheme and eval_len (the metrics measured there); "training", one row
 * per trained cell (the metrics of the whole run); then the rows that did
 * not run. Both list the key columns that vary in the results. */
static void write_train_slice_tables(sbuf *b, const pelab_table *t, const slicing *sl, int s) {
    const int st = pelab_table_col(t, "status"), sc = pelab_table_col(t, "scheme"), ec = pelab_table_col(t, "eval_len");
    const int n_id = pelab_table_layout(t).n_id;
    if (st < 0 || sc < 0 || ec < 0) return;
    size_t *rows = pelab_xmalloc((t->n_rows + 1) * sizeof *rows), *cells = pelab_xmalloc((t->n_rows + 1) * sizeof *cells);
    int n = 0, n_cells = 0, skipped = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!in_slice(t, sl, s, r)) continue;
        if (strcmp(pelab_table_get(t, r, st), "ok") != 0) {
            skipped++;
            continue;
        }
        rows[n++] = r;
        int k = 0;
        while (k < n_cells && !same_cell(t, cells[k], r, n_id, ec)) k++;
        if (k == n_cells) cells[n_cells++] = r;
    }
    int keys[MAX_AXES], mcols[64];
    const int n_keys = varying_keys(keys, MAX_AXES, t);
    if (!n) {
        sb_puts(b, "No cell of this slice ran (status ok).\n\n");
    } else {
        sb_puts(b, "Mean ± standard deviation over trials, — where a metric is undefined.\n\n");
        acc_by_length_table(b, t, rows, n, cells, n_cells, keys, n_keys, n_id);
        int n_m = train_metrics_of(mcols, 64, t, 1);
        if (n_m) train_table(b, t, "evaluation (at each evaluation length)", rows, n, keys, n_keys, 1, mcols, n_m);
        n_m = train_metrics_of(mcols, 64, t, 0);
        if (n_m) train_table(b, t, "training (of the whole run: one row per trained model)", cells, n_cells, keys, n_keys, 0, mcols, n_m);
    }
    if (skipped) {
        sb_printf(b, "%d row%s of this slice did not run:\n\n", skipped, skipped == 1 ? "" : "s");
        int shown = 0;
        for (size_t r = 0; r < t->n_rows && shown < 20; r++) {
            if (!in_slice(t, sl, s, r) || strcmp(pelab_table_get(t, r, st), "ok") == 0) continue;
            sb_puts(b, "- ");
            sb_md(b, pelab_table_get(t, r, sc));
            for (int k = 0; k < n_keys; k++) {
                sb_printf(b, " %s=", t->cols[keys[k]]);
                sb_md(b, pelab_table_get(t, r, keys[k]));
            }
            sb_printf(b, " at eval_len = %s: ", pelab_table_get(t, r, ec));
            sb_md(b, pelab_table_get(t, r, st));
            sb_puts(b, "\n");
            shown++;
        }
        if (skipped > shown) sb_printf(b, "- … and %d more\n", skipped - shown);
        sb_puts(b, "\n");
    }
    free(rows);
    free(cells);
}

/* ---- which config ran --------------------------------------------------------------------- */

/* Load the config among EXPERIMENT/ci.yaml, EXPERIMENT/full.yaml and the
 * manifest's config_path whose hash is the manifest's: 1 with *cfg loaded
 * and size "ci", "full" or "" (the config_path), 0 when none matches. */
static int find_config(pelab_config *cfg, char *size, size_t size_cap, const char *experiment, const char *config_path,
                       const char *hash_hex) {
    char path[4400];
    uint64_t want = strtoull(hash_hex, NULL, 16);
    if (!hash_hex[0]) return 0;
    for (int k = 0; k < 3; k++) {
        const char *label = k == 0 ? "ci" : k == 1 ? "full" : "";
        if (k < 2 && !experiment) continue;
        if (k < 2) snprintf(path, sizeof path, "%s%s%s.yaml", experiment, experiment[strlen(experiment) - 1] == '/' ? "" : "/", label);
        else if (config_path && config_path[0]) snprintf(path, sizeof path, "%s", config_path);
        else continue;
        pelab_error err;
        if (access(path, R_OK) != 0 || pelab_config_load(cfg, path, &err)) continue;
        if (cfg->hash == want) {
            snprintf(size, size_cap, "%s", label);
            return 1;
        }
        pelab_config_free(cfg);
    }
    return 0;
}

/* Which of EXPERIMENT/ci.yaml and EXPERIMENT/full.yaml (a config of any
 * kind: probe or train, loaded as a job) has the manifest's config hash:
 * 1 with size "ci" or "full", 0 when neither. */
static int find_size(char *size, size_t size_cap, const char *experiment, const char *hash_hex) {
    if (!experiment || !hash_hex[0]) return 0;
    const uint64_t want = strtoull(hash_hex, NULL, 16);
    for (int k = 0; k < 2; k++) {
        const char *label = k == 0 ? "ci" : "full";
        char path[4400];
        snprintf(path, sizeof path, "%s%s%s.yaml", experiment, experiment[strlen(experiment) - 1] == '/' ? "" : "/",
                 label);
        pelab_job job;
        pelab_error err;
        if (access(path, R_OK) != 0 || pelab_job_load(&job, path, &err)) continue;
        const int match = job.hash == want;
        pelab_job_free(&job);
        if (match) {
            snprintf(size, size_cap, "%s", label);
            return 1;
        }
    }
    return 0;
}

/* ---- the report ---------------------------------------------------------------------------- */

typedef struct heatmap_row {
    pelab_heatmap_made made;
    char args[1024];
    char error[PELAB_ERROR_MSG_MAX];
} heatmap_row;

#define MAX_HEATMAP_ROWS 16

typedef struct report {
    const pelab_report_options *opt;
    char title[256];
    char *question, *answer;      /* markdown, or NULL                             */
    const pelab_check *check;     /* or NULL without an experiment                 */
    const pelab_table *table;
    figure *figs;
    int n_figs;
    char fig_note[512];
    char manifest[N_MANIFEST_KEYS][512];
    int has_manifest;
    long sweep_max_n;
    char size[16];                /* "ci", "full", "" (neither), "?" (unknown)     */
    int has_ci, has_full;
    heatmap_row heat[MAX_HEATMAP_ROWS];
    int n_heat;
    char heat_note[512];
} report;

/* The banner: what the manifest says when the run is not whole. */
static void write_banner(sbuf *b, const report *rp) {
    const char *status = rp->manifest[M_STATUS];
    long done = atol(rp->manifest[M_DONE]), total = atol(rp->manifest[M_TOTAL]);
    const char *kind = NULL;
    char what[1024] = "";
    if (!rp->has_manifest) {
        kind = "unknown";
        snprintf(what, sizeof what, "**No manifest.json**: there is no record of the config, the version or whether the run finished.");
    } else if (strcmp(status, "interrupted") == 0) {
        kind = "interrupted";
        snprintf(what, sizeof what, "**Interrupted**: the run was stopped after %ld of %ld cells; the figures, tables and claims below see only those.", done, total);
    } else if (strcmp(status, "failed") == 0) {
        kind = "failed";
        snprintf(what, sizeof what, "**Failed**: the run stopped on an error after %ld of %ld cells; the figures, tables and claims below see only those.", done, total);
    } else if (strcmp(status, "running") == 0) {
        kind = "incomplete";
        snprintf(what, sizeof what, "**Incomplete**: the manifest says the run is still going (or it was killed before it could say so): %ld of %ld cells so far.", done, total);
    } else if (strcmp(status, "complete") != 0) {
        kind = "unknown";
        snprintf(what, sizeof what, "**Unknown status**: the manifest says \"%.200s\".", status);
    } else if (done < total) {
        kind = "incomplete";
        snprintf(what, sizeof what, "**Incomplete**: %ld of %ld cells.", done, total);
    }
    if (!kind) return;
    sb_printf(b, "<div class=\"banner %s\">\n\n%s", kind, what);
    if (rp->has_manifest && rp->manifest[M_CONFIG_PATH][0]) {
        sb_puts(b, " Finish it with\n\n```sh\npelab run ");
        sb_puts(b, rp->manifest[M_CONFIG_PATH]);
        sb_puts(b, " --out ");
        sb_puts(b, rp->opt->results);
        sb_puts(b, " --resume\n```\n\nand write this report again.");
    }
    sb_puts(b, "\n\n</div>\n\n");
}

/* Which of the experiment's configs this run is, and what that means for
 * the README's numbers. */
static void write_size_note(sbuf *b, const report *rp) {
    if (!rp->opt->experiment || (!rp->question && !rp->answer)) return;
    const char *exp = rp->opt->experiment;
    sb_puts(b, "<div class=\"note\">\n\n");
    if (strcmp(rp->size, "full") == 0) {
        sb_printf(b, "**This run is the full size** (`%s/full.yaml`, config hash `%s`): the numbers in the Answer come "
                     "from this configuration.\n\n",
                  exp, rp->manifest[M_HASH]);
    } else {
        if (strcmp(rp->size, "ci") == 0)
            sb_printf(b, "**This run is the CI size** (`%s/ci.yaml`, config hash `%s`), not the full size.", exp,
                      rp->manifest[M_HASH]);
        else if (strcmp(rp->size, "?") == 0)
            sb_puts(b, "**Which config ran is unknown** (no config hash in the manifest).");
        else
            sb_printf(b, "**This run is neither of the experiment's configs** (config hash `%s` is not that of %s%s%s).",
                      rp->manifest[M_HASH], rp->has_ci ? "ci.yaml" : "", rp->has_ci && rp->has_full ? " or " : "",
                      rp->has_full ? "full.yaml" : "");
        sb_puts(b, " The numbers in the Answer below are the experiment's **full-size record** (`full.yaml`), not "
                   "this run's; this run's own numbers are in the claims' verdicts and the tables of every metric.\n\n");
    }
    sb_puts(b, "</div>\n\n");
}

static void write_claims(sbuf *b, const report *rp) {
    const pelab_check *ck = rp->check;
    if (!ck) return;
    sb_printf(b, "## Claims: %d of %d hold on this run\n\nChecked on these results by `pelab check ", ck->n_hold,
              ck->claims.n);
    sb_md(b, rp->opt->experiment);
    sb_puts(b, " ");
    sb_md(b, rp->opt->results);
    sb_puts(b, "`; each line gives the numbers that decided it.\n\n");
    for (int i = 0; i < ck->claims.n; i++) {
        int h = ck->verdicts[i].holds;
        sb_printf(b, "- <span class=\"%s\">%s</span> ", h ? "holds" : "fails", h ? "holds" : "FAILS");
        sb_md(b, ck->claims.items[i].text);
        sb_puts(b, "  \n  <span class=\"detail\">");
        sb_md(b, ck->verdicts[i].detail);
        sb_puts(b, "</span>\n");
    }
    sb_puts(b, "\n");
}

static void write_heatmaps(sbuf *b, const report *rp) {
    if (!rp->n_heat && !rp->heat_note[0]) return;
    sb_puts(b, "## Heatmaps\n\n");
    if (rp->heat_note[0]) {
        sb_md(b, rp->heat_note);
        sb_puts(b, "\n\n");
    }
    for (int i = 0; i < rp->n_heat; i++) {
        const heatmap_row *h = &rp->heat[i];
        sb_puts(b, "### ");
        if (h->made.title[0])
            sb_md(b, h->made.title);
        else
            sb_printf(b, "`%s`", h->args);
        sb_puts(b, "\n\n");
        if (h->error[0]) {
            sb_puts(b, "Not made (`heatmap.args`: `");
            sb_puts(b, h->args);
            sb_puts(b, "`): ");
            sb_md(b, h->error);
            sb_puts(b, "\n\n");
            continue;
        }
        const char *png = strrchr(h->made.png, '/');
        if (h->made.png[0]) {
            sb_printf(b, "![%s](heatmaps/%s)\n\n", "heatmap", png ? png + 1 : h->made.png);
            sb_puts(b, "*One panel per scheme, one colour scale for all of them (viridis); the matrices are in "
                       "`heatmaps/` as CSV (row i = query i, column j = key j).*\n\n");
        } else {
            sb_puts(b, "No picture: ");
            sb_md(b, h->made.note);
            sb_puts(b, "; the matrices are in `heatmaps/` as CSV.\n\n");
        }
    }
}

/* The figures: an index of slices, then the figures of each slice (the
 * first open, the others folded). */
static void write_figures(sbuf *b, const report *rp) {
    sb_puts(b, "## Figures\n\n");
    if (!rp->n_figs) {
        sb_puts(b, "No figures: ");
        sb_md(b, rp->fig_note);
        sb_puts(b, ".\n\n");
        return;
    }
    /* the slices, in the order plot.sh drew them */
    const char *slices[MAX_FIGURES];
    int ns = 0;
    for (int i = 0; i < rp->n_figs; i++) {
        int k = 0;
        while (k < ns && strcmp(slices[k], rp->figs[i].slice) != 0) k++;
        if (k == ns) slices[ns++] = rp->figs[i].slice;
    }
    sb_printf(b, "Every figure is in `figures/` as PNG and SVG. Lines: one colour and marker per scheme, the same in "
                 "every pelab figure; error bars: ± one standard deviation over trials. On a log axis a value of 0 "
                 "is drawn at the bottom edge with an open marker. ");
    if (ns > 1) {
        sb_printf(b, "The results have %d slices (values of the other axes); each has its own figures:\n\n", ns);
        for (int s = 0; s < ns; s++) {
            sb_printf(b, "%d. [", s + 1);
            sb_md(b, slices[s]);
            sb_printf(b, "](#slice-%d)\n", s + 1);
        }
    }
    sb_puts(b, "\n");
    for (int s = 0; s < ns; s++) {
        if (ns > 1) {
            sb_printf(b, "<details id=\"slice-%d\"%s>\n<summary>Slice %d of %d: ", s + 1, s == 0 ? " open" : "", s + 1,
                      ns);
            sb_html(b, slices[s]);
            sb_puts(b, "</summary>\n\n");
        }
        for (int i = 0; i < rp->n_figs; i++) {
            const figure *f = &rp->figs[i];
            if (strcmp(f->slice, slices[s]) != 0) continue;
            sb_puts(b, "### ");
            sb_md(b, f->family);
            if (ns > 1) {
                sb_puts(b, " — ");
                sb_md(b, f->slice);
            }
            sb_puts(b, "\n\n");
            if (f->png[0]) {
                sb_puts(b, "[![");
                sb_md(b, f->title);
                sb_printf(b, "](figures/%s)](figures/%s)\n\n", f->png, f->svg[0] ? f->svg : f->png);
            } else {
                sb_printf(b, "![%s](figures/%s)\n\n", f->family, f->svg);
            }
            if (f->caption[0]) {
                sb_puts(b, "<p class=\"caption\">");
                sb_html(b, f->caption);
                sb_puts(b, "</p>\n\n");
            }
        }
        if (ns > 1) sb_puts(b, "</details>\n\n");
    }
}

static void write_tables(sbuf *b, const report *rp) {
    const pelab_table *t = rp->table;
    const int train = t && is_train_table(t);
    const char *heading = train ? "## Every metric at each evaluation length" : "## Every metric at the largest sequence length";
    if (!t || !t->n_rows) {
        sb_printf(b, "%s\n\nThe results have no rows yet.\n\n", heading);
        return;
    }
    slicing *sl = pelab_xmalloc(sizeof *sl);
    slices_of(sl, t);
    sb_printf(b, "%s\n\n", heading);
    if (sl->n_slices > 1) sb_printf(b, "One set of tables per slice (%d slices).\n\n", sl->n_slices);
    for (int s = 0; s < sl->n_slices; s++) {
        char name[512];
        slice_name(name, sizeof name, t, sl, s);
        if (sl->n_slices > 1) {
            sb_printf(b, "<details%s>\n<summary>Slice %d of %d: ", s == 0 ? " open" : "", s + 1, sl->n_slices);
            sb_html(b, name);
            sb_puts(b, "</summary>\n\n");
        }
        if (train)
            write_train_slice_tables(b, t, sl, s);
        else
            write_slice_tables(b, t, sl, s, rp->sweep_max_n);
        if (sl->n_slices > 1) sb_puts(b, "</details>\n\n");
    }
    free(sl);
}

/* report.md */
static void write_md(sbuf *b, const report *rp) {
    sb_puts(b, "# ");
    sb_md(b, rp->title);
    sb_puts(b, "\n\n");
    write_banner(b, rp);
    write_size_note(b, rp);
    if (rp->question) sb_printf(b, "## Question\n\n%s\n\n", rp->question);
    if (rp->answer)
        sb_printf(b, "## Answer%s\n\n%s\n\n", strcmp(rp->size, "full") == 0 ? "" : " (the full-size record)", rp->answer);
    write_claims(b, rp);
    write_heatmaps(b, rp);
    write_figures(b, rp);
    write_tables(b, rp);
    sb_puts(b, "## Manifest\n\n");
    if (!rp->has_manifest) {
        sb_puts(b, "(no manifest.json in ");
        sb_md(b, rp->opt->results);
        sb_puts(b, ")\n\n");
        return;
    }
    for (int k = 0; k < N_MANIFEST_KEYS; k++)
        if (rp->manifest[k][0]) {
            sb_printf(b, "- %s: ", g_manifest_keys[k]);
            sb_md(b, rp->manifest[k]);
            sb_puts(b, "\n");
        }
    sb_puts(b, "\n");
}

/* The page around md4c's rendering of report.md. The content is at most
 * 1400 px wide and wraps: no horizontal scrolling at that width. */
static const char g_style[] =
    "*{box-sizing:border-box}\n"
    "body{font-family:system-ui,sans-serif;max-width:1400px;margin:1.5em auto;padding:0 1.2em;color:#222;"
    "line-height:1.45;overflow-wrap:anywhere}\n"
    "code,pre{font-family:ui-monospace,monospace;background:#f4f4f4;border-radius:3px}\n"
    "code{padding:0 .2em}pre{padding:.6em;white-space:pre-wrap}\n"
    "table{border-collapse:collapse;font-size:.85em;margin:.4em 0 1em;max-width:100%}\n"
    "td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}\n"
    "th{background:#f6f6f6}\n"
    ".holds{color:#17702a;font-weight:bold}.fails{color:#b00020;font-weight:bold}\n"
    ".detail{color:#555;font-size:.88em}\n"
    ".banner,.note{border-radius:6px;padding:.2em 1em;margin:1em 0}\n"
    ".banner{border:2px solid #c77700;background:#fff4e0}\n"
    ".banner.failed{border-color:#b00020;background:#fde8ea}\n"
    ".note{border:1px solid #9ab;background:#eef4f8}\n"
    ".caption{color:#444;font-size:.9em;margin-top:-.4em}\n"
    "img{max-width:100%;height:auto;border:1px solid #eee}\n"
    "details{margin:.5em 0;padding:.2em .8em;border:1px solid #ddd;border-radius:6px}\n"
    "summary{cursor:pointer;font-weight:600;padding:.3em 0}\n"
    "li{margin:.2em 0}\n";

static pelab_status write_html(sbuf *b, const report *rp, const char *md, size_t md_len, pelab_error *err) {
    char *body = NULL;
    size_t len = 0;
    pelab_status s = pelab_markdown_to_html(&body, &len, md, md_len, err);
    if (s) return s;
    sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    sb_html(b, rp->title);
    sb_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", g_style);
    sb_put(b, body, len);
    sb_puts(b, "</body>\n</html>\n");
    free(body);
    return PELAB_STATUS_OK;
}

/* The heatmap rows of EXPERIMENT/heatmap.args, each line the options of
 * `pelab heatmap` (without CONFIG and --out), drawn into RESULTS/heatmaps. */
static void make_heatmaps(report *rp) {
    const pelab_report_options *opt = rp->opt;
    char path[4400];
    if (!opt->experiment) return;
    snprintf(path, sizeof path, "%s/heatmap.args", opt->experiment);
    char *text = slurp(path);
    if (!text) return;
    if (rp->table && is_train_table(rp->table)) {
        snprintf(rp->heat_note, sizeof rp->heat_note,
                 "No heatmaps: heatmap.args draws cells of a probe config, and these are training results.");
        free(text);
        return;
    }
    pelab_config cfg;
    char size[16];
    if (!find_config(&cfg, size, sizeof size, opt->experiment, rp->manifest[M_CONFIG_PATH], rp->manifest[M_HASH])) {
        snprintf(rp->heat_note, sizeof rp->heat_note,
                 "No heatmaps: the config this run used (hash %.40s) is not at hand (neither ci.yaml, full.yaml nor "
                 "the manifest's config_path).",
                 rp->manifest[M_HASH][0] ? rp->manifest[M_HASH] : "unknown");
        free(text);
        return;
    }
    char dir[4400];
    snprintf(dir, sizeof dir, "%s/heatmaps", opt->results);
    char *at = text, *words[64];
    int nw;
    while (rp->n_heat < MAX_HEATMAP_ROWS && (nw = args_line(&at, words, 64)) > 0) {
        heatmap_row *h = &rp->heat[rp->n_heat];
        size_t o = 0;
        for (int i = 0; i < nw && o < sizeof h->args; i++)
            o += (size_t)snprintf(h->args + o, sizeof h->args - o, "%s%s", i ? " " : "", words[i]);
        pelab_heatmap_spec spec;
        pelab_error err;
        char prefix[32];
        snprintf(prefix, sizeof prefix, "row%d", rp->n_heat + 1);
        if (pelab_heatmap_spec_parse(&spec, nw, words, &err) ||
            pelab_heatmaps_write(&h->made, &cfg, &spec, dir, prefix, opt->scripts, opt->pelab_bin, &err))
            snprintf(h->error, sizeof h->error, "%s", err.msg);
        rp->n_heat++;
    }
    pelab_config_free(&cfg);
    free(text);
}

pelab_status pelab_report_write(pelab_report_summary *sum, const pelab_report_options *opt, pelab_error *err) {
    memset(sum, 0, sizeof *sum);
    report *rp = pelab_xcalloc(1, sizeof *rp);
    rp->opt = opt;
    pelab_check ck;
    memset(&ck, 0, sizeof ck);
    pelab_table table;
    memset(&table, 0, sizeof table);
    char path[4400];
    pelab_status s;
    if (opt->experiment) {
        /* the claims first: an invalid claims file is an error before any work */
        s = pelab_check_run(&ck, opt->experiment, opt->results, err);
        rp->check = &ck;
        rp->table = &ck.table;
    } else {
        snprintf(path, sizeof path, "%s/results.csv", opt->results);
        s = pelab_table_read(&table, path, err);
        rp->table = &table;
    }
    if (s) {
        free(rp);
        return s;
    }

    char *readme = NULL;
    if (opt->experiment) {
        snprintf(path, sizeof path, "%s/README.md", opt->experiment);
        readme = slurp(path);
        snprintf(path, sizeof path, "%s/ci.yaml", opt->experiment);
        rp->has_ci = access(path, R_OK) == 0;
        snprintf(path, sizeof path, "%s/full.yaml", opt->experiment);
        rp->has_full = access(path, R_OK) == 0;
    }
    if (readme) {
        md_title(rp->title, sizeof rp->title, readme);
        rp->question = md_section(readme, "Question");
        rp->answer = md_section(readme, "Answer");
    }
    char name[128];
    rp->has_manifest = read_manifest(rp->manifest, &rp->sweep_max_n, name, sizeof name, opt->results);
    if (!rp->title[0]) snprintf(rp->title, sizeof rp->title, "pelab results: %s", name[0] ? name : opt->results);

    /* which of the experiment's configs ran */
    snprintf(rp->size, sizeof rp->size, "?");
    if (opt->experiment && rp->manifest[M_HASH][0]) {
        char size[16];
        if (find_size(size, sizeof size, opt->experiment, rp->manifest[M_HASH]))
            snprintf(rp->size, sizeof rp->size, "%s", size);
        else
            rp->size[0] = '\0';
    }

    if (opt->scripts) {
        char args[4400];
        snprintf(args, sizeof args, "%s/plot.args", opt->experiment ? opt->experiment : "");
        rp->n_figs = make_figures(&rp->figs, opt->results, opt->scripts, opt->pelab_bin,
                                  opt->experiment && access(args, R_OK) == 0 ? args : NULL, rp->fig_note,
                                  sizeof rp->fig_note);
        make_heatmaps(rp);
    } else {
        snprintf(rp->fig_note, sizeof rp->fig_note, "not made (--no-figures)");
    }

    sbuf md = PELAB_STRBUF_INIT, html = PELAB_STRBUF_INIT;
    write_md(&md, rp);
    s = write_html(&html, rp, md.data, md.len, err);
    snprintf(sum->md_path, sizeof sum->md_path, "%s/report.md", opt->results);
    snprintf(sum->html_path, sizeof sum->html_path, "%s/report.html", opt->results);
    if (!s) s = pelab_write_file_atomic(sum->md_path, md.data, md.len, err);
    if (!s) s = pelab_write_file_atomic(sum->html_path, html.data, html.len, err);

    sum->has_claims = opt->experiment != NULL;
    sum->n_claims = ck.claims.n;
    sum->n_hold = ck.n_hold;
    sum->n_figures = rp->n_figs;
    for (int i = 0; i < rp->n_figs; i++) {
        int k = 0;
        while (k < i && strcmp(rp->figs[k].slice, rp->figs[i].slice) != 0) k++;
        if (k == i) sum->n_slices++;
    }
    for (int i = 0; i < rp->n_heat; i++) sum->n_heatmaps += rp->heat[i].made.png[0] != '\0';
    snprintf(sum->figure_note, sizeof sum->figure_note, "%s", rp->fig_note);
    snprintf(sum->status, sizeof sum->status, "%.31s", rp->manifest[M_STATUS]);
    snprintf(sum->size, sizeof sum->size, "%s", strcmp(rp->size, "?") == 0 ? "" : rp->size);

    free(md.data), free(html.data), free(readme), free(rp->question), free(rp->answer), free(rp->figs);
    free(rp);
    if (opt->experiment)
        pelab_check_free(&ck);
    else
        pelab_table_free(&table);
    return s;
}
