/* stats.c — see pelab/base/stats.h */
#include "pelab/base/stats.h"

#include <math.h>

#include "pelab/base/status.h"

void pelab_mean_std(double *mean, double *sd, const double *v, int k) {
    PELAB_ASSERT(k >= 1);
    double s = 0;
    for (int i = 0; i < k; i++) s += v[i];
    const double m = s / k;
    double q = 0;
    for (int i = 0; i < k; i++) q += (v[i] - m) * (v[i] - m);
    *mean = m;
    *sd = k > 1 ? sqrt(q / (k - 1)) : 0.0;
}
