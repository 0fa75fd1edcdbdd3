/* report.c — `pelab report`: arguments in, messages out; the report itself
 * is pelab_report_write (src/study/report.c). */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#if !defined(_XOPEN_SOURCE)
#define _XOPEN_SOURCE 700 /* realpath */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "pelab/study/report.h"

#ifndef PELAB_SOURCE_DIR
#define PELAB_SOURCE_DIR "."
#endif

const char pelab_cli_report_help[] =
    "usage: pelab report RESULTS [EXPERIMENT] [--no-figures]\n"
    "\n"
    "Writes into the results folder RESULTS report.md and report.html (the\n"
    "markdown rendered by md4c) with:\n"
    "  - a banner when the manifest says the run is interrupted, failed or still\n"
    "    running (with the --resume command that finishes it);\n"
    "  - the experiment's question and answer (EXPERIMENT/README.md, sections\n"
    "    '## Question' and '## Answer'), and which of its configs ran (ci.yaml or\n"
    "    full.yaml, by config hash): the answer's numbers are the full-size record;\n"
    "  - its claims with their verdicts on these results (EXPERIMENT/claims.yaml);\n"
    "  - heatmaps/: one row of heatmaps (one panel per scheme) per line of\n"
    "    EXPERIMENT/heatmap.args, each line options of `pelab heatmap`;\n"
    "  - figures/: one figure per metric family and slice of the sweep (PNG and\n"
    "    SVG), made by scripts/plot.sh --all with gnuplot; more arguments for it\n"
    "    may be written in EXPERIMENT/plot.args (e.g. --overlay dtype; lines\n"
    "    starting with # are comments);\n"
    "  - per slice, a table per metric family of every metric at the largest\n"
    "    seq_len (mean ± std), and the cells that did not run;\n"
    "  - the run's manifest (version, config hash, threads, time).\n"
    "\n"
    "  --no-figures   do not run gnuplot (no figures, no heatmaps; the report says so)\n"
    "\n"
    "The scripts are looked up in $PELAB_SCRIPTS when set, else in the source\n"
    "tree pelab was built from (" PELAB_SOURCE_DIR "/scripts). Without\n"
    "gnuplot the report is written without figures and says why.\n"
    "exit status: 0 report written (whatever the claims' verdicts; `pelab\n"
    "check` is the gate), 1 results unreadable or a write failed, 2 bad usage\n"
    "or an invalid claims file.\n";

const char *pelab_cli_scripts_dir(void) {
    const char *scripts = getenv("PELAB_SCRIPTS");
    return scripts && scripts[0] ? scripts : PELAB_SOURCE_DIR "/scripts";
}

const char *pelab_cli_self(void) {
    static char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) return NULL;
    self[n] = '\0';
    return self;
}

int pelab_cli_report(int argc, char **argv) {
    pelab_cli_opt opts[] = {{"--no-figures", 0, NULL}};
    const char *pos[2] = {NULL, NULL};
    int n_pos = 0;
    if (pelab_cli_parse("report", argc, argv, opts, 1, pos, 2, &n_pos)) return 2;
    const char *dir = pos[0], *experiment = pos[1];
    int figures = opts[0].value == NULL;
    if (!dir) return pelab_cli_usage_error("report wants a RESULTS folder");
    /* "experiments/x/" as "experiments/x": paths in the report read cleanly */
    static char dir_buf[4096], exp_buf[4096];
    snprintf(dir_buf, sizeof dir_buf, "%s", dir);
    snprintf(exp_buf, sizeof exp_buf, "%s", experiment ? experiment : "");
    for (size_t n = strlen(dir_buf); n > 1 && dir_buf[n - 1] == '/'; n--) dir_buf[n - 1] = '\0';
    for (size_t n = strlen(exp_buf); n > 1 && exp_buf[n - 1] == '/'; n--) exp_buf[n - 1] = '\0';
    dir = dir_buf;
    if (experiment) experiment = exp_buf;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return pelab_cli_usage_error("report: '%s' is not a results folder", dir);
    if (experiment && (stat(experiment, &st) != 0 || !S_ISDIR(st.st_mode)))
        return pelab_cli_usage_error("report: '%s' is not an experiment folder", experiment);

    pelab_report_options opt = {dir, experiment, figures ? pelab_cli_scripts_dir() : NULL, pelab_cli_self()};
    pelab_report_summary sum;
    pelab_error err;
    if (pelab_report_write(&sum, &opt, &err)) return pelab_cli_fail(&err);
    if (figures && !sum.n_figures) fprintf(stderr, "pelab: no figures: %s\n", sum.figure_note);
    if (sum.status[0] && strcmp(sum.status, "complete") != 0)
        fprintf(stderr, "pelab: warning: the run in %s is %s, not complete: the report says so\n", dir, sum.status);
    printf("pelab: wrote %s and %s (", sum.md_path, sum.html_path);
    char abs[4096];
    if (sum.has_claims) printf("%d of %d claims hold; ", sum.n_hold, sum.n_claims);
    if (sum.n_figures)
        printf("%d figures, %d slice%s", sum.n_figures, sum.n_slices, sum.n_slices == 1 ? "" : "s");
    else
        printf("no figures: %s", sum.figure_note);
    if (sum.n_heatmaps) printf("; %d heatmap row%s", sum.n_heatmaps, sum.n_heatmaps == 1 ? "" : "s");
    printf(")\n");
    if (realpath(sum.html_path, abs)) printf("pelab: open file://%s in a browser\n", abs);
    return 0;
}
