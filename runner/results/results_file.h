/* SPDX-License-Identifier: MIT */
/*
 * The results file (docs/results.md): a JSON document rewritten whole after
 * every repetition, to a temporary file renamed over the old one, so an
 * interrupted run leaves the last complete state, never a torn file.
 */
#ifndef RESULTS_FILE_H
#define RESULTS_FILE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "cell.h"

#define RESULTS_SCHEMA "hvbench-results"
#define RESULTS_SCHEMA_VERSION 1

/*
 * s as a JSON string; where s is not UTF-8 (a file name, an argument), its
 * bytes above 0x7f become '?' rather than the string being lost.  NULL only
 * when out of memory.
 */
json_t *results_json_text(const char *s);

/* Now, as the files write times: ISO-8601 UTC, whole seconds. */
json_t *results_now_iso(void);

/* The document's fixed part: schema, tool, command, environment, settings. */
json_t *results_doc_new(const char *kind, const char *command, json_t *environment,
			json_t *settings);

/*
 * Write doc with the cells' current state as its results array to path,
 * atomically.  Each cell's text is cached in the cell; cell_changed drops it.
 */
int results_write(json_t *doc, struct cell *cells, size_t n, size_t max_raw, bool complete,
		  const char *path);

/*
 * Write len bytes of text to path atomically: to path.tmp.PID, fsync'ed,
 * renamed over path.  0, or -errno (the temporary file is removed).
 */
int results_write_atomic(const char *path, const char *text, size_t len);

/*
 * Close f, a memory stream (open_memstream(text, len)) a file was built in,
 * and write what it holds to path atomically; *text is freed.  0, or -errno
 * (-ENOMEM if the stream failed).
 */
int results_memstream_write(FILE *f, char **text, size_t *len, const char *path);

/* One CSV row per cell and repetition summary (workload, mode, cpl, status, p50, ...). */
int results_csv_write(const struct cell *cells, size_t n, const char *path);

#endif
