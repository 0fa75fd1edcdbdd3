/* cli_geometry.c — `pelab geometry`: the position geometry of one scheme */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelab/pe/rope.h"
#include "pelab/lab/config.h"
#include "pelab/pe/encoding.h"
#include "pelab/lab/sweep.h"
#include "pelab/pe/geometry.h"
#include "pelab/base/mem.h"

const char pelab_cli_geometry_help[] =
    "usage: pelab geometry --scheme S --d-model D [--seq-len N] [--max-distance M]\n"
    "                      [--dtype f32|f64|bf16|f16] [--seed SEED] [--config FILE] [--format table|csv]\n"
    "\n"
    "The geometry of a scheme's positions. Phi(p, q) is the similarity of\n"
    "positions p and q: PE_p . PE_q for schemes with positional vectors, the\n"
    "logit between one token (ones / sqrt(d)) placed at p and at q for rope,\n"
    "alibi, t5 and none (identity projection, one head, alibi and t5\n"
    "bidirectional).\n"
    "\n"
    "  --scheme rope without --seq-len: RoFormer's long-term-decay bound\n"
    "      (Su et al. 2021, §3.4.3) (1/(d/2)) sum_j |sum_{k<j} e^{i m theta_k}|\n"
    "      for m = 0..M (default 256), theta_k = base^(-2k/d); csv columns\n"
    "      distance,bound. d must be even.\n"
    "  otherwise (--seq-len N required): Phi(0, k) for k = 0..min(N-1, M)\n"
    "      (csv columns distance,phi); the table format then lists the metrics\n"
    "      pos_min_dist, pos_collisions (in --dtype, default f32),\n"
    "      length_consistency, ti_residual, mono_break, mono_spearman and\n"
    "      sym_residual, \"undefined\" where a metric does not apply.\n"
    "\n"
    "--config FILE takes the scheme (a built-in or a named variant, with its\n"
    "parameters) from the config's schemes, its seed, and the first d_model and\n"
    "seq_len of the sweep unless given. Without it the scheme has its default\n"
    "parameters and the seed is 1 (it matters for learned and t5).\n";

/* RoFormer's bound is for RoPE's own frequencies: rope without a scaling. */
static int plain_rope(const pelab_scheme *s) {
    return s->id == PELAB_SCHEME_ROPE && pelab_rope_scaling_of(s) == PELAB_ROPE_SCALING_NONE;
}

static int parse_u64(const char *s, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!s[0] || s[0] == '-' || *end || errno) return 0;
    *out = (uint64_t)v;
    return 1;
}

static void print_value(const char *name, double v, int defined) {
    if (!defined) printf("%-20s undefined\n", name);
    else printf("%-20s %.9g\n", name, v);
}

int pelab_cli_geometry(int argc, char **argv) {
    const char *scheme_name = NULL, *config = NULL;
    long d = 0, n = 0, max_distance = -1;
    uint64_t seed = 1;
    int csv = 0, f32 = 1, seed_given = 0; /* f32: a precision code of pelab/pe/geometry.h */
    const char *dtype_name = "f32";
    enum { G_SCHEME, G_CONFIG, G_D_MODEL, G_SEQ_LEN, G_MAX_DISTANCE, G_SEED, G_DTYPE, G_FORMAT, G_COUNT };
    pelab_cli_opt opts[G_COUNT] = {{"--scheme", 1, NULL},  {"--config", 1, NULL}, {"--d-model", 1, NULL},
                                   {"--seq-len", 1, NULL}, {"--max-distance", 1, NULL}, {"--seed", 1, NULL},
                                   {"--dtype", 1, NULL},   {"--format", 1, NULL}};
    int n_pos = 0;
    if (pelab_cli_parse("geometry", argc, argv, opts, G_COUNT, NULL, 0, &n_pos)) return 2;
    scheme_name = opts[G_SCHEME].value;
    config = opts[G_CONFIG].value;
    const char *val;
    if ((val = opts[G_D_MODEL].value) && !pelab_cli_parse_int(val, 1, PELAB_CONFIG_MAX_D_MODEL, &d))
        return pelab_cli_usage_error("geometry: --d-model is a whole number in [1, %d], not '%s'",
                                     PELAB_CONFIG_MAX_D_MODEL, val);
    if ((val = opts[G_SEQ_LEN].value) && !pelab_cli_parse_int(val, 1, PELAB_CONFIG_MAX_SEQ_LEN, &n))
        return pelab_cli_usage_error("geometry: --seq-len is a whole number in [1, %d], not '%s'",
                                     PELAB_CONFIG_MAX_SEQ_LEN, val);
    if ((val = opts[G_MAX_DISTANCE].value) && !pelab_cli_parse_int(val, 0, PELAB_CONFIG_MAX_SEQ_LEN, &max_distance))
        return pelab_cli_usage_error("geometry: --max-distance is a whole number in [0, %d], not '%s'",
                                     PELAB_CONFIG_MAX_SEQ_LEN, val);
    if ((val = opts[G_SEED].value)) {
        if (!parse_u64(val, &seed)) return pelab_cli_usage_error("geometry: --seed is a whole number >= 0, not '%s'", val);
        seed_given = 1;
    }
    if ((val = opts[G_DTYPE].value)) {
        int found = -1;
        for (int k = 0; k < PELAB_DTYPE_COUNT; k++)
            if (strcmp(val, pelab_dtype_str((pelab_dtype)k)) == 0) found = k;
        if (found < 0) return pelab_cli_usage_error("geometry: --dtype is f32, f64, bf16 or f16, not '%s'", val);
        f32 = pelab_geometry_prec((pelab_dtype)found);
        dtype_name = pelab_dtype_str((pelab_dtype)found);
    }
    if ((val = opts[G_FORMAT].value)) {
        if (strcmp(val, "csv") == 0) csv = 1;
        else if (strcmp(val, "table") == 0) csv = 0;
        else return pelab_cli_usage_error("geometry: --format is table or csv, not '%s'", val);
    }
    if (!scheme_name) return pelab_cli_usage_error("geometry: which --scheme?");

    pelab_scheme s;
    if (config) {
        pelab_config cfg;
        pelab_error err;
        if (pelab_config_load(&cfg, config, &err)) return pelab_cli_fail(&err);
        int found = -1;
        for (int k = 0; k < cfg.n_schemes; k++)
            if (strcmp(cfg.schemes[k].name, scheme_name) == 0) found = k;
        if (found < 0) {
            fprintf(stderr, "pelab: %s: no scheme '%s' among the config's schemes\n", config, scheme_name);
            pelab_config_free(&cfg);
            return 2;
        }
        s = cfg.schemes[found];
        if (!seed_given) seed = cfg.seed;
        if (d == 0 && cfg.n_d_model > 0) d = cfg.d_model[0];
        if (n == 0 && cfg.n_seq_len > 0 && !plain_rope(&s)) n = cfg.seq_len[0];
        pelab_config_free(&cfg);
    } else {
        const pelab_scheme_def *def = pelab_scheme_def_find(scheme_name);
        if (!def) return pelab_cli_usage_error("geometry: unknown scheme '%s' (see pelab schemes)", scheme_name);
        pelab_scheme_init_default(&s, def->id);
    }
    if (d == 0) return pelab_cli_usage_error("geometry: which --d-model?");

    if (plain_rope(&s) && n == 0) {
        if (d % 2) return pelab_cli_usage_error("geometry: the RoPE bound needs an even --d-model, not %ld", d);
        const double base = pelab_scheme_param(&s, "base");
        const long M = max_distance >= 0 ? max_distance : 256;
        if (csv) printf("distance,bound\n");
        else printf("# RoFormer long-term-decay bound, d = %ld, base = %g\n%-10s %s\n", d, base, "distance", "bound");
        for (long m = 0; m <= M; m++) {
            const double b = pelab_geometry_rope_bound((int)m, (int)d, base);
            if (csv) printf("%ld,%.17g\n", m, b);
            else printf("%-10ld %.9g\n", m, b);
        }
        return 0;
    }
    if (n == 0) return pelab_cli_usage_error("geometry: which --seq-len?");
    char why[200];
    if (pelab_encoding_check(&s, (int)n, (int)d, why, sizeof why)) {
        fprintf(stderr, "pelab: geometry: scheme %s: %s\n", s.name, why);
        return 2;
    }
    const long K = max_distance >= 0 && max_distance < n - 1 ? max_distance : n - 1;
    double *row = pelab_xmalloc((size_t)n * sizeof *row);
    pelab_geometry_phi_row(row, &s, seed, (int)n, (int)d, 0);
    if (csv) printf("distance,phi\n");
    else printf("# Phi(0, k): scheme %s, seq_len %ld, d_model %ld, seed %llu\n%-10s %s\n", s.name, n, d,
                (unsigned long long)seed, "distance", "phi");
    for (long k = 0; k <= K; k++) {
        if (csv) printf("%ld,%.17g\n", k, row[k]);
        else printf("%-10ld %.9g\n", k, row[k]);
    }
    free(row);
    if (!csv) {
        pelab_geometry_result r;
        pelab_geometry_measure(&r, &s, seed, (int)n, (int)d, f32, pelab_cell_bytes_limit());
        printf("\n# metrics (dtype %s for pos_min_dist and pos_collisions)\n", dtype_name);
        for (int k = 0; k < PELAB_GEOMETRY_COUNT; k++)
            print_value(pelab_geometry_metric_name((pelab_geometry_metric)k), r.value[k], r.defined[k]);
    }
    return 0;
}
