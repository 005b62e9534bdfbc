/* SPDX-License-Identifier: MIT */
/*
 * Plot pieces the sections share: log axes whose tics are labelled in
 * units (ns, µs, ms, s, or ×), and grouped bar plots.  They write gnuplot
 * commands to a plot's stream (report_plot.h).
 */
#ifndef REPORT_DRAW_H
#define REPORT_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct report;

/* "250 ns", "1.5 µs", "20 ms", "3 s". */
void draw_time(char *buf, size_t len, double ns);

/*
 * A log-scale axis ('x' or 'y') over [lo, hi] (0 < lo < hi): its range, and
 * tics at 1-2-5 steps (denser on a short span, sparser on a long one),
 * labelled as times in ns, or as ratios ("2×") when ratio is set.
 */
void draw_log_axis(FILE *gp, char axis, double lo, double hi, bool ratio);

/*
 * One curve of a plot command: the datablock $PREFIXID_CELL drawn as lines
 * of width lw in the series' colour (dashed when faint), titled with its
 * name; *first says whether it opens the command.
 */
void draw_series_line(FILE *gp, char prefix, int id, size_t cell, double lw,
		      const struct report_series *s, bool *first);

/* One bar: a cell's figure, with a whisker from lo to hi unless they are NaN. */
struct bar {
	size_t group;		/* index into the groups */
	size_t series;		/* the report's series: its name, colour and fill */
	double y, lo, hi;
};

enum bars_axis {
	BARS_TIME,		/* log, in ns */
	BARS_RATIO,		/* log, "2×", a dashed line at 1 */
	BARS_LINEAR,		/* from 0 */
};

struct bars {
	const char *const *groups;	/* the groups' names, in order (workloads) */
	size_t ngroups;
	struct bar *bars;		/* sorted here by group and series */
	size_t nbars;
	const char *ylabel;
	enum bars_axis axis;
};

/*
 * A grouped bar plot: groups side by side, each group's bars in series
 * order, coloured by series (CPL3 bars light), with the series in the key.
 * Bars that a log axis cannot show (y <= 0) are left out (the tables keep
 * them).  Returns the plot's id, or -1 when out of memory or no bar is left.
 */
int draw_bars(struct report *r, struct bars *b);

struct report_cell;
/* The bar of a cell (group and series are filled in by the caller); false if it has none. */
typedef bool (*bar_of)(const struct report *r, const struct report_cell *c, const void *arg,
		       struct bar *b);

/*
 * The bars of the cells of one workload family, a group per workload,
 * drawn and placed in a figure captioned with the family.  False (nothing
 * written) when no cell of the family has a bar.
 */
bool draw_family_bars(struct report *r, FILE *html, size_t family, bar_of of, const void *arg,
		      const char *ylabel, enum bars_axis axis);

#endif
