/* SPDX-License-Identifier: MIT */
#ifndef REPORT_NOTES_H
#define REPORT_NOTES_H

#include <stdio.h>

struct report;
struct report_workload;

/* A collapsed table of w's cells' repetition notes, each distinct one once; nothing if none. */
void report_cell_notes(const struct report *r, const struct report_workload *w, FILE *f);

#endif
