/* SPDX-License-Identifier: MIT */
/*
 * Summary statistics against figures derived by hand (derivations beside each
 * case): type-7 quantiles, moments, the unscaled MAD, the ranks of the median's
 * binomial confidence interval, Tukey-fence counts including samples exactly on
 * a fence, and the rejections (no samples, NaN, infinities).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Like assert_float_equal, but says which expression and prints every digit. */
#define assert_near(actual, expected, eps)						\
	do {										\
		double a_ = (actual), e_ = (expected);					\
		if (!(fabs(a_ - e_) <= (eps)))						\
			fail_msg("%s = %.17g, expected %.17g", #actual, a_, e_);	\
	} while (0)
#define assert_exact(actual, expected) assert_near(actual, expected, 0.0)

/* 1..n, in an order that is not sorted: i * step mod n visits each once when gcd(step, n) == 1. */
static void fill_permuted(double *x, size_t n, size_t step)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (double)(i * step % n + 1);
}

/* Deterministic pseudo-random samples with ties and negatives (64-bit LCG, Knuth's MMIX). */
static void fill_lcg(double *x, size_t n, uint64_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		x[i] = (double)(seed >> 54) - 300.0;	/* 0..1023, minus 300 */
	}
}

static void assert_same_summary(const struct stats_summary *a, const struct stats_summary *b)
{
	assert_int_equal(a->n, b->n);
	assert_exact(a->min, b->min);
	assert_exact(a->p50, b->p50);
	assert_exact(a->p90, b->p90);
	assert_exact(a->p99, b->p99);
	assert_exact(a->p999, b->p999);
	assert_exact(a->max, b->max);
	assert_exact(a->mean, b->mean);
	assert_exact(a->stddev, b->stddev);
	assert_exact(a->mad, b->mad);
	assert_exact(a->ci95_lo, b->ci95_lo);
	assert_exact(a->ci95_hi, b->ci95_hi);
	assert_int_equal(a->outliers_low, b->outliers_low);
	assert_int_equal(a->outliers_high, b->outliers_high);
	assert_int_equal(a->outliers_far, b->outliers_far);
}

/*
 * 1..100, sorted[i] = i + 1. Type 7: h = q * 99, value = 1 + h.
 *	p50: h = 49.5 -> 50.5	p90: h = 89.1 -> 90.1
 *	p99: h = 98.01 -> 99.01	p999: h = 98.901 -> 99.901
 * mean = 101 / 2 = 50.5. Sum of squared deviations = n (n^2 - 1) / 12 = 83325,
 * / 99 = 841.666..., sqrt = 29.011491975882016.
 * |x - 50.5| is 0.5, 1.5, ..., 49.5, each twice; the 50th and 51st of those are
 * 24.5 and 25.5, so MAD = 25.
 * CI ranks: j = floor(50 - 0.98 * 10) = floor(40.2) = 40,
 * k = ceil(51 + 9.8) = ceil(60.8) = 61 -> values 40 and 61.
 * Q1 = 1 + 24.75 = 25.75, Q3 = 1 + 74.25 = 75.25, IQR = 49.5: fences at -48.5
 * and 149.5, no outliers.
 */
static void test_one_to_hundred(void **state)
{
	double x[100];
	struct stats_summary s;

	(void)state;
	fill_permuted(x, 100, 37);
	assert_int_equal(stats_summarize(x, 100, &s), 0);
	assert_int_equal(s.n, 100);
	assert_exact(s.min, 1.0);
	assert_exact(s.max, 100.0);
	assert_near(s.p50, 50.5, 1e-12);
	assert_near(s.p90, 90.1, 1e-12);
	assert_near(s.p99, 99.01, 1e-12);
	assert_near(s.p999, 99.901, 1e-12);
	assert_near(s.mean, 50.5, 1e-12);
	assert_near(s.stddev, 29.011491975882016, 1e-12);
	assert_exact(s.mad, 25.0);
	assert_exact(s.ci95_lo, 40.0);
	assert_exact(s.ci95_hi, 61.0);
	assert_int_equal(s.outliers_low, 0);
	assert_int_equal(s.outliers_high, 0);
	assert_int_equal(s.outliers_far, 0);
}

/*
 * n = 13, so Q1 and Q3 fall on order statistics: h = 0.25 * 12 = 3 and
 * 0.75 * 12 = 9 (0-based) -> Q1 = 10, Q3 = 20, IQR = 10.
 * Inner fences: 10 - 15 = -5 and 20 + 15 = 35; outer: 10 - 30 = -20 and 20 + 30 = 50.
 *	-100: low, far	-9: low	0: inside
 *	35: on the inner fence, not an outlier	50: on the outer fence, high only
 *	51: high, far
 * Median = sorted[6] = 13. CI: half-width 0.98 * sqrt(13) = 3.5335,
 * j = floor(6.5 - 3.5335) = 2, k = ceil(7.5 + 3.5335) = 12 -> -9 and 50.
 */
static void test_outliers(void **state)
{
	const double x[] = { 14, 51, 0, 20, -100, 12, 35, 10, 50, 13, -9, 15, 11 };
	const double sorted[] = { -100, -9, 0, 10, 11, 12, 13, 14, 15, 20, 35, 50, 51 };
	struct stats_summary s;

	(void)state;
	assert_exact(stats_quantile_sorted(sorted, ARRAY_SIZE(sorted), 0.25), 10.0);
	assert_exact(stats_quantile_sorted(sorted, ARRAY_SIZE(sorted), 0.75), 20.0);
	assert_int_equal(stats_summarize(x, ARRAY_SIZE(x), &s), 0);
	assert_exact(s.min, -100.0);
	assert_exact(s.max, 51.0);
	assert_exact(s.p50, 13.0);
	assert_int_equal(s.outliers_low, 2);
	assert_int_equal(s.outliers_high, 2);
	assert_int_equal(s.outliers_far, 2);
	assert_exact(s.ci95_lo, -9.0);
	assert_exact(s.ci95_hi, 50.0);
}

/*
 * The MAD is unscaled (no 1.4826 factor). {1, 1, 2, 2, 4, 6, 9}: median 2,
 * |x - 2| = {1, 1, 0, 0, 2, 4, 7}, sorted {0, 0, 1, 1, 2, 4, 7}, median 1.
 */
static void test_mad(void **state)
{
	const double x[] = { 9, 1, 4, 2, 6, 1, 2 };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, ARRAY_SIZE(x), &s), 0);
	assert_exact(s.p50, 2.0);
	assert_exact(s.mad, 1.0);
}

/*
 * Ranks of the median's interval at sizes where they are easy to check on 1..n
 * (value == rank):
 *	n <= 5: [min, max] by definition.
 *	n = 10: j = floor(5 - 0.98 * 3.1623) = floor(1.90) = 1,
 *		k = ceil(6 + 3.0990) = 10 -> still [min, max].
 *	n = 11: j = floor(5.5 - 0.98 * 3.3166) = floor(2.25) = 2,
 *		k = ceil(6.5 + 3.2503) = ceil(9.75) = 10.
 *	n = 1000: j = floor(500 - 0.98 * 31.6228) = floor(469.01) = 469,
 *		k = ceil(501 + 30.990) = ceil(531.99) = 532.
 */
static void test_ci_ranks(void **state)
{
	static const struct {
		size_t n;
		double lo, hi;
	} cases[] = {
		{ 2, 1, 2 }, { 5, 1, 5 }, { 6, 1, 6 }, { 10, 1, 10 }, { 11, 2, 10 },
		{ 100, 40, 61 }, { 1000, 469, 532 },
	};
	static double x[1000];
	struct stats_summary s;

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		/* No n above is a multiple of 7, so i * 7 mod n is a permutation. */
		fill_permuted(x, cases[c].n, 7);
		assert_int_equal(stats_summarize(x, cases[c].n, &s), 0);
		assert_exact(s.ci95_lo, cases[c].lo);
		assert_exact(s.ci95_hi, cases[c].hi);
	}
}

/* Whatever the data, the interval lies within [min, max] and brackets the median. */
static void test_ci_brackets_median(void **state)
{
	static double x[300];
	struct stats_summary s;

	(void)state;
	for (size_t n = 1; n <= ARRAY_SIZE(x); n++) {
		fill_lcg(x, n, n);
		assert_int_equal(stats_summarize(x, n, &s), 0);
		assert_true(s.min <= s.ci95_lo);
		assert_true(s.ci95_lo <= s.p50);
		assert_true(s.p50 <= s.ci95_hi);
		assert_true(s.ci95_hi <= s.max);
	}
}

static void test_single(void **state)
{
	const double x[] = { 42.5 };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, 1, &s), 0);
	assert_int_equal(s.n, 1);
	assert_exact(s.min, 42.5);
	assert_exact(s.p50, 42.5);
	assert_exact(s.p90, 42.5);
	assert_exact(s.p99, 42.5);
	assert_exact(s.p999, 42.5);
	assert_exact(s.max, 42.5);
	assert_exact(s.mean, 42.5);
	assert_exact(s.stddev, 0.0);
	assert_exact(s.mad, 0.0);
	assert_exact(s.ci95_lo, 42.5);
	assert_exact(s.ci95_hi, 42.5);
	assert_int_equal(s.outliers_low, 0);
	assert_int_equal(s.outliers_high, 0);
	assert_int_equal(s.outliers_far, 0);
}

/* All equal: IQR 0, and no sample lies strictly beyond a fence. */
static void test_constant(void **state)
{
	const double x[] = { 5, 5, 5, 5, 5, 5, 5 };
	struct stats_summary s;

	(void)state;
	assert_int_equal(stats_summarize(x, ARRAY_SIZE(x), &s), 0);
	assert_exact(s.min, 5.0);
	assert_exact(s.p999, 5.0);
	assert_exact(s.mean, 5.0);
	assert_exact(s.stddev, 0.0);
	assert_exact(s.mad, 0.0);
	assert_exact(s.ci95_lo, 5.0);
	assert_exact(s.ci95_hi, 5.0);
	assert_int_equal(s.outliers_low + s.outliers_high + s.outliers_far, 0);
}

/* No samples, NaN and infinities anywhere: -1 and the summary is left alone. */
static void test_rejected(void **state)
{
	const double bad[] = { NAN, -NAN, INFINITY, -INFINITY };
	struct stats_summary s, before;
	double x[5] = { 1, 2, 3, 4, 5 };

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	before = s;
	assert_int_equal(stats_summarize(x, 0, &s), -1);
	assert_memory_equal(&s, &before, sizeof(s));
	for (size_t b = 0; b < ARRAY_SIZE(bad); b++) {
		for (size_t pos = 0; pos < ARRAY_SIZE(x); pos++) {
			double saved = x[pos];

			x[pos] = bad[b];
			assert_int_equal(stats_summarize(x, ARRAY_SIZE(x), &s), -1);
			assert_memory_equal(&s, &before, sizeof(s));
			x[pos] = saved;
		}
	}
}

static void test_input_untouched(void **state)
{
	double x[257], copy[257];
	struct stats_summary s;

	(void)state;
	fill_lcg(x, ARRAY_SIZE(x), 1);
	memcpy(copy, x, sizeof(x));
	assert_int_equal(stats_summarize(x, ARRAY_SIZE(x), &s), 0);
	assert_memory_equal(x, copy, sizeof(x));
}

/*
 * The summary is computed on a sorted copy, so the same samples in any order
 * give bit-identical results, moments included.
 */
static void test_order_independent(void **state)
{
	double x[211], reversed[211], rotated[211];
	struct stats_summary a, b, c;
	size_t n = ARRAY_SIZE(x);

	(void)state;
	fill_lcg(x, n, 7);
	for (size_t i = 0; i < n; i++) {
		reversed[i] = x[n - 1 - i];
		rotated[i] = x[(i + 100) % n];
	}
	assert_int_equal(stats_summarize(x, n, &a), 0);
	assert_int_equal(stats_summarize(reversed, n, &b), 0);
	assert_int_equal(stats_summarize(rotated, n, &c), 0);
	assert_same_summary(&a, &b);
	assert_same_summary(&a, &c);
}

/*
 * {1, 2, 3, 4}: h = 3q. q = 0.25 -> h = 0.75 -> 1.75; q = 0.5 -> 2.5;
 * q = 0.9 -> h = 2.7 -> 3.7; the ends are min and max. Outside [0, 1] or with
 * no data the answer is NaN rather than a read past the array.
 */
static void test_quantile_sorted(void **state)
{
	const double x[] = { 1, 2, 3, 4 };
	const double one[] = { 7 };

	(void)state;
	assert_exact(stats_quantile_sorted(x, 4, 0.0), 1.0);
	assert_near(stats_quantile_sorted(x, 4, 0.25), 1.75, 1e-15);
	assert_near(stats_quantile_sorted(x, 4, 0.5), 2.5, 1e-15);
	assert_near(stats_quantile_sorted(x, 4, 0.9), 3.7, 1e-15);
	assert_exact(stats_quantile_sorted(x, 4, 1.0), 4.0);
	assert_exact(stats_quantile_sorted(one, 1, 0.0), 7.0);
	assert_exact(stats_quantile_sorted(one, 1, 0.999), 7.0);
	assert_exact(stats_quantile_sorted(one, 1, 1.0), 7.0);
	assert_true(isnan(stats_quantile_sorted(x, 0, 0.5)));
	assert_true(isnan(stats_quantile_sorted(x, 4, -0.01)));
	assert_true(isnan(stats_quantile_sorted(x, 4, 1.01)));
	assert_true(isnan(stats_quantile_sorted(x, 4, NAN)));
}

/*
 * Known distributions, drawn with a fixed seed (so the test is
 * deterministic): the exponential with rate 1 has median ln 2, p90 ln 10,
 * p99 ln 100, and MAD d with P(|X - ln 2| <= d) = 1/2; that probability is
 * F(ln 2 + d) - F(ln 2 - d) = (e^d - e^-d) / 2 = sinh d, so d = asinh(1/2)
 * = 0.48121.  The standard normal has median 0, MAD
 * 0.67449 (its quartile) and stddev 1.  With n = 200000 the sampling error
 * of each is well under the 1% tolerance used.
 */
static double *draw(gsl_rng *r, size_t n, bool exponential)
{
	double *v = malloc(n * sizeof(*v));

	assert_non_null(v);
	for (size_t i = 0; i < n; i++)
		v[i] = exponential ? gsl_ran_exponential(r, 1.0) : gsl_ran_gaussian(r, 1.0);
	return v;
}

static void test_known_distributions(void **state)
{
	const size_t n = 200000;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct stats_summary s;
	double *v;

	(void)state;
	gsl_rng_set(r, 42);
	v = draw(r, n, true);
	assert_int_equal(stats_summarize(v, n, &s), 0);
	assert_float_equal(s.p50, log(2.0), 0.01 * log(2.0));
	assert_float_equal(s.p90, log(10.0), 0.01 * log(10.0));
	assert_float_equal(s.p99, log(100.0), 0.02 * log(100.0));
	assert_float_equal(s.mean, 1.0, 0.01);
	assert_float_equal(s.stddev, 1.0, 0.01);
	assert_float_equal(s.mad, asinh(0.5), 0.01 * asinh(0.5));
	free(v);
	v = draw(r, n, false);
	assert_int_equal(stats_summarize(v, n, &s), 0);
	assert_float_equal(s.p50, 0.0, 0.01);
	assert_float_equal(s.mad, 0.6744898, 0.01 * 0.6744898);
	assert_float_equal(s.stddev, 1.0, 0.01);
	/* Tukey's 1.5 IQR fences leave 0.70% of a normal outside. */
	assert_in_range(s.outliers_low + s.outliers_high, n * 60 / 10000, n * 80 / 10000);
	free(v);
	gsl_rng_free(r);
}

/*
 * The confidence interval of the median must cover the true median about
 * 95% of the time: 2000 samples of 101 exponential draws each; the
 * binomial interval is conservative (at least 95%), and with 2000 trials
 * the observed rate lies within 93.5-98.5% unless the method is wrong.
 */
static void test_ci_coverage(void **state)
{
	const size_t trials = 2000, n = 101;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	size_t covered = 0;

	(void)state;
	gsl_rng_set(r, 7);
	for (size_t t = 0; t < trials; t++) {
		double *v = draw(r, n, true);
		struct stats_summary s;

		assert_int_equal(stats_summarize(v, n, &s), 0);
		covered += s.ci95_lo <= log(2.0) && log(2.0) <= s.ci95_hi;
		free(v);
	}
	assert_in_range(covered, trials * 935 / 1000, trials * 985 / 1000);
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_hundred),
		cmocka_unit_test(test_outliers),
		cmocka_unit_test(test_mad),
		cmocka_unit_test(test_ci_ranks),
		cmocka_unit_test(test_ci_brackets_median),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_input_untouched),
		cmocka_unit_test(test_order_independent),
		cmocka_unit_test(test_quantile_sorted),
		cmocka_unit_test(test_known_distributions),
		cmocka_unit_test(test_ci_coverage),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
