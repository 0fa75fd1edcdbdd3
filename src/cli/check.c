/* cli_check.c — `pelab check`: an experiment's claims against its results */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/study/claims.h"
#include "cli.h"
#include "pelab/base/fileio.h"
#include "pelab/io/manifest.h"
#include "pelab/lab/results.h"

const char pelab_cli_check_help[] =
    "usage: pelab check EXPERIMENT RESULTS\n"
    "\n"
    "Checks the claims of EXPERIMENT (a folder with claims.yaml, or a claims\n"
    "file) against RESULTS (a folder with results.csv, or the CSV file). Prints\n"
    "one line per claim:\n"
    "  holds: CLAIM (the numbers that decided it)\n"
    "  FAILS: CLAIM: the numbers that decided it (row identity and value)\n"
    "\n"
    "A claims file is a YAML list; each claim has `claim:` (its sentence), an\n"
    "optional `where:` selecting rows, and one check:\n"
    "  expect: METRIC OP NUMBER        every selected row; OP < <= > >= == !=\n"
    "  trend: {metric, over, direction: increasing|decreasing,\n"
    "          min_ratio, max_ratio, tolerance}\n"
    "                                  monotone along `over` in every group of rows\n"
    "                                  that differ only in it\n"
    "  compare: {metric, op, other: {COLUMN: VALUE, ...}, factor, rtol, atol}\n"
    "                                  each row against the row identical but for\n"
    "                                  `other`: a OP factor x b (op ~= : within\n"
    "                                  rtol x |factor x b| + atol; !~= : not within)\n"
    "where values: a scalar, a list, or {min: A, max: B}; strings are globs.\n"
    "A claim fails when it selects no row, or a row whose status is not ok\n"
    "(unless where names status). Probe and training results alike: the\n"
    "identity columns (for where, trend over, compare other) are those before\n"
    "`width` (training: the key columns and eval_len), the metrics those after\n"
    "`status`. See README, section Experiments.\n"
    "\n"
    "exit status: 0 every claim holds, 1 a claim fails (or the results cannot\n"
    "be read), 2 bad usage or an invalid claims file (FILE:LINE:COL: message).\n";

/* The run status recorded next to results_csv (its folder's manifest.json):
 * 1 with *status, 0 when there is no readable manifest. */
static int manifest_status(pelab_manifest_status *status, const char *results_csv) {
    char dir[4300];
    return pelab_manifest_status_of(pelab_path_dir(dir, sizeof dir, results_csv), status);
}

/* `pelab check EXPERIMENT RESULTS`: prints one verdict line per claim and a
 * summary; returns 0 when every claim holds, 1 when one fails or the results
 * cannot be read, 2 on usage or claims-file errors. */
int pelab_cli_check(int argc, char **argv) {
    const char *args[2];
    int n = 0;
    if (pelab_cli_parse("check", argc, argv, NULL, 0, args, 2, &n)) return 2;
    if (n < 2) return pelab_cli_usage_error("check wants EXPERIMENT and RESULTS (e.g. experiments/index-explosion results/index-explosion-ci)");
    pelab_check ck;
    pelab_error err;
    if (pelab_check_run(&ck, args[0], args[1], &err)) return pelab_cli_fail(&err);
    pelab_manifest_status run_status;
    if (manifest_status(&run_status, ck.results_path) && run_status != PELAB_MANIFEST_STATUS_COMPLETE)
        fprintf(stderr, "pelab: warning: the run in %s is %s, not complete: claims are checked on the rows there are\n",
                ck.results_path, pelab_manifest_status_str(run_status));
    for (int i = 0; i < ck.claims.n; i++) {
        const pelab_claim_verdict *v = &ck.verdicts[i];
        if (v->holds)
            printf("holds: %s (%s)\n", ck.claims.items[i].text, v->detail);
        else
            printf("FAILS: %s: %s\n", ck.claims.items[i].text, v->detail);
    }
    printf("pelab: %d of %d claims hold (%s against %s)\n", ck.n_hold, ck.claims.n, ck.claims_path, ck.results_path);
    int rc = ck.n_fail ? 1 : 0;
    pelab_check_free(&ck);
    return rc;
}
