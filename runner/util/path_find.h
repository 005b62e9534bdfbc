/* SPDX-License-Identifier: MIT */
/*
 * Programs on PATH: what hvbench info reports and what an external VMM
 * target needs before it can boot (path_find.c).
 */
#ifndef PATH_FIND_H
#define PATH_FIND_H

#include <stddef.h>

/*
 * name found as execvp would find it in dirs (a PATH value; an empty entry
 * is the current directory): a regular file this process may execute.  0
 * with its path, or -1.
 */
int path_find(const char *name, const char *dirs, char *path, size_t len);

#endif
