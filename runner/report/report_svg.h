/* SPDX-License-Identifier: MIT */
/*
 * An SVG file gnuplot wrote, made fit to inline in the report's HTML.
 * gnuplot's svg terminal gives every file the same ids (gnuplot_canvas,
 * gpPt0, gpDot, textbox, gnuplot_plot_1, ...), which would clash once
 * several plots share one page: each plot's ids, and the references to
 * them (href="#...", url(#...)), get a prefix of their own.  The XML
 * prolog goes; a file that is not a complete SVG document is refused.
 */
#ifndef REPORT_SVG_H
#define REPORT_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* len bytes of svg hold one whole <svg>...</svg> element (after any prolog). */
bool svg_complete(const char *svg, size_t len);

/*
 * Write the <svg> element of a complete document to f, every id and
 * reference to one prefixed with prefix (letters, digits and '-').
 */
void svg_inline(FILE *f, const char *svg, size_t len, const char *prefix);

#endif
