/* SPDX-License-Identifier: MIT */
/*
 * The thresholds file of hvbench gate (docs/gate.md): per-cell thresholds,
 * one rule per line,
 *
 *	# comment
 *	PATTERN  PCT|ignore
 *
 * PATTERN is up to four '/'-separated globs matched against a cell's
 * workload, mode, target and CPL ("-" for native), "cpuid/hvm" or
 * "io-lat-64"; components left out match anything. PCT is a percentage
 * (a trailing % allowed), ignore leaves the cell unjudged. The last rule
 * that matches a cell wins, so general rules go first.
 */
#ifndef GATE_THRESHOLDS_H
#define GATE_THRESHOLDS_H

#include <stddef.h>

#include "results_cells.h"

#define GATE_RULE_PARTS 4
#define GATE_MAX_RULES 4096u
#define GATE_MAX_LINE 512u

struct gate_rule {
	char *part[GATE_RULE_PARTS];	/* NULL: matches anything */
	double pct;			/* NAN: ignore */
	unsigned line;
};

struct gate_thresholds {
	double default_pct;		/* where no rule matches */
	struct gate_rule *rules;
	size_t n, cap;
};

/*
 * Parse len bytes of a thresholds file into t (default_pct is left as set).
 * 0, or -1 with why set to "LINE: what is wrong".
 */
int gate_thresholds_parse(struct gate_thresholds *t, const char *buf, size_t len, char *why,
			  size_t why_len);

/* gate_thresholds_parse of a file; why is then "PATH:LINE: ..." or "PATH: ...". */
int gate_thresholds_load(struct gate_thresholds *t, const char *path, char *why, size_t why_len);

void gate_thresholds_free(struct gate_thresholds *t);

/* The threshold of c in percent, NAN when ignored (a compare_threshold_fn). */
double gate_threshold_of(const struct results_cell *c, void *thresholds);

#endif
