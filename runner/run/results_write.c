/* SPDX-License-Identifier: MIT */
/*
 * hvbench run's results: the document with its cells' current state,
 * rewritten whole after every repetition (atomically, so an interrupted run
 * leaves the last complete state), and the CSV of the cells.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "results_write.h"

/*
 * The timer's own cost per target and CPL: the median over the measured
 * cells, so a reader sees at once what a fenced TSC read costs where.
 */
static json_t *timers_json(const struct cell *cells, size_t n)
{
	json_t *arr = json_array();
	static const struct {
		const char *target;
		int cpl;
	} where[] = {
		{ "refvmm", 0 }, { "refvmm", 3 }, { "qemu-kvm", 0 }, { "qemu-kvm", 3 },
		{ "qemu-tcg", 0 }, { "qemu-tcg", 3 }, { "vmm-cmd", 0 }, { "vmm-cmd", 3 },
		{ "native", -1 },
	};

	for (size_t k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
		double *v = malloc((n ? n : 1) * sizeof(double));
		size_t m = 0;

		if (!v)
			break;
		for (size_t i = 0; i < n; i++) {
			const struct cell *c = &cells[i];

			if (c->have_summary && c->timer_ns > 0 &&
			    !strcmp(cell_target(c), where[k].target) &&
			    (where[k].cpl < 0 || (int)c->cpl == where[k].cpl))
				v[m++] = c->timer_ns;
		}
		if (m) {
			json_t *o = json_pack("{s:s, s:f, s:I}", "target", where[k].target,
					      "median_ns", stats_median_inplace(v, m), "cells", (json_int_t)m);

			json_object_set_new(o, "cpl", where[k].cpl < 0 ? json_null() :
							     json_integer(where[k].cpl));
			json_array_append_new(arr, o);
		}
		free(v);
	}
	return arr;
}

#define DUMP_FLAGS (JSON_INDENT(1) | JSON_REAL_PRECISION(10))

/* A cell's text, made again only after cell_changed dropped it. */
static bool cells_have_twins(const struct cell *cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cells[i].probes_off)
			return true;
	return false;
}

/*
 * --probe-overhead: each refvmm cell measured with probes next to its twin
 * measured without (the cell before it in the plan, repetitions
 * interleaved), compared by their pooled medians.
 */
static json_t *probe_overhead_json(const struct cell *cells, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 1; i < n; i++) {
		const struct cell *off = &cells[i], *on = &cells[i - 1];

		if (!off->probes_off || on->probes_off || on->w != off->w || on->mode != off->mode ||
		    on->cpl != off->cpl || !on->have_summary || !off->have_summary ||
		    off->sum.p50 <= 0)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:f, s:f, s:f}", "workload",
						   on->w->name, "mode", bench_mode_name(on->mode),
						   "cpl", (int)on->cpl, "p50_with_ns", on->sum.p50,
						   "p50_without_ns", off->sum.p50, "overhead_pct",
						   (on->sum.p50 / off->sum.p50 - 1) * 100));
	}
	return a;
}

static const char *cell_text(struct cell *c, size_t max_raw)
{
	if (!c->json_text) {
		json_t *j = cell_json(c, max_raw);

		c->json_text = j ? json_dumps(j, DUMP_FLAGS) : NULL;
		json_decref(j);
	}
	return c->json_text;
}

/*
 * The document is the fixed part's text with the results array spliced in
 * before its closing brace: only cells measured since the last write are
 * serialised again, so rewriting the file after every repetition costs the
 * write, not the JSON encoding of everything measured so far.
 */
int results_write(json_t *doc, struct cell *cells, size_t n, size_t max_raw, bool complete,
		  const char *path)
{
	char *head, *text, *end;
	size_t len, cap;
	int e;

	json_object_del(doc, "results");
	json_object_set_new(doc, "timers", timers_json(cells, n));
	if (n && cells_have_twins(cells, n))
		json_object_set_new(doc, "probe_overhead", probe_overhead_json(cells, n));
	json_object_set_new(doc, "complete", json_boolean(complete));
	json_object_set_new(doc, "updated_at", results_now_iso());
	head = json_dumps(doc, DUMP_FLAGS);
	if (!head || !(end = strrchr(head, '}'))) {
		free(head);
		return -ENOMEM;
	}
	len = (size_t)(end - head);
	cap = len + 32;
	for (size_t i = 0; i < n; i++) {
		if (cells[i].nr_reps && !cell_text(&cells[i], max_raw)) {
			free(head);
			return -ENOMEM;
		}
		cap += cells[i].json_text ? strlen(cells[i].json_text) + 2 : 0;
	}
	text = malloc(cap);
	if (!text) {
		free(head);
		return -ENOMEM;
	}
	memcpy(text, head, len);
	free(head);
	len += (size_t)sprintf(text + len, ",\n \"results\": [");
	for (size_t i = 0, first = 1; i < n; i++) {
		if (!cells[i].nr_reps)
			continue;
		len += (size_t)sprintf(text + len, "%s%s", first ? "" : ",\n", cells[i].json_text);
		first = 0;
	}
	len += (size_t)sprintf(text + len, "]\n}\n");
	e = atomic_file_write(path, text, len);
	free(text);
	return e;
}

/* Built in memory and written like the JSON: a reader never sees half a file. */
int results_csv_write(const struct cell *cells, size_t n, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -errno;
	fprintf(f, "workload,family,mode,cpl,target,status,n,min_ns,p50_ns,p90_ns,p99_ns,p999_ns,"
		   "max_ns,mean_ns,stddev_ns,mad_ns,ci95_lo_ns,ci95_hi_ns,timer_ns\n");
	for (size_t i = 0; i < n; i++) {
		const struct cell *c = &cells[i];
		const struct stats_summary *s = &c->sum;

		if (!c->nr_reps)
			continue;
		fprintf(f, "%s,%s,%s,", c->w->name, c->w->family, bench_mode_name(c->mode));
		if (c->mode == MODE_NATIVE)
			fprintf(f, ",");
		else
			fprintf(f, "%u,", c->cpl);
		fprintf(f, "%s,%s", cell_target_label(c), cell_status(c));
		if (c->have_summary)
			fprintf(f, ",%zu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f\n",
				s->n, s->min, s->p50, s->p90, s->p99, s->p999, s->max, s->mean,
				s->stddev, s->mad, s->ci95_lo, s->ci95_hi, c->timer_ns);
		else
			fprintf(f, ",0,,,,,,,,,,,,\n");
	}
	return atomic_file_write_memstream(f, &text, &len, path);
}
