/* test_learn.c — learning, and what cannot be learnt.
 *
 * Without positions or a mask the encoder is exactly blind to order: its
 * pooled output is a function of the multiset of tokens. On `agent` a
 * sample and the same sample with its two nouns exchanged then get the same
 * prediction, and since their targets differ at most one of the two is
 * right: accuracy can never exceed chance by more than the noise of a
 * finite sample. Checked here on a trained float64 model, pair by pair, and
 * against a model with positions (where the exchanged pair differs, so the
 * check can fail). Learning itself (every scheme on majority) is checked by
 * tests/cli/train.sh. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/train/model.h"
#include "pelab/train/task.h"
#include "test.h"

#define BATCH 16
#define NMAX 12

static pelab_scheme g_scheme;

static void settings(pelab_train_settings *s, pelab_scheme_id id, pelab_dtype dt) {
    memset(s, 0, sizeof *s);
    pelab_scheme_init_default(&g_scheme, id);
    s->scheme = &g_scheme;
    s->d_model = 16;
    s->heads = 2;
    s->mask = PELAB_MASK_NONE;
    s->dtype = dt;
    s->layers = 2;
    s->mlp_ratio = 2;
    s->norm = PELAB_NORM_PRE;
    s->init = PELAB_INIT_PROBE;
    s->token_std = 1;
}

/* Train m on agent for `steps` AdamW steps at lengths 8..12. */
static void train(pelab_model *m, const pelab_task_def *t, int steps) {
    int tokens[BATCH * NMAX], targets[BATCH];
    for (int k = 0; k < steps; k++) {
        const int n = 8 + k % 5;
        for (int b = 0; b < BATCH; b++) pelab_task_sample(tokens + b * n, targets + b, t, 42, (uint64_t)(k * BATCH + b), n);
        pelab_model_stats st;
        pelab_model_forward(&st, m, tokens, targets, BATCH, n, 0);
        pelab_model_backward(m);
        pelab_model_step(m, PELAB_OPTIMIZER_ADAMW, 3e-3, 0.01, 0, k + 1);
    }
}

/* Exchange the two nouns (tokens 0..7) of an agent sample. */
static void swap_nouns(int *tok, int n) {
    int a = -1, b = -1;
    for (int i = 0; i < n; i++)
        if (tok[i] < 8) {
            if (a < 0)
                a = i;
            else
                b = i;
        }
    ASSERT(a >= 0 && b > a);
    const int x = tok[a];
    tok[a] = tok[b];
    tok[b] = x;
}

/* Over `count` samples of length n: pairs with equal predictions, pairs
 * with both right, correct predictions of the originals, and the largest
 * logit difference within a pair (f64 models). */
static void pairs(pelab_model *m, const pelab_task_def *t, int count, int n, int *same,
                  int *both, int *correct, double *maxdiff) {
    *same = *both = *correct = 0;
    *maxdiff = 0;
    const int C = t->classes;
    for (int i = 0; i < count; i++) {
        int tok[NMAX], tgt, tok2[NMAX], tgt2;
        pelab_task_sample(tok, &tgt, t, 7, (uint64_t)i, n);
        memcpy(tok2, tok, sizeof tok);
        swap_nouns(tok2, n);
        /* the exchanged sample's target is the other noun */
        tgt2 = -1;
        for (int p = 0; p < n; p++)
            if (tok[p] < 8 && tok[p] != tgt) tgt2 = tok[p];
        ASSERT(tgt2 >= 0);
        pelab_model_stats s1, s2;
        double l1[16], l2[16];
        pelab_model_forward(&s1, m, tok, &tgt, 1, n, 0);
        memcpy(l1, pelab_model_logits(m), (size_t)C * sizeof(double));
        pelab_model_forward(&s2, m, tok2, &tgt2, 1, n, 0);
        memcpy(l2, pelab_model_logits(m), (size_t)C * sizeof(double));
        int a1 = 0, a2 = 0;
        for (int c = 0; c < C; c++) {
            if (l1[c] > l1[a1]) a1 = c;
            if (l2[c] > l2[a2]) a2 = c;
            *maxdiff = fmax(*maxdiff, fabs(l1[c] - l2[c]));
        }
        *same += a1 == a2;
        *both += s1.correct && s2.correct;
        *correct += s1.correct;
    }
}

static void test_agent_blind_without_positions(void) {
    const pelab_task_def *t = pelab_task_def_find("agent");
    ASSERT(t != NULL);
    pelab_train_settings s;
    settings(&s, PELAB_SCHEME_NONE, PELAB_DTYPE_F64);
    pelab_model_dims d;
    pelab_model_dims_make(&d, &s, t, NMAX, BATCH, NMAX);
    pelab_model m;
    pelab_model_init(&m, &d, PELAB_INIT_PROBE, 1, 5);
    train(&m, t, 300);
    int same, both, correct;
    double maxdiff;
    pairs(&m, t, 256, 10, &same, &both, &correct, &maxdiff);
    printf("none, no mask, trained on agent: %d/256 exchanged pairs predicted alike, %d both right, "
           "accuracy %.3f, max |logit difference| %.2e\n", same, both, correct / 256.0, maxdiff);
    ASSERT_EQ(same, 256);
    ASSERT_EQ(both, 0);
    ASSERT_DBL_LT(maxdiff, 1e-12);
    ASSERT_DBL_LE(correct / 256.0, 0.55 + 3 * sqrt(0.25 / 256)); /* chance 1/2 and its noise */
    pelab_model_free(&m);
}

/* The same check on a model with positions fails: the pair differs. */
static void test_agent_positions_tell_the_pair_apart(void) {
    const pelab_task_def *t = pelab_task_def_find("agent");
    pelab_train_settings s;
    settings(&s, PELAB_SCHEME_SINUSOIDAL, PELAB_DTYPE_F64);
    pelab_model_dims d;
    pelab_model_dims_make(&d, &s, t, NMAX, BATCH, NMAX);
    pelab_model m;
    pelab_model_init(&m, &d, PELAB_INIT_PROBE, 1, 5);
    train(&m, t, 300);
    int same, both, correct;
    double maxdiff;
    pairs(&m, t, 256, 10, &same, &both, &correct, &maxdiff);
    printf("sinusoidal, trained on agent: %d/256 pairs predicted alike, accuracy %.3f, max |logit difference| %.2e\n",
           same, correct / 256.0, maxdiff);
    ASSERT_DBL_GT(maxdiff, 1e-3);
    ASSERT_LT(same, 256);
    pelab_model_free(&m);
}

/* Learning happens: majority (no position needed) from chance to >= 0.95. */
int main(void) {
    omp_set_num_threads(1); /* tiny models: threads only add overhead (test_model checks thread bit-identity) */
    TEST_RUN(test_agent_blind_without_positions);
    TEST_RUN(test_agent_positions_tell_the_pair_apart);
    return TEST_DONE();
}
