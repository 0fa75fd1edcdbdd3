/* test_encoding.c — the scheme registry and the position-dependent pieces of
 * every scheme, each checked against a truth that does not come from
 * encoding.c: hand-worked values, a published identity, or a reference
 * algorithm worked out in the comment. */
#include <stdint.h>
#include <stdlib.h>

#include "pelab/kernels/attention.h"
#include "pelab/pe/encoding.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"
#include "schemes.h"
#include "test.h"

static double dot(const double *a, const double *b, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* ---- registry ------------------------------------------------------------- */

static void test_registry_defs(void) {
    int count = -1;
    const pelab_scheme_def *defs = pelab_scheme_defs(&count);
    ASSERT_EQ(count, PELAB_SCHEME_COUNT);
    for (int i = 0; i < count; i++) {
        const pelab_scheme_def *d = &defs[i];
        ASSERT_EQ(d->id, i);
        ASSERT(d->name && d->name[0]);
        ASSERT(strlen(d->name) < PELAB_SCHEME_NAME_MAX);
        ASSERT(d->formula && d->formula[0]);
        ASSERT(d->kind >= 0 && d->kind < PELAB_SCHEME_KIND_COUNT);
        ASSERT(d->n_params >= 0 && d->n_params <= PELAB_SCHEME_MAX_PARAMS);
        for (int j = 0; j < i; j++) ASSERT(strcmp(defs[j].name, d->name) != 0);
        ASSERT(pelab_scheme_def_get((pelab_scheme_id)i) == d);
        ASSERT(pelab_scheme_def_find(d->name) == d);
        for (int k = 0; k < d->n_params; k++) {
            const pelab_param_def *p = &d->params[k];
            ASSERT(p->name && p->help);
            ASSERT_EQ(pelab_scheme_param_index(d, p->name), k);
            ASSERT_DBL_LE(p->min, p->max);
            ASSERT_DBL_GE(p->def, p->min);
            ASSERT_DBL_LE(p->def, p->max);
            if (p->type == PELAB_PARAM_TYPE_CHOICE) {
                /* the choices: max + 1 names (min 0), none empty, and the helper splits them as written */
                ASSERT(p->choices != NULL);
                const int nc = pelab_param_choice_count(p);
                ASSERT_EQ(nc, (int)p->max + 1);
                ASSERT_DBL_EQ(p->min, 0);
                char joined[256] = "", w[64];
                for (int c = 0; c < nc; c++) {
                    ASSERT(pelab_param_choice_name(p, c, w, sizeof w)[0] != '\0');
                    snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s%s", c ? "|" : "", w);
                }
                ASSERT_STR_EQ(joined, p->choices);
                ASSERT_STR_EQ(pelab_param_choice_name(p, nc, w, sizeof w), "");
                ASSERT_STR_EQ(pelab_param_choice_name(p, -1, w, sizeof w), "");
            } else {
                ASSERT(p->choices == NULL);
                ASSERT_EQ(pelab_param_choice_count(p), 0);
            }
            for (int m = 0; m < k; m++) ASSERT(strcmp(d->params[m].name, p->name) != 0);
        }
        ASSERT_EQ(pelab_scheme_param_index(d, "no_such_param"), -1);
    }
    ASSERT(pelab_scheme_def_find("no_such_scheme") == NULL);
    ASSERT(pelab_scheme_def_find("") == NULL);
    /* The kinds of encoding.h's table. */
    ASSERT_EQ(pelab_scheme_def_find("none")->kind, PELAB_SCHEME_KIND_NONE);
    ASSERT_EQ(pelab_scheme_def_find("index")->kind, PELAB_SCHEME_KIND_APPEND);
    ASSERT_EQ(pelab_scheme_def_find("index_norm")->kind, PELAB_SCHEME_KIND_APPEND);
    ASSERT_EQ(pelab_scheme_def_find("onehot")->kind, PELAB_SCHEME_KIND_APPEND);
    ASSERT_EQ(pelab_scheme_def_find("binary")->kind, PELAB_SCHEME_KIND_APPEND);
    ASSERT_EQ(pelab_scheme_def_find("sinusoidal")->kind, PELAB_SCHEME_KIND_ADD);
    ASSERT_EQ(pelab_scheme_def_find("learned")->kind, PELAB_SCHEME_KIND_ADD);
    ASSERT_EQ(pelab_scheme_def_find("rope")->kind, PELAB_SCHEME_KIND_ROTATE);
    ASSERT_EQ(pelab_scheme_def_find("alibi")->kind, PELAB_SCHEME_KIND_BIAS);
    ASSERT_EQ(pelab_scheme_def_find("t5")->kind, PELAB_SCHEME_KIND_BIAS);
    ASSERT_STR_EQ(pelab_scheme_kind_str(PELAB_SCHEME_KIND_ROTATE), "rotate");
}

static void test_registry_init_default(void) {
    for (int i = 0; i < PELAB_SCHEME_COUNT; i++) {
        pelab_scheme s;
        memset(&s, 0xab, sizeof s);
        pelab_scheme_init_default(&s, (pelab_scheme_id)i);
        const pelab_scheme_def *d = pelab_scheme_def_get((pelab_scheme_id)i);
        ASSERT_STR_EQ(s.name, d->name);
        ASSERT_EQ(s.id, i);
        for (int k = 0; k < d->n_params; k++) {
            ASSERT_DBL_EQ(s.params[k], d->params[k].def);
            ASSERT_DBL_EQ(pelab_scheme_param(&s, d->params[k].name), d->params[k].def);
        }
        for (int k = d->n_params; k < PELAB_SCHEME_MAX_PARAMS; k++) ASSERT_DBL_EQ(s.params[k], 0);
    }
    pelab_scheme s = scheme(PELAB_SCHEME_LEARNED);
    ASSERT_DBL_EQ(pelab_scheme_param(&s, "max_len"), 512);
    ASSERT_DBL_EQ(pelab_scheme_param(&s, "std"), 0.02);
}

/* ---- widths ---------------------------------------------------------------- */

static void test_widths(void) {
    const int n = 10, d = 16;
    /* (scheme, pe_width, width) at n = 10, d = 16, every max_len at default:
     * index, index_norm 1; onehot L = n = 10; binary ceil(log2 10) = 4
     * (2^3 = 8 < 10 <= 16); sinusoidal, learned d; the rest 0. */
    static const struct { pelab_scheme_id id; int pe, w, L; } want[] = {
        {PELAB_SCHEME_NONE, 0, 16, 0},        {PELAB_SCHEME_INDEX, 1, 17, 0},
        {PELAB_SCHEME_INDEX_NORM, 1, 17, 10}, {PELAB_SCHEME_SINUSOIDAL, 16, 16, 0},
        {PELAB_SCHEME_ONEHOT, 10, 26, 10},    {PELAB_SCHEME_BINARY, 4, 20, 10},
        {PELAB_SCHEME_LEARNED, 16, 16, 512},  {PELAB_SCHEME_ROPE, 0, 16, 0},
        {PELAB_SCHEME_ALIBI, 0, 16, 0},       {PELAB_SCHEME_T5, 0, 16, 0},
        {PELAB_SCHEME_XPOS, 0, 16, 0},
    };
    ASSERT_EQ(sizeof want / sizeof want[0], PELAB_SCHEME_COUNT);
    for (int k = 0; k < PELAB_SCHEME_COUNT; k++) {
        pelab_scheme s = scheme(want[k].id);
        ASSERT_EQ(pelab_encoding_max_len(&s, n), want[k].L);
        ASSERT_EQ(pelab_encoding_pe_width(&s, n, d), want[k].pe);
        ASSERT_EQ(pelab_encoding_width(&s, n, d), want[k].w);
    }
    /* Explicit max_len overrides n. */
    pelab_scheme s = scheme_with(PELAB_SCHEME_ONEHOT, "max_len", 64);
    ASSERT_EQ(pelab_encoding_max_len(&s, 10), 64);
    ASSERT_EQ(pelab_encoding_pe_width(&s, 10, 8), 64);
    ASSERT_EQ(pelab_encoding_width(&s, 10, 8), 72);
    s = scheme_with(PELAB_SCHEME_INDEX_NORM, "max_len", 512);
    ASSERT_EQ(pelab_encoding_max_len(&s, 10), 512);
    ASSERT_EQ(pelab_encoding_width(&s, 10, 3), 4);
    /* onehot with L at its default: L = n at each n. */
    s = scheme(PELAB_SCHEME_ONEHOT);
    ASSERT_EQ(pelab_encoding_pe_width(&s, 1, 4), 1);
    ASSERT_EQ(pelab_encoding_pe_width(&s, 333, 4), 333);
    ASSERT_EQ(pelab_encoding_width(&s, 333, 4), 337);
    /* odd d for the ADD schemes */
    s = scheme(PELAB_SCHEME_SINUSOIDAL);
    ASSERT_EQ(pelab_encoding_pe_width(&s, 5, 7), 7);
    ASSERT_EQ(pelab_encoding_width(&s, 5, 7), 7);
}

static void test_binary_width(void) {
    /* B = smallest B >= 1 with 2^B >= L, by hand:
     *   L = 1: 2^1 = 2 >= 1, and B >= 1            -> 1
     *   L = 2: 2^1 = 2 >= 2                        -> 1
     *   L = 3: 2^1 = 2 < 3 <= 4 = 2^2              -> 2
     *   L = 4: 2^2 = 4 >= 4                        -> 2
     *   L = 5: 4 < 5 <= 8 = 2^3                    -> 3
     *   L = 1024 = 2^10                            -> 10
     *   L = 1025: 2^10 < 1025 <= 2^11              -> 11
     *   L = 2^30 (the registry's maximum)          -> 30 */
    static const int L[] = {1, 2, 3, 4, 5, 1024, 1025, 1 << 30};
    static const int B[] = {1, 1, 2, 2, 3, 10, 11, 30};
    for (int k = 0; k < (int)(sizeof L / sizeof L[0]); k++) {
        pelab_scheme s = scheme_with(PELAB_SCHEME_BINARY, "max_len", L[k]);
        ASSERT_EQ(pelab_encoding_pe_width(&s, 1, 8), B[k]);
        ASSERT_EQ(pelab_encoding_width(&s, 1, 8), 8 + B[k]);
        /* the same B with max_len 0 and n = L */
        s = scheme(PELAB_SCHEME_BINARY);
        ASSERT_EQ(pelab_encoding_pe_width(&s, L[k], 8), B[k]);
    }
}

/* ---- check ------------------------------------------------------------------ */

static void test_check(void) {
    char why[128];
    pelab_scheme s = scheme(PELAB_SCHEME_LEARNED); /* max_len 512 */
    ASSERT_EQ(pelab_encoding_check(&s, 512, 8, why, sizeof why), 0);
    ASSERT_STR_EQ(why, "");
    ASSERT_EQ(pelab_encoding_check(&s, 1024, 8, why, sizeof why), 1);
    ASSERT_STR_EQ(why, "seq_len 1024 exceeds learned max_len 512");
    ASSERT_EQ(pelab_encoding_check(&s, 513, 8, NULL, 0), 1); /* why is optional */

    /* Default max_len (0 = n) is always accepted. */
    for (int id = 0; id < PELAB_SCHEME_COUNT; id++) {
        if (id == PELAB_SCHEME_LEARNED) continue;
        s = scheme((pelab_scheme_id)id);
        ASSERT_EQ(pelab_encoding_check(&s, 4096, 64, why, sizeof why), 0);
    }
    /* Explicit max_len below n: refused for onehot, binary and index_norm. */
    static const pelab_scheme_id ids[] = {PELAB_SCHEME_ONEHOT, PELAB_SCHEME_BINARY,
                                          PELAB_SCHEME_INDEX_NORM};
    for (int k = 0; k < 3; k++) {
        s = scheme_with(ids[k], "max_len", 100);
        ASSERT_EQ(pelab_encoding_check(&s, 100, 8, why, sizeof why), 0);
        ASSERT_EQ(pelab_encoding_check(&s, 50, 8, why, sizeof why), 0);
        ASSERT_EQ(pelab_encoding_check(&s, 101, 8, why, sizeof why), 1);
        ASSERT_STR_EQ(why, "seq_len 101 exceeds max_len 100");
    }
    /* onehot: the block may not exceed 65536 columns (registry maximum). */
    s = scheme(PELAB_SCHEME_ONEHOT);
    ASSERT_EQ(pelab_encoding_check(&s, 65536, 8, why, sizeof why), 0);
    ASSERT_EQ(pelab_encoding_check(&s, 65537, 8, why, sizeof why), 1);
    ASSERT_STR_CONTAINS(why, "onehot width 65537");
    /* a short buffer is truncated, never overrun */
    char small[8];
    s = scheme(PELAB_SCHEME_LEARNED);
    ASSERT_EQ(pelab_encoding_check(&s, 1024, 8, small, sizeof small), 1);
    ASSERT_STR_EQ(small, "seq_len");
}

/* ---- positions: hand-worked ------------------------------------------------- */

static void test_positions_index(void) {
    double pe[4];
    pelab_scheme s = scheme(PELAB_SCHEME_INDEX);
    pelab_encoding_positions(pe, &s, 1, 4, 8);
    ASSERT_DBL_EQ(pe[0], 1); /* p + 1 */
    ASSERT_DBL_EQ(pe[1], 2);
    ASSERT_DBL_EQ(pe[2], 3);
    ASSERT_DBL_EQ(pe[3], 4);
    s = scheme(PELAB_SCHEME_INDEX_NORM); /* L = n = 4: 1/4, 2/4, 3/4, 4/4 */
    pelab_encoding_positions(pe, &s, 1, 4, 8);
    ASSERT_DBL_EQ(pe[0], 0.25);
    ASSERT_DBL_EQ(pe[1], 0.5);
    ASSERT_DBL_EQ(pe[2], 0.75);
    ASSERT_DBL_EQ(pe[3], 1.0);
    s = scheme_with(PELAB_SCHEME_INDEX_NORM, "max_len", 8); /* L = 8: 1/8 .. 4/8 */
    pelab_encoding_positions(pe, &s, 1, 4, 8);
    ASSERT_DBL_EQ(pe[0], 0.125);
    ASSERT_DBL_EQ(pe[3], 0.5);
}

static void test_positions_onehot(void) {
    enum { N = 5 };
    double pe[N * N];
    memset(pe, 0xff, sizeof pe); /* NaN garbage: every entry must be written */
    pelab_scheme s = scheme(PELAB_SCHEME_ONEHOT);
    pelab_encoding_positions(pe, &s, 1, N, 3);
    for (int p = 0; p < N; p++) /* the identity matrix */
        for (int c = 0; c < N; c++) ASSERT_DBL_EQ(pe[p * N + c], p == c ? 1.0 : 0.0);
    /* L = 7 > n = 3: rows e_0, e_1, e_2 of width 7 */
    double pe2[3 * 7];
    s = scheme_with(PELAB_SCHEME_ONEHOT, "max_len", 7);
    pelab_encoding_positions(pe2, &s, 1, 3, 3);
    for (int p = 0; p < 3; p++)
        for (int c = 0; c < 7; c++) ASSERT_DBL_EQ(pe2[p * 7 + c], p == c ? 1.0 : 0.0);
}

static void test_positions_binary(void) {
    /* n = L = 6: B = 3 (4 < 6 <= 8). Bits of p, least significant first:
     *   0 = 000 -> 0 0 0    3 = 011 -> 1 1 0
     *   1 = 001 -> 1 0 0    4 = 100 -> 0 0 1
     *   2 = 010 -> 0 1 0    5 = 101 -> 1 0 1 */
    static const double want[6][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0},
                                      {1, 1, 0}, {0, 0, 1}, {1, 0, 1}};
    double pe[6 * 3];
    pelab_scheme s = scheme(PELAB_SCHEME_BINARY);
    ASSERT_EQ(pelab_encoding_pe_width(&s, 6, 4), 3);
    pelab_encoding_positions(pe, &s, 1, 6, 4);
    for (int p = 0; p < 6; p++)
        for (int b = 0; b < 3; b++) ASSERT_DBL_EQ(pe[p * 3 + b], want[p][b]);
    /* n = 1: a single zero column */
    s = scheme(PELAB_SCHEME_BINARY);
    pe[0] = 7;
    pelab_encoding_positions(pe, &s, 1, 1, 4);
    ASSERT_DBL_EQ(pe[0], 0);
}

static void test_positions_none_kinds_write_nothing(void) {
    static const pelab_scheme_id ids[] = {PELAB_SCHEME_NONE, PELAB_SCHEME_ROPE,
                                          PELAB_SCHEME_ALIBI, PELAB_SCHEME_T5};
    double sentinel = 42;
    for (int k = 0; k < 4; k++) {
        pelab_scheme s = scheme(ids[k]);
        ASSERT_EQ(pelab_encoding_pe_width(&s, 8, 8), 0);
        pelab_encoding_positions(&sentinel, &s, 1, 8, 8);
        ASSERT_DBL_EQ(sentinel, 42);
    }
}

static void test_positions_learned(void) {
    enum { N = 16, D = 8 };
    double a[2 * N * D], b[2 * N * D], c[N * D];
    pelab_scheme s = scheme(PELAB_SCHEME_LEARNED);
    /* same seed -> same table */
    pelab_encoding_positions(a, &s, 7, N, D);
    pelab_encoding_positions(b, &s, 7, N, D);
    ASSERT(memcmp(a, b, sizeof(double) * N * D) == 0);
    /* first n rows identical for n and 2n (row p depends on (seed, p) only) */
    pelab_encoding_positions(b, &s, 7, 2 * N, D);
    ASSERT(memcmp(a, b, sizeof(double) * N * D) == 0);
    /* the derivation documented in encoding.c, redone here */
    pelab_rng r = pelab_rng_make(pelab_hash_mix(7, pelab_hash_str("learned")), 3);
    for (int col = 0; col < D; col++) ASSERT_DBL_EQ(a[3 * D + col], 0.02 * pelab_rng_normal(&r));
    /* a different seed differs in every entry (continuous draws) */
    pelab_encoding_positions(c, &s, 8, N, D);
    for (int k = 0; k < N * D; k++) ASSERT(a[k] != c[k]);
    /* rows differ from each other */
    ASSERT(memcmp(a, a + D, sizeof(double) * D) != 0);
    /* std scales the same draws */
    pelab_scheme s2 = scheme_with(PELAB_SCHEME_LEARNED, "std", 0.5);
    pelab_encoding_positions(c, &s2, 7, N, D);
    for (int k = 0; k < N * D; k++) ASSERT_CLOSE(c[k], a[k] * 25.0, 1e-15, 0);
}

static void test_positions_learned_std(void) {
    /* Sample std of M = 512 * 256 = 131072 draws of N(0, std^2), std = 0.02.
     * The sample variance's relative sd is sqrt(2/M) = 0.0039, so the std's
     * is half that, 0.002: a 1% tolerance is 5 sigma. Mean: sd std/sqrt(M)
     * = 5.5e-5, 5 sigma = 2.8e-4. */
    enum { N = 512, D = 256 };
    const double std = 0.02;
    double *pe = pelab_xmalloc(sizeof(double) * N * D);
    pelab_scheme s = scheme(PELAB_SCHEME_LEARNED);
    pelab_encoding_positions(pe, &s, 12345, N, D);
    double mean = 0, ss = 0;
    for (int k = 0; k < N * D; k++) mean += pe[k];
    mean /= N * D;
    for (int k = 0; k < N * D; k++) ss += (pe[k] - mean) * (pe[k] - mean);
    double sd = sqrt(ss / (N * D - 1));
    free(pe);
    ASSERT_NEAR(mean, 0, 5 * std / sqrt((double)N * D));
    ASSERT_CLOSE(sd, std, 0.01, 0);
}

/* ---- sinusoidal: Vaswani et al. 2017, "Attention Is All You Need", §3.5 ---- */

/* w_i = 1 / base^(2i/d), written as in the paper, independently of
 * encoding.c's inv_freq. */
static double vaswani_freq(int i, int d, double base) { return 1.0 / pow(base, 2.0 * i / d); }

static void test_sinusoidal_values(void) {
    /* Row 0: sin 0 = 0 in even columns, cos 0 = 1 in odd ones. Column pair 0
     * has w_0 = 1: PE[p,0] = sin p, PE[p,1] = cos p. d = 5 (odd): column 4
     * is sin(p * base^(-4/5)) with no cosine partner. */
    enum { N = 6, D = 5 };
    double pe[N * D];
    pelab_scheme s = scheme(PELAB_SCHEME_SINUSOIDAL);
    pelab_encoding_positions(pe, &s, 1, N, D);
    for (int c = 0; c < D; c++) ASSERT_DBL_EQ(pe[c], c % 2 ? 1.0 : 0.0);
    for (int p = 0; p < N; p++) {
        ASSERT_NEAR(pe[p * D + 0], sin((double)p), 1e-15);
        ASSERT_NEAR(pe[p * D + 1], cos((double)p), 1e-15);
        ASSERT_NEAR(pe[p * D + 2], sin(p / pow(10000.0, 2.0 / 5)), 1e-15);
        ASSERT_NEAR(pe[p * D + 3], cos(p / pow(10000.0, 2.0 / 5)), 1e-15);
        ASSERT_NEAR(pe[p * D + 4], sin(p / pow(10000.0, 4.0 / 5)), 1e-15);
    }
    /* base is a parameter: base 100, d = 4, column 2 = sin(p / 100^(2/4)) = sin(p/10) */
    double pe4[N * 4];
    s = scheme_with(PELAB_SCHEME_SINUSOIDAL, "base", 100);
    pelab_encoding_positions(pe4, &s, 1, N, 4);
    for (int p = 0; p < N; p++) ASSERT_NEAR(pe4[p * 4 + 2], sin(p / 10.0), 1e-15);
}

static void test_sinusoidal_identities(void) {
    enum { N = 200, D = 64 };
    const double base = 10000;
    double *pe = pelab_xmalloc(sizeof(double) * N * D);
    pelab_scheme s = scheme(PELAB_SCHEME_SINUSOIDAL);
    pelab_encoding_positions(pe, &s, 1, N, D);
    /* ||PE_p||^2 = sum_i sin^2 + cos^2 = d/2 for even d. */
    for (int p = 0; p < N; p++) ASSERT_NEAR(dot(pe + p * D, pe + p * D, D), D / 2.0, 1e-12);
    /* PE_p . PE_{p+k} = sum_i cos(k w_i), independent of p. */
    static const int ks[] = {0, 1, 2, 5, 17, 64};
    for (int t = 0; t < 6; t++) {
        const int k = ks[t];
        double want = 0;
        for (int i = 0; i < D / 2; i++) want += cos(k * vaswani_freq(i, D, base));
        for (int p = 0; p + k < N; p += 7)
            ASSERT_NEAR(dot(pe + p * D, pe + (p + k) * D, D), want, 1e-12);
    }
    /* "for any fixed offset k, PE_{p+k} can be represented as a linear
     * function of PE_p": PE_{p+k} = R(k) PE_p, R(k) block-diagonal with
     * [[cos kw, sin kw], [-sin kw, cos kw]] on each (sin, cos) pair, by
     * sin(a+b) = sin a cos b + cos a sin b, cos(a+b) = cos a cos b - sin a sin b. */
    for (int t = 0; t < 6; t++) {
        const int k = ks[t];
        for (int p = 0; p + k < N; p += 3) {
            const double *x = pe + p * D, *y = pe + (p + k) * D;
            for (int i = 0; i < D / 2; i++) {
                const double w = vaswani_freq(i, D, base);
                const double ck = cos(k * w), sk = sin(k * w);
                ASSERT_NEAR(y[2 * i], ck * x[2 * i] + sk * x[2 * i + 1], 1e-12);
                ASSERT_NEAR(y[2 * i + 1], -sk * x[2 * i] + ck * x[2 * i + 1], 1e-12);
            }
        }
    }
    free(pe);
}

/* ---- RoPE: Su et al., "RoFormer", 2021, Eq. 16 and §3.4.2 ------------------ */

/* y = R_p x, x (dk): each pair (a, b) of pelab_rope_pair rotated by
 * theta = pelab_rope_angle(p, i): (x_a cos - x_b sin, x_a sin + x_b cos), the
 * 2x2 block of Eq. 15; an odd last dimension is copied. */
static void rope_apply(double *y, const double *x, int p, int dk, int half, double base) {
    memcpy(y, x, sizeof(double) * dk);
    for (int i = 0; i < dk / 2; i++) {
        int a, b;
        pelab_rope_pair(i, dk, half, &a, &b);
        const double t = pelab_rope_angle(p, i, dk, base);
        y[a] = x[a] * cos(t) - x[b] * sin(t);
        y[b] = x[a] * sin(t) + x[b] * cos(t);
    }
}

static void test_rope_pairs(void) {
    /* Every dimension < 2*(dk/2) is in exactly one pair; with odd dk the
     * last one, dk-1, is in none. Hand-worked: dk = 6 interleaved
     * (0,1)(2,3)(4,5), half (0,3)(1,4)(2,5); dk = 5 half (0,2)(1,3), 4 free. */
    int a, b;
    pelab_rope_pair(1, 6, 0, &a, &b);
    ASSERT_EQ(a, 2);
    ASSERT_EQ(b, 3);
    pelab_rope_pair(1, 6, 1, &a, &b);
    ASSERT_EQ(a, 1);
    ASSERT_EQ(b, 4);
    pelab_rope_pair(1, 5, 1, &a, &b);
    ASSERT_EQ(a, 1);
    ASSERT_EQ(b, 3);
    for (int dk = 2; dk <= 9; dk++)
        for (int half = 0; half <= 1; half++) {
            int seen[9] = {0};
            for (int i = 0; i < dk / 2; i++) {
                pelab_rope_pair(i, dk, half, &a, &b);
                ASSERT(a >= 0 && a < dk && b >= 0 && b < dk && a < b);
                seen[a]++;
                seen[b]++;
            }
            for (int c = 0; c < dk; c++) ASSERT_EQ(seen[c], (dk % 2 && c == dk - 1) ? 0 : 1);
        }
    /* theta_i = p * base^(-2i/dk): p = 3, i = 0 -> 3; dk = 4, base 100, i = 1 -> 3/10 */
    ASSERT_DBL_EQ(pelab_rope_angle(3, 0, 8, 10000), 3.0);
    ASSERT_NEAR(pelab_rope_angle(3, 1, 4, 100), 0.3, 1e-16);
    ASSERT_NEAR(pelab_rope_angle(5, 3, 64, 10000), 5 * pow(10000.0, -6.0 / 64), 1e-15);
    ASSERT_DBL_EQ(pelab_rope_angle(0, 3, 64, 10000), 0);
}

static void test_rope_relative(void) {
    /* Eq. 16: q_m^T k_n = (R_m x_q)^T (R_n x_k) = x_q^T R_{n-m} x_k, and
     * rotations preserve norms. */
    static const int dks[] = {2, 7, 8, 64, 65};
    static const int mn[][2] = {{0, 0}, {0, 5}, {3, 11}, {11, 3}, {100, 101}, {250, 7}, {1000, 1040}};
    pelab_rng r = pelab_rng_make(99, 1);
    double q[65], k[65], rq[65], rk[65], rel[65];
    for (int t = 0; t < 5; t++) {
        const int dk = dks[t];
        for (int half = 0; half <= 1; half++)
            for (int u = 0; u < (int)(sizeof mn / sizeof mn[0]); u++) {
                const int m = mn[u][0], n = mn[u][1];
                for (int c = 0; c < dk; c++) {
                    q[c] = pelab_rng_normal(&r);
                    k[c] = pelab_rng_normal(&r);
                }
                rope_apply(rq, q, m, dk, half, 10000);
                rope_apply(rk, k, n, dk, half, 10000);
                rope_apply(rel, k, n - m, dk, half, 10000);
                const double scale = sqrt(dot(q, q, dk) * dot(k, k, dk));
                ASSERT_NEAR(dot(rq, rk, dk), dot(q, rel, dk), 1e-12 * scale);
                ASSERT_NEAR(dot(rq, rq, dk), dot(q, q, dk), 1e-12 * dot(q, q, dk));
                if (dk % 2) ASSERT_DBL_EQ(rq[dk - 1], q[dk - 1]); /* unrotated */
            }
    }
}

/* RoFormer §3.4.3 (Fig. 2): the long-term-decay bound
 *   B(m) = (1/(d/2)) sum_{j=1}^{d/2} |S_j|,  S_j = sum_{k=0}^{j-1} e^{i m theta_k},
 * with m theta_k = pelab_rope_angle(m, k, d, 10000). */
static double rope_decay_bound(int m, int d) {
    double re = 0, im = 0, acc = 0;
    for (int k = 0; k < d / 2; k++) {
        const double a = pelab_rope_angle(m, k, d, 10000);
        re += cos(a);
        im += sin(a);
        acc += sqrt(re * re + im * im);
    }
    return acc / (d / 2);
}

static void test_rope_long_term_decay(void) {
    const int d = 128;
    /* m = 0: S_j = j, so B = (1/64) * 64*65/2 = 32.5. */
    ASSERT_NEAR(rope_decay_bound(0, d), 32.5, 1e-12);
    /* Strictly decreasing over the first distances 0..16 (it is not
     * monotone everywhere: it oscillates, e.g. B(19) > B(18)). */
    for (int m = 1; m <= 16; m++) ASSERT_DBL_LT(rope_decay_bound(m, d), rope_decay_bound(m - 1, d));
    /* Decreasing on average: the mean over each octave [2^t, 2^{t+1}) falls
     * strictly for t = 0..9 (distances up to 1023; beyond ~2000 the bound
     * levels off near 4.7), and Fig. 2's end point is far below its start. */
    double prev = INFINITY;
    for (int t = 0; t <= 9; t++) {
        double mean = 0;
        for (int m = 1 << t; m < 2 << t; m++) mean += rope_decay_bound(m, d);
        mean /= 1 << t;
        ASSERT_DBL_LT(mean, prev);
        prev = mean;
    }
    ASSERT_DBL_LT(rope_decay_bound(256, d), rope_decay_bound(1, d) / 4);
    ASSERT_DBL_LT(rope_decay_bound(256, d), rope_decay_bound(32, d));
}

/* ---- ALiBi: Press et al., "Train Short, Test Long", ICLR 2022 --------------- */

static void test_alibi_slopes(void) {
    double m[16];
    /* §3: for 8 heads the slopes are 1/2, 1/4, ..., 1/256 (start 2^(-8/8)). */
    pelab_alibi_slopes(m, 8);
    for (int h = 0; h < 8; h++) ASSERT_DBL_EQ(m[h], 1.0 / (double)(2 << h));
    /* Powers of two, from get_slopes_power_of_2: start = 2^(-8/H), m_h = start^(h+1).
     *   H = 1: 2^-8.  H = 2: 2^-4, 2^-8.  H = 4: 2^-2, 2^-4, 2^-6, 2^-8. */
    pelab_alibi_slopes(m, 1);
    ASSERT_DBL_EQ(m[0], 1.0 / 256);
    pelab_alibi_slopes(m, 2);
    ASSERT_DBL_EQ(m[0], 1.0 / 16);
    ASSERT_DBL_EQ(m[1], 1.0 / 256);
    pelab_alibi_slopes(m, 4);
    ASSERT_DBL_EQ(m[0], 1.0 / 4);
    ASSERT_DBL_EQ(m[1], 1.0 / 16);
    ASSERT_DBL_EQ(m[2], 1.0 / 64);
    ASSERT_DBL_EQ(m[3], 1.0 / 256);
    /* H = 12, the reference get_slopes: closest power of two P = 8, so
     * slopes(8) = 2^-1 .. 2^-8, followed by slopes(16)[0::2][:4]; slopes(16)
     * has start 2^(-8/16) = 2^-0.5: 2^-0.5, 2^-1, 2^-1.5, 2^-2, 2^-2.5, ...,
     * and every other one from the first is 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5. */
    pelab_alibi_slopes(m, 12);
    for (int h = 0; h < 8; h++) ASSERT_DBL_EQ(m[h], 1.0 / (double)(2 << h));
    const double r2 = sqrt(0.5); /* 2^-0.5 */
    ASSERT_CLOSE(m[8], r2, 2e-16, 0);
    ASSERT_CLOSE(m[9], r2 / 2, 2e-16, 0);
    ASSERT_CLOSE(m[10], r2 / 4, 2e-16, 0);
    ASSERT_CLOSE(m[11], r2 / 8, 2e-16, 0);
    /* H = 3: slopes(2) = 2^-4, 2^-8, then slopes(4)[0] = 2^-2. */
    pelab_alibi_slopes(m, 3);
    ASSERT_DBL_EQ(m[0], 1.0 / 16);
    ASSERT_DBL_EQ(m[1], 1.0 / 256);
    ASSERT_DBL_EQ(m[2], 1.0 / 4);
}

/* ---- T5: Raffel et al. 2020; mesh-tensorflow _relative_position_bucket ----- */

static void test_t5_bucket_bidirectional(void) {
    /* 32 buckets, max_distance 128, bidirectional: 16 per side, key after the
     * query (rel > 0, n = -rel < 0) on the upper side, ret = 16. max_exact = 8;
     * for n >= 8: val = 8 + floor(log(n/8) / log(128/8) * 8) = 8 + floor(2 log2(n/8)),
     * capped at 15.
     *   rel 0     n 0                           -> 0
     *   rel -1    n 1 < 8                       -> 1
     *   rel +1    n -1: ret 16, |n| = 1         -> 17
     *   rel -7    n 7 < 8                       -> 7
     *   rel -8    2 log2(1) = 0                 -> 8
     *   rel -9    2 log2(1.125) = 0.34          -> 8
     *   rel -12   2 log2(1.5) = 1.17            -> 9
     *   rel -16   2 log2(2) = 2 (log 2/log 16 = 1/4 exactly in binary fp) -> 10
     *   rel -20   2 log2(2.5) = 2.64            -> 10
     *   rel -31   2 log2(3.875) = 3.91          -> 11
     *   rel -32   2 log2(4) = 4 (ratio 1/2 exactly) -> 12
     *   rel -64   2 log2(8) = 6                 -> 14
     *   rel -127  2 log2(15.875) = 7.98         -> 15
     *   rel -128  2 log2(16) = 8 -> 16, cap     -> 15
     *   rel -1000 2 log2(125) = 13.9 -> 21, cap -> 15
     *   rel +20   ret 16 + 10                   -> 26
     *   rel +1000 ret 16 + 15                   -> 31 */
    static const int rel[] = {0, -1, 1, -7, -8, -9, -12, -16, -20, -31, -32, -64, -127, -128,
                              -1000, 20, 1000};
    static const int want[] = {0, 1, 17, 7, 8, 8, 9, 10, 10, 11, 12, 14, 15, 15, 15, 26, 31};
    for (int k = 0; k < (int)(sizeof rel / sizeof rel[0]); k++) {
        int got = pelab_t5_bucket(rel[k], 1, 32, 128);
        if (got != want[k]) TEST_FAIL_("rel %d: bucket %d, want %d", rel[k], got, want[k]);
    }
}

static void test_t5_bucket_unidirectional(void) {
    /* 32 buckets, max_distance 128, causal: n = max(-rel, 0), max_exact 16,
     * for n >= 16 val = 16 + floor(log(n/16) / log(8) * 16) = 16 + floor(16/3 log2(n/16)),
     * capped at 31.
     *   rel +5    n 0                        -> 0
     *   rel -5    n 5 < 16                   -> 5
     *   rel -15                              -> 15
     *   rel -16   log 1 = 0                  -> 16
     *   rel -20   16/3 log2(1.25) = 1.72     -> 17
     *   rel -100  16/3 log2(6.25) = 14.1     -> 30
     *   rel -127  16/3 log2(7.94) = 15.94    -> 31
     *   rel -1000 16/3 log2(62.5) = 31.8 -> 47, cap -> 31 */
    static const int rel[] = {5, -5, -15, -16, -20, -100, -127, -1000};
    static const int want[] = {0, 5, 15, 16, 17, 30, 31, 31};
    for (int k = 0; k < (int)(sizeof rel / sizeof rel[0]); k++) {
        int got = pelab_t5_bucket(rel[k], 0, 32, 128);
        if (got != want[k]) TEST_FAIL_("rel %d: bucket %d, want %d", rel[k], got, want[k]);
    }
    /* every bucket in range, monotone in distance, for a range of layouts,
     * including ones with max_distance <= max_exact (the reference's log of a
     * ratio <= 1) and num_buckets 2 bidirectional (max_exact 0) */
    static const int layouts[][2] = {{32, 128}, {2, 2}, {3, 2}, {8, 4}, {64, 16}, {1024, 2}};
    for (int u = 0; u < 6; u++)
        for (int bi = 0; bi <= 1; bi++) {
            const int nb = layouts[u][0], md = layouts[u][1];
            const int side = bi ? nb / 2 : nb;
            int prev = -1;
            for (int n = 0; n < 3000; n++) {
                int b = pelab_t5_bucket(-n, bi, nb, md);
                ASSERT(b >= 0 && b < side);
                ASSERT_GE(b, prev);
                prev = b;
                if (bi) {
                    int bu = pelab_t5_bucket(n, bi, nb, md);
                    ASSERT(bu >= (n ? side : 0) && bu < 2 * side);
                }
            }
        }
}

/* ---- rel_bias layout --------------------------------------------------------- */

static void test_rel_bias_alibi(void) {
    enum { H = 2, N = 4, R = 2 * N - 1 };
    double rb[H * R];
    memset(rb, 0xff, sizeof rb);
    pelab_scheme s = scheme(PELAB_SCHEME_ALIBI);
    ASSERT_EQ(pelab_encoding_rel_bias(rb, &s, 1, H, N, 0), 1);
    /* H = 2: m = 2^-4, 2^-8 (get_slopes_power_of_2); b_h(j - i) = -m_h |j - i| */
    const double m[H] = {1.0 / 16, 1.0 / 256};
    for (int h = 0; h < H; h++)
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                ASSERT_DBL_EQ(rb[h * R + (j - i) + (N - 1)], -m[h] * abs(j - i));
    ASSERT(!signbit(rb[N - 1])); /* the diagonal is +0 */
    /* causal: the same table (j > i half written, finite) */
    double rc[H * R];
    ASSERT_EQ(pelab_encoding_rel_bias(rc, &s, 1, H, N, 1), 1);
    ASSERT(memcmp(rb, rc, sizeof rb) == 0);
}

static void test_rel_bias_t5(void) {
    enum { H = 2, N = 4, R = 2 * N - 1, NB = 32 };
    double rb[H * R];
    pelab_scheme s = scheme(PELAB_SCHEME_T5); /* 32 buckets, max_distance 128, std 1 */
    /* T[h, b] redrawn by the derivation documented in encoding.c */
    double T[H][NB];
    for (int h = 0; h < H; h++) {
        pelab_rng r = pelab_rng_make(pelab_hash_mix(5, pelab_hash_str("t5")), (uint64_t)h);
        for (int b = 0; b < NB; b++) T[h][b] = pelab_rng_normal(&r);
    }
    /* At n = 4, |j - i| <= 3 < max_exact: bidirectional buckets are
     * i - j for j <= i and 16 + (j - i) for j > i; causal ones max(i - j, 0). */
    for (int causal = 0; causal <= 1; causal++) {
        memset(rb, 0xff, sizeof rb);
        ASSERT_EQ(pelab_encoding_rel_bias(rb, &s, 5, H, N, causal), 1);
        for (int h = 0; h < H; h++)
            for (int i = 0; i < N; i++)
                for (int j = 0; j < N; j++) {
                    int b = j <= i ? i - j : (causal ? 0 : 16 + (j - i));
                    ASSERT_DBL_EQ(rb[h * R + (j - i) + (N - 1)], T[h][b]);
                }
    }
    /* std scales, and the table does not depend on n: row h's entry for
     * j - i = 0 is T[h, 0] at any n. */
    pelab_scheme s3 = scheme_with(PELAB_SCHEME_T5, "std", 3);
    double big[H * 19];
    ASSERT_EQ(pelab_encoding_rel_bias(big, &s3, 5, H, 10, 0), 1);
    for (int h = 0; h < H; h++) ASSERT_CLOSE(big[h * 19 + 9], 3 * T[h][0], 1e-15, 0);
    /* a different seed gives a different table */
    ASSERT_EQ(pelab_encoding_rel_bias(rb, &s, 6, H, N, 0), 1);
    ASSERT(rb[N - 1] != T[0][0]);
}

static void test_rel_bias_other_kinds(void) {
    double sentinel[3] = {42, 42, 42};
    for (int id = 0; id < PELAB_SCHEME_COUNT; id++) {
        if (id == PELAB_SCHEME_ALIBI || id == PELAB_SCHEME_T5) continue;
        pelab_scheme s = scheme((pelab_scheme_id)id);
        ASSERT_EQ(pelab_encoding_rel_bias(sentinel, &s, 1, 1, 2, 0), 0);
        ASSERT_DBL_EQ(sentinel[0], 42);
        ASSERT_DBL_EQ(sentinel[2], 42);
    }
}

int main(void) {
    TEST_RUN(test_registry_defs);
    TEST_RUN(test_registry_init_default);
    TEST_RUN(test_widths);
    TEST_RUN(test_binary_width);
    TEST_RUN(test_check);
    TEST_RUN(test_positions_index);
    TEST_RUN(test_positions_onehot);
    TEST_RUN(test_positions_binary);
    TEST_RUN(test_positions_none_kinds_write_nothing);
    TEST_RUN(test_positions_learned);
    TEST_RUN(test_positions_learned_std);
    TEST_RUN(test_sinusoidal_values);
    TEST_RUN(test_sinusoidal_identities);
    TEST_RUN(test_rope_pairs);
    TEST_RUN(test_rope_relative);
    TEST_RUN(test_rope_long_term_decay);
    TEST_RUN(test_alibi_slopes);
    TEST_RUN(test_t5_bucket_bidirectional);
    TEST_RUN(test_t5_bucket_unidirectional);
    TEST_RUN(test_rel_bias_alibi);
    TEST_RUN(test_rel_bias_t5);
    TEST_RUN(test_rel_bias_other_kinds);
    return TEST_DONE();
}
