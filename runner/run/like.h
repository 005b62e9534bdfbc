/* SPDX-License-Identifier: MIT */
/* hvbench run --like FILE: an earlier run's recipe as run options (like.c). */
#ifndef LIKE_H
#define LIKE_H

#include <stddef.h>

#include "sha256.h"

/*
 * The options that repeat the run recorded in path (suite, filter, modes,
 * CPLs, targets, repetitions, sample times, spread, pinning, probes), as
 * *argc strings in a NULL-terminated *argv (like_free them), and the
 * SHA-256 of the payload it ran in sha ("" if it recorded none).  0, or -1
 * with why[0..why_len) one line: unreadable, not a run, a malformed recipe.
 */
int like_recipe(const char *path, int *argc, char ***argv, char sha[SHA256_HEX_LEN],
		char *why, size_t why_len);

void like_free(int argc, char **argv);

#endif
