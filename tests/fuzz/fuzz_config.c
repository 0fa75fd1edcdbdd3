/* fuzz_config.c — libFuzzer target for the config loader.
 *
 * Feeds arbitrary bytes to pelab_config_load_buffer. The loader must never
 * crash, leak, hang or accept a config it cannot describe: on success the
 * resolved JSON must exist and the hash match it; on failure the message
 * must be located ("fuzz.yaml:" first). Build with -DPELAB_FUZZ=ON using
 * clang; see README ("Fuzzing"). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/lab/config.h"
#include "pelab/base/rng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pelab_config cfg;
    pelab_error err;
    pelab_status s = pelab_config_load_buffer(&cfg, (const char *)data, size, "fuzz.yaml", ".", &err);
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
