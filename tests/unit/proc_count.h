/* SPDX-License-Identifier: MIT */
/*
 * For the unit tests that check a measurement leaves no file descriptor or
 * thread behind: the entries of a /proc directory (/proc/self/fd, task).
 * Include after cmocka.h.
 */
#ifndef TESTS_PROC_COUNT_H
#define TESTS_PROC_COUNT_H

#include <dirent.h>

static inline int proc_count(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

#endif
