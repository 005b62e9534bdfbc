/* SPDX-License-Identifier: MIT */
/* `hvbench run`: plan the cells, measure them interleaved, write results. */
#ifndef RUN_H
#define RUN_H

int run_main(int argc, char **argv, const char *command);
/* `hvbench show FILE` (show.c): a results file's summary table. */
int show_main(int argc, char **argv);

/* Exit codes shared by the subcommands (documented in --help and the README). */
#define EXIT_PARTIAL 1		/* a cell hung, crashed or failed; the rest was measured */
#define EXIT_USAGE 64
#define EXIT_PAYLOAD 65
#define EXIT_BAD_RESULTS 66	/* hvbench show: the results file is unreadable or invalid */
#define EXIT_OUTPUT 73		/* the results file cannot be written */

#endif
