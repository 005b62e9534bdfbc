/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "histogram.h"

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Samples below 1 ns share the zero bucket: log would make them unbounded. */
json_t *histogram_json(const double *samples, size_t n)
{
	const double base = log1p(HISTOGRAM_RELATIVE_ERROR);
	int64_t *k = malloc((n ? n : 1) * sizeof(*k));
	json_t *buckets = json_array();
	size_t zero = 0, m = 0;

	if (!k || !buckets) {
		free(k);
		json_decref(buckets);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (samples[i] < 1.0)
			zero++;
		else
			k[m++] = (int64_t)floor(log(samples[i]) / base);
	}
	qsort(k, m, sizeof(*k), cmp_i64);
	for (size_t i = 0; i < m;) {
		size_t j = i;

		while (j < m && k[j] == k[i])
			j++;
		json_array_append_new(buckets, json_pack("[f, I]", exp((double)k[i] * base),
							 (json_int_t)(j - i)));
		i = j;
	}
	free(k);
	return json_pack("{s:f, s:I, s:o}", "relative_error", HISTOGRAM_RELATIVE_ERROR, "zero",
			 (json_int_t)zero, "buckets", buckets);
}
