/* pelab/study/report.h — what `pelab report` writes into a results folder,
 * and the markdown it is written in.
 *
 * Markdown is rendered by md4c (CommonMark 0.30 plus GitHub's tables and
 * strikethrough; Debian libmd4c-dev, libmd4c-html0-dev): pelab has no
 * markdown parser of its own. */
#ifndef PELAB_STUDY_REPORT_H
#define PELAB_STUDY_REPORT_H

#include <stddef.h>

#include "pelab/base/status.h"
#include "pelab/lab/config.h"
#include "pelab/lab/heatmap.h"

/* Render md_len bytes of markdown md as an HTML fragment (no <html> or
 * <body>): *html is malloc'ed and NUL-terminated (the caller frees it), *len
 * (when not NULL) its length. Raw HTML in md passes through. Fails (RUN)
 * only when md4c gives up (out of memory) or md is over 2 GiB. */
pelab_status pelab_markdown_to_html(char **html, size_t *len, const char *md, size_t md_len, pelab_error *err);

/* text escaped so that markdown shows it literally, on one line: markdown
 * punctuation (\ ` * [ ] < > | & ~ # !) gets a backslash, so does an
 * underscore that is not inside a word and a - + = that starts the text;
 * newlines become spaces. Malloc'ed (the caller frees it). */
char *pelab_markdown_escape(const char *text);

/* ---- running the scripts ------------------------------------------------------ */

/* Run `bash SCRIPT ARGS...` (argv[0] is the script, argv NULL-terminated)
 * with PELAB_BIN=pelab_bin in its environment when pelab_bin is not NULL,
 * its output and errors going where ours go, and wait for it. Returns its
 * exit code (128 + N when signal N killed it), or -1 with the reason in why
 * when it could not be started. */
int pelab_report_run_script(char *const argv[], const char *pelab_bin, char *why, size_t why_cap);

/* ---- heatmaps -------------------------------------------------------------------- */

#define PELAB_HEATMAP_MAX_SCHEMES 64

/* What one heatmap picture shows: one matrix of one cell per scheme. */
typedef struct pelab_heatmap_spec {
    pelab_heatmap_what what;      /* default attention                              */
    pelab_heatmap_select sel;     /* the cell, but for its scheme                   */
    int head;                     /* default 0                                      */
    int n_schemes;                /* 0: every scheme of the config                  */
    char schemes[PELAB_HEATMAP_MAX_SCHEMES][PELAB_SCHEME_NAME_MAX];
} pelab_heatmap_spec;

/* Parse the options of `pelab heatmap` that choose the picture: --scheme S
 * (repeated, or a comma-separated list; "all" = every scheme), --what
 * attention|phi|logits, --seq-len N, --d-model D, --heads H, --head H
 * (from 0), --mask M, --projection P, --dtype T, --sentence K (from 0).
 * argv holds only those. USAGE error naming the bad option otherwise. */
pelab_status pelab_heatmap_spec_parse(pelab_heatmap_spec *spec, int argc, char *const argv[], pelab_error *err);

/* What pelab_heatmaps_write made. */
typedef struct pelab_heatmap_made {
    int n_csv;            /* one CSV per scheme                                     */
    char png[4400];       /* the picture, "" when none was drawn (then note says why) */
    char title[512];      /* what it shows: "attention P, head 0: seq_len=16 ..."  */
    char note[512];
    int seq_len;
} pelab_heatmap_made;

/* Compute spec's matrix for each of its schemes of cfg, write
 * DIR/NAME-SCHEME.csv (a '#' line saying what it is, then n rows of n
 * comma-separated numbers: row i = query i, column j = key j; "nan" where
 * a causal mask hides a logit) and, when scripts is not NULL, draw them
 * side by side with SCRIPTS/plot/heatmap.sh into DIR/NAME.png on one shared
 * colour scale. NAME is name_prefix-WHAT. Without gnuplot (or when the
 * script fails) the CSVs are kept and made->note says why there is no
 * picture. Errors: USAGE for a scheme the config lacks or a cell that cannot
 * run, IO when a file cannot be written. */
pelab_status pelab_heatmaps_write(pelab_heatmap_made *made, const pelab_config *cfg, const pelab_heatmap_spec *spec,
                                  const char *dir, const char *name_prefix, const char *scripts,
                                  const char *pelab_bin, pelab_error *err);

/* One matrix of a picture: n x n, row i = query i, column j = key j. */
typedef struct pelab_heatmap_panel {
    const char *name;   /* the panel's title; its letters, digits, - and _ name the CSV */
    const char *header; /* the CSV's '#' line after "pelab heatmap: " (one line)      */
    const double *m;    /* NULL: computed by the writer's fill callback                */
} pelab_heatmap_panel;

/* The writer pelab_heatmaps_write uses, for any matrices: DIR/BASE-NAME.csv
 * per panel (the '#' line, then the rows; "nan" for NaN) and, when scripts
 * is not NULL, DIR/BASE.png by SCRIPTS/plot/heatmap.sh, one panel each on
 * one colour scale, titled `title`; labels (NULL: the indices) is the axes'
 * tick labels, n blank-separated words. A panel without m is computed by
 * fill(m, panel, ctx) into an n x n buffer just before its file is written
 * (one matrix in memory at a time). made as pelab_heatmaps_write's. */
pelab_status pelab_heatmap_panels_write(pelab_heatmap_made *made, const char *dir, const char *base,
                                        pelab_heatmap_what what, const char *title, int n,
                                        const pelab_heatmap_panel *panels, int np,
                                        void (*fill)(double *m, int panel, void *ctx), void *ctx, const char *labels,
                                        const char *scripts, const char *pelab_bin, pelab_error *err);

/* ---- the report ---------------------------------------------------------------------- */

typedef struct pelab_report_options {
    const char *results;    /* the results folder                                       */
    const char *experiment; /* an experiment folder, or NULL                            */
    const char *scripts;    /* the folder of plot.sh; NULL: no figures and no heatmaps  */
    const char *pelab_bin;  /* this pelab, for the scripts (PELAB_BIN); may be NULL     */
} pelab_report_options;

typedef struct pelab_report_summary {
    char md_path[4400], html_path[4400];
    int has_claims, n_claims, n_hold;
    int n_figures, n_slices, n_heatmaps;
    char figure_note[512];  /* why there are no figures, when there are none           */
    char status[32];        /* the manifest's status ("" without a manifest)          */
    char size[32];          /* "ci", "full", or "" (not one of the experiment's configs) */
} pelab_report_summary;

/* Write RESULTS/report.md and RESULTS/report.html (report.md rendered by
 * md4c in a page of its own style) and, unless scripts is NULL, the figures
 * (SCRIPTS/plot.sh with --all and EXPERIMENT/plot.args into
 * RESULTS/figures/) and the heatmap rows EXPERIMENT/heatmap.args asks for
 * (RESULTS/heatmaps/). The report says what it is: a banner when the
 * manifest says the run is not complete (with the resume command), which of
 * the experiment's configs ran (ci.yaml, full.yaml, by config hash) and,
 * when it is not full.yaml, that the README's numbers are the full-size
 * record; the claims' verdicts on these results; every slice of the sweep
 * (one figure per family and slice, one table per family and slice of every
 * metric at the largest seq_len, mean ± std). The slices are the values of
 * the identity columns (those before width: pelab_results_layout) but
 * scheme, sentence, seq_len and eval_len.
 *
 * Training results (identity columns KEY...,eval_len) have the same report:
 * figures per slice (plot.sh: "evaluation", eval_acc, eval_loss and
 * logit_max_abs against eval_len; "curves", loss, train_acc and grad_norm
 * against the step from curves.csv, the mean over trials), and per slice
 * two tables, mean ± std, each listing the key columns that vary in the
 * results: "evaluation", a row per scheme and eval_len; "training", a row
 * per trained model with the metrics of the whole run (train_loss,
 * steps_to_fit, ..., time_s). Errors: the claims file's
 * (CONFIG), unreadable results (IO or RUN), a failed write (IO); nothing is
 * written on a claims-file error. Figures and heatmaps that cannot be made
 * are a note in the report, not an error. */
pelab_status pelab_report_write(pelab_report_summary *sum, const pelab_report_options *opt, pelab_error *err);

#endif /* PELAB_STUDY_REPORT_H */
