/* plan.c — see pelab/pe/plan.h */
#include "pelab/pe/plan.h"

#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/status.h"

void pelab_pe_plan_make(pelab_pe_plan *p, const pelab_scheme *s, uint64_t seed, int n, int d, int heads,
                        int causal, int tables) {
    PELAB_ASSERT(p && s && n >= 1 && d >= 1 && heads >= 1);
    const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
    memset(p, 0, sizeof *p);
    p->scheme = s;
    p->kind = def->kind;
    p->n = n, p->d = d, p->heads = heads, p->causal = causal;
    p->max_len = pelab_encoding_max_len(s, n);
    p->pe_width = pelab_encoding_pe_width(s, n, d);
    p->width = pelab_encoding_width(s, n, d);
    p->rope = def->kind == PELAB_SCHEME_KIND_ROTATE;
    if (!tables) return;
    if (p->pe_width > 0) {
        p->pe = pelab_xmalloc((size_t)n * (size_t)p->pe_width * sizeof *p->pe);
        pelab_encoding_positions(p->pe, s, seed, n, d);
    }
    if (def->kind == PELAB_SCHEME_KIND_BIAS) {
        p->rel_bias = pelab_xmalloc((size_t)heads * (2 * (size_t)n - 1) * sizeof *p->rel_bias);
        pelab_encoding_rel_bias(p->rel_bias, s, seed, heads, n, causal);
    }
}

void pelab_pe_plan_free(pelab_pe_plan *p) {
    free(p->pe);
    free(p->rel_bias);
    memset(p, 0, sizeof *p);
}
