/* SPDX-License-Identifier: MIT */
/*
 * Two sections of grouped bars, one plot per workload family: the median
 * time per operation of every measured cell with its p10-p99 whiskers, and
 * each cell's median over the native baseline's (the same workload's
 * native cell in the same file).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_draw.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_sections.h"

static bool median_bar(const struct report *r, const struct report_cell *c, const void *arg,
		       struct bar *b)
{
	(void)r;
	(void)arg;
	*b = (struct bar){ .y = c->p50, .lo = c->p10, .hi = c->p99 };
	return c->ok;
}

/* The native cell of c's workload in c's file, or NULL. */
static const struct report_cell *native_of(const struct report *r, const struct report_cell *c)
{
	const struct report_workload *w = &r->workloads[c->workload];

	for (size_t i = w->first; i < w->first + w->count; i++)
		if (r->cells[i].file == c->file && !strcmp(r->cells[i].mode, "native"))
			return &r->cells[i];
	return NULL;
}

static bool overhead_bar(const struct report *r, const struct report_cell *c, const void *arg,
			 struct bar *b)
{
	const struct report_cell *n = native_of(r, c);

	(void)arg;
	if (!c->ok || !n || n == c || !n->ok || !(n->p50 > 0))
		return false;
	*b = (struct bar){ .y = c->p50 / n->p50, .lo = NAN, .hi = NAN };
	return true;
}

static void medians_table(const struct report *r, FILE *f)
{
	fputs("<details><summary>Figures (ns)</summary><table><tr><th>workload</th>"
	      "<th>series</th><th>p10</th><th>median</th><th>p99</th><th>95% CI of the median"
	      "</th></tr>\n", f);
	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];
		const json_t *ci = json_object_get(json_object_get(c->r, "summary"), "ci95_median");

		if (!c->ok)
			continue;
		fputs("<tr><td>", f);
		html_escape(f, r->workloads[c->workload].name, 128);
		fputs("</td>", f);
		report_series_td(f, &r->series[c->series]);
		report_td_num(f, c->p10);
		report_td_num(f, c->p50);
		report_td_num(f, c->p99);
		fputs("<td class=\"n\">", f);
		report_num(f, json_number_value(json_array_get(ci, 0)));
		fputs(" – ", f);
		report_num(f, json_number_value(json_array_get(ci, 1)));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></details>\n", f);
}

void report_medians(struct report *r, FILE *f)
{
	if (!r->ncells)
		return;
	report_heading(r, f, 2, "medians", "Medians");
	fputs("<p>The median time per operation of each measured cell, a group of bars per "
	      "workload: modes side by side, and within a mode the targets and files. Whiskers "
	      "run from p10 to p99. Log scale: a step between grid lines is a factor, not a "
	      "difference. Light bars are CPL3.</p>\n", f);
	for (size_t fam = 0; fam < r->nfamilies; fam++)
		draw_family_bars(r, f, fam, median_bar, NULL,
				 "median per operation, p10 to p99 (log scale)", BARS_TIME);
	medians_table(r, f);
}

static void overhead_table(const struct report *r, FILE *f)
{
	fputs("<table><tr><th>workload</th><th>series</th><th>median (ns)</th>"
	      "<th>native median (ns)</th><th>over native</th></tr>\n", f);
	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];
		const struct report_cell *n = native_of(r, c);

		if (!c->ok || n == c)
			continue;
		fputs("<tr><td>", f);
		html_escape(f, r->workloads[c->workload].name, 128);
		fputs("</td>", f);
		report_series_td(f, &r->series[c->series]);
		report_td_num(f, c->p50);
		if (!n) {
			fputs("<td colspan=\"2\" class=\"na\">no native cell in this file"
			      "</td></tr>\n", f);
			continue;
		}
		if (!n->ok || !(n->p50 > 0)) {
			fputs("<td colspan=\"2\" class=\"na\">the native cell has no median: ", f);
			html_escape(f, n->status, 40);
			fputs("</td></tr>\n", f);
			continue;
		}
		report_td_num(f, n->p50);
		fputs("<td class=\"n\">", f);
		report_num(f, c->p50 / n->p50);
		fputs("×</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_overhead(struct report *r, FILE *f)
{
	bool any = false;

	if (!r->ncells)
		return;
	report_heading(r, f, 2, "overhead", "Overhead over native");
	fputs("<p>Each cell's median divided by the median of the same workload's native cell "
	      "in the same file: how many times the operation costs what the host does "
	      "without a VM (the dashed line, 1×). Log scale. Workloads with no native "
	      "cell have no bar and say so in the table.</p>\n", f);
	for (size_t fam = 0; fam < r->nfamilies; fam++)
		any |= draw_family_bars(r, f, fam, overhead_bar, NULL,
					"median over native (log scale)", BARS_RATIO);
	if (!any)
		fputs("<p>No workload here has a measured native cell.</p>\n", f);
	overhead_table(r, f);
}
