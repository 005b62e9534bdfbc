/* SPDX-License-Identifier: MIT */
#include <stdint.h>

#include "utf8.h"
#include "xml_text.h"

/*
 * n bytes of s as XML 1.0 character data, in an attribute value (attr) or
 * an element.  The five markup characters become entities.  Tab and LF
 * become character references in an attribute, where a parser would turn
 * them into spaces, and CR everywhere, where it would become LF.  The
 * other C0 controls, U+FFFE and U+FFFF (not XML characters), DEL and the
 * C1 controls (XML 1.0 discourages them; a terminal acts on them) and
 * bytes that are not UTF-8 become '?'.
 */
void xml_text(FILE *f, const char *s, size_t n, bool attr)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_char(s + i, n - i, &cp);

		if (!k) {
			fputc('?', f);
			i++;
			continue;
		}
		if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\'')
			fputs("&apos;", f);
		else if (cp == '\r' || (attr && (cp == '\t' || cp == '\n')))
			fprintf(f, "&#%u;", (unsigned int)cp);
		else if ((cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7f && cp < 0xa0) ||
			 cp == 0xfffe || cp == 0xffff)
			fputc('?', f);
		else
			fwrite(s + i, 1, k, f);
		i += k;
	}
}

void xml_attr(FILE *f, const char *name, const char *s, size_t n)
{
	fprintf(f, " %s=\"", name);
	xml_text(f, s, n, true);
	fputc('"', f);
}
