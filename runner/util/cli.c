/* SPDX-License-Identifier: MIT */
/*
 * Command-line errors in one form for the commands that read results files
 * (compare, gate, baseline, report): one line naming the command and the
 * problem, the exit status they document for it, and the refusal to write
 * an output over one of the inputs.
 */
#include <stdio.h>
#include <sys/stat.h>

#include "cli.h"
#include "hvbench.h"

bool path_is_one_of(const char *out, const char *const *paths, size_t n)
{
	struct stat so, si;

	if (stat(out, &so))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!stat(paths[i], &si) && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
			return true;
	return false;
}

int cli_output_clash(const char *cmd, const char *out, char *const *inputs, size_t n)
{
	if (!path_is_one_of(out, (const char *const *)inputs, n))
		return 0;
	fprintf(stderr, "hvbench %s: %s is also an input: refusing to write over it\n", cmd, out);
	return -1;
}

int cli_usage_error(const char *cmd, const char *msg)
{
	if (msg)
		fprintf(stderr, "hvbench %s: %s (hvbench %s --help)\n", cmd, msg, cmd);
	else
		fprintf(stderr, "hvbench %s: bad usage (hvbench %s --help)\n", cmd, cmd);
	return COMPARE_EXIT_INPUT;
}
