/* SPDX-License-Identifier: MIT */
/*
 * `hvbench conform` as a results file (docs/results.md, Conformance
 * results; docs/results-conform.schema.json): the document every results
 * file has, of kind "conform", with an empty "results" array and the
 * member "conformance".  It can be rewritten after every result: results
 * not done yet are left out.
 */
#ifndef CONFORM_JSON_H
#define CONFORM_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "conform.h"

/*
 * The document (json_decref it), or NULL with errno ENOMEM.  environment is
 * borrowed (the caller keeps its reference: it is the same on every
 * rewrite), settings is stolen.
 */
json_t *conform_json(const struct conform_report *rep, const char *command, json_t *environment,
		     json_t *settings, bool complete);

/*
 * Set doc's "updated_at" to now and write it to path atomically (to a
 * temporary file renamed over path): 0, or -1 with errno set.
 */
int conform_json_write(json_t *doc, const char *path);

#endif
