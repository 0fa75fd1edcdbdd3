/* tests/schemes.h — building schemes for the unit tests (shared by
 * test_encoding.c and test_geometry.c). */
#ifndef PELAB_TEST_SCHEMES_H
#define PELAB_TEST_SCHEMES_H

#include <stdlib.h>

#include "pelab/pe/encoding.h"

/* The built-in `id` with every parameter at its default. */
static inline pelab_scheme scheme(pelab_scheme_id id) {
    pelab_scheme s;
    pelab_scheme_init_default(&s, id);
    return s;
}

/* The built-in `id` with parameter `name` set to v (aborts if it has none). */
static inline pelab_scheme scheme_with(pelab_scheme_id id, const char *name, double v) {
    pelab_scheme s = scheme(id);
    const int i = pelab_scheme_param_index(pelab_scheme_def_get(id), name);
    if (i < 0) abort();
    s.params[i] = v;
    return s;
}

#endif /* PELAB_TEST_SCHEMES_H */
