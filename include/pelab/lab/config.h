/* pelab/lab/config.h — a YAML sweep config, loaded, validated and resolved.
 *
 * pelab_config_load either returns a config in which every value is present
 * (defaults filled in), in range and mutually consistent, or refuses with one
 * located message "FILE:LINE:COLUMN: what is wrong" (PELAB_STATUS_CONFIG),
 * or "FILE: reason" when the file itself cannot be read (also
 * PELAB_STATUS_CONFIG: exit 2). Nothing is run
 * or written by loading. The schema (keys, types, ranges, defaults) lives in
 * config.c alone; README and `pelab validate --help` describe it. */
#ifndef PELAB_CONFIG_H
#define PELAB_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "pelab/base/status.h"
#include "pelab/lab/cell.h"
#include "pelab/pe/encoding.h"

typedef enum pelab_permutation {
    PELAB_PERMUTATION_RANDOM = 0,
    PELAB_PERMUTATION_REVERSE,
    PELAB_PERMUTATION_SWAP_ADJACENT,
    PELAB_PERMUTATION_COUNT
} pelab_permutation;
typedef enum pelab_input_kind {
    PELAB_INPUT_KIND_RANDOM = 0, /* E ~ N(0, token_std^2)                        */
    PELAB_INPUT_KIND_FILE,       /* rows of a CSV matrix                         */
    PELAB_INPUT_KIND_SENTENCES,  /* literal tokens and sentences                 */
    PELAB_INPUT_KIND_COUNT
} pelab_input_kind;

/* Names as they appear in configs ("random", "reverse", "swap_adjacent";
 * "random", "file", "sentences"). */
const char *pelab_permutation_str(pelab_permutation p);
const char *pelab_input_kind_str(pelab_input_kind k);

/* Limits that protect the machine from hostile or mistaken configs. */
#define PELAB_CONFIG_MAX_BYTES (1 << 20)     /* file size                        */
#define PELAB_CONFIG_MAX_DEPTH 32            /* nesting of mappings/sequences    */
#define PELAB_CONFIG_MAX_NODES 100000        /* nodes visited, aliases expanded  */
#define PELAB_CONFIG_MAX_CELLS 1000000       /* cells in the sweep               */
#define PELAB_CONFIG_MAX_SEQ_LEN (1 << 24)
#define PELAB_CONFIG_MAX_D_MODEL 65536
#define PELAB_CONFIG_MAX_TRIALS 100000
#define PELAB_NAME_MAX 64

typedef struct pelab_config {
    char path[4096];         /* as given on the command line                  */
    char name[PELAB_NAME_MAX];
    uint64_t seed;           /* default 1                                     */
    int trials;              /* default 1, >= 1                               */
    pelab_permutation permutation; /* default random                          */
    double token_std;        /* default 1.0, finite, > 0                      */
    pelab_input_kind input;  /* default random                                */

    /* Sweep axes, in this order of the cartesian product (outermost first).
     * Each has count >= 1 after loading, except seq_len with sentence input
     * (n_seq_len == 0: each sentence's length is its own seq_len). With file
     * input d_model is [input_cols]; with sentences it is [token_dim].     */
    int n_seq_len;        int *seq_len;
    int n_d_model;        int *d_model;
    int n_schemes;        pelab_scheme *schemes;  /* built-ins or named variants */
    int n_heads;          int *heads;             /* default [1]               */
    int n_masks;          pelab_mask *masks;      /* default [none]            */
    int n_projections;    pelab_projection *projections; /* default [random]   */
    int n_dtypes;         pelab_dtype *dtypes;    /* default [f32]             */

    /* inputs: {file: PATH}: PATH relative to the config's folder. */
    char input_path[4096];
    int input_rows, input_cols;
    double *input_data;      /* input_rows x input_cols, row-major             */

    /* tokens: {Name: [v...]} and sentences: ["A B C", [A, B, C], ...]. */
    int n_tokens, token_dim;
    char (*token_names)[PELAB_NAME_MAX];
    double *token_vectors;   /* n_tokens x token_dim                           */
    int n_sentences;
    char **sentence_text;    /* "Lion Kills Deer" (names joined by spaces)     */
    int *sentence_len;
    int **sentence_tokens;   /* indices into tokens                            */

    char *resolved_json;     /* canonical JSON of the resolved config          */
    uint64_t hash;           /* pelab_hash_str(resolved_json)                  */
} pelab_config;

/* Load and validate the config at path. On success fills *cfg (free with
 * pelab_config_free) and returns PELAB_STATUS_OK; on failure leaves *cfg
 * empty (safe to free) and returns PELAB_STATUS_CONFIG with err->msg
 * "PATH:LINE:COLUMN: message" (line and column 1-based). */
pelab_status pelab_config_load(pelab_config *cfg, const char *path, pelab_error *err);

/* The same from a buffer: display_path names it in messages; relative input
 * files are looked up in base_dir ("." when NULL). Used by tests and the
 * fuzzer. */
pelab_status pelab_config_load_buffer(pelab_config *cfg, const char *text, size_t len,
                                      const char *display_path, const char *base_dir,
                                      pelab_error *err);

/* Release everything a loaded (or failed) config owns; leaves it zeroed. */
void pelab_config_free(pelab_config *cfg);

/* Number of cells of the sweep: the product of the axis lengths, with the
 * sentence count standing in for seq_len under sentence input. */
long long pelab_config_cell_count(const pelab_config *cfg);

#endif /* PELAB_CONFIG_H */
