/* pelab/study/claims.h — an experiment's claims, stated as checks on results.csv.
 *
 * A claims file (experiments/NAME/claims.yaml) is a YAML list; each item is
 * one claim with a sentence and exactly one check:
 *
 *   - claim: without encoding, token order is invisible
 *     where: {scheme: none, mask: none}
 *     expect: order_token_dist < 1e-5
 *
 *   - claim: the raw index makes weight gradients explode
 *     where: {scheme: index}
 *     trend: {metric: grad_wv_norm, over: seq_len, direction: increasing, min_ratio: 100}
 *
 *   - claim: index logits dwarf sinusoidal ones
 *     where: {scheme: index, seq_len: {min: 128}}
 *     compare: {metric: logit_max_abs, op: ">", other: {scheme: sinusoidal}, factor: 10}
 *
 * where     selects rows. Keys are results.csv columns; a value is a scalar,
 *           a list of scalars (any of them), or {min: A, max: B} (inclusive,
 *           either may be left out; numeric columns). A scalar matches a
 *           field numerically when both are numbers ("8" matches 8.0), and
 *           otherwise as a shell glob ("skipped*"). No where: every row.
 * expect    "METRIC OP NUMBER", OP one of < <= > >= == !=. Every selected
 *           row must satisfy it; an undefined (empty) value fails.
 * trend     {metric, over, direction: increasing|decreasing, min_ratio,
 *           max_ratio, min_power, max_power, tolerance}. Rows are grouped by
 *           every identity column but `over`; in each group, values sorted by
 *           `over` must move in `direction` at every step (a step may go back
 *           by at most tolerance x |previous value|; default 0), and the
 *           group's ratio r — last/first when increasing, first/last when
 *           decreasing — must be >= min_ratio and <= max_ratio. The power is
 *           the log-log slope between the group's ends, log r / log(x_last /
 *           x_first): min_power 1 says "grows (or falls) at least as fast as
 *           over^1", whatever the range of the sweep. Each bound is optional.
 *           Each group needs at least two values of `over`.
 * compare   {metric, op, other, factor, rtol, atol}. For every selected row
 *           a, its partner b is the row whose identity columns equal a's
 *           except those `other` sets (any identity column: scheme, dtype,
 *           seq_len, ...). Holds when a OP factor x b for every pair (factor
 *           defaults to 1); op "~=" means |a - factor x b| <= rtol x
 *           |factor x b| + atol, and op "!~=" its negation: a differs from
 *           factor x b by more than that (rtol, atol default 0; only with
 *           these two ops).
 *
 * Status: when `where` does not name the status column, a selected row (or
 * a compare partner) whose status is not "ok" makes the claim fail with the
 * reason; name status in where (e.g. status: "skipped*") to claim things
 * about such rows. A claim that selects no row fails.
 *
 * The file is parsed with libyaml; every error is "FILE:LINE:COL: message"
 * (PELAB_STATUS_CONFIG, exit 2): unknown keys and column names with the
 * nearest known name, bad operators and numbers, missing or doubled checks.
 * Column names are checked against the columns of the results the claims
 * are about (pelab check, pelab report), or, without results, against the
 * probe results.csv header of this build.
 *
 * Identity and metric columns follow the one rule of every results.csv
 * (pelab_results_layout, pelab/io/table.h): the identity columns are those
 * before `width` (probe: scheme, seq_len, d_model, heads, mask, projection,
 * dtype, sentence; train: the config's key columns and eval_len), the
 * metrics those after `status`; width and trials are numbers a claim may
 * test too. So a training sweep's claims read like a probe's:
 *
 *   - claim: every scheme learns majority at the training length
 *     where: {eval_len: 16}
 *     expect: eval_acc >= 0.95
 *
 *   - claim: accuracy falls off beyond the training lengths
 *     where: {scheme: sinusoidal}
 *     trend: {metric: eval_acc, over: eval_len, direction: decreasing}
 *
 *   - claim: rope beats no encoding at every length
 *     where: {scheme: rope}
 *     compare: {metric: eval_acc, op: ">=", other: {scheme: none}} */
#ifndef PELAB_CLAIMS_H
#define PELAB_CLAIMS_H

#include <stddef.h>

#include "pelab/base/status.h"
#include "pelab/io/table.h"

#define PELAB_CLAIMS_MAX_BYTES (1 << 20) /* claims file size                    */
#define PELAB_CLAIMS_MAX_NODES 100000    /* YAML nodes                          */
#define PELAB_CLAIMS_MAX_DEPTH 16        /* nesting of mappings and sequences   */
#define PELAB_CLAIM_NAME_MAX 64          /* a column name                       */

typedef enum pelab_claim_kind {
    PELAB_CLAIM_EXPECT = 0,
    PELAB_CLAIM_TREND,
    PELAB_CLAIM_COMPARE
} pelab_claim_kind;

typedef enum pelab_claim_op {
    PELAB_OP_LT = 0,
    PELAB_OP_LE,
    PELAB_OP_GT,
    PELAB_OP_GE,
    PELAB_OP_EQ,
    PELAB_OP_NE,
    PELAB_OP_APPROX,     /* "~=", compare only  */
    PELAB_OP_NOT_APPROX, /* "!~=", compare only */
    PELAB_OP_COUNT
} pelab_claim_op;

/* "<", "<=", ">", ">=", "==", "!=", "~=", "!~=". */
const char *pelab_claim_op_str(pelab_claim_op op);

/* One key of `where`: the column and the values it accepts. */
typedef struct pelab_claim_filter {
    char column[PELAB_CLAIM_NAME_MAX];
    int n_values;
    char **values;       /* scalars as written                              */
    int is_range;        /* {min, max} instead of values                    */
    double min, max;     /* -inf / +inf when left out                       */
} pelab_claim_filter;

/* One substitution of compare's `other`. */
typedef struct pelab_claim_subst {
    char column[PELAB_CLAIM_NAME_MAX];
    char *value;
} pelab_claim_subst;

typedef struct pelab_claim {
    char *text;                  /* the claim's sentence                        */
    int line, col;               /* where the item starts in the file           */
    pelab_claim_kind kind;
    int n_where;
    pelab_claim_filter *where;
    int where_status;            /* where names the status column               */
    char metric[PELAB_CLAIM_NAME_MAX];
    pelab_claim_op op;           /* expect and compare                          */
    double value;                /* expect: the number                          */
    /* trend */
    char over[PELAB_CLAIM_NAME_MAX];
    int direction;               /* +1 increasing, -1 decreasing                */
    double min_ratio, max_ratio; /* NaN when not given                          */
    double min_power, max_power; /* NaN when not given                          */
    double tolerance;            /* default 0                                   */
    /* compare */
    int n_other;
    pelab_claim_subst *other;
    double factor;               /* default 1                                   */
    double rtol, atol;           /* default 0                                   */
} pelab_claim;

typedef struct pelab_claims {
    char path[4096];
    int n;
    pelab_claim *items;
} pelab_claims;

/* Load and validate the claims file at path into *cs (free with
 * pelab_claims_free). On failure *cs is left empty and err is
 * "PATH:LINE:COL: message" (PELAB_STATUS_CONFIG), or "PATH: reason" when the
 * file cannot be read (also PELAB_STATUS_CONFIG). */
pelab_status pelab_claims_load(pelab_claims *cs, const char *path, pelab_error *err);

/* The same from len bytes of text; display_path names it in messages. */
pelab_status pelab_claims_load_buffer(pelab_claims *cs, const char *text, size_t len,
                                      const char *display_path, pelab_error *err);

/* The same, the column names checked against the header of results (a
 * results table of any kind: probe or train); results NULL: this build's
 * probe header, as above. */
pelab_status pelab_claims_load_for(pelab_claims *cs, const char *path, const pelab_table *results,
                                   pelab_error *err);
pelab_status pelab_claims_load_buffer_for(pelab_claims *cs, const char *text, size_t len, const char *display_path,
                                          const pelab_table *results, pelab_error *err);

/* Release what *cs owns and leave it zeroed. */
void pelab_claims_free(pelab_claims *cs);

/* What evaluating one claim found. */
typedef struct pelab_claim_verdict {
    int holds;          /* 1 holds, 0 fails                                    */
    size_t rows;        /* rows the claim selected                             */
    char detail[1024];  /* the numbers that decided it, one line               */
} pelab_claim_verdict;

/* Evaluate claim c against results table t into *v; the identity columns
 * are t's own (pelab_table_layout). Never fails: a column the table lacks,
 * an `over` or `other` that is not one of t's identity columns, a missing
 * partner row or an unreadable number is a failing verdict whose detail
 * says so. */
void pelab_claim_eval(pelab_claim_verdict *v, const pelab_claim *c, const pelab_table *t);

/* A claims file checked against a results file: what `pelab check` and
 * `pelab report` print. */
typedef struct pelab_check {
    char claims_path[4200];        /* the claims file read                       */
    char results_path[4200];       /* the results.csv read                       */
    pelab_claims claims;
    pelab_table table;
    pelab_claim_verdict *verdicts; /* one per claim, in file order               */
    int n_hold, n_fail;
} pelab_check;

/* Load the claims of `experiment` (a folder: its claims.yaml; or a claims
 * file) and the results of `results` (a folder: its results.csv; or a CSV
 * file), and evaluate every claim. Errors: the claims file's as
 * pelab_claims_load (CONFIG; said first, also when the results cannot be
 * read), the results' as pelab_table_read (IO or RUN).
 * On failure *ck is left empty (safe to free). */
pelab_status pelab_check_run(pelab_check *ck, const char *experiment, const char *results, pelab_error *err);

/* Release what *ck owns and leave it zeroed. */
void pelab_check_free(pelab_check *ck);

#endif /* PELAB_CLAIMS_H */
