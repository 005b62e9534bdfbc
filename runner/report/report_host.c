/* SPDX-License-Identifier: MIT */
/*
 * The report's first screen: what each host is and what its hypervisor
 * costs, and with several run files, how they differ, before any per-cell
 * table.  A host is its CPU, the hypervisor under it as every source names
 * it (never one picked silently), the guest kernel's own paravirtual
 * choices and its command line, and the load it ran under.  What it costs
 * is the instance suite's native cells.  How files differ is judge/'s
 * comparison of their native cells, by mechanism, with intervals, and the
 * environment differences that point at a cause.
 */
#include <math.h>
#include <string.h>

#include "compare.h"
#include "compare_env.h"
#include "report.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_sections.h"

/* More than any real list: a hostile file's arrays stop here. */
#define HOST_LIST_MAX 16

static const json_t *at(const json_t *o, const char *a, const char *b)
{
	return json_object_get(b ? json_object_get(o, a) : o, b ? b : a);
}

static const char *text_at(const json_t *o, const char *a, const char *b)
{
	return json_string_value(at(o, a, b));
}

static void text(FILE *f, const char *s)
{
	html_escape(f, s ? s : "not recorded", 600);
}

/* The hypervisor as each source names it, and the disagreement where they differ. */
static void hypervisor_cell(FILE *f, const json_t *env)
{
	const json_t *v = at(env, "hypervisor", "verdict"), *e;
	size_t i;

	fputs("<td class=\"long\">", f);
	if (!v) {
		/* A file from before the hypervisor was identified: its one signature. */
		fputs("CPUID signature ", f);
		text(f, text_at(env, "host_is_guest", "signature"));
		fputs("</td>", f);
		return;
	}
	fputs("CPUID: ", f);
	json_array_foreach(json_object_get(v, "cpuid"), i, e) {
		if (i >= HOST_LIST_MAX)
			break;
		fputs(i ? ", " : "", f);
		text(f, json_string_value(e));
	}
	if (!json_array_size(json_object_get(v, "cpuid")))
		fputs("no hypervisor", f);
	fputs("; kernel: ", f);
	text(f, text_at(v, "kernel", NULL));
	if (text_at(v, "sysfs", NULL)) {
		fputs("; /sys/hypervisor: ", f);
		text(f, text_at(v, "sysfs", NULL));
	}
	if (text_at(v, "dmi", NULL)) {
		fputs("; DMI: ", f);
		text(f, text_at(v, "dmi", NULL));
	}
	if (text_at(v, "disagreement", NULL)) {
		fputs("<br><span class=\"bad\">The sources disagree: ", f);
		text(f, text_at(v, "disagreement", NULL));
		fputs("</span>", f);
	}
	fputs("</td>", f);
}

static void guest_cell(FILE *f, const json_t *env)
{
	const json_t *pv = at(env, "hypervisor", "guest_pv");

	fputs("<td class=\"long\">clocksource ", f);
	text(f, text_at(pv, "clocksource", NULL));
	fputs(", idle ", f);
	text(f, text_at(pv, "cpuidle_driver", NULL));
	fputs(", THP ", f);
	text(f, text_at(pv, "thp_enabled", NULL));
	fputs(", PTI ", f);
	text(f, text_at(pv, "pti", NULL) ? text_at(pv, "pti", NULL) :
	     text_at(env, "mitigations", "meltdown"));
	fputs("</td>", f);
}

static void load_cell(FILE *f, const json_t *doc)
{
	struct compare_load l;

	if (compare_load_of(doc, &l) || !l.nr_reps) {
		fputs("<td>not recorded</td>", f);
		return;
	}
	fprintf(f, "<td>others %.2f CPUs, steal %.1f%%</td>", l.others_cpus, l.steal_pct);
}

static void hosts_table(const struct report *r, FILE *f)
{
	fputs("<table><tr><th>file</th><th>CPU</th><th>hypervisor underneath</th>"
	      "<th>this kernel's own choices</th><th>kernel and command line</th>"
	      "<th>load (median per repetition)</th></tr>\n", f);
	for (size_t i = 0; i < r->nfiles; i++) {
		const json_t *doc = r->files[i].doc, *env = json_object_get(doc, "environment");
		const json_t *cpus = at(env, "cpu", "nr_online_cpus");

		if (r->files[i].conform)
			continue;
		fputs("<tr><td>", f);
		html_escape(f, r->files[i].label, 80);
		fputs("</td><td class=\"long\">", f);
		text(f, text_at(env, "cpu", "model_name"));
		if (json_is_integer(cpus))
			fprintf(f, ", %lld CPUs", (long long)json_integer_value(cpus));
		fputs("</td>", f);
		hypervisor_cell(f, env);
		guest_cell(f, env);
		fputs("<td class=\"long\">", f);
		text(f, text_at(env, "kernel", "release"));
		fputs("<br><code>", f);
		text(f, text_at(env, "kernel", "cmdline"));
		fputs("</code></td>", f);
		load_cell(f, doc);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The instance suite's cells of one file: what the hypervisor underneath costs a process. */
static void costs_table(const struct report *r, size_t fi, FILE *f)
{
	bool any = false;

	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];
		const char *fam = json_string_value(json_object_get(c->r, "family"));

		if (c->file != fi || !c->ok || !fam || strcmp(fam, "instance"))
			continue;
		if (!any) {
			fputs("<p>What the hypervisor underneath costs a process of ", f);
			html_escape(f, r->files[fi].label, 80);
			fputs(" (the instance suite; medians of every sample, docs/instance.md):</p>\n"
			      "<table><tr><th>what is timed</th><th>median</th><th>what one operation "
			      "is</th><th>stands for</th></tr>\n", f);
			any = true;
		}
		fputs("<tr>", f);
		fputs("<td>", f);
		html_escape(f, r->workloads[c->workload].name, 128);
		if (json_is_true(json_object_get(c->r, "load_sensitive")))
			fputs(" <small>(moves with load)</small>", f);
		fprintf(f, "</td><td class=\"n\">%.1f ns</td><td class=\"long\">", c->p50);
		html_escape(f, json_string_value(json_object_get(c->r, "what")), 300);
		fputs("</td><td>", f);
		html_escape(f, json_string_value(json_object_get(c->r, "stands_for")) ?: "-", 64);
		fputs("</td></tr>\n", f);
	}
	if (any)
		fputs("</table>\n", f);
}

static double flat_threshold(const struct results_cell *c, void *ctx)
{
	(void)c;
	(void)ctx;
	return 0;
}

static bool native(const struct results_cell *c)
{
	return c && !strcmp(c->mode, "native") && !strcmp(c->target, "native");
}

/* One file's native cells against the first file's: what moved, by how much, how sure. */
static void differences(const struct report *r, size_t fi, FILE *f)
{
	const struct compare_opts o = {
		.alpha = COMPARE_ALPHA, .level = COMPARE_LEVEL, .resamples = COMPARE_RESAMPLES,
		.seed = COMPARE_SEED, .threshold = flat_threshold,
	};
	struct results_set a = { 0 }, b = { 0 };
	struct compare_load la, lb;
	struct compare_row *rows = NULL;
	char why[256];
	size_t n = 0, shown = 0;

	/* Each set holds a reference of its own, which results_set_free drops. */
	a.doc = json_incref(r->files[0].doc);
	b.doc = json_incref(r->files[fi].doc);
	if (results_set_from_doc(&a, a.doc, why, sizeof(why)) ||
	    results_set_from_doc(&b, b.doc, why, sizeof(why)) ||
	    compare_sets(&a, &b, &o, &rows, &n))
		goto out;
	fputs("<p>", f);
	html_escape(f, r->files[fi].label, 80);
	fputs(" against ", f);
	html_escape(f, r->files[0].label, 80);
	fputs(": native cells whose median moved (Mann-Whitney U and a bootstrap interval over "
	      "repetitions, as <code>hvbench compare</code>):</p>\n<table><tr><th>what is timed"
	      "</th><th>ratio</th><th>95% interval</th><th>verdict</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct compare_row *w = &rows[i];
		const struct results_cell *k = compare_row_cell(w);

		if (w->state != COMPARE_DONE || !native(k) || w->verdict == CMP_NO_CHANGE)
			continue;
		fputs("<tr><td>", f);
		html_escape(f, compare_row_workload(w), 128);
		if (json_is_true(json_object_get(w->b->json, "load_sensitive")))
			fputs(" <small>(moves with load)</small>", f);
		fprintf(f, "</td><td class=\"n\">%.2f</td><td>[%.2f, %.2f]</td><td>%s</td></tr>\n",
			w->ci.ratio, w->ci.lo, w->ci.hi, w->verdict == CMP_SLOWER ? "dearer" :
			"cheaper");
		shown++;
	}
	fputs("</table>\n", f);
	if (!shown)
		fputs("<p>No native cell moved beyond its noise.</p>\n", f);
	if (!compare_load_of(a.doc, &la) && !compare_load_of(b.doc, &lb) &&
	    compare_load_differs(&la, &lb))
		fprintf(f, "<p class=\"warn\">The two ran under different load: other processes "
			"used %.2f and %.2f CPUs, steal %.1f%% and %.1f%%. Cells that move with "
			"load may differ for that alone.</p>\n", la.others_cpus, lb.others_cpus,
			la.steal_pct, lb.steal_pct);
out:
	free(rows);
	results_set_free(&a);
	results_set_free(&b);
}

void report_host(struct report *r, FILE *f)
{
	size_t runs = 0;

	for (size_t i = 0; i < r->nfiles; i++)
		runs += !r->files[i].conform;
	if (!runs)
		return;
	report_heading(r, f, 2, "host", runs > 1 ? "The hosts, and how they differ" :
		       "This host");
	hosts_table(r, f);
	for (size_t i = 0; i < r->nfiles; i++)
		if (!r->files[i].conform)
			costs_table(r, i, f);
	if (r->files[0].conform)
		return;
	for (size_t i = 1; i < r->nfiles; i++)
		if (!r->files[i].conform)
			differences(r, i, f);
	fputs("<p>Every environment difference, whole, is in the last section; "
	      "<code>hvbench compare</code> prints them with the command-line words that "
	      "point at each change.</p>\n", f);
}
