/* SPDX-License-Identifier: MIT */
/*
 * The report's sections, one file each (report_<section>.c), in the page's
 * order: report_page.c calls them, each writes its HTML from the model
 * (report.h) with the shared pieces (report_html.h).
 */
#ifndef REPORT_SECTIONS_H
#define REPORT_SECTIONS_H

#include <stdio.h>

struct report;

/* A banner for each incomplete file, at the top of the page (report_header.c). */
void report_incomplete(const struct report *r, FILE *f);

/* A banner for each run or baseline whose times are not performance figures (env_timing.h). */
void report_timing_caveats(const struct report *r, FILE *f);

/* The sections, in the page's order (report_*.c). */
void report_host(struct report *r, FILE *f);
void report_header(struct report *r, FILE *f);
void report_latency(struct report *r, FILE *f);
void report_medians(struct report *r, FILE *f);
void report_overhead(struct report *r, FILE *f);
void report_exits(struct report *r, FILE *f);
void report_probes(struct report *r, FILE *f);
void report_conform(struct report *r, FILE *f);
void report_env(struct report *r, FILE *f);

#endif
