/* heatmap.c — `pelab heatmap`: the attention weights, logits or position
 * similarity of one cell per scheme, as CSV and a picture. The matrices are
 * pelab_heatmap_compute's (src/lab/heatmap.c), the files and the drawing
 * pelab_heatmaps_write's (src/study/report.c, scripts/plot/heatmap.sh).
 * With --model, a trained model's attention on a sample of its task: the
 * matrices are pelab_model_attention's (src/train/model.c), the files and
 * the drawing pelab_heatmap_panels_write's. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pelab/base/mem.h"
#include "pelab/base/rng.h"
#include "pelab/base/strbuf.h"
#include "pelab/lab/config.h"
#include "pelab/study/report.h"
#include "pelab/train/model.h"
#include "pelab/train/task.h"

const char pelab_cli_heatmap_help[] =
    "usage: pelab heatmap CONFIG [--scheme S[,S...]] [--what attention|phi|logits]\n"
    "                     [--seq-len N] [--head H] [--out DIR] [--d-model D] [--heads H]\n"
    "                     [--mask M] [--projection P] [--dtype T] [--sentence K]\n"
    "       pelab heatmap --model FILE.safetensors [--layer L] [--head H] [--seq-len N]\n"
    "                     [--sample K] [--what attention|logits] [--out DIR]\n"
    "\n"
    "The n x n matrix of one cell of CONFIG's sweep for each scheme (every scheme\n"
    "of the config unless --scheme names some; --scheme may be repeated):\n"
    "  attention  P_h[i][j], the attention weight of query i on key j in head H\n"
    "             (default 0), trial 0's weights (0 where a causal mask hides j)\n"
    "  logits     S_h[i][j] = q_i . k_j / sqrt(d_k) + bias (nan where masked)\n"
    "  phi        Phi(i, j), the scheme's position similarity (pelab geometry)\n"
    "The cell: --seq-len N (default the sweep's largest seq_len up to 64, any N up\n"
    "to 4096), under sentence input --sentence K (default 0) instead; d_model,\n"
    "heads, mask, projection and dtype default to the sweep's first value.\n"
    "\n"
    "Writes DIR/heatmap-WHAT-SCHEME.csv (a '#' line naming the cell, then row i\n"
    "= query i, column j = key j) and DIR/heatmap-WHAT.png: one panel per scheme\n"
    "on one colour scale (viridis), drawn by scripts/plot/heatmap.sh with gnuplot\n"
    "(without gnuplot the CSVs are written and the message says so). DIR defaults\n"
    "to heatmaps/ in the working folder.\n"
    "\n"
    "--model: a trained model (RESULTS/models/CELL-tTRIAL.safetensors, written by a\n"
    "training sweep with save: true) on sample K (default 0) of length N (default\n"
    "16, or the model's positional table when shorter) of its task: the sample\n"
    "stream keyed by hash(\"heatmap\") and the task's name alone, so every model of\n"
    "a task is drawn on the same tokens. Writes DIR/heatmap-WHAT-layerL.csv for\n"
    "every layer (or --layer L, from 0) in head H (default 0), the '#' line naming\n"
    "the model, the sample and its tokens (and, under a pooled readout, the\n"
    "target and the model's prediction), and DIR/heatmap-WHAT.png, one panel per\n"
    "layer, the tokens on the axes.\n"
    "\n"
    "exit status: 0 written, 1 a file could not be written, 2 bad usage, an invalid\n"
    "config, a cell that cannot run (the reason is given), a model file that cannot\n"
    "be read or is not a pelab model, a length below the task's shortest or above\n"
    "the model's table, or a layer or head out of range (the file is named).\n";

/* The sample's default length, and the most a model is asked for. */
#define MODEL_DEFAULT_LEN 16

/* The longest sequence the model's positions allow: a learned table's rows,
 * onehot/binary's L; 0 when any length goes. */
static int model_table_len(const pelab_model *m) {
    const pelab_scheme_id id = m->dims.scheme.id;
    if (id == PELAB_SCHEME_LEARNED) return m->dims.pos_rows;
    if (id == PELAB_SCHEME_ONEHOT || id == PELAB_SCHEME_BINARY) return (int)pelab_scheme_param(&m->dims.scheme, "max_len");
    return 0;
}

/* "pelab: PATH: MESSAGE" on stderr; returns 2. */
static int model_error(const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int model_error(const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pelab: %s: ", path);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

/* The class with the largest logit of prediction p. */
static int argmax_class(const pelab_model *m, int p) {
    const int C = m->dims.classes;
    const void *lg = pelab_model_logits(m);
    int best = 0;
    double bv = 0;
    for (int c = 0; c < C; c++) {
        const double v = m->dims.dtype == PELAB_DTYPE_F64 ? ((const double *)lg)[(size_t)p * C + c]
                                                         : (double)((const float *)lg)[(size_t)p * C + c];
        if (c == 0 || v > bv) bv = v, best = c;
    }
    return best;
}

/* `pelab heatmap --model FILE`: the options already parsed (values or NULL). */
static int heatmap_model(const char *path, const char *what_s, const char *len_s, const char *layer_s,
                         const char *head_s, const char *sample_s, const char *out) {
    pelab_heatmap_what what = PELAB_HEATMAP_ATTENTION;
    if (what_s && (!pelab_heatmap_what_parse(what_s, &what) || what == PELAB_HEATMAP_PHI))
        return pelab_cli_usage_error("heatmap: --what is attention or logits for a model, not '%s'%s", what_s,
                                     what == PELAB_HEATMAP_PHI ? " (phi is a config's scheme's: pelab heatmap CONFIG)"
                                                               : "");
    long n = 0, layer = -1, head = 0, sample = 0;
    if (len_s && !pelab_cli_parse_int(len_s, 1, PELAB_HEATMAP_MAX_SEQ_LEN, &n))
        return pelab_cli_usage_error("heatmap: --seq-len is a whole number in [1, %d], not '%s'",
                                     PELAB_HEATMAP_MAX_SEQ_LEN, len_s);
    if (layer_s && !pelab_cli_parse_int(layer_s, 0, 1 << 20, &layer))
        return pelab_cli_usage_error("heatmap: --layer is a whole number from 0, not '%s'", layer_s);
    if (head_s && !pelab_cli_parse_int(head_s, 0, 1 << 20, &head))
        return pelab_cli_usage_error("heatmap: --head is a whole number from 0, not '%s'", head_s);
    if (sample_s && !pelab_cli_parse_int(sample_s, 0, 1L << 62, &sample))
        return pelab_cli_usage_error("heatmap: --sample is a whole number from 0, not '%s'", sample_s);

    pelab_model m;
    char task_name[64];
    pelab_error err;
    if (pelab_model_load(&m, task_name, sizeof task_name, path, 1, n ? (int)n : MODEL_DEFAULT_LEN, &err)) {
        fprintf(stderr, "pelab: %s\n", err.msg);
        return 2;
    }
    int code = 0;
    const pelab_task_def *task = pelab_task_def_find(task_name);
    const int table = model_table_len(&m);
    if (!task_name[0])
        code = model_error(path, "the model's metadata names no task");
    else if (!task)
        code = model_error(path, "the model's task '%s' is not one (pelab tasks)", task_name);
    else if (task->vocab != m.dims.vocab || task->classes != m.dims.classes)
        code = model_error(path, "the model's vocab %d and classes %d are not task %s's", m.dims.vocab,
                           m.dims.classes, task->name);
    if (!code && !n) n = table > 0 && table < MODEL_DEFAULT_LEN ? table : MODEL_DEFAULT_LEN;
    if (code) {
    } else if (n < task->min_len) {
        code = model_error(path, "--seq-len %ld: task %s's samples have at least %d tokens", n, task->name,
                           task->min_len);
    } else if (table > 0 && n > table) {
        code = model_error(path, "--seq-len %ld: the model's %s positions go up to %d", n, m.dims.scheme.name,
                           table);
    } else if (layer >= m.dims.layers) {
        code = model_error(path, "--layer %ld: the model has %d layer%s (numbered from 0)", layer, m.dims.layers,
                           m.dims.layers == 1 ? "" : "s");
    } else if (head >= m.dims.heads) {
        code = model_error(path, "--head %ld: the model has %d head%s (numbered from 0)", head, m.dims.heads,
                           m.dims.heads == 1 ? "" : "s");
    }
    if (code) {
        pelab_model_free(&m);
        return code;
    }

    /* the sample: index K of the stream hash("heatmap") x hash(task), length n */
    const int N = (int)n, H = m.dims.heads, L = m.dims.layers;
    const uint64_t key = pelab_hash_mix(pelab_hash_str("heatmap"), pelab_hash_str(task->name));
    const int nt = pelab_task_targets(task, N);
    int *tokens = pelab_xcalloc((size_t)N, sizeof *tokens), *targets = pelab_xcalloc((size_t)nt, sizeof *targets);
    pelab_task_sample(tokens, targets, task, key, (uint64_t)sample, N);
    pelab_model_stats st;
    pelab_model_forward(&st, &m, tokens, targets, 1, N, 0);

    pelab_strbuf words = PELAB_STRBUF_INIT, about = PELAB_STRBUF_INIT;
    char w[32];
    for (int i = 0; i < N; i++)
        pelab_strbuf_printf(&words, "%s%s", i ? " " : "", pelab_task_token_text(w, sizeof w, task, tokens[i]));
    pelab_strbuf_printf(&about, "model=%s scheme=%s task=%s sample=%ld n=%d", path, m.dims.scheme.name, task->name,
                        sample, N);
    if (task->readout == PELAB_READOUT_POOL) {
        char tw[32], pw[32];
        pelab_strbuf_printf(&about, " target=%s predicted=%s", pelab_task_token_text(tw, sizeof tw, task, targets[0]),
                            pelab_task_token_text(pw, sizeof pw, task, argmax_class(&m, 0)));
    } else {
        pelab_strbuf_printf(&about, " correct=%d/%d", st.correct, st.predictions);
    }
    pelab_strbuf_printf(&about, " tokens: %s", words.data);

    const int l0 = layer >= 0 ? (int)layer : 0, l1 = layer >= 0 ? (int)layer + 1 : L, np = l1 - l0;
    const size_t nn = (size_t)N * N;
    double *P = pelab_xmalloc((size_t)H * nn * sizeof *P);
    double *S = what == PELAB_HEATMAP_LOGITS ? pelab_xmalloc((size_t)H * nn * sizeof *S) : NULL;
    double *mats = pelab_xmalloc((size_t)np * nn * sizeof *mats);
    pelab_heatmap_panel *panels = pelab_xcalloc((size_t)np, sizeof *panels);
    char (*pnames)[32] = pelab_xcalloc((size_t)np, sizeof *pnames);
    char **heads = pelab_xcalloc((size_t)np, sizeof *heads);
    for (int i = 0; i < np; i++) {
        const int l = l0 + i;
        pelab_model_attention(P, S, &m, l, 0);
        memcpy(mats + (size_t)i * nn, (S ? S : P) + (size_t)head * nn, nn * sizeof *mats);
        snprintf(pnames[i], sizeof pnames[i], "layer%d", l);
        pelab_strbuf hb = PELAB_STRBUF_INIT;
        pelab_strbuf_printf(&hb, "what=%s head=%ld layer=%d %s", pelab_heatmap_what_str(what), head, l, about.data);
        heads[i] = hb.data;
        panels[i].name = pnames[i];
        panels[i].header = heads[i];
        panels[i].m = mats + (size_t)i * nn;
    }
    char title[512], base[64], verdict[96] = "";
    if (task->readout == PELAB_READOUT_POOL) {
        char tw[32], pw[32];
        snprintf(verdict, sizeof verdict, ", target %s, predicted %s",
                 pelab_task_token_text(tw, sizeof tw, task, targets[0]),
                 pelab_task_token_text(pw, sizeof pw, task, argmax_class(&m, 0)));
    }
    const char *slash = strrchr(path, '/');
    snprintf(title, sizeof title, "%s, head %ld of %d: %s (%s, task %s, d_model %d, mask %s, %s), sample %ld (n=%d)%s",
             what == PELAB_HEATMAP_LOGITS ? "logits S" : "attention weights P", head, H, slash ? slash + 1 : path,
             m.dims.scheme.name, task->name, m.dims.d, m.dims.causal ? "causal" : "none", pelab_dtype_str(m.dims.dtype),
             sample, N, verdict);
    snprintf(base, sizeof base, "heatmap-%s", pelab_heatmap_what_str(what));
    pelab_heatmap_made made;
    pelab_status s = pelab_heatmap_panels_write(&made, out, base, what, title, N, panels, np, NULL, NULL, words.data,
                                                pelab_cli_scripts_dir(), pelab_cli_self(), &err);
    for (int i = 0; i < np; i++) free(heads[i]);
    free(heads), free(pnames), free(panels), free(mats), free(P), free(S), free(tokens), free(targets);
    free(words.data), free(about.data);
    pelab_model_free(&m);
    if (s) return pelab_cli_fail(&err);
    printf("pelab: %d matri%s of %s in %s/\n", made.n_csv, made.n_csv == 1 ? "x" : "ces", made.title, out);
    if (made.png[0])
        printf("pelab: picture %s\n", made.png);
    else
        fprintf(stderr, "pelab: no picture: %s\n", made.note);
    return 0;
}

int pelab_cli_heatmap(int argc, char **argv) {
    /* the command line's conventions (pelab_cli_parse), then the options as
     * pairs for the heatmap spec (the reader heatmap.args lines use too);
     * the model's own options (--model, --layer, --sample) after those */
    static const char *const names[] = {"--scheme", "--what",       "--seq-len", "--d-model", "--heads",
                                        "--head",   "--sentence",   "--mask",    "--projection", "--dtype",
                                        "--model",  "--layer",      "--sample",  "--out"};
    enum { N_OPTS = (int)(sizeof names / sizeof *names), N_SPEC = N_OPTS - 4 };
    pelab_cli_opt opts[N_OPTS];
    for (int k = 0; k < N_OPTS; k++) opts[k].name = names[k], opts[k].has_value = 1, opts[k].value = NULL;
    const char *pos[1];
    int n_pos = 0;
    if (pelab_cli_parse("heatmap", argc, argv, opts, N_OPTS, pos, 1, &n_pos)) return 2;
    const char *config = n_pos ? pos[0] : NULL, *out = opts[N_OPTS - 1].value ? opts[N_OPTS - 1].value : "heatmaps";
    const char *model = pelab_cli_get(opts, N_OPTS, "--model");
    if (model) {
        if (config) return pelab_cli_usage_error("heatmap: --model or a CONFIG, not both ('%s')", config);
        static const char *const cell_only[] = {"--scheme", "--d-model", "--heads", "--sentence",
                                                "--mask", "--projection", "--dtype"};
        for (size_t k = 0; k < sizeof cell_only / sizeof *cell_only; k++)
            if (pelab_cli_get(opts, N_OPTS, cell_only[k]))
                return pelab_cli_usage_error("heatmap: %s chooses a CONFIG's cell; the model fixes it", cell_only[k]);
        return heatmap_model(model, pelab_cli_get(opts, N_OPTS, "--what"), pelab_cli_get(opts, N_OPTS, "--seq-len"),
                             pelab_cli_get(opts, N_OPTS, "--layer"), pelab_cli_get(opts, N_OPTS, "--head"),
                             pelab_cli_get(opts, N_OPTS, "--sample"), out);
    }
    if (pelab_cli_get(opts, N_OPTS, "--layer") || pelab_cli_get(opts, N_OPTS, "--sample"))
        return pelab_cli_usage_error("heatmap: --%s is for a trained model (--model FILE)",
                                     pelab_cli_get(opts, N_OPTS, "--layer") ? "layer" : "sample");
    char *rest[2 * N_OPTS];
    int nrest = 0;
    for (int k = 0; k < N_SPEC; k++)
        if (opts[k].value) {
            rest[nrest++] = (char *)(uintptr_t)names[k];
            rest[nrest++] = (char *)(uintptr_t)opts[k].value;
        }
    if (!config) return pelab_cli_usage_error("heatmap: which CONFIG?");
    pelab_heatmap_spec spec;
    pelab_error err;
    if (pelab_heatmap_spec_parse(&spec, nrest, rest, &err)) return pelab_cli_usage_error("%s", err.msg);
    pelab_config cfg;
    if (pelab_config_load(&cfg, config, &err)) return pelab_cli_fail(&err);
    pelab_heatmap_made made;
    pelab_status s = pelab_heatmaps_write(&made, &cfg, &spec, out, "heatmap", pelab_cli_scripts_dir(),
                                          pelab_cli_self(), &err);
    pelab_config_free(&cfg);
    if (s) return pelab_cli_fail(&err);
    printf("pelab: %d matri%s of %s in %s/\n", made.n_csv, made.n_csv == 1 ? "x" : "ces", made.title, out);
    if (made.png[0])
        printf("pelab: picture %s\n", made.png);
    else
        fprintf(stderr, "pelab: no picture: %s\n", made.note);
    return 0;
}
