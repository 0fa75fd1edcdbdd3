/* pelab/pe/encoding.h — the positional-encoding schemes: a registry, and the
 * position-dependent pieces each scheme contributes.
 *
 * Positions are p = 0..n-1. E is the n x d token-embedding matrix. A scheme
 * is one of five kinds:
 *   NONE    X = E
 *   APPEND  X = [E | PE]        PE is n x pe_width (index, index_norm, onehot, binary)
 *   ADD     X = E + PE          PE is n x d        (sinusoidal, learned)
 *   ROTATE  X = E; each head's q and k are rotated by position after the
 *           projection (rope and its scalings, xpos; pelab/pe/rope.h)
 *   BIAS    X = E; a per-head bias b_h(j - i) is added to the logits
 *           (alibi, t5)
 * Adding a scheme: one row in the registry table in encoding.c, its case in
 * pelab_encoding_positions / pelab_encoding_rel_bias, and its tests. */
#ifndef PELAB_ENCODING_H
#define PELAB_ENCODING_H

#include <stddef.h>
#include <stdint.h>

typedef enum pelab_scheme_id {
    PELAB_SCHEME_NONE = 0,
    PELAB_SCHEME_INDEX,
    PELAB_SCHEME_INDEX_NORM,
    PELAB_SCHEME_SINUSOIDAL,
    PELAB_SCHEME_ONEHOT,
    PELAB_SCHEME_BINARY,
    PELAB_SCHEME_LEARNED,
    PELAB_SCHEME_ROPE,
    PELAB_SCHEME_ALIBI,
    PELAB_SCHEME_T5,
    PELAB_SCHEME_XPOS,
    PELAB_SCHEME_COUNT
} pelab_scheme_id;

typedef enum pelab_scheme_kind {
    PELAB_SCHEME_KIND_NONE = 0,
    PELAB_SCHEME_KIND_APPEND,
    PELAB_SCHEME_KIND_ADD,
    PELAB_SCHEME_KIND_ROTATE,
    PELAB_SCHEME_KIND_BIAS,
    PELAB_SCHEME_KIND_COUNT
} pelab_scheme_kind;

/* "none", "append", "add", "rotate", "bias". */
const char *pelab_scheme_kind_str(pelab_scheme_kind k);

typedef enum pelab_param_type {
    PELAB_PARAM_TYPE_INT = 0,  /* integer in [min, max]                         */
    PELAB_PARAM_TYPE_REAL,     /* finite real in [min, max]                     */
    PELAB_PARAM_TYPE_CHOICE,   /* one of `choices` ("interleaved|half"); value = index */
} pelab_param_type;

typedef struct pelab_param_def {
    const char *name;
    pelab_param_type type;
    double def;          /* default value; for max_len of index_norm, onehot and
                            binary, 0 means "the cell's seq_len n"             */
    double min, max;     /* inclusive range (for INT and REAL)                 */
    const char *choices; /* '|'-separated names, CHOICE only; else NULL        */
    const char *help;    /* one line, shown by `pelab schemes`                 */
} pelab_param_def;

#define PELAB_SCHEME_MAX_PARAMS 12
#define PELAB_SCHEME_NAME_MAX 64

typedef struct pelab_scheme_def {
    const char *name;        /* "index_norm"                                     */
    pelab_scheme_id id;
    pelab_scheme_kind kind;
    const char *formula;     /* one line, e.g. "X = [E | (p+1)/L]"              */
    int n_params;
    pelab_param_def params[PELAB_SCHEME_MAX_PARAMS];
} pelab_scheme_def;

/* A scheme as a sweep uses it: a built-in plus parameter values, under the
 * name that appears in results ("sinusoidal", or a config variant "norm512"). */
typedef struct pelab_scheme {
    char name[PELAB_SCHEME_NAME_MAX];
    pelab_scheme_id id;
    double params[PELAB_SCHEME_MAX_PARAMS]; /* in the order of the def's params */
} pelab_scheme;

/* The registry, in id order; *count receives PELAB_SCHEME_COUNT. */
const pelab_scheme_def *pelab_scheme_defs(int *count);
/* The def of a built-in by name, or NULL. */
const pelab_scheme_def *pelab_scheme_def_find(const char *name);
/* The def of an id (asserts the id is valid). */
const pelab_scheme_def *pelab_scheme_def_get(pelab_scheme_id id);
/* Index of parameter `name` in def->params, or -1. */
int pelab_scheme_param_index(const pelab_scheme_def *def, const char *name);
/* The choices of a CHOICE parameter pd: their number (0 for other types),
 * and the name of choice k (the k-th '|'-separated word of pd->choices)
 * into buf (NUL-terminated, truncated to cap bytes; "" for k out of range).
 * Returns buf. The one reader of pd->choices. */
int pelab_param_choice_count(const pelab_param_def *pd);
const char *pelab_param_choice_name(const pelab_param_def *pd, int k, char *buf, size_t cap);
/* A scheme with the built-in's name and every parameter at its default. */
void pelab_scheme_init_default(pelab_scheme *s, pelab_scheme_id id);
/* Value of parameter `name` of s (asserts the scheme has it). */
double pelab_scheme_param(const pelab_scheme *s, const char *name);

/* Effective max_len L of a scheme at sequence length n: the max_len
 * parameter, or n where it is 0; 0 for schemes without max_len. */
int pelab_encoding_max_len(const pelab_scheme *s, int n);

/* Number of positional columns in PE: 1 (index, index_norm), L (onehot),
 * max(1, ceil(log2 L)) (binary), d (sinusoidal, learned), 0 otherwise. */
int pelab_encoding_pe_width(const pelab_scheme *s, int n, int d);

/* Width w of X: d + pe_width for APPEND schemes, d otherwise. */
int pelab_encoding_width(const pelab_scheme *s, int n, int d);

/* Whether the scheme can encode a sequence of length n at width d. Returns 0
 * when it can; otherwise 1 and a short reason in why (e.g. "seq_len 1024
 * exceeds learned max_len 512"), used as the cell's status. */
int pelab_encoding_check(const pelab_scheme *s, int n, int d, char *why, size_t why_len);

/* A refusal: the reason formatted into why (when why_len > 0), returning 1.
 * The one writer of the `why` strings of pe/ (encoding_check, rope_validate). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int pelab_encoding_refuse(char *why, size_t why_len, const char *fmt, ...);

/* Positional vectors, pe is n x pe_width row-major (nothing is written when
 * pe_width is 0). `seed` is the config seed: the learned table is drawn from
 * it (row p of a max_len x d table, so it does not depend on n).
 *   index       PE[p] = p + 1
 *   index_norm  PE[p] = (p + 1) / L
 *   sinusoidal  PE[p,2i] = sin(p w_i), PE[p,2i+1] = cos(p w_i), w_i = base^(-2i/d)
 *   onehot      PE[p,c] = (c == p)
 *   binary      PE[p,b] = bit b of p, least significant first
 *   learned     PE[p,c] ~ N(0, std^2) */
void pelab_encoding_positions(double *pe, const pelab_scheme *s, uint64_t seed, int n, int d);

/* Relative-position logit bias for BIAS schemes. rel_bias is heads x (2n-1):
 * rel_bias[h*(2n-1) + (j - i) + (n-1)] is added to the logit of query i and
 * key j in head h. `causal` selects T5's unidirectional buckets. Returns 0 and
 * writes nothing for schemes of other kinds, 1 when it wrote the table.
 *   alibi  b_h(j - i) = -m_h |j - i|
 *   t5     b_h(j - i) = T[h, bucket(j - i)], T ~ N(0, std^2) from `seed` */
int pelab_encoding_rel_bias(double *rel_bias, const pelab_scheme *s, uint64_t seed, int heads,
                            int n, int causal);

/* ALiBi head slopes m_h, h = 0..heads-1 (Press et al. 2022): for a power of
 * two H, m_h = 2^(-8(h+1)/H); otherwise the slopes of the nearest lower power
 * of two P followed by every other slope of 2P. */
void pelab_alibi_slopes(double *slopes, int heads);

/* T5 relative-position bucket of relative_position = j - i (Raffel et al.
 * 2020, mesh-tensorflow's _relative_position_bucket). */
int pelab_t5_bucket(int relative_position, int bidirectional, int num_buckets, int max_distance);

#endif /* PELAB_ENCODING_H */
