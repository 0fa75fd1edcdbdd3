/* claims.c — see pelab/study/claims.h
 *
 * Loading: libyaml events -> a small tree of nodes (no anchors or aliases,
 * one document, depth and node limits), then a schema walk that fills
 * pelab_claims and refuses the first problem with "FILE:LINE:COL: message".
 * Evaluating: select rows, then one function per kind of check; each writes
 * the numbers that decided the verdict. */
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "pelab/study/claims.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pelab/base/mem.h"
#include "pelab/base/numtext.h"
#include "pelab/base/suggest.h"
#include "pelab/lab/results.h"
#include "pelab/yaml/yaml.h"

#if defined(__GNUC__)
#define CL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CL_PRINTF(a, b)
#endif

static const char *const g_op_names[PELAB_OP_COUNT] = {"<", "<=", ">", ">=", "==", "!=", "~=", "!~="};

const char *pelab_claim_op_str(pelab_claim_op op) {
    return (unsigned)op < PELAB_OP_COUNT ? g_op_names[op] : "?";
}


/* ---- the columns a claims file is checked against ----------------------------- */

/* The columns of a results header and what each is, by the one rule of
 * pelab_results_layout (io/table.h): the identity columns are those before
 * `width`, status is not a number, every other column is. */
typedef struct columns {
    char *buf;          /* the header text, when it is this build's probe header  */
    const char **name;
    int n;
    int n_id;           /* name[0 .. n_id - 1] are the identity columns            */
    int status;         /* index of status, or -1                                  */
} columns;

/* The probe results header this build writes. */
static int probe_header(columns *c) {
    enum { CAP = 16384 };
    c->buf = pelab_xmalloc(CAP);
    int len = pelab_results_header(c->buf, CAP);
    PELAB_ASSERT(len > 0);
    int n = 1;
    for (const char *p = c->buf; *p; p++) n += *p == ',';
    c->name = pelab_xcalloc((size_t)n + 1, sizeof *c->name);
    c->n = 0;
    for (char *s = c->buf;;) {
        char *e = s + strcspn(s, ",\n");
        int last = *e != ',';
        *e = '\0';
        c->name[c->n++] = s;
        if (last) break;
        s = e + 1;
    }
    return c->n;
}

/* Fill *c with the columns of the probe results header of this build. */
static void columns_init(columns *c) {
    memset(c, 0, sizeof *c);
    probe_header(c);
    pelab_results_layout l = pelab_results_layout_of(c->name, c->n);
    c->n_id = l.n_id, c->status = l.status;
    PELAB_ASSERT(c->n_id == PELAB_RESULTS_ID_COLUMNS && c->n > c->n_id);
}

/* Fill *c with the columns of results table t. A probe table (its identity
 * columns are those of this build) also gets the probe metrics it lacks:
 * a claim on a metric newer than the results is then a failing verdict
 * ("has no column"), not an invalid claims file. */
static void columns_of_table(columns *c, const pelab_table *t) {
    memset(c, 0, sizeof *c);
    columns probe;
    columns_init(&probe);
    pelab_results_layout l = pelab_table_layout(t);
    int is_probe = l.n_id == probe.n_id;
    for (int i = 0; i < l.n_id && is_probe; i++) is_probe = strcmp(t->cols[i], probe.name[i]) == 0;
    c->name = pelab_xcalloc((size_t)t->n_cols + (size_t)probe.n + 1, sizeof *c->name);
    for (int i = 0; i < t->n_cols; i++) c->name[c->n++] = t->cols[i];
    if (is_probe) {
        c->buf = probe.buf, probe.buf = NULL; /* the names below point into it */
        for (int i = probe.n_id; i < probe.n; i++)
            if (pelab_table_col(t, probe.name[i]) < 0) c->name[c->n++] = probe.name[i];
    }
    c->n_id = l.n_id, c->status = l.status;
    free(probe.buf);
    free(probe.name);
}

static void columns_free(columns *c) {
    free(c->buf);
    free(c->name);
    memset(c, 0, sizeof *c);
}

/* Index of name among the columns, or -1. */
static int columns_find(const columns *c, const char *name) {
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0) return i;
    return -1;
}

/* "scheme, seq_len, ..." : the n identity column names, into buf. */
static const char *id_list(char *buf, size_t cap, const char *const *names, int n) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o < cap; i++) o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", names[i]);
    if (!n) snprintf(buf, cap, "none: the header has neither width nor status");
    return buf;
}

/* ---- the schema walk's state ------------------------------------------------------ */

typedef pelab_yaml_node node;

typedef struct ctx {
    pelab_yaml_doc y;
    columns cols;
} ctx;

/* Quote s for a message, cut to 60 bytes. */
static const char *q60(char *buf, size_t cap, const char *s) {
    snprintf(buf, cap, "%.60s%s", s, strlen(s) > 60 ? "..." : "");
    return buf;
}

/* Check that name is a results.csv column (fail at line:col with the
 * nearest name otherwise); when numeric, refuse the identity columns and
 * status, which are not metrics. */
static int check_column(ctx *c, int line, int col, const char *name, const char *what, int numeric) {
    char q[80], sug[128];
    int i = columns_find(&c->cols, name);
    if (i < 0) {
        pelab_suggest(sug, sizeof sug, name, c->cols.name, c->cols.n);
        return pelab_yaml_fail_pos(&c->y, line, col, "%s: unknown column '%s'%s", what, q60(q, sizeof q, name),
                        sug[0] ? sug : "; the columns are those of results.csv (pelab metrics lists the metrics)");
    }
    if (numeric && (i < c->cols.n_id || i == c->cols.status))
        return pelab_yaml_fail_pos(&c->y, line, col, "%s: '%s' is not a metric column%s", what, name,
                        i < c->cols.n_id ? " (it is an identity column)" : "");
    return 0;
}

/* Copy a column name of at most PELAB_CLAIM_NAME_MAX - 1 bytes. */
static void copy_name(char *dst, const char *src) {
    snprintf(dst, PELAB_CLAIM_NAME_MAX, "%s", src);
}

/* ---- the claim's parts ------------------------------------------------------------ */

/* where: {column: scalar | [scalars] | {min, max}}. */
static int parse_where(ctx *c, pelab_claim *cl, const node *w) {
    if (w->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, w, "a mapping of column: value(s)", "where");
    cl->n_where = w->n / 2;
    cl->where = pelab_xcalloc((size_t)cl->n_where + 1, sizeof *cl->where);
    for (int i = 0; i < cl->n_where; i++) {
        const node *k = w->kids[2 * i], *v = w->kids[2 * i + 1];
        pelab_claim_filter *f = &cl->where[i];
        if (check_column(c, k->line, k->col, k->text, "where", 0)) return -1;
        copy_name(f->column, k->text);
        if (strcmp(k->text, "status") == 0) cl->where_status = 1;
        if (v->kind == PELAB_YAML_KIND_MAP) {
            static const char *const keys[] = {"min", "max"};
            if (pelab_yaml_check_keys(&c->y, v, keys, 2, " in a where range")) return -1;
            if (v->n == 0) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "a where range wants min, max or both");
            f->is_range = 1, f->min = -INFINITY, f->max = INFINITY;
            const node *x;
            if ((x = pelab_yaml_map_get(v, "min", NULL)) && pelab_yaml_get_real(&c->y, x, "min", &f->min)) return -1;
            if ((x = pelab_yaml_map_get(v, "max", NULL)) && pelab_yaml_get_real(&c->y, x, "max", &f->max)) return -1;
            if (f->min > f->max) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "min %g is above max %g", f->min, f->max);
        } else if (v->kind == PELAB_YAML_KIND_SEQ) {
            if (v->n == 0) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "an empty list selects no row");
            f->values = pelab_xcalloc((size_t)v->n, sizeof *f->values);
            for (int j = 0; j < v->n; j++) {
                const char *s = NULL;
                if (pelab_yaml_get_scalar(&c->y, v->kids[j], "a where list item", &s)) return -1;
                f->values[f->n_values++] = pelab_xstrdup(s);
            }
        } else {
            f->values = pelab_xcalloc(1, sizeof *f->values);
            f->values[f->n_values++] = pelab_xstrdup(v->text);
        }
    }
    return 0;
}

/* The operator at the start of s, its length in *len; -1 when none. */
static int parse_op(const char *s, size_t *len) {
    static const char *const ops[] = {"!~=", "<=", ">=", "==", "!=", "~=", "<", ">"};
    static const pelab_claim_op ids[] = {PELAB_OP_NOT_APPROX, PELAB_OP_LE, PELAB_OP_GE, PELAB_OP_EQ,
                                         PELAB_OP_NE,         PELAB_OP_APPROX, PELAB_OP_LT, PELAB_OP_GT};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (strncmp(s, ops[i], strlen(ops[i])) == 0) {
            *len = strlen(ops[i]);
            return (int)ids[i];
        }
    return -1;
}

/* expect: "METRIC OP NUMBER". Errors point into the string when it is
 * written plain on one line. */
static int parse_expect(ctx *c, pelab_claim *cl, const node *e) {
    const char *s = NULL;
    char q[80];
    if (pelab_yaml_get_scalar(&c->y, e, "expect", &s)) return -1;
    int off = e->quoted ? 1 : 0; /* a quote before the text */
#define AT(p) e->line, e->col + off + (int)((p) - s)
    const char *p = s;
    while (*p == ' ') p++;
    const char *m0 = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    if (p == m0)
        return pelab_yaml_fail_pos(&c->y, AT(m0), "expect wants 'METRIC OP NUMBER' (e.g. 'order_token_dist < 1e-5'), not '%s'",
                        q60(q, sizeof q, s));
    char name[PELAB_CLAIM_NAME_MAX];
    snprintf(name, sizeof name, "%.*s", (int)(p - m0 < 63 ? p - m0 : 63), m0);
    if (check_column(c, AT(m0), name, "expect", 1)) return -1;
    copy_name(cl->metric, name);
    while (*p == ' ') p++;
    size_t oplen = 0;
    int op = parse_op(p, &oplen);
    if (op < 0 || op == PELAB_OP_APPROX || op == PELAB_OP_NOT_APPROX)
        return pelab_yaml_fail_pos(&c->y, AT(p), "expect: bad operator '%.2s'; one of < <= > >= == !=", *p ? p : "(none)");
    cl->op = (pelab_claim_op)op;
    p += oplen;
    while (*p == ' ') p++;
    const char *n0 = p;
    if (!pelab_parse_double(p, &cl->value) || isnan(cl->value)) {
        /* strtod stops at the first character it cannot use: point there */
        char *end = NULL;
        (void)strtod(p, &end);
        const char *bad = end && end != p ? end : n0;
        return pelab_yaml_fail_pos(&c->y, AT(bad), "expect: '%s' is not a number", q60(q, sizeof q, n0));
    }
#undef AT
    return 0;
}

/* trend: {metric, over, direction, min_ratio, max_ratio, tolerance}. */
static int parse_trend(ctx *c, pelab_claim *cl, const node *t) {
    static const char *const keys[] = {"metric",    "over",      "direction", "min_ratio",
                                       "max_ratio", "min_power", "max_power", "tolerance"};
    node *v, *k;
    const char *s = NULL;
    char q[80];
    if (t->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, t, "a mapping", "trend");
    if (pelab_yaml_check_keys(&c->y, t, keys, (int)(sizeof keys / sizeof *keys), " in trend")) return -1;
    if (!(v = pelab_yaml_map_get(t, "metric", NULL))) return pelab_yaml_fail_pos(&c->y, t->line, t->col, "trend needs metric");
    if (pelab_yaml_get_scalar(&c->y, v, "metric", &s) || check_column(c, v->line, v->col, s, "trend metric", 1)) return -1;
    copy_name(cl->metric, s);
    if (!(v = pelab_yaml_map_get(t, "over", NULL))) return pelab_yaml_fail_pos(&c->y, t->line, t->col, "trend needs over (e.g. over: seq_len)");
    if (pelab_yaml_get_scalar(&c->y, v, "over", &s) || check_column(c, v->line, v->col, s, "trend over", 0)) return -1;
    if (columns_find(&c->cols, s) >= c->cols.n_id) {
        char ids[600];
        return pelab_yaml_fail_pos(&c->y, v->line, v->col, "trend over wants an identity column (%s), not '%s'",
                        id_list(ids, sizeof ids, c->cols.name, c->cols.n_id), q60(q, sizeof q, s));
    }
    copy_name(cl->over, s);
    if (!(v = pelab_yaml_map_get(t, "direction", NULL)))
        return pelab_yaml_fail_pos(&c->y, t->line, t->col, "trend needs direction: increasing or decreasing");
    if (pelab_yaml_get_scalar(&c->y, v, "direction", &s)) return -1;
    if (strcmp(s, "increasing") == 0)
        cl->direction = 1;
    else if (strcmp(s, "decreasing") == 0)
        cl->direction = -1;
    else {
        static const char *const dirs[] = {"increasing", "decreasing"};
        char sug[128];
        return pelab_yaml_fail_pos(&c->y, v->line, v->col, "direction: '%s' is not increasing or decreasing%s", q60(q, sizeof q, s),
                        pelab_suggest(sug, sizeof sug, s, dirs, 2));
    }
    cl->min_ratio = cl->max_ratio = NAN;
    if ((v = pelab_yaml_map_get(t, "min_ratio", &k)) && pelab_yaml_get_real(&c->y, v, "min_ratio", &cl->min_ratio)) return -1;
    if ((v = pelab_yaml_map_get(t, "max_ratio", &k)) && pelab_yaml_get_real(&c->y, v, "max_ratio", &cl->max_ratio)) return -1;
    cl->min_power = cl->max_power = NAN;
    if ((v = pelab_yaml_map_get(t, "min_power", &k)) && pelab_yaml_get_real(&c->y, v, "min_power", &cl->min_power)) return -1;
    if ((v = pelab_yaml_map_get(t, "max_power", &k)) && pelab_yaml_get_real(&c->y, v, "max_power", &cl->max_power)) return -1;
    if (!isnan(cl->min_power) && !isnan(cl->max_power) && cl->min_power > cl->max_power)
        return pelab_yaml_fail_pos(&c->y, t->line, t->col, "min_power %g is above max_power %g", cl->min_power, cl->max_power);
    if ((v = pelab_yaml_map_get(t, "tolerance", &k))) {
        if (pelab_yaml_get_real(&c->y, v, "tolerance", &cl->tolerance)) return -1;
        if (cl->tolerance < 0) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "tolerance wants a number >= 0");
    }
    if (!isnan(cl->min_ratio) && !isnan(cl->max_ratio) && cl->min_ratio > cl->max_ratio)
        return pelab_yaml_fail_pos(&c->y, t->line, t->col, "min_ratio %g is above max_ratio %g", cl->min_ratio, cl->max_ratio);
    return 0;
}

/* compare: {metric, op, other, factor, rtol, atol}. */
static int parse_compare(ctx *c, pelab_claim *cl, const node *t) {
    static const char *const keys[] = {"metric", "op", "other", "factor", "rtol", "atol"};
    node *v, *k;
    const char *s = NULL;
    char q[80];
    if (t->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(&c->y, t, "a mapping", "compare");
    if (pelab_yaml_check_keys(&c->y, t, keys, (int)(sizeof keys / sizeof *keys), " in compare")) return -1;
    if (!(v = pelab_yaml_map_get(t, "metric", NULL))) return pelab_yaml_fail_pos(&c->y, t->line, t->col, "compare needs metric");
    if (pelab_yaml_get_scalar(&c->y, v, "metric", &s) || check_column(c, v->line, v->col, s, "compare metric", 1)) return -1;
    copy_name(cl->metric, s);
    if (!(v = pelab_yaml_map_get(t, "op", NULL))) return pelab_yaml_fail_pos(&c->y, t->line, t->col, "compare needs op");
    if (pelab_yaml_get_scalar(&c->y, v, "op", &s)) return -1;
    size_t len = 0;
    int op = parse_op(s, &len);
    if (op < 0 || s[len])
        return pelab_yaml_fail_pos(&c->y, v->line, v->col, "op: bad operator '%s'; one of < <= > >= == != ~= !~=", q60(q, sizeof q, s));
    cl->op = (pelab_claim_op)op;
    if (!(v = pelab_yaml_map_get(t, "other", &k)))
        return pelab_yaml_fail_pos(&c->y, t->line, t->col, "compare needs other: the identity columns that name the partner row");
    if (v->kind != PELAB_YAML_KIND_MAP || v->n == 0)
        return pelab_yaml_fail_pos(&c->y, v->line, v->col, "other wants a mapping of identity column: value (e.g. {scheme: sinusoidal})");
    cl->n_other = v->n / 2;
    cl->other = pelab_xcalloc((size_t)cl->n_other, sizeof *cl->other);
    for (int i = 0; i < cl->n_other; i++) {
        const node *ok = v->kids[2 * i], *ov = v->kids[2 * i + 1];
        if (check_column(c, ok->line, ok->col, ok->text, "other", 0)) return -1;
        if (columns_find(&c->cols, ok->text) >= c->cols.n_id) {
            char ids[600];
            return pelab_yaml_fail_pos(&c->y, ok->line, ok->col, "other: '%s' is not an identity column (%s)",
                            q60(q, sizeof q, ok->text), id_list(ids, sizeof ids, c->cols.name, c->cols.n_id));
        }
        if (pelab_yaml_get_scalar(&c->y, ov, "a value of other", &s)) return -1;
        copy_name(cl->other[i].column, ok->text);
        cl->other[i].value = pelab_xstrdup(s);
    }
    cl->factor = 1;
    if ((v = pelab_yaml_map_get(t, "factor", NULL)) && pelab_yaml_get_real(&c->y, v, "factor", &cl->factor)) return -1;
    int has_tol = 0, tolerant = cl->op == PELAB_OP_APPROX || cl->op == PELAB_OP_NOT_APPROX;
    if ((v = pelab_yaml_map_get(t, "rtol", &k))) {
        if (pelab_yaml_get_real(&c->y, v, "rtol", &cl->rtol)) return -1;
        if (cl->rtol < 0) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "rtol wants a number >= 0");
        if (!tolerant) return pelab_yaml_fail_pos(&c->y, k->line, k->col, "rtol goes with op \"~=\" or \"!~=\" only");
        has_tol = 1;
    }
    if ((v = pelab_yaml_map_get(t, "atol", &k))) {
        if (pelab_yaml_get_real(&c->y, v, "atol", &cl->atol)) return -1;
        if (cl->atol < 0) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "atol wants a number >= 0");
        if (!tolerant) return pelab_yaml_fail_pos(&c->y, k->line, k->col, "atol goes with op \"~=\" or \"!~=\" only");
        has_tol = 1;
    }
    if (tolerant && !has_tol)
        return pelab_yaml_fail_pos(&c->y, t->line, t->col, "op \"%s\" needs rtol, atol or both", pelab_claim_op_str(cl->op));
    return 0;
}

/* One item of the list: a claim. */
static int parse_claim(ctx *c, pelab_claim *cl, const node *m) {
    static const char *const keys[] = {"claim", "where", "expect", "trend", "compare"};
    node *v, *k;
    const char *s = NULL;
    cl->line = m->line, cl->col = m->col;
    cl->min_ratio = cl->max_ratio = cl->min_power = cl->max_power = NAN;
    cl->factor = 1;
    if (m->kind != PELAB_YAML_KIND_MAP)
        return pelab_yaml_fail_type(&c->y, m, "a mapping with claim: and one of expect, trend, compare", "a claim");
    if (pelab_yaml_check_keys(&c->y, m, keys, (int)(sizeof keys / sizeof *keys), " in a claim")) return -1;
    if (!(v = pelab_yaml_map_get(m, "claim", NULL))) return pelab_yaml_fail_pos(&c->y, m->line, m->col, "a claim needs claim: the sentence it states");
    if (pelab_yaml_get_scalar(&c->y, v, "claim", &s)) return -1;
    if (!s[0]) return pelab_yaml_fail_pos(&c->y, v->line, v->col, "claim: the sentence is empty");
    cl->text = pelab_xstrdup(s);
    for (char *p = cl->text; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t') *p = ' ';
    if ((v = pelab_yaml_map_get(m, "where", NULL)) && parse_where(c, cl, v)) return -1;
    const char *checks[] = {"expect", "trend", "compare"};
    node *found = NULL, *found_key = NULL;
    for (int i = 0; i < 3; i++) {
        if (!(v = pelab_yaml_map_get(m, checks[i], &k))) continue;
        if (found)
            return pelab_yaml_fail_pos(&c->y, k->line, k->col, "a claim has one check: '%s' and '%s' are both here", found_key->text, k->text);
        found = v, found_key = k;
        cl->kind = (pelab_claim_kind)i;
    }
    if (!found) return pelab_yaml_fail_pos(&c->y, m->line, m->col, "claim '%.60s' needs a check: expect, trend or compare", cl->text);
    switch (cl->kind) {
    case PELAB_CLAIM_EXPECT: return parse_expect(c, cl, found);
    case PELAB_CLAIM_TREND: return parse_trend(c, cl, found);
    case PELAB_CLAIM_COMPARE: return parse_compare(c, cl, found);
    }
    return 0;
}

/* Free what one claim owns. */
static void claim_free(pelab_claim *cl) {
    free(cl->text);
    for (int i = 0; i < cl->n_where; i++) {
        for (int j = 0; j < cl->where[i].n_values; j++) free(cl->where[i].values[j]);
        free(cl->where[i].values);
    }
    free(cl->where);
    for (int i = 0; i < cl->n_other; i++) free(cl->other[i].value);
    free(cl->other);
}

void pelab_claims_free(pelab_claims *cs) {
    if (!cs) return;
    for (int i = 0; i < cs->n; i++) claim_free(&cs->items[i]);
    free(cs->items);
    memset(cs, 0, sizeof *cs);
}

static const pelab_yaml_limits g_limits = {PELAB_CLAIMS_MAX_BYTES, PELAB_CLAIMS_MAX_DEPTH, PELAB_CLAIMS_MAX_NODES};

/* The schema walk of a parsed file (c->y), then the tree freed. */
static pelab_status load_doc(pelab_claims *cs, ctx *c, int parsed) {
    int rc = parsed;
    node *root = c->y.root;
    if (rc == 0 && !root) rc = pelab_yaml_fail_pos(&c->y, 1, 1, "no claims: the file should be a list of claims");
    if (rc == 0 && root->kind != PELAB_YAML_KIND_SEQ)
        rc = pelab_yaml_fail_type(&c->y, root, "a list of claims (- claim: ...)", "the file: the file should be a list of claims");
    if (rc == 0 && root->n == 0) rc = pelab_yaml_fail(&c->y, root, "no claims: the list is empty");
    if (rc == 0) {
        snprintf(cs->path, sizeof cs->path, "%s", c->y.display);
        cs->items = pelab_xcalloc((size_t)root->n, sizeof *cs->items);
        for (int i = 0; i < root->n && rc == 0; i++) {
            cs->n = i + 1;
            rc = parse_claim(c, &cs->items[i], root->kids[i]);
        }
    }
    pelab_yaml_free(&c->y);
    if (rc) {
        pelab_claims_free(cs);
        return PELAB_STATUS_CONFIG;
    }
    return PELAB_STATUS_OK;
}

/* The columns claims are checked against: those of results, or this
 * build's probe header when results is NULL. */
static void ctx_init(ctx *c, const pelab_table *results) {
    memset(c, 0, sizeof *c);
    if (results)
        columns_of_table(&c->cols, results);
    else
        columns_init(&c->cols);
}

pelab_status pelab_claims_load_buffer_for(pelab_claims *cs, const char *text, size_t len, const char *display_path,
                                          const pelab_table *results, pelab_error *err) {
    ctx c;
    memset(cs, 0, sizeof *cs);
    ctx_init(&c, results);
    pelab_status s =
        load_doc(cs, &c, pelab_yaml_parse(&c.y, text, len, display_path ? display_path : "claims", &g_limits, err));
    columns_free(&c.cols);
    return s;
}

pelab_status pelab_claims_load_for(pelab_claims *cs, const char *path, const pelab_table *results, pelab_error *err) {
    ctx c;
    memset(cs, 0, sizeof *cs);
    ctx_init(&c, results);
    pelab_status s = load_doc(cs, &c, pelab_yaml_load_file(&c.y, path, "claims file", &g_limits, err));
    columns_free(&c.cols);
    return s;
}

pelab_status pelab_claims_load_buffer(pelab_claims *cs, const char *text, size_t len, const char *display_path,
                                      pelab_error *err) {
    return pelab_claims_load_buffer_for(cs, text, len, display_path, NULL, err);
}

pelab_status pelab_claims_load(pelab_claims *cs, const char *path, pelab_error *err) {
    return pelab_claims_load_for(cs, path, NULL, err);
}

/* ---- evaluation ------------------------------------------------------------------ */

/* printf into v->detail. */
static void say(pelab_claim_verdict *v, int holds, const char *fmt, ...) CL_PRINTF(3, 4);
static void say(pelab_claim_verdict *v, int holds, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
    v->holds = holds;
}

/* Whether field s is accepted by filter value pattern. */
static int value_matches(const char *pattern, const char *s) {
    double a, b;
    if (pelab_parse_double(pattern, &a) && pelab_parse_double(s, &b)) return a == b;
    return fnmatch(pattern, s, 0) == 0;
}

/* Whether row r passes filter f (whose column is col in t). */
static int filter_matches(const pelab_claim_filter *f, const pelab_table *t, size_t r, int col) {
    const char *s = pelab_table_get(t, r, col);
    if (f->is_range) {
        double x;
        return pelab_parse_double(s, &x) && x >= f->min && x <= f->max;
    }
    for (int i = 0; i < f->n_values; i++)
        if (value_matches(f->values[i], s)) return 1;
    return 0;
}

/* Describe filter f as "col=a|b" or "col in [min, max]". */
static void filter_str(char *buf, size_t cap, const pelab_claim_filter *f) {
    if (f->is_range) {
        snprintf(buf, cap, "%s in [%g, %g]", f->column, f->min, f->max);
        return;
    }
    size_t o = (size_t)snprintf(buf, cap, "%s=", f->column);
    for (int i = 0; i < f->n_values && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? "|" : "", f->values[i]);
}

/* Everything evaluation needs about the table's columns. */
typedef struct evalctx {
    const pelab_claim *cl;
    const pelab_table *t;
    int n_id;            /* t's identity columns are 0 .. n_id - 1 (its layout) */
    int metric, status;
} evalctx;

/* "scheme=index seq_len=8 ..." for row r: its identity columns (empty
 * fields left out), leaving out column `skip` (-1 for none). */
static const char *row_str(char *buf, size_t cap, const evalctx *e, size_t r, int skip) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->n_id && o < cap; i++) {
        if (i == skip) continue;
        const char *s = pelab_table_get(e->t, r, i);
        if (!s[0]) continue;
        o += (size_t)snprintf(buf + o, cap - o, "%s%s=%s", o ? " " : "", e->t->cols[i], s);
    }
    return buf;
}

/* Compare a and b with op (APPROX is handled by the caller). */
static int op_holds(pelab_claim_op op, double a, double b) {
    switch (op) {
    case PELAB_OP_LT: return a < b;
    case PELAB_OP_LE: return a <= b;
    case PELAB_OP_GT: return a > b;
    case PELAB_OP_GE: return a >= b;
    case PELAB_OP_EQ: return a == b;
    case PELAB_OP_NE: return a != b;
    default: return 0;
    }
}

/* How close a OP b is to failing: larger is closer (worse). For < and <=,
 * a - b; for > and >=, b - a; for ==, |a - b|; for !=, -|a - b|. */
static double closeness(pelab_claim_op op, double a, double b) {
    switch (op) {
    case PELAB_OP_LT:
    case PELAB_OP_LE: return a - b;
    case PELAB_OP_GT:
    case PELAB_OP_GE: return b - a;
    case PELAB_OP_EQ: return fabs(a - b);
    default: return -fabs(a - b);
    }
}

/* Read the metric of row r into *x; 0 when it is a number, otherwise 1 and
 * a failing verdict that names the row. */
static int row_value(pelab_claim_verdict *v, const evalctx *e, size_t r, double *x) {
    pelab_table_num k = pelab_table_number(e->t, r, e->metric, x);
    if (k == PELAB_TABLE_NUM_OK) return 0;
    char id[512];
    if (k == PELAB_TABLE_NUM_EMPTY)
        say(v, 0, "%s is undefined (empty) at %s", e->cl->metric, row_str(id, sizeof id, e, r, -1));
    else
        say(v, 0, "%s is not a number ('%.40s') at %s", e->cl->metric, pelab_table_get(e->t, r, e->metric),
            row_str(id, sizeof id, e, r, -1));
    return 1;
}

/* Check that row r's status is ok unless the claim selects status; 0 when
 * fine, else 1 with a failing verdict (what: "row" or "partner row"). */
static int row_status_ok(pelab_claim_verdict *v, const evalctx *e, size_t r, const char *what) {
    if (e->cl->where_status || e->status < 0) return 0;
    const char *s = pelab_table_get(e->t, r, e->status);
    if (strcmp(s, "ok") == 0) return 0;
    char id[512];
    say(v, 0, "%s %s has status '%.200s' (name status in where to claim things about such rows)", what,
        row_str(id, sizeof id, e, r, -1), s);
    return 1;
}

/* expect: every selected row satisfies METRIC OP NUMBER. */
static void eval_expect(pelab_claim_verdict *v, const evalctx *e, const size_t *rows, size_t n) {
    const pelab_claim *cl = e->cl;
    size_t worst = rows[0], fails = 0, worst_fail = 0;
    double worst_c = -INFINITY, worst_fail_c = -INFINITY, wv = NAN, wfv = NAN;
    for (size_t i = 0; i < n; i++) {
        double x;
        if (row_value(v, e, rows[i], &x)) return;
        double cl_ = closeness(cl->op, x, cl->value);
        if (isnan(x)) cl_ = INFINITY;
        if (!op_holds(cl->op, x, cl->value)) {
            if (!fails || cl_ > worst_fail_c) worst_fail = rows[i], worst_fail_c = cl_, wfv = x;
            fails++;
        }
        if (i == 0 || cl_ > worst_c) worst = rows[i], worst_c = cl_, wv = x;
    }
    char id[512];
    if (fails)
        say(v, 0, "%zu of %zu rows fail; worst: %s = %.6g at %s (wants %s %g)", fails, n, cl->metric, wfv,
            row_str(id, sizeof id, e, worst_fail, -1), pelab_claim_op_str(cl->op), cl->value);
    else
        say(v, 1, "%zu rows; nearest to the bound: %s = %.6g %s %g at %s", n, cl->metric, wv,
            pelab_claim_op_str(cl->op), cl->value, row_str(id, sizeof id, e, worst, -1));
}

/* Identity key of row r with column `skip` left out (or substituted by
 * other's values when subst), into buf. */
static void row_key(char *buf, size_t cap, const evalctx *e, size_t r, int skip, int subst) {
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < e->n_id && o < cap; i++) {
        if (i == skip) continue;
        const char *s = pelab_table_get(e->t, r, i);
        if (subst)
            for (int k = 0; k < e->cl->n_other; k++)
                if (strcmp(e->cl->other[k].column, e->t->cols[i]) == 0) s = e->cl->other[k].value;
        o += (size_t)snprintf(buf + o, cap - o, "%s\x1f", s);
    }
}

/* A row and the number it sorts by. */
typedef struct keyed_row {
    char *key;
    double x;
    size_t row;
} keyed_row;

/* Order by key, then x. */
static int keyed_cmp(const void *a, const void *b) {
    const keyed_row *p = a, *q = b;
    int c = strcmp(p->key, q->key);
    if (c) return c;
    return (p->x > q->x) - (p->x < q->x);
}

/* trend: within each group, monotone in direction, and the ratio bounds. */
static void eval_trend(pelab_claim_verdict *v, const evalctx *e, const size_t *rows, size_t n) {
    const pelab_claim *cl = e->cl;
    int over = pelab_table_col(e->t, cl->over);
    char id[512], buf[1024];
    keyed_row *kr = pelab_xcalloc(n, sizeof *kr);
    for (size_t i = 0; i < n; i++) {
        kr[i].row = rows[i];
        if (!pelab_parse_double(pelab_table_get(e->t, rows[i], over), &kr[i].x)) {
            say(v, 0, "%s is not a number ('%.40s') at %s", cl->over, pelab_table_get(e->t, rows[i], over),
                row_str(id, sizeof id, e, rows[i], -1));
            goto out;
        }
        row_key(buf, sizeof buf, e, rows[i], over, 0);
        kr[i].key = pelab_xstrdup(buf);
    }
    qsort(kr, n, sizeof *kr, keyed_cmp);
    size_t groups = 0;
    double tight = INFINITY, tight_ratio = NAN, tight_power = NAN, lo_x = INFINITY, hi_x = -INFINITY;
    size_t tight_row = kr[0].row;
    const char *ratio_name = cl->direction > 0 ? "last/first" : "first/last";
    for (size_t g = 0; g < n;) {
        size_t h = g;
        while (h < n && strcmp(kr[h].key, kr[g].key) == 0) h++;
        groups++;
        if (h - g < 2) {
            say(v, 0, "only one value of %s (%g) at %s: a trend needs two or more", cl->over, kr[g].x,
                row_str(id, sizeof id, e, kr[g].row, over));
            goto out;
        }
        double first = 0, prev = 0, cur = 0;
        for (size_t k = g; k < h; k++) {
            if (row_value(v, e, kr[k].row, &cur)) goto out;
            if (k > g && kr[k].x == kr[k - 1].x) {
                say(v, 0, "two rows with %s = %g at %s: group rows by another column in where", cl->over, kr[k].x,
                    row_str(id, sizeof id, e, kr[k].row, over));
                goto out;
            }
            if (k == g) {
                first = cur;
            } else {
                double slack = cl->tolerance * fabs(prev);
                int ok = cl->direction > 0 ? cur >= prev - slack : cur <= prev + slack;
                if (!ok || isnan(cur)) {
                    say(v, 0, "not %s at %s: %s = %.6g at %s %g, then %.6g at %s %g%s",
                        cl->direction > 0 ? "increasing" : "decreasing", row_str(id, sizeof id, e, kr[k].row, over),
                        cl->metric, prev, cl->over, kr[k - 1].x, cur, cl->over, kr[k].x,
                        cl->tolerance > 0 ? " (beyond the tolerance)" : "");
                    goto out;
                }
            }
            prev = cur;
        }
        double num = cl->direction > 0 ? cur : first, den = cl->direction > 0 ? first : cur;
        double ratio = den != 0 ? num / den : (num > 0 ? INFINITY : num < 0 ? -INFINITY : NAN);
        double span = kr[h - 1].x / kr[g].x;
        double power = span > 1 && ratio > 0 ? log(ratio) / log(span) : NAN;
        if (kr[g].x < lo_x) lo_x = kr[g].x;
        if (kr[h - 1].x > hi_x) hi_x = kr[h - 1].x;
        char what[96] = "";
        if (!isnan(cl->min_ratio) && !(ratio >= cl->min_ratio))
            snprintf(what, sizeof what, "ratio %.4g < min_ratio %g", ratio, cl->min_ratio);
        else if (!isnan(cl->max_ratio) && !(ratio <= cl->max_ratio))
            snprintf(what, sizeof what, "ratio %.4g > max_ratio %g", ratio, cl->max_ratio);
        else if (!isnan(cl->min_power) && !(power >= cl->min_power))
            snprintf(what, sizeof what, "power %.3g < min_power %g", power, cl->min_power);
        else if (!isnan(cl->max_power) && !(power <= cl->max_power))
            snprintf(what, sizeof what, "power %.3g > max_power %g", power, cl->max_power);
        if (what[0]) {
            say(v, 0, "%s %s at %s (%s %.6g at %s %g, %.6g at %s %g: %s ratio %.4g, power %.3g)", ratio_name, what,
                row_str(id, sizeof id, e, kr[g].row, over), cl->metric, first, cl->over, kr[g].x, cur, cl->over,
                kr[h - 1].x, ratio_name, ratio, power);
            goto out;
        }
        /* the group nearest to failing: by power when a power bound is given */
        int by_power = !isnan(cl->min_power) || !isnan(cl->max_power);
        double key = by_power ? power : ratio;
        if (groups == 1 || key < tight) tight = key, tight_ratio = ratio, tight_power = power, tight_row = kr[g].row;
        g = h;
    }
    say(v, 1, "%zu group%s, %s %g..%g, each %s; smallest %s ratio %.4g (power %.3g) at %s", groups,
        groups == 1 ? "" : "s", cl->over, lo_x, hi_x, cl->direction > 0 ? "increasing" : "decreasing", ratio_name,
        tight_ratio, tight_power, row_str(id, sizeof id, e, tight_row, over));
out:
    for (size_t i = 0; i < n; i++) free(kr[i].key);
    free(kr);
}

/* compare: every selected row against its partner. */
static void eval_compare(pelab_claim_verdict *v, const evalctx *e, const size_t *rows, size_t n) {
    const pelab_claim *cl = e->cl;
    const pelab_table *t = e->t;
    char id[512], buf[1024], other[256];
    size_t o = 0;
    other[0] = '\0';
    for (int k = 0; k < cl->n_other && o < sizeof other; k++)
        o += (size_t)snprintf(other + o, sizeof other - o, "%s%s=%s", k ? " " : "", cl->other[k].column, cl->other[k].value);
    /* index every row by its identity key */
    keyed_row *all = pelab_xcalloc(t->n_rows ? t->n_rows : 1, sizeof *all);
    for (size_t r = 0; r < t->n_rows; r++) {
        row_key(buf, sizeof buf, e, r, -1, 0);
        all[r].key = pelab_xstrdup(buf), all[r].row = r, all[r].x = 0;
    }
    qsort(all, t->n_rows, sizeof *all, keyed_cmp);
    double worst = -INFINITY, wa = NAN, wb = NAN;
    size_t worst_row = rows[0], fails = 0, fail_row = 0;
    double fa = NAN, fb = NAN;
    for (size_t i = 0; i < n; i++) {
        double a, b;
        row_key(buf, sizeof buf, e, rows[i], -1, 1);
        keyed_row probe = {buf, 0, 0};
        keyed_row *hit = bsearch(&probe, all, t->n_rows, sizeof *all, keyed_cmp);
        if (!hit) {
            say(v, 0, "no partner row with %s for %s", other, row_str(id, sizeof id, e, rows[i], -1));
            goto out;
        }
        if (row_value(v, e, rows[i], &a) || row_status_ok(v, e, hit->row, "partner row") ||
            row_value(v, e, hit->row, &b))
            goto out;
        double fbv = cl->factor * b, c;
        int ok;
        if (cl->op == PELAB_OP_APPROX || cl->op == PELAB_OP_NOT_APPROX) {
            /* c: how far a is from factor x b in units of the tolerance */
            double lim = cl->rtol * fabs(fbv) + cl->atol, d = fabs(a - fbv);
            c = lim > 0 ? d / lim : (d == 0 ? 0 : INFINITY);
            ok = d <= lim;
            if (cl->op == PELAB_OP_NOT_APPROX) ok = !ok && !isnan(d), c = c > 0 ? 1 / c : INFINITY;
        } else {
            ok = op_holds(cl->op, a, fbv);
            c = closeness(cl->op, a, fbv) / (fabs(fbv) > 0 ? fabs(fbv) : 1);
        }
        if (isnan(c)) c = INFINITY;
        if (!ok) {
            if (!fails) fail_row = rows[i], fa = a, fb = b;
            fails++;
        }
        if (i == 0 || c > worst) worst = c, worst_row = rows[i], wa = a, wb = b;
    }
    char fac[64] = "";
    if (cl->factor != 1) snprintf(fac, sizeof fac, "%g x ", cl->factor);
    char tol[96] = "";
    if (cl->op == PELAB_OP_APPROX || cl->op == PELAB_OP_NOT_APPROX)
        snprintf(tol, sizeof tol, " (rtol %g, atol %g)", cl->rtol, cl->atol);
    if (fails) {
        if (fails > 1 || n == 1)
            say(v, 0, "%zu of %zu pairs fail; first: %s %.6g at %s, wants %s %s%.6g (%s)%s", fails, n, cl->metric, fa,
                row_str(id, sizeof id, e, fail_row, -1), pelab_claim_op_str(cl->op), fac, fb, other, tol);
        else
            say(v, 0, "1 of %zu pairs fails: %s %.6g at %s, wants %s %s%.6g (%s)%s", n, cl->metric, fa,
                row_str(id, sizeof id, e, fail_row, -1), pelab_claim_op_str(cl->op), fac, fb, other, tol);
    } else {
        char rel[64] = "";
        if (cl->op == PELAB_OP_APPROX || cl->op == PELAB_OP_NOT_APPROX)
            snprintf(rel, sizeof rel, ", relative difference %.2g", fabs(wa - cl->factor * wb) / fabs(cl->factor * wb));
        say(v, 1, "%zu pair%s; tightest: %s %.6g %s %s%.6g (%s%s) at %s%s", n, n == 1 ? "" : "s", cl->metric, wa,
            pelab_claim_op_str(cl->op), fac, wb, other, rel, row_str(id, sizeof id, e, worst_row, -1), tol);
    }
out:
    for (size_t r = 0; r < t->n_rows; r++) free(all[r].key);
    free(all);
}

/* A failing verdict for a claim that selects no row, naming the first
 * filter that alone matches nothing, with the column's values. */
static void explain_no_match(pelab_claim_verdict *v, const evalctx *e) {
    const pelab_claim *cl = e->cl;
    const pelab_table *t = e->t;
    char f[256];
    if (t->n_rows == 0) {
        say(v, 0, "no rows match: %s has no rows", t->path);
        return;
    }
    for (int i = 0; i < cl->n_where; i++) {
        int col = pelab_table_col(t, cl->where[i].column);
        size_t hits = 0;
        for (size_t r = 0; r < t->n_rows && !hits; r++) hits += (size_t)filter_matches(&cl->where[i], t, r, col);
        if (hits) continue;
        char vals[400];
        size_t o = 0;
        int shown = 0;
        vals[0] = '\0';
        for (size_t r = 0; r < t->n_rows && shown < 12; r++) {
            const char *s = pelab_table_get(t, r, col);
            int seen = 0;
            for (size_t q = 0; q < r && !seen; q++) seen = strcmp(pelab_table_get(t, q, col), s) == 0;
            if (seen) continue;
            o += (size_t)snprintf(vals + o, o < sizeof vals ? sizeof vals - o : 0, "%s%.40s", shown ? ", " : "", s[0] ? s : "(empty)");
            if (o >= sizeof vals) break;
            shown++;
        }
        filter_str(f, sizeof f, &cl->where[i]);
        say(v, 0, "no rows match: no row has %s (%s has: %s%s)", f, cl->where[i].column, vals, shown >= 12 ? ", ..." : "");
        return;
    }
    size_t o = 0;
    char all[600];
    all[0] = '\0';
    for (int i = 0; i < cl->n_where && o < sizeof all; i++) {
        filter_str(f, sizeof f, &cl->where[i]);
        o += (size_t)snprintf(all + o, sizeof all - o, "%s%s", i ? ", " : "", f);
    }
    say(v, 0, "no rows match all of: %s", all);
}

void pelab_claim_eval(pelab_claim_verdict *v, const pelab_claim *cl, const pelab_table *t) {
    evalctx e;
    memset(v, 0, sizeof *v);
    memset(&e, 0, sizeof e);
    e.cl = cl, e.t = t;
    e.n_id = pelab_table_layout(t).n_id;
    e.status = pelab_table_col(t, "status");
    e.metric = pelab_table_col(t, cl->metric);
    /* every column the claim names must be in the table */
    const char *need[64];
    int n_need = 0;
    for (int i = 0; i < cl->n_where && n_need < 60; i++) need[n_need++] = cl->where[i].column;
    need[n_need++] = cl->metric;
    if (cl->kind == PELAB_CLAIM_TREND) need[n_need++] = cl->over;
    for (int i = 0; i < n_need; i++)
        if (pelab_table_col(t, need[i]) < 0) {
            say(v, 0, "%s has no column '%s' (results of an older pelab?)", t->path, need[i]);
            return;
        }
    for (int i = 0; i < cl->n_other; i++)
        if (pelab_table_col(t, cl->other[i].column) < 0) {
            say(v, 0, "%s has no column '%s'", t->path, cl->other[i].column);
            return;
        }
    /* over and other must be identity columns of this table (the claims may
     * have been checked against another header) */
    const char *ident[64];
    int n_ident = 0;
    if (cl->kind == PELAB_CLAIM_TREND) ident[n_ident++] = cl->over;
    for (int i = 0; i < cl->n_other && n_ident < 64; i++) ident[n_ident++] = cl->other[i].column;
    for (int i = 0; i < n_ident; i++)
        if (pelab_table_col(t, ident[i]) >= e.n_id) {
            char ids[600];
            say(v, 0, "'%s' is not an identity column of %s (those are: %s)", ident[i], t->path,
                id_list(ids, sizeof ids, (const char *const *)t->cols, e.n_id));
            return;
        }
    int *wcol = pelab_xmalloc(((size_t)cl->n_where + 1) * sizeof *wcol);
    for (int i = 0; i < cl->n_where; i++) wcol[i] = pelab_table_col(t, cl->where[i].column);
    size_t *rows = pelab_xmalloc((t->n_rows ? t->n_rows : 1) * sizeof *rows), n = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        int ok = 1;
        for (int i = 0; i < cl->n_where && ok; i++) ok = filter_matches(&cl->where[i], t, r, wcol[i]);
        if (ok) rows[n++] = r;
    }
    free(wcol);
    v->rows = n;
    if (n == 0) {
        explain_no_match(v, &e);
        free(rows);
        return;
    }
    for (size_t i = 0; i < n; i++)
        if (row_status_ok(v, &e, rows[i], "row")) {
            free(rows);
            return;
        }
    switch (cl->kind) {
    case PELAB_CLAIM_EXPECT: eval_expect(v, &e, rows, n); break;
    case PELAB_CLAIM_TREND: eval_trend(v, &e, rows, n); break;
    case PELAB_CLAIM_COMPARE: eval_compare(v, &e, rows, n); break;
    }
    free(rows);
}

/* ---- a whole check ------------------------------------------------------------------ */

/* path, or path/leaf when path is a folder, into buf. */
static void resolve(char *buf, size_t cap, const char *path, const char *leaf) {
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        snprintf(buf, cap, "%s%s%s", path, path[0] && path[strlen(path) - 1] == '/' ? "" : "/", leaf);
    else
        snprintf(buf, cap, "%s", path);
}

pelab_status pelab_check_run(pelab_check *ck, const char *experiment, const char *results, pelab_error *err) {
    memset(ck, 0, sizeof *ck);
    resolve(ck->claims_path, sizeof ck->claims_path, experiment, "claims.yaml");
    resolve(ck->results_path, sizeof ck->results_path, results, "results.csv");
    /* the claims are checked against the columns of the results they are
     * about; when those cannot be read, against this build's probe header,
     * so that an invalid claims file is still said first */
    pelab_error table_err;
    pelab_status ts = pelab_table_read(&ck->table, ck->results_path, &table_err);
    pelab_status s = pelab_claims_load_for(&ck->claims, ck->claims_path, ts ? NULL : &ck->table, err);
    if (!s && ts) {
        *err = table_err;
        s = ts;
    }
    if (s) {
        pelab_check_free(ck);
        return s;
    }
    ck->verdicts = pelab_xcalloc((size_t)ck->claims.n, sizeof *ck->verdicts);
    for (int i = 0; i < ck->claims.n; i++) {
        pelab_claim_eval(&ck->verdicts[i], &ck->claims.items[i], &ck->table);
        if (ck->verdicts[i].holds)
            ck->n_hold++;
        else
            ck->n_fail++;
    }
    return PELAB_STATUS_OK;
}

void pelab_check_free(pelab_check *ck) {
    if (!ck) return;
    pelab_claims_free(&ck->claims);
    pelab_table_free(&ck->table);
    free(ck->verdicts);
    memset(ck, 0, sizeof *ck);
}
