/* SPDX-License-Identifier: MIT */
/*
 * The results file's histogram: every sample counted once, buckets in
 * order, and a quantile read back from the buckets within the promised
 * relative error of the quantile of the raw samples.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "histogram.h"
#include "stats.h"

/* The lower bound of the bucket holding the q-quantile (nearest rank). */
static double bucket_quantile(const json_t *h, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n), seen = json_integer_value(json_object_get(h, "zero"));
	const json_t *buckets = json_object_get(h, "buckets");
	size_t i;
	json_t *b;

	if (seen >= rank)
		return 0;
	json_array_foreach(buckets, i, b) {
		seen += json_integer_value(json_array_get(b, 1));
		if (seen >= rank)
			return json_real_value(json_array_get(b, 0));
	}
	return NAN;
}

static void test_counts_and_order(void **state)
{
	const double v[] = { 0.0, 0.5, 1.0, 1.004, 1.006, 100.0, 100.0, 1e9 };
	const size_t n = sizeof(v) / sizeof(v[0]);
	json_t *h = histogram_json(v, n), *b;
	size_t total, i;
	double prev = 0;

	(void)state;
	assert_non_null(h);
	assert_int_equal(json_integer_value(json_object_get(h, "zero")), 2);
	total = 2;
	json_array_foreach(json_object_get(h, "buckets"), i, b) {
		double lo = json_real_value(json_array_get(b, 0));

		assert_true(lo > prev);
		prev = lo;
		total += json_integer_value(json_array_get(b, 1));
	}
	assert_int_equal(total, n);
	/* 1.0 and 1.004 share the first bucket [1, 1.005); 1.006 is in the next. */
	b = json_array_get(json_object_get(h, "buckets"), 0);
	assert_int_equal(json_integer_value(json_array_get(b, 1)), 2);
	assert_float_equal(json_real_value(json_array_get(b, 0)), 1.0, 1e-12);
	json_decref(h);
}

static void test_quantiles_within_error(void **state)
{
	const size_t n = 100000;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *v = malloc(n * sizeof(*v)), *sorted = malloc(n * sizeof(*sorted));
	const double qs[] = { 0.01, 0.5, 0.9, 0.99, 0.999 };
	json_t *h;

	(void)state;
	assert_non_null(v);
	assert_non_null(sorted);
	gsl_rng_set(r, 3);
	for (size_t i = 0; i < n; i++)
		v[i] = sorted[i] = 5000.0 * gsl_ran_lognormal(r, 0.0, 0.5);
	h = histogram_json(v, n);
	assert_non_null(h);
	stats_median_inplace(sorted, n);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double exact = sorted[(size_t)ceil(qs[i] * n) - 1];
		double lo = bucket_quantile(h, n, qs[i]);

		assert_true(lo <= exact * (1 + 1e-12));
		assert_true(exact < lo * (1 + HISTOGRAM_RELATIVE_ERROR) * (1 + 1e-12));
	}
	json_decref(h);
	free(v);
	free(sorted);
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_order),
		cmocka_unit_test(test_quantiles_within_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
