/* task.c — see pelab/train/task.h */
#include "pelab/train/task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/rng.h"
#include "pelab/base/status.h"

/* ---- the registry: one row per task ---------------------------------------- */

static const pelab_task_def g_tasks[PELAB_TASK_COUNT] = {
    {"agent", PELAB_TASK_AGENT, 16, 8, PELAB_READOUT_POOL, 1.0 / 2, 3,
     "the noun before the verb (\"Lion Kills Deer\" -> Lion): nouns 0..7, verbs 8..11, fillers 12..15"},
    {"retrieve", PELAB_TASK_RETRIEVE, 24, 16, PELAB_READOUT_POOL, 1.0 / 16, 9,
     "the token at position k, asked for by the query Qk (16+k) at the last position"},
    {"shift", PELAB_TASK_SHIFT, 16, 17, PELAB_READOUT_EACH, 1.0 / 16, 2,
     "at every position the previous token (the start class 16 at position 0)"},
    {"reverse", PELAB_TASK_REVERSE, 16, 16, PELAB_READOUT_EACH, 1.0 / 16, 2,
     "at every position i the token at n-1-i"},
    {"majority", PELAB_TASK_MAJORITY, 16, 16, PELAB_READOUT_POOL, 1.0 / 16, 1,
     "the most frequent token, ties to the smallest (a control: needs no position)"},
};

const char *pelab_readout_str(pelab_readout r) {
    switch (r) {
    case PELAB_READOUT_POOL: return "pool";
    case PELAB_READOUT_EACH: return "each";
    case PELAB_READOUT_COUNT: break;
    }
    return "unknown";
}

char *pelab_task_token_text(char *buf, size_t cap, const pelab_task_def *t, int token) {
    if (t->id == PELAB_TASK_AGENT && token >= 0 && token < 16)
        snprintf(buf, cap, "%c%d", token < 8 ? 'N' : token < 12 ? 'V' : 'f', token < 8 ? token : token < 12 ? token - 8 : token - 12);
    else if (t->id == PELAB_TASK_RETRIEVE && token >= 16)
        snprintf(buf, cap, "Q%d", token - 16);
    else
        snprintf(buf, cap, "%d", token);
    return buf;
}

const pelab_task_def *pelab_task_defs(int *count) {
    if (count) *count = PELAB_TASK_COUNT;
    return g_tasks;
}

const pelab_task_def *pelab_task_def_find(const char *name) {
    if (!name) return NULL;
    for (int i = 0; i < PELAB_TASK_COUNT; i++)
        if (strcmp(g_tasks[i].name, name) == 0) return &g_tasks[i];
    return NULL;
}

const pelab_task_def *pelab_task_def_get(pelab_task_id id) {
    PELAB_ASSERT(id >= 0 && id < PELAB_TASK_COUNT);
    PELAB_ASSERT(g_tasks[id].id == id);
    return &g_tasks[id];
}

int pelab_task_targets(const pelab_task_def *t, int n) {
    PELAB_ASSERT(t != NULL);
    return t->readout == PELAB_READOUT_EACH ? n : 1;
}

/* ---- the sampler ----------------------------------------------------------- */

/* Uniform integer in [lo, lo + count). */
static int draw(pelab_rng *r, int lo, int count) { return lo + (int)pelab_rng_below(r, (uint64_t)count); }

/* Three distinct positions of 0..n-1, uniform over the n(n-1)(n-2)/6 sets,
 * in increasing order: p0 uniform, p1 uniform over the other n-1, p2 over the
 * remaining n-2 (a draw j in [0, n-2) skips the two taken positions). */
static void three_positions(pelab_rng *r, int n, int *a, int *v, int *b) {
    int p0 = draw(r, 0, n);
    int p1 = draw(r, 0, n - 1);
    if (p1 >= p0) p1++;
    int lo = p0 < p1 ? p0 : p1, hi = p0 < p1 ? p1 : p0;
    int p2 = draw(r, 0, n - 2);
    if (p2 >= lo) p2++;
    if (p2 >= hi) p2++;
    /* sort the three */
    int x = lo, y = hi, z = p2;
    if (z < x) {
        *a = z, *v = x, *b = y;
    } else if (z < y) {
        *a = x, *v = z, *b = y;
    } else {
        *a = x, *v = y, *b = z;
    }
}

enum { CONTENT = 16, NOUNS = 8, VERB0 = 8, VERBS = 4, FILLER0 = 12, FILLERS = 4, QUERY0 = 16, QUERIES = 8 };

void pelab_task_sample(int *tokens, int *targets, const pelab_task_def *t, uint64_t key, uint64_t index,
                       int n) {
    PELAB_ASSERT(t != NULL && tokens != NULL && targets != NULL);
    PELAB_ASSERT(n >= t->min_len);
    pelab_rng r = pelab_rng_make(key, index);
    switch (t->id) {
    case PELAB_TASK_AGENT: {
        for (int i = 0; i < n; i++) tokens[i] = draw(&r, FILLER0, FILLERS);
        int a, v, b;
        three_positions(&r, n, &a, &v, &b);
        int agent = draw(&r, 0, NOUNS);
        int patient = draw(&r, 0, NOUNS - 1);
        if (patient >= agent) patient++;
        tokens[a] = agent;
        tokens[v] = draw(&r, VERB0, VERBS);
        tokens[b] = patient;
        targets[0] = agent;
        break;
    }
    case PELAB_TASK_RETRIEVE: {
        for (int i = 0; i < n - 1; i++) tokens[i] = draw(&r, 0, CONTENT);
        int k = draw(&r, 0, QUERIES);
        tokens[n - 1] = QUERY0 + k;
        targets[0] = tokens[k];
        break;
    }
    case PELAB_TASK_SHIFT:
        for (int i = 0; i < n; i++) tokens[i] = draw(&r, 0, CONTENT);
        targets[0] = CONTENT; /* the start class */
        for (int i = 1; i < n; i++) targets[i] = tokens[i - 1];
        break;
    case PELAB_TASK_REVERSE:
        for (int i = 0; i < n; i++) tokens[i] = draw(&r, 0, CONTENT);
        for (int i = 0; i < n; i++) targets[i] = tokens[n - 1 - i];
        break;
    case PELAB_TASK_MAJORITY: {
        int f = draw(&r, 0, CONTENT);
        int count[CONTENT] = {0};
        for (int i = 0; i < n; i++) {
            /* one uniform and one token draw per position, whichever branch,
             * so position i always uses the same two counters */
            double u = pelab_rng_uniform(&r);
            int other = draw(&r, 0, CONTENT);
            tokens[i] = u < 0.4 ? f : other;
            count[tokens[i]]++;
        }
        int best = 0;
        for (int c = 1; c < CONTENT; c++)
            if (count[c] > count[best]) best = c;
        targets[0] = best;
        break;
    }
    case PELAB_TASK_COUNT:
    default: PELAB_ASSERT(!"unknown task");
    }
}
