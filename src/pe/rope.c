/* rope.c — RoPE's scalings and xPos; see pelab/pe/rope.h */
#include "pelab/pe/rope.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/status.h"
#include "pelab/kernels/lowp.h"

#define ROPE_PI 3.14159265358979323846

static double param_or(const pelab_scheme *s, const char *name, double dflt) {
    const int i = pelab_scheme_param_index(pelab_scheme_def_get(s->id), name);
    return i < 0 ? dflt : s->params[i];
}

pelab_rope_scaling pelab_rope_scaling_of(const pelab_scheme *s) {
    if (s->id != PELAB_SCHEME_ROPE) return PELAB_ROPE_SCALING_NONE;
    return (pelab_rope_scaling)(int)pelab_scheme_param(s, "scaling");
}

pelab_scheme pelab_rope_for_training(const pelab_scheme *s) {
    pelab_scheme r = *s;
    if (pelab_rope_scaling_of(s) != PELAB_ROPE_SCALING_NONE && (int)pelab_scheme_param(s, "apply") == 1)
        r.params[pelab_scheme_param_index(pelab_scheme_def_get(s->id), "scaling")] = PELAB_ROPE_SCALING_NONE;
    return r;
}

double pelab_rope_factor(const pelab_scheme *s) {
    const double f = param_or(s, "factor", 0);
    if (f == 0 && pelab_rope_scaling_of(s) == PELAB_ROPE_SCALING_LLAMA3) return 8.0;
    return f;
}

int pelab_rope_original_max_len(const pelab_scheme *s) {
    const int L = (int)param_or(s, "original_max_len", 0);
    if (L == 0 && pelab_rope_scaling_of(s) == PELAB_ROPE_SCALING_LLAMA3) return 8192;
    return L;
}

pelab_rope_angle_mode pelab_rope_angle_mode_of(const pelab_scheme *s, pelab_dtype dtype) {
    PELAB_ASSERT(pelab_scheme_def_get(s->id)->kind == PELAB_SCHEME_KIND_ROTATE);
    if (dtype == PELAB_DTYPE_F64) return PELAB_ROPE_ANGLE_F64;
    const int a = (int)pelab_scheme_param(s, "angle_dtype"); /* f32 | f64 | same */
    if (a == 1) return PELAB_ROPE_ANGLE_F64;
    if (a == 2 && dtype == PELAB_DTYPE_BF16) return PELAB_ROPE_ANGLE_BF16;
    if (a == 2 && dtype == PELAB_DTYPE_F16) return PELAB_ROPE_ANGLE_F16;
    return PELAB_ROPE_ANGLE_F32;
}

double pelab_rope_ntk_base(double base, double s, int dk) {
    PELAB_ASSERT(dk >= 2 && s > 0);
    if (dk == 2) return base; /* one pair, theta_0 = 1 whatever the base */
    return base * pow(s, (double)dk / (double)(dk - 2));
}

/* Hugging Face's find_correction_dim: the (real) pair index at which a
 * pair makes `rotations` turns over L positions. */
static double correction_dim(double rotations, int dk, double base, int L) {
    return ((double)dk * log((double)L / (rotations * 2.0 * ROPE_PI))) / (2.0 * log(base));
}

void pelab_rope_yarn_range(double *low, double *high, int dk, double base, int L, double beta_fast,
                           double beta_slow) {
    double lo = floor(correction_dim(beta_fast, dk, base, L));
    double hi = ceil(correction_dim(beta_slow, dk, base, L));
    *low = lo < 0 ? 0 : lo;
    *high = hi > dk - 1 ? dk - 1 : hi;
}

double pelab_rope_yarn_mscale(double s) { return s <= 1 ? 1.0 : 0.1 * log(s) + 1.0; }

double pelab_xpos_zeta(int i, int dk) { return (2.0 * i + 0.4 * dk) / (1.4 * dk); }

/* theta_i (1 - w (1 - 1/s)): w = 0 keeps theta_i, w = 1 gives theta_i / s,
 * and s = 1 gives theta_i exactly for every w. */
static double blend(double theta, double w, double s) { return theta * (1.0 - w * (1.0 - 1.0 / s)); }

static void scaled_freqs(double *f, const pelab_scheme *s, int dk, int n) {
    const int np = dk / 2;
    const double base = pelab_scheme_param(s, "base");
    const pelab_rope_scaling sc = pelab_rope_scaling_of(s);
    const double fac = pelab_rope_factor(s);
    const int L = pelab_rope_original_max_len(s);
    double b = base;
    if (sc == PELAB_ROPE_SCALING_NTK) b = pelab_rope_ntk_base(base, fac, dk);
    if (sc == PELAB_ROPE_SCALING_DYNAMIC_NTK && n > L) {
        if ((int)pelab_scheme_param(s, "dynamic_form") == 0)
            b = pelab_rope_ntk_base(base, (double)n / (double)L, dk);
        else
            b = pelab_rope_ntk_base(base, fac * (double)n / (double)L - (fac - 1.0), dk);
    }
    for (int i = 0; i < np; i++) f[i] = pelab_rope_inv_freq(i, dk, b);
    switch (sc) {
    case PELAB_ROPE_SCALING_PI:
        for (int i = 0; i < np; i++) f[i] = f[i] / fac;
        break;
    case PELAB_ROPE_SCALING_YARN: {
        double lo, hi;
        pelab_rope_yarn_range(&lo, &hi, dk, base, L, pelab_scheme_param(s, "beta_fast"),
                              pelab_scheme_param(s, "beta_slow"));
        if (lo == hi) hi += 0.001;
        for (int i = 0; i < np; i++) {
            double r = ((double)i - lo) / (hi - lo);
            r = r < 0 ? 0 : r > 1 ? 1 : r;
            f[i] = blend(f[i], r, fac);
        }
        break;
    }
    case PELAB_ROPE_SCALING_LLAMA3: {
        const double lowf = pelab_scheme_param(s, "low_freq_factor");
        const double highf = pelab_scheme_param(s, "high_freq_factor");
        const double low_wl = (double)L / lowf, high_wl = (double)L / highf;
        for (int i = 0; i < np; i++) {
            const double wl = 2.0 * ROPE_PI / f[i];
            if (wl > low_wl) {
                f[i] = f[i] / fac;
            } else if (!(wl < high_wl)) {
                const double sf = ((double)L / wl - lowf) / (highf - lowf);
                f[i] = blend(f[i], 1.0 - sf, fac);
            }
        }
        break;
    }
    case PELAB_ROPE_SCALING_NONE:
    case PELAB_ROPE_SCALING_NTK:
    case PELAB_ROPE_SCALING_DYNAMIC_NTK:
    case PELAB_ROPE_SCALING_COUNT: break;
    }
}

void pelab_rope_plan_make(pelab_rope_plan *r, const pelab_scheme *s, int dk, int n, pelab_dtype dtype) {
    PELAB_ASSERT(r && s && dk >= 2 && n >= 1);
    PELAB_ASSERT(pelab_scheme_def_get(s->id)->kind == PELAB_SCHEME_KIND_ROTATE);
    memset(r, 0, sizeof *r);
    const int np = dk / 2;
    r->inv_freq = pelab_xmalloc((size_t)np * sizeof *r->inv_freq);
    scaled_freqs(r->inv_freq, s, dk, n);
    r->table.dk = dk;
    r->table.half = (int)pelab_scheme_param(s, "pairing");
    r->table.inv_freq = r->inv_freq;
    r->table.mscale =
        pelab_rope_scaling_of(s) == PELAB_ROPE_SCALING_YARN ? pelab_rope_yarn_mscale(pelab_rope_factor(s)) : 1.0;
    r->table.angle = pelab_rope_angle_mode_of(s, dtype);
    r->table.round_fmt = dtype == PELAB_DTYPE_BF16 ? PELAB_LOWP_BF16 : dtype == PELAB_DTYPE_F16 ? PELAB_LOWP_F16 : -1;
    if (s->id == PELAB_SCHEME_XPOS) {
        r->zeta = pelab_xmalloc((size_t)np * sizeof *r->zeta);
        for (int i = 0; i < np; i++) r->zeta[i] = pelab_xpos_zeta(i, dk);
        r->table.zeta = r->zeta;
        r->table.scale_base = pelab_scheme_param(s, "scale_base");
        r->table.centre = (int)pelab_scheme_param(s, "centre") == 0 ? (double)((n + 1) / 2) : 0.0;
    }
}

void pelab_rope_plan_free(pelab_rope_plan *r) {
    free(r->inv_freq);
    free(r->zeta);
    memset(r, 0, sizeof *r);
}

int pelab_rope_param_applies(const pelab_scheme *s, int param) {
    if (s->id != PELAB_SCHEME_ROPE) return 1;
    const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
    PELAB_ASSERT(param >= 0 && param < def->n_params);
    const char *name = def->params[param].name;
    const pelab_rope_scaling sc = pelab_rope_scaling_of(s);
    if (strcmp(name, "factor") == 0)
        return sc == PELAB_ROPE_SCALING_PI || sc == PELAB_ROPE_SCALING_NTK || sc == PELAB_ROPE_SCALING_YARN ||
               sc == PELAB_ROPE_SCALING_LLAMA3 ||
               (sc == PELAB_ROPE_SCALING_DYNAMIC_NTK && (int)pelab_scheme_param(s, "dynamic_form") == 1);
    if (strcmp(name, "original_max_len") == 0)
        return sc == PELAB_ROPE_SCALING_DYNAMIC_NTK || sc == PELAB_ROPE_SCALING_YARN || sc == PELAB_ROPE_SCALING_LLAMA3;
    if (strcmp(name, "dynamic_form") == 0) return sc == PELAB_ROPE_SCALING_DYNAMIC_NTK;
    if (strcmp(name, "apply") == 0) return sc != PELAB_ROPE_SCALING_NONE;
    if (strcmp(name, "beta_fast") == 0 || strcmp(name, "beta_slow") == 0) return sc == PELAB_ROPE_SCALING_YARN;
    if (strcmp(name, "low_freq_factor") == 0 || strcmp(name, "high_freq_factor") == 0)
        return sc == PELAB_ROPE_SCALING_LLAMA3;
    return 1;
}

int pelab_rope_validate(const pelab_scheme *s, int *param, char *why, size_t why_len) {
    *param = -1;
    if (why && why_len) why[0] = '\0';
    if (s->id != PELAB_SCHEME_ROPE) return 0;
    const pelab_scheme_def *def = pelab_scheme_def_get(s->id);
    const pelab_rope_scaling sc = pelab_rope_scaling_of(s);
    char scn[32];
    pelab_param_choice_name(&def->params[pelab_scheme_param_index(def, "scaling")], (int)sc, scn, sizeof scn);
    const int fi = pelab_scheme_param_index(def, "factor"), li = pelab_scheme_param_index(def, "original_max_len");
    if (pelab_rope_param_applies(s, fi) && pelab_rope_factor(s) <= 0)
        return pelab_encoding_refuse(why, why_len, "scaling %s needs a factor > 0", scn);
    if (pelab_rope_param_applies(s, li) && pelab_rope_original_max_len(s) < 1)
        return pelab_encoding_refuse(why, why_len, "scaling %s needs original_max_len >= 1", scn);
    if (sc == PELAB_ROPE_SCALING_LLAMA3 &&
        !(pelab_scheme_param(s, "high_freq_factor") > pelab_scheme_param(s, "low_freq_factor"))) {
        *param = pelab_scheme_param_index(def, "high_freq_factor");
        return pelab_encoding_refuse(why, why_len, "high_freq_factor must exceed low_freq_factor");
    }
    if (sc == PELAB_ROPE_SCALING_YARN && !(pelab_scheme_param(s, "beta_fast") > pelab_scheme_param(s, "beta_slow"))) {
        *param = pelab_scheme_param_index(def, "beta_fast");
        return pelab_encoding_refuse(why, why_len, "beta_fast must exceed beta_slow");
    }
    return 0;
}
