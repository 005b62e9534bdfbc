/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atomic_file.h"
#include "conform_json.h"
#include "conform_text.h"
#include "results_doc.h"
#include "utf8.h"

/* A time as the document's timestamps hold it: ISO-8601 UTC, whole seconds. */
static json_t *iso_time(time_t t)
{
	char buf[32];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* n bytes of untrusted text as a JSON string: jansson takes only UTF-8, other bytes are '?'. */
static json_t *text_json(const char *s, size_t n)
{
	char *copy = malloc(n + 1);
	json_t *j;

	if (!copy)
		return NULL;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_char(s + i, n - i, &cp);

		if (!k) {
			copy[i++] = '?';
			continue;
		}
		memcpy(copy + i, s + i, k);
		i += k;
	}
	j = json_stringn(copy, n);
	free(copy);
	return j;
}

/* Text that may be absent: null when empty. */
static json_t *text_or_null(const char *s, size_t n)
{
	return n ? text_json(s, n) : json_null();
}

/* Each set steals its value; a NULL (no memory) anywhere makes the object NULL. */
struct builder {
	json_t *obj;
	bool bad;
};

static void put(struct builder *b, const char *key, json_t *value)
{
	if (json_object_set_new(b->obj, key, value))
		b->bad = true;
}

static json_t *built(struct builder *b)
{
	if (b->bad) {
		json_decref(b->obj);
		return NULL;
	}
	return b->obj;
}

static json_t *summary_json(const struct conform_report *rep, const struct conform_target_run *tr)
{
	static const char *const status_keys[] = {
		[CONFORM_PASS] = "pass", [CONFORM_FAIL] = "fail", [CONFORM_SKIP] = "skip",
		[CONFORM_TIMEOUT] = "timeout", [CONFORM_CRASH] = "crash", [CONFORM_ERROR] = "error",
	};
	static const char *const verdict_keys[] = {
		[CONFORM_EXPECTED_FAIL] = "expected_fail",
		[CONFORM_UNEXPECTED_FAIL] = "unexpected_fail",
		[CONFORM_UNEXPECTED_PASS] = "unexpected_pass",
	};
	size_t by_status[sizeof(status_keys) / sizeof(status_keys[0])] = { 0 };
	size_t by_verdict[sizeof(verdict_keys) / sizeof(verdict_keys[0])] = { 0 };
	struct builder b = { json_object(), false };

	for (size_t i = 0; i < rep->nr_sel; i++) {
		const struct conform_result *r = &tr->results[i];

		if (!r->done)
			continue;
		if ((unsigned int)r->status < sizeof(by_status) / sizeof(by_status[0]))
			by_status[r->status]++;
		if ((unsigned int)r->verdict < sizeof(by_verdict) / sizeof(by_verdict[0]))
			by_verdict[r->verdict]++;
	}
	for (size_t i = 0; i < sizeof(status_keys) / sizeof(status_keys[0]); i++)
		put(&b, status_keys[i], json_integer((json_int_t)by_status[i]));
	for (size_t i = 0; i < sizeof(verdict_keys) / sizeof(verdict_keys[0]); i++)
		if (verdict_keys[i])
			put(&b, verdict_keys[i], json_integer((json_int_t)by_verdict[i]));
	return built(&b);
}

static json_t *target_json(const struct conform_report *rep, const struct conform_target_run *tr)
{
	struct builder b = { json_object(), false };

	put(&b, "name", json_string(tr->target));
	put(&b, "available", json_boolean(tr->available));
	put(&b, "unavailable_why", tr->available ? json_null() :
			text_json(tr->unavailable_why, CONFORM_TEXT_LEN(tr->unavailable_why)));
	put(&b, "expectations", tr->expect_file ? text_json(tr->expect_file,
							    strlen(tr->expect_file)) : json_null());
	put(&b, "summary", summary_json(rep, tr));
	return built(&b);
}

static json_t *result_json(const char *target, const struct conform_result *r)
{
	unsigned int nr_fails = r->nr_fails < CONFORM_FAILS_MAX ? r->nr_fails : CONFORM_FAILS_MAX;
	struct builder b = { json_object(), false };
	json_t *fails = json_array();

	for (unsigned int i = 0; i < nr_fails; i++)
		if (json_array_append_new(fails, text_json(r->fails[i],
							   CONFORM_TEXT_LEN(r->fails[i]))))
			b.bad = true;
	put(&b, "target", json_string(target));
	put(&b, "status", json_string(conform_status_name(r->status)));
	put(&b, "verdict", json_string(conform_verdict_name(r->verdict)));
	put(&b, "reason", text_or_null(r->reason, CONFORM_TEXT_LEN(r->reason)));
	put(&b, "fails", fails);
	put(&b, "checks", json_integer(r->checks));
	put(&b, "seconds", json_real(conform_seconds(r->seconds)));
	put(&b, "expected_reason", text_or_null(r->expect_reason, CONFORM_TEXT_LEN(r->expect_reason)));
	return built(&b);
}

static json_t *test_json(const struct conform_report *rep, size_t i)
{
	const struct conform_test *t = rep->sel[i];
	struct builder b = { json_object(), false };
	json_t *results = json_array();

	for (size_t k = 0; k < rep->nr_targets; k++)
		if (rep->targets[k].results[i].done &&
		    json_array_append_new(results, result_json(rep->targets[k].target,
							       &rep->targets[k].results[i])))
			b.bad = true;
	put(&b, "id", json_string(t->id));
	put(&b, "area", json_string(t->area));
	put(&b, "spec", json_string(t->spec));
	put(&b, "description", json_string(t->desc));
	put(&b, "vcpus", json_integer(t->nr_vcpus));
	put(&b, "results", results);
	return built(&b);
}

static json_t *conformance_json(const struct conform_report *rep)
{
	struct builder b = { json_object(), false };
	json_t *targets = json_array(), *tests = json_array();

	for (size_t k = 0; k < rep->nr_targets; k++)
		if (json_array_append_new(targets, target_json(rep, &rep->targets[k])))
			b.bad = true;
	for (size_t i = 0; i < rep->nr_sel; i++)
		if (json_array_append_new(tests, test_json(rep, i)))
			b.bad = true;
	put(&b, "targets", targets);
	put(&b, "tests", tests);
	put(&b, "seconds", json_real(conform_seconds(rep->seconds)));
	return built(&b);
}

json_t *conform_json(const struct conform_report *rep, const char *command, json_t *environment,
		     json_t *settings, bool complete)
{
	struct builder b = { results_doc_new("conform", command, json_incref(environment),
					     settings), false };
	struct timespec now;
	double start;

	/*
	 * The document is made anew for every rewrite, so "now" is not when
	 * the run began: that was conformance.seconds ago.
	 */
	clock_gettime(CLOCK_REALTIME, &now);
	start = (double)now.tv_sec + now.tv_nsec / 1e9 - conform_seconds(rep->seconds);
	put(&b, "started_at", iso_time((time_t)floor(start)));
	put(&b, "complete", json_boolean(complete));
	/* The cells of kind run: a conformance run has none. */
	put(&b, "results", json_array());
	put(&b, "conformance", conformance_json(rep));
	if (b.bad)
		errno = ENOMEM;
	return built(&b);
}

int conform_json_write(json_t *doc, const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int e;

	if (json_object_set_new(doc, "updated_at", iso_time(time(NULL)))) {
		errno = ENOMEM;
		return -1;
	}
	f = open_memstream(&text, &len);
	if (!f)
		return -1;
	if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_REAL_PRECISION(10)) || fputc('\n', f) == EOF) {
		fclose(f);
		free(text);
		errno = ENOMEM;	/* a memory stream fails for want of memory only */
		return -1;
	}
	e = atomic_file_write_memstream(f, &text, &len, path);
	if (e) {
		errno = -e;
		return -1;
	}
	return 0;
}
