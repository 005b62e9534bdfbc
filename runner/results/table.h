/* SPDX-License-Identifier: MIT */
/*
 * The table `hvbench run` prints at the end and `hvbench show` prints from
 * a results file: one row per cell, figures in ns per operation.  Its
 * interval is the range of the repetitions' own medians, the spread
 * between repetitions, never a one-sample-set interval that would look
 * like it.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table_row {
	const char *workload, *mode, *target, *status;
	int cpl;		/* -1: not applicable (native) */
	bool measured;		/* the figures below are set */
	double p50, p99, min;
	double reps_lo, reps_hi;	/* the lowest and highest repetition's p50 */
	unsigned int nr_reps;		/* repetitions with a p50 */
	double exits, user_exits; /* per operation, < 0: unknown */
	const char *reason;	/* shown when not measured */
};

void table_print(FILE *f, const struct table_row *rows, size_t n);

/* Count one repetition's p50 into the row's range. */
void table_row_add_rep(struct table_row *row, double p50);

#endif
