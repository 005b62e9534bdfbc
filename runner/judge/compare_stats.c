/* SPDX-License-Identifier: MIT */
/*
 * The statistics behind hvbench compare and hvbench gate: the Mann-Whitney U
 * test, a percentile bootstrap interval of the ratio of medians, and the
 * verdict. The U test's conventions (which U, which corrections, when the
 * exact distribution applies) follow scipy.stats.mannwhitneyu, so that its
 * figures can check ours.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort_double.h>
#include <gsl/gsl_statistics_double.h>

#include "compare_stats.h"
#include "stats.h"

static int all_finite(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return 0;
	return 1;
}

static int all_nonnegative(const double *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(isfinite(x[i]) && x[i] >= 0.0))
			return 0;
	return 1;
}

/* A sorted copy of x[0..n) in one allocation, or NULL. */
static double *sorted_copy(const double *x, size_t n)
{
	double *s;

	if (n > SIZE_MAX / sizeof(double))
		return NULL;
	s = malloc(n * sizeof(double));
	if (!s)
		return NULL;
	memcpy(s, x, n * sizeof(double));
	gsl_sort(s, 1, n);
	return s;
}

/*
 * The exact two-sided p-value, 2 P(U >= u_max), for samples of m and n values
 * without ties. Under the null hypothesis every choice of which m of the m + n
 * ranks belong to the first sample is equally likely, and the number of choices
 * giving U = u is the coefficient of q^u in the Gaussian binomial coefficient
 *	[m + n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
 * the closed form of Mann and Whitney's recurrence
 *	f(m, n, u) = f(m - 1, n, u - n) + f(m, n - 1, u).
 * The product is built a factor at a time: multiplying by 1 - q^k is a
 * subtraction at stride k, dividing by 1 - q^i a running sum at stride i, and
 * each partial product is itself a Gaussian binomial, so every step is exact
 * in integers. The counts are below C(40, 20) < 2^38 for m, n <= 20.
 * NaN if out of memory.
 */
static double mwu_exact_p(size_t m, size_t n, double u_max)
{
	/* The highest degree reached is that of the last multiplication. */
	size_t size = m * n + m + 1, deg = 0;
	int64_t *c = calloc(size, sizeof(*c));
	int64_t total = 0, tail = 0;

	if (!c)
		return NAN;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++) {
		size_t k = n + i;

		for (size_t u = deg + k; u >= k; u--)
			c[u] -= c[u - k];
		deg += k;
		/* Exact division: what lies above the new degree cancels to 0. */
		for (size_t u = i; u <= deg; u++)
			c[u] += c[u - i];
		deg -= i;
	}
	for (size_t u = 0; u <= deg; u++) {
		total += c[u];
		if ((double)u >= u_max)
			tail += c[u];
	}
	free(c);
	return fmin(1.0, 2.0 * (double)tail / (double)total);
}

/*
 * The normal approximation, as scipy's: U has mean n1 n2 / 2 and variance
 *	n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))),  n = n1 + n2,
 * t running over the sizes of the groups of tied values. The larger of U and
 * n1 n2 - U less 1/2 (the continuity correction, towards the mean) gives z, and
 * the p-value is twice the upper tail, capped at 1. When every value is the
 * same the variance is 0: nothing tells the samples apart, p = 1.
 */
static double mwu_asymptotic_p(size_t n1, size_t n2, double u_max, double tie_term)
{
	double nn = (double)n1 * (double)n2, n = (double)(n1 + n2);
	double var = nn / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));

	if (!(var > 0.0))
		return 1.0;
	return fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q((u_max - nn / 2.0 - 0.5) / sqrt(var)));
}

int cmp_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
		     struct cmp_mwu *out)
{
	double *sx, *sy, u = 0.0, tie_term = 0.0, u_max;
	size_t i = 0, j = 0;
	struct cmp_mwu r;

	if (n1 == 0 || n2 == 0 || !all_finite(x, n1) || !all_finite(y, n2))
		return -1;
	sx = sorted_copy(x, n1);
	sy = sorted_copy(y, n2);
	if (!sx || !sy)
		goto fail;

	/*
	 * Walk both sorted samples a group of equal values at a time: each x in
	 * a group beats the j values of y already passed and ties with the b
	 * of y in the group. The group's size t feeds the tie correction.
	 */
	r.ties = false;
	while (i < n1 || j < n2) {
		double v = (j == n2 || (i < n1 && sx[i] < sy[j])) ? sx[i] : sy[j];
		size_t a = 0, b = 0;
		double t;

		while (i + a < n1 && sx[i + a] == v)
			a++;
		while (j + b < n2 && sy[j + b] == v)
			b++;
		u += (double)a * (double)j + 0.5 * (double)a * (double)b;
		t = (double)(a + b);
		tie_term += t * t * t - t;
		if (a + b > 1)
			r.ties = true;
		i += a;
		j += b;
	}

	r.u = u;
	r.effect = u / ((double)n1 * (double)n2);
	u_max = fmax(u, (double)n1 * (double)n2 - u);
	r.p_asymptotic = mwu_asymptotic_p(n1, n2, u_max, tie_term);
	r.exact = !r.ties && n1 <= CMP_MWU_EXACT_MAX && n2 <= CMP_MWU_EXACT_MAX;
	r.p_exact = NAN;
	if (r.exact) {
		/* The distribution of U is the same with the samples swapped. */
		r.p_exact = mwu_exact_p(n1 < n2 ? n1 : n2, n1 < n2 ? n2 : n1, u_max);
		if (isnan(r.p_exact))
			goto fail;
	}
	r.p = r.exact ? r.p_exact : r.p_asymptotic;

	free(sx);
	free(sy);
	*out = r;
	return 0;
fail:
	free(sx);
	free(sy);
	return -1;
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64 spreads any seed, 0 included, over a state that is never all zero. */
void cmp_rng_seed(struct cmp_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ull);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		r->s[i] = z ^ (z >> 31);
	}
}

uint64_t cmp_rng_next(struct cmp_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/*
 * Lemire's multiply-and-shift: the high half of x * n is uniform in [0, n) once
 * the few x whose low half falls below 2^64 mod n are redrawn.
 */
uint64_t cmp_rng_below(struct cmp_rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)cmp_rng_next(r) * n;

	if ((uint64_t)m < n) {
		uint64_t threshold = -n % n;	/* 2^64 mod n */

		while ((uint64_t)m < threshold)
			m = (unsigned __int128)cmp_rng_next(r) * n;
	}
	return (uint64_t)(m >> 64);
}

/*
 * One side of the bootstrap: its samples sorted once, pooled, and for each
 * group the pooled positions of its samples in increasing order, so a draw of
 * "the j-th smallest sample of group g" is one table lookup.
 */
struct boot_side {
	double *sorted;		/* all samples, pooled and sorted */
	size_t n;
	size_t nr_groups;
	const size_t *ends;	/* the caller's group ends */
	size_t *pos;		/* group g's pooled positions: pos[start(g) .. ends[g]) */
	double median;
};

struct tagged {
	double v;
	size_t g;
};

static int tagged_cmp(const void *pa, const void *pb)
{
	const struct tagged *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (a->g > b->g) - (a->g < b->g);
}

static size_t group_start(const struct boot_side *s, size_t g)
{
	return g ? s->ends[g - 1] : 0;
}

/* 0, or -1 if the groups are malformed or out of memory. */
static int boot_side_init(struct boot_side *s, const struct cmp_groups *grp)
{
	struct tagged *t;
	size_t *fill;

	memset(s, 0, sizeof(*s));
	if (!grp->nr_groups || !grp->ends)
		return -1;
	s->n = grp->ends[grp->nr_groups - 1];
	s->nr_groups = grp->nr_groups;
	s->ends = grp->ends;
	for (size_t g = 0; g < grp->nr_groups; g++)
		if (grp->ends[g] <= (g ? grp->ends[g - 1] : 0))
			return -1;	/* empty, or ends not increasing */
	if (!all_nonnegative(grp->x, s->n) || s->n > SIZE_MAX / sizeof(*t))
		return -1;
	t = malloc(s->n * sizeof(*t));
	fill = calloc(s->nr_groups, sizeof(*fill));
	s->sorted = malloc(s->n * sizeof(*s->sorted));
	s->pos = malloc(s->n * sizeof(*s->pos));
	if (!t || !fill || !s->sorted || !s->pos) {
		free(t);
		free(fill);
		return -1;
	}
	for (size_t g = 0, i = 0; g < s->nr_groups; g++)
		for (; i < grp->ends[g]; i++)
			t[i] = (struct tagged){ grp->x[i], g };
	qsort(t, s->n, sizeof(*t), tagged_cmp);
	for (size_t p = 0; p < s->n; p++) {
		size_t g = t[p].g;

		s->sorted[p] = t[p].v;
		s->pos[group_start(s, g) + fill[g]++] = p;
	}
	s->median = gsl_stats_median_from_sorted_data(s->sorted, 1, s->n);
	free(t);
	free(fill);
	return 0;
}

static void boot_side_free(struct boot_side *s)
{
	free(s->sorted);
	free(s->pos);
}

/*
 * The median of one two-stage resample, without sorting it: draw nr_groups
 * groups with replacement, then from each drawn group as many samples as it
 * holds, with replacement; count how often each pooled position is drawn and
 * walk the counts to the middle rank(s). With one group the first stage is
 * skipped (it could only draw that group). counts has room for s->n entries.
 */
static double resample_median(const struct boot_side *s, size_t *counts, struct cmp_rng *rng)
{
	size_t m = 0, seen = 0, idx = 0, lo_rank, hi_rank;
	double lo;

	memset(counts, 0, s->n * sizeof(*counts));
	for (size_t k = 0; k < s->nr_groups; k++) {
		size_t g = s->nr_groups == 1 ? 0 : cmp_rng_below(rng, s->nr_groups);
		size_t start = group_start(s, g), n = s->ends[g] - start;

		for (size_t j = 0; j < n; j++)
			counts[s->pos[start + cmp_rng_below(rng, n)]]++;
		m += n;
	}
	lo_rank = (m - 1) / 2;
	hi_rank = m / 2;
	/* seen: how many drawn values lie at positions below idx. */
	while (seen + counts[idx] <= lo_rank)
		seen += counts[idx++];
	lo = s->sorted[idx];
	while (seen + counts[idx] <= hi_rank)
		seen += counts[idx++];
	return (lo + s->sorted[idx]) / 2.0;
}

/*
 * b's median over a's; a zero median of a (a resample of times rounded to
 * nothing) makes any positive b infinitely slower and an equal zero no change.
 */
static double median_ratio(double mb, double ma)
{
	if (ma > 0.0)
		return mb / ma;
	return mb > 0.0 ? INFINITY : 1.0;
}

/* The type-7 quantile of sorted ratios, some of which may be infinite. */
static double ratio_quantile(const double *sorted, size_t n, double q)
{
	double h = (n - 1) * q;
	size_t i = (size_t)h;

	if (i + 1 >= n || sorted[i] == sorted[i + 1])
		return sorted[i];
	return stats_quantile_sorted(sorted, n, q);
}

int cmp_ratio_ci_groups(const struct cmp_groups *a, const struct cmp_groups *b,
			unsigned resamples, double level, struct cmp_rng *rng,
			struct cmp_ratio *out)
{
	struct boot_side sa, sb;
	double *ratios = NULL;
	size_t *counts = NULL;
	struct cmp_ratio r;
	int ret = -1;

	if (resamples == 0 || !(level > 0.0 && level < 1.0))
		return -1;
	if (boot_side_init(&sa, a))
		return -1;
	if (boot_side_init(&sb, b))
		goto out_a;
	if (!(sa.median > 0.0))
		goto out;
	ratios = malloc(resamples * sizeof(*ratios));
	counts = malloc((sa.n > sb.n ? sa.n : sb.n) * sizeof(*counts));
	if (!ratios || !counts)
		goto out;

	r.ratio = sb.median / sa.median;
	for (unsigned k = 0; k < resamples; k++) {
		double ma = resample_median(&sa, counts, rng);

		ratios[k] = median_ratio(resample_median(&sb, counts, rng), ma);
	}
	gsl_sort(ratios, 1, resamples);
	r.lo = ratio_quantile(ratios, resamples, (1.0 - level) / 2.0);
	r.hi = ratio_quantile(ratios, resamples, (1.0 + level) / 2.0);
	*out = r;
	ret = 0;
out:
	free(ratios);
	free(counts);
	boot_side_free(&sb);
out_a:
	boot_side_free(&sa);
	return ret;
}

int cmp_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		 unsigned resamples, double level, struct cmp_rng *rng,
		 struct cmp_ratio *out)
{
	struct cmp_groups ga = { a, &na, 1 }, gb = { b, &nb, 1 };

	if (na == 0 || nb == 0)
		return -1;
	return cmp_ratio_ci_groups(&ga, &gb, resamples, level, rng, out);
}

/*
 * Both conditions, not either: the U test alone flags differences of a
 * fraction of a percent once there are thousands of samples, and the interval
 * alone says nothing about how the rest of the distribution moved. Comparisons
 * with NaN are false, so NaN anywhere falls through to no change.
 */
enum cmp_verdict cmp_verdict(const struct cmp_ratio *r, double p, double alpha,
			     double threshold_pct)
{
	double margin = threshold_pct / 100.0;

	if (!(p < alpha))
		return CMP_NO_CHANGE;
	if (r->lo > 1.0 + margin)
		return CMP_SLOWER;
	if (r->hi < 1.0 - margin)
		return CMP_FASTER;
	return CMP_NO_CHANGE;
}

const char *cmp_verdict_name(enum cmp_verdict v)
{
	switch (v) {
	case CMP_FASTER:
		return "faster";
	case CMP_SLOWER:
		return "slower";
	case CMP_NO_CHANGE:
		break;
	}
	return "no significant change";
}
