/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "report_escape.h"
#include "utf8.h"

#define ELLIPSIS "\xe2\x80\xa6"

/* Characters neither output may carry: a terminal or a parser would act on them. */
static bool char_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xfffe || cp == 0xffff;
}

/*
 * Walk s a character at a time, at most max bytes of it, handing each
 * character (or '?' for one that is unsafe or not UTF-8) to put.  True
 * when s was cut.
 */
static bool text_walk(FILE *f, const char *s, size_t max,
		      void (*put)(FILE *f, const char *c, size_t len, uint32_t cp))
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t k = utf8_char(s + i, n - i, &cp);

		if (i + (k ? k : 1) > max)
			return true;
		if (!k || char_unsafe(cp))
			put(f, "?", 1, '?');
		else
			put(f, s + i, k, cp);
		i += k ? k : 1;
	}
	return false;
}

static void html_put(FILE *f, const char *c, size_t len, uint32_t cp)
{
	switch (cp) {
	case '&':
		fputs("&amp;", f);
		break;
	case '<':
		fputs("&lt;", f);
		break;
	case '>':
		fputs("&gt;", f);
		break;
	case '"':
		fputs("&quot;", f);
		break;
	case '\'':
		fputs("&#39;", f);
		break;
	default:
		fwrite(c, 1, len, f);
	}
}

void html_escape(FILE *f, const char *s, size_t max)
{
	if (s && text_walk(f, s, max, html_put))
		fputs(ELLIPSIS, f);
}

static void gp_put(FILE *f, const char *c, size_t len, uint32_t cp)
{
	if (cp == '\'')
		fputs("\xe2\x80\x99", f);
	else
		fwrite(c, 1, len, f);
}

void gp_quote(FILE *f, const char *s, size_t max)
{
	fputc('\'', f);
	if (s && text_walk(f, s, max, gp_put))
		fputs(ELLIPSIS, f);
	fputc('\'', f);
}
