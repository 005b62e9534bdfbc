/* SPDX-License-Identifier: MIT */
/* The guest's @hvb records cut into words, numbers and text (record.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "record.h"

bool record_match(const char *line, size_t len, const char *prefix, struct record_cursor *c)
{
	size_t plen = strlen(prefix);

	if (len < plen || memcmp(line, prefix, plen))
		return false;
	c->s = line + plen;
	c->end = line + len;
	return true;
}

bool record_word(struct record_cursor *c, const char **w, size_t *n)
{
	const char *e = c->s;

	if (c->s == c->end)
		return false;
	while (e < c->end && *e != ' ')
		e++;
	*w = c->s;
	*n = (size_t)(e - c->s);
	c->s = e < c->end ? e + 1 : e;
	return true;
}

bool record_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(w, lit, n);
}

int record_u64(const char *w, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int d = (unsigned char)w[i] - '0';

		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

void record_text(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
}

void record_violation(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}
