/* SPDX-License-Identifier: MIT */
#include "table.h"

#define REASON_WIDTH 70

void table_print(FILE *f, const struct table_row *rows, size_t n)
{
	fprintf(f, "%-23s %-12s %-9s %-4s %11s %11s %11s %26s %9s %9s  %s\n", "workload", "mode",
		"target", "cpl", "p50 ns", "p99 ns", "min ns", "p50 range of the reps", "exits/op",
		"user/op", "status");
	for (size_t i = 0; i < n; i++) {
		const struct table_row *r = &rows[i];
		char cpl[16] = "-", reps[64] = "", ex[16] = "", ux[16] = "";

		if (r->cpl >= 0)
			snprintf(cpl, sizeof(cpl), "%d", r->cpl);
		if (r->exits >= 0)
			snprintf(ex, sizeof(ex), "%.2f", r->exits);
		if (r->user_exits >= 0)
			snprintf(ux, sizeof(ux), "%.2f", r->user_exits);
		fprintf(f, "%-23s %-12s %-9s %-4s ", r->workload, r->mode, r->target, cpl);
		if (!r->measured) {
			fprintf(f, "%11s %11s %11s %26s %9s %9s  %s: %.*s\n", "-", "-", "-", "", "", "",
				r->status, REASON_WIDTH, r->reason ? r->reason : "");
			continue;
		}
		if (r->nr_reps > 1)
			snprintf(reps, sizeof(reps), "[%.1f, %.1f] x%u", r->reps_lo, r->reps_hi,
				 r->nr_reps);
		else
			snprintf(reps, sizeof(reps), "one rep");
		fprintf(f, "%11.1f %11.1f %11.1f %26s %9s %9s  %s\n", r->p50, r->p99, r->min, reps,
			ex, ux, r->status);
	}
}

void table_row_add_rep(struct table_row *row, double p50)
{
	if (!row->nr_reps || p50 < row->reps_lo)
		row->reps_lo = p50;
	if (!row->nr_reps || p50 > row->reps_hi)
		row->reps_hi = p50;
	row->nr_reps++;
}
