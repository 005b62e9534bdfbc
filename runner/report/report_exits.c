/* SPDX-License-Identifier: MIT */
/*
 * Exits per operation (per_op, docs/results.md): what the measured stretch
 * cost the host in KVM exits, exits to the VMM and emulated instructions,
 * grouped bars per family for the three that tell the modes apart, and
 * every counter in a table.
 */
#include <math.h>

#include "report.h"
#include "report_draw.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_sections.h"

static const struct {
	const char *key, *title;
} counters[] = {
	{ "exits", "KVM exits" }, { "io_exits", "I/O exits" }, { "mmio_exits", "MMIO exits" },
	{ "user_exits", "Exits to the VMM" }, { "insn_emulation", "Emulated instructions" },
	{ "halt_exits", "Halt exits" }, { "irq_injections", "Interrupt injections" },
};

/* The counters plotted: indices into counters[]. */
static const size_t plotted[] = { 0, 3, 4 };

static double counter(const struct report_cell *c, size_t k)
{
	const json_t *j = json_object_get(c->per_op, counters[k].key);

	return json_is_number(j) ? json_number_value(j) : NAN;
}

static bool counter_bar(const struct report *r, const struct report_cell *c, const void *arg,
			struct bar *b)
{
	(void)r;
	*b = (struct bar){ .y = counter(c, *(const size_t *)arg), .lo = NAN, .hi = NAN };
	return c->ok && c->per_op && isfinite(b->y);
}

/* Any cell of the family with the counter above 0: a plot of zeros says nothing. */
static bool counter_seen(const struct report *r, size_t fam, size_t k)
{
	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];

		if (r->workloads[c->workload].family == fam && c->ok && c->per_op &&
		    counter(c, k) > 0)
			return true;
	}
	return false;
}

static void exits_table(const struct report *r, FILE *f)
{
	fputs("<details><summary>Every counter, per operation</summary><table><tr>"
	      "<th>workload</th><th>series</th>", f);
	for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
		fprintf(f, "<th>%s</th>", counters[k].title);
	fputs("</tr>\n", f);
	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];

		if (!c->ok || !c->per_op)
			continue;
		fputs("<tr><td>", f);
		html_escape(f, r->workloads[c->workload].name, 128);
		fputs("</td>", f);
		report_series_td(f, &r->series[c->series]);
		for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
			report_td_num(f, counter(c, k));
		fputs("</tr>\n", f);
	}
	fputs("</table></details>\n", f);
}

void report_exits(struct report *r, FILE *f)
{
	bool any = false;

	for (size_t i = 0; i < r->ncells && !any; i++)
		any = r->cells[i].ok && r->cells[i].per_op;
	if (!any)
		return;
	report_heading(r, f, 2, "exits", "Exits per operation");
	fputs("<p>KVM's counters and refvmm's own count of the exits it handled, between the "
	      "guest's begin and end marks, divided by the operations timed (<code>per_op</code>). "
	      "The stretch between the marks also holds the timer reads and loop frames, so read "
	      "these as what the measured stretch cost the host per operation. Native and QEMU "
	      "cells have none. A plot is left out where its counter is 0 throughout a family; "
	      "the table has every counter (\"-\": KVM has no such counter).</p>\n", f);
	for (size_t p = 0; p < sizeof(plotted) / sizeof(plotted[0]); p++) {
		size_t k = plotted[p];
		char ylabel[64], id[32];

		snprintf(id, sizeof(id), "ex-%zu", k);
		report_heading(r, f, 3, id, counters[k].title);
		snprintf(ylabel, sizeof(ylabel), "%s per operation", counters[k].title);
		any = false;
		for (size_t fam = 0; fam < r->nfamilies; fam++)
			if (counter_seen(r, fam, k))
				any |= draw_family_bars(r, f, fam, counter_bar, &k, ylabel,
							BARS_LINEAR);
		if (!any)
			fputs("<p>0 in every cell.</p>\n", f);
	}
	exits_table(r, f);
}
