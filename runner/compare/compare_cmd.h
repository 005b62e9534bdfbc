/* SPDX-License-Identifier: MIT */
/*
 * hvbench compare, and the command-line pieces gate and baseline share
 * with it.
 */
#ifndef COMPARE_CMD_H
#define COMPARE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse_num.h"
#include "results_cells.h"

/* Usage errors and unusable input: compare, gate and baseline all exit with 2. */
#define COMPARE_EXIT_INPUT 2

int compare_main(int argc, char **argv);

/*
 * Load n results files as sets (results_set_load), refuse a schema version
 * other than the first file's, and label them (--labels or file names).
 * Prints the one-line error as "hvbench CMD: ..." and returns -1 on failure;
 * the caller frees the sets either way.
 */
int compare_load_sets(struct results_set *sets, char **paths, size_t n, const char *labels,
		      const char *cmd);

/* -1, saying so, if out is one of the inputs (the same file, by device and inode); else 0. */
int compare_output_clash(const char *cmd, const char *out, char *const *inputs, size_t n);

/* Print "hvbench CMD: MSG (hvbench CMD --help)" and return COMPARE_EXIT_INPUT. */
int compare_usage_error(const char *cmd, const char *msg);

#endif
