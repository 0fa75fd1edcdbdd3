/* encoding.c — see pelab/pe/encoding.h */
#include "pelab/pe/encoding.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/kernels/attention.h"
#include "pelab/base/status.h"
#include "pelab/base/mem.h"

/* ---- the registry: one row per scheme -------------------------------------- */

#define P_MAX_LEN_N(maxv) \
    {"max_len", PELAB_PARAM_TYPE_INT, 0, 0, (maxv), NULL, "L, the length the positions are made for (0 = the cell's seq_len n)"}
#define P_BASE \
    {"base", PELAB_PARAM_TYPE_REAL, 10000, 2, 1e12, NULL, "frequency base: angle p * base^(-2i/d)"}

#define P_PAIRING \
    {"pairing", PELAB_PARAM_TYPE_CHOICE, 0, 0, 1, "interleaved|half", "pairs (2i, 2i+1), or (i, i + d_k/2) as GPT-NeoX"}
#define P_ANGLE_DTYPE \
    {"angle_dtype", PELAB_PARAM_TYPE_CHOICE, 0, 0, 2, "f32|f64|same", \
     "precision of p theta and cos/sin in f32/bf16/f16 cells (f64 cells: always f64); same = the cell's"}

static const pelab_scheme_def g_schemes[PELAB_SCHEME_COUNT] = {
    {"none", PELAB_SCHEME_NONE, PELAB_SCHEME_KIND_NONE, "X = E (no positional information)", 0, {{0}}},
    {"index", PELAB_SCHEME_INDEX, PELAB_SCHEME_KIND_APPEND, "X = [E | p+1] (the raw index 1, 2, 3, ...)", 0, {{0}}},
    {"index_norm", PELAB_SCHEME_INDEX_NORM, PELAB_SCHEME_KIND_APPEND, "X = [E | (p+1)/L] (index divided by the length)", 1,
     {P_MAX_LEN_N(1 << 24)}},
    {"sinusoidal", PELAB_SCHEME_SINUSOIDAL, PELAB_SCHEME_KIND_ADD,
     "X = E + PE, PE[p,2i] = sin(p base^(-2i/d)), PE[p,2i+1] = cos(p base^(-2i/d))", 1, {P_BASE}},
    {"onehot", PELAB_SCHEME_ONEHOT, PELAB_SCHEME_KIND_APPEND, "X = [E | e_p] (a one at column p of L columns)", 1,
     {P_MAX_LEN_N(65536)}},
    {"binary", PELAB_SCHEME_BINARY, PELAB_SCHEME_KIND_APPEND,
     "X = [E | bits of p] (B = max(1, ceil(log2 L)) columns, least significant first)", 1, {P_MAX_LEN_N(1 << 30)}},
    {"learned", PELAB_SCHEME_LEARNED, PELAB_SCHEME_KIND_ADD, "X = E + T[p], T ~ N(0, std^2) (untrained table)", 2,
     {{"max_len", PELAB_PARAM_TYPE_INT, 512, 1, 1 << 20, NULL, "rows of the table; longer sequences are not run"},
      {"std", PELAB_PARAM_TYPE_REAL, 0.02, 0, 1e6, NULL, "standard deviation of the table's entries"}}},
    {"rope", PELAB_SCHEME_ROPE, PELAB_SCHEME_KIND_ROTATE,
     "q_p, k_p rotated pairwise by angle p * theta_i, theta_i = base^(-2i/d_k) (or its scaling), after projection",
     12,
     {P_BASE, P_PAIRING,
      {"scaling", PELAB_PARAM_TYPE_CHOICE, 0, 0, 5, "none|pi|ntk|dynamic_ntk|yarn|llama3",
       "context extension: none; pi theta/s; ntk base s^(d/(d-2)); dynamic_ntk ntk at s = max(1, n/L); yarn; llama3"},
      {"factor", PELAB_PARAM_TYPE_REAL, 0, 0, 1e6,
       NULL, "s, the extension factor (0 = llama3's 8; required by pi, ntk, yarn and dynamic_ntk's hf form)"},
      {"original_max_len", PELAB_PARAM_TYPE_INT, 0, 0, 1 << 30, NULL,
       "L, the trained length (0 = llama3's 8192; required by dynamic_ntk and yarn)"},
      {"dynamic_form", PELAB_PARAM_TYPE_CHOICE, 0, 0, 1, "ratio|hf",
       "dynamic_ntk: ratio s = n/L, or hf base (s n/L - (s-1))^(d/(d-2)) as Hugging Face"},
      {"beta_fast", PELAB_PARAM_TYPE_REAL, 32, 1e-6, 1e6, NULL, "yarn: rotations at which pairs stay unscaled"},
      {"beta_slow", PELAB_PARAM_TYPE_REAL, 1, 1e-6, 1e6, NULL, "yarn: rotations below which pairs are interpolated"},
      {"low_freq_factor", PELAB_PARAM_TYPE_REAL, 1, 1e-6, 1e6, NULL,
       "llama3: wavelengths above L / low_freq_factor are divided by factor"},
      {"high_freq_factor", PELAB_PARAM_TYPE_REAL, 4, 1e-6, 1e6, NULL,
       "llama3: wavelengths below L / high_freq_factor are unchanged"},
      P_ANGLE_DTYPE,
      {"apply", PELAB_PARAM_TYPE_CHOICE, 0, 0, 1, "always|eval",
       "training: the scaling in training and evaluation (trained or fine-tuned with it), or at evaluation only "
       "(trained with plain rope, extended without fine-tuning; not in probe configs)"}}},
    {"alibi", PELAB_SCHEME_ALIBI, PELAB_SCHEME_KIND_BIAS, "S_h[i,j] += -m_h |i - j| (ALiBi head slopes)", 0, {{0}}},
    {"t5", PELAB_SCHEME_T5, PELAB_SCHEME_KIND_BIAS, "S_h[i,j] += T[h, bucket(j - i)] (T5 relative buckets)", 3,
     {{"buckets", PELAB_PARAM_TYPE_INT, 32, 2, 1024, NULL, "number of relative-position buckets"},
      {"max_distance", PELAB_PARAM_TYPE_INT, 128, 2, 1 << 24, NULL, "distance beyond which buckets stop growing"},
      {"std", PELAB_PARAM_TYPE_REAL, 1.0, 0, 1e6, NULL, "standard deviation of the bias values"}}},
    {"xpos", PELAB_SCHEME_XPOS, PELAB_SCHEME_KIND_ROTATE,
     "rope with q_p, k_p scaled by zeta_i^(+-(p - c)/scale_base), zeta_i = (2i + 0.4 d_k)/(1.4 d_k) (Sun et al.)", 5,
     {P_BASE, P_PAIRING,
      {"scale_base", PELAB_PARAM_TYPE_REAL, 512, 1e-6, 1e12, NULL, "the exponent's divisor"},
      {"centre", PELAB_PARAM_TYPE_CHOICE, 0, 0, 1, "half|none",
       "c = ceil(n/2) as torchscale (exponents centred), or c = 0"},
      P_ANGLE_DTYPE}},
};

const char *pelab_scheme_kind_str(pelab_scheme_kind k) {
    switch (k) {
    case PELAB_SCHEME_KIND_NONE: return "none";
    case PELAB_SCHEME_KIND_APPEND: return "append";
    case PELAB_SCHEME_KIND_ADD: return "add";
    case PELAB_SCHEME_KIND_ROTATE: return "rotate";
    case PELAB_SCHEME_KIND_BIAS: return "bias";
    case PELAB_SCHEME_KIND_COUNT: break;
    }
    return "unknown";
}

const pelab_scheme_def *pelab_scheme_defs(int *count) {
    if (count) *count = PELAB_SCHEME_COUNT;
    return g_schemes;
}

const pelab_scheme_def *pelab_scheme_def_find(const char *name) {
    for (int i = 0; i < PELAB_SCHEME_COUNT; i++)
        if (strcmp(g_schemes[i].name, name) == 0) return &g_schemes[i];
    return NULL;
}

const pelab_scheme_def *pelab_scheme_def_get(pelab_scheme_id id) {
    PELAB_ASSERT(id >= 0 && id < PELAB_SCHEME_COUNT);
    PELAB_ASSERT(g_schemes[id].id == id);
    return &g_schemes[id];
}

int pelab_scheme_param_index(const pelab_scheme_def *def, const char *name) {
    for (int i = 0; i < def->n_params; i++)
        if (strcmp(def->params[i].name, name) == 0) return i;
    return -1;
}

int pelab_param_choice_count(const pelab_param_def *pd) {
    if (pd->type != PELAB_PARAM_TYPE_CHOICE || !pd->choices) return 0;
    int n = 1;
    for (const char *p = pd->choices; *p; p++) n += *p == '|';
    return n;
}

const char *pelab_param_choice_name(const pelab_param_def *pd, int k, char *buf, size_t cap) {
    PELAB_ASSERT(buf && cap > 0);
    buf[0] = '\0';
    if (k < 0 || k >= pelab_param_choice_count(pd)) return buf;
    const char *p = pd->choices;
    for (; k > 0; k--) p = strchr(p, '|') + 1;
    const char *bar = strchr(p, '|');
    const size_t len = bar ? (size_t)(bar - p) : strlen(p);
    snprintf(buf, cap, "%.*s", (int)len, p);
    return buf;
}

void pelab_scheme_init_default(pelab_scheme *s, pelab_scheme_id id) {
    const pelab_scheme_def *def = pelab_scheme_def_get(id);
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", def->name);
    s->id = id;
    for (int i = 0; i < def->n_params; i++) s->params[i] = def->params[i].def;
}

double pelab_scheme_param(const pelab_scheme *s, const char *name) {
    int i = pelab_scheme_param_index(pelab_scheme_def_get(s->id), name);
    PELAB_ASSERT(i >= 0);
    return s->params[i];
}

/* ---- positions, biases, rotations: below ----------------------------------- */

/* Frequency w_i = base^(-2i/width) of pair i, shared by the sinusoidal table
 * and RoPE so both use the same rounding. pow rather than
 * exp(-2i/width * log(base)): one libm call whose error stays within an ulp,
 * instead of the rounding of log(base) amplified by the exponent. */
static double inv_freq(int i, int width, double base) { return pelab_rope_inv_freq(i, width, base); }

/* Binary width: the smallest B >= 1 with 2^B >= L, in exact integer
 * arithmetic (no floating log2, whose rounding at powers of two is the
 * classic off-by-one). L = 1 -> 1, 2 -> 1, 3 -> 2, 4 -> 2, 5 -> 3,
 * 1024 -> 10, 1025 -> 11. */
static int binary_width(int L) {
    int B = 1;
    while (B < 62 && (1LL << B) < (long long)L) B++;
    return B;
}

/* The widest one-hot block: the registry's upper bound of onehot's max_len,
 * so the limit lives in one place (the table above). */
static int onehot_max_width(void) {
    const pelab_scheme_def *def = pelab_scheme_def_get(PELAB_SCHEME_ONEHOT);
    int i = pelab_scheme_param_index(def, "max_len");
    PELAB_ASSERT(i >= 0);
    return (int)def->params[i].max;
}

int pelab_encoding_refuse(char *why, size_t why_len, const char *fmt, ...) {
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return 1;
}

int pelab_encoding_max_len(const pelab_scheme *s, int n) {
    int i = pelab_scheme_param_index(pelab_scheme_def_get(s->id), "max_len");
    if (i < 0) return 0;
    int L = (int)s->params[i];
    return L > 0 ? L : n;
}

int pelab_encoding_pe_width(const pelab_scheme *s, int n, int d) {
    PELAB_ASSERT(n >= 1 && d >= 1);
    switch (s->id) {
    case PELAB_SCHEME_INDEX:
    case PELAB_SCHEME_INDEX_NORM: return 1;
    case PELAB_SCHEME_ONEHOT: return pelab_encoding_max_len(s, n);
    case PELAB_SCHEME_BINARY: return binary_width(pelab_encoding_max_len(s, n));
    case PELAB_SCHEME_SINUSOIDAL:
    case PELAB_SCHEME_LEARNED: return d;
    case PELAB_SCHEME_NONE:
    case PELAB_SCHEME_ROPE:
    case PELAB_SCHEME_XPOS:
    case PELAB_SCHEME_ALIBI:
    case PELAB_SCHEME_T5:
    case PELAB_SCHEME_COUNT: break;
    }
    return 0;
}

int pelab_encoding_width(const pelab_scheme *s, int n, int d) {
    const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
    if (def->kind == PELAB_SCHEME_KIND_APPEND) return d + pelab_encoding_pe_width(s, n, d);
    PELAB_ASSERT(n >= 1 && d >= 1);
    return d;
}

/* Refusals (why receives the reason, "" when accepted):
 *   learned                 n > max_len: rows past the table do not exist.
 *   onehot, binary,         an explicit max_len L < n: positions p >= L have
 *   index_norm              no column (onehot) or need more than B bits
 *                           (binary); for index_norm (p+1)/L would exceed 1,
 *                           leaving the [0, 1] range the scheme promises, so
 *                           it is refused as well rather than extrapolated.
 *   onehot                  L above the registry's limit (65536 columns). */
int pelab_encoding_check(const pelab_scheme *s, int n, int d, char *why, size_t why_len) {
    PELAB_ASSERT(n >= 1 && d >= 1);
    if (why && why_len) why[0] = '\0';
    const int L = pelab_encoding_max_len(s, n);
    switch (s->id) {
    case PELAB_SCHEME_LEARNED:
        if (n > L) return pelab_encoding_refuse(why, why_len, "seq_len %d exceeds learned max_len %d", n, L);
        break;
    case PELAB_SCHEME_INDEX_NORM:
    case PELAB_SCHEME_ONEHOT:
    case PELAB_SCHEME_BINARY:
        if (L < n) return pelab_encoding_refuse(why, why_len, "seq_len %d exceeds max_len %d", n, L);
        if (s->id == PELAB_SCHEME_ONEHOT && L > onehot_max_width())
            return pelab_encoding_refuse(why, why_len, "onehot width %d exceeds the limit %d", L,
                          onehot_max_width());
        break;
    case PELAB_SCHEME_NONE:
    case PELAB_SCHEME_INDEX:
    case PELAB_SCHEME_SINUSOIDAL:
    case PELAB_SCHEME_ROPE:
    case PELAB_SCHEME_XPOS:
    case PELAB_SCHEME_ALIBI:
    case PELAB_SCHEME_T5:
    case PELAB_SCHEME_COUNT: break;
    }
    return 0;
}

/* pe (n, w), w = d: PE[p,c] = sin(p w_i) for even c, cos(p w_i) for odd c,
 * i = c/2, w_i = base^(-2i/d). For odd d the last column (c = d-1, even) is
 * the sine of pair (d-1)/2, which has no cosine partner. */
static void positions_sinusoidal(double *pe, int n, int d, double base) {
    for (int c = 0; c < d; c++) {
        const double w = inv_freq(c / 2, d, base);
        for (int p = 0; p < n; p++) {
            const double a = (double)p * w;
            pe[(size_t)p * d + c] = (c % 2 == 0) ? sin(a) : cos(a);
        }
    }
}

/* pe (n, d): the first n rows of an untrained max_len x d table
 * T[p,c] = std * z(p,c), z ~ N(0, 1). Derivation of z (fixed, part of the
 * results' reproducibility):
 *   key    = pelab_hash_mix(seed, pelab_hash_str("learned"))
 *   row p  = stream pelab_rng_make(key, p); z(p,0), z(p,1), ..., z(p,d-1) are
 *            its first d pelab_rng_normal draws, in column order.
 * So row p depends on (seed, p) alone: not on n, max_len or the thread, and
 * T at std s is exactly s/std times T at std; the first d' columns of a
 * wider table are the table at width d'. */
static void positions_learned(double *pe, uint64_t seed, int n, int d, double std) {
    const uint64_t key = pelab_hash_mix(seed, pelab_hash_str("learned"));
    for (int p = 0; p < n; p++) {
        pelab_rng r = pelab_rng_make(key, (uint64_t)p);
        double *row = pe + (size_t)p * d;
        for (int c = 0; c < d; c++) row[c] = std * pelab_rng_normal(&r);
    }
}

void pelab_encoding_positions(double *pe, const pelab_scheme *s, uint64_t seed, int n, int d) {
    PELAB_ASSERT(pelab_encoding_check(s, n, d, NULL, 0) == 0);
    const int w = pelab_encoding_pe_width(s, n, d);
    if (w == 0) return;
    PELAB_ASSERT(pe != NULL);
    const int L = pelab_encoding_max_len(s, n);
    switch (s->id) {
    case PELAB_SCHEME_INDEX: /* pe (n, 1) */
        for (int p = 0; p < n; p++) pe[p] = (double)(p + 1);
        break;
    case PELAB_SCHEME_INDEX_NORM: /* pe (n, 1), in (0, 1] since n <= L */
        for (int p = 0; p < n; p++) pe[p] = (double)(p + 1) / (double)L;
        break;
    case PELAB_SCHEME_SINUSOIDAL:
        positions_sinusoidal(pe, n, d, pelab_scheme_param(s, "base"));
        break;
    case PELAB_SCHEME_ONEHOT: /* pe (n, L), row p = e_p (p < L by the check) */
        memset(pe, 0, (size_t)n * (size_t)w * sizeof *pe);
        for (int p = 0; p < n; p++) pe[(size_t)p * w + p] = 1.0;
        break;
    case PELAB_SCHEME_BINARY: /* pe (n, B), bit b of p, LSB first */
        for (int p = 0; p < n; p++)
            for (int b = 0; b < w; b++) pe[(size_t)p * w + b] = (double)((p >> b) & 1);
        break;
    case PELAB_SCHEME_LEARNED:
        positions_learned(pe, seed, n, d, pelab_scheme_param(s, "std"));
        break;
    case PELAB_SCHEME_NONE:
    case PELAB_SCHEME_ROPE:
    case PELAB_SCHEME_XPOS:
    case PELAB_SCHEME_ALIBI:
    case PELAB_SCHEME_T5:
    case PELAB_SCHEME_COUNT: PELAB_ASSERT(!"scheme without positional columns"); break;
    }
}

void pelab_alibi_slopes(double *slopes, int heads) {
    PELAB_ASSERT(slopes != NULL && heads >= 1);
    int P = 1; /* the largest power of two <= heads */
    while (P <= heads / 2) P *= 2;
    /* slopes(P): start = 2^(-8/P), m_h = start^(h+1) = 2^(-8(h+1)/P). exp2 of
     * the exponent, not repeated products, so powers of two come out exact. */
    for (int h = 0; h < P; h++) slopes[h] = exp2(-8.0 * (h + 1) / P);
    /* slopes(2P)[0::2][:H-P]: element 2k of slopes(2P) is 2^(-8(2k+1)/(2P)). */
    for (int k = 0; P + k < heads; k++) slopes[P + k] = exp2(-8.0 * (2 * k + 1) / (2.0 * P));
}

/* mesh-tensorflow's _relative_position_bucket, in double. Two degenerate
 * layouts the reference leaves undefined (it divides by zero or takes the
 * log of a ratio <= 1) are given the meaning of their limit: with no exact
 * buckets (max_exact = 0) every distance shares bucket 0 of its side, and
 * when max_distance <= max_exact every distance >= max_exact goes to the
 * last bucket, as distances >= max_distance do in the regular case. */
int pelab_t5_bucket(int relative_position, int bidirectional, int num_buckets, int max_distance) {
    PELAB_ASSERT(num_buckets >= 1 && max_distance >= 1);
    int ret = 0;
    long long n = -(long long)relative_position;
    if (bidirectional) {
        num_buckets /= 2;
        ret += (n < 0) ? num_buckets : 0;
        n = n < 0 ? -n : n;
    } else {
        n = n < 0 ? 0 : n;
    }
    const int max_exact = num_buckets / 2;
    if (n < max_exact) return ret + (int)n;
    if (max_exact == 0) return ret;
    if (max_distance <= max_exact) return ret + num_buckets - 1;
    const double t = log((double)n / (double)max_exact) /
                     log((double)max_distance / (double)max_exact) *
                     (double)(num_buckets - max_exact);
    /* t >= 0 here; clamp before the int conversion so it is always defined. */
    int val = max_exact + (t < (double)num_buckets ? (int)t : num_buckets);
    if (val > num_buckets - 1) val = num_buckets - 1;
    return ret + val;
}

/* rel_bias (heads, 2n-1); entry r + (n-1) of row h is the bias of relative
 * position r = j - i, r = -(n-1) .. n-1. Written for every r, including the
 * j > i half a causal mask never reads. */
static void rel_bias_alibi(double *rel_bias, int heads, int n) {
    const int R = 2 * n - 1;
    double *m = pelab_xmalloc((size_t)heads * sizeof *m);
    pelab_alibi_slopes(m, heads);
    for (int h = 0; h < heads; h++)
        for (int r = -(n - 1); r <= n - 1; r++)
            /* 0.0 - x: the diagonal is +0.0, not -0.0 */
            rel_bias[(size_t)h * R + (r + n - 1)] = 0.0 - m[h] * (double)(r < 0 ? -r : r);
    free(m);
}

/* T (heads, buckets), T[h,b] = std * z(h,b). Derivation of z (fixed):
 *   key    = pelab_hash_mix(seed, pelab_hash_str("t5"))
 *   head h = stream pelab_rng_make(key, h); z(h,0..buckets-1) are its first
 *            `buckets` pelab_rng_normal draws, in bucket order.
 * So the table depends on (seed, h, buckets) only, not on n or the mask. */
static void rel_bias_t5(double *rel_bias, const pelab_scheme *s, uint64_t seed, int heads, int n,
                        int causal) {
    const int buckets = (int)pelab_scheme_param(s, "buckets");
    const int max_distance = (int)pelab_scheme_param(s, "max_distance");
    const double std = pelab_scheme_param(s, "std");
    PELAB_ASSERT(buckets >= 1);
    const int R = 2 * n - 1;
    const uint64_t key = pelab_hash_mix(seed, pelab_hash_str("t5"));
    double *T = pelab_xmalloc((size_t)buckets * sizeof *T);
    for (int h = 0; h < heads; h++) {
        pelab_rng rng = pelab_rng_make(key, (uint64_t)h);
        for (int b = 0; b < buckets; b++) T[b] = std * pelab_rng_normal(&rng);
        for (int r = -(n - 1); r <= n - 1; r++) {
            int b = pelab_t5_bucket(r, !causal, buckets, max_distance);
            PELAB_ASSERT(b >= 0 && b < buckets);
            rel_bias[(size_t)h * R + (r + n - 1)] = T[b];
        }
    }
    free(T);
}

int pelab_encoding_rel_bias(double *rel_bias, const pelab_scheme *s, uint64_t seed, int heads,
                            int n, int causal) {
    if (pelab_scheme_def_get(s->id)->kind != PELAB_SCHEME_KIND_BIAS) return 0;
    PELAB_ASSERT(rel_bias != NULL && heads >= 1 && n >= 1);
    switch (s->id) {
    case PELAB_SCHEME_ALIBI: rel_bias_alibi(rel_bias, heads, n); return 1;
    case PELAB_SCHEME_T5: rel_bias_t5(rel_bias, s, seed, heads, n, causal); return 1;
    default: break;
    }
    PELAB_ASSERT(!"BIAS scheme without a rel_bias case");
    return 0;
}
