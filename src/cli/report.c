/* cli_report.c — `pelab report`: figures, report.md and report.html for a
 * results folder, with an experiment's question and claims */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pelab/study/claims.h"
#include "cli.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/results.h"
#include "pelab/io/table.h"
#include "pelab/base/fileio.h"
#include "pelab/base/mem.h"

#ifndef PELAB_SOURCE_DIR
#define PELAB_SOURCE_DIR "."
#endif

const char pelab_cli_report_help[] =
    "usage: pelab report RESULTS [EXPERIMENT] [--no-figures]\n"
    "\n"
    "Writes into the results folder RESULTS:\n"
    "  figures/   one figure per metric family (PNG and SVG), made by\n"
    "             scripts/plot.sh with gnuplot; arguments for it may be written\n"
    "             in EXPERIMENT/plot.args (e.g. --where projection=identity;\n"
    "             lines starting with # are comments)\n"
    "  report.md and report.html: the experiment's question and answer (from\n"
    "             EXPERIMENT/README.md, sections '## Question' and '## Answer'),\n"
    "             its claims with their verdicts (EXPERIMENT/claims.yaml), the\n"
    "             figures, a table of every metric at the largest seq_len, and\n"
    "             the run's manifest (version, config hash, threads, time).\n"
    "\n"
    "  --no-figures   do not run gnuplot (the report says so)\n"
    "\n"
    "The scripts are looked up in $PELAB_SCRIPTS when set, else in the source\n"
    "tree pelab was built from (" PELAB_SOURCE_DIR "/scripts). Without\n"
    "gnuplot the report is written without figures and says why.\n"
    "exit status: 0 report written (whatever the claims' verdicts; `pelab\n"
    "check` is the gate), 1 results unreadable or a write failed, 2 bad usage\n"
    "or an invalid claims file.\n";

/* ---- a growable string ------------------------------------------------------------ */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

/* Append printf output to b. */
static void sb_printf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void sb_printf(sbuf *b, const char *fmt, ...) {
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
        va_end(ap);
        PELAB_ASSERT(k >= 0);
        if ((size_t)k < room) {
            b->len += (size_t)k;
            return;
        }
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc < b->len + (size_t)k + 1) nc *= 2;
        char *ns = realloc(b->s, nc);
        if (!ns) {
            fprintf(stderr, "pelab: out of memory writing the report\n");
            abort();
        }
        b->s = ns, b->cap = nc;
    }
}

/* Append s with &, <, > and " escaped for HTML. */
static void sb_html(sbuf *b, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '&': sb_printf(b, "&amp;"); break;
        case '<': sb_printf(b, "&lt;"); break;
        case '>': sb_printf(b, "&gt;"); break;
        case '"': sb_printf(b, "&quot;"); break;
        default: sb_printf(b, "%c", *s);
        }
    }
}

/* Append one line of markdown as HTML: escaped, with `code` and **bold**. */
static void sb_md_inline(sbuf *b, const char *s, size_t len) {
    int code = 0, bold = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '`') {
            sb_printf(b, code ? "</code>" : "<code>");
            code = !code;
        } else if (!code && ch == '*' && i + 1 < len && s[i + 1] == '*') {
            sb_printf(b, bold ? "</b>" : "<b>");
            bold = !bold;
            i++;
        } else {
            char one[2] = {ch, 0};
            sb_html(b, one);
        }
    }
    if (code) sb_printf(b, "</code>");
    if (bold) sb_printf(b, "</b>");
}

/* Append markdown text md as HTML: paragraphs, "- " lists, ``` fences,
 * "### " headings and "| a | b |" tables (the first row is the header).
 * Enough for an experiment's README sections. */
static void sb_md_to_html(sbuf *b, const char *md) {
    int in_p = 0, in_ul = 0, in_pre = 0, in_table = 0;
    const char *line = md;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *t = line;
        size_t tl = len;
        while (tl && (*t == ' ')) t++, tl--;
        if (in_table && !(tl >= 1 && t[0] == '|')) sb_printf(b, "</table>\n"), in_table = 0;
        if (tl >= 3 && strncmp(t, "```", 3) == 0) {
            if (in_p) sb_printf(b, "</p>\n"), in_p = 0;
            if (in_ul) sb_printf(b, "</ul>\n"), in_ul = 0;
            sb_printf(b, in_pre ? "</pre>\n" : "<pre>");
            in_pre = !in_pre;
        } else if (in_pre) {
            char *copy = pelab_xmalloc(len + 1);
            memcpy(copy, line, len);
            copy[len] = '\0';
            sb_html(b, copy);
            sb_printf(b, "\n");
            free(copy);
        } else if (tl == 0) {
            if (in_p) sb_printf(b, "</p>\n"), in_p = 0;
            if (in_ul) sb_printf(b, "</ul>\n"), in_ul = 0;
        } else if (tl >= 1 && t[0] == '|') {
            /* a table row: "| a | b |"; the "|---|" row under the header is skipped */
            if (in_p) sb_printf(b, "</p>\n"), in_p = 0;
            if (in_ul) sb_printf(b, "</ul>\n"), in_ul = 0;
            int rule = strspn(t, "|-: ") == tl;
            if (!rule) {
                sb_printf(b, in_table ? "<tr>" : "<table>\n<tr>");
                const char *cell = t + 1, *end_t = t + tl;
                while (cell < end_t) {
                    const char *bar = memchr(cell, '|', (size_t)(end_t - cell));
                    if (!bar) bar = end_t;
                    const char *c0 = cell, *c1 = bar;
                    while (c0 < c1 && *c0 == ' ') c0++;
                    while (c1 > c0 && c1[-1] == ' ') c1--;
                    if (bar < end_t || c1 > c0) {
                        sb_printf(b, in_table ? "<td>" : "<th>");
                        sb_md_inline(b, c0, (size_t)(c1 - c0));
                        sb_printf(b, in_table ? "</td>" : "</th>");
                    }
                    cell = bar + 1;
                }
                sb_printf(b, "</tr>\n");
                in_table = 1;
            }
        } else if (tl >= 2 && (t[0] == '-' || t[0] == '*') && t[1] == ' ') {
            if (in_p) sb_printf(b, "</p>\n"), in_p = 0;
            if (!in_ul) sb_printf(b, "<ul>\n"), in_ul = 1;
            sb_printf(b, "<li>");
            sb_md_inline(b, t + 2, tl - 2);
            sb_printf(b, "</li>\n");
        } else if (tl >= 4 && strncmp(t, "### ", 4) == 0) {
            if (in_p) sb_printf(b, "</p>\n"), in_p = 0;
            if (in_ul) sb_printf(b, "</ul>\n"), in_ul = 0;
            sb_printf(b, "<h4>");
            sb_md_inline(b, t + 4, tl - 4);
            sb_printf(b, "</h4>\n");
        } else if (in_ul && line[0] == ' ') {
            sb_printf(b, " ");
            sb_md_inline(b, t, tl); /* a continued list item */
        } else {
            if (in_ul) sb_printf(b, "</ul>\n"), in_ul = 0;
            sb_printf(b, in_p ? "\n" : "<p>");
            in_p = 1;
            sb_md_inline(b, t, tl);
        }
        line = end ? end + 1 : line + len;
    }
    if (in_pre) sb_printf(b, "</pre>\n");
    if (in_table) sb_printf(b, "</table>\n");
    if (in_p) sb_printf(b, "</p>\n");
    if (in_ul) sb_printf(b, "</ul>\n");
}

/* ---- inputs ----------------------------------------------------------------------- */

/* The whole file at path, or NULL when it cannot be read. */
static char *slurp(const char *path) {
    char *data = NULL;
    size_t len = 0;
    pelab_error err;
    if (pelab_read_file(&data, &len, path, &err)) return NULL;
    return data;
}

/* The body of the section "## NAME" of markdown md (up to the next "## " or
 * "# " heading), trimmed, malloc'ed; NULL when there is none. */
static char *md_section(const char *md, const char *name) {
    size_t nl = strlen(name);
    for (const char *p = md; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "## ", 3) != 0 || strncmp(p + 3, name, nl) != 0) continue;
        const char *body = strchr(p, '\n');
        if (!body) return NULL;
        body++;
        const char *end = body;
        while (*end && !(strncmp(end, "## ", 3) == 0 || strncmp(end, "# ", 2) == 0)) {
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
            size_t len = strcspn(p + 2, "\n");
            snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p + 2);
            return;
        }
}

/* The value of top-level key in manifest JSON text into buf, without quotes
 * ("" when absent). The runner writes the top-level keys before "config",
 * so the first occurrence is the top-level one. */
static void json_value(char *buf, size_t cap, const char *json, const char *key) {
    char pat[96];
    buf[0] = '\0';
    if (!json) return;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(json, pat);
    if (!p) return;
    p += strlen(pat);
    while (*p == ' ') p++;
    size_t len;
    if (*p == '"') {
        p++;
        len = strcspn(p, "\"");
    } else {
        len = strcspn(p, ",\n}");
    }
    snprintf(buf, cap, "%.*s", (int)(len < cap ? len : cap - 1), p);
}

/* ---- figures -------------------------------------------------------------------------- */

typedef struct figure {
    char family[64], png[256], svg[256], title[512];
} figure;

/* Run scripts/plot.sh on dir (extra arguments from plot_args, a file of
 * blank-separated words with # comment lines, when it exists). Fills figs (up to max) and returns their
 * count; on failure returns 0 and says why in note. */
static int make_figures(figure *figs, int max, const char *dir, const char *plot_args, char *note, size_t note_cap) {
    const char *scripts = getenv("PELAB_SCRIPTS");
    char plot[4200], outdir[4200], self[4096], dir_arg[4200];
    snprintf(plot, sizeof plot, "%s/plot.sh", scripts && scripts[0] ? scripts : PELAB_SOURCE_DIR "/scripts");
    snprintf(outdir, sizeof outdir, "%s/figures", dir);
    if (access(plot, R_OK) != 0) {
        snprintf(note, note_cap, "no figures: %.400s not found (set PELAB_SCRIPTS to the scripts folder)", plot);
        return 0;
    }
    char *argv[80];
    int argc = 0;
    argv[argc++] = "bash";
    argv[argc++] = plot;
    snprintf(dir_arg, sizeof dir_arg, "%s", dir);
    argv[argc++] = dir_arg;
    argv[argc++] = outdir;
    char *extra = plot_args ? slurp(plot_args) : NULL;
    if (extra) {
        /* words separated by blanks and newlines; a line starting with # is a comment */
        int at_line_start = 1, in_comment = 0;
        for (char *p = extra; *p && argc < 78; p++) {
            if (*p == '\n') {
                *p = '\0', at_line_start = 1, in_comment = 0;
                continue;
            }
            if (*p == ' ' || *p == '\t' || *p == '\r') {
                *p = '\0';
                continue;
            }
            if (at_line_start && *p == '#') in_comment = 1;
            at_line_start = 0;
            if (in_comment || (p > extra && p[-1] != '\0')) continue;
            argv[argc++] = p;
        }
    }
    argv[argc] = NULL;
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(note, note_cap, "no figures: cannot start %.300s: %s", plot, strerror(errno));
        free(extra);
        return 0;
    }
    if (pid == 0) {
        if (sl > 0) {
            self[sl] = '\0';
            setenv("PELAB_BIN", self, 1);
        }
        execvp("bash", argv);
        _exit(127);
    }
    free(extra);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(note, note_cap, "no figures: waiting for plot.sh: %s", strerror(errno));
            return 0;
        }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (code == 3) {
        snprintf(note, note_cap, "no figures: gnuplot is not installed (apt-get install gnuplot-nox)");
        return 0;
    }
    if (code != 0) {
        snprintf(note, note_cap, "no figures: %.400s failed (exit %d; its message is above)", plot, code);
        return 0;
    }
    char index[4300];
    snprintf(index, sizeof index, "%s/index.tsv", outdir);
    char *tsv = slurp(index);
    if (!tsv) {
        snprintf(note, note_cap, "no figures: plot.sh wrote no %.400s", index);
        return 0;
    }
    int n = 0;
    for (char *ln = tsv; ln && *ln && n < max;) {
        char *nl = strchr(ln, '\n');
        if (nl) *nl = '\0';
        char *f[4] = {ln, NULL, NULL, NULL};
        for (int k = 1; k < 4 && f[k - 1]; k++) {
            char *tab = strchr(f[k - 1], '\t');
            if (tab) *tab = '\0', f[k] = tab + 1;
        }
        if (f[3]) {
            snprintf(figs[n].family, sizeof figs[n].family, "%s", f[0]);
            snprintf(figs[n].png, sizeof figs[n].png, "%s", f[1]);
            snprintf(figs[n].svg, sizeof figs[n].svg, "%s", f[2]);
            snprintf(figs[n].title, sizeof figs[n].title, "%s", f[3]);
            n++;
        }
        ln = nl ? nl + 1 : NULL;
    }
    free(tsv);
    snprintf(note, note_cap, "%d figure%s in figures/", n, n == 1 ? "" : "s");
    return n;
}

/* ---- the summary table ----------------------------------------------------------------------- */

/* Rows of the table at the largest seq_len of each scheme among rows with
 * status ok whose other axes take their first value (as in the figures).
 * Writes the row indices to rows (one per scheme) and the selection to sel. */
static int summary_rows(const pelab_table *t, size_t *rows, int max, char *sel, size_t sel_cap) {
    static const char *const axes[] = {"d_model", "heads", "mask", "projection", "dtype", "sentence"};
    int ac[6], sc = pelab_table_col(t, "scheme"), nc = pelab_table_col(t, "seq_len"), st = pelab_table_col(t, "status");
    const char *first[6];
    size_t o = 0;
    sel[0] = '\0';
    if (sc < 0 || nc < 0 || st < 0 || t->n_rows == 0) return 0;
    for (int a = 0; a < 6; a++) {
        ac[a] = pelab_table_col(t, axes[a]);
        first[a] = ac[a] >= 0 ? pelab_table_get(t, 0, ac[a]) : NULL;
        if (first[a] && first[a][0] && o < sel_cap)
            o += (size_t)snprintf(sel + o, sel_cap - o, "%s%s=%s", o ? ", " : "", axes[a], first[a]);
    }
    int n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        int ok = strcmp(pelab_table_get(t, r, st), "ok") == 0;
        for (int a = 0; a < 6 && ok; a++)
            if (ac[a] >= 0) ok = strcmp(pelab_table_get(t, r, ac[a]), first[a]) == 0;
        if (!ok) continue;
        const char *scheme = pelab_table_get(t, r, sc);
        double len = atof(pelab_table_get(t, r, nc));
        int k = 0;
        while (k < n && strcmp(pelab_table_get(t, rows[k], sc), scheme) != 0) k++;
        if (k == n) {
            if (n == max) continue;
            rows[n++] = r;
        } else if (len > atof(pelab_table_get(t, rows[k], nc))) {
            rows[k] = r;
        }
    }
    return n;
}

/* ---- the report --------------------------------------------------------------------------------- */

typedef struct report {
    const char *dir;
    char title[256];
    char *question, *answer;       /* markdown, or NULL                  */
    const pelab_check *check;      /* or NULL without an experiment      */
    const char *experiment;
    figure figs[64];
    int n_figs;
    char fig_note[512];
    const pelab_table *table;
    char manifest[16][160];        /* values of g_manifest_keys          */
} report;

static const char *const g_manifest_keys[] = {"pelab_version", "config_path", "config_hash", "status",
                                              "threads",       "cells_done",  "cells_total", "started",
                                              "finished",      "elapsed_s"};
#define N_MANIFEST_KEYS ((int)(sizeof g_manifest_keys / sizeof *g_manifest_keys))

/* A metric mean of row r formatted with 4 significant digits ("" undefined). */
static void fmt_cell(char *buf, size_t cap, const pelab_table *t, size_t r, int col) {
    double x;
    pelab_table_num k = pelab_table_number(t, r, col, &x);
    if (k == PELAB_TABLE_NUM_OK)
        snprintf(buf, cap, "%.4g", x);
    else
        snprintf(buf, cap, "%s", k == PELAB_TABLE_NUM_EMPTY ? "" : pelab_table_get(t, r, col));
}

/* report.md */
static void write_md(sbuf *b, const report *rp) {
    sb_printf(b, "# %s\n\n", rp->title);
    if (rp->question) sb_printf(b, "## Question\n\n%s\n\n", rp->question);
    if (rp->answer) sb_printf(b, "## Answer\n\n%s\n\n", rp->answer);
    if (rp->check) {
        const pelab_check *ck = rp->check;
        sb_printf(b, "## Claims: %d of %d hold\n\nChecked by `pelab check %s %s`.\n\n", ck->n_hold, ck->claims.n,
                  rp->experiment, rp->dir);
        for (int i = 0; i < ck->claims.n; i++)
            sb_printf(b, "- **%s**: %s — %s\n", ck->verdicts[i].holds ? "holds" : "FAILS", ck->claims.items[i].text,
                      ck->verdicts[i].detail);
        sb_printf(b, "\n");
    }
    sb_printf(b, "## Figures\n\n");
    if (!rp->n_figs) sb_printf(b, "No figures: %s.\n\n", rp->fig_note);
    for (int i = 0; i < rp->n_figs; i++) {
        const figure *f = &rp->figs[i];
        if (f->png[0])
            sb_printf(b, "### %s\n\n![%s](figures/%s)%s%s%s\n\n", f->family, f->title, f->png, f->svg[0] ? " ([SVG](figures/" : "",
                      f->svg, f->svg[0] ? "))" : "");
        else
            sb_printf(b, "### %s\n\n[%s](figures/%s)\n\n", f->family, f->title, f->svg);
    }
    size_t rows[64];
    char sel[512];
    int n = summary_rows(rp->table, rows, 64, sel, sizeof sel);
    if (n) {
        const pelab_metric_def *m = pelab_metric_defs();
        sb_printf(b, "## Every metric at the largest sequence length\n\nRows with status ok and %s; the mean over trials.\n\n",
                  sel[0] ? sel : "every row");
        sb_printf(b, "| scheme | seq_len |");
        for (int k = 0; k < PELAB_METRIC_COUNT; k++)
            if (pelab_table_col(rp->table, m[k].name) >= 0) sb_printf(b, " %s |", m[k].name);
        sb_printf(b, "\n|---|---|");
        for (int k = 0; k < PELAB_METRIC_COUNT; k++)
            if (pelab_table_col(rp->table, m[k].name) >= 0) sb_printf(b, "---|");
        sb_printf(b, "\n");
        for (int i = 0; i < n; i++) {
            sb_printf(b, "| %s | %s |", pelab_table_get(rp->table, rows[i], pelab_table_col(rp->table, "scheme")),
                      pelab_table_get(rp->table, rows[i], pelab_table_col(rp->table, "seq_len")));
            for (int k = 0; k < PELAB_METRIC_COUNT; k++) {
                int c = pelab_table_col(rp->table, m[k].name);
                if (c < 0) continue;
                char cell[64];
                fmt_cell(cell, sizeof cell, rp->table, rows[i], c);
                sb_printf(b, " %s |", cell);
            }
            sb_printf(b, "\n");
        }
        sb_printf(b, "\n");
    }
    sb_printf(b, "## Manifest\n\n");
    for (int k = 0; k < N_MANIFEST_KEYS; k++)
        if (rp->manifest[k][0]) sb_printf(b, "- %s: %s\n", g_manifest_keys[k], rp->manifest[k]);
    if (!rp->manifest[0][0]) sb_printf(b, "(no manifest.json in %s)\n", rp->dir);
    sb_printf(b, "\n");
}

/* report.html: the same content, self-contained but for the figure files. */
static void write_html(sbuf *b, const report *rp) {
    sb_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    sb_html(b, rp->title);
    sb_printf(b, "</title>\n<style>\n"
                 "body{font-family:system-ui,sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
                 "code,pre{font-family:ui-monospace,monospace;background:#f4f4f4;border-radius:3px}\n"
                 "pre{padding:.6em;overflow-x:auto}\n"
                 "table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}\n"
                 "td:first-child,th:first-child{text-align:left}\n"
                 ".holds{color:#17702a;font-weight:bold}.fails{color:#b00020;font-weight:bold}\n"
                 "li.claim{margin:.3em 0}.detail{color:#555;font-size:.9em}\n"
                 "img{max-width:100%%;border:1px solid #eee}\n"
                 "</style>\n</head>\n<body>\n<h1>");
    sb_html(b, rp->title);
    sb_printf(b, "</h1>\n");
    if (rp->question) {
        sb_printf(b, "<h2>Question</h2>\n");
        sb_md_to_html(b, rp->question);
    }
    if (rp->answer) {
        sb_printf(b, "<h2>Answer</h2>\n");
        sb_md_to_html(b, rp->answer);
    }
    if (rp->check) {
        const pelab_check *ck = rp->check;
        sb_printf(b, "<h2>Claims: %d of %d hold</h2>\n<p>Checked by <code>pelab check ", ck->n_hold, ck->claims.n);
        sb_html(b, rp->experiment);
        sb_printf(b, " ");
        sb_html(b, rp->dir);
        sb_printf(b, "</code>.</p>\n<ul>\n");
        for (int i = 0; i < ck->claims.n; i++) {
            int h = ck->verdicts[i].holds;
            sb_printf(b, "<li class=\"claim\"><span class=\"%s\">%s</span> ", h ? "holds" : "fails", h ? "holds" : "FAILS");
            sb_html(b, ck->claims.items[i].text);
            sb_printf(b, "<br><span class=\"detail\">");
            sb_html(b, ck->verdicts[i].detail);
            sb_printf(b, "</span></li>\n");
        }
        sb_printf(b, "</ul>\n");
    }
    sb_printf(b, "<h2>Figures</h2>\n");
    if (!rp->n_figs) {
        sb_printf(b, "<p>No figures: ");
        sb_html(b, rp->fig_note);
        sb_printf(b, ".</p>\n");
    }
    for (int i = 0; i < rp->n_figs; i++) {
        const figure *f = &rp->figs[i];
        sb_printf(b, "<h3>");
        sb_html(b, f->family);
        sb_printf(b, "</h3>\n<figure>");
        if (f->png[0]) {
            sb_printf(b, "<a href=\"figures/");
            sb_html(b, f->svg[0] ? f->svg : f->png);
            sb_printf(b, "\"><img src=\"figures/");
            sb_html(b, f->png);
            sb_printf(b, "\" alt=\"");
            sb_html(b, f->title);
            sb_printf(b, "\"></a>");
        } else {
            sb_printf(b, "<img src=\"figures/");
            sb_html(b, f->svg);
            sb_printf(b, "\" alt=\"");
            sb_html(b, f->title);
            sb_printf(b, "\">");
        }
        sb_printf(b, "<figcaption>");
        sb_html(b, f->title);
        sb_printf(b, "</figcaption></figure>\n");
    }
    size_t rows[64];
    char sel[512];
    int n = summary_rows(rp->table, rows, 64, sel, sizeof sel);
    if (n) {
        const pelab_metric_def *m = pelab_metric_defs();
        sb_printf(b, "<h2>Every metric at the largest sequence length</h2>\n<p>Rows with status ok and ");
        sb_html(b, sel[0] ? sel : "every row");
        sb_printf(b, "; the mean over trials.</p>\n<table>\n<tr><th>scheme</th><th>seq_len</th>");
        for (int k = 0; k < PELAB_METRIC_COUNT; k++)
            if (pelab_table_col(rp->table, m[k].name) >= 0) sb_printf(b, "<th>%s</th>", m[k].name);
        sb_printf(b, "</tr>\n");
        for (int i = 0; i < n; i++) {
            sb_printf(b, "<tr><td>");
            sb_html(b, pelab_table_get(rp->table, rows[i], pelab_table_col(rp->table, "scheme")));
            sb_printf(b, "</td><td>");
            sb_html(b, pelab_table_get(rp->table, rows[i], pelab_table_col(rp->table, "seq_len")));
            sb_printf(b, "</td>");
            for (int k = 0; k < PELAB_METRIC_COUNT; k++) {
                int c = pelab_table_col(rp->table, m[k].name);
                if (c < 0) continue;
                char cell[64];
                fmt_cell(cell, sizeof cell, rp->table, rows[i], c);
                sb_printf(b, "<td>");
                sb_html(b, cell);
                sb_printf(b, "</td>");
            }
            sb_printf(b, "</tr>\n");
        }
        sb_printf(b, "</table>\n");
    }
    sb_printf(b, "<h2>Manifest</h2>\n<table>\n");
    for (int k = 0; k < N_MANIFEST_KEYS; k++)
        if (rp->manifest[k][0]) {
            sb_printf(b, "<tr><td>%s</td><td>", g_manifest_keys[k]);
            sb_html(b, rp->manifest[k]);
            sb_printf(b, "</td></tr>\n");
        }
    sb_printf(b, "</table>\n");
    if (!rp->manifest[0][0]) sb_printf(b, "<p>(no manifest.json in the results folder)</p>\n");
    sb_printf(b, "</body>\n</html>\n");
}

/* `pelab report RESULTS [EXPERIMENT] [--no-figures]`: figures, report.md and
 * report.html into RESULTS; returns 0 when the report is written (whatever
 * the verdicts), 1 on read/write failures, 2 on usage or claims-file errors
 * (then nothing is written). */
int pelab_cli_report(int argc, char **argv) {
    const char *dir = NULL, *experiment = NULL;
    int figures = 1;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--no-figures") == 0)
            figures = 0;
        else if (argv[i][0] == '-' && argv[i][1])
            return pelab_cli_usage_error("report: unknown option '%s'", argv[i]);
        else if (!dir)
            dir = argv[i];
        else if (!experiment)
            experiment = argv[i];
        else
            return pelab_cli_usage_error("report: RESULTS and EXPERIMENT only ('%s' is extra)", argv[i]);
    }
    if (!dir) return pelab_cli_usage_error("report wants a RESULTS folder");
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return pelab_cli_usage_error("report: '%s' is not a results folder", dir);
    if (experiment && (stat(experiment, &st) != 0 || !S_ISDIR(st.st_mode)))
        return pelab_cli_usage_error("report: '%s' is not an experiment folder", experiment);

    pelab_error err;
    report rp;
    memset(&rp, 0, sizeof rp);
    rp.dir = dir, rp.experiment = experiment;
    pelab_check ck;
    memset(&ck, 0, sizeof ck);
    pelab_table table;
    char path[4300];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (experiment) {
        /* the claims first: an invalid claims file is exit 2 before any work */
        if (pelab_check_run(&ck, experiment, dir, &err)) return pelab_cli_fail(&err);
        rp.check = &ck;
        rp.table = &ck.table;
    } else {
        if (pelab_table_read(&table, path, &err)) return pelab_cli_fail(&err);
        rp.table = &table;
    }

    /* title, question and answer */
    char *readme = NULL;
    if (experiment) {
        snprintf(path, sizeof path, "%s/README.md", experiment);
        readme = slurp(path);
    }
    if (readme) {
        md_title(rp.title, sizeof rp.title, readme);
        rp.question = md_section(readme, "Question");
        rp.answer = md_section(readme, "Answer");
    }
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    char *manifest = slurp(path);
    for (int k = 0; k < N_MANIFEST_KEYS; k++)
        json_value(rp.manifest[k], sizeof rp.manifest[k], manifest, g_manifest_keys[k]);
    if (!rp.title[0]) {
        char name[128];
        json_value(name, sizeof name, manifest ? strstr(manifest, "\"config\"") : NULL, "name");
        snprintf(rp.title, sizeof rp.title, "pelab results: %s", name[0] ? name : dir);
    }
    free(manifest);

    if (figures) {
        char args[4300];
        snprintf(args, sizeof args, "%s/plot.args", experiment ? experiment : "");
        rp.n_figs = make_figures(rp.figs, 64, dir, experiment && access(args, R_OK) == 0 ? args : NULL, rp.fig_note,
                                 sizeof rp.fig_note);
        if (!rp.n_figs) fprintf(stderr, "pelab: %s\n", rp.fig_note);
    } else {
        snprintf(rp.fig_note, sizeof rp.fig_note, "not made (--no-figures)");
    }

    sbuf md = {0}, html = {0};
    write_md(&md, &rp);
    write_html(&html, &rp);
    char md_path[4300], html_path[4300];
    snprintf(md_path, sizeof md_path, "%s/report.md", dir);
    snprintf(html_path, sizeof html_path, "%s/report.html", dir);
    pelab_status s = pelab_write_file_atomic(md_path, md.s, md.len, &err);
    if (!s) s = pelab_write_file_atomic(html_path, html.s, html.len, &err);
    free(md.s), free(html.s), free(readme), free(rp.question), free(rp.answer);
    int claims_n = ck.claims.n, holds = ck.n_hold;
    if (experiment)
        pelab_check_free(&ck);
    else
        pelab_table_free(&table);
    if (s) return pelab_cli_fail(&err);
    printf("pelab: wrote %s and %s (", md_path, html_path);
    if (experiment) printf("%d of %d claims hold; ", holds, claims_n);
    if (rp.n_figs)
        printf("%d figures)\n", rp.n_figs);
    else
        printf("%s)\n", rp.fig_note);
    return 0;
}
