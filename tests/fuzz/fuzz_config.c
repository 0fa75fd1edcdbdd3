/* fuzz_config.c — libFuzzer target for the config loaders.
 *
 * Feeds arbitrary bytes to the loader the document asks for: a training
 * config (pelab_train_config_detect: a top-level `train` key) to
 * pelab_train_config_load_buffer, anything else to pelab_config_load_buffer.
 * Neither may crash, leak, hang or accept a config it cannot describe: on
 * success the resolved JSON must exist and the hash match it, and there is
 * at least one cell (for a training config, the first and last cells
 * resolve and describe); on failure the status is CONFIG and the message
 * located ("fuzz.yaml:" first). Build with -DPELAB_FUZZ=ON using clang; see
 * README ("Fuzzing"). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/lab/config.h"
#include "pelab/train/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_train(const char *text, size_t size) {
    pelab_train_config cfg;
    pelab_error err;
    pelab_status s = pelab_train_config_load_buffer(&cfg, text, size, "fuzz.yaml", &err);
    if (s == PELAB_STATUS_OK) {
        pelab_train_settings st;
        char buf[2048];
        if (!cfg.resolved_json || cfg.hash != pelab_hash_str(cfg.resolved_json)) abort();
        if (cfg.n_cells < 1 || cfg.n_key < 1 || cfg.n_key > PELAB_TRAIN_MAX_KEY_COLUMNS) abort();
        for (int k = 0; k < 2; k++) {
            pelab_train_config_cell(&st, &cfg, k ? cfg.n_cells - 1 : 0);
            if (!st.scheme || st.d_model % st.heads != 0 || st.len_from > st.len_to) abort();
            if (st.n_eval < 1 || st.n_eval > PELAB_TRAIN_MAX_EVAL) abort();
            if (pelab_train_config_key(buf, sizeof buf, &cfg, &st) < 1) abort();
            if (pelab_train_config_describe(buf, sizeof buf, &cfg, &st) < 1) abort();
        }
    } else {
        if (s != PELAB_STATUS_CONFIG) abort();
        if (strncmp(err.msg, "fuzz.yaml:", 10) != 0) abort();
    }
    pelab_train_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pelab_config cfg;
    pelab_error err;
    pelab_status s;
    if (pelab_train_config_detect((const char *)data, size)) {
        check_train((const char *)data, size);
        return 0;
    }
    s = pelab_config_load_buffer(&cfg, (const char *)data, size, "fuzz.yaml", ".", &err);
    if (s == PELAB_STATUS_OK) {
        if (!cfg.resolved_json || cfg.hash != pelab_hash_str(cfg.resolved_json)) abort();
        if (pelab_config_cell_count(&cfg) < 1) abort();
    } else {
        if (s != PELAB_STATUS_CONFIG) abort();
        if (strncmp(err.msg, "fuzz.yaml:", 10) != 0) abort();
    }
    pelab_config_free(&cfg);
    return 0;
}
