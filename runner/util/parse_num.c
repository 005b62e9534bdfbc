/* SPDX-License-Identifier: MIT */
/* The numbers compare, gate, baseline and the thresholds file take. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "parse_num.h"

int parse_double(const char *s, double lo, double hi, bool lo_open, double *out)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(x) || x > hi || x < lo || (lo_open && x == lo))
		return -1;
	*out = x;
	return 0;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return -1;
	*out = x;
	return 0;
}
