/* heatmap.c — `pelab heatmap`: the attention weights, logits or position
 * similarity of one cell per scheme, as CSV and a picture. The matrices are
 * pelab_heatmap_compute's (src/lab/heatmap.c), the files and the drawing
 * pelab_heatmaps_write's (src/study/report.c, scripts/plot/heatmap.sh). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pelab/lab/config.h"
#include "pelab/study/report.h"

const char pelab_cli_heatmap_help[] =
    "usage: pelab heatmap CONFIG [--scheme S[,S...]] [--what attention|phi|logits]\n"
    "                     [--seq-len N] [--head H] [--out DIR] [--d-model D] [--heads H]\n"
    "                     [--mask M] [--projection P] [--dtype T] [--sentence K]\n"
    "\n"
    "The n x n matrix of one cell of CONFIG's sweep for each scheme (every scheme\n"
    "of the config unless --scheme names some; --scheme may be repeated):\n"
    "  attention  P_h[i][j], the attention weight of query i on key j in head H\n"
    "             (default 0), trial 0's weights (0 where a causal mask hides j)\n"
    "  logits     S_h[i][j] = q_i . k_j / sqrt(d_k) + bias (nan where masked)\n"
    "  phi        Phi(i, j), the scheme's position similarity (pelab geometry)\n"
    "The cell: --seq-len N (default the sweep's largest seq_len up to 64, any N up\n"
    "to 4096), under sentence input --sentence K (default 0) instead; d_model,\n"
    "heads, mask, projection and dtype default to the sweep's first value.\n"
    "\n"
    "Writes DIR/heatmap-WHAT-SCHEME.csv (a '#' line naming the cell, then row i\n"
    "= query i, column j = key j) and DIR/heatmap-WHAT.png: one panel per scheme\n"
    "on one colour scale (viridis), drawn by scripts/plot/heatmap.sh with gnuplot\n"
    "(without gnuplot the CSVs are written and the message says so). DIR defaults\n"
    "to heatmaps/ in the working folder.\n"
    "exit status: 0 written, 1 a file could not be written, 2 bad usage, an invalid\n"
    "config, or a cell that cannot run (the reason is given).\n";

int pelab_cli_heatmap(int argc, char **argv) {
    /* the command line's conventions (pelab_cli_parse), then the options as
     * pairs for the heatmap spec (the reader heatmap.args lines use too) */
    static const char *const names[] = {"--scheme", "--what", "--seq-len", "--d-model", "--heads", "--head",
                                        "--sentence", "--mask", "--projection", "--dtype", "--out"};
    enum { N_OPTS = (int)(sizeof names / sizeof *names) };
    pelab_cli_opt opts[N_OPTS];
    for (int k = 0; k < N_OPTS; k++) opts[k].name = names[k], opts[k].has_value = 1, opts[k].value = NULL;
    const char *pos[1];
    int n_pos = 0;
    if (pelab_cli_parse("heatmap", argc, argv, opts, N_OPTS, pos, 1, &n_pos)) return 2;
    const char *config = n_pos ? pos[0] : NULL, *out = opts[N_OPTS - 1].value ? opts[N_OPTS - 1].value : "heatmaps";
    char *rest[2 * N_OPTS];
    int nrest = 0;
    for (int k = 0; k < N_OPTS - 1; k++)
        if (opts[k].value) {
            rest[nrest++] = (char *)(uintptr_t)names[k];
            rest[nrest++] = (char *)(uintptr_t)opts[k].value;
        }
    if (!config) return pelab_cli_usage_error("heatmap: which CONFIG?");
    pelab_heatmap_spec spec;
    pelab_error err;
    if (pelab_heatmap_spec_parse(&spec, nrest, rest, &err)) return pelab_cli_usage_error("%s", err.msg);
    pelab_config cfg;
    if (pelab_config_load(&cfg, config, &err)) return pelab_cli_fail(&err);
    pelab_heatmap_made made;
    pelab_status s = pelab_heatmaps_write(&made, &cfg, &spec, out, "heatmap", pelab_cli_scripts_dir(),
                                          pelab_cli_self(), &err);
    pelab_config_free(&cfg);
    if (s) return pelab_cli_fail(&err);
    printf("pelab: %d matri%s of %s in %s/\n", made.n_csv, made.n_csv == 1 ? "x" : "ces", made.title, out);
    if (made.png[0])
        printf("pelab: picture %s\n", made.png);
    else
        fprintf(stderr, "pelab: no picture: %s\n", made.note);
    return 0;
}
