/* SPDX-License-Identifier: MIT */
/*
 * hvbench compare's outputs: a terminal table, Markdown, CSV and JSON of the
 * same rows. Each compared file's rows are against the first file.
 */
#ifndef COMPARE_OUT_H
#define COMPARE_OUT_H

#include <stdio.h>

#include "compare.h"
#include "compare_env.h"

struct comparison {
	struct results_set *sets;	/* sets[0] is the base */
	size_t nr_sets;
	struct compare_row **rows;	/* rows[i - 1]: sets[i] against sets[0] */
	size_t *nr_rows;
	const struct compare_opts *opts;
	double threshold_pct;		/* the --threshold every cell got */
	/* environment differences (compare_env.h), one line each */
	const struct compare_warnings *warnings;
	/* the table's rows: only native cells (the instance view's; the rest are counted) */
	bool native_only;
};

/* Whether the table shows row r (native_only). */
bool compare_out_shows(const struct comparison *c, const struct compare_row *r);

/* "1234.5" ns, "-" for NaN: the precision tables use for times. */
void compare_fmt_ns(char *buf, size_t len, double ns);

/* What a row concludes, one word or phrase: a verdict, or why there is none. */
const char *compare_row_outcome(const struct compare_row *r);

void compare_out_table(FILE *f, const struct comparison *c);
void compare_out_md(FILE *f, const struct comparison *c);
void compare_out_csv(FILE *f, const struct comparison *c);
/* 0, or -1 if out of memory or the document could not be written. */
int compare_out_json(FILE *f, const struct comparison *c);

#endif
