/* pelab/base/keyed.h — keys (strings or integers) with their position in
 * the original order: find duplicates and look names up by sorting, in
 * O(n log n) for the long lists a hostile file can hold. */
#ifndef PELAB_BASE_KEYED_H
#define PELAB_BASE_KEYED_H

#include <stddef.h>

typedef struct pelab_keyed {
    const char *s; /* a string key (len bytes), or NULL for an integer key */
    size_t len;
    long long v;
    int idx;       /* the key's position in the original order             */
} pelab_keyed;

/* Sort k[0..n) and find the repeated key whose second occurrence comes
 * first in the original order: 1 with the original positions of both
 * occurrences in *first and *dup, 0 when every key differs. */
int pelab_keyed_find_dup(pelab_keyed *k, int n, int *first, int *dup);

/* The original position of string s in k[0..n) as sorted by
 * pelab_keyed_find_dup, or -1. */
int pelab_keyed_find(const pelab_keyed *k, int n, const char *s);

#endif /* PELAB_BASE_KEYED_H */
