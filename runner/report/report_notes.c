/* SPDX-License-Identifier: MIT */
/*
 * The notes of a workload's cells: what the host half, the guest or the
 * runner said about each repetition (an injector's lost interrupts, a
 * device's request count, how the VMM backed guest memory), which explain
 * a figure and would otherwise stay in the JSON.  Each distinct note once
 * per cell, with how many of its repetitions carried it.
 */
#include <string.h>

#include "report.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_notes.h"

/* Distinct notes listed per cell; more are counted, not shown. */
#define NOTES_PER_CELL 8
/* Distinct notes a cell's count of the ones not shown goes up to ("at least N"). */
#define NOTES_COUNTED 64
#define NOTE_MAX_CHARS 400

struct note_count {
	const char *text;
	size_t reps;		/* repetitions that carry it */
	size_t last_rep;	/* the last one counted, + 1 */
};

/*
 * The distinct notes of c's repetitions into n[]: the first NOTES_PER_CELL
 * shown, the rest up to NOTES_COUNTED only counted.  A note a repetition
 * repeats counts once for it.  Returns how many are shown, *more the
 * distinct ones not shown (*capped: there were more than NOTES_COUNTED).
 */
static size_t cell_notes(const struct report_cell *c, struct note_count *n, size_t *more,
			 bool *capped)
{
	const json_t *rep, *note;
	size_t nr = 0, i, j;

	*capped = false;
	json_array_foreach(json_object_get(c->r, "repetitions"), i, rep) {
		json_array_foreach(json_object_get(rep, "notes"), j, note) {
			const char *t = json_string_value(note);
			size_t k = 0;

			if (!t || !t[0])
				continue;
			while (k < nr && strcmp(n[k].text, t))
				k++;
			if (k == nr && nr == NOTES_COUNTED) {
				*capped = true;
				continue;
			}
			if (k == nr)
				n[nr++] = (struct note_count){ t, 0, 0 };
			if (n[k].last_rep != i + 1) {
				n[k].reps++;
				n[k].last_rep = i + 1;
			}
		}
	}
	*more = nr > NOTES_PER_CELL ? nr - NOTES_PER_CELL : 0;
	return nr - *more;
}

void report_cell_notes(const struct report *r, const struct report_workload *w, FILE *f)
{
	bool open = false;

	for (size_t i = w->first; i < w->first + w->count; i++) {
		const struct report_cell *c = &r->cells[i];
		struct note_count n[NOTES_COUNTED];
		size_t more;
		bool capped;
		size_t nr = cell_notes(c, n, &more, &capped);

		if (!open && (nr || more)) {
			fputs("<details><summary>Notes</summary><table><tr><th>series</th>"
			      "<th>note</th><th>repetitions</th></tr>\n", f);
			open = true;
		}
		for (size_t k = 0; k < nr; k++) {
			fputs("<tr>", f);
			report_series_td(f, &r->series[c->series]);
			fputs("<td class=\"long\">", f);
			html_escape(f, n[k].text, NOTE_MAX_CHARS);
			fprintf(f, "</td><td class=\"n\">%zu of %zu</td></tr>\n", n[k].reps, c->reps);
		}
		if (more) {
			fputs("<tr>", f);
			report_series_td(f, &r->series[c->series]);
			fprintf(f, "<td class=\"long\">%s%zu more distinct notes not shown (the "
				"results file has them)</td><td></td></tr>\n", capped ? "at least " : "",
				more);
		}
	}
	if (open)
		fputs("</table></details>\n", f);
}
