/* SPDX-License-Identifier: MIT */
/*
 * Histograms read back from a results file and pooled, for the report:
 * a cell's sample histograms (docs/results.md, "histogram": buckets of
 * relative width e) over its ok repetitions, and the eBPF probes'
 * log2-linear histograms (docs/probes.md) over a cell's repetitions.
 * The file is untrusted: each histogram is checked whole before any of it
 * is pooled, counts and bucket numbers are bounded, and one that fails is
 * refused with a reason while the rest of the cell is kept.
 */
#ifndef REPORT_HIST_H
#define REPORT_HIST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* More buckets than any histogram hvbench writes (1 ns to 1000 s at e = 0.005 is 5527). */
#define HIST_MAX_BUCKETS 65536u
/* Buckets one pooled histogram may gather, over all its repetitions. */
#define HIST_MAX_POOLED (1u << 20)
/* Largest count accepted, per bucket and in total: exact in a double. */
#define HIST_MAX_COUNT (UINT64_C(1) << 53)
/* The probes' buckets end at 2^40 ns, their last one holding everything beyond. */
#define HIST_PROBE_MAX_NS (UINT64_C(1) << 40)

struct hist_bucket {
	double lo, hi;		/* [lo, hi) in ns */
	uint64_t count;
};

struct hist {
	struct hist_bucket *b;	/* by lo, equal buckets merged (after hist_finish) */
	size_t n, cap;
	uint64_t zero;		/* samples under 1 ns, read as 0 */
	uint64_t total;		/* zero + every bucket's count */
	double rel_err;		/* sample histograms: the largest relative_error pooled */
	double max;		/* probe histograms: the largest max_ns pooled, else 0 */
};

/*
 * Pool one repetition's "histogram" ({relative_error, zero, buckets}).
 * 0, or -1 with why set to one line and h unchanged.
 */
int hist_add_samples(struct hist *h, const json_t *j, char *why, size_t len);

/*
 * Pool one probe histogram ({count, max_ns, buckets: [[lower_ns, count],
 * ...] or null}).  0, or -1 with why set and h unchanged.
 */
int hist_add_probe(struct hist *h, const json_t *j, char *why, size_t len);

/* Sort the pooled buckets and merge those with the same bounds; call before reading. */
void hist_finish(struct hist *h);

/*
 * Quantile q in [0, 1], Hyndman-Fan type 7 as the summary's (stats.c),
 * over each sample's bucket read as the geometric middle of its bounds:
 * a bucket [lo, lo (1 + e)) is then within a factor sqrt(1 + e) of every
 * sample in it, and so is the quantile, an interpolation between two of
 * them.  NaN when h is empty or q is outside [0, 1].
 */
double hist_quantile(const struct hist *h, double q);

void hist_free(struct hist *h);

#endif
