/* SPDX-License-Identifier: MIT */
/*
 * hvbench compare's and gate's statistics against figures computed elsewhere.
 *
 * Mann-Whitney U: scipy 1.10.1 (Debian 12's python3-scipy), each figure
 * produced by
 *	scipy.stats.mannwhitneyu(x, y, alternative='two-sided',
 *				 method='asymptotic', use_continuity=True)
 * for p_asymptotic and
 *	scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='exact')
 * for p_exact, statistic giving U; the effect size is U / (n1 n2), checked by
 * brute force over all pairs where there are ties. Small cases are also derived
 * by hand beside them.
 *
 * Bootstrap: the splitmix64 state for seed 0 is the generator's published
 * output; the xoshiro256** outputs, the bounded draws and two whole intervals
 * come from a separate Python implementation of the same algorithm (which
 * sorts each resample rather than counting draws), kept beside the numbers.
 * Coverage is checked by simulation with a known ratio.
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

#include "compare_stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Like assert_float_equal, but says which expression and prints every digit. */
#define assert_near(actual, expected, eps)						\
	do {										\
		double a_ = (actual), e_ = (expected);					\
		if (!(fabs(a_ - e_) <= (eps)))						\
			fail_msg("%s = %.17g, expected %.17g", #actual, a_, e_);	\
	} while (0)
#define assert_exact(actual, expected) assert_near(actual, expected, 0.0)
/* Relative, for p-values that span many orders of magnitude. */
#define assert_rel(actual, expected, rel) assert_near(actual, expected, (rel) * fabs(expected))

/* Every scipy figure is matched to this relative error. */
#define REL 1e-9

/* x_i = (i * 37 mod 101) + 0.25, distinct for i < 101. */
static void fill_x(double *x, size_t n, double offset)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (double)(i * 37 % 101) + offset;
}

/* y_j = (j * 53 mod 97) + offset, distinct for j < 97. */
static void fill_y(double *y, size_t n, double offset)
{
	for (size_t j = 0; j < n; j++)
		y[j] = (double)(j * 53 % 97) + offset;
}

/*
 * x = {1, 2, 3}, y = {4, 5, 6}: every x below every y, U = 0. Of the C(6, 3)
 * = 20 equally likely rank sets only {1, 2, 3} gives U = 0 and only {4, 5, 6}
 * gives U = 9, so the exact two-sided p = 2 / 20 = 0.1. Swapping the samples
 * gives U = 9, effect 1 and the same p-values.
 *	asymptotic: 0.08085559837005224
 */
static void test_separated_three(void **state)
{
	const double x[] = { 3, 1, 2 }, y[] = { 5, 6, 4 };
	struct cmp_mwu r;

	(void)state;
	assert_int_equal(cmp_mann_whitney(x, 3, y, 3, &r), 0);
	assert_exact(r.u, 0.0);
	assert_exact(r.effect, 0.0);
	assert_true(r.exact);
	assert_false(r.ties);
	assert_rel(r.p_exact, 0.1, REL);
	assert_rel(r.p_asymptotic, 0.08085559837005224, REL);
	assert_exact(r.p, r.p_exact);

	assert_int_equal(cmp_mann_whitney(y, 3, x, 3, &r), 0);
	assert_exact(r.u, 9.0);
	assert_exact(r.effect, 1.0);
	assert_rel(r.p_exact, 0.1, REL);
	assert_rel(r.p_asymptotic, 0.08085559837005224, REL);
}

/*
 * Completely separated samples of every size up to 20 x 20: only the two
 * extreme rank sets reach U = 0 or U = m n, so the exact p is 2 / C(m + n, m)
 * (capped at 1 for m = n = 1). At 20 x 20 that is 2 / 137846528820, which
 * checks the exact counts at their largest.
 */
static void test_separated_exact(void **state)
{
	double x[CMP_MWU_EXACT_MAX], y[CMP_MWU_EXACT_MAX];
	struct cmp_mwu r;

	(void)state;
	for (size_t i = 0; i < CMP_MWU_EXACT_MAX; i++) {
		x[i] = (double)i;
		y[i] = 100.0 + (double)i;
	}
	for (size_t m = 1; m <= CMP_MWU_EXACT_MAX; m++) {
		for (size_t n = 1; n <= CMP_MWU_EXACT_MAX; n++) {
			double choose = 1.0;

			/* C(m + n, m) = prod_{i=1..m} (n + i) / i, exact in doubles here. */
			for (size_t i = 1; i <= m; i++)
				choose = choose * (double)(n + i) / (double)i;
			assert_int_equal(cmp_mann_whitney(y, n, x, m, &r), 0);
			assert_exact(r.u, (double)(m * n));
			assert_true(r.exact);
			assert_rel(r.p_exact, fmin(1.0, 2.0 / choose), 1e-12);
		}
	}
	assert_int_equal(cmp_mann_whitney(x, 20, y, 20, &r), 0);
	assert_rel(r.p_exact, 2.0 / 137846528820.0, 1e-12);
}

/* Cases without ties that take the exact path: scipy's three figures each. */
static void test_scipy_no_ties(void **state)
{
	/* Shier (2004), also scipy's docstring example: U = 17, exact p = 1/9. */
	static const double males[] = { 19, 22, 16, 29, 24 }, females[] = { 20, 11, 17, 12 };
	/* One sample of one value, above all five: exact p = 2 / C(6, 1) = 1/3. */
	static const double one[] = { 10 }, five[] = { 1, 2, 3, 4, 5 };
	static const double a7[] = { 0.91, 1.37, 0.42, 2.05, 1.66, 0.77, 1.12 };
	static const double b13[] = { 1.51, 2.44, 1.09, 1.98, 2.71, 0.63, 1.84,
				      2.29, 1.45, 3.02, 1.70, 2.16, 1.27 };
	static double x20[20], y20[20], y20s[20];
	const struct {
		const double *x, *y;
		size_t n1, n2;
		double u, p_exact, p_asymptotic;
	} cases[] = {
		{ males, females, 5, 4, 17, 0.1111111111111111, 0.11134688653314041 },
		{ one, five, 1, 5, 5, 0.3333333333333333, 0.24156658696897293 },
		{ a7, b13, 7, 13, 20, 0.045562435500515995, 0.04758318529100381 },
		/* x_i = (i*37 % 101) + 0.25, y_j = (j*53 % 97) + 10.5, i, j < 20 */
		{ x20, y20, 20, 20, 185, 0.6980275512025765, 0.6948910198677665 },
		/* the same with y_j = (j*53 % 97) + 40.5 */
		{ x20, y20s, 20, 20, 84, 0.0012909705563378723, 0.001782375537505441 },
	};
	struct cmp_mwu r;

	(void)state;
	fill_x(x20, 20, 0.25);
	fill_y(y20, 20, 10.5);
	fill_y(y20s, 20, 40.5);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		assert_int_equal(cmp_mann_whitney(cases[c].x, cases[c].n1, cases[c].y, cases[c].n2, &r), 0);
		assert_exact(r.u, cases[c].u);
		assert_rel(r.effect, cases[c].u / (double)(cases[c].n1 * cases[c].n2), 1e-15);
		assert_false(r.ties);
		assert_true(r.exact);
		assert_rel(r.p_exact, cases[c].p_exact, REL);
		assert_rel(r.p_asymptotic, cases[c].p_asymptotic, REL);
		assert_exact(r.p, r.p_exact);
	}
}

/*
 * One more sample than CMP_MWU_EXACT_MAX: the asymptotic p is the one used.
 * x_i = (i*37 % 101) + 0.25 (i < 21), y_j = (j*53 % 97) + 10.5 (j < 20):
 * U = 191, asymptotic 0.6294383760828808.
 */
static void test_exact_limit(void **state)
{
	double x[21], y[20];
	struct cmp_mwu r;

	(void)state;
	fill_x(x, 21, 0.25);
	fill_y(y, 20, 10.5);
	assert_int_equal(cmp_mann_whitney(x, 21, y, 20, &r), 0);
	assert_exact(r.u, 191.0);
	assert_false(r.exact);
	assert_true(isnan(r.p_exact));
	assert_rel(r.p_asymptotic, 0.6294383760828808, REL);
	assert_exact(r.p, r.p_asymptotic);
}

/*
 * Ties: only the normal approximation, with the tie-corrected variance.
 * x = {1, 2, 2, 3, 3, 3, 4}, y = {2, 3, 3, 4, 4, 5}. By hand, x's wins plus
 * half its ties: 1: 0; each 2: 0.5 (tie with 2); each 3: 1 + 1 (beats 2, ties
 * the two 3s); 4: 3 + 1. U = 2 * 0.5 + 3 * 2 + 4 = 11, effect 11 / 42.
 * scipy asymptotic: 0.15778541051796502.
 */
static void test_ties_small(void **state)
{
	const double x[] = { 3, 1, 2, 4, 3, 2, 3 }, y[] = { 4, 2, 3, 5, 3, 4 };
	struct cmp_mwu r;

	(void)state;
	assert_int_equal(cmp_mann_whitney(x, ARRAY_SIZE(x), y, ARRAY_SIZE(y), &r), 0);
	assert_exact(r.u, 11.0);
	assert_rel(r.effect, 11.0 / 42.0, 1e-15);
	assert_true(r.ties);
	assert_false(r.exact);
	assert_true(isnan(r.p_exact));
	assert_rel(r.p_asymptotic, 0.15778541051796502, REL);
	assert_exact(r.p, r.p_asymptotic);
}

/*
 * Larger samples with ties, as scipy computes them.
 *	x_i = i*37 % 101 (i < 200, each value about twice), y_j = j*53 % 97 + 3
 *	(j < 150): U = 14967, p = 0.9723220369206801; with + 15 instead of + 3,
 *	U = 11563.5, p = 0.0002442941080520458.
 *	x_i = i % 7 (i < 300), y_j = j % 5 + 2 (j < 250), a handful of values
 *	each tied dozens of times: U = 26650, p = 3.2025137324025724e-09 (without
 *	the continuity correction scipy gives 3.1972039112751377e-09, so the
 *	match checks it is there); brute force over the pairs: effect
 *	0.35533333333333333.
 */
static void test_ties_large(void **state)
{
	static double x[300], y[250];
	struct cmp_mwu r;

	(void)state;
	fill_x(x, 200, 0.0);
	fill_y(y, 150, 3.0);
	assert_int_equal(cmp_mann_whitney(x, 200, y, 150, &r), 0);
	assert_exact(r.u, 14967.0);
	assert_true(r.ties);
	assert_rel(r.p, 0.9723220369206801, REL);

	fill_y(y, 150, 15.0);
	assert_int_equal(cmp_mann_whitney(x, 200, y, 150, &r), 0);
	assert_exact(r.u, 11563.5);
	assert_rel(r.p, 0.0002442941080520458, REL);

	for (size_t i = 0; i < 300; i++)
		x[i] = (double)(i % 7);
	for (size_t j = 0; j < 250; j++)
		y[j] = (double)(j % 5 + 2);
	assert_int_equal(cmp_mann_whitney(x, 300, y, 250, &r), 0);
	assert_exact(r.u, 26650.0);
	assert_rel(r.effect, 0.35533333333333333, 1e-15);
	assert_rel(r.p, 3.2025137324025724e-09, REL);
}

/*
 * Samples that cannot be told apart give p = 1 and effect 1/2: all values equal
 * (tie variance 0; U = 16 / 2 = 8), and the same values in another order
 * (U = 25 / 2 = 12.5, exactly the mean). scipy gives p = 1.0 for both.
 */
static void test_identical(void **state)
{
	const double c[] = { 5, 5, 5, 5 };
	const double x[] = { 1, 2, 3, 4, 5 }, y[] = { 5, 4, 3, 2, 1 };
	struct cmp_mwu r;

	(void)state;
	assert_int_equal(cmp_mann_whitney(c, 4, c, 4, &r), 0);
	assert_exact(r.u, 8.0);
	assert_exact(r.effect, 0.5);
	assert_exact(r.p, 1.0);
	assert_int_equal(cmp_mann_whitney(x, 5, y, 5, &r), 0);
	assert_exact(r.u, 12.5);
	assert_exact(r.effect, 0.5);
	assert_exact(r.p, 1.0);
}

static void test_mwu_rejected(void **state)
{
	const double ok[] = { 1, 2, 3 };
	const double nan_[] = { 1, NAN, 3 }, inf[] = { 1, 2, -INFINITY };
	struct cmp_mwu r, before;

	(void)state;
	memset(&r, 0x5a, sizeof(r));
	before = r;
	assert_int_equal(cmp_mann_whitney(ok, 0, ok, 3, &r), -1);
	assert_int_equal(cmp_mann_whitney(ok, 3, ok, 0, &r), -1);
	assert_int_equal(cmp_mann_whitney(nan_, 3, ok, 3, &r), -1);
	assert_int_equal(cmp_mann_whitney(ok, 3, inf, 3, &r), -1);
	assert_memory_equal(&r, &before, sizeof(r));
}

/*
 * splitmix64 from 0 gives e220a8397b1dcdaf 6e789e6aa1b965f4 06c45d188009454f
 * f88bb8a8724c81ec (its published first outputs), which are the state. The
 * rest, from the Python implementation beside the bootstrap case below:
 *	X(0): [hex(x.next()) for _ in range(4)]
 *	X(12345): [x.below(10) for _ in range(10)]
 *	X(7): [x.below(2**63 + 1) for _ in range(6)], which takes 12 draws:
 *	2^64 mod n = 2^63 - 1, so about half the draws are rejected.
 */
static void test_rng_reference(void **state)
{
	static const uint64_t splitmix0[] = {
		0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull,
		0x06c45d188009454full, 0xf88bb8a8724c81ecull,
	};
	static const uint64_t xoshiro0[] = {
		0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull,
		0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull,
	};
	static const uint64_t below10[] = { 7, 1, 9, 0, 5, 0, 1, 2, 3, 9 };
	static const uint64_t below_big[] = {
		0x59ac7d7ba77cbb2dull, 0x6b78e9a4ca963ccbull, 0x7d949c398f403920ull,
		0x7ed482763f2a018cull, 0x136eb5d000c700b1ull, 0x5dad879c48f94fecull,
	};
	struct cmp_rng r, counted;

	(void)state;
	cmp_rng_seed(&r, 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(r.s[i], splitmix0[i]);
	for (size_t i = 0; i < ARRAY_SIZE(xoshiro0); i++)
		assert_int_equal(cmp_rng_next(&r), xoshiro0[i]);
	cmp_rng_seed(&r, 12345);
	for (size_t i = 0; i < ARRAY_SIZE(below10); i++)
		assert_int_equal(cmp_rng_below(&r, 10), below10[i]);
	cmp_rng_seed(&r, 7);
	for (size_t i = 0; i < ARRAY_SIZE(below_big); i++)
		assert_int_equal(cmp_rng_below(&r, (1ull << 63) + 1), below_big[i]);
	cmp_rng_seed(&counted, 7);
	for (int i = 0; i < 12; i++)
		cmp_rng_next(&counted);
	assert_memory_equal(&r, &counted, sizeof(r));
}

/* a_i = 100 + (i*37 % 101), i < 31 (odd count); b_j = 110 + 1.1 (j*53 % 97), j < 24 (even). */
static void fill_boot(double *a, double *b)
{
	for (size_t i = 0; i < 31; i++)
		a[i] = 100.0 + (double)(i * 37 % 101);
	for (size_t j = 0; j < 24; j++)
		b[j] = 110.0 + 1.1 * (double)(j * 53 % 97);
}

/*
 * The whole interval against the Python implementation (boot(a, b, 2000, 0.95,
 * seed)): ratio 1.0670000000000002 (median(a) = 200, median(b) = 213.4);
 * seed 42 gives [0.8878963671358115, 1.2542749999999987], seed 43
 * [0.8904595086442221, 1.2692387218045111].
 *
 *	def boot(a, b, R, level, seed):
 *	    r = X(seed); sa = sorted(a); sb = sorted(b); rat = []
 *	    for _ in range(R):
 *	        ma = median([sa[r.below(len(sa))] for _ in sa])
 *	        mb = median([sb[r.below(len(sb))] for _ in sb])
 *	        rat.append(mb / ma)
 *	    rat.sort()
 *	    return median(b) / median(a), q7(rat, (1 - level) / 2), q7(rat, (1 + level) / 2)
 *	median(v): v sorted, (v[(n - 1) // 2] + v[n // 2]) / 2.0
 *	q7(s, q): h = q * (len(s) - 1); l = int(h); d = h - l;
 *	          s[l] if l == len(s) - 1 else (1 - d) * s[l] + d * s[l + 1]
 *	X: splitmix64 seeding, xoshiro256** next(), below(n):
 *	    m = next() * n; if m % 2**64 < n: t = 2**64 % n; redraw while m % 2**64 < t; m >> 64
 */
static void test_ratio_ci_reference(void **state)
{
	double a[31], b[24];
	struct cmp_ratio ci;
	struct cmp_rng r;

	(void)state;
	fill_boot(a, b);
	cmp_rng_seed(&r, 42);
	assert_int_equal(cmp_ratio_ci(a, 31, b, 24, 2000, 0.95, &r, &ci), 0);
	assert_rel(ci.ratio, 1.0670000000000002, 1e-15);
	assert_rel(ci.lo, 0.8878963671358115, 1e-12);
	assert_rel(ci.hi, 1.2542749999999987, 1e-12);
	cmp_rng_seed(&r, 43);
	assert_int_equal(cmp_ratio_ci(a, 31, b, 24, 2000, 0.95, &r, &ci), 0);
	assert_rel(ci.lo, 0.8904595086442221, 1e-12);
	assert_rel(ci.hi, 1.2692387218045111, 1e-12);
}

/*
 * Same seed, same interval, bit for bit, whatever the order of the samples,
 * and the generator left in the same state; another seed, another interval.
 */
static void test_ratio_ci_reproducible(void **state)
{
	double a[31], b[24], ar[31], br[24];
	struct cmp_ratio c1, c2, c3;
	struct cmp_rng r1, r2, r3;

	(void)state;
	fill_boot(a, b);
	for (size_t i = 0; i < 31; i++)
		ar[i] = a[30 - i];
	for (size_t j = 0; j < 24; j++)
		br[j] = b[(j * 5) % 24];	/* gcd(5, 24) == 1: a permutation */
	cmp_rng_seed(&r1, 2024);
	cmp_rng_seed(&r2, 2024);
	cmp_rng_seed(&r3, 2025);
	assert_int_equal(cmp_ratio_ci(a, 31, b, 24, 2000, 0.95, &r1, &c1), 0);
	assert_int_equal(cmp_ratio_ci(ar, 31, br, 24, 2000, 0.95, &r2, &c2), 0);
	assert_int_equal(cmp_ratio_ci(a, 31, b, 24, 2000, 0.95, &r3, &c3), 0);
	assert_memory_equal(&c1, &c2, sizeof(c1));
	assert_memory_equal(&r1, &r2, sizeof(r1));
	assert_exact(c3.ratio, c1.ratio);
	assert_true(c3.lo != c1.lo || c3.hi != c1.hi);
	assert_true(c1.lo <= c1.ratio && c1.ratio <= c1.hi);
}

/* n samples of a latency-like law: 1000 + 100 LogNormal(0, 0.5), times scale. */
static void draw_latency(gsl_rng *g, double *v, size_t n, double scale)
{
	for (size_t i = 0; i < n; i++)
		v[i] = scale * (1000.0 + 100.0 * gsl_ran_lognormal(g, 0.0, 0.5));
}

/*
 * Coverage: B is A's law scaled by 1.15, so the true ratio of medians is 1.15
 * exactly. Over 400 independent pairs of 150 samples each the 95% interval
 * must contain it about 95% of the time (binomial sd 1.1%), and must exclude
 * 1: the shift is far larger than the noise at this size.
 */
static void test_ratio_ci_coverage(void **state)
{
	const size_t trials = 400, n = 150;
	static double a[150], b[150];
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	struct cmp_rng r;
	size_t covered = 0;

	(void)state;
	gsl_rng_set(g, 11);
	cmp_rng_seed(&r, 1);
	for (size_t t = 0; t < trials; t++) {
		struct cmp_ratio ci;

		draw_latency(g, a, n, 1.0);
		draw_latency(g, b, n, 1.15);
		assert_int_equal(cmp_ratio_ci(a, n, b, n, 1000, 0.95, &r, &ci), 0);
		covered += ci.lo <= 1.15 && 1.15 <= ci.hi;
		assert_true(ci.lo > 1.0);
	}
	assert_in_range(covered, trials * 90 / 100, trials * 99 / 100);
	gsl_rng_free(g);
}

static void test_ratio_ci_rejected(void **state)
{
	const double ok[] = { 1, 2, 3 }, zero[] = { 0, 0, 3 }, neg[] = { 1, -2, 3 };
	const double nan_[] = { 1, NAN, 3 }, inf[] = { 1, INFINITY, 3 };
	struct cmp_ratio ci, before;
	struct cmp_rng r, r0;

	(void)state;
	cmp_rng_seed(&r, 3);
	r0 = r;
	memset(&ci, 0x5a, sizeof(ci));
	before = ci;
	assert_int_equal(cmp_ratio_ci(ok, 0, ok, 3, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, ok, 0, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, ok, 3, 0, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, ok, 3, 100, 0.0, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, ok, 3, 100, 1.0, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, ok, 3, 100, NAN, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(zero, 3, ok, 3, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, neg, 3, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(nan_, 3, ok, 3, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci(ok, 3, inf, 3, 100, 0.95, &r, &ci), -1);
	assert_memory_equal(&ci, &before, sizeof(ci));
	assert_memory_equal(&r, &r0, sizeof(r));
}

/*
 * A zero sample is a time rounded to nothing, not an error: only a zero
 * median of a leaves the ratio undefined (test_ratio_ci_rejected).
 */
static void test_ratio_ci_zero_samples(void **state)
{
	const double a[] = { 0, 4, 4 }, b[] = { 0, 0, 6 };
	struct cmp_ratio ci;
	struct cmp_rng r;

	(void)state;
	cmp_rng_seed(&r, 9);
	assert_int_equal(cmp_ratio_ci(a, 3, b, 3, 500, 0.95, &r, &ci), 0);
	assert_exact(ci.ratio, 0.0);
	assert_exact(ci.lo, 0.0);
	/* resamples of a with median 0 against b's 6: an infinite ratio */
	assert_true(isinf(ci.hi));
}

/*
 * Three repetitions whose samples are all equal within each (1, 2 and 3) on
 * both sides. The first stage draws three repetitions; the pooled median is
 * then the median of the three drawn values, which is 1 with probability
 * 7/27, 2 with 13/27 and 3 with 7/27. The ratio is 1/3 with probability
 * (7/27)^2 = 6.7% and 3 with the same: both beyond 2.5%, so the 95% interval
 * is exactly [1/3, 3]. Pooling the 30 samples as one group instead gives a
 * far narrower interval, which is what an interval blind to repetitions
 * would claim.
 */
static void test_ratio_ci_groups_exact(void **state)
{
	double x[30];
	const size_t ends[] = { 10, 20, 30 }, one_end[] = { 30 };
	struct cmp_groups g = { x, ends, 3 }, pooled = { x, one_end, 1 };
	struct cmp_ratio ci, flat;
	struct cmp_rng r;

	(void)state;
	for (size_t i = 0; i < 30; i++)
		x[i] = 1 + i / 10;
	cmp_rng_seed(&r, 11);
	assert_int_equal(cmp_ratio_ci_groups(&g, &g, 2000, 0.95, &r, &ci), 0);
	assert_exact(ci.ratio, 1.0);
	assert_exact(ci.lo, 1.0 / 3.0);
	assert_exact(ci.hi, 3.0);
	assert_int_equal(cmp_ratio_ci_groups(&pooled, &pooled, 2000, 0.95, &r, &flat), 0);
	assert_true(flat.lo >= 0.5 && flat.hi <= 2.0);
}

/*
 * The grouped interval depends on the values in each group, not on their
 * order, and one group is the ordinary bootstrap, draw for draw.
 */
static void test_ratio_ci_groups_order(void **state)
{
	const double a[] = { 5, 1, 3, 8, 9, 7 }, a_perm[] = { 3, 5, 1, 7, 9, 8 };
	const double b[] = { 4, 6, 2, 10, 11 }, b_perm[] = { 2, 4, 6, 11, 10 };
	const size_t ea[] = { 3, 6 }, eb[] = { 3, 5 }, na = 6, nb = 5;
	struct cmp_groups ga = { a, ea, 2 }, gb = { b, eb, 2 };
	struct cmp_groups pa = { a_perm, ea, 2 }, pb = { b_perm, eb, 2 };
	struct cmp_groups one_a = { a, &na, 1 }, one_b = { b, &nb, 1 };
	struct cmp_ratio c1, c2, c3, c4;
	struct cmp_rng r;

	(void)state;
	cmp_rng_seed(&r, 13);
	assert_int_equal(cmp_ratio_ci_groups(&ga, &gb, 1000, 0.9, &r, &c1), 0);
	cmp_rng_seed(&r, 13);
	assert_int_equal(cmp_ratio_ci_groups(&pa, &pb, 1000, 0.9, &r, &c2), 0);
	assert_memory_equal(&c1, &c2, sizeof(c1));
	cmp_rng_seed(&r, 13);
	assert_int_equal(cmp_ratio_ci_groups(&one_a, &one_b, 1000, 0.9, &r, &c3), 0);
	cmp_rng_seed(&r, 13);
	assert_int_equal(cmp_ratio_ci(a, 6, b, 5, 1000, 0.9, &r, &c4), 0);
	assert_memory_equal(&c3, &c4, sizeof(c3));
}

static void test_ratio_ci_groups_rejected(void **state)
{
	const double x[] = { 1, 2, 3, 4 };
	const size_t ok_ends[] = { 2, 4 }, empty[] = { 2, 2, 4 }, back[] = { 3, 2 };
	struct cmp_groups ok = { x, ok_ends, 2 }, none = { x, ok_ends, 0 };
	struct cmp_groups has_empty = { x, empty, 3 }, backwards = { x, back, 2 };
	struct cmp_ratio ci;
	struct cmp_rng r;

	(void)state;
	cmp_rng_seed(&r, 1);
	assert_int_equal(cmp_ratio_ci_groups(&ok, &ok, 100, 0.95, &r, &ci), 0);
	assert_int_equal(cmp_ratio_ci_groups(&none, &ok, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci_groups(&ok, &has_empty, 100, 0.95, &r, &ci), -1);
	assert_int_equal(cmp_ratio_ci_groups(&backwards, &ok, 100, 0.95, &r, &ci), -1);
}

/*
 * One sample each: every resample is that sample, so the interval is the
 * point, 7 / 2.
 */
static void test_ratio_ci_single(void **state)
{
	const double a[] = { 2 }, b[] = { 7 };
	struct cmp_ratio ci;
	struct cmp_rng r;

	(void)state;
	cmp_rng_seed(&r, 5);
	assert_int_equal(cmp_ratio_ci(a, 1, b, 1, 50, 0.95, &r, &ci), 0);
	assert_exact(ci.ratio, 3.5);
	assert_exact(ci.lo, 3.5);
	assert_exact(ci.hi, 3.5);
}

/* The rule at and around its edges, alpha 0.05 and a 5% threshold. */
static void test_verdict(void **state)
{
	static const struct {
		double lo, hi, p;
		enum cmp_verdict v;
	} cases[] = {
		{ 1.08, 1.12, 0.001, CMP_SLOWER },
		{ 1.08, 1.12, 0.05, CMP_NO_CHANGE },	/* p == alpha: not significant */
		{ 1.08, 1.12, 0.2, CMP_NO_CHANGE },	/* big but noisy */
		{ 1.05, 1.12, 0.001, CMP_NO_CHANGE },	/* lo on the threshold */
		{ 1.01, 1.03, 1e-9, CMP_NO_CHANGE },	/* certain but small */
		{ 0.98, 1.12, 0.01, CMP_NO_CHANGE },	/* interval straddles 1 */
		{ 0.88, 0.92, 0.001, CMP_FASTER },
		{ 0.88, 0.95, 0.001, CMP_NO_CHANGE },	/* hi on the threshold */
		{ 0.88, 0.92, 0.3, CMP_NO_CHANGE },
		{ 1.08, 1.12, NAN, CMP_NO_CHANGE },
		{ NAN, NAN, 0.001, CMP_NO_CHANGE },
	};

	(void)state;
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct cmp_ratio ci = { (cases[c].lo + cases[c].hi) / 2, cases[c].lo, cases[c].hi };

		if (cmp_verdict(&ci, cases[c].p, 0.05, 5.0) != cases[c].v)
			fail_msg("case %zu: [%g, %g] p %g: %s, expected %s", c, cases[c].lo,
				 cases[c].hi, cases[c].p,
				 cmp_verdict_name(cmp_verdict(&ci, cases[c].p, 0.05, 5.0)),
				 cmp_verdict_name(cases[c].v));
	}
}

/* Threshold 0: the interval need only exclude 1. */
static void test_verdict_zero_threshold(void **state)
{
	const struct cmp_ratio slower = { 1.02, 1.01, 1.03 }, faster = { 0.98, 0.97, 0.99 };
	const struct cmp_ratio straddle = { 1.0, 0.99, 1.01 };

	(void)state;
	assert_int_equal(cmp_verdict(&slower, 0.01, 0.05, 0.0), CMP_SLOWER);
	assert_int_equal(cmp_verdict(&faster, 0.01, 0.05, 0.0), CMP_FASTER);
	assert_int_equal(cmp_verdict(&straddle, 0.01, 0.05, 0.0), CMP_NO_CHANGE);
	assert_string_equal(cmp_verdict_name(CMP_SLOWER), "slower");
	assert_string_equal(cmp_verdict_name(CMP_FASTER), "faster");
	assert_string_equal(cmp_verdict_name(CMP_NO_CHANGE), "no significant change");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_separated_three),
		cmocka_unit_test(test_separated_exact),
		cmocka_unit_test(test_scipy_no_ties),
		cmocka_unit_test(test_exact_limit),
		cmocka_unit_test(test_ties_small),
		cmocka_unit_test(test_ties_large),
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_mwu_rejected),
		cmocka_unit_test(test_rng_reference),
		cmocka_unit_test(test_ratio_ci_reference),
		cmocka_unit_test(test_ratio_ci_reproducible),
		cmocka_unit_test(test_ratio_ci_coverage),
		cmocka_unit_test(test_ratio_ci_rejected),
		cmocka_unit_test(test_ratio_ci_zero_samples),
		cmocka_unit_test(test_ratio_ci_groups_exact),
		cmocka_unit_test(test_ratio_ci_groups_order),
		cmocka_unit_test(test_ratio_ci_groups_rejected),
		cmocka_unit_test(test_ratio_ci_single),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_verdict_zero_threshold),
	};

	return cmocka_run_group_tests_name("compare_stats", tests, NULL, NULL);
}
