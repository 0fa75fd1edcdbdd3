/* inputs.c — see pelab/lab/inputs.h */
#include "pelab/lab/inputs.h"

#include <string.h>

#include "pelab/base/rng.h"

void pelab_cell_inputs(double *E, const pelab_config *cfg, const pelab_cell *c, int trial) {
    const int n = c->seq_len, d = c->d_model;
    switch (cfg->input) {
    case PELAB_INPUT_KIND_FILE:
        PELAB_ASSERT(cfg->input_cols == d && cfg->input_rows >= n);
        memcpy(E, cfg->input_data, (size_t)n * d * sizeof(double));
        return;
    case PELAB_INPUT_KIND_SENTENCES:
        PELAB_ASSERT(c->sentence >= 0 && c->sentence < cfg->n_sentences && cfg->token_dim == d);
        for (int p = 0; p < n; p++)
            memcpy(E + (size_t)p * d, cfg->token_vectors + (size_t)cfg->sentence_tokens[c->sentence][p] * d,
                   (size_t)d * sizeof(double));
        return;
    case PELAB_INPUT_KIND_RANDOM:
    case PELAB_INPUT_KIND_COUNT:
        break;
    }
    /* Row p of trial t at width d is drawn from stream p of a key made of
     * (seed, "inputs", d, t): every scheme and every length sees the same
     * tokens, and a longer sequence extends a shorter one. */
    uint64_t key = pelab_hash_mix(pelab_hash_mix(cfg->seed, pelab_hash_str("inputs")),
                                  ((uint64_t)d << 32) ^ (uint64_t)trial);
    for (int p = 0; p < n; p++) {
        pelab_rng r = pelab_rng_make(key, (uint64_t)p);
        for (int j = 0; j < d; j++) E[(size_t)p * d + j] = cfg->token_std * pelab_rng_normal(&r);
    }
}

void pelab_cell_permutation(int *perm, const pelab_config *cfg, const pelab_cell *c, int trial) {
    const int n = c->seq_len;
    for (int i = 0; i < n; i++) perm[i] = i;
    switch (cfg->permutation) {
    case PELAB_PERMUTATION_REVERSE:
        for (int i = 0; i < n; i++) perm[i] = n - 1 - i;
        return;
    case PELAB_PERMUTATION_SWAP_ADJACENT:
        for (int i = 0; i + 1 < n; i += 2) perm[i] = i + 1, perm[i + 1] = i;
        return;
    case PELAB_PERMUTATION_RANDOM:
    case PELAB_PERMUTATION_COUNT:
        break;
    }
    /* Fisher-Yates from a stream keyed by (seed, "permutation", n, trial),
     * drawn again until it moves at least one token (n >= 2): an identity
     * permutation would report order blindness that is not there. */
    pelab_rng r = pelab_rng_make(pelab_hash_mix(cfg->seed, pelab_hash_str("permutation")),
                                 ((uint64_t)n << 32) ^ (uint64_t)trial);
    for (;;) {
        int moved = 0;
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = (int)pelab_rng_below(&r, (uint64_t)i + 1);
            int t = perm[i];
            perm[i] = perm[j], perm[j] = t;
        }
        for (int i = 0; i < n; i++) moved |= perm[i] != i;
        if (moved || n < 2) return;
    }
}

