/* schemes.c — see pelab/yaml/schemes.h */
#include "pelab/yaml/schemes.h"

#include "pelab/yaml/axis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/keyed.h"
#include "pelab/base/mem.h"
#include "pelab/base/suggest.h"
#include "pelab/pe/rope.h"

/* Reads parameter def of a variant from value pelab_yaml_node v into *out. */
static int parse_param(pelab_yaml_doc *y, const pelab_param_def *pd, const char *vname, pelab_yaml_node *v, double *out) {
    char what[160], q[PELAB_YAML_QBUF];
    snprintf(what, sizeof what, "%s of scheme '%s'", pd->name, pelab_yaml_quote_str(q, vname));
    if (pd->type == PELAB_PARAM_TYPE_INT) {
        long long x;
        if (pelab_yaml_get_int(y, v, what, (long long)pd->min, (long long)pd->max, &x)) return -1;
        *out = (double)x;
    } else if (pd->type == PELAB_PARAM_TYPE_REAL) {
        if (pelab_yaml_get_real(y, v, what, out)) return -1;
        if (*out < pd->min || *out > pd->max)
            return pelab_yaml_fail(y, v, "%s must be in [%.17g, %.17g], found %s", what, pd->min, pd->max,
                           pelab_yaml_quote(q, v->text, v->len));
    } else {
        char names[8][64];
        const char *choices[8];
        const int n = pelab_param_choice_count(pd);
        int idx = 0;
        PELAB_ASSERT(n >= 1 && n <= 8);
        for (int i = 0; i < n; i++) choices[i] = pelab_param_choice_name(pd, i, names[i], sizeof names[i]);
        if (pelab_yaml_get_choice(y, v, pd->name, choices, n, &idx)) return -1;
        *out = idx;
    }
    return 0;
}

/* The rules a rotary variant's parameters obey together (pelab/pe/rope.h):
 * every parameter given applies to its scaling, and the scaling has what it
 * needs. Errors sit at the parameter, or at the variant's name k. */
static int check_rotary(pelab_yaml_doc *y, const pelab_scheme *var, pelab_yaml_node *v, pelab_yaml_node *k) {
    const pelab_scheme_def *def = pelab_scheme_def_get(var->id);
    char q[PELAB_YAML_QBUF], why[160];
    int pi;
    for (int j = 0; j + 1 < v->n; j += 2) {
        pelab_yaml_node *pk = v->kids[j];
        if ((pi = pelab_scheme_param_index(def, pk->text)) < 0) continue;
        if (!pelab_rope_param_applies(var, pi)) {
            /* name the scalings it belongs to: try each on a copy */
            const int si = pelab_scheme_param_index(def, "scaling");
            const pelab_param_def *sd = &def->params[si];
            char list[160] = "", w[64];
            pelab_scheme t = *var;
            for (int c = 0; c < pelab_param_choice_count(sd); c++) {
                t.params[si] = c;
                if (pelab_rope_param_applies(&t, pi))
                    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
                             pelab_param_choice_name(sd, c, w, sizeof w));
            }
            return pelab_yaml_fail(y, pk, "parameter '%s' of scheme '%s' does not apply to its scaling (it is for: %s)",
                                   pk->text, pelab_yaml_quote_str(q, k->text), list);
        }
    }
    if (pelab_rope_validate(var, &pi, why, sizeof why)) {
        if (pi >= 0)
            for (int j = 0; j + 1 < v->n; j += 2)
                if (strcmp(v->kids[j]->text, def->params[pi].name) == 0)
                    return pelab_yaml_fail(y, v->kids[j], "scheme '%s': %s", pelab_yaml_quote_str(q, k->text), why);
        return pelab_yaml_fail(y, k, "scheme '%s': %s", pelab_yaml_quote_str(q, k->text), why);
    }
    return 0;
}

/* Parses `schemes:`: named variants of the built-ins, with their parameters. */
int pelab_yaml_scheme_variants(pelab_yaml_doc *y, pelab_yaml_schemes *c, pelab_yaml_node *m) {
    int n, first, dup;
    char q[PELAB_YAML_QBUF], q2[PELAB_YAML_QBUF], sug[2 * PELAB_YAML_QBUF];
    if (m->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(y, m, "a mapping of scheme variants", "schemes");
    n = m->n / 2;
    c->variants = pelab_xcalloc((size_t)(n ? n : 1), sizeof *c->variants);
    c->at = pelab_xcalloc((size_t)(n ? n : 1), sizeof *c->at);
    for (int i = 0; i < n; i++) {
        pelab_yaml_node *k = m->kids[2 * i], *v = m->kids[2 * i + 1], *tn;
        pelab_scheme *var = &c->variants[i];
        const char *type, *const *known;
        const char *keys[PELAB_SCHEME_MAX_PARAMS + 1];
        const pelab_scheme_def *def;
        char where[160];
        if (pelab_yaml_check_name(y, k, "scheme name", k->text, PELAB_SCHEME_NAME_MAX)) return -1;
        if (pelab_scheme_def_find(k->text))
            return pelab_yaml_fail(y, k, "scheme variant '%s' has the name of a built-in scheme: choose another name",
                           pelab_yaml_quote_str(q, k->text));
        if (v->kind != PELAB_YAML_KIND_MAP) return pelab_yaml_fail_type(y, v, "a mapping {type: ..., parameters}", "a scheme variant");
        snprintf(where, sizeof where, " in scheme '%s'", pelab_yaml_quote_str(q, k->text));
        if (!(tn = pelab_yaml_map_require(y, v, "type", where)) || pelab_yaml_get_str(y, tn, "type", &type)) return -1;
        if (!(def = pelab_scheme_def_find(type))) {
            int nd;
            const pelab_scheme_def *defs = pelab_scheme_defs(&nd);
            const char *names[PELAB_SCHEME_COUNT];
            for (int j = 0; j < nd; j++) names[j] = defs[j].name;
            return pelab_yaml_fail(y, tn, "unknown scheme type '%s'%s", pelab_yaml_quote(q, tn->text, tn->len),
                           pelab_suggest(sug, sizeof sug, type, names, nd));
        }
        pelab_scheme_init_default(var, def->id);
        snprintf(var->name, sizeof var->name, "%s", k->text);
        c->at[i] = k;
        keys[0] = "type";
        for (int j = 0; j < def->n_params; j++) keys[j + 1] = def->params[j].name;
        known = keys;
        for (int j = 0; j + 1 < v->n; j += 2) {
            pelab_yaml_node *pk = v->kids[j];
            int pi;
            if (strcmp(pk->text, "type") == 0) continue;
            pi = pelab_scheme_param_index(def, pk->text);
            if (pi < 0) {
                if (def->n_params == 0)
                    return pelab_yaml_fail(y, pk, "unknown parameter '%s' for scheme type '%s' (it has no parameters)",
                                   pelab_yaml_quote(q, pk->text, pk->len), def->name);
                return pelab_yaml_fail(y, pk, "unknown parameter '%s' for scheme type '%s'%s",
                               pelab_yaml_quote(q, pk->text, pk->len), def->name,
                               pelab_suggest(sug, sizeof sug, pk->text, known, def->n_params + 1));
            }
            if (parse_param(y, &def->params[pi], k->text, v->kids[j + 1], &var->params[pi])) return -1;
        }
        if (check_rotary(y, var, v, k)) return -1;
        c->n = i + 1;
    }
    /* names are unique as keys of one mapping; index them for lookups */
    c->index = pelab_xmalloc((size_t)(n ? n : 1) * sizeof *c->index);
    for (int i = 0; i < n; i++) {
        c->index[i].s = c->variants[i].name;
        c->index[i].len = strlen(c->variants[i].name);
        c->index[i].v = 0;
        c->index[i].idx = i;
    }
    if (pelab_keyed_find_dup(c->index, n, &first, &dup)) /* cannot happen: keys are unique */
        return pelab_yaml_fail(y, c->at[dup], "duplicate scheme '%s' (first at %d:%d)",
                       pelab_yaml_quote_str(q2, c->variants[dup].name), c->at[first]->line, c->at[first]->col);
    return 0;
}

/* Refuses an unknown scheme name at n with the nearest built-in or variant. */
static int fail_unknown_scheme(pelab_yaml_doc *y, const pelab_yaml_schemes *c, const pelab_yaml_node *n,
                               const char *what) {
    int nd;
    const pelab_scheme_def *defs = pelab_scheme_defs(&nd);
    const char **cands = pelab_xmalloc((size_t)(nd + c->n) * sizeof *cands);
    char q[PELAB_YAML_QBUF], sug[512];
    for (int i = 0; i < nd; i++) cands[i] = defs[i].name;
    for (int i = 0; i < c->n; i++) cands[nd + i] = c->variants[i].name;
    pelab_suggest(sug, sizeof sug, n->text, cands, nd + c->n);
    free(cands);
    if (!sug[0]) {
        /* nothing close: name the built-ins */
        size_t o = (size_t)snprintf(sug, sizeof sug, " (built-in schemes:");
        for (int i = 0; i < nd && o < sizeof sug; i++)
            o += (size_t)snprintf(sug + o, sizeof sug - o, " %s%s", defs[i].name, i + 1 < nd ? "," : "");
        if (o < sizeof sug) snprintf(sug + o, sizeof sug - o, "; or a variant defined under 'schemes')");
    }
    return pelab_yaml_fail(y, n, "unknown %s '%s'%s", what, pelab_yaml_quote(q, n->text, n->len), sug);
}

/* Parses the scheme axis: built-in names (default parameters) or variants. */
int pelab_yaml_scheme_axis(pelab_yaml_doc *y, const pelab_yaml_schemes *c, pelab_yaml_node *v, pelab_scheme **out,
                           int *count) {
    pelab_yaml_node *single, *const *items = NULL;
    int n = 0, rc, first, dup;
    pelab_keyed *k;
    rc = pelab_yaml_axis_items(y, v, "scheme", &single, &items, &n);
    if (rc == -1) return -1;
    if (rc == -2) return pelab_yaml_fail_type(y, v, "a scheme name or a list of them", "scheme");
    *out = pelab_xcalloc((size_t)n, sizeof **out);
    *count = n;
    pelab_scheme *schemes = *out;
    for (int i = 0; i < n; i++) {
        const char *s;
        const pelab_scheme_def *def;
        int vi;
        if (pelab_yaml_get_str(y, items[i], "scheme", &s)) return -1;
        if ((def = pelab_scheme_def_find(s))) {
            pelab_scheme_init_default(&schemes[i], def->id);
        } else if ((vi = pelab_keyed_find(c->index, c->n, s)) >= 0) {
            schemes[i] = c->variants[vi];
        } else {
            return fail_unknown_scheme(y, c, items[i], "scheme");
        }
    }
    k = pelab_xmalloc((size_t)n * sizeof *k);
    for (int i = 0; i < n; i++) {
        k[i].s = items[i]->text;
        k[i].len = items[i]->len;
        k[i].v = 0;
        k[i].idx = i;
    }
    rc = 0;
    if (pelab_keyed_find_dup(k, n, &first, &dup)) {
        char q[PELAB_YAML_QBUF];
        rc = pelab_yaml_fail(y, items[dup], "duplicate value '%s' in scheme (first at %d:%d)",
                     pelab_yaml_quote(q, items[dup]->text, items[dup]->len), items[first]->line, items[first]->col);
    }
    free(k);
    return rc;
}

void pelab_yaml_schemes_free(pelab_yaml_schemes *c) {
    free(c->variants);
    free(c->at);
    free(c->index);
    memset(c, 0, sizeof *c);
}
