/* mem.c — see pelab/base/mem.h */
#include "pelab/base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t count, size_t size) {
    if (count == 1)
        fprintf(stderr, "pelab: out of memory allocating %zu bytes\n", size);
    else
        fprintf(stderr, "pelab: out of memory allocating %zu x %zu bytes\n", count, size);
    abort();
}

void *pelab_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (!p) out_of_memory(1, size);
    return p;
}

void *pelab_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) out_of_memory(count, size);
    return p;
}

void *pelab_xrealloc(void *p, size_t size) {
    void *q = realloc(p, size ? size : 1);
    if (!q) out_of_memory(1, size);
    return q;
}

char *pelab_xmemdup(const char *s, size_t len) {
    char *d = pelab_xmalloc(len + 1);
    if (len) memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

char *pelab_xstrdup(const char *s) { return pelab_xmemdup(s, strlen(s)); }

void *pelab_xgrow(void *p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return p;
    size_t nc = *cap ? *cap : 8;
    while (nc < need) nc *= 2;
    *cap = nc;
    return pelab_xrealloc(p, nc * elem);
}
