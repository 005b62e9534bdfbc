/* SPDX-License-Identifier: MIT */
/*
 * Summary statistics of one result's samples: order statistics, moments,
 * a robust spread (MAD), a distribution-free 95% confidence interval of the
 * median and Tukey-fence outlier counts.
 */
#ifndef STATS_H
#define STATS_H

#include <stddef.h>

struct stats_summary {
	size_t n;
	double min, p50, p90, p99, p999, max;
	double mean, stddev;	/* stddev: sample standard deviation (n - 1) */
	double mad;		/* median absolute deviation from the median, unscaled */
	double ci95_lo, ci95_hi; /* 95% CI of the median (binomial order statistics) */
	size_t outliers_low, outliers_high; /* beyond Q1 - 1.5 IQR / Q3 + 1.5 IQR */
	size_t outliers_far;	/* of those, beyond 3 IQR on either side */
};

/*
 * Summarise n samples (n >= 1; samples is not modified). -1, with *out untouched,
 * if n == 0, if any sample is NaN or infinite (rejected, not skipped) or if out
 * of memory.
 */
int stats_summarize(const double *samples, size_t n, struct stats_summary *out);

/*
 * Quantile q in [0, 1] of sorted data, linear interpolation (Hyndman-Fan type 7).
 * NaN if n == 0 or q is outside [0, 1].
 */
double stats_quantile_sorted(const double *sorted, size_t n, double q);

/* Median of v[0..n) (n >= 1), sorting v in place. */
double stats_median_inplace(double *v, size_t n);

#endif
