/* cli_attend.c — `pelab attend`: the seed's question, answered per token */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelab/lab/config.h"
#include "pelab/lab/metrics.h"
#include "pelab/lab/inputs.h"
#include "pelab/lab/probe.h"
#include "pelab/lab/sweep.h"
#include "pelab/base/mem.h"

const char pelab_cli_attend_help[] =
    "usage: pelab attend CONFIG [--format table|csv]\n"
    "\n"
    "For a config with literal `tokens` and `sentences`: prints the contextual\n"
    "embedding (attention output) of every token of every sentence under every\n"
    "scheme of the sweep, then, per scheme, whether each token's embedding is\n"
    "the same in every sentence it appears in. The config must give one value\n"
    "of heads, mask, projection and dtype. csv columns:\n"
    "  scheme,sentence,position,token,dim,value\n"
    "(sentence, position and dim numbered from 0).\n";

int pelab_cli_attend(int argc, char **argv) {
    const char *config = NULL;
    int csv = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "csv") == 0) csv = 1;
            else if (strcmp(argv[i], "table") == 0) csv = 0;
            else return pelab_cli_usage_error("attend: --format is table or csv, not '%s'", argv[i]);
        } else if (argv[i][0] == '-')
            return pelab_cli_usage_error("attend: unknown or incomplete option '%s'", argv[i]);
        else if (!config)
            config = argv[i];
        else
            return pelab_cli_usage_error("attend: one CONFIG only ('%s' is extra)", argv[i]);
    }
    if (!config) return pelab_cli_usage_error("attend: which CONFIG?");
    pelab_config cfg;
    pelab_error err;
    if (pelab_config_load(&cfg, config, &err)) return pelab_cli_fail(&err);
    int rc = 0;
    const char *axis = cfg.input != PELAB_INPUT_KIND_SENTENCES ? "tokens and sentences"
                       : cfg.n_heads != 1 ? "heads" : cfg.n_masks != 1 ? "mask"
                       : cfg.n_projections != 1 ? "projection" : cfg.n_dtypes != 1 ? "dtype" : NULL;
    if (axis) {
        if (cfg.input != PELAB_INPUT_KIND_SENTENCES)
            fprintf(stderr, "pelab: %s: attend needs literal tokens and sentences\n", config);
        else
            fprintf(stderr, "pelab: %s: attend needs one value of %s\n", config, axis);
        pelab_config_free(&cfg);
        return 2;
    }
    pelab_cell *cells = NULL;
    size_t count = 0;
    if (pelab_sweep_expand(&cells, &count, &cfg, &err)) {
        pelab_config_free(&cfg);
        return pelab_cli_fail(&err);
    }
    if (csv) printf("scheme,sentence,position,token,dim,value\n");
    for (int s = 0; s < cfg.n_schemes && rc == 0; s++) {
        /* outputs of every sentence under scheme s */
        double **outs = pelab_xcalloc((size_t)cfg.n_sentences, sizeof *outs);
        int D = 0;
        for (size_t k = 0; k < count; k++) {
            const pelab_cell *c = &cells[k];
            if (c->scheme != &cfg.schemes[s]) continue;
            char why[200];
            if (pelab_cell_check(c, why, sizeof why)) {
                fprintf(stderr, "pelab: %s: scheme %s cannot run sentence %d: %s\n", config, c->scheme->name,
                        c->sentence, why);
                rc = 1;
                break;
            }
            D = pelab_cell_proj_width(c);
            outs[c->sentence] = pelab_xmalloc((size_t)c->seq_len * D * sizeof(double));
            pelab_cell_attend(outs[c->sentence], &cfg, c);
        }
        for (int t = 0; t < cfg.n_sentences && rc == 0; t++) {
            if (!csv) printf("%-12s %s\n", cfg.schemes[s].name, cfg.sentence_text[t]);
            for (int p = 0; p < cfg.sentence_len[t]; p++) {
                const char *tok = cfg.token_names[cfg.sentence_tokens[t][p]];
                const double *o = outs[t] + (size_t)p * D;
                if (csv) {
                    for (int j = 0; j < D; j++)
                        printf("%s,%d,%d,%s,%d,%.9g\n", cfg.schemes[s].name, t, p, tok, j, o[j]);
                } else {
                    printf("  %-10s [", tok);
                    for (int j = 0; j < D; j++) printf("%s%9.6f", j ? ", " : "", o[j]);
                    printf("]\n");
                }
            }
        }
        /* the seed's question: is a token's embedding the same in every sentence? */
        if (!csv && rc == 0) {
            for (int tk = 0; tk < cfg.n_tokens; tk++) {
                const double *first = NULL;
                double maxdiff = 0;
                int seen = 0;
                for (int t = 0; t < cfg.n_sentences; t++)
                    for (int p = 0; p < cfg.sentence_len[t]; p++) {
                        if (cfg.sentence_tokens[t][p] != tk) continue;
                        const double *o = outs[t] + (size_t)p * D;
                        if (!first) first = o;
                        for (int j = 0; j < D; j++) maxdiff = fmax(maxdiff, fabs(o[j] - first[j]));
                        seen++;
                    }
                if (seen < 2) continue;
                if (maxdiff < 1e-6)
                    printf("  => %s: the same contextual embedding in every sentence (max |diff| %.2g)\n",
                           cfg.token_names[tk], maxdiff);
                else
                    printf("  => %s: differs between sentences (max |diff| %.4g)\n", cfg.token_names[tk], maxdiff);
            }
            printf("\n");
        }
        for (int t = 0; t < cfg.n_sentences; t++) free(outs[t]);
        free(outs);
    }
    free(cells);
    pelab_config_free(&cfg);
    return rc;
}

