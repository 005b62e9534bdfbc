/* SPDX-License-Identifier: MIT */
/*
 * hvbench gate: a results file against a baseline, and the reports of the
 * outcome (the terminal's, a Markdown job summary, JUnit).
 */
#ifndef GATE_H
#define GATE_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "compare_env.h"
#include "gate_thresholds.h"

struct gate_result {
	struct results_set *base, *res;
	struct compare_row *rows;
	size_t n;
	const struct compare_opts *opts;
	const struct compare_warnings *warnings;
	const char *thresholds_path;	/* NULL: --threshold for every cell */
	double default_pct;
	size_t regressions, improvements, compared;
};

/* A regression: significantly slower beyond the threshold, or no longer ok. */
bool gate_row_regressed(const struct compare_row *r);

/* Fill the counts of g from its rows. */
void gate_count(struct gate_result *g);

/* The terminal's report: each regression with its figures, then a summary line. */
void gate_print(FILE *f, const struct gate_result *g);

/* The Markdown summary (a CI job summary or pull-request comment) to path; 0 or -errno. */
int gate_summary_write(const char *path, const struct gate_result *g);

/* JUnit XML to path, one test case per cell; 0 or -errno. */
int gate_junit_write(const char *path, const struct gate_result *g);


#endif
