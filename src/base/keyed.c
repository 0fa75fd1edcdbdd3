/* keyed.c — see pelab/base/keyed.h */
#include "pelab/base/keyed.h"

#include <stdlib.h>
#include <string.h>

/* Order of keys ignoring their position; 0 when equal. */
static int keyed_cmp_key(const pelab_keyed *a, const pelab_keyed *b) {
    if (a->s && b->s) {
        size_t m = a->len < b->len ? a->len : b->len;
        int r = memcmp(a->s, b->s, m);
        if (r) return r;
        return (a->len > b->len) - (a->len < b->len);
    }
    return (a->v > b->v) - (a->v < b->v);
}

static int keyed_cmp(const void *pa, const void *pb) {
    const pelab_keyed *a = pa, *b = pb;
    int r = keyed_cmp_key(a, b);
    return r ? r : (a->idx > b->idx) - (a->idx < b->idx);
}

int pelab_keyed_find_dup(pelab_keyed *k, int n, int *first, int *dup) {
    int found = 0;
    if (n > 1) qsort(k, (size_t)n, sizeof *k, keyed_cmp);
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && keyed_cmp_key(&k[i], &k[j]) == 0) j++;
        if (j - i >= 2 && (!found || k[i + 1].idx < *dup)) {
            found = 1;
            *first = k[i].idx;
            *dup = k[i + 1].idx;
        }
        i = j;
    }
    return found;
}

int pelab_keyed_find(const pelab_keyed *k, int n, const char *s) {
    pelab_keyed probe = {s, strlen(s), 0, 0};
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2, r = keyed_cmp_key(&k[mid], &probe);
        if (r == 0) return k[mid].idx;
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}
