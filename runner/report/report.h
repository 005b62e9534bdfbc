/* SPDX-License-Identifier: MIT */
/*
 * `hvbench report`: the results files read back as one model that every
 * section of the HTML report draws from.  A cell is a result of a run
 * file; a series is what a cell is across workloads (file, target, mode,
 * CPL), so that one series has one name, colour and line style in every
 * plot.  Every string is the file's (validated by results_read.c, control
 * characters replaced) or the command line's, and is escaped where
 * written (report_escape.h).
 */
#ifndef REPORT_H
#define REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report_hist.h"

struct plots;

struct report_file {
	const char *path;
	char *label;		/* --labels, or the basename without .json, made unique */
	json_t *doc;		/* results_load's */
	bool conform;		/* kind "conform" */
};

struct report_cell {
	const json_t *r;	/* the results[] entry */
	size_t file, index;	/* its file, and its index in results[] */
	size_t workload, series;
	const char *mode, *target, *status, *reason; /* target: "refvmm-np" for a probes_off twin */
	int cpl;		/* -1: none (native) */
	bool ok;		/* measured: it has a summary */
	double p50, p90, p99, p999, min, max, mean; /* the summary's, exact; NaN when not ok */
	double p10;		/* from the pooled histogram; NaN without one */
	struct hist hist;	/* the histograms of its ok repetitions, pooled */
	size_t reps, reps_ok, reps_pooled; /* repetitions, ok ones, histograms pooled */
	const json_t *per_op;	/* an object, or NULL */
	struct hist *probe;	/* REPORT_PROBE_HISTS eBPF histograms pooled over its ok
				 * repetitions (report_probes.c), or NULL when none had them */
};

/* The eBPF histograms the report knows (docs/probes.md), in report_probes.c's order. */
#define REPORT_PROBE_HISTS 12

struct report_series {
	size_t file;
	const char *mode, *target;
	int cpl;
	char name[200];		/* "LABEL refvmm hvm cpl0"; LABEL with several run files */
	char color[8];		/* "#rrggbb": the mode's hue, a shade per target and file */
	bool faint;		/* CPL3: dashed lines, light bars */
};

struct report_workload {
	const char *name, *what;
	size_t family;
	size_t first, count;	/* its cells, report.cells[first .. first + count) */
};

struct report_toc {
	char id[32];
	char *title;
	int level;		/* 2: a section, 3: a part of one */
};

struct report {
	const char *title;
	struct report_file *files;
	size_t nfiles, nrun;	/* files, and those with cells */
	struct report_cell *cells; /* by workload (first seen first), then series */
	size_t ncells;
	struct report_series *series; /* by mode, CPL, target, file */
	size_t nseries;
	struct report_workload *workloads;
	size_t nworkloads;
	const char **families;	/* in order of first appearance */
	size_t nfamilies;
	char **problems;	/* what was wrong in the files, each one line */
	size_t nproblems, problems_dropped;
	json_t *not_firing;	/* tracepoint -> [repetitions, the first why] */
	json_t *probes_unavailable; /* why the eBPF probes could not run -> repetitions */
	struct report_toc *toc;
	size_t ntoc;
	struct plots *plots;
};

/* At most this many problems are kept (the rest are counted). */
#define REPORT_MAX_PROBLEMS 200

/* Build the model of r->files (loaded, labelled).  0, or -ENOMEM. */
int report_model(struct report *r);
void report_free(struct report *r);

/*
 * Pool the eBPF histograms of each cell's ok repetitions and gather the
 * tracepoints that did not fire (report_probes.c); part of report_model.
 * 0, or -ENOMEM.
 */
int report_probes_read(struct report *r);

/* Record a problem found in a file: it is listed in the report and on stderr. */
void report_problem(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "cpuid hvm refvmm cpl0" and the like: a cell named in a message. */
void report_cell_name(const struct report *r, const struct report_cell *c, char *buf,
		      size_t len);


#endif
