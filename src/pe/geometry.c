/* geometry.c — see pelab/pe/geometry.h */
#include "pelab/pe/geometry.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/kernels/attention.h"
#include "pelab/kernels/lowp.h"
#include "pelab/base/mem.h"
#include "pelab/pe/rope.h"

static const char *const g_names[PELAB_GEOMETRY_COUNT] = {
    "pos_min_dist", "pos_collisions", "length_consistency", "ti_residual",
    "mono_break",   "mono_spearman",  "sym_residual",
};

const char *pelab_geometry_metric_name(pelab_geometry_metric m) {
    PELAB_ASSERT(m >= 0 && m < PELAB_GEOMETRY_COUNT);
    return g_names[m];
}

static int has_vectors(const pelab_scheme *s) {
    pelab_scheme_kind k = pelab_scheme_def_get(s->id)->kind;
    return k == PELAB_SCHEME_KIND_APPEND || k == PELAB_SCHEME_KIND_ADD;
}

/* ---- rows: dense (n, w) with an optional sparse (CSR) view ----------------- */

/* The nonzero entries of each row, in column order: row p is
 * col/val[ptr[p] .. ptr[p+1]-1]. A zero (either sign) is not stored. */
typedef struct geo_csr {
    size_t *ptr; /* (n + 1) */
    int *col;
    double *val;
} geo_csr;

/* x rounded to float (exactly representable as double) or kept. */
static double round_to(double x, int f32) { return f32 ? (double)(float)x : x; }

static void csr_build(geo_csr *R, const double *pe, int n, int w, int f32) {
    size_t nnz = 0;
    for (size_t i = 0; i < (size_t)n * w; i++) nnz += round_to(pe[i], f32) != 0;
    R->ptr = pelab_xmalloc(((size_t)n + 1) * sizeof *R->ptr);
    R->col = pelab_xmalloc((nnz ? nnz : 1) * sizeof *R->col);
    R->val = pelab_xmalloc((nnz ? nnz : 1) * sizeof *R->val);
    size_t k = 0;
    for (int p = 0; p < n; p++) {
        R->ptr[p] = k;
        for (int c = 0; c < w; c++) {
            double v = round_to(pe[(size_t)p * w + c], f32);
            if (v != 0) R->col[k] = c, R->val[k++] = v;
        }
    }
    R->ptr[n] = k;
}

static void csr_free(geo_csr *R) {
    free(R->ptr), free(R->col), free(R->val);
    memset(R, 0, sizeof *R);
}

/* Sparse rows pay off when at most a quarter of the entries are nonzero. */
static int mostly_zero(const double *pe, int n, int w) {
    size_t nnz = 0;
    for (size_t i = 0; i < (size_t)n * w; i++) nnz += pe[i] != 0;
    return nnz * 4 <= (size_t)n * w;
}

/* ---- the similarity Phi(p, q) ---------------------------------------------- */

typedef struct geo_src {
    int vec;        /* 1: Phi = scale * V_p . V_q; 0: Phi = c + rel[q-p+n-1] */
    int n, w;
    double *V;      /* (n, w), vec                                          */
    double *W;      /* (n, w) xpos's key-side rows: Phi = scale V_p . W_q; or NULL */
    int sparse;     /* vec: dot products through csr                        */
    geo_csr csr;    /* vec && sparse                                        */
    double scale;   /* vec                                                  */
    double c;       /* !vec: u.u / sqrt(d)                                  */
    double *rel;    /* !vec: (2n-1), zeros for none                         */
} geo_src;

/* u.u / sqrt(d), u = ones / sqrt(d), computed as written. */
static double unit_logit(int d) {
    const double ui = 1.0 / sqrt((double)d);
    double uu = 0;
    for (int i = 0; i < d; i++) uu += ui * ui;
    return uu / sqrt((double)d);
}

/* V (n, d): row p = G_p R_p u, one head of width d (the query side); W
 * (n, d), xPos only: G_p^-1 R_p u (the key side), else NULL. The rotation
 * of pelab/pe/rope.h at length n, in double. */
static void rope_rows(double *V, double **W, const pelab_scheme *s, int n, int d) {
    const double ui = 1.0 / sqrt((double)d);
    for (size_t i = 0; i < (size_t)n * d; i++) V[i] = ui;
    *W = NULL;
    if (d < 2) return;
    pelab_rope_plan r;
    pelab_rope_plan_make(&r, s, d, n, PELAB_DTYPE_F64);
    if (r.table.zeta) {
        *W = pelab_xmalloc((size_t)n * d * sizeof **W);
        memcpy(*W, V, (size_t)n * d * sizeof **W);
        pelab_rope_apply_f64(*W, &r.table, 0, -1, 0, n, d, 1);
    }
    pelab_rope_apply_f64(V, &r.table, 0, 1, 0, n, d, 1);
    pelab_rope_plan_free(&r);
}

/* The similarity of scheme s at length n. For vector schemes pe (n, w) is
 * taken over (freed by src_free); pass NULL to have it computed. */
static void src_init(geo_src *g, const pelab_scheme *s, uint64_t seed, int n, int d, double *pe) {
    PELAB_ASSERT(n >= 1 && d >= 1);
    PELAB_ASSERT(pelab_encoding_check(s, n, d, NULL, 0) == 0);
    memset(g, 0, sizeof *g);
    g->n = n;
    const pelab_scheme_kind kind = pelab_scheme_def_get(s->id)->kind;
    if (kind == PELAB_SCHEME_KIND_APPEND || kind == PELAB_SCHEME_KIND_ADD) {
        g->vec = 1;
        g->w = pelab_encoding_pe_width(s, n, d);
        if (!pe) {
            pe = pelab_xmalloc((size_t)n * g->w * sizeof *pe);
            pelab_encoding_positions(pe, s, seed, n, d);
        }
        g->V = pe;
        g->scale = 1.0;
    } else if (kind == PELAB_SCHEME_KIND_ROTATE) {
        PELAB_ASSERT(pe == NULL);
        g->vec = 1;
        g->w = d;
        g->V = pelab_xmalloc((size_t)n * d * sizeof *g->V);
        rope_rows(g->V, &g->W, s, n, d);
        g->scale = 1.0 / sqrt((double)d);
    } else {
        PELAB_ASSERT(pe == NULL);
        g->c = unit_logit(d);
        g->rel = pelab_xcalloc(2 * (size_t)n - 1, sizeof *g->rel);
        if (kind == PELAB_SCHEME_KIND_BIAS) pelab_encoding_rel_bias(g->rel, s, seed, 1, n, 0);
    }
    if (g->vec && !g->W && g->w > 1 && mostly_zero(g->V, n, g->w)) {
        g->sparse = 1;
        csr_build(&g->csr, g->V, n, g->w, 0);
    }
}

static void src_free(geo_src *g) {
    free(g->V), free(g->W), free(g->rel);
    if (g->sparse) csr_free(&g->csr);
    memset(g, 0, sizeof *g);
}

/* Phi(p, q). The sparse dot adds exactly the nonzero products of the dense
 * one in the same column order (a product with a zero adds +-0 to the sum,
 * which leaves it unchanged), so both give the same double. */
static double phi(const geo_src *g, int p, int q) {
    if (!g->vec) return g->c + g->rel[(ptrdiff_t)q - p + g->n - 1];
    double s = 0;
    if (g->sparse) {
        const geo_csr *R = &g->csr;
        size_t i = R->ptr[p], ie = R->ptr[p + 1], j = R->ptr[q], je = R->ptr[q + 1];
        while (i < ie && j < je) {
            if (R->col[i] < R->col[j]) i++;
            else if (R->col[i] > R->col[j]) j++;
            else s += R->val[i++] * R->val[j++];
        }
    } else {
        const double *a = g->V + (size_t)p * g->w, *b = (g->W ? g->W : g->V) + (size_t)q * g->w;
        for (int c = 0; c < g->w; c++) s += a[c] * b[c];
    }
    return g->scale * s;
}

void pelab_geometry_phi_row(double *row, const pelab_scheme *s, uint64_t seed, int n, int d, int p) {
    PELAB_ASSERT(row != NULL && p >= 0 && p < n);
    geo_src g;
    src_init(&g, s, seed, n, d, NULL);
    for (int q = 0; q < n; q++) row[q] = phi(&g, p, q);
    src_free(&g);
}

void pelab_geometry_phi(double *out, const pelab_scheme *s, uint64_t seed, int n, int d) {
    PELAB_ASSERT(out != NULL);
    geo_src g;
    src_init(&g, s, seed, n, d, NULL);
#pragma omp parallel for schedule(static)
    for (int p = 0; p < n; p++)
        for (int q = 0; q < n; q++) out[(size_t)p * n + q] = phi(&g, p, q);
    src_free(&g);
}

/* ---- a stable merge sort of indices ---------------------------------------- */

typedef int (*geo_cmp)(const void *ctx, int a, int b);

/* Sort idx (m) by cmp, stably (bottom-up merge; tmp has m entries). */
static void merge_sort(int *idx, int *tmp, size_t m, geo_cmp cmp, const void *ctx) {
    int *src = idx, *dst = tmp;
    for (size_t width = 1; width < m; width *= 2) {
        for (size_t lo = 0; lo < m; lo += 2 * width) {
            size_t mid = lo + width < m ? lo + width : m;
            size_t hi = lo + 2 * width < m ? lo + 2 * width : m;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        int *t = src;
        src = dst, dst = t;
    }
    if (src != idx) memcpy(idx, src, m * sizeof *idx);
}

/* ---- a stable radix sort of doubles --------------------------------------- */

typedef struct geo_kv {
    uint64_t key; /* order-preserving image of the value */
    int idx;      /* where it came from                  */
} geo_kv;

/* The bits of v (NaN-free) as an unsigned key with the order of v; -0 and
 * +0 get the same key. */
static uint64_t order_key(double v) {
    v += 0.0; /* -0 -> +0 */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | (1ULL << 63);
}

/* Scratch of sort_values for up to m values. */
typedef struct geo_sorter {
    geo_kv *a, *b;
    size_t *count; /* 65536 */
} geo_sorter;

/* Below this many values sort_values uses a comparison sort: the radix
 * sort's four passes over 65536 counters cost more than sorting them. */
#define GEO_RADIX_MIN 4096

static void sorter_init(geo_sorter *z, size_t m) {
    z->a = pelab_xmalloc((m ? m : 1) * sizeof *z->a);
    z->b = pelab_xmalloc((m ? m : 1) * sizeof *z->b);
    z->count = m >= GEO_RADIX_MIN ? pelab_xmalloc(65536 * sizeof *z->count) : NULL;
}

/* (key, idx) order: what the stable radix sort yields, as a total order */
static int cmp_kv(const void *p, const void *q) {
    const geo_kv *x = p, *y = q;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void sorter_free(geo_sorter *z) { free(z->a), free(z->b), free(z->count); }

/* v (m) sorted ascending, stably: returns (key, index) pairs in order (in
 * z's scratch, valid until the next call). LSD radix sort on 16-bit digits,
 * a digit that every key shares skipped; qsort on (key, index) below
 * GEO_RADIX_MIN values (the same order). */
static const geo_kv *sort_values(geo_sorter *z, const double *v, size_t m) {
    geo_kv *a = z->a, *b = z->b;
    size_t *count = z->count;
    for (size_t i = 0; i < m; i++) a[i].key = order_key(v[i]), a[i].idx = (int)i;
    if (m < GEO_RADIX_MIN) {
        qsort(a, m, sizeof *a, cmp_kv);
        return a;
    }
    for (int shift = 0; shift < 64; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t i = 0; i < m; i++) count[(a[i].key >> shift) & 0xFFFF]++;
        if (m == 0 || count[(a[0].key >> shift) & 0xFFFF] == m) continue;
        size_t sum = 0;
        for (size_t k = 0; k < 65536; k++) {
            size_t c = count[k];
            count[k] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++) b[count[(a[i].key >> shift) & 0xFFFF]++] = a[i];
        geo_kv *t = a;
        a = b, b = t;
    }
    return a;
}

/* Lexicographic order of two csr rows, absent entries being 0. */
static int cmp_row(const void *ctx, int p, int q) {
    const geo_csr *R = ctx;
    size_t i = R->ptr[p], ie = R->ptr[p + 1], j = R->ptr[q], je = R->ptr[q + 1];
    while (i < ie || j < je) {
        const int ci = i < ie ? R->col[i] : INT_MAX, cj = j < je ? R->col[j] : INT_MAX;
        double a = 0, b = 0;
        if (ci <= cj) a = R->val[i++];
        if (cj <= ci) b = R->val[j++];
        if (a != b) return a < b ? -1 : 1;
    }
    return 0;
}

/* idx (m) = 0..m-1 sorted by cmp; skips the sort when already in order. */
static int *sorted_order(size_t m, geo_cmp cmp, const void *ctx) {
    int *idx = pelab_xmalloc((m ? m : 1) * sizeof *idx);
    int in_order = 1;
    for (size_t i = 0; i < m; i++) idx[i] = (int)i;
    for (size_t i = 1; i < m && in_order; i++) in_order = cmp(ctx, (int)i - 1, (int)i) <= 0;
    if (!in_order) {
        int *tmp = pelab_xmalloc(m * sizeof *tmp);
        merge_sort(idx, tmp, m, cmp, ctx);
        free(tmp);
    }
    return idx;
}

/* Pairs among equal neighbours of a sorted order: a run of r counts r(r-1)/2. */
static long long equal_pairs(const int *idx, size_t m, geo_cmp cmp, const void *ctx) {
    long long pairs = 0, run = 1;
    for (size_t i = 1; i <= m; i++) {
        if (i < m && cmp(ctx, idx[i - 1], idx[i]) == 0) {
            run++;
            continue;
        }
        pairs += run * (run - 1) / 2;
        run = 1;
    }
    return pairs;
}

/* ---- pos_min_dist kernels, one per dtype ----------------------------------- */

/* dist2_dense: ||a - b||^2 in T, column c into partial sum c mod 8, the 8
 * partial sums combined as ((0+4)+(2+6)) + ((1+5)+(3+7)).
 * dist2_sparse: the same over two csr rows (values exact in T), summed
 * sequentially in column order over the columns where either is nonzero.
 * min_dist_dense / min_dist_sparse: min over p < q, parallel over p, the
 * row minima combined in p order; the square root of the minimum in T. */
#define GEO_DEFINE_MIN_DIST(T, SFX, SQRT)                                                      \
    static T dist2_dense_##SFX(const T *a, const T *b, int w) {                                \
        T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                   \
        int c = 0;                                                                             \
        for (; c + 8 <= w; c += 8)                                                             \
            for (int j = 0; j < 8; j++) {                                                      \
                T t = (T)(a[c + j] - b[c + j]);                                                \
                acc[j] = (T)(acc[j] + t * t);                                                  \
            }                                                                                  \
        for (int j = 0; c < w; c++, j++) {                                                     \
            T t = (T)(a[c] - b[c]);                                                            \
            acc[j] = (T)(acc[j] + t * t);                                                      \
        }                                                                                      \
        return (T)((T)((T)(acc[0] + acc[4]) + (T)(acc[2] + acc[6])) +                          \
                   (T)((T)(acc[1] + acc[5]) + (T)(acc[3] + acc[7])));                          \
    }                                                                                          \
    static double min_dist_dense_##SFX(const double *pe, int n, int w) {                       \
        T *X = pelab_xmalloc((size_t)n * w * sizeof *X);                                       \
        T *rowmin = pelab_xmalloc((size_t)n * sizeof *rowmin);                                 \
        for (size_t i = 0; i < (size_t)n * w; i++) X[i] = (T)pe[i];                            \
        _Pragma("omp parallel for schedule(dynamic, 16)") for (int p = 0; p < n; p++) {        \
            T best = (T)INFINITY;                                                              \
            for (int q = p + 1; q < n; q++) {                                                  \
                T s = dist2_dense_##SFX(X + (size_t)p * w, X + (size_t)q * w, w);              \
                if (s < best) best = s;                                                        \
            }                                                                                  \
            rowmin[p] = best;                                                                  \
        }                                                                                      \
        T best = (T)INFINITY;                                                                  \
        for (int p = 0; p < n; p++)                                                            \
            if (rowmin[p] < best) best = rowmin[p];                                            \
        free(X), free(rowmin);                                                                 \
        return (double)SQRT(best);                                                             \
    }                                                                                          \
    static T dist2_sparse_##SFX(const geo_csr *R, int p, int q) {                              \
        size_t i = R->ptr[p], ie = R->ptr[p + 1], j = R->ptr[q], je = R->ptr[q + 1];           \
        T s = 0;                                                                               \
        while (i < ie || j < je) {                                                             \
            const int ci = i < ie ? R->col[i] : INT_MAX, cj = j < je ? R->col[j] : INT_MAX;    \
            T a = 0, b = 0;                                                                    \
            if (ci <= cj) a = (T)R->val[i++];                                                  \
            if (cj <= ci) b = (T)R->val[j++];                                                  \
            T t = (T)(a - b);                                                                  \
            s = (T)(s + t * t);                                                                \
        }                                                                                      \
        return s;                                                                              \
    }                                                                                          \
    static double min_dist_sparse_##SFX(const geo_csr *R, int n) {                             \
        T *rowmin = pelab_xmalloc((size_t)n * sizeof *rowmin);                                 \
        _Pragma("omp parallel for schedule(dynamic, 16)") for (int p = 0; p < n; p++) {        \
            T best = (T)INFINITY;                                                              \
            for (int q = p + 1; q < n; q++) {                                                  \
                T s = dist2_sparse_##SFX(R, p, q);                                             \
                if (s < best) best = s;                                                        \
            }                                                                                  \
            rowmin[p] = best;                                                                  \
        }                                                                                      \
        T best = (T)INFINITY;                                                                  \
        for (int p = 0; p < n; p++)                                                            \
            if (rowmin[p] < best) best = rowmin[p];                                            \
        free(rowmin);                                                                          \
        return (double)SQRT(best);                                                             \
    }

GEO_DEFINE_MIN_DIST(float, f32, sqrtf)
GEO_DEFINE_MIN_DIST(double, f64, sqrt)

int pelab_geometry_prec(pelab_dtype dtype) {
    switch (dtype) {
    case PELAB_DTYPE_F64: return 0;
    case PELAB_DTYPE_BF16: return PELAB_GEOMETRY_PREC_BF16;
    case PELAB_DTYPE_F16: return PELAB_GEOMETRY_PREC_F16;
    case PELAB_DTYPE_F32:
    case PELAB_DTYPE_COUNT: break;
    }
    return 1;
}

void pelab_geometry_distinct(double *min_dist, int *min_dist_defined, long long *collisions, const double *pe,
                             int n, int w, int f32) {
    PELAB_ASSERT(min_dist && min_dist_defined && collisions && n >= 1 && w >= 1 && pe);
    if (f32 == PELAB_GEOMETRY_PREC_BF16 || f32 == PELAB_GEOMETRY_PREC_F16) {
        /* the rows as a bf16/f16 cell stores them; compared in float32 */
        const pelab_lowp fmt = f32 == PELAB_GEOMETRY_PREC_BF16 ? PELAB_LOWP_BF16 : PELAB_LOWP_F16;
        double *r = pelab_xmalloc((size_t)n * w * sizeof *r);
        for (size_t i = 0; i < (size_t)n * w; i++) r[i] = pelab_lowp_round_f64(fmt, pe[i]);
        pelab_geometry_distinct(min_dist, min_dist_defined, collisions, r, n, w, 1);
        free(r);
        return;
    }
    PELAB_ASSERT(f32 == 0 || f32 == 1);
    *min_dist = NAN;
    *min_dist_defined = 0;
    *collisions = 0;
    if (w == 1) {
        /* sort the values (unless they already are: index, index_norm);
         * neighbours give both the collisions and the minimum distance
         * |a - b| (in T: the difference of two values of T) */
        int in_order = 1;
        for (int p = 1; p < n && in_order; p++) in_order = round_to(pe[p - 1], f32) <= round_to(pe[p], f32);
        double *a = NULL;
        const geo_kv *kv = NULL;
        geo_sorter z = {0};
        if (!in_order) {
            a = pelab_xmalloc((size_t)n * sizeof *a);
            for (int p = 0; p < n; p++) a[p] = round_to(pe[p], f32);
            sorter_init(&z, (size_t)n);
            kv = sort_values(&z, a, (size_t)n);
        }
        long long run = 1;
        double best = INFINITY;
        double y = n ? (in_order ? round_to(pe[0], f32) : a[kv[0].idx]) : 0;
        for (int i = 1; i <= n; i++) {
            if (i < n) {
                const double x = in_order ? round_to(pe[i], f32) : a[kv[i].idx];
                const double diff = f32 ? (double)fabsf((float)x - (float)y) : fabs(x - y);
                const int same = x == y;
                if (diff < best) best = diff;
                y = x;
                if (same) {
                    run++;
                    continue;
                }
            }
            *collisions += run * (run - 1) / 2;
            run = 1;
        }
        if (n >= 2) *min_dist = best, *min_dist_defined = 1;
        if (!in_order) sorter_free(&z);
        free(a);
        return;
    }
    geo_csr R;
    csr_build(&R, pe, n, w, f32);
    int *idx = sorted_order((size_t)n, cmp_row, &R);
    *collisions = equal_pairs(idx, (size_t)n, cmp_row, &R);
    free(idx);
    if (n >= 2 && n <= PELAB_GEOMETRY_PAIRS_MAX) {
        if (mostly_zero(pe, n, w))
            *min_dist = f32 ? min_dist_sparse_f32(&R, n) : min_dist_sparse_f64(&R, n);
        else
            *min_dist = f32 ? min_dist_dense_f32(pe, n, w) : min_dist_dense_f64(pe, n, w);
        *min_dist_defined = 1;
    } else if (*collisions > 0) {
        *min_dist = 0; /* an equal pair is at distance exactly 0 */
        *min_dist_defined = 1;
    }
    csr_free(&R);
}

/* ---- length_consistency ---------------------------------------------------- */

/* Vector schemes: max_p ||PE_p(n) - PE_p(2n)||, pe (n, w) given. Returns 0
 * and leaves *out alone when the 2n table cannot be made. */
static int length_consistency_vec(double *out, const pelab_scheme *s, uint64_t seed, int n, int d,
                                  const double *pe, int w, double max_bytes) {
    const int n2 = 2 * n;
    if (pelab_encoding_check(s, n2, d, NULL, 0)) return 0;
    const int w2 = pelab_encoding_pe_width(s, n2, d);
    if ((double)n2 * w2 * sizeof(double) > max_bytes) return 0;
    double *pe2 = pelab_xmalloc((size_t)n2 * w2 * sizeof *pe2);
    pelab_encoding_positions(pe2, s, seed, n2, d);
    const int wm = w > w2 ? w : w2;
    double best = 0;
#pragma omp parallel for schedule(static) reduction(max : best)
    for (int p = 0; p < n; p++) {
        double ss = 0;
        for (int c = 0; c < wm; c++) {
            double a = c < w ? pe[(size_t)p * w + c] : 0, b = c < w2 ? pe2[(size_t)p * w2 + c] : 0;
            ss += (a - b) * (a - b);
        }
        if (sqrt(ss) > best) best = sqrt(ss);
    }
    free(pe2);
    *out = best;
    return 1;
}

/* Logit schemes: max_p ||Phi_n(p, 0..n-1) - Phi_2n(p, 0..n-1)||. */
static int length_consistency_logit(double *out, const pelab_scheme *s, uint64_t seed, int n, int d,
                                    const geo_src *g) {
    const int n2 = 2 * n;
    if (pelab_encoding_check(s, n2, d, NULL, 0)) return 0;
    geo_src g2;
    src_init(&g2, s, seed, n2, d, NULL);
    int ok = 1;
    double best = 0;
    if (g->vec) {
        /* rope: Phi is a function of the rows V_p, V_q alone; when the first
         * n rows agree bit for bit so do the Phi rows (difference exactly 0) */
        if (memcmp(g->V, g2.V, (size_t)n * g->w * sizeof(double)) != 0 ||
            (g->W && memcmp(g->W, g2.W, (size_t)n * g->w * sizeof(double)) != 0)) {
            if (n > PELAB_GEOMETRY_PAIRS_MAX) {
                ok = 0;
            } else {
#pragma omp parallel for schedule(static) reduction(max : best)
                for (int p = 0; p < n; p++) {
                    double ss = 0;
                    for (int q = 0; q < n; q++) {
                        double t = phi(g, p, q) - phi(&g2, p, q);
                        ss += t * t;
                    }
                    if (sqrt(ss) > best) best = sqrt(ss);
                }
            }
        }
    } else {
        /* Phi_n(p, q) - Phi_2n(p, q) = D(r), r = q - p: row p sums D^2 over
         * r = -p .. n-1-p; prefix sums S[i] = sum over r + n-1 < i. */
        const size_t R = 2 * (size_t)n - 1;
        double *S = pelab_xmalloc((R + 1) * sizeof *S);
        S[0] = 0;
        for (size_t i = 0; i < R; i++) {
            const ptrdiff_t r = (ptrdiff_t)i - (n - 1);
            const double t = (g->c + g->rel[i]) - (g2.c + g2.rel[r + n2 - 1]);
            S[i + 1] = S[i] + t * t;
        }
        for (int p = 0; p < n; p++) {
            const double ss = S[2 * (size_t)n - 1 - p] - S[(size_t)n - 1 - p];
            if (sqrt(fmax(ss, 0)) > best) best = sqrt(fmax(ss, 0));
        }
        free(S);
    }
    src_free(&g2);
    if (ok) *out = best;
    return ok;
}

/* ---- Phi-based metrics ----------------------------------------------------- */

/* Deviations are taken from the first value v0 of each offset (shifted
 * two-pass variance), so an offset whose values are all equal gives exactly
 * ss = 0 and contributes exactly 0. */
static double ti_residual(const geo_src *g, int n) {
    const int K = n - 1 < PELAB_GEOMETRY_TI_OFFSETS ? n - 1 : PELAB_GEOMETRY_TI_OFFSETS;
    double term[PELAB_GEOMETRY_TI_OFFSETS + 1];
#pragma omp parallel for schedule(dynamic, 1)
    for (int k = 1; k <= K; k++) {
        const int m = n - k;
        const double v0 = phi(g, 0, k);
        double sum = 0, sum_abs = 0, ss = 0;
        for (int p = 0; p < m; p++) {
            const double v = phi(g, p, p + k);
            sum += v - v0, sum_abs += fabs(v);
        }
        const double mean = sum / m;
        for (int p = 0; p < m; p++) {
            const double t = (phi(g, p, p + k) - v0) - mean;
            ss += t * t;
        }
        term[k] = ss == 0 ? 0 : sqrt(ss / m) / (sum_abs / m);
    }
    double acc = 0;
    for (int k = 1; k <= K; k++) acc += term[k];
    return acc / K;
}

/* smallest k >= 1 with Phi(0, k+1) > Phi(0, k), or -1 */
static int mono_break(const geo_src *g, int n) {
    if (n < 3) return -1;
    double prev = phi(g, 0, 1);
    for (int k = 1; k + 1 <= n - 1; k++) {
        const double next = phi(g, 0, k + 1);
        if (next > prev) return k;
        prev = next;
    }
    return -1;
}

/* v (m) replaced by its average ranks (1-based). */
static void to_ranks(geo_sorter *z, double *v, size_t m) {
    const geo_kv *kv = sort_values(z, v, m);
    for (size_t i = 0; i < m;) {
        size_t j = i + 1;
        while (j < m && kv[j].key == kv[i].key) j++;
        const double r = 0.5 * (double)(i + 1 + j); /* mean of i+1 .. j */
        for (size_t t = i; t < j; t++) v[kv[t].idx] = r;
        i = j;
    }
}

/* Spearman correlation of x and y (m each, both overwritten by their
 * ranks), NaN when a side is constant. */
static double spearman(double *x, double *y, size_t m) {
    geo_sorter z;
    sorter_init(&z, m);
    to_ranks(&z, x, m);
    to_ranks(&z, y, m);
    sorter_free(&z);
    const double mean = 0.5 * ((double)m + 1);
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < m; i++) {
        const double a = x[i] - mean, b = y[i] - mean;
        sxy += a * b, sxx += a * a, syy += b * b;
    }
    if (sxx == 0 || syy == 0) return NAN;
    return sxy / sqrt(sxx * syy);
}

/* Pair t of the pair set: all ordered pairs p != q (row-major) when
 * n <= PELAB_GEOMETRY_ALL_PAIRS_N, else draws 2t and 2t+1 of the fixed
 * stream. */
static size_t pair_count(int n) {
    return n <= PELAB_GEOMETRY_ALL_PAIRS_N ? (size_t)n * (size_t)(n - 1) : (size_t)PELAB_GEOMETRY_SAMPLE;
}

static void pair_at(size_t t, int n, pelab_rng base, int *p, int *q) {
    int a, b;
    if (n <= PELAB_GEOMETRY_ALL_PAIRS_N) {
        a = (int)(t / (size_t)(n - 1));
        b = (int)(t % (size_t)(n - 1));
    } else {
        base.counter = 2 * (uint64_t)t; /* one draw per call: rejection-free */
        a = (int)pelab_rng_below(&base, (uint64_t)n);
        b = (int)pelab_rng_below(&base, (uint64_t)n - 1);
    }
    *p = a;
    *q = b >= a ? b + 1 : b;
}

/* mono_spearman and, for vector sources, sym_residual over the pair set. */
static void pair_metrics(double *spear, double *sym, const geo_src *g, int n) {
    const size_t m = pair_count(n);
    const pelab_rng base = pelab_rng_make(pelab_hash_str("pelab.geometry.pairs"), (uint64_t)n);
    double *x = pelab_xmalloc(m * sizeof *x), *y = pelab_xmalloc(m * sizeof *y);
    double *asym = g->vec ? pelab_xmalloc(m * sizeof *asym) : NULL;
#pragma omp parallel for schedule(static)
    for (size_t t = 0; t < m; t++) {
        int p, q;
        pair_at(t, n, base, &p, &q);
        const double v = phi(g, p, q);
        x[t] = (double)abs(p - q);
        y[t] = -v + 0.0; /* -0 -> +0 */
        if (asym) asym[t] = v - phi(g, q, p);
    }
    if (asym) {
        /* ||Phi - Phi^T||_F^2 = sum over p != q; ||Phi||_F^2 = that over p != q
         * plus the diagonal. Over a sample, the off-diagonal sums are scaled
         * by n(n-1) / m (both estimated without bias); the diagonal is exact. */
        const double scale = (double)n * (double)(n - 1) / (double)m;
        double num = 0, off = 0, diag = 0;
        for (size_t t = 0; t < m; t++) num += asym[t] * asym[t], off += y[t] * y[t];
        for (int p = 0; p < n; p++) diag += phi(g, p, p) * phi(g, p, p);
        const double den = scale * off + diag;
        *sym = den > 0 ? sqrt(scale * num) / sqrt(den) : NAN;
    }
    *spear = spearman(x, y, m); /* after: it overwrites y */
    free(x), free(y), free(asym);
}

/* sym_residual of Phi(p, q) = c + b(q - p) over all n^2 pairs: the offset
 * r occurs n - |r| times. */
static double sym_toeplitz(const geo_src *g, int n) {
    double num = 0, den = 0;
    for (int r = -(n - 1); r <= n - 1; r++) {
        const double f = g->c + g->rel[r + n - 1], b = g->c + g->rel[-r + n - 1];
        const double cnt = (double)(n - abs(r));
        num += cnt * (f - b) * (f - b);
        den += cnt * f * f;
    }
    return den > 0 ? sqrt(num) / sqrt(den) : NAN;
}

/* ---- all together ---------------------------------------------------------- */

static void put(pelab_geometry_result *out, pelab_geometry_metric k, double v) {
    out->value[k] = v;
    out->defined[k] = !isnan(v);
}

void pelab_geometry_measure(pelab_geometry_result *out, const pelab_scheme *s, uint64_t seed, int n, int d,
                            int dtype_is_f32, double max_bytes) {
    PELAB_ASSERT(out != NULL && n >= 1 && d >= 1);
    for (int k = 0; k < PELAB_GEOMETRY_COUNT; k++) out->value[k] = NAN, out->defined[k] = 0;
    geo_src g;
    double *pe = NULL;
    int w = 0;
    if (has_vectors(s)) {
        w = pelab_encoding_pe_width(s, n, d);
        pe = pelab_xmalloc((size_t)n * w * sizeof *pe);
        pelab_encoding_positions(pe, s, seed, n, d);
        double md;
        int md_def;
        long long coll;
        pelab_geometry_distinct(&md, &md_def, &coll, pe, n, w, dtype_is_f32);
        if (md_def) put(out, PELAB_GEOMETRY_POS_MIN_DIST, md);
        put(out, PELAB_GEOMETRY_POS_COLLISIONS, (double)coll);
    }
    src_init(&g, s, seed, n, d, pe); /* takes pe over */
    double lc = NAN;
    if (g.vec && pe) length_consistency_vec(&lc, s, seed, n, d, pe, w, max_bytes);
    else length_consistency_logit(&lc, s, seed, n, d, &g);
    put(out, PELAB_GEOMETRY_LENGTH_CONSISTENCY, lc);
    if (n >= 2) {
        put(out, PELAB_GEOMETRY_TI_RESIDUAL, ti_residual(&g, n));
        const int kb = mono_break(&g, n);
        put(out, PELAB_GEOMETRY_MONO_BREAK, kb > 0 ? (double)kb : NAN);
        double sp = NAN, sym = NAN;
        pair_metrics(&sp, &sym, &g, n);
        if (!g.vec) sym = sym_toeplitz(&g, n);
        put(out, PELAB_GEOMETRY_MONO_SPEARMAN, sp);
        put(out, PELAB_GEOMETRY_SYM_RESIDUAL, sym);
    } else { /* one position: Phi is 1 x 1, symmetric */
        put(out, PELAB_GEOMETRY_SYM_RESIDUAL, phi(&g, 0, 0) != 0 ? 0.0 : NAN);
    }
    src_free(&g);
}

/* ---- RoFormer's bound ------------------------------------------------------ */

double pelab_geometry_rope_bound(int m, int d, double base) {
    PELAB_ASSERT(d >= 2 && d % 2 == 0);
    double re = 0, im = 0, acc = 0;
    for (int k = 0; k < d / 2; k++) {
        const double a = pelab_rope_angle(m, k, d, base);
        re += cos(a);
        im += sin(a);
        acc += sqrt(re * re + im * im);
    }
    return acc / (d / 2);
}
