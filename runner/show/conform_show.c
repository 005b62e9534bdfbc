/* SPDX-License-Identifier: MIT */
/*
 * `hvbench show` of a conformance results file: each target's summary, the
 * failures that were not expected, and the test x target matrix.  The
 * document has been validated by results_read.c (types, and control
 * characters replaced), so only lengths need bounding here.
 */
#include <stdio.h>
#include <string.h>

#include "conform_show.h"

static json_int_t count(const json_t *summary, const char *key)
{
	return json_integer_value(json_object_get(summary, key));
}

static void targets_print(FILE *f, const json_t *targets, const json_t *tests)
{
	size_t ti, i;
	json_t *tg, *t;

	json_array_foreach(targets, ti, tg) {
		const json_t *s = json_object_get(tg, "summary");
		const char *name = json_string_value(json_object_get(tg, "name"));

		if (!json_is_true(json_object_get(tg, "available"))) {
			fprintf(f, "%.32s: not run: %.200s\n", name,
				json_string_value(json_object_get(tg, "unavailable_why")));
			continue;
		}
		fprintf(f, "%.32s: %lld pass, %lld fail, %lld skip, %lld timeout, %lld crash, "
			"%lld error; %lld expected failures, %lld unexpected failures, %lld "
			"unexpected passes\n", name, (long long)count(s, "pass"),
			(long long)count(s, "fail"), (long long)count(s, "skip"),
			(long long)count(s, "timeout"), (long long)count(s, "crash"),
			(long long)count(s, "error"), (long long)count(s, "expected_fail"),
			(long long)count(s, "unexpected_fail"), (long long)count(s, "unexpected_pass"));
		json_array_foreach(tests, i, t) {
			size_t ri;
			json_t *r;

			json_array_foreach(json_object_get(t, "results"), ri, r) {
				const char *v = json_string_value(json_object_get(r, "verdict"));
				const char *reason = json_string_value(json_object_get(r, "reason"));

				if (strcmp(json_string_value(json_object_get(r, "target")), name) ||
				    !strcmp(v, "ok") || !strcmp(v, "expected-fail"))
					continue;
				fprintf(f, "  unexpected %.8s: %.48s: %.200s\n",
					json_string_value(json_object_get(r, "status")),
					json_string_value(json_object_get(t, "id")),
					reason ? reason : "");
			}
		}
	}
}

/* The matrix cell of test t on target name: status, '*' expected, '!' unexpected. */
static void cell(const json_t *t, const char *name, char *buf, size_t len)
{
	size_t ri;
	json_t *r;

	snprintf(buf, len, "-");
	json_array_foreach(json_object_get(t, "results"), ri, r) {
		const char *v = json_string_value(json_object_get(r, "verdict"));

		if (strcmp(json_string_value(json_object_get(r, "target")), name))
			continue;
		snprintf(buf, len, "%.8s%s", json_string_value(json_object_get(r, "status")),
			 !strcmp(v, "expected-fail") ? "*" : !strcmp(v, "ok") ? "" : "!");
	}
}

void conform_show(FILE *f, const json_t *doc)
{
	const json_t *c = json_object_get(doc, "conformance");
	const json_t *targets = json_object_get(c, "targets"), *tests = json_object_get(c, "tests");
	size_t i, ti;
	json_t *t, *tg;

	targets_print(f, targets, tests);
	fprintf(f, "\n%-32s", "test");
	json_array_foreach(targets, ti, tg)
		fprintf(f, " %-10.10s", json_string_value(json_object_get(tg, "name")));
	fputc('\n', f);
	json_array_foreach(tests, i, t) {
		fprintf(f, "%-32.48s", json_string_value(json_object_get(t, "id")));
		json_array_foreach(targets, ti, tg) {
			char buf[16];

			cell(t, json_string_value(json_object_get(tg, "name")), buf, sizeof(buf));
			fprintf(f, " %-10s", buf);
		}
		fputc('\n', f);
	}
	fprintf(f, "(* a known failure, ! unexpected, - no result)\n");
}
