/* SPDX-License-Identifier: MIT */
/*
 * hvbench's commands and its exit codes.  main.c's table dispatches to the
 * entry points below (each in its command's folder); the exit codes are the
 * ones every command documents in --help and docs/, so they live here, below
 * all commands, where any of them and the shared code can reach them.
 */
#ifndef HVBENCH_H
#define HVBENCH_H

/* The exit statuses of run, show, report, info and list. */
#define EXIT_PARTIAL 1		/* run: a cell hung, crashed or failed; the rest was measured */
#define EXIT_USAGE 64		/* a bad command line */
#define EXIT_PAYLOAD 65		/* run: the payload cannot be used */
#define EXIT_BAD_RESULTS 66	/* show, report: a results file is unreadable or invalid */
#define EXIT_NO_MEMORY 70	/* report, info: out of memory */
#define EXIT_OUTPUT 73		/* run, report, info: an output cannot be written */

/*
 * conform, compare, gate and baseline speak CI's language: 0 pass, 1 the
 * verdict is "fail", 2 the job itself could not be done.
 */
#define CONFORM_EXIT_UNEXPECTED 1	/* an unexpected failure (or pass, with --strict) */
#define CONFORM_EXIT_ENV 2		/* usage or environment error */
#define GATE_EXIT_REGRESSION 1		/* gate: a regression */
#define COMPARE_EXIT_INPUT 2		/* compare, gate, baseline: usage or unusable input */

/*
 * The commands' entry points: argv[0] is the command's name.  The ones that
 * write a results document also get the whole command line, which the
 * document records.
 */
int run_main(int argc, char **argv, const char *command);
int list_main(int argc, char **argv);
int conform_main(int argc, char **argv, const char *command);
int show_main(int argc, char **argv);
int report_main(int argc, char **argv);
int compare_main(int argc, char **argv);
int gate_main(int argc, char **argv);
int baseline_main(int argc, char **argv, const char *command);
int info_main(int argc, char **argv);

#endif
