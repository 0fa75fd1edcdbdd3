/* pelab/yaml/schemes.h — the positional schemes a config names: the
 * `schemes:` mapping of named variants (a built-in and its parameters,
 * checked against the registry of pelab/pe/encoding.h), and the scheme axis
 * (built-in names with their defaults, or variants). One reader for every
 * kind of config. */
#ifndef PELAB_YAML_SCHEMES_H
#define PELAB_YAML_SCHEMES_H

#include "pelab/pe/encoding.h"
#include "pelab/yaml/yaml.h"

typedef struct pelab_yaml_schemes {
    pelab_scheme *variants; /* in the file's order                          */
    pelab_yaml_node **at;   /* each variant's name node                     */
    int n;
    struct pelab_keyed *index; /* variants sorted by name, for lookups       */
} pelab_yaml_schemes;

/* Read the `schemes:` mapping m into *c (zeroed by the caller): every name
 * a valid, non-built-in name, every type a built-in, every parameter one of
 * its type's, in its range. 0 or -1 (located). */
int pelab_yaml_scheme_variants(pelab_yaml_doc *y, pelab_yaml_schemes *c, pelab_yaml_node *m);

/* Read the scheme axis v (a name or a list of them, no duplicates) into
 * *out (malloc'ed, *count entries): built-ins at their defaults, or the
 * variants of c. An unknown name is refused with the nearest one. */
int pelab_yaml_scheme_axis(pelab_yaml_doc *y, const pelab_yaml_schemes *c, pelab_yaml_node *v, pelab_scheme **out,
                           int *count);

void pelab_yaml_schemes_free(pelab_yaml_schemes *c);

#endif /* PELAB_YAML_SCHEMES_H */
