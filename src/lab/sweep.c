/* sweep.c — see pelab/lab/sweep.h */
#include "pelab/lab/sweep.h"
#include "pelab/base/mem.h"

#include <stdio.h>
#include <stdlib.h>

pelab_status pelab_sweep_expand(pelab_cell **cells, size_t *count, const pelab_config *cfg,
                                pelab_error *err) {
    int outer = cfg->input == PELAB_INPUT_KIND_SENTENCES ? cfg->n_sentences : cfg->n_seq_len;
    long long total = pelab_config_cell_count(cfg);
    if (total <= 0 || total > PELAB_CONFIG_MAX_CELLS)
        return pelab_error_set(err, PELAB_STATUS_CONFIG, "%s: the sweep has %lld cells", cfg->path, total);
    pelab_cell *out = pelab_xcalloc((size_t)total, sizeof *out);
    size_t k = 0;
    for (int a = 0; a < outer; a++)
        for (int b = 0; b < cfg->n_d_model; b++)
            for (int s = 0; s < cfg->n_schemes; s++)
                for (int h = 0; h < cfg->n_heads; h++)
                    for (int m = 0; m < cfg->n_masks; m++)
                        for (int p = 0; p < cfg->n_projections; p++)
                            for (int t = 0; t < cfg->n_dtypes; t++) {
                                pelab_cell *c = &out[k];
                                c->index = k;
                                c->scheme = &cfg->schemes[s];
                                if (cfg->input == PELAB_INPUT_KIND_SENTENCES) {
                                    c->sentence = a;
                                    c->seq_len = cfg->sentence_len[a];
                                } else {
                                    c->sentence = -1;
                                    c->seq_len = cfg->seq_len[a];
                                }
                                c->d_model = cfg->d_model[b];
                                c->heads = cfg->heads[h];
                                c->mask = cfg->masks[m];
                                c->projection = cfg->projections[p];
                                c->dtype = cfg->dtypes[t];
                                k++;
                            }
    PELAB_ASSERT(k == (size_t)total);
    *cells = out;
    *count = k;
    return PELAB_STATUS_OK;
}

