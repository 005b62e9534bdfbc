/* SPDX-License-Identifier: MIT */
/*
 * Text from a results file, a file name or the command line, written into
 * the report's two languages: HTML (the page) and gnuplot's string syntax
 * (plot titles and labels).  Whatever the bytes, the output is one
 * well-formed token of that language, with no markup and no control
 * characters, and at most a bounded length of it.
 */
#ifndef REPORT_ESCAPE_H
#define REPORT_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Plot titles and labels are cut at this many bytes: a legend has no room for more. */
#define REPORT_PLOT_TEXT_MAX 60

/*
 * s as HTML text, fit for an element or a quoted attribute value: & < > "
 * and ' as entities; controls (C0, DEL, C1), U+FFFE, U+FFFF and bytes that
 * are not UTF-8 as '?'.  When s has more than max bytes it is cut on a
 * character boundary and ends with an ellipsis.  s NULL writes nothing.
 */
void html_escape(FILE *f, const char *s, size_t max);

/* html_escape with no length limit. */
static inline void html_text(FILE *f, const char *s)
{
	html_escape(f, s, (size_t)-1);
}

/*
 * s as one single-quoted gnuplot string, at most max bytes of it (then an
 * ellipsis).  In single quotes gnuplot expands neither backslash escapes,
 * nor `command` substitution, nor @macros.  It is meant to read '' as a
 * quote, but gnuplot 5.4's scanner fails on two in a row and on one just
 * after the opening quote, so a quote is written as U+2019, which looks
 * the same in a label.  The text is drawn by a noenhanced terminal, so
 * _ ^ { } @ are literal.  Characters html_escape would replace by '?' are
 * replaced here too: the SVG gnuplot writes would carry them raw.
 */
void gp_quote(FILE *f, const char *s, size_t max);

#endif
