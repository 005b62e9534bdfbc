/* SPDX-License-Identifier: MIT */
/*
 * The statistics behind hvbench compare and hvbench gate: does B differ from
 * A (a Mann-Whitney U test on the raw samples), by how much (a bootstrap
 * confidence interval of the ratio of medians B / A), and the noise-aware
 * verdict that combines the two with a threshold.
 *
 * Samples are times (lower is better): a ratio above 1 means B is slower.
 */
#ifndef COMPARE_STATS_H
#define COMPARE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Above this many samples in either group the exact distribution of U is not
 * used; with ties in the pooled samples it is never used (it assumes none).
 */
#define CMP_MWU_EXACT_MAX 20

struct cmp_mwu {
	/*
	 * U of the first sample: the number of pairs (x, y) with x > y, plus
	 * one half per pair with x == y (scipy's statistic for x).
	 */
	double u;
	/*
	 * Common-language effect size (probability of superiority),
	 * P(X > Y) + P(X == Y) / 2 = u / (n1 n2): 0.5 when neither tends to be
	 * larger, above 0.5 when x tends to be larger (slower, for times).
	 */
	double effect;
	/*
	 * Two-sided p-value from the normal approximation of U, with the tie
	 * correction of its variance and a continuity correction of 1/2.
	 */
	double p_asymptotic;
	/*
	 * Two-sided p-value from the exact null distribution of U, 2 P(U >=
	 * max(u, n1 n2 - u)) capped at 1; NaN unless exact is set.
	 */
	double p_exact;
	bool exact;	/* both n <= CMP_MWU_EXACT_MAX and no ties */
	bool ties;	/* some value occurs more than once in the pooled samples */
	double p;	/* p_exact when exact, else p_asymptotic: the one to use */
};

/*
 * Mann-Whitney U test of x[0..n1) against y[0..n2) (neither modified), two-sided.
 * 0 on success; -1, with *out untouched, if n1 or n2 is 0, if any sample is NaN
 * or infinite, or if out of memory.
 */
int cmp_mann_whitney(const double *x, size_t n1, const double *y, size_t n2,
		     struct cmp_mwu *out);

/*
 * The bootstrap's pseudo-random generator: xoshiro256** (Blackman and Vigna),
 * seeded through splitmix64. The state belongs to the caller, so a run of
 * compare or gate with a fixed seed gives the same intervals every time.
 */
struct cmp_rng {
	uint64_t s[4];
};

/* Seed *r from one 64-bit value (any, 0 included). */
void cmp_rng_seed(struct cmp_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t cmp_rng_next(struct cmp_rng *r);

/* A uniform integer in [0, n), n >= 1, without modulo bias. */
uint64_t cmp_rng_below(struct cmp_rng *r, uint64_t n);

struct cmp_ratio {
	double ratio;	/* median(b) / median(a) */
	double lo, hi;	/* percentile bootstrap interval of the ratio */
};

/*
 * Samples in groups: the repetitions of one cell, each a separate boot whose
 * samples share its placement, caches and host load. Group g is
 * x[ends[g - 1] .. ends[g]) (from 0 for g == 0); no group is empty.
 */
struct cmp_groups {
	const double *x;
	const size_t *ends;
	size_t nr_groups;
};

/*
 * Percentile bootstrap confidence interval, at confidence level (e.g. 0.95),
 * of median(b) / median(a), the medians of the pooled samples (even counts:
 * the mean of the two middle ones). Each of the resamples is two-stage on each
 * side, independently: draw as many groups as there are, with replacement,
 * then from each drawn group as many samples as it holds, with replacement.
 * The first stage is what makes the interval honest about repetitions: the
 * samples of one boot agree with each other more than boots agree, and an
 * interval from the pooled samples alone would be as narrow as their number
 * allows whatever the boots said. With one group it is the ordinary bootstrap.
 * lo and hi are the (1 - level) / 2 and (1 + level) / 2 type-7 quantiles of
 * the resampled ratios (a resample whose median of a is 0 counts as an
 * infinite ratio, or 1 if b's is 0 too).
 *
 * The result depends only on the samples' values and their groups, not on
 * their order within a group, and on the state of rng, which it advances.
 *
 * 0 on success; -1, with *out untouched, if either side has no group or an
 * empty one, if any sample is negative, NaN or infinite, if the median of a is
 * 0, if resamples is 0, if level is not strictly between 0 and 1, or if out of
 * memory.
 */
int cmp_ratio_ci_groups(const struct cmp_groups *a, const struct cmp_groups *b,
			unsigned resamples, double level, struct cmp_rng *rng,
			struct cmp_ratio *out);

/* cmp_ratio_ci_groups with a[0..na) and b[0..nb) each one group (na, nb >= 1). */
int cmp_ratio_ci(const double *a, size_t na, const double *b, size_t nb,
		 unsigned resamples, double level, struct cmp_rng *rng,
		 struct cmp_ratio *out);

enum cmp_verdict {
	CMP_NO_CHANGE,
	CMP_FASTER,
	CMP_SLOWER,
};

/*
 * Noise-aware verdict on B against A. A change needs both
 *	- significance: p < alpha (the samples' distributions differ), and
 *	- size: the whole confidence interval of median(B) / median(A) lies
 *	  beyond the threshold, i.e. lo > 1 + threshold_pct / 100 (slower) or
 *	  hi < 1 - threshold_pct / 100 (faster),
 * so a difference that is real but smaller than the threshold, or as large as
 * the threshold but drowned in noise, is no significant change. With
 * threshold_pct == 0 the interval only has to exclude 1, i.e. the bootstrap
 * has to agree with the U test. The thresholds are relative changes of the
 * time per operation: 10 means 10% more time (slower) or 10% less (faster).
 * A NaN p or interval gives no change.
 *
 * alpha in (0, 1], threshold_pct >= 0.
 */
enum cmp_verdict cmp_verdict(const struct cmp_ratio *r, double p, double alpha,
			     double threshold_pct);

/* "faster", "slower" or "no significant change". */
const char *cmp_verdict_name(enum cmp_verdict v);

#endif
