/* SPDX-License-Identifier: MIT */
/*
 * What differs between the places and ways two results files were made,
 * among the things that change the figures: the CPU, the kernel, the KVM
 * backend and its settings, the hypervisor underneath, and the run's own
 * settings. hvbench compare and gate warn with these lines; they do not
 * refuse, since comparing instance types is what compare is for.
 */
#ifndef COMPARE_ENV_H
#define COMPARE_ENV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct results_set;

struct compare_warnings {
	char **lines;
	size_t n;
};

/*
 * Append to w one line per difference between documents a and b (labelled
 * la and lb), quoting both values. 0, or -1 if out of memory.
 */
int compare_env_warn(struct compare_warnings *w, const json_t *a, const char *la,
		     const json_t *b, const char *lb);

/*
 * Append to w one line per cell of b whose counterpart in a says it
 * measures something else (its "what" differs: a workload or a native
 * stand-in redefined between the two versions that wrote the files), so
 * a change in the figure is not read as a change in speed. 0, or -1 if
 * out of memory.
 */
int compare_cells_warn(struct compare_warnings *w, const struct results_set *a,
		       const struct results_set *b);

/*
 * Append to w a line if the times of document doc (labelled label) are not
 * performance figures (env_timing.h: measured on an emulated CPU), so a
 * comparison of them is read as a check of the method, not of speed. 0,
 * or -1 if out of memory.
 */
int compare_timing_warn(struct compare_warnings *w, const json_t *doc, const char *label);

/*
 * Whether documents a and b come from different machines (CPU, size,
 * hypervisor signature, DMI instance type), not one machine at two times;
 * why[0..len) lists the fields that differ.  gate refuses them: that is a
 * comparison of instance types, not a regression.
 */
bool compare_machines_differ(const json_t *a, const json_t *b, char *why, size_t len);

/*
 * The load a file's repetitions ran under (docs/results.md, "load"): the
 * medians over every repetition that recorded one.  nr_reps 0 (and NaNs)
 * for a file from before load was recorded.
 */
struct compare_load {
	size_t nr_reps;
	double others_cpus, steal_pct;
};

/* Two files' loads differ when other processes' CPU or steal moved this much. */
#define COMPARE_LOAD_CPUS 0.25
#define COMPARE_LOAD_STEAL_PCT 2.0

/* 0, or -1 if out of memory. */
int compare_load_of(const json_t *doc, struct compare_load *l);
bool compare_load_differs(const struct compare_load *a, const struct compare_load *b);

/*
 * Append to w a line when documents a and b ran under different load, or
 * only one says what load it ran under. 0, or -1 if out of memory.
 */
int compare_load_warn(struct compare_warnings *w, const json_t *a, const char *la,
		      const json_t *b, const char *lb);

void compare_warnings_free(struct compare_warnings *w);

#endif
