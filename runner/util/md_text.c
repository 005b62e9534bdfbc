/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "md_text.h"

void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\r' || c == '\t')
			fputc(' ', f);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', f);
		else if (strchr("\\`*_{}[]()<>#!|~&", c))
			fprintf(f, "\\%c", c);
		else
			fputc(c, f);
	}
}
