/* SPDX-License-Identifier: MIT */
/*
 * Text from results files written into Markdown (compare --format md, the
 * gate's job summary): a workload name, a label or a reason must stay
 * text, never become a link, an image, emphasis, HTML or a table cell
 * boundary.
 */
#ifndef MD_TEXT_H
#define MD_TEXT_H

#include <stdio.h>

/*
 * s with every character that means something to Markdown inside a line
 * backslash-escaped (CommonMark renders escaped punctuation as itself):
 * emphasis, code, links and images, HTML and entities, table cells,
 * strikethrough; line breaks become spaces and other control characters
 * '?'. What only means something at the start of a line (-, +, 1.) is left
 * alone: the callers never put this text there.
 */
void md_text(FILE *f, const char *s);

#endif
