/* SPDX-License-Identifier: MIT */
/*
 * The conformance files (kind "conform"): each target's summary, the
 * unexpected results with their reasons, and the test x target matrix,
 * coloured by status, known failures marked.  With several files, each
 * file's targets are columns of one matrix.  results_read.c has checked
 * every field's type and replaced control characters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_sections.h"

/* Columns and rows shown at most: a hostile file's thousands are counted, not drawn. */
#define MATRIX_MAX_COLUMNS 64
#define MATRIX_MAX_ROWS 20000

struct column {
	size_t file;
	const json_t *target;
};

struct matrix {
	struct column *cols;
	size_t ncols, cols_dropped;
	const json_t **tests;	/* a row's test, the first file's that has it */
	const json_t **cells;	/* rows x ncols results, NULL where none */
	size_t nrows, rows_dropped;
};

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* The CSS class of a status: one of a fixed list, never the file's text. */
static const char *status_class(const char *status)
{
	static const char *const known[] = { "PASS", "FAIL", "SKIP", "TIMEOUT", "CRASH", "ERROR" };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (status && !strcmp(status, known[i]))
			return known[i];
	return "other";
}

static void column_name(const struct report *r, FILE *f, const struct column *c)
{
	if (r->nfiles > 1) {
		html_escape(f, r->files[c->file].label, 60);
		fputc(' ', f);
	}
	html_escape(f, str(c->target, "name"), 64);
}

static int matrix_columns(const struct report *r, struct matrix *m)
{
	size_t n = 0;

	for (size_t fi = 0; fi < r->nfiles; fi++)
		if (r->files[fi].conform)
			n += json_array_size(json_object_get(json_object_get(r->files[fi].doc,
									     "conformance"),
							     "targets"));
	m->cols = calloc(n + 1, sizeof(*m->cols));
	if (!m->cols)
		return -ENOMEM;
	for (size_t fi = 0; fi < r->nfiles; fi++) {
		const json_t *t;
		size_t i;

		if (!r->files[fi].conform)
			continue;
		json_array_foreach(json_object_get(json_object_get(r->files[fi].doc,
								   "conformance"), "targets"), i, t) {
			if (m->ncols == MATRIX_MAX_COLUMNS) {
				m->cols_dropped++;
				continue;
			}
			m->cols[m->ncols++] = (struct column){ fi, t };
		}
	}
	return 0;
}

static size_t column_of(const struct matrix *m, size_t file, const char *target)
{
	for (size_t c = 0; c < m->ncols; c++)
		if (m->cols[c].file == file && !strcmp(str(m->cols[c].target, "name"), target))
			return c;
	return m->ncols;
}

/* Rows: every test id, in the order first seen; a map finds a test's row. */
static int matrix_rows(const struct report *r, struct matrix *m)
{
	json_t *rows = json_object();
	size_t cap = 0;

	if (!rows)
		return -ENOMEM;
	for (size_t fi = 0; fi < r->nfiles; fi++) {
		if (!r->files[fi].conform)
			continue;
		cap += json_array_size(json_object_get(json_object_get(r->files[fi].doc,
								       "conformance"), "tests"));
	}
	cap = cap < MATRIX_MAX_ROWS ? cap : MATRIX_MAX_ROWS;
	m->tests = calloc(cap + 1, sizeof(*m->tests));
	m->cells = calloc((cap + 1) * (m->ncols + 1), sizeof(*m->cells));
	for (size_t fi = 0; fi < r->nfiles && m->tests && m->cells; fi++) {
		const json_t *t;
		size_t i;

		if (!r->files[fi].conform)
			continue;
		json_array_foreach(json_object_get(json_object_get(r->files[fi].doc,
								   "conformance"), "tests"), i, t) {
			const json_t *j = json_object_get(rows, str(t, "id")), *res;
			size_t row, k;

			if (j) {
				row = (size_t)json_integer_value(j);
			} else if (m->nrows == cap) {
				m->rows_dropped++;
				continue;
			} else {
				row = m->nrows++;
				m->tests[row] = t;
				if (json_object_set_new(rows, str(t, "id"),
							json_integer((json_int_t)row)))
					break;
			}
			json_array_foreach(json_object_get(t, "results"), k, res) {
				size_t c = column_of(m, fi, str(res, "target"));

				if (c < m->ncols)
					m->cells[row * m->ncols + c] = res;
			}
		}
	}
	json_decref(rows);
	return m->tests && m->cells ? 0 : -ENOMEM;
}

static void summary_table(const struct report *r, const struct matrix *m, FILE *f)
{
	static const char *const counts[] = { "pass", "fail", "skip", "timeout", "crash", "error",
					      "expected_fail", "unexpected_fail",
					      "unexpected_pass" };

	fputs("<table><tr><th>target</th><th>available</th><th>expectations</th>", f);
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		fprintf(f, "<th>%s</th>", counts[k]);
	fputs("</tr>\n", f);
	for (size_t c = 0; c < m->ncols; c++) {
		const json_t *t = m->cols[c].target, *s = json_object_get(t, "summary");
		bool avail = json_is_true(json_object_get(t, "available"));

		fputs("<tr><td>", f);
		column_name(r, f, &m->cols[c]);
		fprintf(f, "</td><td class=\"%s\">", avail ? "PASS" : "FAIL");
		if (avail) {
			fputs("yes", f);
		} else {
			fputs("no: ", f);
			html_escape(f, str(t, "unavailable_why"), 300);
		}
		fputs("</td><td class=\"long\"><code>", f);
		html_escape(f, str(t, "expectations") ? str(t, "expectations") : "none", 200);
		fputs("</code></td>", f);
		for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
			fprintf(f, "<td class=\"n\">%lld</td>",
				(long long)json_integer_value(json_object_get(s, counts[k])));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static bool unexpected(const json_t *res)
{
	const char *v = str(res, "verdict");

	return v && strcmp(v, "ok") && strcmp(v, "expected-fail");
}

static void unexpected_table(const struct report *r, const struct matrix *m, FILE *f)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nrows * m->ncols; i++)
		n += m->cells[i] && unexpected(m->cells[i]);
	if (!n) {
		fputs("<p>No unexpected result: every failure is a known one.</p>\n", f);
		return;
	}
	fprintf(f, "<p><b>%zu unexpected result%s</b> (not listed in the expectations, or "
		"listed and passing):</p>\n<table><tr><th>target</th><th>test</th><th>status</th>"
		"<th>verdict</th><th>reason, or the first failed check</th></tr>\n", n,
		n == 1 ? "" : "s");
	for (size_t row = 0; row < m->nrows; row++)
		for (size_t c = 0; c < m->ncols; c++) {
			const json_t *res = m->cells[row * m->ncols + c];
			const char *why;

			if (!res || !unexpected(res))
				continue;
			why = str(res, "reason") ? str(res, "reason") :
			      json_string_value(json_array_get(json_object_get(res, "fails"), 0));
			fputs("<tr><td>", f);
			column_name(r, f, &m->cols[c]);
			fputs("</td><td><code>", f);
			html_escape(f, str(m->tests[row], "id"), 128);
			fprintf(f, "</code></td><td class=\"%s\">", status_class(str(res, "status")));
			html_escape(f, str(res, "status"), 32);
			fputs("</td><td>", f);
			html_escape(f, str(res, "verdict"), 32);
			fputs("</td><td class=\"long\">", f);
			html_escape(f, why ? why : "", 400);
			fputs("</td></tr>\n", f);
		}
	fputs("</table>\n", f);
}

/* One result as a matrix cell: its status coloured, * a known failure, ! unexpected. */
static void matrix_cell(FILE *f, const json_t *res)
{
	const char *v, *reason, *expected;

	if (!res) {
		fputs("<td class=\"na\">-</td>", f);
		return;
	}
	v = str(res, "verdict");
	reason = str(res, "reason");
	expected = str(res, "expected_reason");
	fprintf(f, "<td class=\"%s%s\"", status_class(str(res, "status")),
		!strcmp(v, "expected-fail") ? " xfail" : unexpected(res) ? " unexpected" : "");
	if (reason || expected) {
		fputs(" title=\"", f);
		html_escape(f, reason ? reason : "", 300);
		if (expected) {
			fputs(reason ? " | known: " : "known: ", f);
			html_escape(f, expected, 300);
		}
		fputc('"', f);
	}
	fputc('>', f);
	html_escape(f, str(res, "status"), 32);
	fputs(!strcmp(v, "expected-fail") ? "*" : unexpected(res) ? "!" : "", f);
	fputs("</td>", f);
}

static void matrix_table(const struct report *r, const struct matrix *m, FILE *f)
{
	fputs("<p class=\"legend\"><span style=\"background:#d5f0d5\">PASS</span>"
	      "<span style=\"background:#f6c9c4\">FAIL</span>"
	      "<span style=\"background:#ececec\">SKIP</span>"
	      "<span style=\"background:#fbdca8\">TIMEOUT</span>"
	      "<span style=\"background:#e59a90\">CRASH</span>"
	      "<span style=\"background:#dcc6ec\">ERROR</span>"
	      "<span style=\"font-style:italic\">FAIL* a known failure (expectations file)</span>"
	      "<span style=\"outline:2px solid #8e1b10;font-weight:700\">! unexpected</span>"
	      " Hover a cell for its reason.</p>\n", f);
	fputs("<table><tr><th>test</th>", f);
	for (size_t c = 0; c < m->ncols; c++) {
		fputs("<th>", f);
		column_name(r, f, &m->cols[c]);
		fputs("</th>", f);
	}
	fputs("<th>what passing means</th></tr>\n", f);
	for (size_t row = 0; row < m->nrows; row++) {
		fputs("<tr><td><code>", f);
		html_escape(f, str(m->tests[row], "id"), 128);
		fputs("</code></td>", f);
		for (size_t c = 0; c < m->ncols; c++)
			matrix_cell(f, m->cells[row * m->ncols + c]);
		fputs("<td class=\"long\">", f);
		html_escape(f, str(m->tests[row], "description"), 200);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (m->rows_dropped || m->cols_dropped)
		fprintf(f, "<p class=\"warn\">Not shown: %zu more tests and %zu more targets "
			"(the matrix shows at most %u and %u).</p>\n", m->rows_dropped,
			m->cols_dropped, MATRIX_MAX_ROWS, MATRIX_MAX_COLUMNS);
}

void report_conform(struct report *r, FILE *f)
{
	struct matrix m = { 0 };
	bool any = false;

	for (size_t i = 0; i < r->nfiles; i++)
		any |= r->files[i].conform;
	if (!any)
		return;
	report_heading(r, f, 2, "conformance", "Conformance");
	if (matrix_columns(r, &m) || matrix_rows(r, &m)) {
		fputs("<p class=\"bad\">Out of memory: the conformance matrix is left out.</p>\n", f);
		goto out;
	}
	summary_table(r, &m, f);
	unexpected_table(r, &m, f);
	report_heading(r, f, 3, "matrix", "Test x target");
	matrix_table(r, &m, f);
out:
	free(m.cols);
	free(m.tests);
	free(m.cells);
}
