/* pelab/pe/plan.h — a scheme resolved once for a sequence: every fact an
 * engine needs of the positions (widths, the positional table, the logit
 * bias, the rotation), so that the probe and the trainable model consume
 * one value instead of asking the registry again and again.
 *
 * The numbers are exactly those of pelab_encoding_positions and
 * pelab_encoding_rel_bias (pelab/pe/encoding.h), computed in double. */
#ifndef PELAB_PE_PLAN_H
#define PELAB_PE_PLAN_H

#include <stdint.h>

#include "pelab/pe/encoding.h"

typedef struct pelab_pe_plan {
    const pelab_scheme *scheme;
    pelab_scheme_kind kind;
    int n, d, heads, causal;
    int max_len;      /* L of index_norm, onehot and binary at n; 0 for others     */
    int pe_width;     /* positional columns: appended (APPEND) or added (ADD), else 0 */
    int width;        /* width of X: d + pe_width for APPEND, d otherwise          */
    double *pe;       /* (n, pe_width) positional vectors, or NULL                 */
    double *rel_bias; /* (heads, 2n-1) logit bias (BIAS kind), or NULL             */
    int rope;         /* ROTATE: q and k rotated after the projection (pe/rope.h)  */
} pelab_pe_plan;

/* Resolve scheme s for a sequence of n tokens of width d with `heads` heads
 * (the bias table has one row per head; causal selects T5's unidirectional
 * buckets). seed draws the learned and T5 tables. The scheme must encode n
 * at width d (pelab_encoding_check). With tables = 0 only the sizes and
 * parameters are filled (pe and rel_bias stay NULL). Free with
 * pelab_pe_plan_free. */
void pelab_pe_plan_make(pelab_pe_plan *plan, const pelab_scheme *s, uint64_t seed, int n, int d, int heads,
                        int causal, int tables);

/* Release the tables and zero the plan. */
void pelab_pe_plan_free(pelab_pe_plan *plan);

#endif /* PELAB_PE_PLAN_H */
