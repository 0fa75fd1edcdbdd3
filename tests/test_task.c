/* test_task.c — the synthetic tasks (pelab/train/task.h): the registry, every
 * task's targets recomputed from its tokens by a plain implementation here,
 * determinism, and the statistics of the draws (tolerances of 5 binomial
 * standard deviations, so a correct sampler fails with probability < 1e-5). */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pelab/train/task.h"
#include "test.h"

#define MAXN 512
#define KEY 0x5eedULL

static const pelab_task_def *task(const char *name) {
    const pelab_task_def *t = pelab_task_def_find(name);
    if (!t) TEST_FAIL_("no task '%s'", name);
    return t;
}

/* |count - N p| within 5 standard deviations of a binomial(N, p). */
#define ASSERT_BINOMIAL(count, N, p)                                                 \
    do {                                                                             \
        double n_ = (double)(N), p_ = (double)(p);                                   \
        ASSERT_NEAR((double)(count), n_ * p_, 5.0 * sqrt(n_ * p_ * (1.0 - p_)));     \
    } while (0)

/* ---- the registry ---------------------------------------------------------- */

static void test_registry(void) {
    int count = -1;
    const pelab_task_def *defs = pelab_task_defs(&count);
    ASSERT_EQ(count, PELAB_TASK_COUNT);
    ASSERT_EQ(count, 5);
    static const struct {
        const char *name;
        int vocab, classes;
        pelab_readout readout;
        double chance;
        int min_len;
    } want[] = {
        {"agent", 16, 8, PELAB_READOUT_POOL, 0.5, 3},
        {"retrieve", 24, 16, PELAB_READOUT_POOL, 1.0 / 16, 9},
        {"shift", 16, 17, PELAB_READOUT_EACH, 1.0 / 16, 2},
        {"reverse", 16, 16, PELAB_READOUT_EACH, 1.0 / 16, 2},
        {"majority", 16, 16, PELAB_READOUT_POOL, 1.0 / 16, 1},
    };
    for (int i = 0; i < count; i++) {
        const pelab_task_def *d = &defs[i];
        ASSERT_EQ(d->id, i);
        ASSERT_STR_EQ(d->name, want[i].name);
        ASSERT_EQ(d->vocab, want[i].vocab);
        ASSERT_EQ(d->classes, want[i].classes);
        ASSERT_EQ(d->readout, want[i].readout);
        ASSERT_DBL_EQ(d->chance, want[i].chance);
        ASSERT_EQ(d->min_len, want[i].min_len);
        ASSERT(d->help && d->help[0] && !strchr(d->help, '\n'));
        ASSERT(pelab_task_def_find(d->name) == d);
        ASSERT(pelab_task_def_get(d->id) == d);
        ASSERT_EQ(pelab_task_targets(d, 10), d->readout == PELAB_READOUT_EACH ? 10 : 1);
    }
    ASSERT(pelab_task_def_find("nope") == NULL);
    ASSERT(pelab_task_def_find("") == NULL);
    ASSERT(pelab_task_def_find("Agent") == NULL);
    ASSERT_STR_EQ(pelab_readout_str(PELAB_READOUT_POOL), "pool");
    ASSERT_STR_EQ(pelab_readout_str(PELAB_READOUT_EACH), "each");
    ASSERT_STR_EQ(pelab_readout_str(PELAB_READOUT_COUNT), "unknown");
}

/* ---- targets recomputed from the tokens ------------------------------------ */

/* The reference: what the targets of tokens must be, by the header's words,
 * written without the sampler's structure. Also checks the token layout;
 * returns the number of targets or fails the test. */
static int reference(int *want, const pelab_task_def *t, const int *tok, int n) {
    for (int i = 0; i < n; i++) ASSERT(tok[i] >= 0 && tok[i] < t->vocab);
    switch (t->id) {
    case PELAB_TASK_AGENT: {
        int verb = -1, verbs = 0, nouns = 0, before = -1, after = -1;
        for (int i = 0; i < n; i++)
            if (tok[i] >= 8 && tok[i] <= 11) verb = i, verbs++;
        ASSERT_EQ(verbs, 1);
        for (int i = 0; i < n; i++) {
            if (tok[i] > 7) continue;
            nouns++;
            if (i < verb) before = i;
            if (i > verb) after = i;
        }
        ASSERT_EQ(nouns, 2);
        ASSERT(before >= 0 && after >= 0);          /* one noun on each side of the verb */
        ASSERT_NE(tok[before], tok[after]);        /* two different nouns */
        want[0] = tok[before];
        return 1;
    }
    case PELAB_TASK_RETRIEVE:
        for (int i = 0; i < n - 1; i++) ASSERT_LT(tok[i], 16);
        ASSERT(tok[n - 1] >= 16 && tok[n - 1] <= 23);
        want[0] = tok[tok[n - 1] - 16];
        return 1;
    case PELAB_TASK_SHIFT:
        for (int i = 0; i < n; i++) want[i] = i == 0 ? 16 : tok[i - 1];
        return n;
    case PELAB_TASK_REVERSE:
        for (int i = 0; i < n; i++) want[i] = tok[n - 1 - i];
        return n;
    case PELAB_TASK_MAJORITY: {
        int best = -1, best_count = -1;
        for (int c = 15; c >= 0; c--) { /* downwards with >=: a tie goes to the smaller */
            int k = 0;
            for (int i = 0; i < n; i++) k += tok[i] == c;
            if (k >= best_count) best = c, best_count = k;
        }
        want[0] = best;
        return 1;
    }
    default: TEST_FAIL_("unknown task %d", (int)t->id);
    }
    return 0;
}

static void check_task(const char *name) {
    const pelab_task_def *t = task(name);
    const int lens[] = {t->min_len, t->min_len + 1, t->min_len + 2, 16, 17, 64, 257};
    static int tok[MAXN], tgt[MAXN], want[MAXN];
    for (size_t l = 0; l < sizeof lens / sizeof lens[0]; l++) {
        int n = lens[l];
        for (uint64_t s = 0; s < 400; s++) {
            int m_want = pelab_task_targets(t, n);
            tok[n] = tgt[m_want] = -12345; /* sentinels: nothing written past the ends */
            pelab_task_sample(tok, tgt, t, KEY, s, n);
            int m = reference(want, t, tok, n);
            ASSERT_EQ(m_want, m);
            for (int i = 0; i < m; i++) {
                ASSERT(tgt[i] >= 0 && tgt[i] < t->classes);
                if (tgt[i] != want[i])
                    TEST_FAIL_("%s n=%d sample %llu target %d: %d, want %d", name, n, (unsigned long long)s, i,
                               tgt[i], want[i]);
            }
            ASSERT_EQ(tok[n], -12345);
            ASSERT_EQ(tgt[m], -12345);
        }
    }
}

static void test_agent_targets(void) { check_task("agent"); }
static void test_retrieve_targets(void) { check_task("retrieve"); }
static void test_shift_targets(void) { check_task("shift"); }
static void test_reverse_targets(void) { check_task("reverse"); }
static void test_majority_targets(void) { check_task("majority"); }

/* Majority's ties by hand: the reference and the sampler agree above; here
 * the reference itself is checked on a known tie. */
static void test_majority_tie_reference(void) {
    const int tok[6] = {7, 3, 7, 3, 9, 1};
    int want[1];
    ASSERT_EQ(reference(want, task("majority"), tok, 6), 1);
    ASSERT_EQ(want[0], 3);
}

/* ---- determinism ----------------------------------------------------------- */

static int same(const int *a, const int *b, int n) { return memcmp(a, b, (size_t)n * sizeof *a) == 0; }

static void test_deterministic(void) {
    int count;
    const pelab_task_def *defs = pelab_task_defs(&count);
    enum { N = 40 };
    for (int k = 0; k < count; k++) {
        const pelab_task_def *t = &defs[k];
        int m = pelab_task_targets(t, N);
        int tok1[N], tgt1[N], tok2[N], tgt2[N];
        /* sample 17, alone and after other samples: the same */
        pelab_task_sample(tok1, tgt1, t, KEY, 17, N);
        for (uint64_t s = 0; s < 5; s++) pelab_task_sample(tok2, tgt2, t, KEY + s, s, N);
        pelab_task_sample(tok2, tgt2, t, KEY, 17, N);
        ASSERT(same(tok1, tok2, N) && same(tgt1, tgt2, m));
        /* another index, another key: other tokens (equal with probability
         * well below 1e-12 at n = 40 in every task) */
        for (uint64_t s = 0; s < 200; s++) {
            pelab_task_sample(tok1, tgt1, t, KEY, s, N);
            pelab_task_sample(tok2, tgt2, t, KEY, s + 1, N);
            ASSERT(!same(tok1, tok2, N));
            pelab_task_sample(tok2, tgt2, t, KEY + 1, s, N);
            ASSERT(!same(tok1, tok2, N));
        }
    }
}

/* ---- statistics ------------------------------------------------------------ */

/* Agent at n = 8: each of the C(8,3) = 56 position triples a < v < b equally
 * likely; the agent noun uniform over 8, the verb over 4, the patient uniform
 * over the 7 other nouns. */
static void test_agent_statistics(void) {
    const pelab_task_def *t = task("agent");
    enum { N = 8, S = 56000 };
    static int triple[N][N][N];
    int agent[8] = {0}, verb[4] = {0}, patient[8][8] = {{0}}, filler[4] = {0};
    memset(triple, 0, sizeof triple);
    int tok[N], tgt[1];
    for (uint64_t s = 0; s < S; s++) {
        pelab_task_sample(tok, tgt, t, KEY, s, N);
        int pos[3], k = 0;
        for (int i = 0; i < N; i++)
            if (tok[i] < 12) {
                ASSERT_LT(k, 3);
                pos[k++] = i;
            } else {
                filler[tok[i] - 12]++;
            }
        ASSERT_EQ(k, 3);
        ASSERT(tok[pos[0]] < 8 && tok[pos[1]] >= 8 && tok[pos[2]] < 8);
        triple[pos[0]][pos[1]][pos[2]]++;
        agent[tok[pos[0]]]++;
        verb[tok[pos[1]] - 8]++;
        patient[tok[pos[0]]][tok[pos[2]]]++;
    }
    double chi2 = 0;
    for (int a = 0; a < N; a++)
        for (int v = 0; v < N; v++)
            for (int b = 0; b < N; b++) {
                if (a < v && v < b) {
                    ASSERT_BINOMIAL(triple[a][v][b], S, 1.0 / 56);
                    double e = S / 56.0, dev = triple[a][v][b] - e;
                    chi2 += dev * dev / e;
                } else {
                    ASSERT_EQ(triple[a][v][b], 0);
                }
            }
    /* all cells at once: chi-square with 55 degrees of freedom (mean 55,
     * standard deviation sqrt(110)) within 5 standard deviations */
    ASSERT_DBL_LT(chi2, 55 + 5 * sqrt(110.0));
    for (int i = 0; i < 8; i++) ASSERT_BINOMIAL(agent[i], S, 1.0 / 8);
    for (int i = 0; i < 4; i++) ASSERT_BINOMIAL(verb[i], S, 1.0 / 4);
    for (int i = 0; i < 4; i++) ASSERT_BINOMIAL(filler[i], (long)S * (N - 3), 1.0 / 4);
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++) {
            if (a == b)
                ASSERT_EQ(patient[a][b], 0);
            else
                ASSERT_BINOMIAL(patient[a][b], S, 1.0 / 56);
        }
}

/* Agent at its shortest, n = 3: the positions are 0, 1, 2. */
static void test_agent_shortest(void) {
    int tok[3], tgt[1];
    for (uint64_t s = 0; s < 100; s++) {
        pelab_task_sample(tok, tgt, task("agent"), KEY, s, 3);
        ASSERT(tok[0] < 8 && tok[1] >= 8 && tok[1] < 12 && tok[2] < 8 && tok[0] != tok[2]);
        ASSERT_EQ(tgt[0], tok[0]);
    }
}

/* Retrieve: the query Qk uniform over k = 0..7, content uniform over 16. */
static void test_retrieve_statistics(void) {
    const pelab_task_def *t = task("retrieve");
    enum { N = 12, S = 16000 };
    int query[8] = {0}, content[16] = {0}, target[16] = {0};
    int tok[N], tgt[1];
    for (uint64_t s = 0; s < S; s++) {
        pelab_task_sample(tok, tgt, t, KEY, s, N);
        query[tok[N - 1] - 16]++;
        for (int i = 0; i < N - 1; i++) content[tok[i]]++;
        target[tgt[0]]++;
    }
    for (int k = 0; k < 8; k++) ASSERT_BINOMIAL(query[k], S, 1.0 / 8);
    for (int c = 0; c < 16; c++) ASSERT_BINOMIAL(content[c], (long)S * (N - 1), 1.0 / 16);
    for (int c = 0; c < 16; c++) ASSERT_BINOMIAL(target[c], S, 1.0 / 16);
}

/* Shift and reverse: content uniform over 16 at every position. */
static void test_content_statistics(void) {
    enum { N = 16, S = 4000 };
    const char *names[] = {"shift", "reverse"};
    for (int k = 0; k < 2; k++) {
        static int at[N][16];
        memset(at, 0, sizeof at);
        int tok[N], tgt[N];
        for (uint64_t s = 0; s < S; s++) {
            pelab_task_sample(tok, tgt, task(names[k]), KEY, s, N);
            for (int i = 0; i < N; i++) at[i][tok[i]]++;
        }
        for (int i = 0; i < N; i++)
            for (int c = 0; c < 16; c++) ASSERT_BINOMIAL(at[i][c], S, 1.0 / 16);
    }
}

/* Majority at n = 256: the favourite (then always the most frequent: 112
 * expected against 9.6 for any other) holds a fraction 0.4 + 0.6/16 of the
 * positions, and is uniform over 16. At n = 1 the one token is the target and
 * uniform. */
static void test_majority_statistics(void) {
    const pelab_task_def *t = task("majority");
    enum { N = 256, S = 2000 };
    static int tok[N], tgt[1];
    long fav = 0;
    int target[16] = {0};
    for (uint64_t s = 0; s < S; s++) {
        pelab_task_sample(tok, tgt, t, KEY, s, N);
        for (int i = 0; i < N; i++) fav += tok[i] == tgt[0];
        target[tgt[0]]++;
    }
    ASSERT_BINOMIAL(fav, (long)S * N, 0.4 + 0.6 / 16);
    for (int c = 0; c < 16; c++) ASSERT_BINOMIAL(target[c], S, 1.0 / 16);
    int one[16] = {0};
    for (uint64_t s = 0; s < 16000; s++) {
        pelab_task_sample(tok, tgt, t, KEY, s, 1);
        ASSERT_EQ(tgt[0], tok[0]);
        one[tok[0]]++;
    }
    for (int c = 0; c < 16; c++) ASSERT_BINOMIAL(one[c], 16000, 1.0 / 16);
}

/* ---- min_len: below it the sampler asserts (abort) ------------------------- */

static void test_min_len_asserted(void) {
    int count;
    const pelab_task_def *defs = pelab_task_defs(&count);
    for (int k = 0; k < count; k++) {
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
            int tok[16], tgt[16];
            if (freopen("/dev/null", "w", stderr) == NULL) _exit(3);
            pelab_task_sample(tok, tgt, &defs[k], KEY, 0, defs[k].min_len - 1);
            _exit(0); /* not reached when the sampler asserts */
        }
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT))
            TEST_FAIL_("%s at n = min_len - 1 = %d did not abort (status %d)", defs[k].name, defs[k].min_len - 1,
                       status);
    }
}

int main(void) {
    TEST_RUN(test_registry);
    TEST_RUN(test_agent_targets);
    TEST_RUN(test_retrieve_targets);
    TEST_RUN(test_shift_targets);
    TEST_RUN(test_reverse_targets);
    TEST_RUN(test_majority_targets);
    TEST_RUN(test_majority_tie_reference);
    TEST_RUN(test_deterministic);
    TEST_RUN(test_agent_statistics);
    TEST_RUN(test_agent_shortest);
    TEST_RUN(test_retrieve_statistics);
    TEST_RUN(test_content_statistics);
    TEST_RUN(test_majority_statistics);
    TEST_RUN(test_min_len_asserted);
    return TEST_DONE();
}
