/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "results_cells.h"
#include "results_read.h"
#include "stats.h"
#include "why.h"

/* Append the kept samples of one ok repetition; a repetition that kept none adds no group. */
static int rep_gather(struct results_cell *c, const json_t *rep, size_t ci, size_t ri,
		      size_t *cap, char *why, size_t wl)
{
	const json_t *samples = json_object_get(rep, "samples"), *v;
	size_t n, i;

	if (!json_is_array(samples))
		return why_set(why, wl, "", "results[%zu].repetitions[%zu] is ok but has no samples array",
			    ci, ri);
	n = json_array_size(samples);
	if (!n)
		return 0;
	if (c->n + n > *cap) {
		size_t want = (c->n + n) * 2;
		double *x = realloc(c->samples, want * sizeof(*x));

		if (!x)
			return why_set(why, wl, "", "out of memory");
		c->samples = x;
		*cap = want;
	}
	json_array_foreach(samples, i, v) {
		double t = json_number_value(v);

		if (!json_is_number(v) || !isfinite(t) || t < 0)
			return why_set(why, wl, "", "results[%zu].repetitions[%zu].samples[%zu] is not a "
				    "time (a number of ns, 0 or more)", ci, ri, i);
		if (t > RESULTS_MAX_NS)
			return why_set(why, wl, "", "results[%zu].repetitions[%zu].samples[%zu] is %.3g ns, "
				    "over an hour: not the time of one operation", ci, ri, i, t);
		c->samples[c->n++] = t;
	}
	c->ends[c->nr_reps++] = c->n;
	return 0;
}

static int cell_gather(struct results_cell *c, json_t *r, size_t ci, char *why, size_t wl)
{
	const json_t *reps = json_object_get(r, "repetitions"), *rep, *cpl;
	size_t cap = 0, ri;
	double *sorted;

	c->json = r;
	c->workload = json_string_value(json_object_get(r, "workload"));
	c->mode = json_string_value(json_object_get(r, "mode"));
	c->target = results_target_name(json_string_value(json_object_get(r, "target")));
	c->status = json_string_value(json_object_get(r, "status"));
	c->reason = json_string_value(json_object_get(r, "reason"));
	cpl = json_object_get(r, "cpl");
	c->cpl = json_is_integer(cpl) ? (int)json_integer_value(cpl) : -1;
	c->probes_off = json_is_true(json_object_get(r, "probes_off"));
	c->stands_for = json_string_value(json_object_get(r, "stands_for"));
	c->p50 = NAN;
	if (!json_is_array(reps))
		return why_set(why, wl, "", "results[%zu].repetitions is missing or not an array", ci);
	if (json_array_size(reps) > RESULTS_MAX_REPS)
		return why_set(why, wl, "", "results[%zu] has %zu repetitions, more than %u", ci,
			    json_array_size(reps), RESULTS_MAX_REPS);
	c->ends = malloc((json_array_size(reps) + 1) * sizeof(*c->ends));
	if (!c->ends)
		return why_set(why, wl, "", "out of memory");
	json_array_foreach(reps, ri, rep) {
		const json_t *st = json_object_get(rep, "status");

		if (!json_is_object(rep) || !json_is_string(st))
			return why_set(why, wl, "", "results[%zu].repetitions[%zu] has no status", ci, ri);
		if (!strcmp(json_string_value(st), "ok") &&
		    rep_gather(c, rep, ci, ri, &cap, why, wl))
			return -1;
	}
	if (!c->n)
		return 0;
	sorted = malloc(c->n * sizeof(*sorted));
	if (!sorted)
		return why_set(why, wl, "", "out of memory");
	memcpy(sorted, c->samples, c->n * sizeof(*sorted));
	c->p50 = stats_median_inplace(sorted, c->n);
	free(sorted);
	return 0;
}

static int key_equal(const struct results_cell *a, const struct results_cell *b)
{
	return a->cpl == b->cpl && a->probes_off == b->probes_off &&
	       !strcmp(a->workload, b->workload) && !strcmp(a->mode, b->mode) &&
	       !strcmp(a->target, b->target);
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t key_hash(const struct results_cell *c)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int extra[2] = { c->cpl, c->probes_off };

	h = fnv(h, c->workload, strlen(c->workload) + 1);
	h = fnv(h, c->mode, strlen(c->mode) + 1);
	h = fnv(h, c->target, strlen(c->target) + 1);
	return fnv(h, (const char *)extra, sizeof(extra));
}

/*
 * The slot of c's key in the index: the one holding a cell with that key,
 * or the empty one where it would go. The index has a power-of-two size
 * over twice the cells, so linear probing always finds an empty slot.
 */
static size_t index_slot(const struct results_set *s, const struct results_cell *c)
{
	size_t mask = s->index_size - 1, i = key_hash(c) & mask;

	while (s->index[i] && !key_equal(&s->cells[s->index[i] - 1], c))
		i = (i + 1) & mask;
	return i;
}

const struct results_cell *results_set_find(const struct results_set *s,
					    const struct results_cell *c)
{
	size_t i;

	if (!s->index_size)
		return NULL;
	i = index_slot(s, c);
	return s->index[i] ? &s->cells[s->index[i] - 1] : NULL;
}

const struct results_cell *results_set_counterpart(const struct results_set *s,
						  const struct results_cell *c)
{
	const struct results_cell *found = results_set_find(s, c);
	bool native = !strcmp(c->mode, "native") && !strcmp(c->target, "native");

	if (found || !native)
		return found;
	if (c->stands_for) {
		const struct results_cell want = { .workload = c->stands_for, .mode = "native",
						   .target = "native", .cpl = -1 };

		return results_set_find(s, &want);
	}
	for (size_t i = 0; i < s->nr_cells; i++)
		if (s->cells[i].stands_for && !strcmp(s->cells[i].stands_for, c->workload))
			return &s->cells[i];
	return NULL;
}

const char *results_cell_target(const struct results_cell *c)
{
	return c->probes_off ? "refvmm-np" : c->target;
}


void results_cell_name(const struct results_cell *c, char *buf, size_t len)
{
	if (c->cpl < 0)
		snprintf(buf, len, "%s %s %s", c->workload, c->mode, results_cell_target(c));
	else
		snprintf(buf, len, "%s %s %s cpl%d", c->workload, c->mode, results_cell_target(c),
			 c->cpl);
}

void results_cell_key(const struct results_cell *c, char *buf, size_t len)
{
	if (c->cpl < 0)
		snprintf(buf, len, "%s/%s/%s/-", c->workload, c->mode, results_cell_target(c));
	else
		snprintf(buf, len, "%s/%s/%s/%d", c->workload, c->mode, results_cell_target(c),
			 c->cpl);
}

int results_set_from_doc(struct results_set *s, json_t *doc, char *why, size_t wl)
{
	const json_t *results = json_object_get(doc, "results");
	size_t n = json_array_size(results);

	s->kind = json_string_value(json_object_get(doc, "kind"));
	if (!strcmp(s->kind, "conform"))
		return why_set(why, wl, "", "a conformance results file (kind conform): this takes "
			    "benchmark results (hvbench run)");
	if (strcmp(s->kind, "run") && strcmp(s->kind, "baseline"))
		return why_set(why, wl, "", "kind \"%.40s\": not benchmark results (run or baseline)",
			    s->kind);
	s->cells = calloc(n ? n : 1, sizeof(*s->cells));
	for (s->index_size = 4; s->index_size < 2 * n; s->index_size *= 2)
		;
	s->index = calloc(s->index_size, sizeof(*s->index));
	if (!s->cells || !s->index)
		return why_set(why, wl, "", "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct results_cell *c = &s->cells[i];
		char key[3 * RESULTS_MAX_NAME + 16];
		size_t slot;

		s->nr_cells++;
		if (cell_gather(c, json_array_get(results, i), i, why, wl))
			return -1;
		slot = index_slot(s, c);
		if (s->index[slot]) {
			results_cell_key(c, key, sizeof(key));
			return why_set(why, wl, "", "results[%zu] repeats the cell %s", i, key);
		}
		s->index[slot] = i + 1;
	}
	return 0;
}

int results_set_load(struct results_set *s, const char *path, char *why, size_t wl)
{
	char reason[256];

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->doc = results_load(path, reason, sizeof(reason));
	if (!s->doc)
		return why_set(why, wl, "", "%s: %s", path, reason);
	if (results_set_from_doc(s, s->doc, reason, sizeof(reason)))
		return why_set(why, wl, "", "%s: %s", path, reason);
	return 0;
}

void results_set_free(struct results_set *s)
{
	for (size_t i = 0; i < s->nr_cells; i++) {
		free(s->cells[i].samples);
		free(s->cells[i].ends);
	}
	free(s->cells);
	free(s->index);
	json_decref(s->doc);
	memset(s, 0, sizeof(*s));
}

int results_sets_label(struct results_set *sets, size_t n, const char *labels, char *why,
		       size_t why_len)
{
	char (*l)[LABEL_MAX] = calloc(n ? n : 1, sizeof(*l));
	const char **paths = calloc(n ? n : 1, sizeof(*paths));
	int ret = -1;

	if (!l || !paths) {
		snprintf(why, why_len, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		paths[i] = sets[i].path;
	ret = labels_assign(l, paths, n, labels, why, why_len);
	for (size_t i = 0; i < n && !ret; i++)
		memcpy(sets[i].label, l[i], LABEL_MAX);
out:
	free(l);
	free(paths);
	return ret;
}

int results_sets_load(struct results_set *sets, char **paths, size_t n, const char *labels,
		      const char *cmd)
{
	char why[512];

	for (size_t i = 0; i < n; i++) {
		if (results_set_load(&sets[i], paths[i], why, sizeof(why))) {
			fprintf(stderr, "hvbench %s: %s\n", cmd, why);
			return -1;
		}
		if (json_integer_value(json_object_get(sets[i].doc, "schema_version")) !=
		    json_integer_value(json_object_get(sets[0].doc, "schema_version"))) {
			fprintf(stderr, "hvbench %s: %s: schema_version %lld, but %s has %lld: "
				"results of different versions are not compared\n", cmd, paths[i],
				json_integer_value(json_object_get(sets[i].doc, "schema_version")),
				paths[0],
				json_integer_value(json_object_get(sets[0].doc, "schema_version")));
			return -1;
		}
	}
	if (results_sets_label(sets, n, labels, why, sizeof(why))) {
		fprintf(stderr, "hvbench %s: %s\n", cmd, why);
		return -1;
	}
	return 0;
}
