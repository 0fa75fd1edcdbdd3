/* pelab/lab/inputs.h — what a probe cell attends over: its token
 * embeddings E and the permutation of the order metrics, each drawn from
 * the counter-based generator keyed by what it is for (the seed, the
 * width, the trial, the row), never by the order cells run in. */
#ifndef PELAB_LAB_INPUTS_H
#define PELAB_LAB_INPUTS_H

#include "pelab/lab/cell.h"
#include "pelab/lab/config.h"

/* The sentence / token / input matrix of a cell: E (n x d) in double, as the
 * trial uses it (random draws keyed by seed, d_model, trial and row). */
void pelab_cell_inputs(double *E, const pelab_config *cfg, const pelab_cell *c, int trial);

/* The permutation pi (n entries) the order metrics use for this trial. */
void pelab_cell_permutation(int *perm, const pelab_config *cfg, const pelab_cell *c, int trial);

#endif /* PELAB_LAB_INPUTS_H */
