/* SPDX-License-Identifier: MIT */
/* Programs found as execvp finds them (path_find.h). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path_find.h"

int path_find(const char *name, const char *dirs, char *path, size_t len)
{
	const char *d = dirs, *end;

	for (;; d = end + 1) {
		struct stat st;
		int n;

		end = strchrnul(d, ':');
		if (d == end)
			n = snprintf(path, len, "./%s", name);
		else
			n = snprintf(path, len, "%.*s/%s", (int)(end - d), d, name);
		if (n > 0 && (size_t)n < len && !stat(path, &st) && S_ISREG(st.st_mode) &&
		    !access(path, X_OK))
			return 0;
		if (!*end)
			return -1;
	}
}
