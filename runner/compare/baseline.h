/* SPDX-License-Identifier: MIT */
/*
 * Baselines (docs/gate.md): results files of kind "baseline" merged from
 * one or more runs on one machine, for hvbench gate and compare.
 */
#ifndef BASELINE_H
#define BASELINE_H

#include <jansson.h>
#include <stddef.h>

#include "results_cells.h"

/*
 * The baseline of runs[0..n) (already checked to be complete runs of one
 * machine): the first run's environment and settings, each cell with the
 * repetitions of every run (tagged "run": index, samples cut to keep, no
 * probes), its summary recomputed from those samples and its per-operation
 * figures averaged over the runs; a "baseline" member saying when, from
 * what and why (note, may be NULL). NULL if out of memory.
 */
json_t *baseline_merge(struct results_set *runs, size_t n, size_t keep, const char *note,
		       const char *command);


#endif
