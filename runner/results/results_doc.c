/* SPDX-License-Identifier: MIT */
/* The results document's fixed part, and the text helpers every writer of one uses. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "results_doc.h"

json_t *results_now_iso(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

json_t *results_json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j || !s)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *results_doc_new(const char *kind, const char *command, json_t *environment,
			json_t *settings)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "schema", json_string(RESULTS_SCHEMA));
	json_object_set_new(doc, "schema_version", json_integer(RESULTS_SCHEMA_VERSION));
	json_object_set_new(doc, "kind", json_string(kind));
	json_object_set_new(doc, "tool", json_pack("{s:s, s:s}", "name", "hvbench", "version",
						   HVBENCH_VERSION));
	json_object_set_new(doc, "command", results_json_text(command));
	json_object_set_new(doc, "started_at", results_now_iso());
	json_object_set_new(doc, "complete", json_false());
	json_object_set_new(doc, "environment", environment ? environment : json_null());
	json_object_set_new(doc, "settings", settings ? settings : json_null());
	return doc;
}

json_t *results_summary_json(const struct stats_summary *s)
{
	return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:[f,f], "
			 "s:{s:I, s:I, s:I}}",
			 "n", (json_int_t)s->n, "min", s->min, "p50", s->p50, "p90", s->p90,
			 "p99", s->p99, "p99.9", s->p999, "max", s->max, "mean", s->mean,
			 "stddev", s->stddev, "mad", s->mad, "ci95_median", s->ci95_lo, s->ci95_hi,
			 "outliers", "low", (json_int_t)s->outliers_low, "high",
			 (json_int_t)s->outliers_high, "far", (json_int_t)s->outliers_far);
}
