/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "why.h"

int why_set(char *why, size_t len, const char *prefix, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!len)
		return -1;
	n = snprintf(why, len, "%s", prefix);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(why + n, len - n, fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return -1;
}
