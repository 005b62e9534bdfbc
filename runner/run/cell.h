/* SPDX-License-Identifier: MIT */
/*
 * A cell of a run: one workload in one mode at one CPL on one target, and
 * the repetitions measured for it so far.
 */
#ifndef CELL_H
#define CELL_H

#include <jansson.h>

#include "rep.h"
#include "stats.h"
#include "target.h"

#define CELL_MAX_REPS 32

struct cell {
	const struct workload *w;
	enum bench_mode mode;
	const struct target *target;
	unsigned int cpl;	/* meaningless for native */
	bool probes_off;	/* --probe-overhead's twin of a cell: measured without probes */
	struct rep reps[CELL_MAX_REPS];
	unsigned int nr_reps;
	bool skip;		/* unavailable: later repetitions are not run */
	/* Pooled over the repetitions that succeeded, recomputed by cell_summarize. */
	bool have_summary;
	struct stats_summary sum;
	double timer_ns;
	char *json_text;	/* cached results-file text, NULL when stale */
};

const char *cell_target(const struct cell *c);
/* For tables, CSV and progress: a --probe-overhead twin is "refvmm-np" (no probes). */
const char *cell_target_label(const struct cell *c);
const char *cell_status(const struct cell *c);
void cell_summarize(struct cell *c);
/* The cell has a new repetition: drop its cached text. */
void cell_changed(struct cell *c);
/* The cell as a results-file entry; raw samples up to max_raw per repetition. */
json_t *cell_json(const struct cell *c, size_t max_raw);
void cell_free(struct cell *c);

struct table_row;
/* The cell as a row of the summary table (pointers into c). */
void cell_table_row(const struct cell *c, struct table_row *row);

#endif
