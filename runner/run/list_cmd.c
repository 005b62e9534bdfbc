/* SPDX-License-Identifier: MIT */
/*
 * hvbench list: the workload catalog as hvbench run sees it, one line per
 * workload: its name, family, modes, CPLs and what one operation is; the
 * instance suite's cells last (a host process: no CPL to choose).
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "hvbench.h"

static void list_print(void)
{
	printf("%-23s %-9s %-33s %-4s  %s\n", "workload", "family", "modes", "cpl", "what");
	for (size_t i = 0; i < nr_workloads; i++) {
		const struct workload *w = &workloads[i];
		char modes[64] = "";

		for (int m = 0; m < MODE_COUNT; m++) {
			if (!(w->modes & MODE_BIT(m)))
				continue;
			if (modes[0])
				strcat(modes, ",");
			strcat(modes, bench_mode_name(m));
		}
		printf("%-23s %-9s %-33s %-4s  %s%s%s%s%s%s\n", w->name, w->family, modes,
		       w->instance ? "-" : w->cpls == 1 ? "0" : "0,3", w->what,
		       w->quick ? " [quick]" : "", w->external ? " [qemu]" : "",
		       w->stands_for ? " [stands for " : "", w->stands_for ? w->stands_for : "",
		       w->stands_for ? "]" : "");
	}
}

int list_main(int argc, char **argv)
{
	if (argc < 2) {
		list_print();
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: hvbench list\n"
		       "The workload catalog: name, family, modes, CPLs, what one operation is;\n"
		       "[quick] marks the quick suite, [qemu] what --targets qemu can run;\n"
		       "family instance is --suite instance, [stands for W] the guest workload\n"
		       "an instance cell is the native counterpart of.\n");
		return 0;
	}
	fprintf(stderr, "hvbench list: unexpected argument '%s'\n", argv[1]);
	return EXIT_USAGE;
}
