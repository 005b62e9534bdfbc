/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

/*
 * Each cell's bootstrap gets its own seed, from the run's seed and the cell's
 * key (FNV-1a), so a cell's interval does not change when --filter or a
 * missing cell changes which cells come before it.
 */
static uint64_t cell_seed(uint64_t seed, const struct results_cell *c)
{
	char key[512];
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	results_cell_key(c, key, sizeof(key));
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	return h;
}

static void row_judge(struct compare_row *r, const struct compare_opts *o)
{
	const struct results_cell *a = r->a, *b = r->b;
	struct cmp_groups ga = { a->samples, a->ends, a->nr_reps };
	struct cmp_groups gb = { b->samples, b->ends, b->nr_reps };
	struct cmp_rng rng;

	if (!a->n || !b->n) {
		r->state = COMPARE_NO_SAMPLES;
		snprintf(r->why, sizeof(r->why), "no samples kept in %s (run with --keep-samples)",
			 !a->n ? "the first" : "the second");
		return;
	}
	if (!(a->p50 > 0)) {
		r->state = COMPARE_NO_RATIO;
		snprintf(r->why, sizeof(r->why), "the first median is 0 ns: no ratio to take");
		return;
	}
	cmp_rng_seed(&rng, cell_seed(o->seed, a));
	if (cmp_mann_whitney(b->samples, b->n, a->samples, a->n, &r->mwu) ||
	    cmp_ratio_ci_groups(&ga, &gb, o->resamples, o->level, &rng, &r->ci)) {
		r->state = COMPARE_NO_SAMPLES;
		snprintf(r->why, sizeof(r->why), "the statistics could not be computed");
		return;
	}
	r->state = COMPARE_DONE;
	r->verdict = cmp_verdict(&r->ci, r->mwu.p, o->alpha, r->threshold_pct);
}

static void row_fill(struct compare_row *r, const struct compare_opts *o)
{
	const struct results_cell *a = r->a, *b = r->b;
	bool a_ok = !strcmp(a->status, "ok"), b_ok = !strcmp(b->status, "ok");

	r->threshold_pct = o->threshold(a, o->threshold_ctx);
	if (isnan(r->threshold_pct)) {
		r->state = COMPARE_IGNORED;
		snprintf(r->why, sizeof(r->why), "ignored by the thresholds");
		return;
	}
	if (a_ok && b_ok) {
		row_judge(r, o);
		return;
	}
	r->state = COMPARE_NOT_OK;
	r->broke = a_ok;
	if (a_ok || b_ok)
		snprintf(r->why, sizeof(r->why), "%s %s: %.200s", a_ok ? "now" : "was",
			 a_ok ? b->status : a->status,
			 (a_ok ? b->reason : a->reason) ? (a_ok ? b->reason : a->reason) : "");
	else
		snprintf(r->why, sizeof(r->why), "%s in both: %.200s", a->status,
			 a->reason ? a->reason : "");
}

int compare_sets(const struct results_set *a, const struct results_set *b,
		 const struct compare_opts *o, struct compare_row **rows, size_t *n)
{
	struct compare_row *r = calloc(a->nr_cells + b->nr_cells + 1, sizeof(*r));
	size_t k = 0;

	if (!r)
		return -1;
	for (size_t i = 0; i < a->nr_cells; i++, k++) {
		r[k].a = &a->cells[i];
		r[k].b = results_set_find(b, r[k].a);
		if (r[k].b) {
			row_fill(&r[k], o);
			continue;
		}
		r[k].state = COMPARE_ONLY_A;
		r[k].threshold_pct = NAN;
		snprintf(r[k].why, sizeof(r[k].why), "not in the second file");
	}
	for (size_t i = 0; i < b->nr_cells; i++) {
		if (results_set_find(a, &b->cells[i]))
			continue;
		r[k].b = &b->cells[i];
		r[k].state = COMPARE_ONLY_B;
		r[k].threshold_pct = NAN;
		snprintf(r[k].why, sizeof(r[k].why), "not in the first file");
		k++;
	}
	*rows = r;
	*n = k;
	return 0;
}
