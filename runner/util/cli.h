/* SPDX-License-Identifier: MIT */
/* Command-line errors the commands that read results files share (cli.c). */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Is out the same file (device and inode) as one of paths[0..n)? */
bool path_is_one_of(const char *out, const char *const *paths, size_t n);

/* Print "hvbench CMD: MSG (hvbench CMD --help)" and return COMPARE_EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *msg);

/* -1, saying so, if out is one of the inputs (the same file, by device and inode); else 0. */
int cli_output_clash(const char *cmd, const char *out, char *const *inputs, size_t n);

#endif
