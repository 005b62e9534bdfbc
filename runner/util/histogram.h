/* SPDX-License-Identifier: MIT */
/*
 * A histogram with bounded relative error: bucket k holds the samples in
 * [(1 + e)^k, (1 + e)^(k+1)), so any quantile read back from it is within
 * a factor (1 + e) of the true one.  It keeps every sample of a repetition
 * in a few hundred numbers where the raw samples would be tens of
 * thousands, so results files stay small enough to rewrite after every
 * repetition while any percentile can still be computed later.
 */
#ifndef HISTOGRAM_H
#define HISTOGRAM_H

#include <jansson.h>
#include <stddef.h>

#define HISTOGRAM_RELATIVE_ERROR 0.005

/*
 * {"relative_error": e, "zero": count of samples < 1 ns,
 *  "buckets": [[lower_ns, count], ...]} in increasing order, empty buckets
 * left out.  NULL when out of memory.
 */
json_t *histogram_json(const double *samples, size_t n);

#endif
