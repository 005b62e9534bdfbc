/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "report.h"
#include "results_read.h"

/* Targets in the order series are shown; others follow, by name. */
static const char *const target_order[] = {
	"refvmm", "refvmm-np", "qemu-kvm", "qemu-tcg", "vmm-cmd", "native",
};

/* A mode's hue: the same in every plot.  Modes hvbench does not know take the spares. */
static const char *const mode_colors[MODE_COUNT] = {
	[MODE_HVM] = "1f77b4", [MODE_PV] = "ff7f0e", [MODE_OFFLOAD] = "2ca02c",
	[MODE_OFFLOAD_POLL] = "9467bd", [MODE_NATIVE] = "505050",
};
static const char *const spare_colors[] = { "d62728", "8c564b", "e377c2", "17becf", "bcbd22" };

void report_problem(struct report *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (r->nproblems == REPORT_MAX_PROBLEMS) {
		r->problems_dropped++;
		return;
	}
	if (!r->problems) {
		r->problems = calloc(REPORT_MAX_PROBLEMS, sizeof(*r->problems));
		if (!r->problems)
			return;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		r->problems[r->nproblems++] = s;
}

void report_cell_name(const struct report *r, const struct report_cell *c, char *buf, size_t len)
{
	const char *wl = r->workloads[c->workload].name;

	if (c->cpl < 0)
		snprintf(buf, len, "%s %s %s", wl, c->mode, c->target);
	else
		snprintf(buf, len, "%s %s %s cpl%d", wl, c->mode, c->target, c->cpl);
}

/*
 * Index of name in an object used as a hash map (name -> index), adding it
 * as n if new.  Workloads and series are looked up this way so a file of
 * 65536 distinct ones costs no quadratic search.
 */
static int index_of(json_t *map, const char *name, size_t n, size_t *out)
{
	json_t *j = json_object_get(map, name);

	if (j) {
		*out = (size_t)json_integer_value(j);
		return 1;
	}
	if (json_object_set_new(map, name, json_integer((json_int_t)n)))
		return -ENOMEM;
	*out = n;
	return 0;
}

/* v with room for element n (*cap elements of size, doubled as needed), or NULL. */
static void *grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t c = *cap ? 2 * *cap : 64;
	void *p;

	if (n < *cap)
		return v;
	p = realloc(v, c * size);
	if (p)
		*cap = c;
	return p;
}

static const char *string_or(const json_t *obj, const char *key, const char *otherwise)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s && *s ? s : otherwise;
}

static double number_or_nan(const json_t *obj, const char *key)
{
	const json_t *j = json_object_get(obj, key);

	return json_is_number(j) ? json_number_value(j) : NAN;
}

struct builder {
	struct report *r;
	json_t *workloads, *series, *families;
	size_t cap_cells, cap_workloads, cap_series, cap_families;
};

static int workload_add(struct builder *b, const json_t *res, size_t *out)
{
	struct report *r = b->r;
	const char *name = json_string_value(json_object_get(res, "workload"));
	const char *family = string_or(res, "family", "other");
	size_t fam;
	void *p;
	int e = index_of(b->workloads, name, r->nworkloads, out);

	if (e)
		return e < 0 ? e : 0;
	p = grow(r->workloads, r->nworkloads, &b->cap_workloads, sizeof(*r->workloads));
	if (!p)
		return -ENOMEM;
	r->workloads = p;
	e = index_of(b->families, family, r->nfamilies, &fam);
	if (e < 0)
		return e;
	if (!e) {
		p = grow(r->families, r->nfamilies, &b->cap_families, sizeof(*r->families));
		if (!p)
			return -ENOMEM;
		r->families = p;
		r->families[r->nfamilies++] = family;
	}
	r->workloads[r->nworkloads++] = (struct report_workload){
		.name = name, .what = string_or(res, "what", ""), .family = fam,
	};
	return 0;
}

static int series_add(struct builder *b, const struct report_cell *c, size_t *out)
{
	struct report *r = b->r;
	char key[512];
	void *p;
	int e;

	snprintf(key, sizeof(key), "%zu\x1f%s\x1f%s\x1f%d", c->file, c->mode, c->target, c->cpl);
	e = index_of(b->series, key, r->nseries, out);
	if (e)
		return e < 0 ? e : 0;
	p = grow(r->series, r->nseries, &b->cap_series, sizeof(*r->series));
	if (!p)
		return -ENOMEM;
	r->series = p;
	r->series[r->nseries++] = (struct report_series){
		.file = c->file, .mode = c->mode, .target = c->target, .cpl = c->cpl,
		.faint = c->cpl == 3,
	};
	return 0;
}

/*
 * The cell's ok repetitions' histograms, pooled.  A repetition whose
 * histogram is not what docs/results.md says is left out, and said so.
 */
static void cell_pool(struct report *r, struct report_cell *c)
{
	const json_t *reps = json_object_get(c->r, "repetitions"), *rep;
	char name[400], why[160];
	size_t i;

	if (reps && !json_is_array(reps)) {
		report_cell_name(r, c, name, sizeof(name));
		report_problem(r, "%s: results[%zu] (%s): repetitions is not an array",
			       r->files[c->file].path, c->index, name);
		return;
	}
	c->reps = json_array_size(reps);
	json_array_foreach(reps, i, rep) {
		if (strcmp(string_or(rep, "status", ""), "ok"))
			continue;
		c->reps_ok++;
		if (!c->ok)
			continue;
		if (!hist_add_samples(&c->hist, json_object_get(rep, "histogram"), why,
				      sizeof(why))) {
			c->reps_pooled++;
			continue;
		}
		report_cell_name(r, c, name, sizeof(name));
		report_problem(r, "%s: results[%zu] (%s) repetitions[%zu]: %s; this repetition is "
			       "left out of the distribution", r->files[c->file].path, c->index,
			       name, i, why);
	}
	hist_finish(&c->hist);
	c->p10 = hist_quantile(&c->hist, 0.10);
}

static int cell_add(struct builder *b, size_t file, size_t index, const json_t *res)
{
	struct report *r = b->r;
	const json_t *sum = json_object_get(res, "summary"), *cpl = json_object_get(res, "cpl");
	struct report_cell *c;

	c = grow(r->cells, r->ncells, &b->cap_cells, sizeof(*r->cells));
	if (!c)
		return -ENOMEM;
	r->cells = c;
	c = &r->cells[r->ncells];
	*c = (struct report_cell){
		.r = res, .file = file, .index = index,
		.mode = json_string_value(json_object_get(res, "mode")),
		.target = results_target_of(res),
		.status = json_string_value(json_object_get(res, "status")),
		.reason = json_string_value(json_object_get(res, "reason")),
		.cpl = json_is_integer(cpl) ? (int)json_integer_value(cpl) : -1,
		.ok = json_is_object(sum),
		.p50 = number_or_nan(sum, "p50"), .p90 = number_or_nan(sum, "p90"),
		.p99 = number_or_nan(sum, "p99"), .p999 = number_or_nan(sum, "p99.9"),
		.min = number_or_nan(sum, "min"), .max = number_or_nan(sum, "max"),
		.mean = number_or_nan(sum, "mean"), .p10 = NAN,
		.per_op = json_is_object(json_object_get(res, "per_op")) ?
			  json_object_get(res, "per_op") : NULL,
	};
	if (workload_add(b, res, &c->workload) || series_add(b, c, &c->series))
		return -ENOMEM;
	r->ncells++;
	cell_pool(r, c);
	return 0;
}

static size_t rank_in(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return n;
}

static size_t mode_rank(const char *mode)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (!strcmp(bench_mode_name(m), mode))
			return (size_t)m;
	return MODE_COUNT;
}

/* The order of series: mode, CPL, target, file; names break the ties of unknown ones. */
static int series_cmp(const void *a, const void *b)
{
	const struct report_series *x = a, *y = b;
	size_t nt = sizeof(target_order) / sizeof(target_order[0]);
	size_t mx = mode_rank(x->mode), my = mode_rank(y->mode);
	size_t tx = rank_in(target_order, nt, x->target), ty = rank_in(target_order, nt, y->target);
	int d;

	if (mx != my)
		return mx < my ? -1 : 1;
	if (mx == MODE_COUNT && (d = strcmp(x->mode, y->mode)))
		return d;
	if (x->cpl != y->cpl)
		return x->cpl < y->cpl ? -1 : 1;
	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (tx == nt && (d = strcmp(x->target, y->target)))
		return d;
	return (x->file > y->file) - (x->file < y->file);
}

/*
 * A shade of the hue hex: v = 0 is the hue, odd v darker, even v lighter,
 * by steps of 22%: nine (target, file) pairs of a mode get distinct
 * colours; from the tenth on they repeat the strongest shades.
 */
static void shade(char out[8], const char *hex, size_t v)
{
	unsigned long rgb = strtoul(hex, NULL, 16);
	double a = 0.22 * (double)((v + 1) / 2);
	int c[3];

	if (a > 0.88)
		a = 0.88;
	for (int i = 0; i < 3; i++) {
		double x = (double)((rgb >> (16 - 8 * i)) & 0xff);

		x = v % 2 ? x * (1 - a) : x + (255 - x) * a;
		c[i] = (int)lround(x);
	}
	snprintf(out, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/*
 * Names and colours.  Within a mode, each (target, file) pair it appears
 * with takes the next shade, in series order, so CPL0 and CPL3 of one
 * target and file share a colour (told apart by line style and fill).
 * The counters live in hash maps: a hostile file's thousands of series
 * cost no quadratic search.
 */
static int series_style(struct report *r)
{
	json_t *pairs = json_object(), *per_mode = json_object();
	size_t spare = 0;
	int e = 0;

	for (size_t i = 0; i < r->nseries && pairs && per_mode && !e; i++) {
		struct report_series *s = &r->series[i];
		size_t m = mode_rank(s->mode), v, nmode = 0, hue_i;
		char key[400], label[80] = "", cpl[16] = "";
		json_t *mj = json_object_get(per_mode, s->mode);
		const char *hue;

		if (mj)
			nmode = (size_t)json_integer_value(json_array_get(mj, 0));
		hue_i = mj ? (size_t)json_integer_value(json_array_get(mj, 1)) : spare;
		if (!mj && m == MODE_COUNT)
			spare++;
		snprintf(key, sizeof(key), "%s\x1f%s\x1f%zu", s->mode, s->target, s->file);
		if (index_of(pairs, key, nmode, &v) < 0 ||
		    json_object_set_new(per_mode, s->mode,
					json_pack("[I, I]", (json_int_t)nmode + (v == nmode),
						  (json_int_t)hue_i))) {
			e = -ENOMEM;
			break;
		}
		hue = m < MODE_COUNT ? mode_colors[m] :
		      spare_colors[hue_i % (sizeof(spare_colors) / sizeof(spare_colors[0]))];
		shade(s->color, hue, v);
		if (r->nrun > 1)
			snprintf(label, sizeof(label), "%.60s ", r->files[s->file].label);
		if (s->cpl >= 0)
			snprintf(cpl, sizeof(cpl), " cpl%d", s->cpl);
		if (!strcmp(s->target, s->mode))
			snprintf(s->name, sizeof(s->name), "%s%s%s", label, s->target, cpl);
		else
			snprintf(s->name, sizeof(s->name), "%s%s %s%s", label, s->target, s->mode,
				 cpl);
	}
	if (!pairs || !per_mode)
		e = -ENOMEM;
	json_decref(pairs);
	json_decref(per_mode);
	return e;
}

static int series_qcmp(const void *a, const void *b, void *arg)
{
	const struct report_series *s = arg;

	return series_cmp(&s[*(const size_t *)a], &s[*(const size_t *)b]);
}

static int cell_cmp(const void *a, const void *b)
{
	const struct report_cell *x = a, *y = b;

	if (x->workload != y->workload)
		return x->workload < y->workload ? -1 : 1;
	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Sort the series, renumber the cells' references, sort the cells, index the workloads. */
static int model_order(struct report *r)
{
	size_t n = r->nseries ? r->nseries : 1;
	size_t *order = malloc(n * sizeof(*order)), *old_to_new = malloc(n * sizeof(*old_to_new));
	struct report_series *sorted = malloc(n * sizeof(*sorted));

	if (!order || !old_to_new || !sorted) {
		free(order);
		free(old_to_new);
		free(sorted);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->nseries; i++)
		order[i] = i;
	qsort_r(order, r->nseries, sizeof(*order), series_qcmp, r->series);
	for (size_t i = 0; i < r->nseries; i++) {
		sorted[i] = r->series[order[i]];
		old_to_new[order[i]] = i;
	}
	free(r->series);
	r->series = sorted;
	for (size_t i = 0; i < r->ncells; i++)
		r->cells[i].series = old_to_new[r->cells[i].series];
	free(order);
	free(old_to_new);
	if (r->ncells)
		qsort(r->cells, r->ncells, sizeof(*r->cells), cell_cmp);
	for (size_t i = 0; i < r->ncells; i++) {
		struct report_workload *w = &r->workloads[r->cells[i].workload];

		if (!w->count)
			w->first = i;
		w->count++;
	}
	return 0;
}

int report_model(struct report *r)
{
	struct builder b = { .r = r, .workloads = json_object(), .series = json_object(),
			     .families = json_object() };
	int e = b.workloads && b.series && b.families ? 0 : -ENOMEM;

	for (size_t f = 0; f < r->nfiles && !e; f++) {
		const json_t *results = json_object_get(r->files[f].doc, "results"), *res;
		size_t i;

		if (json_array_size(results))
			r->nrun++;
		json_array_foreach(results, i, res)
			if ((e = cell_add(&b, f, i, res)))
				break;
	}
	json_decref(b.workloads);
	json_decref(b.series);
	json_decref(b.families);
	if (e || (e = model_order(r)) || (e = series_style(r)))
		return e;
	return report_probes_read(r);
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->ncells; i++) {
		hist_free(&r->cells[i].hist);
		for (size_t k = 0; r->cells[i].probe && k < REPORT_PROBE_HISTS; k++)
			hist_free(&r->cells[i].probe[k]);
		free(r->cells[i].probe);
	}
	free(r->cells);
	free(r->series);
	free(r->workloads);
	free(r->families);
	for (size_t i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	free(r->problems);
	for (size_t i = 0; i < r->ntoc; i++)
		free(r->toc[i].title);
	free(r->toc);
	json_decref(r->not_firing);
	json_decref(r->probes_unavailable);
	for (size_t i = 0; i < r->nfiles; i++) {
		free(r->files[i].label);
		json_decref(r->files[i].doc);
	}
	free(r->files);
}
