/* SPDX-License-Identifier: MIT */
/*
 * The table `hvbench run` prints at the end and `hvbench show` prints from
 * a results file: one row per cell, figures in ns per operation.
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
	double p50, p99, min, ci_lo, ci_hi;
	double exits, user_exits; /* per operation, < 0: unknown */
	const char *reason;	/* shown when not measured */
};

void table_print(FILE *f, const struct table_row *rows, size_t n);

#endif
