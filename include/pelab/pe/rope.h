/* pelab/pe/rope.h — the rotary schemes resolved for a sequence: RoPE and
 * its context-extension scalings, and xPos, as the table the kernels apply
 * (pelab_rope_table, pelab/kernels/attention.h).
 *
 * Notation: head width d = dk, pairs i = 0 .. d/2 - 1, theta_i =
 * base^(-2i/d) (pelab_rope_inv_freq), s = `factor`, L = `original_max_len`,
 * n the sequence length the table is made for.
 *   none         theta_i
 *   pi           theta_i / s                      (Chen et al. 2023, eq. 4)
 *   ntk          base' = base s^(d/(d-2)), theta'_i = base'^(-2i/d)
 *                                                 (YaRN paper, definition 1)
 *   dynamic_ntk  ntk at s' = max(1, n/L)          (dynamic_form ratio)
 *                or base' = base (s n/L - (s-1))^(d/(d-2)) for n > L, base
 *                otherwise                       (dynamic_form hf: Hugging
 *                Face's _compute_dynamic_ntk_parameters). The two differ for
 *                every n > L unless s = 1: at n = 2L, s = 8 the ratio form
 *                scales the base by 2^(d/(d-2)), the hf form by 9^(d/(d-2)).
 *   yarn         Hugging Face's form (_compute_yarn_parameters):
 *                low  = floor(d ln(L / (2 pi beta_fast)) / (2 ln base)),
 *                high = ceil (d ln(L / (2 pi beta_slow)) / (2 ln base)),
 *                clamped to [0, d-1] (find_correction_range, truncate on);
 *                ramp_i = clamp((i - low) / (high - low), 0, 1) (high +=
 *                0.001 when equal); theta'_i = theta_i (1 - ramp_i (1 - 1/s)),
 *                which is (1 - ramp) theta + ramp theta / s written so that
 *                s = 1 gives theta_i bit for bit; and q, k times
 *                mscale = 0.1 ln s + 1 (1 for s <= 1), logits times mscale^2.
 *                The paper's eq. 18 ramps linearly in r = L theta_i / (2 pi)
 *                (gamma(r) = (r - alpha) / (beta - alpha)) without floor and
 *                ceil; Hugging Face ramps linearly in the pair index between
 *                the pairs where r = beta_fast and r = beta_slow, rounded
 *                outwards. Both leave the same pairs untouched and fully
 *                interpolated up to that rounding; the ramp between differs.
 *   llama3       wavelength lambda_i = 2 pi / theta_i; lambda_i < L / high:
 *                theta_i; lambda_i > L / low: theta_i / s; else smoothed
 *                with sf = (L / lambda_i - low) / (high - low):
 *                theta_i (1 - (1 - sf)(1 - 1/s)) (Hugging Face's
 *                (1 - sf) theta / s + sf theta, again exact at s = 1).
 *                Defaults s = 8, low 1, high 4, L = 8192 (Llama 3.1).
 *   xpos         theta_i unchanged; q_p times zeta_i^((p - c) / scale_base),
 *                k_p times zeta_i^(-(p - c) / scale_base), zeta_i =
 *                (2i + 0.4 d) / (1.4 d) (Sun et al. 2022); c = ceil(n/2) as
 *                torchscale centres the exponents (centre half), or 0.
 * apply (any scaling): always, or eval: training steps see plain RoPE and
 * only evaluation the scaling (pelab_rope_for_training), as a model
 * extended without fine-tuning.
 * Frequencies are computed in double; the angle mode (angle_dtype and the
 * cell's dtype) decides how p theta and cos/sin are then evaluated. */
#ifndef PELAB_PE_ROPE_H
#define PELAB_PE_ROPE_H

#include "pelab/kernels/attention.h"
#include "pelab/kernels/types.h"
#include "pelab/pe/encoding.h"

typedef enum pelab_rope_scaling {
    PELAB_ROPE_SCALING_NONE = 0,
    PELAB_ROPE_SCALING_PI,
    PELAB_ROPE_SCALING_NTK,
    PELAB_ROPE_SCALING_DYNAMIC_NTK,
    PELAB_ROPE_SCALING_YARN,
    PELAB_ROPE_SCALING_LLAMA3,
    PELAB_ROPE_SCALING_COUNT
} pelab_rope_scaling;

/* A rotary scheme resolved for heads of width dk at length n. */
typedef struct pelab_rope_plan {
    pelab_rope_table table; /* points into the arrays below                */
    double *inv_freq;       /* (dk/2) theta'_i                              */
    double *zeta;           /* (dk/2) xPos scales, or NULL                  */
} pelab_rope_plan;

/* Resolve rotary scheme s (kind ROTATE) for heads of width dk >= 2 at
 * length n in dtype. Free with pelab_rope_plan_free. */
void pelab_rope_plan_make(pelab_rope_plan *r, const pelab_scheme *s, int dk, int n, pelab_dtype dtype);
void pelab_rope_plan_free(pelab_rope_plan *r);

/* The angle mode of scheme s in a cell of dtype: f64 cells always F64;
 * otherwise angle_dtype f32 -> F32, f64 -> F64, same -> the cell's own. */
pelab_rope_angle_mode pelab_rope_angle_mode_of(const pelab_scheme *s, pelab_dtype dtype);

/* The scaling of a rope scheme (NONE for xpos). */
pelab_rope_scaling pelab_rope_scaling_of(const pelab_scheme *s);

/* The scheme as a training step applies it: s itself, or, for a scaling
 * with apply: eval, the same scheme with scaling none (plain RoPE: every
 * parameter the scaling adds is then inert). Evaluation uses s as it is;
 * probe configs refuse apply: eval (pelab/lab/config.h). */
pelab_scheme pelab_rope_for_training(const pelab_scheme *s);

/* The factor s and length L a scheme uses, its 0 defaults resolved
 * (llama3: 8 and 8192). */
double pelab_rope_factor(const pelab_scheme *s);
int pelab_rope_original_max_len(const pelab_scheme *s);

/* The formulas above, exposed for the literature tests. */
double pelab_rope_ntk_base(double base, double s, int dk);
void pelab_rope_yarn_range(double *low, double *high, int dk, double base, int L, double beta_fast,
                           double beta_slow);
double pelab_rope_yarn_mscale(double s);
double pelab_xpos_zeta(int i, int dk);

/* Whether parameter `param` (an index into the def's params) means
 * something for s (factor only with a scaling that uses it, beta_* only
 * with yarn, ...); 1 for every parameter of other schemes. */
int pelab_rope_param_applies(const pelab_scheme *s, int param);

/* A variant's parameters together: 0, or 1 with the offending parameter's
 * index in *param (-1: the variant as a whole) and a reason in why
 * ("scaling pi needs a factor", "high_freq_factor must exceed
 * low_freq_factor"). Only rotary schemes have such rules. */
int pelab_rope_validate(const pelab_scheme *s, int *param, char *why, size_t why_len);

#endif /* PELAB_PE_ROPE_H */
