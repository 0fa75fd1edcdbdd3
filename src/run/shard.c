/* shard.c — see pelab/run/shard.h */
#include "pelab/run/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pelab/base/status.h"
#include "pelab/base/mem.h"

typedef struct costed {
    double cost;
    size_t i; /* position in cells (= sweep order) */
} costed;

/* Largest cost first; equal costs in sweep order. A total order, so qsort's
 * instability cannot change the result. */
static int by_cost_desc(const void *pa, const void *pb) {
    const costed *a = pa, *b = pb;
    if (a->cost != b->cost) return a->cost > b->cost ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* A min-heap of shards keyed by (total cost, shard number). */
static int heap_less(const double *load, int a, int b) {
    if (load[a] != load[b]) return load[a] < load[b];
    return a < b; /* equal totals: the lower shard number first */
}

static void heap_down(int *heap, int n, const double *load, int at) {
    for (;;) {
        int l = 2 * at + 1, r = l + 1, m = at;
        if (l < n && heap_less(load, heap[l], heap[m])) m = l;
        if (r < n && heap_less(load, heap[r], heap[m])) m = r;
        if (m == at) return;
        int t = heap[at];
        heap[at] = heap[m];
        heap[m] = t;
        at = m;
    }
}

void pelab_shard_assign(int *owner, double *load_out, const double *cost, size_t count, int n_shards) {
    PELAB_ASSERT(n_shards >= 1);
    costed *order = pelab_xmalloc((count ? count : 1) * sizeof *order);
    for (size_t i = 0; i < count; i++) {
        order[i].cost = cost[i];
        order[i].i = i;
    }
    qsort(order, count, sizeof *order, by_cost_desc);
    double *load = pelab_xcalloc((size_t)n_shards, sizeof *load);
    /* all loads are 0: shard numbers in order already form a valid heap */
    int *heap = pelab_xmalloc((size_t)n_shards * sizeof *heap);
    for (int s = 0; s < n_shards; s++) heap[s] = s;
    for (size_t j = 0; j < count; j++) {
        int s = heap[0]; /* least total, lowest number */
        owner[order[j].i] = s;
        load[s] += order[j].cost;
        heap_down(heap, n_shards, load, 0); /* only the root grew */
    }
    if (load_out)
        for (int s = 0; s < n_shards; s++) load_out[s] = load[s];
    free(heap);
    free(load);
    free(order);
}

/* A whole decimal number in [lo, hi] spanning s[0..len); 1 on success. */
static int parse_range(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return 0;
    for (const char *p = s; *p; p++)
        if ((*p < '0' || *p > '9') && !(p == s && *p == '-')) return 0;
    errno = 0;
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

int pelab_shard_parse(const char *s, int *k, int *n) {
    if (!s) return 0;
    char a[32], b[32];
    const char *slash = s;
    while (*slash && *slash != '/') slash++;
    size_t la = (size_t)(slash - s);
    if (!*slash || la == 0 || la >= sizeof a) return 0;
    size_t lb = 0;
    while (slash[1 + lb]) lb++;
    if (lb == 0 || lb >= sizeof b) return 0;
    for (size_t i = 0; i < la; i++) a[i] = s[i];
    a[la] = '\0';
    for (size_t i = 0; i <= lb; i++) b[i] = slash[1 + i];
    long kk = 0, nn = 0;
    if (a[0] == '-' || b[0] == '-') return 0;
    if (!parse_range(a, 0, PELAB_SHARD_MAX - 1, &kk) || !parse_range(b, 1, PELAB_SHARD_MAX, &nn) || kk >= nn)
        return 0;
    *k = (int)kk;
    *n = (int)nn;
    return 1;
}

int pelab_shard_from_slurm(int *k, int *n, const char *id, const char *count, const char *min,
                           const char *step, char *why, size_t why_len) {
    if (!id || !*id || !count || !*count) return 0;
    long vid = 0, vcount = 0, vmin = 0, vstep = 1;
    if (!parse_range(id, 0, 0x7fffffffL, &vid)) {
        snprintf(why, why_len, "SLURM_ARRAY_TASK_ID='%s' is not a task number", id);
        return -1;
    }
    if (!parse_range(count, 1, PELAB_SHARD_MAX, &vcount)) {
        snprintf(why, why_len, "SLURM_ARRAY_TASK_COUNT='%s' is not a count from 1 to %d", count, PELAB_SHARD_MAX);
        return -1;
    }
    if (min && *min && !parse_range(min, 0, 0x7fffffffL, &vmin)) {
        snprintf(why, why_len, "SLURM_ARRAY_TASK_MIN='%s' is not a task number", min);
        return -1;
    }
    if (step && *step && !parse_range(step, 1, 0x7fffffffL, &vstep)) {
        snprintf(why, why_len, "SLURM_ARRAY_TASK_STEP='%s' is not a step", step);
        return -1;
    }
    long off = vid - vmin;
    if (off < 0 || off % vstep != 0 || off / vstep >= vcount) {
        snprintf(why, why_len,
                 "SLURM_ARRAY_TASK_ID=%ld (MIN %ld, STEP %ld, COUNT %ld) does not give a shard from 0 to %ld: "
                 "use a contiguous array such as --array=0-%ld, or pass --shard K/N",
                 vid, vmin, vstep, vcount, vcount - 1, vcount - 1);
        return -1;
    }
    *k = (int)(off / vstep);
    *n = (int)vcount;
    return 1;
}
