/* SPDX-License-Identifier: MIT */
/*
 * The benchmark cells of a results file with their raw samples, for
 * hvbench compare, gate and baseline: results_load's validation of the
 * document, plus the repetitions it leaves alone (their statuses and
 * samples), checked as strictly, since the file is outside input.
 */
#ifndef RESULTS_CELLS_H
#define RESULTS_CELLS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "labels.h"

/* Repetitions a cell may hold: more than any run asks for (--repetitions). */
#define RESULTS_MAX_REPS 4096u

struct results_cell {
	/* The key: these point into the document. */
	const char *workload, *mode, *target;
	int cpl;		/* -1 where the file says null (native) */
	bool probes_off;	/* the --probe-overhead twin, shown as target refvmm-np */
	const char *stands_for;	/* an instance cell's: the workload whose native cell it matches */

	const char *status;	/* the cell's: ok, unavailable, hang, crash, error */
	const char *reason;	/* the cell's reason, NULL when ok */
	/*
	 * The kept samples of the ok repetitions, repetition after repetition:
	 * repetition g is samples[ends[g - 1] .. ends[g]). Repetitions that kept
	 * no samples are left out; n is 0 when none is left.
	 */
	double *samples;
	size_t *ends;
	size_t nr_reps;
	size_t n;
	double p50;		/* median of samples; NaN when n is 0 */
	json_t *json;		/* the cell in the document */
};

struct results_set {
	const char *path;
	char label[LABEL_MAX];	/* what tables call it (labels.h) */
	json_t *doc;
	const char *kind;	/* "run" or "baseline" */
	struct results_cell *cells;
	size_t nr_cells;
	/* cells by key: index[slot] is a cell's position + 1, 0 for an empty slot */
	size_t *index;
	size_t index_size;
};

/*
 * Load path (results_load), refuse a document that is not benchmark results
 * (kind conform) or whose cells are malformed or repeated, and gather each
 * cell's samples. 0, or -1 with why set to one line naming the file and what
 * is wrong. *s is zeroed first; free it with results_set_free either way.
 */
int results_set_load(struct results_set *s, const char *path, char *why, size_t why_len);

/* Gather the cells of an already validated document into *s (no path, no label). */
int results_set_from_doc(struct results_set *s, json_t *doc, char *why, size_t why_len);

void results_set_free(struct results_set *s);

/* The cell of s with c's key, or NULL. */
const struct results_cell *results_set_find(const struct results_set *s,
					    const struct results_cell *c);

/* The key as tables print it: target refvmm-np for a probes_off twin. */
const char *results_cell_target(const struct results_cell *c);


/* "pio-user hvm refvmm cpl0", "cpuid native native": the cell as reports name it. */
/*
 * c's cell in s, or, for a native cell that has none, the native cell it
 * stands in for or that stands in for it: an instance-suite file's
 * syscall-getppid against an older file's native hypercall-kvm (the same
 * host operation, stands_for in the file).  NULL when neither exists.
 */
const struct results_cell *results_set_counterpart(const struct results_set *s,
						  const struct results_cell *c);

void results_cell_name(const struct results_cell *c, char *buf, size_t len);

/* "cpuid/hvm/refvmm/0", "cpuid/native/native/-": the key thresholds match. */
void results_cell_key(const struct results_cell *c, char *buf, size_t len);

/* Label the sets (labels_assign of their paths and --labels); 0, or -1 with why. */
int results_sets_label(struct results_set *sets, size_t n, const char *labels, char *why,
		       size_t why_len);

/*
 * Load n results files as sets (results_set_load), refuse a schema version
 * other than the first file's, and label them (--labels or file names).
 * Prints the one-line error as "hvbench CMD: ..." and returns -1 on failure;
 * the caller frees the sets either way.
 */
int results_sets_load(struct results_set *sets, char **paths, size_t n, const char *labels,
		      const char *cmd);

#endif
