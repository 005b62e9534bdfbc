/* SPDX-License-Identifier: MIT */
/*
 * The results file (docs/results.md): its schema's name and version, the
 * document's fixed part, and the text helpers every writer of one uses (run,
 * conform --json, baseline, the reports that name their inputs).  Writing
 * the cells is run's (results_write.h); reading is results_read.h's.
 */
#ifndef RESULTS_DOC_H
#define RESULTS_DOC_H

#include <jansson.h>

#include "stats.h"

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

/* A cell's "summary" member (docs/results.md, Statistics). */
json_t *results_summary_json(const struct stats_summary *s);

#endif
