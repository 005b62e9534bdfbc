/* SPDX-License-Identifier: MIT */
/*
 * hvbench run's results file: the document (results_doc_new) with its
 * cells' current state, written atomically after every repetition, and a
 * CSV of the cells.
 */
#ifndef RESULTS_WRITE_H
#define RESULTS_WRITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cell.h"
#include "results_doc.h"

/*
 * Write doc with the cells' current state as its results array to path,
 * atomically.  Each cell's text is cached in the cell; cell_changed drops it.
 */
int results_write(json_t *doc, struct cell *cells, size_t n, size_t max_raw, bool complete,
		  const char *path);

/* One CSV row per cell and repetition summary (workload, mode, cpl, status, p50, ...). */
int results_csv_write(const struct cell *cells, size_t n, const char *path);

#endif
