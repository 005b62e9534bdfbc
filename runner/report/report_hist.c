/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "report_hist.h"
#include "why.h"

/* A count: an integer in [0, HIST_MAX_COUNT]. */
static bool count_ok(const json_t *j)
{
	return json_is_integer(j) && json_integer_value(j) >= 0 &&
	       (uint64_t)json_integer_value(j) <= HIST_MAX_COUNT;
}

/* Room for n more buckets, within HIST_MAX_POOLED. */
static int hist_reserve(struct hist *h, size_t n, char *why, size_t len)
{
	struct hist_bucket *b;
	size_t cap;

	if (h->n + n > HIST_MAX_POOLED)
		return why_set(why, len, "", "more than %u buckets pooled", HIST_MAX_POOLED);
	if (h->n + n <= h->cap)
		return 0;
	cap = h->cap ? h->cap : 256;
	while (cap < h->n + n)
		cap *= 2;
	b = realloc(h->b, cap * sizeof(*b));
	if (!b)
		return why_set(why, len, "", "out of memory");
	h->b = b;
	h->cap = cap;
	return 0;
}

/*
 * The array of [bound, count] pairs, checked: at most HIST_MAX_BUCKETS,
 * bounds increasing, counts summing to at most HIST_MAX_COUNT with what is
 * pooled already.  bound_ok says whether one bound is acceptable.
 */
static int buckets_check(const struct hist *h, const json_t *buckets, uint64_t extra,
			 bool (*bound_ok)(const json_t *j), uint64_t *sum, char *why, size_t len)
{
	size_t n = json_array_size(buckets);
	double prev = -1;

	if (!json_is_array(buckets))
		return why_set(why, len, "", "buckets is not an array");
	if (n > HIST_MAX_BUCKETS)
		return why_set(why, len, "", "%zu buckets, more than the %u a histogram may have", n,
			      HIST_MAX_BUCKETS);
	*sum = extra;
	for (size_t i = 0; i < n; i++) {
		const json_t *b = json_array_get(buckets, i);
		const json_t *lo = json_array_get(b, 0), *c = json_array_get(b, 1);

		if (!json_is_array(b) || json_array_size(b) != 2)
			return why_set(why, len, "", "buckets[%zu] is not [lower_ns, count]", i);
		if (!bound_ok(lo))
			return why_set(why, len, "", "buckets[%zu]'s lower bound is not a bucket's", i);
		if (!count_ok(c))
			return why_set(why, len, "",
				      "buckets[%zu]'s count is not an integer from 0 to 2^53", i);
		if (json_number_value(lo) <= prev)
			return why_set(why, len, "", "buckets[%zu] is not above the one before", i);
		prev = json_number_value(lo);
		*sum += (uint64_t)json_integer_value(c);
		if (*sum > HIST_MAX_COUNT || h->total + *sum > HIST_MAX_COUNT)
			return why_set(why, len, "", "more than 2^53 samples");
	}
	return 0;
}

static bool sample_bound_ok(const json_t *j)
{
	double v = json_number_value(j);

	return json_is_number(j) && isfinite(v) && v > 0 && v < 1e300;
}

int hist_add_samples(struct hist *h, const json_t *j, char *why, size_t len)
{
	const json_t *e = json_object_get(j, "relative_error"), *zero = json_object_get(j, "zero");
	const json_t *buckets = json_object_get(j, "buckets"), *b;
	uint64_t sum;
	double rel;
	size_t i;

	if (!json_is_object(j))
		return why_set(why, len, "", "histogram is not an object");
	rel = json_number_value(e);
	if (!json_is_number(e) || !isfinite(rel) || rel <= 0 || rel > 1)
		return why_set(why, len, "", "histogram.relative_error is not a number in (0, 1]");
	if (!count_ok(zero))
		return why_set(why, len, "", "histogram.zero is not a count");
	if (buckets_check(h, buckets, (uint64_t)json_integer_value(zero), sample_bound_ok, &sum,
			  why, len) ||
	    hist_reserve(h, json_array_size(buckets), why, len))
		return -1;
	json_array_foreach(buckets, i, b) {
		double lo = json_number_value(json_array_get(b, 0));

		h->b[h->n++] = (struct hist_bucket){ lo, lo * (1 + rel),
			(uint64_t)json_integer_value(json_array_get(b, 1)) };
	}
	h->zero += (uint64_t)json_integer_value(zero);
	h->total += sum;
	if (rel > h->rel_err)
		h->rel_err = rel;
	return 0;
}

static bool probe_bound_ok(const json_t *j)
{
	return json_is_integer(j) && json_integer_value(j) >= 0 &&
	       (uint64_t)json_integer_value(j) < HIST_PROBE_MAX_NS;
}

/*
 * The end of the probe bucket that starts at lo (docs/probes.md): one ns
 * wide below 16 ns, an eighth of its power of two above.  A bound that is
 * not a bucket's start still gets a bucket of that width.
 */
static double probe_bucket_end(uint64_t lo)
{
	int p = 63 - __builtin_clzll(lo | 1);

	return (double)lo + (lo < 16 ? 1.0 : ldexp(1.0, p - 3));
}

int hist_add_probe(struct hist *h, const json_t *j, char *why, size_t len)
{
	const json_t *buckets = json_object_get(j, "buckets"), *max = json_object_get(j, "max_ns");
	const json_t *b;
	uint64_t sum;
	size_t i;

	if (!json_is_object(j))
		return why_set(why, len, "", "is not an object");
	if (max && (!json_is_number(max) || !isfinite(json_number_value(max)) ||
		    json_number_value(max) < 0))
		return why_set(why, len, "", "max_ns is not a number of ns");
	if (!buckets || json_is_null(buckets))
		return 0;
	if (buckets_check(h, buckets, 0, probe_bound_ok, &sum, why, len) ||
	    hist_reserve(h, json_array_size(buckets), why, len))
		return -1;
	json_array_foreach(buckets, i, b) {
		uint64_t lo = (uint64_t)json_integer_value(json_array_get(b, 0));

		h->b[h->n++] = (struct hist_bucket){ (double)lo, probe_bucket_end(lo),
			(uint64_t)json_integer_value(json_array_get(b, 1)) };
	}
	h->total += sum;
	if (max && json_number_value(max) > h->max)
		h->max = json_number_value(max);
	return 0;
}

static int bucket_cmp(const void *a, const void *b)
{
	const struct hist_bucket *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

void hist_finish(struct hist *h)
{
	size_t k = 0;

	if (!h->n)
		return;
	qsort(h->b, h->n, sizeof(*h->b), bucket_cmp);
	for (size_t i = 1; i < h->n; i++) {
		if (h->b[i].lo == h->b[k].lo && h->b[i].hi == h->b[k].hi)
			h->b[k].count += h->b[i].count;
		else
			h->b[++k] = h->b[i];
	}
	h->n = k + 1;
}

/* The value read for the sample of 0-based rank r: its bucket's geometric middle. */
static double rank_value(const struct hist *h, uint64_t r, size_t *at, uint64_t *below)
{
	if (r < h->zero)
		return 0;
	while (*at < h->n && *below + h->b[*at].count <= r)
		*below += h->b[(*at)++].count;
	if (*at == h->n)
		return h->b[h->n - 1].hi;
	return sqrt(h->b[*at].lo * h->b[*at].hi);
}

double hist_quantile(const struct hist *h, double q)
{
	uint64_t below;
	double pos, lo, hi, v;
	size_t at = 0;
	uint64_t j;

	if (!h->total || !(q >= 0 && q <= 1))
		return NAN;
	pos = q * (double)(h->total - 1);
	j = (uint64_t)pos;
	below = h->zero;
	lo = rank_value(h, j, &at, &below);
	hi = j + 1 < h->total ? rank_value(h, j + 1, &at, &below) : lo;
	v = lo + (pos - (double)j) * (hi - lo);
	return h->max > 0 && v > h->max ? h->max : v;
}

void hist_free(struct hist *h)
{
	free(h->b);
	*h = (struct hist){ 0 };
}
