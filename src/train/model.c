/* model.c — see pelab/train/model.h.
 *
 * The tensors are laid out once (model_layout), in a fixed order that is also
 * the order of the safetensors file, the gradient norm and the optimiser.
 * The forward and the backward are written once over a real type T in
 * model_impl.inc and included twice (float, double), like the kernels. The
 * activations of the whole batch (N = B n tokens) are kept for the backward:
 * llm.c's plan, one buffer per operation output. */
#include "pelab/train/model.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/numtext.h"
#include "pelab/base/rng.h"
#include "pelab/base/status.h"
#include "pelab/kernels/attention.h"
#include "pelab/kernels/nn.h"
#include "pelab/pe/rope.h"

/* ---- dims ------------------------------------------------------------------------- */

void pelab_model_dims_make(pelab_model_dims *d, const pelab_train_settings *s, const pelab_task_def *t,
                           int longest, int max_batch, int max_len) {
    memset(d, 0, sizeof *d);
    d->dtype = s->dtype;
    d->vocab = t->vocab;
    d->classes = t->classes;
    d->readout = t->readout;
    d->scheme = *s->scheme;
    d->kind = pelab_scheme_def_get(s->scheme->id)->kind;
    d->d = s->d_model;
    d->heads = s->heads;
    d->layers = s->layers;
    d->hidden = s->mlp_ratio * s->d_model;
    d->norm = s->norm;
    d->causal = s->mask == PELAB_MASK_CAUSAL;
    const pelab_scheme_def *def = pelab_scheme_def_get(d->scheme.id);
    if (d->scheme.id == PELAB_SCHEME_ONEHOT || d->scheme.id == PELAB_SCHEME_BINARY) {
        const int k = pelab_scheme_param_index(def, "max_len");
        PELAB_ASSERT(k >= 0);
        if (d->scheme.params[k] == 0) d->scheme.params[k] = longest;
    }
    if (d->kind == PELAB_SCHEME_KIND_APPEND || d->kind == PELAB_SCHEME_KIND_ADD)
        d->pe_width = pelab_encoding_pe_width(&d->scheme, longest, d->d);
    d->width = d->kind == PELAB_SCHEME_KIND_APPEND ? d->d + d->pe_width : d->d;
    if (d->scheme.id == PELAB_SCHEME_LEARNED) d->pos_rows = (int)pelab_scheme_param(&d->scheme, "max_len");
    if (d->scheme.id == PELAB_SCHEME_T5) {
        d->t5_buckets = (int)pelab_scheme_param(&d->scheme, "buckets");
        d->t5_max_distance = (int)pelab_scheme_param(&d->scheme, "max_distance");
    }
    d->max_batch = max_batch;
    d->max_len = max_len;
}

/* ---- layout ----------------------------------------------------------------------- */

typedef enum tensor_init {
    TI_ZERO = 0, /* biases, LN shifts                                   */
    TI_ONE,      /* LN gains                                            */
    TI_TOKEN,    /* token embeddings: N(0, token_std^2) / gpt2 0.02     */
    TI_FAN_IN,   /* matrices: N(0, 1/fan_in) / gpt2 0.02                */
    TI_RESID,    /* residual projections: as FAN_IN; gpt2 0.02/sqrt(2L) */
    TI_TABLE     /* learned positions, t5 biases: N(0, std^2)           */
} tensor_init;

static size_t add_tensor(pelab_model *m, tensor_init *how, const char *name, int rank, int r0, int r1,
                         tensor_init ti, int decay) {
    PELAB_ASSERT(m->n_tensors < PELAB_MODEL_MAX_TENSORS);
    pelab_tensor *t = &m->tensors[m->n_tensors];
    PELAB_ASSERT(strlen(name) < PELAB_TENSOR_NAME_MAX);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rank = rank;
    t->shape[0] = r0;
    t->shape[1] = rank == 2 ? r1 : 1;
    t->count = (size_t)r0 * (size_t)t->shape[1];
    t->offset = m->n_params;
    t->decay = decay;
    how[m->n_tensors] = ti;
    m->n_tensors++;
    m->n_params += t->count;
    return t->offset;
}

/* Offsets of every tensor, by role. */
typedef struct layer_off {
    size_t ln1_g, ln1_b, wq, bq, wk, bk, wv, bv, wo, bo, ln2_g, ln2_b, w1, b1, w2, b2;
} layer_off;

typedef struct model_off {
    size_t tok, win, pos, t5, lnf_g, lnf_b, wh, bh;
    int has_win, has_pos, has_t5, has_lnf;
    layer_off *layer;
} model_off;

static void model_layout(pelab_model *m, model_off *o, tensor_init *how) {
    const pelab_model_dims *d = &m->dims;
    char nm[PELAB_TENSOR_NAME_MAX];
    memset(o, 0, sizeof *o);
    o->tok = add_tensor(m, how, "tok_emb.weight", 2, d->vocab, d->d, TI_TOKEN, 1);
    if (d->kind == PELAB_SCHEME_KIND_APPEND) {
        o->has_win = 1;
        o->win = add_tensor(m, how, "in_proj.weight", 2, d->width, d->d, TI_FAN_IN, 1);
    }
    if (d->scheme.id == PELAB_SCHEME_LEARNED) {
        o->has_pos = 1;
        o->pos = add_tensor(m, how, "pos_emb.weight", 2, d->pos_rows, d->d, TI_TABLE, 1);
    }
    if (d->scheme.id == PELAB_SCHEME_T5) {
        o->has_t5 = 1;
        o->t5 = add_tensor(m, how, "rel_bias.weight", 2, d->heads, d->t5_buckets, TI_TABLE, 0);
    }
    o->layer = pelab_xcalloc((size_t)d->layers, sizeof *o->layer);
    for (int l = 0; l < d->layers; l++) {
        layer_off *L = &o->layer[l];
#define T_(field, suffix, rank, r0, r1, ti, decay)                                                 \
    (snprintf(nm, sizeof nm, "blocks.%d.%s", l, suffix), L->field = add_tensor(m, how, nm, rank, r0, r1, ti, decay))
        if (d->norm == PELAB_NORM_PRE) {
            T_(ln1_g, "ln1.weight", 1, d->d, 1, TI_ONE, 0);
            T_(ln1_b, "ln1.bias", 1, d->d, 1, TI_ZERO, 0);
        }
        T_(wq, "attn.wq.weight", 2, d->d, d->d, TI_FAN_IN, 1);
        T_(bq, "attn.wq.bias", 1, d->d, 1, TI_ZERO, 0);
        T_(wk, "attn.wk.weight", 2, d->d, d->d, TI_FAN_IN, 1);
        T_(bk, "attn.wk.bias", 1, d->d, 1, TI_ZERO, 0);
        T_(wv, "attn.wv.weight", 2, d->d, d->d, TI_FAN_IN, 1);
        T_(bv, "attn.wv.bias", 1, d->d, 1, TI_ZERO, 0);
        T_(wo, "attn.wo.weight", 2, d->d, d->d, TI_RESID, 1);
        T_(bo, "attn.wo.bias", 1, d->d, 1, TI_ZERO, 0);
        if (d->norm == PELAB_NORM_PRE) {
            T_(ln2_g, "ln2.weight", 1, d->d, 1, TI_ONE, 0);
            T_(ln2_b, "ln2.bias", 1, d->d, 1, TI_ZERO, 0);
        }
        T_(w1, "mlp.fc.weight", 2, d->d, d->hidden, TI_FAN_IN, 1);
        T_(b1, "mlp.fc.bias", 1, d->hidden, 1, TI_ZERO, 0);
        T_(w2, "mlp.proj.weight", 2, d->hidden, d->d, TI_RESID, 1);
        T_(b2, "mlp.proj.bias", 1, d->d, 1, TI_ZERO, 0);
#undef T_
    }
    if (d->norm == PELAB_NORM_PRE) {
        o->has_lnf = 1;
        o->lnf_g = add_tensor(m, how, "ln_f.weight", 1, d->d, 1, TI_ONE, 0);
        o->lnf_b = add_tensor(m, how, "ln_f.bias", 1, d->d, 1, TI_ZERO, 0);
    }
    o->wh = add_tensor(m, how, "head.weight", 2, d->d, d->classes, TI_FAN_IN, 1);
    o->bh = add_tensor(m, how, "head.bias", 1, d->classes, 1, TI_ZERO, 0);
}

/* ---- activations -------------------------------------------------------------------- */

typedef struct layer_acts {
    void *res_in, *ln1, *ln1_mean, *ln1_rstd, *q, *k, *v, *att, *lse, *res_mid, *ln2, *ln2_mean, *ln2_rstd, *fc,
        *gel;
} layer_acts;

typedef struct model_impl {
    model_off off;
    layer_acts *la;           /* layers + 1 (la[layers].res_in is the output)     */
    void *x_in;               /* (N, width) append input                           */
    void *lnf, *lnf_mean, *lnf_rstd;
    void *pool;               /* (B, d) pool readout input                         */
    void *logits, *dlogits, *loss;
    int *pred;
    void *dres, *dx, *dq, *dk, *dv, *datt, *dfc, *dgel, *dz, *dpool, *dxin;
    void *dmid, *dxa;         /* (N, d) the backward's d res_mid, dx of LN1        */
    void *pe;                 /* (pe_n, pe_width) positions of the current length  */
    int pe_n;
    void *rel;                /* (H, 2n-1) logit bias of the current length        */
    void *drel;               /* (B, H, 2n-1)                                      */
    int *bucket;              /* (2 max_len - 1) t5 bucket of j - i                */
    int rel_n;
    pelab_rope_plan rope;     /* rotary schemes: the rotation of the current length */
    int rope_n, rope_training; /* the length and phase of `rope`              */
    pelab_attn_row_stats *stats; /* (B, H, n)                                      */
    int *tokens, *targets;    /* the last forward's batch                          */
    double attn_acc[3];       /* the forward's attention stats: max |logit|, entropy sum, count */
    int B, n, P;
    uint64_t seed;
} model_impl;

static void *alloc_es(size_t count, size_t es) { return pelab_xcalloc(count ? count : 1, es); }

static void impl_alloc(model_impl *im, const pelab_model_dims *d, size_t es) {
    const size_t N = (size_t)d->max_batch * (size_t)d->max_len, D = (size_t)d->d, Hd = (size_t)d->hidden;
    const size_t B = (size_t)d->max_batch, H = (size_t)d->heads, R = 2 * (size_t)d->max_len - 1;
    const int pre = d->norm == PELAB_NORM_PRE;
    im->la = pelab_xcalloc((size_t)d->layers + 1, sizeof *im->la);
    for (int l = 0; l <= d->layers; l++) {
        layer_acts *a = &im->la[l];
        a->res_in = alloc_es(N * D, es);
        if (l == d->layers) break;
        if (pre) {
            a->ln1 = alloc_es(N * D, es);
            a->ln1_mean = alloc_es(N, es);
            a->ln1_rstd = alloc_es(N, es);
            a->ln2 = alloc_es(N * D, es);
            a->ln2_mean = alloc_es(N, es);
            a->ln2_rstd = alloc_es(N, es);
        }
        a->q = alloc_es(N * D, es);
        a->k = alloc_es(N * D, es);
        a->v = alloc_es(N * D, es);
        a->att = alloc_es(N * D, es);
        a->lse = alloc_es(N * H, es);
        a->res_mid = alloc_es(N * D, es);
        a->fc = alloc_es(N * Hd, es);
        a->gel = alloc_es(N * Hd, es);
    }
    if (d->kind == PELAB_SCHEME_KIND_APPEND) {
        im->x_in = alloc_es(N * (size_t)d->width, es);
        im->dxin = alloc_es(N * (size_t)d->width, es);
    }
    if (pre) {
        im->lnf = alloc_es(N * D, es);
        im->lnf_mean = alloc_es(N, es);
        im->lnf_rstd = alloc_es(N, es);
    }
    im->pool = alloc_es(B * D, es);
    im->logits = alloc_es(N * (size_t)d->classes, es);
    im->dlogits = alloc_es(N * (size_t)d->classes, es);
    im->loss = alloc_es(N, es);
    im->pred = pelab_xcalloc(N, sizeof(int));
    im->dres = alloc_es(N * D, es);
    im->dx = alloc_es(N * D, es);
    im->dmid = alloc_es(N * D, es);
    im->dxa = alloc_es(N * D, es);
    im->dq = alloc_es(N * D, es);
    im->dk = alloc_es(N * D, es);
    im->dv = alloc_es(N * D, es);
    im->datt = alloc_es(N * D, es);
    im->dfc = alloc_es(N * Hd, es);
    im->dgel = alloc_es(N * Hd, es);
    im->dz = alloc_es(N * D, es);
    im->dpool = alloc_es(B * D, es);
    if (d->pe_width > 0 && d->scheme.id != PELAB_SCHEME_LEARNED)
        im->pe = alloc_es((size_t)d->max_len * (size_t)d->pe_width, es);
    if (d->kind == PELAB_SCHEME_KIND_BIAS) {
        im->rel = alloc_es(H * R, es);
        im->drel = alloc_es(B * H * R, es);
        im->bucket = pelab_xcalloc(R, sizeof(int));
    }
    im->stats = pelab_xcalloc(N * H, sizeof *im->stats);
    im->tokens = pelab_xcalloc(N, sizeof(int));
    im->targets = pelab_xcalloc(N, sizeof(int));
}

static void impl_free(model_impl *im, int layers) {
    if (!im) return;
    for (int l = 0; im->la && l <= layers; l++) {
        layer_acts *a = &im->la[l];
        void *p[] = {a->res_in, a->ln1, a->ln1_mean, a->ln1_rstd, a->q, a->k, a->v, a->att,
                     a->lse, a->res_mid, a->ln2, a->ln2_mean, a->ln2_rstd, a->fc, a->gel};
        for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) free(p[i]);
    }
    free(im->la);
    void *p[] = {im->x_in, im->lnf, im->lnf_mean, im->lnf_rstd, im->pool, im->logits, im->dlogits, im->loss,
                 im->pred, im->dres, im->dx, im->dq, im->dk, im->dv, im->datt, im->dfc, im->dgel, im->dz,
                 im->dpool, im->dxin, im->dmid, im->dxa, im->pe,
                 im->rel, im->drel, im->bucket, im->stats, im->tokens,
                 im->targets, im->off.layer};
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) free(p[i]);
    pelab_rope_plan_free(&im->rope);
    free(im);
}

/* ---- the two instances ------------------------------------------------------------ */

#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SFX)

#define T float
#define SFX f32
#include "model_impl.inc"
#undef T
#undef SFX

#define T double
#define SFX f64
#include "model_impl.inc"
#undef T
#undef SFX

/* ---- the public functions ----------------------------------------------------------- */

static size_t dtype_size(pelab_dtype t) { return t == PELAB_DTYPE_F64 ? sizeof(double) : sizeof(float); }

void pelab_model_init(pelab_model *m, const pelab_model_dims *dims, pelab_init init, double token_std,
                      uint64_t seed) {
    memset(m, 0, sizeof *m);
    m->dims = *dims;
    PELAB_ASSERT(dims->d % dims->heads == 0 && dims->max_batch >= 1 && dims->max_len >= 1);
    model_impl *im = pelab_xcalloc(1, sizeof *im);
    tensor_init how[PELAB_MODEL_MAX_TENSORS];
    model_layout(m, &im->off, how);
    const size_t es = dtype_size(dims->dtype);
    m->params = alloc_es(m->n_params, es);
    m->grads = alloc_es(m->n_params, es);
    impl_alloc(im, dims, es);
    im->seed = seed;
    im->pe_n = -1;
    im->rel_n = -1;
    m->impl = im;
    /* Draw every tensor from its own stream, in double, then store it. */
    for (int i = 0; i < m->n_tensors; i++) {
        const pelab_tensor *t = &m->tensors[i];
        pelab_rng r = pelab_rng_make(seed, pelab_hash_str(t->name));
        double stdv = 0, fill = 0;
        switch (how[i]) {
        case TI_ZERO: fill = 0; break;
        case TI_ONE: fill = 1; break;
        case TI_TOKEN: stdv = init == PELAB_INIT_GPT2 ? 0.02 : token_std; break;
        case TI_FAN_IN: stdv = init == PELAB_INIT_GPT2 ? 0.02 : 1.0 / sqrt((double)t->shape[0]); break;
        case TI_RESID:
            stdv = init == PELAB_INIT_GPT2 ? 0.02 / sqrt(2.0 * dims->layers) : 1.0 / sqrt((double)t->shape[0]);
            break;
        case TI_TABLE:
            stdv = pelab_scheme_param(&dims->scheme, "std");
            if (init == PELAB_INIT_GPT2 && dims->scheme.id == PELAB_SCHEME_LEARNED) stdv = 0.02;
            break;
        }
        for (size_t j = 0; j < t->count; j++) {
            const double x = stdv > 0 ? stdv * pelab_rng_normal(&r) : fill;
            if (dims->dtype == PELAB_DTYPE_F64)
                ((double *)m->params)[t->offset + j] = x;
            else
                ((float *)m->params)[t->offset + j] = (float)x;
        }
    }
}

void pelab_model_free(pelab_model *m) {
    if (!m) return;
    impl_free(m->impl, m->dims.layers);
    free(m->params);
    free(m->grads);
    free(m->opt_m);
    free(m->opt_v);
    memset(m, 0, sizeof *m);
}

void pelab_model_forward(pelab_model_stats *st, pelab_model *m, const int *tokens, const int *targets, int B,
                         int n, int want_attn) {
    PELAB_ASSERT(B >= 1 && B <= m->dims.max_batch && n >= 1 && n <= m->dims.max_len);
    PELAB_ASSERT(m->dims.scheme.id != PELAB_SCHEME_LEARNED || n <= m->dims.pos_rows);
    if (m->dims.dtype == PELAB_DTYPE_F64)
        forward_f64(st, m, tokens, targets, B, n, want_attn);
    else
        forward_f32(st, m, tokens, targets, B, n, want_attn);
}

void pelab_model_backward(pelab_model *m) {
    if (m->dims.dtype == PELAB_DTYPE_F64)
        backward_f64(m);
    else
        backward_f32(m);
}

double pelab_model_grad_norm(const pelab_model *m) {
    double s = 0;
    if (m->dims.dtype == PELAB_DTYPE_F64) {
        const double *g = m->grads;
        for (size_t i = 0; i < m->n_params; i++) s += g[i] * g[i];
    } else {
        const float *g = m->grads;
        for (size_t i = 0; i < m->n_params; i++) s += (double)g[i] * (double)g[i];
    }
    return sqrt(s);
}

void pelab_model_scale_grads(pelab_model *m, double f) {
    if (m->dims.dtype == PELAB_DTYPE_F64) {
        double *g = m->grads;
        for (size_t i = 0; i < m->n_params; i++) g[i] *= f;
    } else {
        float *g = m->grads;
        for (size_t i = 0; i < m->n_params; i++) g[i] = (float)((double)g[i] * f);
    }
}

void pelab_model_step(pelab_model *m, pelab_optimizer opt, double lr, double weight_decay, double momentum,
                      long t) {
    const size_t es = dtype_size(m->dims.dtype);
    if (!m->opt_m) m->opt_m = alloc_es(m->n_params, es);
    if (!m->opt_v && opt == PELAB_OPTIMIZER_ADAMW) m->opt_v = alloc_es(m->n_params, es);
    for (int i = 0; i < m->n_tensors; i++) {
        const pelab_tensor *tn = &m->tensors[i];
        const double wd = tn->decay ? weight_decay : 0.0;
        const size_t o = tn->offset;
        if (m->dims.dtype == PELAB_DTYPE_F64) {
            double *p = (double *)m->params + o, *g = (double *)m->grads + o, *mm = (double *)m->opt_m + o;
            if (opt == PELAB_OPTIMIZER_ADAMW)
                pelab_adamw_step_f64(p, mm, (double *)m->opt_v + o, g, tn->count, lr, 0.9, 0.999, 1e-8, wd, t);
            else
                pelab_sgd_step_f64(p, mm, g, tn->count, lr, momentum, wd);
        } else {
            float *p = (float *)m->params + o, *g = (float *)m->grads + o, *mm = (float *)m->opt_m + o;
            if (opt == PELAB_OPTIMIZER_ADAMW)
                pelab_adamw_step_f32(p, mm, (float *)m->opt_v + o, g, tn->count, lr, 0.9, 0.999, 1e-8, wd, t);
            else
                pelab_sgd_step_f32(p, mm, g, tn->count, lr, momentum, wd);
        }
    }
}

void pelab_model_attention(double *P, double *logits, const pelab_model *m, int layer, int b) {
    const model_impl *im = m->impl;
    PELAB_ASSERT(im->n > 0 && layer >= 0 && layer < m->dims.layers && b >= 0 && b < im->B);
    if (m->dims.dtype == PELAB_DTYPE_F64)
        attention_f64(P, logits, m, layer, b);
    else
        attention_f32(P, logits, m, layer, b);
}

void pelab_model_attention_values(double *v, double *out, const pelab_model *m, int layer, int b) {
    const model_impl *im = m->impl;
    PELAB_ASSERT(im->n > 0 && layer >= 0 && layer < m->dims.layers && b >= 0 && b < im->B);
    if (m->dims.dtype == PELAB_DTYPE_F64)
        attention_values_f64(v, out, m, layer, b);
    else
        attention_values_f32(v, out, m, layer, b);
}

void pelab_model_last_shape(const pelab_model *m, int *n, int *B) {
    const model_impl *im = m->impl;
    *n = im->n;
    *B = im->B;
}

const void *pelab_model_logits(const pelab_model *m) { return ((const model_impl *)m->impl)->logits; }

const pelab_tensor *pelab_model_tensor(const pelab_model *m, const char *name) {
    for (int i = 0; i < m->n_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0) return &m->tensors[i];
    return NULL;
}

/* ---- files ---------------------------------------------------------------------- */

#define META_MAX 48

typedef struct meta_buf {
    pelab_safetensors_meta m[META_MAX + 64];
    char text[META_MAX][96];
    int n, nt;
} meta_buf;

static void meta_put(meta_buf *b, const char *key, double v, const char *str) {
    PELAB_ASSERT(b->nt < META_MAX);
    char *t = b->text[b->nt++];
    if (str)
        snprintf(t, 96, "%s", str);
    else
        snprintf(t, 96, "%.17g", v);
    b->m[b->n].key = key;
    b->m[b->n].value = t;
    b->n++;
}

/* Scheme parameters are stored by position: scheme.param0, scheme.param1, ... */
static const char *const g_param_keys[PELAB_SCHEME_MAX_PARAMS] = {
    "scheme.param0", "scheme.param1", "scheme.param2", "scheme.param3", "scheme.param4",  "scheme.param5",
    "scheme.param6", "scheme.param7", "scheme.param8", "scheme.param9", "scheme.param10", "scheme.param11"};
_Static_assert(PELAB_SCHEME_MAX_PARAMS == 12, "one metadata key per scheme parameter");

pelab_status pelab_model_save(const pelab_model *m, const char *path, const pelab_safetensors_meta *extra,
                              int n_extra, pelab_error *err) {
    const pelab_model_dims *d = &m->dims;
    meta_buf b;
    memset(&b, 0, sizeof b);
    meta_put(&b, "format", 0, "pelab-model-1");
    meta_put(&b, "scheme", 0, d->scheme.name);
    meta_put(&b, "scheme.type", 0, pelab_scheme_def_get(d->scheme.id)->name);
    const pelab_scheme_def *def = pelab_scheme_def_get(d->scheme.id);
    for (int i = 0; i < def->n_params; i++) meta_put(&b, g_param_keys[i], d->scheme.params[i], NULL);
    meta_put(&b, "dtype", 0, pelab_dtype_str(d->dtype));
    meta_put(&b, "vocab", d->vocab, NULL);
    meta_put(&b, "classes", d->classes, NULL);
    meta_put(&b, "readout", 0, pelab_readout_str(d->readout));
    meta_put(&b, "d_model", d->d, NULL);
    meta_put(&b, "heads", d->heads, NULL);
    meta_put(&b, "layers", d->layers, NULL);
    meta_put(&b, "hidden", d->hidden, NULL);
    meta_put(&b, "norm", 0, pelab_norm_str(d->norm));
    meta_put(&b, "mask", 0, d->causal ? "causal" : "none");
    meta_put(&b, "width", d->width, NULL);
    meta_put(&b, "pe_width", d->pe_width, NULL);
    meta_put(&b, "pos_rows", d->pos_rows, NULL);
    meta_put(&b, "seed", 0, NULL);
    snprintf(b.text[b.nt - 1], 96, "%llu", (unsigned long long)((const model_impl *)m->impl)->seed);
    const int own = b.n;
    for (int i = 0; i < n_extra && b.n < META_MAX + 64; i++) {
        int dup = 0; /* the key columns repeat the model's own fields (scheme, d_model, ...) */
        for (int j = 0; j < own && !dup; j++) dup = strcmp(b.m[j].key, extra[i].key) == 0;
        if (!dup) b.m[b.n++] = extra[i];
    }
    pelab_safetensor t[PELAB_MODEL_MAX_TENSORS];
    const size_t es = dtype_size(d->dtype);
    for (int i = 0; i < m->n_tensors; i++) {
        const pelab_tensor *x = &m->tensors[i];
        memset(&t[i], 0, sizeof t[i]);
        t[i].name = x->name;
        t[i].dtype = d->dtype;
        t[i].rank = x->rank;
        t[i].shape[0] = (size_t)x->shape[0];
        t[i].shape[1] = (size_t)x->shape[1];
        t[i].data = (const char *)m->params + x->offset * es;
    }
    return pelab_safetensors_write(path, t, (size_t)m->n_tensors, b.m, (size_t)b.n, err);
}

static int meta_num(const pelab_safetensors_file *f, const char *key, double *v, pelab_error *err) {
    const char *s = pelab_safetensors_meta_get(f, key);
    if (!s || !pelab_parse_double(s, v)) {
        pelab_error_set(err, PELAB_STATUS_RUN, "%s: not a pelab model: metadata '%s' %s", f->path, key,
                        s ? "is not a number" : "is missing");
        return -1;
    }
    return 0;
}

static int meta_enum(const pelab_safetensors_file *f, const char *key, const char *a, const char *b_, int *v,
                     pelab_error *err) {
    const char *s = pelab_safetensors_meta_get(f, key);
    if (s && strcmp(s, a) == 0) return *v = 0, 0;
    if (s && strcmp(s, b_) == 0) return *v = 1, 0;
    pelab_error_set(err, PELAB_STATUS_RUN, "%s: not a pelab model: metadata '%s' %s (wanted %s or %s)", f->path, key,
                    s ? "has an unknown value" : "is missing", a, b_);
    return -1;
}

pelab_status pelab_model_load(pelab_model *m, char *task_name, size_t cap, const char *path, int max_batch,
                              int max_len, pelab_error *err) {
    memset(m, 0, sizeof *m);
    pelab_safetensors_file f;
    pelab_status s = pelab_safetensors_read(&f, path, err);
    if (s) return s;
    pelab_model_dims d;
    memset(&d, 0, sizeof d);
    const char *fmt = pelab_safetensors_meta_get(&f, "format");
    const char *type = pelab_safetensors_meta_get(&f, "scheme.type");
    const char *name = pelab_safetensors_meta_get(&f, "scheme");
    const char *task = pelab_safetensors_meta_get(&f, "task");
    const pelab_scheme_def *def = type ? pelab_scheme_def_find(type) : NULL;
    if (!fmt || strcmp(fmt, "pelab-model-1") != 0 || !def || !name || strlen(name) >= PELAB_SCHEME_NAME_MAX) {
        pelab_error_set(err, PELAB_STATUS_RUN, "%s: not a pelab model (its metadata has no format \"pelab-model-1\" "
                        "and scheme)", path);
        pelab_safetensors_free(&f);
        return PELAB_STATUS_RUN;
    }
    pelab_scheme_init_default(&d.scheme, def->id);
    snprintf(d.scheme.name, sizeof d.scheme.name, "%s", name);
    d.kind = def->kind;
    double v[12];
    int e[4];
    const char *nk[] = {"vocab", "classes", "d_model", "heads", "layers", "hidden", "width", "pe_width", "pos_rows"};
    int bad = 0;
    /* a parameter the file does not name keeps its default: files written
     * before rope had its scalings (param2 on) name only base and pairing */
    for (int i = 0; i < def->n_params && !bad; i++)
        if (pelab_safetensors_meta_get(&f, g_param_keys[i]))
            bad = meta_num(&f, g_param_keys[i], &d.scheme.params[i], err);
    for (int i = 0; i < 9 && !bad; i++) bad = meta_num(&f, nk[i], &v[i], err);
    if (!bad) bad = meta_enum(&f, "dtype", "f32", "f64", &e[0], err);
    if (!bad) bad = meta_enum(&f, "readout", "pool", "each", &e[1], err);
    if (!bad) bad = meta_enum(&f, "norm", "pre", "none", &e[2], err);
    if (!bad) bad = meta_enum(&f, "mask", "none", "causal", &e[3], err);
    if (!bad) {
        for (int i = 0; i < 9; i++)
            if (!(v[i] >= 0 && v[i] <= 1e7 && v[i] == floor(v[i]))) bad = 1;
        if (!bad && (v[0] < 1 || v[1] < 1 || v[2] < 1 || v[3] < 1 || v[4] < 1 || v[5] < 1 || (int)v[2] % (int)v[3]))
            bad = 1;
        if (bad)
            pelab_error_set(err, PELAB_STATUS_RUN, "%s: not a pelab model: its sizes are inconsistent", path);
    }
    if (bad) {
        pelab_safetensors_free(&f);
        return PELAB_STATUS_RUN;
    }
    d.vocab = (int)v[0], d.classes = (int)v[1], d.d = (int)v[2], d.heads = (int)v[3], d.layers = (int)v[4];
    d.hidden = (int)v[5], d.width = (int)v[6], d.pe_width = (int)v[7], d.pos_rows = (int)v[8];
    d.dtype = e[0] ? PELAB_DTYPE_F64 : PELAB_DTYPE_F32;
    d.readout = e[1] ? PELAB_READOUT_EACH : PELAB_READOUT_POOL;
    d.norm = e[2] ? PELAB_NORM_NONE : PELAB_NORM_PRE;
    d.causal = e[3];
    if (d.scheme.id == PELAB_SCHEME_T5) {
        d.t5_buckets = (int)pelab_scheme_param(&d.scheme, "buckets");
        d.t5_max_distance = (int)pelab_scheme_param(&d.scheme, "max_distance");
    }
    d.max_batch = max_batch;
    d.max_len = max_len;
    pelab_model_init(m, &d, PELAB_INIT_PROBE, 1.0, 0);
    const char *seed = pelab_safetensors_meta_get(&f, "seed");
    if (seed) ((model_impl *)m->impl)->seed = strtoull(seed, NULL, 10);
    s = PELAB_STATUS_OK;
    size_t got = 0;
    for (int i = 0; i < m->n_tensors && !s; i++) {
        const pelab_tensor *t = &m->tensors[i];
        const pelab_safetensor *ft = pelab_safetensors_find(&f, t->name);
        if (!ft || ft->rank != t->rank || ft->shape[0] != (size_t)t->shape[0] ||
            (t->rank == 2 && ft->shape[1] != (size_t)t->shape[1])) {
            s = pelab_error_set(err, PELAB_STATUS_RUN, "%s: tensor '%s' %s (the metadata's model wants [%d, %d])", path,
                                t->name, ft ? "has another shape" : "is missing", t->shape[0], t->shape[1]);
            break;
        }
        if (d.dtype == PELAB_DTYPE_F64)
            s = pelab_safetensors_get_f64(&f, t->name, (double *)m->params + t->offset, t->count, NULL, err);
        else
            s = pelab_safetensors_get_f32(&f, t->name, (float *)m->params + t->offset, t->count, NULL, err);
        got++;
    }
    if (!s && got != f.n)
        s = pelab_error_set(err, PELAB_STATUS_RUN, "%s: %zu tensors, but the metadata's model has %d", path, f.n,
                            m->n_tensors);
    if (task_name && cap) snprintf(task_name, cap, "%s", task ? task : "");
    pelab_safetensors_free(&f);
    if (s) pelab_model_free(m);
    return s;
}
