/* pelab/base/stats.h — the summary statistics every layer reports over
 * trials: one definition, so a probe's and a training cell's "mean" and
 * "std" are the same computation. */
#ifndef PELAB_BASE_STATS_H
#define PELAB_BASE_STATS_H

/* The mean and the sample standard deviation (divisor k - 1; 0 for k = 1)
 * of v[0 .. k), k >= 1, summed in index order (so bitwise reproducible):
 * mean = (sum v) / k, sd = sqrt(sum (v - mean)^2 / (k - 1)). A non-finite
 * value makes the mean non-finite, and sd too when k > 1 (k = 1: sd 0). */
void pelab_mean_std(double *mean, double *sd, const double *v, int k);

#endif /* PELAB_BASE_STATS_H */
