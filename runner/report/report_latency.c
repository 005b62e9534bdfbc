/* SPDX-License-Identifier: MIT */
/*
 * Per workload: the distribution of the time per operation of each of its
 * cells, as CDF curves from the pooled histograms (one curve per series:
 * file, target, mode, CPL), and its figures in a table.
 */
#include <math.h>
#include <stdlib.h>

#include "report.h"
#include "report_draw.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_notes.h"
#include "report_plot.h"
#include "report_sections.h"

/* Points of a curve closer than this in log10(ns) are merged: a hair at 1000 px. */
#define CDF_STEP 0.003

static bool drawable(const struct report_cell *c)
{
	return c->ok && c->hist.total > c->hist.zero;
}

/* The x range: the smallest p0.1 to the largest p99.9 of the cells drawn. */
static bool cdf_range(const struct report *r, const struct report_workload *w, double *lo,
		      double *hi)
{
	*lo = INFINITY;
	*hi = 0;
	for (size_t i = w->first; i < w->first + w->count; i++) {
		const struct report_cell *c = &r->cells[i];
		double a, b;

		if (!drawable(c))
			continue;
		a = hist_quantile(&c->hist, 0.001);
		b = hist_quantile(&c->hist, 0.999);
		if (!(a > 0))
			a = c->hist.b[0].lo;
		*lo = fmin(*lo, a);
		*hi = fmax(*hi, b);
	}
	if (!isfinite(*lo) || !(*hi > 0))
		return false;
	*lo /= 1.25;
	*hi *= 1.25;
	return true;
}

/* The CDF in percent at each bucket's upper end, within [lo, hi] and a point either side. */
static void cdf_data(FILE *gp, const struct hist *h, double lo, double hi)
{
	double cum = (double)h->zero, total = (double)h->total, last = -INFINITY;
	size_t start = 0;

	while (start + 1 < h->n && h->b[start + 1].lo < lo) {
		cum += (double)h->b[start].count;
		start++;
	}
	fprintf(gp, "%.9g %.6f\n", h->b[start].lo, 100 * cum / total);
	for (size_t i = start; i < h->n; i++) {
		double x = h->b[i].hi, lx = log10(x);

		cum += (double)h->b[i].count;
		if (lx - last < CDF_STEP && i + 1 < h->n && x < hi)
			continue;
		fprintf(gp, "%.9g %.6f\n", x, 100 * cum / total);
		last = lx;
		if (x > hi)
			break;
	}
}

static int cdf_plot(struct report *r, const struct report_workload *w)
{
	double lo, hi;
	bool first = true;
	FILE *gp;
	int id;

	if (!cdf_range(r, w, &lo, &hi) || !(gp = plot_begin(r->plots, 1080, 400, &id)))
		return -1;
	draw_log_axis(gp, 'x', lo, hi, false);
	fputs("set xlabel 'time per operation (log scale)'\n"
	      "set ylabel 'samples at or below (%)'\nset yrange [0:100]\nset ytics 0,10,100\n", gp);
	for (size_t i = w->first; i < w->first + w->count; i++) {
		if (!drawable(&r->cells[i]))
			continue;
		fprintf(gp, "$c%d_%zu << EOD\n", id, i);
		cdf_data(gp, &r->cells[i].hist, lo, hi);
		fputs("EOD\n", gp);
	}
	fputs("plot ", gp);
	for (size_t i = w->first; i < w->first + w->count; i++)
		if (drawable(&r->cells[i]))
			draw_series_line(gp, 'c', id, i, 2, &r->series[r->cells[i].series], &first);
	fputc('\n', gp);
	plot_end(r->plots);
	return id;
}

static void cdf_table(const struct report *r, const struct report_workload *w, FILE *f)
{
	fputs("<details><summary>Figures (ns)</summary><table><tr><th>series</th><th>samples</th>"
	      "<th>min</th><th>p10</th><th>median</th><th>p90</th><th>p99</th><th>p99.9</th>"
	      "<th>max</th><th>mean</th><th>repetitions ok / pooled</th></tr>\n", f);
	for (size_t i = w->first; i < w->first + w->count; i++) {
		const struct report_cell *c = &r->cells[i];

		fputs("<tr>", f);
		report_series_td(f, &r->series[c->series]);
		if (!c->ok) {
			fputs("<td colspan=\"10\">", f);
			html_escape(f, c->status, 40);
			fputs(": ", f);
			html_escape(f, c->reason ? c->reason : "no reason given", 300);
			fputs("</td></tr>\n", f);
			continue;
		}
		fprintf(f, "<td class=\"n\">%.0f</td>",
			(double)json_integer_value(json_object_get(json_object_get(c->r, "summary"),
								   "n")));
		report_td_num(f, c->min);
		report_td_num(f, c->p10);
		report_td_num(f, c->p50);
		report_td_num(f, c->p90);
		report_td_num(f, c->p99);
		report_td_num(f, c->p999);
		report_td_num(f, c->max);
		report_td_num(f, c->mean);
		fprintf(f, "<td class=\"n\">%zu / %zu</td></tr>\n", c->reps_ok, c->reps_pooled);
	}
	fputs("</table></details>\n", f);
}

static bool measured(const struct report *r, const struct report_workload *w)
{
	for (size_t i = w->first; i < w->first + w->count; i++)
		if (r->cells[i].ok)
			return true;
	return false;
}

void report_latency(struct report *r, FILE *f)
{
	double e = 0;
	bool none = true;

	if (!r->ncells)
		return;
	for (size_t i = 0; i < r->ncells; i++)
		e = fmax(e, r->cells[i].hist.rel_err);
	report_heading(r, f, 2, "latency", "Time per operation");
	fprintf(f, "<p>For each workload, the share of its samples at or below each time per "
		"operation (a CDF; the median is where a curve crosses 50%%), one curve per "
		"series. The curves are drawn from each cell's histograms pooled over its ok "
		"repetitions, whose buckets hold every sample within %.2g%% of its value. Colour "
		"is the mode, shade the target and file, a dashed line CPL3. The x axis runs from "
		"the smallest p0.1 to the largest p99.9 of the curves. In the tables, p10 comes "
		"from the histograms, the other figures from the exact summary.</p>\n", 100 * e);
	for (size_t k = 0; k < r->nworkloads; k++) {
		const struct report_workload *w = &r->workloads[k];
		char id[32];
		int plot;

		if (!measured(r, w))
			continue;
		none = false;
		snprintf(id, sizeof(id), "lat-%zu", k);
		report_heading(r, f, 3, id, w->name);
		if (w->what[0]) {
			fputs("<p>", f);
			html_escape(f, w->what, 300);
			fputs("</p>\n", f);
		}
		plot = cdf_plot(r, w);
		if (plot >= 0) {
			fputs("<figure>", f);
			plot_place(f, plot);
			fputs("</figure>\n", f);
		} else {
			fputs("<p>No histogram in this workload's repetitions: only the summary "
			      "figures below.</p>\n", f);
		}
		cdf_table(r, w, f);
		report_cell_notes(r, w, f);
	}
	if (none)
		fputs("<p>No cell measured.</p>\n", f);
}
