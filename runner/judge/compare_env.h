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

void compare_warnings_free(struct compare_warnings *w);

#endif
