/* test_model.c — the trainable model (pelab/train/model.h) against
 * independent truths: its gradient against central finite differences in
 * double for every scheme, mask, readout and norm at 2 layers; float32
 * against float64; bit-identity over thread counts; the optimiser's weight
 * decay only on the tensors that take it. Prints the max differences. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelab/base/rng.h"
#include "pelab/train/model.h"
#include "test.h"

typedef struct spec {
    pelab_scheme_id scheme;
    pelab_mask mask;
    pelab_readout readout;
    pelab_norm norm;
    pelab_init init;
    pelab_dtype dtype;
    int d, heads, layers, B, n;
} spec;

static pelab_scheme g_scheme;
static const pelab_scheme *g_use; /* a variant to build instead of sp->scheme's defaults, or NULL */

static void make_model(pelab_model *m, const spec *sp, uint64_t seed) {
    if (g_use) g_scheme = *g_use;
    else pelab_scheme_init_default(&g_scheme, sp->scheme);
    if (sp->scheme == PELAB_SCHEME_LEARNED) {
        /* a visible table: the default std 0.02 would hide its gradient's scale */
        g_scheme.params[pelab_scheme_param_index(pelab_scheme_def_get(sp->scheme), "std")] = 0.5;
    }
    pelab_train_settings s;
    memset(&s, 0, sizeof s);
    s.scheme = &g_scheme;
    s.d_model = sp->d;
    s.heads = sp->heads;
    s.mask = sp->mask;
    s.dtype = sp->dtype;
    s.layers = sp->layers;
    s.mlp_ratio = 2;
    s.norm = sp->norm;
    s.init = sp->init;
    s.token_std = 1;
    pelab_task_def task = {"test", PELAB_TASK_AGENT, 7, 5, sp->readout, 0.2, 1, "test"};
    pelab_model_dims dims;
    pelab_model_dims_make(&dims, &s, &task, sp->n, sp->B, sp->n);
    pelab_model_init(m, &dims, sp->init, 1.0, seed);
    /* non-zero biases and LN parameters, so their gradients are exercised */
    pelab_rng r = pelab_rng_make(seed, 99);
    for (int i = 0; i < m->n_tensors; i++) {
        const pelab_tensor *t = &m->tensors[i];
        if (t->rank != 1) continue;
        for (size_t j = 0; j < t->count; j++) {
            const double x = 0.3 * pelab_rng_normal(&r);
            if (sp->dtype == PELAB_DTYPE_F64)
                ((double *)m->params)[t->offset + j] += x;
            else
                ((float *)m->params)[t->offset + j] += (float)x;
        }
    }
}

static void make_batch(int *tokens, int *targets, const spec *sp, uint64_t seed) {
    pelab_rng r = pelab_rng_make(seed, 7);
    for (int i = 0; i < sp->B * sp->n; i++) tokens[i] = (int)pelab_rng_below(&r, 7);
    const int P = sp->readout == PELAB_READOUT_EACH ? sp->B * sp->n : sp->B;
    for (int i = 0; i < P; i++) targets[i] = (int)pelab_rng_below(&r, 5);
}

/* Max relative error of the analytic gradient against central differences
 * (step 1e-5 max(1, |x|)) over (a sample of) every tensor's elements. */
static double grad_check(const spec *sp, double *abs_out) {
    pelab_model m;
    make_model(&m, sp, 11);
    int tokens[256], targets[256];
    make_batch(tokens, targets, sp, 5);
    pelab_model_stats st;
    pelab_model_forward(&st, &m, tokens, targets, sp->B, sp->n, 0);
    pelab_model_backward(&m);
    double *P = m.params, *G = m.grads;
    double worst = 0, worst_abs = 0, gmax = 0;
    for (size_t i = 0; i < m.n_params; i++) gmax = fmax(gmax, fabs(G[i]));
    /* relative to the element, or to a thousandth of the largest gradient for
     * elements far smaller (where a difference quotient has no digits left) */
    const double floor_ = 1e-3 * gmax;
    for (int ti = 0; ti < m.n_tensors; ti++) {
        const pelab_tensor *t = &m.tensors[ti];
        const size_t step = t->count > 10 ? t->count / 10 : 1; /* about 10 elements of each tensor */
        for (size_t j = 0; j < t->count; j += step) {
            const size_t i = t->offset + j;
            const double x = P[i], h = 1e-5 * (fabs(x) > 1 ? fabs(x) : 1);
            P[i] = x + h;
            pelab_model_forward(&st, &m, tokens, targets, sp->B, sp->n, 0);
            const double lp = st.loss;
            P[i] = x - h;
            pelab_model_forward(&st, &m, tokens, targets, sp->B, sp->n, 0);
            const double lm = st.loss;
            P[i] = x;
            const double fd = (lp - lm) / (2 * h), an = G[i];
            const double diff = fabs(fd - an), scale = fmax(fabs(fd), fabs(an));
            if (diff > worst_abs) worst_abs = diff;
            const double rel = diff / fmax(fmax(scale, floor_), 1e-300);
            if (rel > worst) worst = rel;
            if (rel > 1e-5)
                fprintf(stderr, "  %s[%zu]: analytic %.12g fd %.12g\n", t->name, j, an, fd);
        }
    }
    pelab_model_free(&m);
    *abs_out = worst_abs;
    return worst;
}

static const pelab_scheme_id g_all[] = {PELAB_SCHEME_NONE,   PELAB_SCHEME_INDEX,   PELAB_SCHEME_INDEX_NORM,
                                        PELAB_SCHEME_SINUSOIDAL, PELAB_SCHEME_ONEHOT, PELAB_SCHEME_BINARY,
                                        PELAB_SCHEME_LEARNED, PELAB_SCHEME_ROPE,    PELAB_SCHEME_ALIBI,
                                        PELAB_SCHEME_T5,      PELAB_SCHEME_XPOS};
#define N_ALL ((int)(sizeof g_all / sizeof g_all[0]))

static void test_gradients(void) {
    omp_set_num_threads(1); /* thousands of tiny forwards: threads only add overhead (test_threads_bitwise) */
    double worst = 0, worst_abs = 0;
    int models = 0;
    for (int si = 0; si < N_ALL; si++)
        for (int mask = 0; mask < 2; mask++)
            for (int ro = 0; ro < 2; ro++)
                for (int norm = 0; norm < 2; norm++) {
                    spec sp = {g_all[si], (pelab_mask)mask, (pelab_readout)ro, (pelab_norm)norm, PELAB_INIT_PROBE,
                               PELAB_DTYPE_F64, 8, 2, 2, 2, 5};
                    double a;
                    const double e = grad_check(&sp, &a);
                    models++;
                    if (e > 1e-5)
                        fprintf(stderr, "FAILING: scheme %s mask %d readout %d norm %d: rel %.3g abs %.3g\n",
                                pelab_scheme_def_get(sp.scheme)->name, mask, ro, norm, e, a);
                    ASSERT_DBL_LT(e, 1e-5);
                    if (e > worst) worst = e;
                    if (a > worst_abs) worst_abs = a;
                }
    printf("model gradient vs central differences (f64, %d models, 2 layers): max rel err %.2e, max abs %.2e\n",
           models, worst, worst_abs);
    omp_set_num_threads(2);
}

/* gpt2 initialisation, 3 layers, one head, odd sizes. */
static void test_gradients_other_shapes(void) {
    omp_set_num_threads(1);
    const spec specs[] = {
        {PELAB_SCHEME_T5, PELAB_MASK_CAUSAL, PELAB_READOUT_EACH, PELAB_NORM_PRE, PELAB_INIT_GPT2, PELAB_DTYPE_F64, 6, 1, 3, 3, 7},
        {PELAB_SCHEME_ROPE, PELAB_MASK_NONE, PELAB_READOUT_POOL, PELAB_NORM_NONE, PELAB_INIT_GPT2, PELAB_DTYPE_F64, 12, 3, 3, 1, 9},
        {PELAB_SCHEME_INDEX, PELAB_MASK_NONE, PELAB_READOUT_EACH, PELAB_NORM_NONE, PELAB_INIT_PROBE, PELAB_DTYPE_F64, 4, 4, 2, 2, 6},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        double a;
        const double e = grad_check(&specs[i], &a);
        printf("  %s layers %d heads %d: max rel err %.2e\n", pelab_scheme_def_get(specs[i].scheme)->name,
               specs[i].layers, specs[i].heads, e);
        ASSERT_DBL_LT(e, 1e-5);
    }
    /* RoPE's scalings (YaRN's temperature, dynamic NTK past L, Llama 3's
     * smoothing) and an xPos whose scales matter at these lengths */
    static const struct { const char *scaling; double factor; int L; } sc[] = {
        {"yarn", 4, 4}, {"dynamic_ntk", 0, 3}, {"llama3", 4, 8}, {"pi", 2, 0}};
    const pelab_scheme_def *def = pelab_scheme_def_get(PELAB_SCHEME_ROPE);
    for (size_t i = 0; i < sizeof sc / sizeof sc[0] + 1; i++) {
        pelab_scheme v;
        if (i < sizeof sc / sizeof sc[0]) {
            pelab_scheme_init_default(&v, PELAB_SCHEME_ROPE);
            const char *ch = def->params[pelab_scheme_param_index(def, "scaling")].choices;
            int idx = 0;
            for (const char *p = ch; strncmp(p, sc[i].scaling, strlen(sc[i].scaling)) != 0; p = strchr(p, '|') + 1) idx++;
            v.params[pelab_scheme_param_index(def, "scaling")] = idx;
            v.params[pelab_scheme_param_index(def, "factor")] = sc[i].factor;
            v.params[pelab_scheme_param_index(def, "original_max_len")] = sc[i].L;
            v.params[pelab_scheme_param_index(def, "base")] = 10;
            snprintf(v.name, sizeof v.name, "%s", sc[i].scaling);
        } else {
            pelab_scheme_init_default(&v, PELAB_SCHEME_XPOS);
            v.params[pelab_scheme_param_index(pelab_scheme_def_get(PELAB_SCHEME_XPOS), "scale_base")] = 4;
        }
        const spec sp = {v.id, PELAB_MASK_CAUSAL, PELAB_READOUT_EACH, PELAB_NORM_PRE, PELAB_INIT_PROBE,
                         PELAB_DTYPE_F64, 8, 2, 2, 2, 6};
        g_use = &v;
        double a;
        const double e = grad_check(&sp, &a);
        g_use = NULL;
        printf("  %s (%s): max rel err %.2e\n", v.name, pelab_scheme_def_get(v.id)->name, e);
        ASSERT_DBL_LT(e, 1e-5);
    }
    omp_set_num_threads(2);
}

/* The float32 model against the float64 one on the same (rounded) weights. */
static void test_f32_vs_f64(void) {
    double worst_loss = 0, worst_grad = 0;
    for (int si = 0; si < N_ALL; si++) {
        spec sp = {g_all[si], PELAB_MASK_CAUSAL, PELAB_READOUT_EACH, PELAB_NORM_PRE, PELAB_INIT_PROBE,
                   PELAB_DTYPE_F64, 16, 4, 2, 3, 9};
        pelab_model m64, m32;
        make_model(&m64, &sp, 3);
        sp.dtype = PELAB_DTYPE_F32;
        make_model(&m32, &sp, 3);
        ASSERT_EQ(m32.n_params, m64.n_params);
        double *p64 = m64.params;
        const float *p32 = m32.params;
        for (size_t i = 0; i < m64.n_params; i++) p64[i] = (double)p32[i];
        int tokens[256], targets[256];
        make_batch(tokens, targets, &sp, 4);
        pelab_model_stats s64, s32;
        pelab_model_forward(&s64, &m64, tokens, targets, sp.B, sp.n, 0);
        pelab_model_forward(&s32, &m32, tokens, targets, sp.B, sp.n, 0);
        pelab_model_backward(&m64);
        pelab_model_backward(&m32);
        const double dl = fabs(s64.loss - s32.loss) / fabs(s64.loss);
        double gmax = 0, dmax = 0;
        const double *g64 = m64.grads;
        const float *g32 = m32.grads;
        for (size_t i = 0; i < m64.n_params; i++) {
            gmax = fmax(gmax, fabs(g64[i]));
            dmax = fmax(dmax, fabs(g64[i] - (double)g32[i]));
        }
        worst_loss = fmax(worst_loss, dl);
        worst_grad = fmax(worst_grad, dmax / gmax);
        ASSERT_DBL_LT(dl, 1e-5);
        ASSERT_DBL_LT(dmax / gmax, 1e-4);
        pelab_model_free(&m64);
        pelab_model_free(&m32);
    }
    printf("f32 vs f64 model: loss rel diff %.2e, gradient diff / max|grad| %.2e\n", worst_loss, worst_grad);
}

/* Forward and backward of sp on 1 .. max_threads threads: the loss and every
 * gradient bit for bit those of one thread. */
static void check_threads_bitwise(const spec *sp, int max_threads, int want_attn) {
    float *ref = NULL;
    double ref_loss = 0;
    size_t np = 0;
    for (int th = 1; th <= max_threads; th++) {
        omp_set_num_threads(th);
        pelab_model m;
        make_model(&m, sp, 8);
        int tokens[512], targets[512];
        make_batch(tokens, targets, sp, 9);
        pelab_model_stats st;
        pelab_model_forward(&st, &m, tokens, targets, sp->B, sp->n, want_attn);
        pelab_model_backward(&m);
        if (th == 1) {
            np = m.n_params;
            ref = malloc(np * sizeof *ref);
            memcpy(ref, m.grads, np * sizeof *ref);
            ref_loss = st.loss;
        } else {
            ASSERT_DBL_EQ(st.loss, ref_loss);
            ASSERT(memcmp(ref, m.grads, np * sizeof *ref) == 0);
        }
        pelab_model_free(&m);
    }
    free(ref);
    omp_set_num_threads(2);
}

/* Forward and backward give the same bits on 1, 2 and 3 threads. */
static void test_threads_bitwise(void) {
    const pelab_scheme_id ids[] = {PELAB_SCHEME_T5, PELAB_SCHEME_ROPE, PELAB_SCHEME_INDEX, PELAB_SCHEME_LEARNED};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++) {
        spec sp = {ids[k], PELAB_MASK_NONE, PELAB_READOUT_POOL, PELAB_NORM_PRE, PELAB_INIT_PROBE, PELAB_DTYPE_F32,
                   32, 4, 2, 5, 37};
        check_threads_bitwise(&sp, 3, 1);
    }
}

/* The same bits on 1 to 4 threads without the attention statistics, the
 * training step's path: with B a multiple of the threads (or B >= 4 x them)
 * the model gives each thread whole sequences (model_impl.inc's split);
 * B = 6 splits on 2 and 3 threads, not on 1 and 4. Both readouts, both masks. */
static void test_threads_bitwise_split(void) {
    const pelab_scheme_id ids[] = {PELAB_SCHEME_T5, PELAB_SCHEME_ROPE, PELAB_SCHEME_INDEX, PELAB_SCHEME_LEARNED};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
        for (int ro = 0; ro < 2; ro++) {
            spec sp = {ids[k], ro ? PELAB_MASK_CAUSAL : PELAB_MASK_NONE, ro ? PELAB_READOUT_EACH : PELAB_READOUT_POOL,
                       PELAB_NORM_PRE, PELAB_INIT_PROBE, PELAB_DTYPE_F32, 32, 4, 2, 6, 29};
            check_threads_bitwise(&sp, 4, 0);
        }
}

/* Weight decay shrinks matrices and tables, never biases or LN parameters:
 * with zero gradients one AdamW step is exactly param (1 - lr wd) or param. */
static void test_decay_targets(void) {
    spec sp = {PELAB_SCHEME_LEARNED, PELAB_MASK_NONE, PELAB_READOUT_POOL, PELAB_NORM_PRE, PELAB_INIT_PROBE,
               PELAB_DTYPE_F64, 8, 2, 2, 1, 4};
    pelab_model m;
    make_model(&m, &sp, 2);
    double *before = malloc(m.n_params * sizeof *before);
    memcpy(before, m.params, m.n_params * sizeof *before);
    memset(m.grads, 0, m.n_params * sizeof(double));
    pelab_model_step(&m, PELAB_OPTIMIZER_ADAMW, 0.1, 0.5, 0, 1);
    const double *p = m.params;
    int decayed = 0, kept = 0;
    for (int i = 0; i < m.n_tensors; i++) {
        const pelab_tensor *t = &m.tensors[i];
        const int want = t->rank == 2 && strcmp(t->name, "rel_bias.weight") != 0;
        ASSERT_EQ(t->decay, want);
        for (size_t j = 0; j < t->count; j++) {
            const double b = before[t->offset + j], a = p[t->offset + j];
            if (want)
                ASSERT_NEAR(a, b * (1 - 0.05), 1e-15 * fabs(b) + 1e-300);
            else
                ASSERT_DBL_EQ(a, b);
        }
        decayed += want, kept += !want;
    }
    ASSERT_GT(decayed, 0);
    ASSERT_GT(kept, 0);
    free(before);
    pelab_model_free(&m);
}

/* Tensor names and shapes as the README lists them. */
static void test_layout(void) {
    spec sp = {PELAB_SCHEME_ONEHOT, PELAB_MASK_NONE, PELAB_READOUT_POOL, PELAB_NORM_PRE, PELAB_INIT_PROBE,
               PELAB_DTYPE_F32, 8, 2, 2, 1, 6};
    pelab_model m;
    make_model(&m, &sp, 1);
    const pelab_tensor *t = pelab_model_tensor(&m, "in_proj.weight");
    ASSERT(t != NULL);
    ASSERT_EQ(t->shape[0], 8 + 6); /* onehot: L = the longest length */
    ASSERT_EQ(t->shape[1], 8);
    t = pelab_model_tensor(&m, "blocks.1.mlp.fc.weight");
    ASSERT(t != NULL);
    ASSERT_EQ(t->shape[0], 8);
    ASSERT_EQ(t->shape[1], 16);
    ASSERT(pelab_model_tensor(&m, "ln_f.weight") != NULL);
    ASSERT(pelab_model_tensor(&m, "head.bias") != NULL);
    ASSERT(pelab_model_tensor(&m, "blocks.2.attn.wq.weight") == NULL);
    pelab_model_free(&m);
}

/* Save and load: the same tensors bit for bit, the same logits. */
static void test_save_load(void) {
    const spec specs[] = {
        {PELAB_SCHEME_T5, PELAB_MASK_CAUSAL, PELAB_READOUT_EACH, PELAB_NORM_PRE, PELAB_INIT_PROBE, PELAB_DTYPE_F64, 8, 2, 2, 2, 6},
        {PELAB_SCHEME_ONEHOT, PELAB_MASK_NONE, PELAB_READOUT_POOL, PELAB_NORM_NONE, PELAB_INIT_GPT2, PELAB_DTYPE_F32, 8, 2, 1, 2, 6},
        {PELAB_SCHEME_LEARNED, PELAB_MASK_NONE, PELAB_READOUT_POOL, PELAB_NORM_PRE, PELAB_INIT_PROBE, PELAB_DTYPE_F32, 8, 4, 2, 2, 6},
        {PELAB_SCHEME_ROPE, PELAB_MASK_CAUSAL, PELAB_READOUT_POOL, PELAB_NORM_PRE, PELAB_INIT_PROBE, PELAB_DTYPE_F32, 8, 2, 2, 2, 6},
    };
    char dir[] = "/tmp/pelab-test-model-XXXXXX";
    ASSERT(mkdtemp(dir) != NULL);
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        const spec *sp = &specs[k];
        pelab_model a, b;
        make_model(&a, sp, 21);
        char path[256], task[32];
        snprintf(path, sizeof path, "%s/m%zu.safetensors", dir, k);
        const pelab_safetensors_meta extra[] = {{"task", "agent"}, {"note", "a \"quoted\" value"}};
        pelab_error err;
        ASSERT_EQ(pelab_model_save(&a, path, extra, 2, &err), PELAB_STATUS_OK);
        ASSERT_EQ(pelab_model_load(&b, task, sizeof task, path, sp->B, sp->n, &err), PELAB_STATUS_OK);
        ASSERT(strcmp(task, "agent") == 0);
        ASSERT_EQ(b.n_tensors, a.n_tensors);
        ASSERT_EQ(b.n_params, a.n_params);
        const size_t es = sp->dtype == PELAB_DTYPE_F64 ? 8 : 4;
        ASSERT(memcmp(a.params, b.params, a.n_params * es) == 0);
        int tokens[256], targets[256];
        make_batch(tokens, targets, sp, 1);
        pelab_model_stats sa, sb;
        pelab_model_forward(&sa, &a, tokens, targets, sp->B, sp->n, 0);
        pelab_model_forward(&sb, &b, tokens, targets, sp->B, sp->n, 0);
        ASSERT_DBL_EQ(sa.loss, sb.loss);
        pelab_model_free(&a);
        pelab_model_free(&b);
        unlink(path);
    }
    /* a file that is no pelab model is refused with its path */
    char path[256];
    snprintf(path, sizeof path, "%s/plain.safetensors", dir);
    const float x[2] = {1, 2};
    const pelab_safetensor t = {"w", PELAB_DTYPE_F32, 1, {2, 0, 0, 0}, x};
    pelab_error err;
    ASSERT_EQ(pelab_safetensors_write(path, &t, 1, NULL, 0, &err), PELAB_STATUS_OK);
    pelab_model m;
    ASSERT_EQ(pelab_model_load(&m, NULL, 0, path, 1, 4, &err), PELAB_STATUS_RUN);
    ASSERT(strstr(err.msg, "not a pelab model") != NULL && strstr(err.msg, path) != NULL);
    unlink(path);
    rmdir(dir);
}

/* pelab_model_attention: P V is the layer's fused output (within the
 * kernels' forward tolerance), rows sum to 1, a causal mask's entries are
 * exactly 0 (its logits NaN), and the logits' softmax is P; every layer and
 * sequence, biased and rotated schemes, both masks, both dtypes. */
static void test_attention_weights(void) {
    const pelab_scheme_id schemes[] = {PELAB_SCHEME_ROPE, PELAB_SCHEME_ALIBI, PELAB_SCHEME_T5, PELAB_SCHEME_LEARNED,
                                       PELAB_SCHEME_SINUSOIDAL};
    double worst[2] = {0, 0};
    for (size_t si = 0; si < sizeof schemes / sizeof schemes[0]; si++)
        for (int mask = 0; mask < 2; mask++)
            for (int dt = 0; dt < 2; dt++) {
                const pelab_dtype dtype = dt ? PELAB_DTYPE_F64 : PELAB_DTYPE_F32;
                const spec sp = {schemes[si], mask ? PELAB_MASK_CAUSAL : PELAB_MASK_NONE, PELAB_READOUT_POOL,
                                 PELAB_NORM_PRE, PELAB_INIT_PROBE, dtype, 8, 2, 2, 3, 7};
                pelab_model m;
                make_model(&m, &sp, 31);
                int tokens[256], targets[256];
                make_batch(tokens, targets, &sp, 3);
                pelab_model_stats st;
                pelab_model_forward(&st, &m, tokens, targets, sp.B, sp.n, 0);
                int n, B;
                pelab_model_last_shape(&m, &n, &B);
                ASSERT_EQ(n, sp.n);
                ASSERT_EQ(B, sp.B);
                const int H = sp.heads, D = sp.d, dk = D / H;
                const size_t nn = (size_t)n * n;
                double *P = malloc((size_t)H * nn * sizeof *P), *S = malloc((size_t)H * nn * sizeof *S);
                double *v = malloc((size_t)n * D * sizeof *v), *out = malloc((size_t)n * D * sizeof *out);
                const double tol = dt ? 1e-12 : 1e-5;
                for (int l = 0; l < sp.layers; l++)
                    for (int b = 0; b < sp.B; b++) {
                        pelab_model_attention(P, S, &m, l, b);
                        pelab_model_attention_values(v, out, &m, l, b);
                        for (int h = 0; h < H; h++)
                            for (int i = 0; i < n; i++) {
                                const double *Pi = P + (size_t)h * nn + (size_t)i * n;
                                const double *Si = S + (size_t)h * nn + (size_t)i * n;
                                double sum = 0, mx = -INFINITY, z = 0;
                                for (int j = 0; j < n; j++) {
                                    sum += Pi[j];
                                    ASSERT(Pi[j] >= 0);
                                    if (mask && j > i) {
                                        ASSERT(Pi[j] == 0);
                                        ASSERT(isnan(Si[j]));
                                    } else {
                                        ASSERT(isfinite(Si[j]));
                                        if (Si[j] > mx) mx = Si[j];
                                    }
                                }
                                ASSERT(fabs(sum - 1) <= 10 * tol);
                                for (int j = 0; j < n; j++)
                                    if (!(mask && j > i)) z += exp(Si[j] - mx);
                                for (int j = 0; j < n; j++) {
                                    const double p = mask && j > i ? 0 : exp(Si[j] - mx) / z;
                                    ASSERT(fabs(p - Pi[j]) <= 10 * tol);
                                }
                                for (int c = 0; c < dk; c++) {
                                    double o = 0;
                                    for (int j = 0; j < n; j++) o += Pi[j] * v[(size_t)j * D + h * dk + c];
                                    const double f = out[(size_t)i * D + h * dk + c];
                                    const double diff = fabs(o - f);
                                    if (diff > worst[dt]) worst[dt] = diff;
                                    ASSERT(diff <= tol * fmax(fabs(o), fabs(f)) + tol);
                                }
                            }
                    }
                free(P), free(S), free(v), free(out);
                pelab_model_free(&m);
            }
    printf("  attention weights: max |P V - fused out| f32 %.3g, f64 %.3g\n", worst[0], worst[1]);
}

int main(void) {
    omp_set_num_threads(2);
    TEST_RUN(test_layout);
    TEST_RUN(test_gradients);
    TEST_RUN(test_gradients_other_shapes);
    TEST_RUN(test_f32_vs_f64);
    TEST_RUN(test_threads_bitwise);
    TEST_RUN(test_threads_bitwise_split);
    TEST_RUN(test_decay_targets);
    TEST_RUN(test_save_load);
    TEST_RUN(test_attention_weights);
    return TEST_DONE();
}
