/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "report_svg.h"

static const char *svg_start(const char *svg, size_t len)
{
	return memmem(svg, len, "<svg", 4);
}

bool svg_complete(const char *svg, size_t len)
{
	while (len && strchr(" \t\r\n", svg[len - 1]))
		len--;
	return svg_start(svg, len) && len >= 6 && !memcmp(svg + len - 6, "</svg>", 6);
}

static bool at(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

/*
 * Inside a tag, the attribute text that introduces a name to prefix: an
 * id's value, a reference's target.  Its length, or 0.  An id must follow
 * a space, so a "data-id=" or "grid=" is not taken for one.
 */
static size_t name_intro(const char *p, const char *end)
{
	static const char *const intros[] = { "id=\"", "id='", "href=\"#", "href='#", "url(#" };

	for (size_t i = 0; i < sizeof(intros) / sizeof(intros[0]); i++) {
		if (!at(p, end, intros[i]))
			continue;
		if (intros[i][0] == 'i' && !strchr(" \t\r\n", p[-1]))
			return 0;
		return strlen(intros[i]);
	}
	return 0;
}

/*
 * Copy from the <svg element to the end, prefixing names inside tags only:
 * the text between tags (titles, labels, which gnuplot has escaped) is
 * copied as it is, so a label that reads "url(#x)" stays so.
 */
void svg_inline(FILE *f, const char *svg, size_t len, const char *prefix)
{
	const char *p = svg_start(svg, len), *end = svg + len, *copied;
	bool in_tag = false;

	if (!p)
		return;
	while (end > p && strchr(" \t\r\n", end[-1]))
		end--;
	for (copied = p; p < end; p++) {
		size_t n;

		if (*p == '<') {
			in_tag = true;
		} else if (*p == '>') {
			in_tag = false;
		} else if (in_tag && (n = name_intro(p, end))) {
			fwrite(copied, 1, (size_t)(p - copied) + n, f);
			fputs(prefix, f);
			p += n - 1;
			copied = p + 1;
		}
	}
	fwrite(copied, 1, (size_t)(end - copied), f);
}
