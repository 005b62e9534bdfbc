/* SPDX-License-Identifier: MIT */
/*
 * Summary statistics of one result's samples. GSL sorts and does the moments,
 * the quantiles and the MAD; what is left here is the choice of methods (type-7
 * quantiles, a binomial interval for the median, Tukey fences) and their edges.
 *
 * Everything is computed on a sorted copy, so the summary of a set of samples
 * is bit-for-bit the same whatever order the caller's array holds them in.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "stats.h"

/* Two-sided 95% point of the standard normal, for the binomial approximation. */
#define Z95 1.96

/*
 * Below this many samples no interval between order statistics reaches 95% (see
 * median_ci), so the median's interval is [min, max] by definition rather than
 * by the clamping of the rank formula, which happens to give the same up to n = 10.
 */
#define CI_MIN_N 6

/* Tukey's fences, in interquartile ranges beyond Q1 and Q3. */
#define FENCE_NEAR 1.5
#define FENCE_FAR 3.0

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

/* Clamp a 1-based rank computed in floating point to [1, n] before it becomes an index. */
static size_t clamp_rank(double r, size_t n)
{
	if (r < 1.0)
		return 1;
	if (r > (double)n)
		return n;
	return (size_t)r;
}

/*
 * Distribution-free 95% confidence interval of the median. The number of
 * samples below the true median is Binomial(n, 1/2), whatever the distribution,
 * so the interval between order statistics j and k (1-based) covers the median
 * with probability P(j <= B < k). With the normal approximation of B (mean n/2,
 * sd sqrt(n)/2) that gives
 *	j = floor(n/2 - 1.96 sqrt(n)/2),  k = ceil(1 + n/2 + 1.96 sqrt(n)/2).
 * For n < 6 no pair of order statistics reaches 95%: even [min, max] covers
 * the median only with probability 1 - 2^(1-n) (93.75% at n = 5), so those
 * intervals are [min, max] and somewhat narrower than their name says.
 */
static void median_ci(const double *sorted, size_t n, double *lo, double *hi)
{
	double half = Z95 * sqrt((double)n) / 2.0;
	size_t j, k;

	if (n < CI_MIN_N) {
		*lo = sorted[0];
		*hi = sorted[n - 1];
		return;
	}
	j = clamp_rank(floor((double)n / 2.0 - half), n);
	k = clamp_rank(ceil(1.0 + (double)n / 2.0 + half), n);
	*lo = sorted[j - 1];
	*hi = sorted[k - 1];
}

/*
 * Tukey's fences: an outlier lies strictly beyond 1.5 IQR outside [Q1, Q3], a
 * far one strictly beyond 3 IQR. With IQR == 0 (most samples equal) every
 * sample different from the quartiles is therefore a far outlier.
 */
static void count_outliers(const double *sorted, size_t n, struct stats_summary *out)
{
	double q1 = stats_quantile_sorted(sorted, n, 0.25);
	double q3 = stats_quantile_sorted(sorted, n, 0.75);
	double iqr = q3 - q1;
	double low = q1 - FENCE_NEAR * iqr, high = q3 + FENCE_NEAR * iqr;
	double far_low = q1 - FENCE_FAR * iqr, far_high = q3 + FENCE_FAR * iqr;

	out->outliers_low = 0;
	out->outliers_high = 0;
	out->outliers_far = 0;
	for (size_t i = 0; i < n; i++) {
		double x = sorted[i];

		if (x < low)
			out->outliers_low++;
		else if (x > high)
			out->outliers_high++;
		if (x < far_low || x > far_high)
			out->outliers_far++;
	}
}

int stats_summarize(const double *samples, size_t n, struct stats_summary *out)
{
	double *sorted, *work;

	if (n == 0 || !all_finite(samples, n))
		return -1;
	/* One buffer: the sorted copy, then gsl_stats_mad0's scratch space. */
	if (n > SIZE_MAX / (2 * sizeof(double)))
		return -1;
	sorted = malloc(2 * n * sizeof(double));
	if (!sorted)
		return -1;
	work = sorted + n;

	for (size_t i = 0; i < n; i++)
		sorted[i] = samples[i];
	gsl_sort(sorted, 1, n);

	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->p50 = gsl_stats_median_from_sorted_data(sorted, 1, n);
	out->p90 = stats_quantile_sorted(sorted, n, 0.90);
	out->p99 = stats_quantile_sorted(sorted, n, 0.99);
	out->p999 = stats_quantile_sorted(sorted, n, 0.999);
	out->mean = gsl_stats_mean(sorted, 1, n);
	/* GSL divides by n - 1, which is 0/0 for a single sample. */
	out->stddev = n > 1 ? gsl_stats_sd_m(sorted, 1, n, out->mean) : 0.0;
	/* mad0 is the unscaled MAD; gsl_stats_mad multiplies it by 1.4826. */
	out->mad = gsl_stats_mad0(sorted, 1, n, work);
	median_ci(sorted, n, &out->ci95_lo, &out->ci95_hi);
	count_outliers(sorted, n, out);

	free(sorted);
	return 0;
}

/*
 * GSL's quantile is Hyndman-Fan type 7: h = q (n - 1), then linear interpolation
 * between the order statistics floor(h) and floor(h) + 1 (0-based). It indexes
 * past the array for q outside [0, 1], hence the check.
 */
double stats_quantile_sorted(const double *sorted, size_t n, double q)
{
	if (n == 0 || !(q >= 0.0 && q <= 1.0))
		return NAN;
	return gsl_stats_quantile_from_sorted_data(sorted, 1, n, q);
}

double stats_median_inplace(double *v, size_t n)
{
	gsl_sort(v, 1, n);
	return gsl_stats_median_from_sorted_data(v, 1, n);
}
