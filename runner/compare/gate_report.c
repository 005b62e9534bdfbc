/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "compare_out.h"
#include "gate.h"
#include "md_text.h"

bool gate_row_regressed(const struct compare_row *r)
{
	return (r->state == COMPARE_DONE && r->verdict == CMP_SLOWER) ||
	       (r->state == COMPARE_NOT_OK && r->broke);
}

void gate_count(struct gate_result *g)
{
	g->regressions = g->improvements = g->compared = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct compare_row *r = &g->rows[i];

		g->regressions += gate_row_regressed(r);
		g->improvements += r->state == COMPARE_DONE && r->verdict == CMP_FASTER;
		g->compared += r->state == COMPARE_DONE || gate_row_regressed(r);
	}
}

/* One line of figures: "1234.5 -> 2345.6 ns (x1.900, 95% CI 1.850-1.950, p 3e-12, threshold 10%)" */
static void row_figures(char *buf, size_t len, const struct compare_row *r,
			const struct compare_opts *o)
{
	char a[24], b[24];

	if (r->state != COMPARE_DONE) {
		snprintf(buf, len, "%s", r->why);
		return;
	}
	compare_fmt_ns(a, sizeof(a), r->a_median);
	compare_fmt_ns(b, sizeof(b), r->b_median);
	snprintf(buf, len, "median %s -> %s ns (x%.3f, %g%% CI %.3f-%.3f, p %.2g, threshold %g%%)",
		 a, b, r->ci.ratio, o->level * 100, r->ci.lo, r->ci.hi, r->mwu.p,
		 r->threshold_pct);
}

void gate_print(FILE *f, const struct gate_result *g)
{
	char name[512], fig[512];
	size_t only_base = 0, only_res = 0, ignored = 0;

	for (size_t i = 0; i < g->n; i++) {
		const struct compare_row *r = &g->rows[i];

		only_base += r->state == COMPARE_ONLY_A;
		only_res += r->state == COMPARE_ONLY_B;
		ignored += r->state == COMPARE_IGNORED;
		if (!gate_row_regressed(r) &&
		    !(r->state == COMPARE_DONE && r->verdict == CMP_FASTER))
			continue;
		results_cell_name(compare_row_cell(r), name, sizeof(name));
		row_figures(fig, sizeof(fig), r, g->opts);
		fprintf(f, "%s: %s: %s\n", gate_row_regressed(r) ? "REGRESSION" : "improvement",
			name, fig);
	}
	for (size_t i = 0; i < g->warnings->n; i++)
		fprintf(f, "warning: %s\n", g->warnings->lines[i]);
	if (only_base)
		fprintf(f, "note: %zu cell(s) of the baseline are not in %s (not measured: a "
			"different --filter or suite?)\n", only_base, g->res->label);
	if (only_res)
		fprintf(f, "note: %zu cell(s) of %s are not in the baseline\n", only_res,
			g->res->label);
	if (ignored)
		fprintf(f, "note: %zu cell(s) ignored by the thresholds\n", ignored);
	fprintf(f, "gate: %s: %zu regression(s), %zu improvement(s) in %zu cell(s) compared "
		"with %s\n", g->regressions ? "FAIL" : "pass", g->regressions, g->improvements,
		g->compared, g->base->label);
}

static void md_row(FILE *f, const struct compare_row *r)
{
	const struct results_cell *c = compare_row_cell(r);
	char a[24], b[24];

	fputs("| ", f);
	md_text(f, c->workload);
	fputs(" | ", f);
	md_text(f, c->mode);
	fputs(" | ", f);
	md_text(f, results_cell_target(c));
	if (c->cpl < 0)
		fputs(" | - | ", f);
	else
		fprintf(f, " | %d | ", c->cpl);
	compare_fmt_ns(a, sizeof(a), compare_row_median(r, false));
	compare_fmt_ns(b, sizeof(b), compare_row_median(r, true));
	fprintf(f, "%s | %s | ", a, b);
	if (r->state == COMPARE_DONE)
		fprintf(f, "%.3f | %.3f-%.3f | %.2g | %g%% | ", r->ci.ratio, r->ci.lo, r->ci.hi,
			r->mwu.p, r->threshold_pct);
	else
		fputs("| | | | ", f);
	if (r->state == COMPARE_DONE) {
		fputs(r->verdict == CMP_SLOWER ? "**slower**" : r->verdict == CMP_FASTER ?
		      "faster" : "no significant change", f);
	} else {
		fputs(gate_row_regressed(r) ? "**broke**: " : "", f);
		md_text(f, r->why);
	}
	fputs(" |\n", f);
}

static void md_table(FILE *f, const struct gate_result *g, int which)
{
	fprintf(f, "| workload | mode | target | cpl | baseline median (ns) | median (ns) | ratio | "
		   "%g%% CI | p | threshold | verdict |\n", g->opts->level * 100);
	fputs("| --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |\n", f);
	for (size_t i = 0; i < g->n; i++) {
		const struct compare_row *r = &g->rows[i];
		bool reg = gate_row_regressed(r);
		bool imp = r->state == COMPARE_DONE && r->verdict == CMP_FASTER;

		if ((which == 0 && reg) || (which == 1 && imp) || which == 2)
			md_row(f, r);
	}
}

int gate_summary_write(const char *path, const struct gate_result *g)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "## hvbench gate: %s\n\n", g->regressions ? "FAIL" : "pass");
	fprintf(f, "%zu regression(s) and %zu improvement(s) in %zu cell(s) of ", g->regressions,
		g->improvements, g->compared);
	md_text(f, g->res->label);
	fputs(" compared with the baseline ", f);
	md_text(f, g->base->label);
	fprintf(f, ". A change needs both a Mann-Whitney U p below %g and the %g%% bootstrap "
		"interval of the ratio of medians beyond the cell's threshold (", g->opts->alpha,
		g->opts->level * 100);
	if (g->thresholds_path) {
		fputs("from ", f);
		md_text(f, g->thresholds_path);
		fprintf(f, ", %g%% elsewhere", g->default_pct);
	} else {
		fprintf(f, "%g%%", g->default_pct);
	}
	fputs(").\n\n", f);
	if (g->regressions) {
		fputs("### Regressions\n\n", f);
		md_table(f, g, 0);
		fputc('\n', f);
	}
	if (g->improvements) {
		fputs("### Improvements\n\n", f);
		md_table(f, g, 1);
		fputc('\n', f);
	}
	for (size_t i = 0; i < g->warnings->n; i++) {
		fputs("> warning: ", f);
		md_text(f, g->warnings->lines[i]);
		fputs("\n", f);
	}
	if (g->warnings->n)
		fputc('\n', f);
	fputs("<details><summary>Every cell</summary>\n\n", f);
	md_table(f, g, 2);
	fputs("\n</details>\n", f);
	return atomic_file_write_memstream(f, &text, &len, path);
}
