/* SPDX-License-Identifier: MIT */
/*
 * hvbench report's histograms: a cell's repetitions' sample histograms,
 * written by the runner and read back from the file's text, pooled, give
 * every quantile within the stated relative error of the exact quantile
 * of all the samples; the probes' log2-linear buckets; and hostile
 * histograms refused whole, with a reason, leaving the pool as it was.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "histogram.h"
#include "report_hist.h"
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A repetition's histogram as the results file holds it: 10 significant digits. */
static json_t *histogram_as_read(const double *v, size_t n)
{
	json_t *h = histogram_json(v, n), *back;
	char *text;

	assert_non_null(h);
	text = json_dumps(h, JSON_REAL_PRECISION(10));
	assert_non_null(text);
	back = json_loads(text, 0, NULL);
	assert_non_null(back);
	free(text);
	json_decref(h);
	return back;
}

/*
 * Five repetitions of different sizes and distributions (a bimodal cell,
 * some samples under 1 ns), pooled: each quantile is within a factor
 * sqrt(1 + e) of the exact type-7 quantile of all the samples.
 */
static void test_pooled_quantiles(void **state)
{
	const size_t sizes[] = { 20000, 3000, 777, 15000, 1 };
	const double qs[] = { 0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1 };
	const double bound = sqrt(1 + HISTOGRAM_RELATIVE_ERROR) * (1 + 1e-9);
	size_t total = 0, k = 0;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct hist h = { 0 };
	double *all;
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		total += sizes[i];
	all = malloc(total * sizeof(*all));
	assert_non_null(all);
	gsl_rng_set(r, 11);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double *v = all + k;
		json_t *j;

		for (size_t s = 0; s < sizes[i]; s++)
			v[s] = (i % 2 ? 9000.0 : 1200.0) * gsl_ran_lognormal(r, 0, 0.3 + 0.1 * i) +
			       (s % 97 == 0 ? 1e5 : 0);
		if (i == 2)
			v[0] = v[1] = 0.25;
		j = histogram_as_read(v, sizes[i]);
		assert_int_equal(hist_add_samples(&h, j, why, sizeof(why)), 0);
		json_decref(j);
		k += sizes[i];
	}
	hist_finish(&h);
	assert_int_equal(h.total, total);
	assert_int_equal(h.zero, 2);
	qsort(all, total, sizeof(*all), cmp_double);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double exact = stats_quantile_sorted(all, total, qs[i]);
		double got = hist_quantile(&h, qs[i]);

		if (exact < 1) {
			/* The zero bucket's samples read as 0: within 1 ns. */
			assert_true(fabs(got - exact) < 1);
			continue;
		}
		assert_true(got <= exact * bound);
		assert_true(got >= exact / bound);
	}
	/* Buckets of the same bounds from different repetitions were merged. */
	for (size_t i = 1; i < h.n; i++)
		assert_true(h.b[i].lo > h.b[i - 1].lo);
	assert_true(isnan(hist_quantile(&h, 1.5)));
	hist_free(&h);
	free(all);
	gsl_rng_free(r);
}

static void test_empty(void **state)
{
	struct hist h = { 0 };
	char why[160];
	json_t *j = json_pack("{s:f, s:i, s:[]}", "relative_error", 0.005, "zero", 0, "buckets");

	(void)state;
	assert_int_equal(hist_add_samples(&h, j, why, sizeof(why)), 0);
	hist_finish(&h);
	assert_int_equal(h.total, 0);
	assert_true(isnan(hist_quantile(&h, 0.5)));
	json_decref(j);
	hist_free(&h);
}

/* Each hostile histogram is refused whole with its reason; what was pooled stays. */
static void test_hostile(void **state)
{
	static const struct {
		const char *json, *why;
	} bad[] = {
		{ "[1, 2]", "histogram is not an object" },
		{ "{\"relative_error\": 0, \"zero\": 0, \"buckets\": []}", "relative_error" },
		{ "{\"relative_error\": 2, \"zero\": 0, \"buckets\": []}", "relative_error" },
		{ "{\"relative_error\": 0.005, \"zero\": -1, \"buckets\": []}",
		  "zero is not a count" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": {}}", "not an array" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[1, 1], [1, 1]]}",
		  "buckets[1] is not above" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[5, 1], [2, 1]]}",
		  "buckets[1] is not above" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[-3, 1]]}",
		  "lower bound" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[\"7\", 1]]}",
		  "lower bound" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[7, 1.5]]}", "count" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[7, -1]]}", "count" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[7]]}",
		  "not [lower_ns, count]" },
		{ "{\"relative_error\": 0.005, \"zero\": 0, \"buckets\": [[7, 1000000000000000000]]}",
		  "count" },
		{ "{\"relative_error\": 0.005, \"zero\": 9007199254740992, \"buckets\": [[7, 1]]}",
		  "more than 2^53" },
	};
	struct hist h = { 0 };
	json_t *good = json_pack("{s:f, s:i, s:[[f, i]]}", "relative_error", 0.005, "zero", 1,
				 "buckets", 100.0, 3);
	char why[160];

	(void)state;
	assert_int_equal(hist_add_samples(&h, good, why, sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_loads(bad[i].json, JSON_DECODE_ANY, NULL);

		assert_non_null(j);
		why[0] = '\0';
		assert_int_equal(hist_add_samples(&h, j, why, sizeof(why)), -1);
		if (!strstr(why, bad[i].why))
			fail_msg("%s: got '%s', want '%s'", bad[i].json, why, bad[i].why);
		assert_int_equal(h.n, 1);
		assert_int_equal(h.total, 4);
		json_decref(j);
	}
	json_decref(good);
	hist_free(&h);
}

/* More buckets than a histogram may have: refused before any is pooled. */
static void test_too_many_buckets(void **state)
{
	json_t *buckets = json_array(), *j;
	struct hist h = { 0 };
	char why[160];

	(void)state;
	for (size_t i = 0; i <= HIST_MAX_BUCKETS; i++)
		json_array_append_new(buckets, json_pack("[f, i]", 1.0 + (double)i, 1));
	j = json_pack("{s:f, s:i, s:o}", "relative_error", 0.005, "zero", 0, "buckets", buckets);
	assert_int_equal(hist_add_samples(&h, j, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more than the 65536"));
	assert_int_equal(h.n, 0);
	assert_null(h.b);
	json_decref(j);
}

/* The probes' buckets: [(8 + b % 8) << (b / 8 - 1), (9 + b % 8) << (b / 8 - 1)), 1 ns below 16. */
static void test_probe_buckets(void **state)
{
	struct hist h = { 0 };
	char why[160];
	json_t *j = json_loads("{\"count\": 111, \"max_ns\": 9999, \"buckets\": "
			       "[[0, 1], [15, 10], [9216, 100]]}", 0, NULL);

	(void)state;
	assert_int_equal(hist_add_probe(&h, j, why, sizeof(why)), 0);
	hist_finish(&h);
	assert_int_equal(h.total, 111);
	assert_float_equal(h.b[0].hi, 1, 0);
	assert_float_equal(h.b[1].hi, 16, 0);
	/* Bucket 89 is [9216, 10240) (docs/probes.md). */
	assert_float_equal(h.b[2].lo, 9216, 0);
	assert_float_equal(h.b[2].hi, 10240, 0);
	/* The median is in [9216, 10240), within its 12.5%, and capped at max_ns. */
	assert_true(hist_quantile(&h, 0.5) >= 9216 && hist_quantile(&h, 0.5) <= 9999);
	assert_true(hist_quantile(&h, 1) <= 9999);
	assert_float_equal(hist_quantile(&h, 0), 0, 0);
	json_decref(j);
	/* Absent or null buckets: nothing pooled, no error. */
	j = json_loads("{\"count\": 0, \"buckets\": null}", 0, NULL);
	assert_int_equal(hist_add_probe(&h, j, why, sizeof(why)), 0);
	json_decref(j);
	/* Past 2^40 ns is not a probe bucket. */
	j = json_loads("{\"count\": 1, \"buckets\": [[1099511627776, 1]]}", 0, NULL);
	assert_int_equal(hist_add_probe(&h, j, why, sizeof(why)), -1);
	assert_int_equal(h.total, 111);
	json_decref(j);
	j = json_loads("{\"count\": 1, \"max_ns\": \"big\", \"buckets\": [[8, 1]]}", 0, NULL);
	assert_int_equal(hist_add_probe(&h, j, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "max_ns"));
	json_decref(j);
	hist_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pooled_quantiles),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_too_many_buckets),
		cmocka_unit_test(test_probe_buckets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
