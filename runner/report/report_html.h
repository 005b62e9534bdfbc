/* SPDX-License-Identifier: MIT */
/* The HTML pieces every section of the report uses (report_html.c). */
#ifndef REPORT_HTML_H
#define REPORT_HTML_H

#include <stdio.h>

struct report;
struct report_series;

/* A section heading with its anchor, listed in the table of contents. */
void report_heading(struct report *r, FILE *f, int level, const char *id, const char *title);

/* A figure: 4 significant digits below 1000, whole above; "-" when not finite. */
void report_num(FILE *f, double x);
/* A figure as a right-aligned table cell. */
void report_td_num(FILE *f, double x);
/* A series' name as a table cell, after a swatch of its colour. */
void report_series_td(FILE *f, const struct report_series *s);
/* A CPL as a table cell, "-" for none. */
void report_cpl_td(FILE *f, int cpl);

#endif
