/* SPDX-License-Identifier: MIT */
/*
 * The report's plots, drawn by gnuplot's svg terminal.  Each plot is a
 * fragment of one script (its settings, data blocks and plot command);
 * plots_render runs one gnuplot process over all of them and keeps the
 * SVGs, and plots_expand puts each one in the page where the section
 * placed it, or, where there is none, a note saying why (gnuplot not in
 * PATH, its error).  A temporary directory holds the script and the SVGs
 * while gnuplot runs and is removed afterwards.
 */
#ifndef REPORT_PLOT_H
#define REPORT_PLOT_H

#include <stddef.h>
#include <stdio.h>

struct plots;

/* NULL when out of memory. */
struct plots *plots_new(void);
void plots_free(struct plots *p);

/*
 * Begin a plot of width x height pixels.  Returns the stream its commands
 * go to, with the terminal, output and common settings (UTF-8, no
 * enhanced text, the key outside on the right) already written, and its
 * number in *id; NULL when out of memory.  Strings in the commands go
 * through gp_quote (report_escape.h); numbers must be finite.
 */
FILE *plot_begin(struct plots *p, int width, int height, int *id);

/* End the plot begun last. */
void plot_end(struct plots *p);

/* Where plot id goes in the page (a marker plots_expand replaces). */
void plot_place(FILE *html, int id);

/*
 * Run gnuplot once over every plot.  A plot gnuplot could not draw gets a
 * note instead (and gnuplot is run again on the plots after it, at most a
 * few times).  Returns the number of plots drawn.
 */
size_t plots_render(struct plots *p);

/* The number of plots, and why the first one not drawn was not (NULL if all were). */
size_t plots_count(const struct plots *p);
const char *plots_problem(const struct plots *p);

/*
 * Copy len bytes of html to out with every plot_place marker replaced by
 * the plot's SVG, its ids made unique in the page, or by its note.
 */
void plots_expand(const struct plots *p, const char *html, size_t len, FILE *out);

#endif
