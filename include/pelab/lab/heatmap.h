/* pelab/lab/heatmap.h — the n x n matrices of one cell that a picture shows:
 * the attention weights P_h, the logits S_h, and the position similarity
 * Phi(p, q) (pelab/pe/geometry.h).
 *
 * Computed from the public pieces the trial is made of (the cell's inputs,
 * the scheme's positions, biases and rotations, the reference attention
 * kernel, which materialises P), with trial 0's random projection weights,
 * in the cell's dtype; test_report.c checks that P V equals the trial's
 * output (pelab_cell_attend), so the picture is of the cell the results
 * measured. O(H n^2) memory: heatmaps are for n up to
 * PELAB_HEATMAP_MAX_SEQ_LEN. */
#ifndef PELAB_LAB_HEATMAP_H
#define PELAB_LAB_HEATMAP_H

#include "pelab/base/status.h"
#include "pelab/lab/config.h"
#include "pelab/lab/sweep.h"

#define PELAB_HEATMAP_MAX_SEQ_LEN 4096
/* the default length: the sweep's largest seq_len up to this, else its smallest */
#define PELAB_HEATMAP_DEFAULT_MAX_SEQ_LEN 64

typedef enum pelab_heatmap_what {
    PELAB_HEATMAP_ATTENTION = 0, /* P_h[i][j]: softmax of the logits; 0 where masked        */
    PELAB_HEATMAP_LOGITS,        /* S_h[i][j] = q_i . k_j / sqrt(dk) + b_h(j - i); NaN where masked */
    PELAB_HEATMAP_PHI,           /* Phi(i, j): the scheme's position similarity (no head)  */
    PELAB_HEATMAP_COUNT
} pelab_heatmap_what;

/* "attention", "logits", "phi". */
const char *pelab_heatmap_what_str(pelab_heatmap_what w);
/* The what named s into *w: 1, or 0 when s names none. */
int pelab_heatmap_what_parse(const char *s, pelab_heatmap_what *w);

/* Which cell of a config: 0 or -1 leave an axis at its default. */
typedef struct pelab_heatmap_select {
    int seq_len;    /* 0: the default above (random or file input); sentences: their own */
    int d_model;    /* 0: the sweep's first (fixed by file and sentence input)         */
    int heads;      /* 0: the sweep's first                                             */
    int mask;       /* pelab_mask, -1: the sweep's first                                */
    int projection; /* pelab_projection, -1: the sweep's first                          */
    int dtype;      /* pelab_dtype, -1: the sweep's first                               */
    int sentence;   /* -1: sentence 0 (sentence input only)                             */
} pelab_heatmap_select;

/* An empty selection: every axis at its default. */
void pelab_heatmap_select_init(pelab_heatmap_select *sel);

/* The cell of scheme s (one of cfg->schemes) that sel picks into *c (c
 * points into cfg). Values need not be in the sweep, but must fit it:
 * USAGE errors for a seq_len under sentence input, a sentence without it or
 * out of range, a d_model other than the input's, a seq_len above a file's
 * rows or PELAB_HEATMAP_MAX_SEQ_LEN, and a cell that cannot run (the reason
 * of pelab_cell_check, "scheme learned: seq_len 1024 exceeds ..."). */
pelab_status pelab_heatmap_cell(pelab_cell *c, const pelab_config *cfg, const pelab_scheme *s,
                                const pelab_heatmap_select *sel, pelab_error *err);

/* m (n x n, n = c->seq_len; m[i*n + j]: query i, key j) = what of cell c in
 * head `head` (0 .. heads-1; Phi ignores it), trial 0. c must come from
 * pelab_heatmap_cell or pass pelab_cell_check. */
void pelab_heatmap_compute(double *m, const pelab_config *cfg, const pelab_cell *c, int head,
                           pelab_heatmap_what what);

/* The whole forward of trial 0 as pelab_heatmap_compute does it: out (n x D)
 * = P V, in double. For the test that ties the heatmap to the trial. */
void pelab_heatmap_forward(double *out, const pelab_config *cfg, const pelab_cell *c);

#endif /* PELAB_LAB_HEATMAP_H */
