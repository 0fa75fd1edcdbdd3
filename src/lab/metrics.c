/* metrics.c — see pelab/lab/metrics.h: the registry and the reduction over
 * trials. */
#include "pelab/lab/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelab/base/mem.h"
#include "pelab/base/stats.h"
#include "pelab/base/status.h"

static const pelab_metric_def g_metrics[PELAB_METRIC_COUNT] = {
#define PELAB_METRIC_ROW_(id, name, family, help) {name, family, help},
    PELAB_METRICS(PELAB_METRIC_ROW_)
#undef PELAB_METRIC_ROW_
};

const pelab_metric_def *pelab_metric_defs(void) { return g_metrics; }

int pelab_metric_find(const char *name) {
    for (int i = 0; i < PELAB_METRIC_COUNT; i++)
        if (strcmp(g_metrics[i].name, name) == 0) return i;
    return -1;
}


void pelab_metrics_reduce(pelab_cell_result *res, const pelab_trial_result *tr, int trials) {
    /* mean and sample standard deviation over trials, summed in trial order */
    char bad[200] = "";
    PELAB_ASSERT(trials >= 1);
    double *v = pelab_xmalloc((size_t)trials * sizeof *v); /* one metric over the trials */
    for (int k = 0; k < PELAB_METRIC_COUNT; k++) {
        res->defined[k] = tr[0].defined[k];
        if (!res->defined[k]) {
            res->mean[k] = res->std[k] = NAN;
            continue;
        }
        for (int t = 0; t < trials; t++) v[t] = tr[t].value[k];
        pelab_mean_std(&res->mean[k], &res->std[k], v, trials);
        const double mean = res->mean[k];
        if (!isfinite(mean) && strlen(bad) + strlen(g_metrics[k].name) + 2 < sizeof bad) {
            strcat(bad, bad[0] ? " " : "");
            strcat(bad, g_metrics[k].name);
        }
    }
    free(v);
    res->trials = trials;
    if (bad[0])
        snprintf(res->status, sizeof res->status, "nonfinite: %s", bad);
    else
        snprintf(res->status, sizeof res->status, "ok");
}
