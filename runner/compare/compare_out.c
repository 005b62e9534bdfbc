/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "compare_out.h"
#include "md_text.h"
#include "results_doc.h"

void compare_fmt_ns(char *buf, size_t len, double ns)
{
	if (isnan(ns))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", ns);
}

const char *compare_row_outcome(const struct compare_row *r)
{
	switch (r->state) {
	case COMPARE_DONE:
		return cmp_verdict_name(r->verdict);
	case COMPARE_ONLY_A:
	case COMPARE_ONLY_B:
		return "not in both";
	case COMPARE_NOT_OK:
		return r->broke ? "broke" : "not comparable";
	case COMPARE_NO_SAMPLES:
		return "no samples";
	case COMPARE_NO_RATIO:
		return "no ratio";
	case COMPARE_IGNORED:
		break;
	}
	return "ignored";
}

static void fmt_cpl(char *buf, size_t len, const struct results_cell *c)
{
	if (c->cpl < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d", c->cpl);
}

/* The figures of a row as text; "" where the row has none. */
struct row_text {
	char cpl[16], base[24], p50[24], ratio[24], ci[48], p[16];
};

static void row_text(const struct compare_row *r, struct row_text *t)
{
	memset(t, 0, sizeof(*t));
	fmt_cpl(t->cpl, sizeof(t->cpl), compare_row_cell(r));
	compare_fmt_ns(t->base, sizeof(t->base), compare_row_median(r, false));
	compare_fmt_ns(t->p50, sizeof(t->p50), compare_row_median(r, true));
	if (r->state != COMPARE_DONE)
		return;
	snprintf(t->ratio, sizeof(t->ratio), "%.3f", r->ci.ratio);
	snprintf(t->ci, sizeof(t->ci), "[%.3f, %.3f]", r->ci.lo, r->ci.hi);
	snprintf(t->p, sizeof(t->p), "%.2g", r->mwu.p);
}

bool compare_out_shows(const struct comparison *c, const struct compare_row *r)
{
	const struct results_cell *k = compare_row_cell(r);

	return !c->native_only || (!strcmp(k->mode, "native") && !strcmp(k->target, "native"));
}

void compare_out_table(FILE *f, const struct comparison *c)
{
	bool many = c->nr_sets > 2;

	fprintf(f, "%-23s %-12s %-9s %-3s ", "workload", "mode", "target", "cpl");
	if (many)
		fprintf(f, "%-12s ", "file");
	fprintf(f, "%12s %12s %7s %-18s %8s  %s\n", "base median", "median", "ratio", "95% CI",
		"p", "verdict");
	for (size_t s = 1; s < c->nr_sets; s++) {
		for (size_t i = 0; i < c->nr_rows[s - 1]; i++) {
			const struct compare_row *r = &c->rows[s - 1][i];
			const struct results_cell *k = compare_row_cell(r);
			struct row_text t;

			if (!compare_out_shows(c, r))
				continue;
			row_text(r, &t);
			fprintf(f, "%-23s %-12s %-9s %-3s ", compare_row_workload(r), k->mode,
				results_cell_target(k), t.cpl);
			if (many)
				fprintf(f, "%-12.12s ", c->sets[s].label);
			fprintf(f, "%12s %12s %7s %-18s %8s  %s", t.base, t.p50, t.ratio, t.ci, t.p,
				compare_row_outcome(r));
			if (r->state != COMPARE_DONE)
				fprintf(f, ": %.90s", r->why);
			fputc('\n', f);
		}
	}
	fprintf(f, "\nbase: %s (%s)", c->sets[0].label, c->sets[0].path);
	for (size_t s = 1; s < c->nr_sets; s++)
		fprintf(f, "; %s (%s)", c->sets[s].label, c->sets[s].path);
	fprintf(f, "\nmedians of the samples compared: each repetition's first, as many on both "
		"sides\nratio: median / the base's median, with its %g%% bootstrap interval over "
		"repetitions; p: Mann-Whitney U; a change needs p < %g and the interval beyond "
		"%g%%\n", c->opts->level * 100, c->opts->alpha, c->threshold_pct);
}

void compare_out_md(FILE *f, const struct comparison *c)
{
	fprintf(f, "| workload | mode | target | cpl | file | base median (ns) | median (ns) | ratio "
		   "| %g%% CI | p | verdict |\n", c->opts->level * 100);
	fprintf(f, "| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- | ---: | --- |\n");
	for (size_t s = 1; s < c->nr_sets; s++) {
		for (size_t i = 0; i < c->nr_rows[s - 1]; i++) {
			const struct compare_row *r = &c->rows[s - 1][i];
			const struct results_cell *k = compare_row_cell(r);
			struct row_text t;

			row_text(r, &t);
			fputs("| ", f);
			md_text(f, compare_row_workload(r));
			fputs(" | ", f);
			md_text(f, k->mode);
			fputs(" | ", f);
			md_text(f, results_cell_target(k));
			fprintf(f, " | %s | ", t.cpl);
			md_text(f, c->sets[s].label);
			fprintf(f, " | %s | %s | %s | %s | %s | %s", t.base, t.p50, t.ratio, t.ci,
				t.p, r->state == COMPARE_DONE && r->verdict != CMP_NO_CHANGE ?
				(r->verdict == CMP_SLOWER ? "**slower**" : "**faster**") :
				compare_row_outcome(r));
			if (r->state != COMPARE_DONE) {
				fputs(": ", f);
				md_text(f, r->why);
			}
			fputs(" |\n", f);
		}
	}
	fprintf(f, "\nBase: ");
	md_text(f, c->sets[0].label);
	fprintf(f, ". Medians of the samples compared (each repetition's first, as many on both "
		"sides); ratio: median / the base's median, with its %g%% bootstrap interval over "
		"repetitions; p: Mann-Whitney U; a change needs p < %g and the interval beyond "
		"%g%%.\n", c->opts->level * 100, c->opts->alpha, c->threshold_pct);
	for (size_t i = 0; i < c->warnings->n; i++) {
		fputs("\n> warning: ", f);
		md_text(f, c->warnings->lines[i]);
		fputc('\n', f);
	}
}

/*
 * RFC 4180: quote a field holding a comma, a quote or a line break. A field
 * a spreadsheet would take for a formula (=, +, -, @ first) gets a leading
 * apostrophe, so a name from a file can never run as one.
 */
static void csv_text(FILE *f, const char *s)
{
	if (*s && strchr("=+-@\t\r", *s))
		fputc('\'', f);
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void compare_out_csv(FILE *f, const struct comparison *c)
{
	fprintf(f, "workload,mode,target,cpl,base,file,base_median_ns,median_ns,ratio,ci_lo,ci_hi,"
		   "p,effect,threshold_pct,verdict,why\n");
	for (size_t s = 1; s < c->nr_sets; s++) {
		for (size_t i = 0; i < c->nr_rows[s - 1]; i++) {
			const struct compare_row *r = &c->rows[s - 1][i];
			const struct results_cell *k = compare_row_cell(r);
			struct row_text t;

			row_text(r, &t);
			csv_text(f, compare_row_workload(r));
			fputc(',', f);
			csv_text(f, k->mode);
			fputc(',', f);
			csv_text(f, results_cell_target(k));
			fprintf(f, ",%s,", k->cpl < 0 ? "" : t.cpl);
			csv_text(f, c->sets[0].label);
			fputc(',', f);
			csv_text(f, c->sets[s].label);
			fprintf(f, ",%s,%s", isnan(compare_row_median(r, false)) ? "" : t.base,
				isnan(compare_row_median(r, true)) ? "" : t.p50);
			if (r->state == COMPARE_DONE)
				fprintf(f, ",%.6g,%.6g,%.6g,%.3g,%.4f,%g,", r->ci.ratio, r->ci.lo,
					r->ci.hi, r->mwu.p, r->mwu.effect, r->threshold_pct);
			else
				fprintf(f, ",,,,,,,");
			csv_text(f, compare_row_outcome(r));
			fputc(',', f);
			csv_text(f, r->state == COMPARE_DONE ? "" : r->why);
			fputc('\n', f);
		}
	}
}

/* A number, or null where it is not one (an infinite interval bound). */
static json_t *json_num(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *row_json(const struct compare_row *r, const char *file)
{
	const struct results_cell *k = compare_row_cell(r);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s}",
			      "workload", compare_row_workload(r), "mode", k->mode,
			      "target", results_cell_target(k),
			      "cpl", k->cpl < 0 ? json_null() : json_integer(k->cpl),
			      "file", file,
			      "base_median_ns", json_num(compare_row_median(r, false)),
			      "median_ns", json_num(compare_row_median(r, true)),
			      "verdict", compare_row_outcome(r));

	if (!o)
		return NULL;
	if (r->state != COMPARE_DONE) {
		json_object_set_new(o, "why", results_json_text(r->why));
		return o;
	}
	json_object_set_new(o, "ratio", json_num(r->ci.ratio));
	json_object_set_new(o, "ci", json_pack("[o, o]", json_num(r->ci.lo), json_num(r->ci.hi)));
	json_object_set_new(o, "p", json_num(r->mwu.p));
	json_object_set_new(o, "p_exact", json_boolean(r->mwu.exact));
	json_object_set_new(o, "effect", json_num(r->mwu.effect));
	json_object_set_new(o, "threshold_pct", json_num(r->threshold_pct));
	json_object_set_new(o, "n", json_pack("[I, I]", (json_int_t)r->n_a, (json_int_t)r->n_b));
	json_object_set_new(o, "samples_per_repetition", json_integer((json_int_t)r->per_rep));
	json_object_set_new(o, "repetitions", json_pack("[I, I]", (json_int_t)r->a->nr_reps,
							(json_int_t)r->b->nr_reps));
	return o;
}

int compare_out_json(FILE *f, const struct comparison *c)
{
	json_t *doc = json_object(), *files = json_array(), *rows = json_array();
	json_t *warnings = json_array();
	int ret = -1;

	if (!doc || !files || !rows || !warnings)
		goto out;
	for (size_t s = 0; s < c->nr_sets; s++) {
		const json_t *d = c->sets[s].doc;

		if (json_array_append_new(files, json_pack("{s:s, s:o, s:s, s:O?, s:O?}",
					  "label", c->sets[s].label,
					  "path", results_json_text(c->sets[s].path),
					  "kind", c->sets[s].kind,
					  "started_at", json_object_get(d, "started_at"),
					  "complete", json_object_get(d, "complete"))))
			goto out;
	}
	for (size_t s = 1; s < c->nr_sets; s++)
		for (size_t i = 0; i < c->nr_rows[s - 1]; i++)
			if (json_array_append_new(rows, row_json(&c->rows[s - 1][i],
								 c->sets[s].label)))
				goto out;
	for (size_t i = 0; i < c->warnings->n; i++)
		if (json_array_append_new(warnings, results_json_text(c->warnings->lines[i])))
			goto out;
	json_object_set_new(doc, "schema", json_string("hvbench-compare"));
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set(doc, "files", files);
	json_object_set_new(doc, "settings",
			    json_pack("{s:f, s:f, s:I, s:I, s:f}", "alpha", c->opts->alpha,
				      "level", c->opts->level,
				      "resamples", (json_int_t)c->opts->resamples,
				      "seed", (json_int_t)c->opts->seed,
				      "threshold_pct", c->threshold_pct));
	json_object_set(doc, "warnings", warnings);
	json_object_set(doc, "rows", rows);
	if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_ENSURE_ASCII) == 0 && fputc('\n', f) != EOF)
		ret = 0;
out:
	json_decref(files);
	json_decref(rows);
	json_decref(warnings);
	json_decref(doc);
	return ret;
}
