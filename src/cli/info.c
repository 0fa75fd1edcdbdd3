/* cli_info.c — `pelab schemes`, `pelab metrics` and `pelab tasks`,
 * generated from the registries */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pelab/pe/encoding.h"
#include "pelab/lab/metrics.h"
#include "pelab/train/task.h"

const char pelab_cli_schemes_help[] = "usage: pelab schemes\n\nLists the encoding schemes with their formula and parameters (name, default, range).\n";
const char pelab_cli_metrics_help[] = "usage: pelab metrics\n\nLists the metric columns of results.csv with their family and meaning.\n";
const char pelab_cli_tasks_help[] =
    "usage: pelab tasks\n\nLists the synthetic training tasks: token vocabulary, target classes, readout (pool:\n"
    "one target per sample; each: one per position), chance accuracy, shortest length.\n";

int pelab_cli_schemes(int argc, char **argv) {
    int n_pos = 0;
    if (pelab_cli_parse("schemes", argc, argv, NULL, 0, NULL, 0, &n_pos)) return 2;
    int n = 0;
    const pelab_scheme_def *defs = pelab_scheme_defs(&n);
    for (int i = 0; i < n; i++) {
        const pelab_scheme_def *d = &defs[i];
        printf("%-11s %-7s %s\n", d->name, pelab_scheme_kind_str(d->kind), d->formula);
        for (int k = 0; k < d->n_params; k++) {
            const pelab_param_def *p = &d->params[k];
            if (p->type == PELAB_PARAM_TYPE_CHOICE) {
                char dflt[64];
                printf("            %-16s default %-11s one of %s: %s\n", p->name,
                       pelab_param_choice_name(p, (int)p->def, dflt, sizeof dflt), p->choices, p->help);
            } else if (p->type == PELAB_PARAM_TYPE_INT) {
                printf("            %-16s default %-11.0f range [%.0f, %.0f]: %s\n", p->name, p->def, p->min, p->max,
                       p->help);
            } else {
                printf("            %-16s default %-11g range [%g, %g]: %s\n", p->name, p->def, p->min, p->max,
                       p->help);
            }
        }
    }
    return 0;
}

int pelab_cli_metrics(int argc, char **argv) {
    int n_pos = 0;
    if (pelab_cli_parse("metrics", argc, argv, NULL, 0, NULL, 0, &n_pos)) return 2;
    const pelab_metric_def *m = pelab_metric_defs();
    for (int i = 0; i < PELAB_METRIC_COUNT; i++)
        printf("%-22s %-10s %s\n", m[i].name, m[i].family, m[i].help);
    printf("%-22s %-10s %s\n", "time_s", "cost", "wall time of the cell (all trials)");
    printf("\nEach metric NAME is the mean over trials; NAME_std is their sample standard deviation.\n");
    return 0;
}


int pelab_cli_tasks(int argc, char **argv) {
    int n_pos = 0;
    if (pelab_cli_parse("tasks", argc, argv, NULL, 0, NULL, 0, &n_pos)) return 2;
    int n = 0;
    const pelab_task_def *defs = pelab_task_defs(&n);
    printf("%-9s %5s %7s %-7s %-7s %7s  %s\n", "task", "vocab", "classes", "readout", "chance", "min_len", "meaning");
    for (int i = 0; i < n; i++) {
        const pelab_task_def *t = &defs[i];
        printf("%-9s %5d %7d %-7s %-7g %7d  %s\n", t->name, t->vocab, t->classes, pelab_readout_str(t->readout),
               t->chance, t->min_len, t->help);
    }
    return 0;
}
