/* SPDX-License-Identifier: MIT */
/* The report's page (report_page.c): the sections in order, in one HTML file. */
#ifndef REPORT_PAGE_H
#define REPORT_PAGE_H

#include <stdio.h>

struct report;

/*
 * Write the report of r (its model built, r->plots made) to path,
 * atomically: sections, one gnuplot run, the page.  0, -ENOMEM, or the
 * -errno of writing path.
 */
int report_write(struct report *r, const char *path);

#endif
