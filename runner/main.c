/* SPDX-License-Identifier: MIT */
/*
 * hvbench: the runner's command line.  One table names every command, its
 * one-line summary, its exit statuses and its entry point: dispatch, the
 * usage text and `hvbench help` all come from it, so a command added to it
 * is documented by construction.
 */
#include <stdio.h>
#include <string.h>

#include "hvbench.h"

struct command {
	const char *name;
	const char *summary;	/* one line for hvbench --help */
	const char *exits;	/* the statuses other than 0, one line */
	/* Exactly one of these: the second for commands that record their command line. */
	int (*main)(int argc, char **argv);
	int (*main_recorded)(int argc, char **argv, const char *command);
};

static int version_main(int argc, char **argv);
static int help_main(int argc, char **argv);

static const struct command commands[] = {
	{ "run", "measure the workload catalog",
	  "1 a cell hung, crashed or failed; 64 usage; 65 unusable payload; 73 output",
	  .main_recorded = run_main },
	{ "conform", "run the conformance tests",
	  "1 an unexpected failure (or pass, with --strict); 2 usage or environment",
	  .main_recorded = conform_main },
	{ "show", "print the table of a results file",
	  "64 usage; 66 unreadable or invalid results file", .main = show_main },
	{ "report", "an HTML report of results files",
	  "64 usage; 66 unreadable or invalid results file; 70 out of memory; 73 output",
	  .main = report_main },
	{ "compare", "compare results files cell by cell", "2 usage or unusable input",
	  .main = compare_main },
	{ "gate", "fail on a regression against a baseline",
	  "1 a regression; 2 usage or unusable input", .main = gate_main },
	{ "baseline", "baseline record: merge runs into a baseline", "2 usage or unusable input",
	  .main_recorded = baseline_main },
	{ "list", "the workloads, their families, modes and CPLs", "64 usage", .main = list_main },
	{ "info", "this host: its environment, and what it can run",
	  "64 usage; 70 out of memory; 73 output", .main = info_main },
	{ "version", "hvbench's version", NULL, .main = version_main },
	{ "help", "this list, or a command's --help (hvbench help COMMAND)", "64 usage",
	  .main = help_main },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hvbench COMMAND [options]   (hvbench COMMAND --help)\n\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nExit status: 0 success, else by command:\n");
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (commands[i].exits)
			fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].exits);
}

static int version_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("hvbench %s\n", HVBENCH_VERSION);
	return 0;
}

/* hvbench help [COMMAND]: the list, or what COMMAND --help prints. */
static int help_main(int argc, char **argv)
{
	const struct command *c;
	char help[] = "--help";
	char *args[] = { NULL, help, NULL };

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = command_find(argv[1]);
	if (!c || argc > 2) {
		fprintf(stderr, "hvbench help: %s '%s' (hvbench help lists them)\n",
			c ? "unexpected argument" : "unknown command", argv[c ? 2 : 1]);
		return EXIT_USAGE;
	}
	if (c->main == help_main || c->main == version_main) {
		printf("hvbench %s: %s\n", c->name, c->summary);
		return 0;
	}
	args[0] = argv[1];
	return c->main ? c->main(2, args) : c->main_recorded(2, args, argv[1]);
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
	const struct command *c;
	char command[1024];

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help_main(1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return version_main(1, argv + 1);
	c = command_find(argv[1]);
	if (!c) {
		fprintf(stderr, "hvbench: unknown command '%s' (try hvbench --help)\n", argv[1]);
		return EXIT_USAGE;
	}
	if (c->main)
		return c->main(argc - 1, argv + 1);
	command_join(argc, argv, command, sizeof(command));
	return c->main_recorded(argc - 1, argv + 1, command);
}
