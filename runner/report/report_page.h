/* SPDX-License-Identifier: MIT */
/* The report's page (report_page.c): the writer, and the cells every section's tables use. */
#ifndef REPORT_PAGE_H
#define REPORT_PAGE_H

#include <stdio.h>

struct report;
struct report_series;

/*
 * Write the report of r (its model built, r->plots made) to path,
 * atomically: sections, one gnuplot run, the page.  0, -ENOMEM, or the
 * -errno of writing path.
 */
int report_write(struct report *r, const char *path);

/* A figure: 4 significant digits below 1000, whole above; "-" when not finite. */
void report_num(FILE *f, double x);
/* A figure as a right-aligned table cell. */
void report_td_num(FILE *f, double x);
/* A series' name as a table cell, after a swatch of its colour. */
void report_series_td(FILE *f, const struct report_series *s);
/* A CPL as a table cell, "-" for none. */
void report_cpl_td(FILE *f, int cpl);

#endif
