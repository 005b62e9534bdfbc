/* SPDX-License-Identifier: MIT */
/*
 * The eBPF probes' histograms (docs/probes.md): where the host spent each
 * exit's and each interrupt's time, pooled per cell over its ok
 * repetitions and drawn per workload, one small plot per histogram; and
 * the tracepoints that stayed silent, with the probes' reason.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_draw.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_plot.h"
#include "report_sections.h"

/* Distinct tracepoints and reasons kept; a hostile file's thousands are counted, not listed. */
#define NOT_FIRING_MAX 64

static const struct {
	const char *name, *what;
} hists[REPORT_PROBE_HISTS] = {
	{ "kvm_run", "KVM_RUN residency: entry to return of each call" },
	{ "userspace", "in the VMM: a KVM_RUN's return to the next call" },
	{ "pio_completion", "PIO exit event to its return to the VMM" },
	{ "mmio_completion", "MMIO exit event to its return to the VMM" },
	{ "msr_completion", "MSR exit event to its completion" },
	{ "hypercall_completion", "hypercall exit event to its completion" },
	{ "cpuid_completion", "CPUID exit event to its completion" },
	{ "exit_to_entry", "exit to the next entry (vmx, svm)" },
	{ "irq_accept_to_wakeup", "interrupt accepted to the vCPU's wake-up" },
	{ "irq_accept_to_inj_virq", "interrupt accepted to its injection" },
	{ "irq_accept_to_eoi", "interrupt accepted to the guest's EOI" },
	{ "runqueue_wait", "run-queue wait: runnable to running" },
};

/* map[key] += 1, with the first value's text kept beside the count. */
static int tally(json_t *map, const char *key, const char *text)
{
	json_t *e = json_object_get(map, key);

	if (e)
		return json_array_set_new(e, 0, json_integer(json_integer_value(
							json_array_get(e, 0)) + 1));
	if (json_object_size(map) >= NOT_FIRING_MAX)
		return 0;
	return json_object_set_new(map, key, json_pack("[i, s]", 1, text ? text : ""));
}

static int not_firing_read(struct report *r, const json_t *list)
{
	const json_t *nf;
	size_t i;

	json_array_foreach(list, i, nf) {
		const char *tp = json_string_value(json_object_get(nf, "tracepoint"));
		const char *why = json_string_value(json_object_get(nf, "why"));

		if (tp && tally(r->not_firing, tp, why))
			return -ENOMEM;
	}
	return 0;
}

/* The histograms of one repetition's probes.ebpf, pooled into the cell's. */
static int ebpf_read(struct report *r, struct report_cell *c, size_t rep, const json_t *ebpf)
{
	const json_t *hs = json_object_get(ebpf, "histograms");
	const char *unavailable = json_string_value(json_object_get(ebpf, "unavailable"));
	char name[400], why[160];

	if (unavailable)
		return tally(r->probes_unavailable, unavailable, NULL) ? -ENOMEM : 0;
	if (not_firing_read(r, json_object_get(ebpf, "not_firing")))
		return -ENOMEM;
	if (!json_is_object(hs))
		return 0;
	if (!c->probe && !(c->probe = calloc(REPORT_PROBE_HISTS, sizeof(*c->probe))))
		return -ENOMEM;
	for (size_t k = 0; k < REPORT_PROBE_HISTS; k++) {
		const json_t *h = json_object_get(hs, hists[k].name);

		if (!h || !hist_add_probe(&c->probe[k], h, why, sizeof(why)))
			continue;
		report_cell_name(r, c, name, sizeof(name));
		report_problem(r, "%s: results[%zu] (%s) repetitions[%zu]: probes histogram %s: %s; "
			       "left out", r->files[c->file].path, c->index, name, rep,
			       hists[k].name, why);
	}
	return 0;
}

int report_probes_read(struct report *r)
{
	r->not_firing = json_object();
	r->probes_unavailable = json_object();
	if (!r->not_firing || !r->probes_unavailable)
		return -ENOMEM;
	for (size_t i = 0; i < r->ncells; i++) {
		struct report_cell *c = &r->cells[i];
		const json_t *rep;
		size_t k;

		json_array_foreach(json_object_get(c->r, "repetitions"), k, rep) {
			const json_t *ebpf = json_object_get(json_object_get(rep, "probes"), "ebpf");
			const char *st = json_string_value(json_object_get(rep, "status"));

			if (json_is_object(ebpf) && st && !strcmp(st, "ok") &&
			    ebpf_read(r, c, k, ebpf))
				return -ENOMEM;
		}
		for (k = 0; c->probe && k < REPORT_PROBE_HISTS; k++)
			hist_finish(&c->probe[k]);
	}
	return 0;
}

static bool has(const struct report_cell *c, size_t k)
{
	return c->probe && c->probe[k].total;
}

/* The share of events per bucket as steps, with a drop to 0 across empty buckets. */
static void hist_steps(FILE *gp, const struct hist *h)
{
	double total = (double)h->total, end = NAN;

	for (size_t i = 0; i < h->n; i++) {
		const struct hist_bucket *b = &h->b[i];
		double pct = 100 * (double)b->count / total, lo = fmax(b->lo, 1);

		if (b->hi <= 1)
			continue;
		if (isnan(end) || end < lo)
			fprintf(gp, "%.9g 0\n%.9g 0\n", isnan(end) ? lo : end, lo);
		fprintf(gp, "%.9g %.6f\n%.9g %.6f\n", lo, pct, b->hi, pct);
		end = b->hi;
	}
	if (!isnan(end))
		fprintf(gp, "%.9g 0\n", end);
}

static int hist_plot(struct report *r, const struct report_workload *w, size_t k)
{
	double lo = INFINITY, hi = 0;
	bool first = true;
	int id, curves = 0;
	FILE *gp;

	for (size_t i = w->first; i < w->first + w->count; i++) {
		const struct hist *h = r->cells[i].probe ? &r->cells[i].probe[k] : NULL;

		if (!h || !h->total)
			continue;
		curves++;
		for (size_t b = 0; b < h->n; b++)
			if (h->b[b].count && h->b[b].hi > 1) {
				lo = fmin(lo, fmax(h->b[b].lo, 1));
				hi = fmax(hi, h->b[b].hi);
			}
	}
	/* The key above the plot takes a line per two curves: the plot keeps its height. */
	if (!(hi > lo) || !(gp = plot_begin(r->plots, 660, 270 + 16 * ((curves + 1) / 2), &id)))
		return -1;
	draw_log_axis(gp, 'x', lo / 1.2, hi * 1.2, false);
	fputs("set ylabel 'events per bucket (%)'\nset yrange [0:*]\n"
	      "set xlabel 'time per event (log scale)'\n"
	      "set key outside top center horizontal\n", gp);
	for (size_t i = w->first; i < w->first + w->count; i++) {
		if (!has(&r->cells[i], k))
			continue;
		fprintf(gp, "$h%d_%zu << EOD\n", id, i);
		hist_steps(gp, &r->cells[i].probe[k]);
		fputs("EOD\n", gp);
	}
	fputs("plot ", gp);
	for (size_t i = w->first; i < w->first + w->count; i++)
		if (has(&r->cells[i], k))
			draw_series_line(gp, 'h', id, i, 1.6, &r->series[r->cells[i].series], &first);
	fputc('\n', gp);
	plot_end(r->plots);
	return id;
}

static void probes_table(const struct report *r, const struct report_workload *w, FILE *f)
{
	fputs("<details><summary>Figures (ns, from the buckets: within 12.5%)</summary><table>"
	      "<tr><th>series</th><th>histogram</th><th>events</th><th>p50</th><th>p90</th>"
	      "<th>p99</th><th>max</th></tr>\n", f);
	for (size_t i = w->first; i < w->first + w->count; i++)
		for (size_t k = 0; k < REPORT_PROBE_HISTS; k++) {
			const struct report_cell *c = &r->cells[i];
			const struct hist *h = c->probe ? &c->probe[k] : NULL;

			if (!h || !h->total)
				continue;
			fputs("<tr>", f);
			report_series_td(f, &r->series[c->series]);
			fprintf(f, "<td>%s</td><td class=\"n\">%.0f</td>", hists[k].name,
				(double)h->total);
			report_td_num(f, hist_quantile(h, 0.5));
			report_td_num(f, hist_quantile(h, 0.9));
			report_td_num(f, hist_quantile(h, 0.99));
			report_td_num(f, h->max > 0 ? h->max : NAN);
			fputs("</tr>\n", f);
		}
	fputs("</table></details>\n", f);
}

static void workload_probes(struct report *r, FILE *f, size_t wi)
{
	const struct report_workload *w = &r->workloads[wi];
	bool any[REPORT_PROBE_HISTS] = { false }, some = false;
	char id[32];

	for (size_t i = w->first; i < w->first + w->count; i++)
		for (size_t k = 0; k < REPORT_PROBE_HISTS; k++)
			some |= any[k] |= has(&r->cells[i], k);
	if (!some)
		return;
	snprintf(id, sizeof(id), "probes-%zu", wi);
	report_heading(r, f, 3, id, w->name);
	fputs("<div class=\"grid\">\n", f);
	for (size_t k = 0; k < REPORT_PROBE_HISTS; k++) {
		int plot;

		if (!any[k] || (plot = hist_plot(r, w, k)) < 0)
			continue;
		fputs("<figure><figcaption>", f);
		fprintf(f, "%s (<code>%s</code>)</figcaption>", hists[k].what, hists[k].name);
		plot_place(f, plot);
		fputs("</figure>\n", f);
	}
	fputs("</div>\n", f);
	probes_table(r, w, f);
}

/* A map's entries as a table: key, count of repetitions, the text kept. */
static void tally_table(FILE *f, const json_t *map, const char *key_title,
			const char *text_title)
{
	const char *key;
	json_t *e;

	fprintf(f, "<table><tr><th>%s</th><th>repetitions</th>%s%s%s</tr>\n", key_title,
		text_title ? "<th>" : "", text_title ? text_title : "", text_title ? "</th>" : "");
	json_object_foreach((json_t *)map, key, e) {
		fputs("<tr><td><code>", f);
		html_escape(f, key, text_title ? 128 : 600);
		fprintf(f, "</code></td><td class=\"n\">%lld</td>",
			(long long)json_integer_value(json_array_get(e, 0)));
		if (text_title) {
			fputs("<td class=\"long\">", f);
			html_escape(f, json_string_value(json_array_get(e, 1)), 600);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_probes(struct report *r, FILE *f)
{
	bool some = false;

	for (size_t i = 0; i < r->ncells && !some; i++)
		for (size_t k = 0; k < REPORT_PROBE_HISTS; k++)
			some |= has(&r->cells[i], k);
	if (!some && !json_object_size(r->not_firing) &&
	    !json_object_size(r->probes_unavailable))
		return;
	report_heading(r, f, 2, "probes", "eBPF probes");
	fputs("<p>Host-side time from the eBPF probes (docs/probes.md), per event, pooled over "
	      "each cell's ok repetitions: each plot is a histogram of one probe, the share of "
	      "events in each bucket (log2 buckets with 8 linear sub-buckets, so a bucket is at "
	      "most 12.5% wide). Under refvmm the window is the guest's measured stretch plus "
	      "the end mark's exit; under an external VMM (qemu-kvm, vmm-cmd) it is bounded "
	      "by the serial mark lines, the guest idling 200 ms on either side so the host "
	      "reads them before anything is measured: counts and per-event times are the "
	      "stretch's, time totals include the idling (docs/probes.md).</p>\n", f);
	if (json_object_size(r->not_firing)) {
		report_heading(r, f, 3, "not-firing", "Tracepoints that did not fire");
		fputs("<p>Silent although what they trace happened, or not attached; the histograms "
		      "that depend on them are absent. The reason is the first repetition's.</p>\n",
		      f);
		tally_table(f, r->not_firing, "tracepoint", "why");
	}
	if (json_object_size(r->probes_unavailable)) {
		fputs("<p>Repetitions without eBPF probes, by reason:</p>\n", f);
		tally_table(f, r->probes_unavailable, "why", NULL);
	}
	for (size_t w = 0; w < r->nworkloads; w++)
		workload_probes(r, f, w);
}
