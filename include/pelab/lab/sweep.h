/* pelab/lab/sweep.h — a config's cartesian product, expanded into cells
 * (pelab/lab/cell.h). */
#ifndef PELAB_SWEEP_H
#define PELAB_SWEEP_H

#include <stddef.h>

#include "pelab/base/status.h"
#include "pelab/lab/cell.h"
#include "pelab/lab/config.h"

/* Expand the product of cfg's axes, in the order seq_len (or sentence),
 * d_model, scheme, heads, mask, projection, dtype (outermost first). *cells is
 * malloc'ed (free it); cells point into cfg, which must outlive them. */
pelab_status pelab_sweep_expand(pelab_cell **cells, size_t *count, const pelab_config *cfg,
                                pelab_error *err);

#endif /* PELAB_SWEEP_H */
