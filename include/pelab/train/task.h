/* pelab/train/task.h — the synthetic tasks a model is trained on: a registry
 * (one row per task: vocabulary, classes, readout, chance, shortest length)
 * and a sampler.
 *
 * A sample is a pure function of (key, index, n): the caller builds the key
 * from the config seed, the task, the trial and the split (training or
 * evaluation), never from the scheme, so every scheme sees the same samples.
 * Draws come from the counter-based generator (pelab/base/rng.h).
 *
 * Tasks (token ids; "content" tokens are 0..15 in every task but agent):
 *   agent     nouns 0..7, verbs 8..11, fillers 12..15. Every position holds a
 *             random filler; then three random positions a < v < b receive two
 *             different random nouns (at a and b) and a random verb (at v).
 *             One target: the noun at a ("Lion" in "Lion Kills Deer"). pool.
 *             8 classes; chance 1/2 (between the two nouns present). n >= 3.
 *   retrieve  content 0..15, queries 16..23 (Q0..Q7). Positions 0..n-2 random
 *             content, position n-1 a random Qk; target: the token at k.
 *             pool; 16 classes; chance 1/16; n >= 9.
 *   shift     content 0..15; the class 16 is the start token. Every position a
 *             random content token; target at i: the token at i-1, at 0 the
 *             start token (16). each; 17 classes; chance 1/16; n >= 2.
 *   reverse   content 0..15; target at i: the token at n-1-i. each; 16
 *             classes; chance 1/16; n >= 2.
 *   majority  content 0..15; a favourite token f uniform, then each position
 *             f with probability 0.4, else uniform over the 16; target: the
 *             most frequent token (ties: the smallest). pool; 16 classes;
 *             chance 1/16 (a control: needs no position). n >= 1.
 * Adding a task: one row in the table of task.c, its case in
 * pelab_task_sample, and its tests. */
#ifndef PELAB_TRAIN_TASK_H
#define PELAB_TRAIN_TASK_H

#include <stddef.h>
#include <stdint.h>

typedef enum pelab_readout {
    PELAB_READOUT_POOL = 0, /* one prediction per sample: the mean over positions
                               (the last position under the causal mask)       */
    PELAB_READOUT_EACH,     /* one prediction per position                      */
    PELAB_READOUT_COUNT
} pelab_readout;

typedef enum pelab_task_id {
    PELAB_TASK_AGENT = 0,
    PELAB_TASK_RETRIEVE,
    PELAB_TASK_SHIFT,
    PELAB_TASK_REVERSE,
    PELAB_TASK_MAJORITY,
    PELAB_TASK_COUNT
} pelab_task_id;

typedef struct pelab_task_def {
    const char *name;      /* "agent"                                           */
    pelab_task_id id;
    int vocab;             /* token ids 0..vocab-1                              */
    int classes;           /* target ids 0..classes-1                           */
    pelab_readout readout;
    double chance;         /* accuracy of a guess that ignores position         */
    int min_len;           /* shortest sequence the task is defined on          */
    const char *help;      /* one line, shown by `pelab tasks`                  */
} pelab_task_def;

/* "pool", "each" ("unknown" out of range). */
const char *pelab_readout_str(pelab_readout r);

/* The registry in id order; *count receives PELAB_TASK_COUNT. */
const pelab_task_def *pelab_task_defs(int *count);
/* The def of a task by name, or NULL. */
const pelab_task_def *pelab_task_def_find(const char *name);
/* The def of an id (asserts it is valid). */
const pelab_task_def *pelab_task_def_get(pelab_task_id id);

/* Targets per sample: 1 for pool, n for each. */
int pelab_task_targets(const pelab_task_def *t, int n);

/* A short word for token `token` of task t into buf (cap bytes), for
 * pictures: agent N0..N7 (nouns), V0..V3 (verbs), f0..f3 (fillers);
 * retrieve its content 0..15 and queries Q0..Q7; the other tasks the id.
 * Returns buf. */
char *pelab_task_token_text(char *buf, size_t cap, const pelab_task_def *t, int token);

/* Sample `index` of length n (n >= t->min_len, asserted) of the stream `key`:
 * tokens (n) and targets (pelab_task_targets(t, n)). */
void pelab_task_sample(int *tokens, int *targets, const pelab_task_def *t, uint64_t key,
                       uint64_t index, int n);

#endif /* PELAB_TRAIN_TASK_H */
