/* SPDX-License-Identifier: MIT */
/*
 * The report's first section: which files, what made them and when,
 * whether each is complete (an incomplete one is flagged where it cannot
 * be missed), what in them could not be used, and every cell and
 * repetition that did not measure, with its reason.
 */
#include <string.h>

#include "env_timing.h"
#include "report.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_sections.h"

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static void td_text(FILE *f, const char *s, size_t max, bool code)
{
	fputs(code ? "<td class=\"long\"><code>" : "<td class=\"long\">", f);
	html_escape(f, s ? s : "-", max);
	fputs(code ? "</code></td>" : "</td>", f);
}

static void file_contents(const struct report *r, size_t fi, FILE *f)
{
	const json_t *doc = r->files[fi].doc;
	size_t cells = 0, ok = 0;

	if (r->files[fi].conform) {
		const json_t *c = json_object_get(doc, "conformance");

		fprintf(f, "<td>%zu tests on %zu targets</td>",
			json_array_size(json_object_get(c, "tests")),
			json_array_size(json_object_get(c, "targets")));
		return;
	}
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].file == fi) {
			cells++;
			ok += r->cells[i].ok;
		}
	fprintf(f, "<td>%zu cells, %zu measured</td>", cells, ok);
}

static void files_table(struct report *r, FILE *f)
{
	fputs("<table><tr><th>label</th><th>file</th><th>kind</th><th>command</th>"
	      "<th>started (UTC)</th><th>last written</th><th>complete</th><th>host, KVM</th>"
	      "<th>contents</th></tr>\n", f);
	for (size_t i = 0; i < r->nfiles; i++) {
		const json_t *doc = r->files[i].doc, *env = json_object_get(doc, "environment");
		bool complete = json_is_true(json_object_get(doc, "complete"));

		fputs("<tr>", f);
		td_text(f, r->files[i].label, 80, false);
		td_text(f, r->files[i].path, 300, true);
		td_text(f, str(doc, "kind"), 40, false);
		td_text(f, str(doc, "command"), 1100, true);
		td_text(f, str(doc, "started_at"), 40, false);
		td_text(f, str(doc, "updated_at"), 40, false);
		fprintf(f, "<td class=\"%s\">%s</td>", complete ? "PASS" : "FAIL",
			complete ? "yes" : "<b>NO</b>");
		fputs("<td>", f);
		html_escape(f, str(env, "hostname") ? str(env, "hostname") : "-", 64);
		fputs(", ", f);
		html_escape(f, str(json_object_get(env, "kvm"), "backend") ?
			       str(json_object_get(env, "kvm"), "backend") : "-", 32);
		fputs("</td>", f);
		file_contents(r, i, f);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

void report_incomplete(const struct report *r, FILE *f)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		if (json_is_true(json_object_get(r->files[i].doc, "complete")))
			continue;
		fputs("<p class=\"bad\">Incomplete: ", f);
		html_escape(f, r->files[i].label, 80);
		fputs(" (<code>", f);
		html_escape(f, r->files[i].path, 300);
		fputs("</code>) was interrupted, killed or is still being written: it holds only "
		      "the repetitions finished by ", f);
		html_escape(f, str(r->files[i].doc, "updated_at") ?
			       str(r->files[i].doc, "updated_at") : "its last write", 40);
		fputs(", and cells not started are missing from it.</p>\n", f);
	}
}

void report_timing_caveats(const struct report *r, FILE *f)
{
	for (size_t i = 0; i < r->nfiles; i++) {
		const char *why = env_timing_caveat(r->files[i].doc);

		/* A conformance file's verdicts stand; only its durations would be the emulator's. */
		if (!why || !strcmp(str(r->files[i].doc, "kind") ?: "", "conform"))
			continue;
		fputs("<p class=\"bad\">Not performance figures: ", f);
		html_escape(f, r->files[i].label, 80);
		fputs(" (<code>", f);
		html_escape(f, r->files[i].path, 300);
		fputs("</code>): ", f);
		html_escape(f, why, 400);
		fputs(". Its times are shown, but they are not those of a hypervisor on "
		      "hardware.</p>\n", f);
	}
}

static void problems_list(const struct report *r, FILE *f)
{
	if (!r->nproblems)
		return;
	fprintf(f, "<div class=\"warn\" id=\"problems\"><p><b>%zu problem%s in the files.</b> What each one "
		"concerns is left out of the figures; the rest is used.</p><ul>\n",
		r->nproblems + r->problems_dropped, r->nproblems + r->problems_dropped == 1 ?
		"" : "s");
	for (size_t i = 0; i < r->nproblems; i++) {
		fputs("<li>", f);
		html_escape(f, r->problems[i], 600);
		fputs("</li>\n", f);
	}
	if (r->problems_dropped)
		fprintf(f, "<li>and %zu more</li>\n", r->problems_dropped);
	fputs("</ul></div>\n", f);
}

static void cell_tds(const struct report *r, const struct report_cell *c, FILE *f)
{
	if (r->nfiles > 1)
		td_text(f, r->files[c->file].label, 80, false);
	td_text(f, r->workloads[c->workload].name, 128, false);
	td_text(f, c->mode, 128, false);
	td_text(f, c->target, 128, false);
	report_cpl_td(f, c->cpl);
}

/* Whether two unmeasured cells are one line: the same file, status and reason. */
static bool same_reason(const struct report_cell *a, const struct report_cell *b)
{
	return a->file == b->file && !strcmp(a->status ?: "", b->status ?: "") &&
	       !strcmp(a->reason ?: "", b->reason ?: "");
}

/* Whether unmeasured cell i is the first with its reason (its line is printed there). */
static bool reason_first(const struct report *r, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!r->cells[k].ok && same_reason(&r->cells[k], &r->cells[i]))
			return false;
	return true;
}

/* One reason's line: how many cells, which (folded), the status and the reason. */
static void reason_row(const struct report *r, size_t first, FILE *f)
{
	const struct report_cell *c0 = &r->cells[first];
	size_t n = 0;

	for (size_t k = first; k < r->ncells; k++)
		n += !r->cells[k].ok && same_reason(&r->cells[k], c0);
	fputs("<tr>", f);
	if (r->nfiles > 1)
		td_text(f, r->files[c0->file].label, 80, false);
	fprintf(f, "<td class=\"long\"><details><summary>%zu cell%s</summary>", n,
		n == 1 ? "" : "s");
	for (size_t k = first, shown = 0; k < r->ncells; k++) {
		const struct report_cell *c = &r->cells[k];

		if (c->ok || !same_reason(c, c0))
			continue;
		fputs(shown++ ? ", " : "", f);
		html_escape(f, r->workloads[c->workload].name, 128);
		fputc(' ', f);
		html_escape(f, c->mode, 32);
		fputc(' ', f);
		html_escape(f, c->target, 32);
		if (c->cpl >= 0)
			fprintf(f, " cpl%d", c->cpl);
	}
	fputs("</details></td>", f);
	td_text(f, c0->status, 40, false);
	td_text(f, c0->reason, 500, false);
	fputs("</tr>\n", f);
}

static void not_measured(struct report *r, FILE *f)
{
	size_t n = 0, reps = 0;

	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];

		n += !c->ok;
		reps += c->ok && c->reps_ok < c->reps;
	}
	report_heading(r, f, 3, "not-measured", "Cells not measured");
	if (!n) {
		fputs("<p>Every cell measured.</p>\n", f);
	} else {
		fprintf(f, "<p>%zu cell%s did not measure: no repetition was ok. They appear in no "
			"figure below. One line per reason, the cells it concerns folded under it."
			"</p>\n<table><tr>%s<th>cells</th><th>status</th><th>reason</th></tr>\n", n,
			n == 1 ? "" : "s", r->nfiles > 1 ? "<th>file</th>" : "");
		for (size_t i = 0; i < r->ncells; i++)
			if (!r->cells[i].ok && reason_first(r, i))
				reason_row(r, i, f);
		fputs("</table>\n", f);
	}
	if (!reps)
		return;
	fprintf(f, "<p>%zu measured cell%s also had a repetition that was not ok (a cell runs no "
		"more repetitions after one): its figures are those of the ok ones.</p>\n<table><tr>"
		"%s<th>workload</th><th>mode</th><th>target</th><th>CPL</th><th>repetition</th>"
		"<th>status</th><th>reason</th></tr>\n", reps, reps == 1 ? "" : "s",
		r->nfiles > 1 ? "<th>file</th>" : "");
	for (size_t i = 0; i < r->ncells; i++) {
		const struct report_cell *c = &r->cells[i];
		const json_t *rep;
		size_t k;

		if (!c->ok || c->reps_ok == c->reps)
			continue;
		json_array_foreach(json_object_get(c->r, "repetitions"), k, rep) {
			const char *st = str(rep, "status");

			if (st && !strcmp(st, "ok"))
				continue;
			fputs("<tr>", f);
			cell_tds(r, c, f);
			fprintf(f, "<td class=\"n\">%zu</td>", k);
			td_text(f, st, 40, false);
			td_text(f, str(rep, "reason"), 500, false);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

/* More entries than any selection of the catalog makes: a hostile file stops here. */
#define NOT_APPLICABLE_MAX 4096

/*
 * What a file's targets could not run (its not_applicable), as hvbench run
 * listed it.  Entries that are not objects of four strings are counted and
 * left out, not guessed at.
 */
static void not_applicable(struct report *r, FILE *f)
{
	size_t n = 0, bad = 0;

	for (size_t i = 0; i < r->nfiles; i++)
		n += json_array_size(json_object_get(r->files[i].doc, "not_applicable"));
	if (!n)
		return;
	report_heading(r, f, 3, "not-applicable", "Not applicable on a target");
	fputs("<p>What a chosen target cannot run, with the reason (docs/targets.md): no cell "
	      "was made for it.</p>\n<table><tr>", f);
	fputs(r->nfiles > 1 ? "<th>file</th>" : "", f);
	fputs("<th>workload</th><th>mode</th><th>target</th><th>reason</th></tr>\n", f);
	for (size_t i = 0; i < r->nfiles; i++) {
		const json_t *na = json_object_get(r->files[i].doc, "not_applicable"), *e;
		size_t k;

		json_array_foreach(na, k, e) {
			const char *w = str(e, "workload"), *m = str(e, "mode");
			const char *t = str(e, "target"), *why = str(e, "reason");

			if (k >= NOT_APPLICABLE_MAX || !w || !m || !t || !why) {
				bad++;
				continue;
			}
			fputs("<tr>", f);
			if (r->nfiles > 1)
				td_text(f, r->files[i].label, 80, false);
			td_text(f, w, 128, false);
			td_text(f, m, 128, false);
			td_text(f, t, 128, false);
			td_text(f, why, 500, false);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table>\n", f);
	if (bad)
		fprintf(f, "<p>%zu malformed entr%s left out.</p>\n", bad, bad == 1 ? "y" : "ies");
}

void report_header(struct report *r, FILE *f)
{
	report_heading(r, f, 2, "files", "Files");
	files_table(r, f);
	problems_list(r, f);
	if (r->ncells)
		not_measured(r, f);
	not_applicable(r, f);
}
