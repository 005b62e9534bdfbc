/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_draw.h"
#include "report_escape.h"
#include "report_plot.h"

/* v to 3 significant digits, never in exponent form: 0.25, 2.5, 250, 2500. */
static void digits3(char *buf, size_t len, double v, const char *unit)
{
	snprintf(buf, len, v >= 100 ? "%.0f%s" : "%.3g%s", v, unit);
}

void draw_time(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		digits3(buf, len, ns, " ns");
	else if (ns < 1e6)
		digits3(buf, len, ns / 1e3, " µs");
	else if (ns < 1e9)
		digits3(buf, len, ns / 1e6, " ms");
	else
		digits3(buf, len, ns / 1e9, " s");
}

static void tic_label(char *buf, size_t len, double v, bool ratio)
{
	if (ratio)
		digits3(buf, len, v, "×");
	else
		draw_time(buf, len, v);
}

static void tic(FILE *gp, double v, bool ratio, bool *first)
{
	char label[32];

	tic_label(label, sizeof(label), v, ratio);
	fputs(*first ? "" : ", ", gp);
	gp_quote(gp, label, sizeof(label));
	fprintf(gp, " %.9g", v);
	*first = false;
}

/* A log axis spans at most 1e-6 to 1e14: ns from a femtosecond to a day, ratios likewise. */
#define DRAW_AXIS_MIN 1e-6
#define DRAW_AXIS_MAX 1e14

void draw_log_axis(FILE *gp, char axis, double lo, double hi, bool ratio)
{
	static const double dense[] = { 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 };
	static const double normal[] = { 1, 2, 5 };
	static const double sparse[] = { 1, 3 };
	static const double decade[] = { 1 };
	const double *m;
	double span;
	size_t nm;
	bool first = true;
	int d0, d1, step;

	/*
	 * The file's numbers are bounded (results_read.c), but a ratio of two
	 * of them, or a whisker / 1.4, can still be far outside anything worth
	 * a tic; the decade loop below must stay a few dozen steps.
	 */
	lo = fmin(fmax(lo, DRAW_AXIS_MIN), DRAW_AXIS_MAX);
	hi = fmin(fmax(hi, DRAW_AXIS_MIN), DRAW_AXIS_MAX);
	if (!(lo > 0) || !(hi > lo)) {
		lo = lo > 0 ? lo / 2 : 1;
		hi = lo * 4;
	}
	span = log10(hi / lo);
	if (span <= 0.8) {
		m = dense;
		nm = sizeof(dense) / sizeof(dense[0]);
	} else if (span <= 2.5) {
		m = normal;
		nm = sizeof(normal) / sizeof(normal[0]);
	} else if (span <= 5) {
		m = sparse;
		nm = sizeof(sparse) / sizeof(sparse[0]);
	} else {
		m = decade;
		nm = 1;
	}
	step = span > 12 ? (int)ceil(span / 12) : 1;
	d0 = (int)floor(log10(lo));
	d1 = (int)ceil(log10(hi));
	fprintf(gp, "set logscale %c 10\nset %crange [%.9g:%.9g]\nset %ctics (", axis, axis, lo, hi,
		axis);
	for (int d = d0; d <= d1; d += step)
		for (size_t i = 0; i < nm; i++) {
			double v = m[i] * pow(10, d);

			if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9))
				tic(gp, v, ratio, &first);
		}
	if (first) {
		tic(gp, lo, ratio, &first);
		tic(gp, hi, ratio, &first);
	}
	fputs(")\n", gp);
}

void draw_series_line(FILE *gp, char prefix, int id, size_t cell, double lw,
		      const struct report_series *s, bool *first)
{
	fprintf(gp, "%s$%c%d_%zu using 1:2 with lines lw %g lc rgb '%s' dt %d title ",
		*first ? "" : ", \\\n  ", prefix, id, cell, lw, s->color, s->faint ? 2 : 1);
	gp_quote(gp, s->name, REPORT_PLOT_TEXT_MAX);
	*first = false;
}

static int bar_cmp(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return (x->series > y->series) - (x->series < y->series);
}

static bool bar_shown(const struct bars *b, const struct bar *x)
{
	return isfinite(x->y) && (x->y > 0 || (b->axis == BARS_LINEAR && x->y >= 0));
}

static bool whisker_shown(const struct bars *b, const struct bar *x)
{
	return isfinite(x->lo) && isfinite(x->hi) && x->lo <= x->hi &&
	       (x->lo > 0 || b->axis == BARS_LINEAR);
}

/* The y axis: log over what is shown (and 1, for ratios), or linear from 0. */
static void bars_axis(FILE *gp, const struct bars *b)
{
	double lo = INFINITY, hi = -INFINITY;

	if (b->axis == BARS_LINEAR) {
		fputs("set yrange [0:*]\nset offsets 0, 0, graph 0.06, 0\nset format y '%g'\n", gp);
		return;
	}
	if (b->axis == BARS_RATIO)
		lo = hi = 1;
	for (size_t i = 0; i < b->nbars; i++) {
		const struct bar *x = &b->bars[i];

		if (!bar_shown(b, x))
			continue;
		lo = fmin(lo, x->y);
		hi = fmax(hi, x->y);
		if (whisker_shown(b, x)) {
			lo = fmin(lo, x->lo);
			hi = fmax(hi, x->hi);
		}
	}
	draw_log_axis(gp, 'y', lo / 1.4, hi * 1.4, b->axis == BARS_RATIO);
	if (b->axis == BARS_RATIO)
		fputs("set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 "
		      "lc rgb '#333333' front\n", gp);
}

/* x of each shown bar (NaN if not shown) and each group's middle (NaN if empty). */
static double bars_place(const struct bars *b, double *x, double *mid)
{
	double cursor = 0;
	size_t i = 0;

	for (size_t g = 0; g < b->ngroups; g++) {
		double start = cursor;

		mid[g] = NAN;
		for (; i < b->nbars && b->bars[i].group == g; i++) {
			if (!bar_shown(b, &b->bars[i]))
				continue;
			x[i] = cursor;
			cursor += 1;
		}
		if (cursor > start) {
			mid[g] = (start + cursor - 1) / 2;
			cursor += 1;
		}
	}
	return cursor;
}

static void bars_data(FILE *gp, const struct bars *b, const double *x, int id, size_t s,
		      bool whiskers)
{
	fprintf(gp, "$%c%d_%zu << EOD\n", whiskers ? 'w' : 'b', id, s);
	for (size_t i = 0; i < b->nbars; i++) {
		const struct bar *y = &b->bars[i];

		if (y->series != s || isnan(x[i]) || (whiskers && !whisker_shown(b, y)))
			continue;
		if (!whiskers) {
			fprintf(gp, "%g %.9g\n", x[i], y->y);
			continue;
		}
		/* The whisker and its two caps, as segments: x y dx dy. */
		fprintf(gp, "%g %.9g 0 %.9g\n", x[i], y->lo, y->hi - y->lo);
		fprintf(gp, "%g %.9g 0.3 0\n%g %.9g 0.3 0\n", x[i] - 0.15, y->lo, x[i] - 0.15,
			y->hi);
	}
	fputs("EOD\n", gp);
}

int draw_bars(struct report *r, struct bars *b)
{
	double *x = malloc((b->nbars + 1) * sizeof(*x));
	double *mid = malloc((b->ngroups + 1) * sizeof(*mid));
	size_t shown = 0, groups = 0, *in = calloc(r->nseries + 1, sizeof(*in));
	size_t *wh = calloc(r->nseries + 1, sizeof(*wh));
	double end;
	bool first = true, rotate;
	int id = -1, width;
	FILE *gp;

	if (!x || !mid || !in || !wh)
		goto out;
	qsort(b->bars, b->nbars, sizeof(*b->bars), bar_cmp);
	for (size_t i = 0; i < b->nbars; i++)
		x[i] = NAN;
	end = bars_place(b, x, mid);
	for (size_t i = 0; i < b->nbars; i++)
		if (!isnan(x[i])) {
			shown++;
			in[b->bars[i].series]++;
			wh[b->bars[i].series] += whisker_shown(b, &b->bars[i]);
		}
	for (size_t g = 0; g < b->ngroups; g++)
		groups += !isnan(mid[g]);
	if (!shown)
		goto out;
	rotate = groups > 6;
	width = 300 + 16 * (int)shown + 30 * (int)groups;
	width = width < 760 ? 760 : width > 1320 ? 1320 : width;
	gp = plot_begin(r->plots, width, rotate ? 460 : 400, &id);
	if (!gp)
		goto out;
	fputs("set style fill solid 0.85 border rgb '#333333'\nset boxwidth 0.8 absolute\n"
	      "set grid noxtics ytics\nset ylabel ", gp);
	gp_quote(gp, b->ylabel, 200);
	fprintf(gp, "\nset xrange [-0.8:%g]\nset xtics scale 0 %s (", end - 0.2,
		rotate ? "rotate by 30 right" : "");
	for (size_t g = 0; g < b->ngroups; g++) {
		if (isnan(mid[g]))
			continue;
		fputs(first ? "" : ", ", gp);
		gp_quote(gp, b->groups[g], 24);
		fprintf(gp, " %g", mid[g]);
		first = false;
	}
	fputs(")\n", gp);
	bars_axis(gp, b);
	for (size_t s = 0; s < r->nseries; s++) {
		if (in[s])
			bars_data(gp, b, x, id, s, false);
		if (wh[s])
			bars_data(gp, b, x, id, s, true);
	}
	first = true;
	fputs("plot ", gp);
	for (size_t s = 0; s < r->nseries; s++) {
		const struct report_series *se = &r->series[s];

		if (!in[s])
			continue;
		fprintf(gp, "%s$b%d_%zu using 1:2 with boxes lc rgb '%s' ", first ? "" : ", \\\n  ",
			id, s, se->color);
		if (se->faint)
			fprintf(gp, "fs transparent solid 0.35 border lc rgb '%s' ", se->color);
		fputs("title ", gp);
		gp_quote(gp, se->name, REPORT_PLOT_TEXT_MAX);
		first = false;
	}
	for (size_t s = 0; s < r->nseries; s++)
		if (wh[s])
			fprintf(gp, ", \\\n  $w%d_%zu using 1:2:3:4 with vectors nohead "
				"lc rgb '#222222' lw 1 notitle", id, s);
	fputc('\n', gp);
	plot_end(r->plots);
out:
	free(x);
	free(mid);
	free(in);
	free(wh);
	return id;
}

bool draw_family_bars(struct report *r, FILE *html, size_t family, bar_of of, const void *arg,
		      const char *ylabel, enum bars_axis axis)
{
	const char **groups = calloc(r->nworkloads + 1, sizeof(*groups));
	struct bar *bars = calloc(r->ncells + 1, sizeof(*bars));
	struct bars b = { .groups = groups, .bars = bars, .ylabel = ylabel, .axis = axis };
	int id = -1;

	if (!groups || !bars)
		goto out;
	for (size_t k = 0; k < r->nworkloads; k++) {
		const struct report_workload *w = &r->workloads[k];
		bool any = false;

		if (w->family != family)
			continue;
		for (size_t i = w->first; i < w->first + w->count; i++) {
			struct bar *x = &bars[b.nbars];

			if (!of(r, &r->cells[i], arg, x))
				continue;
			x->group = b.ngroups;
			x->series = r->cells[i].series;
			b.nbars++;
			any = true;
		}
		if (any)
			groups[b.ngroups++] = w->name;
	}
	if (b.nbars)
		id = draw_bars(r, &b);
	if (id >= 0) {
		fputs("<figure><figcaption>", html);
		html_escape(html, r->families[family], 64);
		fputs("</figcaption>", html);
		plot_place(html, id);
		fputs("</figure>\n", html);
	}
out:
	free(groups);
	free(bars);
	return id >= 0;
}
