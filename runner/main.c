/* SPDX-License-Identifier: MIT */
/*
 * hvbench: the runner's command line.  Each subcommand lives in its own
 * file; this one only dispatches and keeps the shared exit codes.
 */
#include <stdio.h>
#include <string.h>

#include "baseline.h"
#include "compare_cmd.h"
#include "conform_cmd.h"
#include "gate.h"
#include "host.h"
#include "info.h"
#include "report_cmd.h"
#include "run.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: hvbench COMMAND [options]\n\n"
		   "  run     measure the workload catalog (hvbench run --help)\n"
		   "  conform run the conformance tests (hvbench conform --help)\n"
		   "  show    print the table of a results file (hvbench show FILE)\n"
		   "  report  an HTML report of results files (hvbench report --help)\n"
		   "  compare compare results files cell by cell (hvbench compare --help)\n"
		   "  gate    fail on a regression against a baseline (hvbench gate --help)\n"
		   "  baseline record  merge runs into a baseline (hvbench baseline --help)\n"
		   "  list    the workloads, their families, modes and CPLs\n"
		   "  info    this host: its environment, and what it can run (hvbench info --help)\n"
		   "  version\n\n"
		   "Exit status: 0 success; 1 a cell hung, crashed or failed (run); 64 usage;\n"
		   "65 unusable payload (run); 66 unreadable or invalid results file (show,\n"
		   "report); 73 an output cannot be written (run, report).\n"
		   "conform has its own: 0, 1 an unexpected failure, 2 usage or environment;\n"
		   "so do compare and baseline (0, 2 usage or unusable input) and gate (0, 1 a\n"
		   "regression, 2 usage or unusable input).\n");
}

static int list_main(void)
{
	printf("%-18s %-10s %-36s %-4s  %s\n", "workload", "family", "modes", "cpl", "what");
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
		printf("%-18s %-10s %-36s %-4s  %s%s%s\n", w->name, w->family, modes,
		       w->cpls == 1 ? "0" : "0,3", w->what, w->quick ? " [quick]" : "",
		       w->external ? " [qemu]" : "");
	}
	return 0;
}

/* list takes no arguments but --help. */
static int no_args(int argc, char **argv, const char *what)
{
	if (argc < 3)
		return 0;
	if (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
		printf("usage: hvbench %s\n%s\n", argv[1], what);
		return 1;
	}
	fprintf(stderr, "hvbench %s: unexpected argument '%s'\n", argv[1], argv[2]);
	return -1;
}

static void command_join(int argc, char **argv, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < argc && n < len; i++)
		n += snprintf(buf + n, len - n, "%s%s", i ? " " : "", argv[i]);
}

int main(int argc, char **argv)
{
	char command[1024];

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	command_join(argc, argv, command, sizeof(command));
	if (!strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1, command);
	if (!strcmp(argv[1], "conform"))
		return conform_main(argc - 1, argv + 1, command);
	if (!strcmp(argv[1], "baseline"))
		return baseline_main(argc - 1, argv + 1, command);
	if (!strcmp(argv[1], "gate"))
		return gate_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return compare_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return show_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return report_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list")) {
		int r = no_args(argc, argv, "The workload catalog: name, family, modes, CPLs, what one "
				"operation is;\n[quick] marks the quick suite, [qemu] what --targets qemu "
				"can run.");

		return r < 0 ? EXIT_USAGE : r ? 0 : list_main();
	}
	if (!strcmp(argv[1], "info"))
		return info_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("hvbench %s\n", HVBENCH_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "hvbench: unknown command '%s' (try hvbench --help)\n", argv[1]);
	return EXIT_USAGE;
}
