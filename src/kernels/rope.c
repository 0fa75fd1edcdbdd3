/* rope.c — RoPE's pairs and angles; see pelab/kernels/attention.h */
#include <math.h>

#include "pelab/base/status.h"
#include "pelab/kernels/attention.h"
#include "pelab/kernels/lowp.h"

void pelab_rope_pair(int i, int dk, int half, int *a, int *b) {
    PELAB_ASSERT(dk >= 2 && i >= 0 && i < dk / 2 && a != NULL && b != NULL);
    if (half) {
        *a = i;
        *b = i + dk / 2;
    } else {
        *a = 2 * i;
        *b = 2 * i + 1;
    }
}

double pelab_rope_inv_freq(int i, int width, double base) { return pow(base, -(2.0 * i) / (double)width); }

double pelab_rope_angle(int p, int i, int dk, double base) {
    PELAB_ASSERT(dk >= 2 && i >= 0 && i < dk / 2);
    return (double)p * pelab_rope_inv_freq(i, dk, base);
}

void pelab_rope_coeffs(double *cs, const pelab_rope_table *t, long pos, int sign) {
    PELAB_ASSERT(cs != NULL && t != NULL && t->dk >= 0 && t->inv_freq != NULL);
    const int np = t->dk / 2;
    for (int i = 0; i < np; i++) {
        double c, s, g = 1.0;
        if (t->angle == PELAB_ROPE_ANGLE_F64) {
            const double a = (double)pos * t->inv_freq[i];
            c = cos(a) * t->mscale;
            s = sin(a) * t->mscale;
            if (t->zeta) g = pow(t->zeta[i], (double)sign * ((double)pos - t->centre) / t->scale_base);
            cs[2 * i] = c * g;
            cs[2 * i + 1] = s * g;
        } else if (t->angle == PELAB_ROPE_ANGLE_F32) {
            const float a = (float)pos * (float)t->inv_freq[i], m = (float)t->mscale;
            const float cf = cosf(a) * m, sf = sinf(a) * m;
            float gf = 1.0f;
            if (t->zeta)
                gf = powf((float)t->zeta[i], (float)((double)sign * ((double)pos - t->centre)) / (float)t->scale_base);
            cs[2 * i] = (double)(cf * gf);
            cs[2 * i + 1] = (double)(sf * gf);
        } else {
            PELAB_ASSERT(t->angle == PELAB_ROPE_ANGLE_BF16 || t->angle == PELAB_ROPE_ANGLE_F16);
            const pelab_lowp f = t->angle == PELAB_ROPE_ANGLE_BF16 ? PELAB_LOWP_BF16 : PELAB_LOWP_F16;
            /* every step rounded to the format: position, frequency, angle, cos, sin, scale */
            const float a = pelab_lowp_round(f, pelab_lowp_round(f, (float)pos) * pelab_lowp_round(f, (float)t->inv_freq[i]));
            const float m = pelab_lowp_round(f, (float)t->mscale);
            const float cf = pelab_lowp_round(f, pelab_lowp_round(f, cosf(a)) * m);
            const float sf = pelab_lowp_round(f, pelab_lowp_round(f, sinf(a)) * m);
            float gf = 1.0f;
            if (t->zeta)
                gf = pelab_lowp_round(f, powf(pelab_lowp_round(f, (float)t->zeta[i]),
                                              (float)((double)sign * ((double)pos - t->centre)) / (float)t->scale_base));
            cs[2 * i] = (double)pelab_lowp_round(f, cf * gf);
            cs[2 * i + 1] = (double)pelab_lowp_round(f, sf * gf);
        }
        if (t->round_fmt >= 0) {
            cs[2 * i] = (double)pelab_lowp_round((pelab_lowp)t->round_fmt, (float)cs[2 * i]);
            cs[2 * i + 1] = (double)pelab_lowp_round((pelab_lowp)t->round_fmt, (float)cs[2 * i + 1]);
        }
    }
}
