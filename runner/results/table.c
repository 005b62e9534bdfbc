/* SPDX-License-Identifier: MIT */
#include "table.h"

#define REASON_WIDTH 70

void table_print(FILE *f, const struct table_row *rows, size_t n)
{
	fprintf(f, "%-18s %-12s %-9s %-4s %11s %11s %11s %23s %9s %9s  %s\n", "workload", "mode",
		"target", "cpl", "p50 ns", "p99 ns", "min ns", "95% CI of p50", "exits/op", "user/op",
		"status");
	for (size_t i = 0; i < n; i++) {
		const struct table_row *r = &rows[i];
		char cpl[16] = "-", ci[48] = "", ex[16] = "", ux[16] = "";

		if (r->cpl >= 0)
			snprintf(cpl, sizeof(cpl), "%d", r->cpl);
		if (r->exits >= 0)
			snprintf(ex, sizeof(ex), "%.2f", r->exits);
		if (r->user_exits >= 0)
			snprintf(ux, sizeof(ux), "%.2f", r->user_exits);
		fprintf(f, "%-18s %-12s %-9s %-4s ", r->workload, r->mode, r->target, cpl);
		if (!r->measured) {
			fprintf(f, "%11s %11s %11s %23s %9s %9s  %s: %.*s\n", "-", "-", "-", "", "", "",
				r->status, REASON_WIDTH, r->reason ? r->reason : "");
			continue;
		}
		snprintf(ci, sizeof(ci), "[%.1f, %.1f]", r->ci_lo, r->ci_hi);
		fprintf(f, "%11.1f %11.1f %11.1f %23s %9s %9s  %s\n", r->p50, r->p99, r->min, ci, ex,
			ux, r->status);
	}
}
