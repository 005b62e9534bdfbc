/* SPDX-License-Identifier: MIT */
/*
 * Cell by cell comparison of two sets of benchmark results (a results file
 * or a baseline): which cells both hold, the U test and the bootstrap
 * interval of the ratio of medians on their raw samples, and the verdict
 * (compare_stats.h). Shared by hvbench compare and hvbench gate.
 */
#ifndef COMPARE_H
#define COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#include "compare_stats.h"
#include "results_cells.h"

/* The threshold of a cell in percent, or NAN when the cell is not to be judged. */
typedef double (*compare_threshold_fn)(const struct results_cell *c, void *ctx);

struct compare_opts {
	double alpha;		/* significance level of the U test */
	double level;		/* confidence level of the ratio's interval */
	unsigned resamples;	/* bootstrap resamples per cell */
	uint64_t seed;		/* with the cell's key, seeds each cell's bootstrap */
	compare_threshold_fn threshold;
	void *threshold_ctx;
};

enum compare_state {
	COMPARE_DONE,		/* both ok with samples: mwu, ci, verdict hold */
	COMPARE_ONLY_A,		/* b has no such cell */
	COMPARE_ONLY_B,
	COMPARE_NOT_OK,		/* either is not ok (why says which and how) */
	COMPARE_NO_SAMPLES,	/* ok, but kept no samples to test */
	COMPARE_NO_RATIO,	/* the first median is 0 ns: a ratio to it means nothing */
	COMPARE_IGNORED,	/* the threshold function said not to judge it */
};

struct compare_row {
	const struct results_cell *a, *b;	/* either may be NULL (ONLY_*) */
	enum compare_state state;
	/* a was ok and b is not: hung, crashed, failed or became unavailable */
	bool broke;
	char why[256];		/* when not DONE: one line */
	double threshold_pct;	/* NAN when IGNORED */
	/*
	 * What was compared, when DONE (or NO_RATIO): the first per_rep samples
	 * of each repetition on both sides (the fewer of the two sides' longest
	 * repetitions), n_a and n_b of them, and their medians.
	 */
	size_t per_rep, n_a, n_b;
	double a_median, b_median;
	struct cmp_mwu mwu;
	struct cmp_ratio ci;
	enum cmp_verdict verdict;
};

/* The median a row shows for side a (or b): the compared samples', else the cell's. */
double compare_row_median(const struct compare_row *r, bool side_b);

/* The cell a row is about: a's, or b's where a has none. */
const struct results_cell *compare_row_cell(const struct compare_row *r);

/*
 * The name a row goes by: its cell's, or where an instance cell met the
 * native cell it stands for, the instance cell's, which says what is timed.
 */
const char *compare_row_workload(const struct compare_row *r);

/*
 * Compare every cell of a with b's cell of the same key (or its native
 * counterpart, results_set_counterpart), in a's order, then b's cells a
 * lacks. *rows is malloc'ed (free it). 0, or -1 if out of memory.
 */
int compare_sets(const struct results_set *a, const struct results_set *b,
		 const struct compare_opts *o, struct compare_row **rows, size_t *n);

/* Defaults of hvbench compare and gate. */
#define COMPARE_ALPHA 0.05
#define COMPARE_LEVEL 0.95
#define COMPARE_RESAMPLES 1000u
#define COMPARE_SEED 20261125u

#endif
