/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"

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

/*
 * One side's samples as compared: each repetition's first k, so both sides
 * are the same stretch of their repetitions (a baseline keeps fewer samples
 * than a run, and the first of a repetition can differ from its last).
 */
struct side {
	double *x;
	size_t *ends;
	size_t nr, n;
	double median;
};

static size_t longest_rep(const struct results_cell *c)
{
	size_t most = 0;

	for (size_t g = 0, start = 0; g < c->nr_reps; start = c->ends[g++])
		most = c->ends[g] - start > most ? c->ends[g] - start : most;
	return most;
}

static int side_take(struct side *s, const struct results_cell *c, size_t k)
{
	double *sorted;

	s->x = malloc(c->n * sizeof(*s->x));
	s->ends = malloc(c->nr_reps * sizeof(*s->ends));
	sorted = malloc(c->n * sizeof(*sorted));
	if (!s->x || !s->ends || !sorted) {
		free(sorted);
		return -1;
	}
	s->n = s->nr = 0;
	for (size_t g = 0, start = 0; g < c->nr_reps; start = c->ends[g++]) {
		size_t len = c->ends[g] - start < k ? c->ends[g] - start : k;

		memcpy(s->x + s->n, c->samples + start, len * sizeof(*s->x));
		s->n += len;
		s->ends[s->nr++] = s->n;
	}
	memcpy(sorted, s->x, s->n * sizeof(*sorted));
	s->median = stats_median_inplace(sorted, s->n);
	free(sorted);
	return 0;
}

static void side_free(struct side *s)
{
	free(s->x);
	free(s->ends);
}

static void row_judge(struct compare_row *r, const struct compare_opts *o)
{
	const struct results_cell *a = r->a, *b = r->b;
	struct side sa = { 0 }, sb = { 0 };
	struct cmp_rng rng;
	size_t ka, kb;

	if (!a->n || !b->n) {
		r->state = COMPARE_NO_SAMPLES;
		snprintf(r->why, sizeof(r->why), "no samples kept in %s (run with --keep-samples)",
			 !a->n ? "the first" : "the second");
		return;
	}
	ka = longest_rep(a);
	kb = longest_rep(b);
	r->per_rep = ka < kb ? ka : kb;
	r->state = COMPARE_NO_SAMPLES;
	snprintf(r->why, sizeof(r->why), "the statistics could not be computed (out of memory)");
	if (side_take(&sa, a, r->per_rep) || side_take(&sb, b, r->per_rep))
		goto out;
	r->a_median = sa.median;
	r->b_median = sb.median;
	if (!(sa.median > 0)) {
		r->state = COMPARE_NO_RATIO;
		snprintf(r->why, sizeof(r->why), "the first median is 0 ns: no ratio to take");
		goto out;
	}
	cmp_rng_seed(&rng, cell_seed(o->seed, a));
	{
		struct cmp_groups ga = { sa.x, sa.ends, sa.nr }, gb = { sb.x, sb.ends, sb.nr };

		if (cmp_mann_whitney(sb.x, sb.n, sa.x, sa.n, &r->mwu) ||
		    cmp_ratio_ci_groups(&ga, &gb, o->resamples, o->level, &rng, &r->ci))
			goto out;
	}
	r->n_a = sa.n;
	r->n_b = sb.n;
	r->state = COMPARE_DONE;
	r->why[0] = '\0';
	r->verdict = cmp_verdict(&r->ci, r->mwu.p, o->alpha, r->threshold_pct);
out:
	side_free(&sa);
	side_free(&sb);
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
		r[k].b = results_set_counterpart(b, r[k].a);
		if (r[k].b) {
			row_fill(&r[k], o);
			continue;
		}
		r[k].state = COMPARE_ONLY_A;
		r[k].threshold_pct = NAN;
		snprintf(r[k].why, sizeof(r[k].why), "not in the second file");
	}
	for (size_t i = 0; i < b->nr_cells; i++) {
		if (results_set_counterpart(a, &b->cells[i]))
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

double compare_row_median(const struct compare_row *r, bool side_b)
{
	const struct results_cell *c = side_b ? r->b : r->a;

	if (r->state == COMPARE_DONE || r->state == COMPARE_NO_RATIO)
		return side_b ? r->b_median : r->a_median;
	return c ? c->p50 : NAN;
}

const struct results_cell *compare_row_cell(const struct compare_row *r)
{
	return r->a ? r->a : r->b;
}

const char *compare_row_workload(const struct compare_row *r)
{
	if (r->a && r->b && r->b->stands_for && !r->a->stands_for)
		return r->b->workload;
	return compare_row_cell(r)->workload;
}
