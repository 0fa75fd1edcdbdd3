/* pelab/yaml/axis.h — a sweep axis read from the YAML tree, the same way in
 * every kind of config: a scalar, a list (not empty, no duplicates), or for
 * integers a range {from, to, factor} or {from, to, step}. Each value keeps
 * the node it came from, for errors found later across axes. Failures are
 * located (pelab_yaml_fail) and return -1. */
#ifndef PELAB_YAML_AXIS_H
#define PELAB_YAML_AXIS_H

#include "pelab/yaml/yaml.h"

/* The items of an axis: the scalar itself, or the list's items. 0, -1 after
 * a failure (an empty list), or -2 without one for a mapping (the caller
 * reads a range or refuses it). */
int pelab_yaml_axis_items(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, pelab_yaml_node **single,
                          pelab_yaml_node *const **items, int *n);

/* Integers in [lo, hi]: a scalar, a list or a range (at most max_values
 * values). *vals and *at are malloc'ed. */
int pelab_yaml_int_axis(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, long long lo, long long hi,
                        int max_values, int **vals, pelab_yaml_node ***at, int *count);

/* Finite numbers in [lo, hi]: a scalar or a list. */
int pelab_yaml_real_axis(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, double lo, double hi, double **vals,
                         pelab_yaml_node ***at, int *count);

/* Names of names[0..n_names) (n_names <= 16): a scalar or a list; *vals the
 * indices. */
int pelab_yaml_enum_axis(pelab_yaml_doc *y, pelab_yaml_node *v, const char *what, const char *const *names,
                         int n_names, int **vals, int *count);

#endif /* PELAB_YAML_AXIS_H */
