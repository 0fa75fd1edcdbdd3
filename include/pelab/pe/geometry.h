/* pelab/pe/geometry.h — position geometry: what each encoding can tell apart.
 *
 * Arrays and sizes in, numbers out: no YAML, no files, no CLI. Everything
 * depends on (scheme, seed, n, d) alone — not on the trial, heads, mask or
 * projection — and on the dtype only for pos_min_dist and pos_collisions.
 *
 * Similarity of positions p, q in 0..n-1, computed in double:
 *   vector schemes (index, index_norm, sinusoidal, onehot, binary, learned)
 *       Phi(p, q) = PE_p . PE_q          (PE from pelab_encoding_positions)
 *   rope  Phi(p, q) = <R_p u, R_q u> / sqrt(d), one head of width d, u the
 *         vector of ones scaled to unit norm, R_p the rotation of
 *         pelab_rope_pair / pelab_rope_angle with the scheme's base and
 *         pairing (an odd last dimension is not rotated)
 *   alibi, t5  Phi(p, q) = u.u / sqrt(d) + b(q - p), b the table of
 *         pelab_encoding_rel_bias with heads = 1 and causal = 0: the
 *         bidirectional (encoder) form, so that Phi is defined for every
 *         pair, q < p and q > p alike; a causal mask would leave half of Phi
 *         at -inf and every symmetry question empty. For ALiBi the two forms
 *         agree on the visible half; T5's causal buckets differ.
 *   none  Phi(p, q) = u.u / sqrt(d) = 1 / sqrt(d)
 *
 * The metrics (positions p, q in 0..n-1; undefined = NaN and defined = 0,
 * never 0):
 *   pos_min_dist   min over p != q of ||PE_p - PE_q||, in the dtype: PE is
 *                  rounded to it and differences, squares, sums and the square
 *                  root are done in it. Vector schemes only. 1-column schemes:
 *                  neighbours after sorting, |a - b|, any n. Other schemes:
 *                  all pairs for n <= PELAB_GEOMETRY_PAIRS_MAX (parallel over
 *                  rows, a fixed summation order: column c goes to partial
 *                  sum c mod 8, the 8 combined as a fixed tree; sparse rows
 *                  (onehot) sum their nonzero columns in column order).
 *                  Above that limit it is 0 when pos_collisions > 0 (exact)
 *                  and undefined otherwise (not computed).
 *   pos_collisions number of pairs p < q whose rows are equal in the dtype
 *                  (every column ==; -0 == +0): rows sorted
 *                  lexicographically (stable merge sort, skipped when already
 *                  sorted), a run of r equal rows counting r(r-1)/2. Exact for
 *                  every n. Vector schemes only.
 *   length_consistency
 *                  vector schemes: max over p < n of ||PE_p(n) - PE_p(2n)||,
 *                  the narrower row zero-padded (onehot, binary); logit
 *                  schemes: max over p < n of ||Phi_n(p, 0..n-1) -
 *                  Phi_2n(p, 0..n-1)||, the rows of similarities to the
 *                  shared positions. In double. Undefined when the scheme
 *                  cannot encode length 2n (learned at n > max_len/2, an
 *                  explicit max_len < 2n) or the 2n table would need more
 *                  than the max_bytes given to pelab_geometry_measure.
 *   ti_residual    mean over k = 1..K, K = min(n-1, PELAB_GEOMETRY_TI_OFFSETS)
 *                  of std_p Phi(p, p+k) / mean_p |Phi(p, p+k)|, p = 0..n-1-k,
 *                  std the population standard deviation; an offset whose
 *                  values are all equal (all 0 included) contributes 0.
 *                  0 when similarity depends only on the offset. n >= 2.
 *   mono_break     the smallest k >= 1, k + 1 <= n - 1, with
 *                  Phi(0, k+1) > Phi(0, k); undefined when there is none
 *                  (Phi(0, k) non-increasing: it never breaks).
 *   mono_spearman  Spearman correlation (average ranks for ties) between
 *                  |p - q| and -Phi(p, q) over ordered pairs p != q: all of
 *                  them for n <= PELAB_GEOMETRY_ALL_PAIRS_N, else
 *                  PELAB_GEOMETRY_SAMPLE pairs drawn uniformly (with
 *                  replacement) from the stream pelab_rng_make(
 *                  pelab_hash_str("pelab.geometry.pairs"), n) — fixed, not the
 *                  config seed. +1: similarity falls with distance. Undefined
 *                  when either side has no variance (none; n = 2).
 *   sym_residual   ||Phi - Phi^T||_F / ||Phi||_F. alibi, t5, none: exact over
 *                  all n^2 pairs for any n, by their Toeplitz form
 *                  (sum over r of (n - |r|) times the term of offset r).
 *                  Vector schemes and rope: over all pairs for
 *                  n <= PELAB_GEOMETRY_ALL_PAIRS_N, else over the pair sample
 *                  above (numerator and denominator from the same pairs).
 *                  Undefined when ||Phi||_F = 0.
 *
 * Memory: O(n w) for the positional rows (w = pe_width, the same table the
 * trial holds; n x n for onehot) and O(n w) for the 2n table, plus O(sample)
 * for the pair set; never n x n for Phi (except pelab_geometry_phi, whose
 * caller owns the buffer). OpenMP inside, deterministic for any thread
 * count; serial when called from a parallel region. */
#ifndef PELAB_GEOMETRY_H
#define PELAB_GEOMETRY_H

#include <stdint.h>

#include "pelab/kernels/types.h"

#include "pelab/pe/encoding.h"

/* all-pairs pos_min_dist for multi-column schemes up to this n */
#define PELAB_GEOMETRY_PAIRS_MAX 4096
/* Spearman and (vector schemes) sym_residual over all ordered pairs up to this n */
#define PELAB_GEOMETRY_ALL_PAIRS_N 512
/* pairs drawn above it */
#define PELAB_GEOMETRY_SAMPLE (1 << 18)
/* largest offset k of ti_residual */
#define PELAB_GEOMETRY_TI_OFFSETS 64

typedef enum pelab_geometry_metric {
    PELAB_GEOMETRY_POS_MIN_DIST = 0,
    PELAB_GEOMETRY_POS_COLLISIONS,
    PELAB_GEOMETRY_LENGTH_CONSISTENCY,
    PELAB_GEOMETRY_TI_RESIDUAL,
    PELAB_GEOMETRY_MONO_BREAK,
    PELAB_GEOMETRY_MONO_SPEARMAN,
    PELAB_GEOMETRY_SYM_RESIDUAL,
    PELAB_GEOMETRY_COUNT
} pelab_geometry_metric;

/* Undefined metrics are NaN with defined = 0 (as pelab_trial_result). */
typedef struct pelab_geometry_result {
    double value[PELAB_GEOMETRY_COUNT];
    unsigned char defined[PELAB_GEOMETRY_COUNT];
} pelab_geometry_result;

/* Column name of a metric ("pos_min_dist", ...). */
const char *pelab_geometry_metric_name(pelab_geometry_metric m);

/* Phi (n, n): phi[p*n + q] = Phi(p, q). The scheme must encode n at width d
 * (pelab_encoding_check). O(n^2) memory: for tests and small n. */
void pelab_geometry_phi(double *phi, const pelab_scheme *s, uint64_t seed, int n, int d);

/* row (n): row[q] = Phi(p, q), q = 0..n-1, for one p in 0..n-1. O(n w). */
void pelab_geometry_phi_row(double *row, const pelab_scheme *s, uint64_t seed, int n, int d, int p);

/* The precision of pos_min_dist and pos_collisions: 0 float64, 1 float32,
 * or a 16-bit storage format (the rows rounded to it, the distances then
 * computed in float32, as a bf16/f16 cell computes). */
#define PELAB_GEOMETRY_PREC_BF16 2
#define PELAB_GEOMETRY_PREC_F16 3
/* The precision code of a cell's dtype. */
int pelab_geometry_prec(pelab_dtype dtype);

/* All seven metrics of the scheme at length n and width d; dtype_is_f32
 * is a precision code (above) for pos_min_dist and pos_collisions;
 * max_bytes bounds the 2n table of length_consistency (the cell's memory
 * limit). The scheme must encode n at width d. */
void pelab_geometry_measure(pelab_geometry_result *out, const pelab_scheme *s, uint64_t seed, int n, int d,
                            int dtype_is_f32, double max_bytes);

/* pos_min_dist and pos_collisions of the rows of pe (n, w), as above: the
 * minimum distance is written to *min_dist with *min_dist_defined = 1, or
 * NaN and 0 (n < 2, or w > 1 and n > PELAB_GEOMETRY_PAIRS_MAX without a
 * collision); *collisions receives the number of equal pairs p < q. */
void pelab_geometry_distinct(double *min_dist, int *min_dist_defined, long long *collisions, const double *pe,
                             int n, int w, int dtype_is_f32);

/* RoFormer's long-term-decay bound (Su et al. 2021, §3.4.3) at relative
 * distance m, width d (even, >= 2), frequency base:
 *   B(m) = (1/(d/2)) sum_{j=1}^{d/2} |S_j|,  S_j = sum_{k=0}^{j-1} e^{i m theta_k},
 * theta_k = base^(-2k/d) (m theta_k = pelab_rope_angle(m, k, d, base)). */
double pelab_geometry_rope_bound(int m, int d, double base);

#endif /* PELAB_GEOMETRY_H */
