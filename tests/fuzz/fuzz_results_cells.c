/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the cells hvbench compare, gate and baseline read
 * out of a results file (runner/results/results_cells.c, built by scripts/fuzz
 * results-cells).
 *
 * The input is the file's contents, handed to results_parse as an
 * exact-size heap copy with no NUL after it; a document it accepts goes to
 * results_set_from_doc, which reads the repetitions results_parse leaves
 * alone. Reasons go to heap buffers of exactly WHY_LEN bytes. Beyond "no
 * crash, no sanitizer report, no leak" it checks what results_cells.h
 * promises, and abort()s on any violation:
 *  - a refusal has a reason: one line without control characters,
 *    NUL-terminated;
 *  - an accepted document is of kind run or baseline, with one cell per
 *    result, in order; each cell's cpl is -1..3, its key is no other
 *    cell's (results_set_find finds the cell itself), and results_cell_key
 *    writes "workload/mode/target/cpl", NUL-terminated, into any buffer;
 *  - a cell's samples are those of its ok repetitions that kept any, in
 *    file order, each finite and 0 or more: at most one group per
 *    repetition, ends strictly increasing up to n; p50 is NaN when n is 0,
 *    else the median of the samples, recomputed here.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_cells.h"
#include "results_read.h"
#include "fuzz_check.h"

#define WHY_LEN 160
#define SHORT_KEY 12		/* a key buffer too small for most keys */

/*
 * One line without a byte a terminal would act on: C0, DEL, or the C1
 * controls in UTF-8. Other UTF-8 is the file's own: kinds and cell names
 * are quoted, and results_parse leaves them UTF-8 but for the controls.
 */
static void check_reason(const char *why)
{
	const unsigned char *p = (const unsigned char *)why;
	size_t len = strnlen(why, WHY_LEN);

	check(len < WHY_LEN, "reason not terminated");
	check(len > 0, "refused without a reason");
	for (size_t i = 0; i < len; i++)
		check(p[i] >= 0x20 && p[i] != 0x7f && (p[i] != 0xc2 || p[i + 1] < 0x80 ||
						       p[i + 1] >= 0xa0),
		      "reason byte %zu is 0x%02x: %s", i, p[i], why);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* p50 is the median of the n samples: the middle one, or between the middle two. */
static void check_median(const struct results_cell *c, size_t ci)
{
	double *v = malloc(c->n * sizeof(*v)), lo, hi, mid;

	check(v, "out of memory");
	memcpy(v, c->samples, c->n * sizeof(*v));
	qsort(v, c->n, sizeof(*v), cmp_double);
	lo = v[(c->n - 1) / 2];
	hi = v[c->n / 2];
	/* Halves first: the sum of two huge samples would overflow. */
	mid = lo / 2 + hi / 2;
	free(v);
	check(c->p50 >= lo && c->p50 <= hi &&
		      fabs(c->p50 - mid) <= 2 * DBL_EPSILON * hi + 2 * DBL_TRUE_MIN,
	      "cell %zu: p50 %.17g of %zu samples, median %.17g", ci, c->p50, c->n, mid);
}

/* The samples, group by group, are those of the ok repetitions in the cell's JSON. */
static void check_samples(const struct results_cell *c, size_t ci)
{
	const json_t *reps = json_object_get(c->json, "repetitions"), *rep;
	size_t g = 0, at = 0, ri;

	check(json_is_array(reps), "cell %zu accepted without repetitions", ci);
	check(c->nr_reps <= json_array_size(reps), "cell %zu: %zu groups from %zu repetitions",
	      ci, c->nr_reps, json_array_size(reps));
	check(!c->n || (c->samples && c->ends), "cell %zu: %zu samples and no arrays", ci, c->n);
	json_array_foreach(reps, ri, rep) {
		const json_t *samples = json_object_get(rep, "samples"), *v;
		size_t si;

		check(json_is_string(json_object_get(rep, "status")),
		      "cell %zu: repetition %zu accepted without a status", ci, ri);
		if (strcmp(json_string_value(json_object_get(rep, "status")), "ok") ||
		    !json_array_size(samples))
			continue;
		check(g < c->nr_reps, "cell %zu: repetition %zu has samples, but %zu groups", ci,
		      ri, c->nr_reps);
		check(c->ends[g] > at && c->ends[g] - at == json_array_size(samples),
		      "cell %zu: group %zu ends at %zu after %zu, repetition %zu has %zu samples",
		      ci, g, c->ends[g], at, ri, json_array_size(samples));
		json_array_foreach(samples, si, v) {
			double x = c->samples[at + si];

			check(isfinite(x) && x >= 0, "cell %zu: sample %zu is %g", ci, at + si, x);
			check(json_is_number(v) && json_number_value(v) == x,
			      "cell %zu: sample %zu is %g, repetition %zu's %zu is not", ci,
			      at + si, x, ri, si);
		}
		at = c->ends[g++];
	}
	check(g == c->nr_reps && at == c->n, "cell %zu: %zu groups ending at %zu, %zu of %zu "
	      "samples", ci, c->nr_reps, at, g, c->n);
	if (!c->n)
		check(isnan(c->p50), "cell %zu: p50 %g without samples", ci, c->p50);
	else
		check_median(c, ci);
}

/* results_cell_key into a buffer of exactly len bytes: NUL-terminated, the key's prefix. */
static void check_key(const struct results_cell *c, size_t ci, const char *want, size_t len)
{
	char *buf = malloc(len);
	size_t kl;

	check(buf, "out of memory");
	memset(buf, 'x', len);
	results_cell_key(c, buf, len);
	kl = strnlen(buf, len);
	check(kl < len, "cell %zu: key not terminated in %zu bytes", ci, len);
	check(!strncmp(buf, want, len - 1) && (kl == strlen(want) || kl == len - 1),
	      "cell %zu: key \"%s\" in %zu bytes, not \"%s\"", ci, buf, len, want);
	free(buf);
}

static void check_cell(const struct results_set *s, size_t ci, const json_t *results)
{
	const struct results_cell *c = &s->cells[ci];
	char cpl[16], *want;

	check(c->json == json_array_get(results, ci), "cell %zu is not results[%zu]", ci, ci);
	check(c->workload && c->mode && c->target && c->status, "cell %zu: a name missing", ci);
	check(c->cpl >= -1 && c->cpl <= 3, "cell %zu: cpl %d", ci, c->cpl);
	check(results_set_find(s, c) == c, "cell %zu: results_set_find finds another", ci);
	check_samples(c, ci);

	if (c->cpl < 0)
		strcpy(cpl, "-");
	else
		snprintf(cpl, sizeof(cpl), "%d", c->cpl);
	check(asprintf(&want, "%s/%s/%s/%s", c->workload, c->mode,
		       c->probes_off ? "refvmm-np" : c->target, cpl) > 0, "out of memory");
	check_key(c, ci, want, strlen(want) + 1);
	check_key(c, ci, want, SHORT_KEY);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), *why = malloc(WHY_LEN);
	struct results_set s = { 0 };
	const json_t *results;
	int rc;

	check(copy && why, "out of memory");
	memcpy(copy, data, size);
	s.doc = results_parse(copy, size, why, WHY_LEN);
	free(copy);
	if (!s.doc)
		goto out;

	memset(why, 'x', WHY_LEN);
	rc = results_set_from_doc(&s, s.doc, why, WHY_LEN);
	check(rc == 0 || rc == -1, "results_set_from_doc returned %d", rc);
	results = json_object_get(s.doc, "results");
	check(s.nr_cells <= json_array_size(results), "%zu cells of %zu results", s.nr_cells,
	      json_array_size(results));
	if (rc) {
		check_reason(why);
	} else {
		check(s.kind && (!strcmp(s.kind, "run") || !strcmp(s.kind, "baseline")),
		      "kind \"%s\" accepted", s.kind ? s.kind : "(none)");
		check(s.nr_cells == json_array_size(results), "%zu cells of %zu results",
		      s.nr_cells, json_array_size(results));
		for (size_t i = 0; i < s.nr_cells; i++)
			check_cell(&s, i, results);
	}
	results_set_free(&s);
	check(!s.doc && !s.cells && !s.nr_cells, "set left after results_set_free");
out:
	free(why);
	return 0;
}
