/* SPDX-License-Identifier: MIT */
/*
 * What tables, plots and reports call each of several results files, and
 * whether an output file is one of them.  Shared by report, compare, gate
 * and baseline so that a file is named the same everywhere.
 */
#ifndef LABELS_H
#define LABELS_H

#include <stdbool.h>
#include <stddef.h>

#define LABEL_MAX 64	/* bytes, with the NUL */

/*
 * labels[i] for paths[0..n): from arg (--labels: n non-empty names
 * separated by commas, under LABEL_MAX bytes, no two alike) when it is not
 * NULL, else each file's name without directories and .json, with -2, -3,
 * ... on repeats.  Printable ASCII only: other bytes become '?', so a name
 * cut to length never ends in half a character and no output format can
 * be driven by it.  0, or -1 with why set (a usage error in arg).
 */
int labels_assign(char (*labels)[LABEL_MAX], const char *const *paths, size_t n,
		  const char *arg, char *why, size_t why_len);

#endif
