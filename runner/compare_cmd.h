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

#include "results_cells.h"

/* Usage errors and unusable input: compare, gate and baseline all exit with 2. */
#define COMPARE_EXIT_INPUT 2

int compare_main(int argc, char **argv);

/* x in [lo, hi] (lo excluded when lo_open), finite; 0, or -1. */
int compare_parse_double(const char *s, double lo, double hi, bool lo_open, double *out);

/* A decimal whole number up to max; 0, or -1. */
int compare_parse_u64(const char *s, uint64_t max, uint64_t *out);

/*
 * Load n results files as sets (results_set_load), refuse a schema version
 * other than the first file's, and label them (--labels or file names).
 * Prints the one-line error as "hvbench CMD: ..." and returns -1 on failure;
 * the caller frees the sets either way.
 */
int compare_load_sets(struct results_set *sets, char **paths, size_t n, const char *labels,
		      const char *cmd);

/* Print "hvbench CMD: MSG (hvbench CMD --help)" and return COMPARE_EXIT_INPUT. */
int compare_usage_error(const char *cmd, const char *msg);

#endif
