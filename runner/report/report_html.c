/* SPDX-License-Identifier: MIT */
/*
 * The HTML every section writes its headings, figures and series with, so
 * a figure or a series looks the same in every table of the report.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_escape.h"
#include "report_html.h"

void report_heading(struct report *r, FILE *f, int level, const char *id, const char *title)
{
	struct report_toc *toc = realloc(r->toc, (r->ntoc + 1) * sizeof(*toc));

	if (toc) {
		r->toc = toc;
		toc[r->ntoc].level = level;
		snprintf(toc[r->ntoc].id, sizeof(toc[r->ntoc].id), "%s", id);
		toc[r->ntoc].title = strdup(title);
		if (toc[r->ntoc].title)
			r->ntoc++;
	}
	fprintf(f, "<h%d id=\"%s\">", level, id);
	html_escape(f, title, 200);
	fprintf(f, "</h%d>\n", level);
}

void report_num(FILE *f, double x)
{
	if (!isfinite(x))
		fputs("-", f);
	else if (fabs(x) >= 1000)
		fprintf(f, "%.0f", x);
	else
		fprintf(f, "%.4g", x);
}

void report_td_num(FILE *f, double x)
{
	fputs("<td class=\"n\">", f);
	report_num(f, x);
	fputs("</td>", f);
}

void report_series_td(FILE *f, const struct report_series *s)
{
	fprintf(f, "<td><span class=\"sw%s\" style=\"background:%s\"></span>",
		s->faint ? " faint" : "", s->color);
	html_escape(f, s->name, sizeof(s->name));
	fputs("</td>", f);
}

void report_cpl_td(FILE *f, int cpl)
{
	if (cpl < 0)
		fputs("<td>-</td>", f);
	else
		fprintf(f, "<td>%d</td>", cpl);
}
