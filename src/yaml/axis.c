/* axis.c — see pelab/yaml/axis.h */
#include "pelab/yaml/axis.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/keyed.h"
#include "pelab/base/mem.h"

/* The items of an axis: the scalar itself, or the list's items (not empty).
 * For other nodes returns -1 without an error, so the caller can handle a
 * mapping (a range) or refuse it. */
int pelab_yaml_axis_items(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, pelab_yaml_node **single,
                          pelab_yaml_node *const **items, int *n) {
    if (v->kind == PELAB_YAML_KIND_SCALAR) {
        *single = v;
        *items = single;
        *n = 1;
        return 0;
    }
    if (v->kind == PELAB_YAML_KIND_SEQ) {
        if (v->n == 0) return pelab_yaml_fail(y, v, "empty list for %s", what);
        *items = v->kids;
        *n = v->n;
        return 0;
    }
    return -2;
}

static const char *const g_range_keys[] = {"from", "to", "factor", "step"};

/* Expands a range mapping {from, to, factor} or {from, to, step} into the
 * axis values, located at the range. */
static int parse_range(pelab_yaml_doc *y, pelab_yaml_node *m, const char *what, long long lo, long long hi,
                       int max_values, int **vals, pelab_yaml_node ***at, int *count) {
    pelab_yaml_node *nf, *nt, *nfac, *nstep;
    long long from, to, f = 0, step = 0, n;
    char w[64];
    if (pelab_yaml_check_keys(y, m, g_range_keys, 4, " in range")) return -1;
    if (!(nf = pelab_yaml_map_require(y, m, "from", " in range")) || !(nt = pelab_yaml_map_require(y, m, "to", " in range")))
        return -1;
    nfac = pelab_yaml_map_get(m, "factor", NULL);
    nstep = pelab_yaml_map_get(m, "step", NULL);
    if (nfac && nstep) return pelab_yaml_fail(y, m, "range has both 'factor' and 'step': give exactly one");
    if (!nfac && !nstep) return pelab_yaml_fail(y, m, "range needs 'factor' or 'step'");
    if (pelab_yaml_get_int(y, nf, what, lo, hi, &from) || pelab_yaml_get_int(y, nt, what, lo, hi, &to)) return -1;
    if (from > to) return pelab_yaml_fail(y, nf, "range from %lld is greater than to %lld", from, to);
    snprintf(w, sizeof w, "factor of the %s range", what);
    if (nfac && pelab_yaml_get_int(y, nfac, w, 2, LLONG_MAX, &f)) return -1;
    snprintf(w, sizeof w, "step of the %s range", what);
    if (nstep && pelab_yaml_get_int(y, nstep, w, 1, LLONG_MAX, &step)) return -1;
    if (nstep) {
        n = (to - from) / step + 1;
        if (n > max_values)
            return pelab_yaml_fail(y, m, "range gives %lld values, more than the %d cells a sweep may have", n,
                                   max_values);
    } else {
        n = 0;
        for (long long v = from;; v *= f) {
            n++;
            if (v > to / f) break;
        }
    }
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *at = pelab_xmalloc((size_t)n * sizeof **at);
    *count = (int)n;
    for (long long i = 0, v = from; i < n; i++) {
        (*vals)[i] = (int)v;
        (*at)[i] = m;
        if (i + 1 < n) v = nstep ? v + step : v * f;
    }
    return 0;
}

/* Parses an integer axis (a scalar, a list, or a range) into *vals, with the
 * pelab_yaml_node of each value in *at; values in [lo, hi], no duplicates. */
int pelab_yaml_int_axis(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, long long lo, long long hi,
                        int max_values, int **vals, pelab_yaml_node ***at, int *count) {
    pelab_yaml_node *single, *const *items = NULL;
    int n = 0, first, dup, rc;
    pelab_keyed *k;
    rc = pelab_yaml_axis_items(y, v, what, &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return parse_range(y, v, what, lo, hi, max_values, vals, at, count);
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *at = pelab_xmalloc((size_t)n * sizeof **at);
    *count = n;
    for (int i = 0; i < n; i++) {
        (*at)[i] = items[i];
        if (pelab_yaml_get_int32(y, items[i], what, lo, hi, &(*vals)[i])) return -1;
    }
    k = pelab_xmalloc((size_t)n * sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i].s = NULL;
        k[i].len = 0;
        k[i].v = (*vals)[i];
        k[i].idx = i;
    }
    rc = 0;
    if (pelab_keyed_find_dup(k, n, &first, &dup))
        rc = pelab_yaml_fail(y, items[dup], "duplicate value %d in %s (first at %d:%d)", (*vals)[dup], what,
                     items[first]->line, items[first]->col);
    free(k);
    return rc;
}

/* Parses an enum axis (a scalar or a list of names) into *vals (indices into
 * names). */
int pelab_yaml_enum_axis(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, const char *const *names,
                         int n_names, int **vals, int *count) {
    pelab_yaml_node *single, *const *items = NULL;
    int n = 0, rc, first_at[16];
    rc = pelab_yaml_axis_items(y, v, what, &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return pelab_yaml_fail_type(y, v, "a name or a list of names", what);
    PELAB_ASSERT(n_names <= 16);
    for (int i = 0; i < n_names; i++) first_at[i] = -1;
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *count = n;
    for (int i = 0; i < n; i++) {
        int e;
        if (pelab_yaml_get_choice(y, items[i], what, names, n_names, &e)) return -1;
        if (first_at[e] >= 0)
            return pelab_yaml_fail(y, items[i], "duplicate value '%s' in %s (first at %d:%d)", names[e], what,
                           items[first_at[e]]->line, items[first_at[e]]->col);
        first_at[e] = i;
        (*vals)[i] = e;
    }
    return 0;
}

/* Parses a real axis (a number or a list of numbers) into *vals, no
 * duplicates; each in [lo, hi]. */
int pelab_yaml_real_axis(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, double lo, double hi, double **vals,
                         pelab_yaml_node ***at, int *count) {
    pelab_yaml_node *single, *const *items = NULL;
    int n = 0, rc = pelab_yaml_axis_items(y, v, what, &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return pelab_yaml_fail_type(y, v, "a number or a list of numbers", what);
    *vals = pelab_xmalloc((size_t)n * sizeof **vals);
    *at = pelab_xmalloc((size_t)n * sizeof **at);
    *count = n;
    for (int i = 0; i < n; i++) {
        char q[PELAB_YAML_QBUF];
        (*at)[i] = items[i];
        if (pelab_yaml_get_real(y, items[i], what, &(*vals)[i])) return -1;
        if ((*vals)[i] < lo || (*vals)[i] > hi)
            return pelab_yaml_fail(y, items[i], "%s must be in [%g, %g], found %s", what, lo, hi,
                                   pelab_yaml_quote(q, items[i]->text, items[i]->len));
        for (int j = 0; j < i; j++)
            if ((*vals)[j] == (*vals)[i])
                return pelab_yaml_fail(y, items[i], "duplicate value %s in %s (first at %d:%d)",
                                       pelab_yaml_quote(q, items[i]->text, items[i]->len), what, items[j]->line,
                                       items[j]->col);
    }
    return 0;
}
