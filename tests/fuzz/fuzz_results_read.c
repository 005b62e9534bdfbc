/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the results-file reader (built by
 * scripts/fuzz results).
 *
 * The input is the file's contents, handed to results_parse as an
 * exact-size heap copy with no NUL after it, so ASan sees any read past
 * its end; the reason goes to a heap buffer of exactly WHY_LEN bytes.
 * Beyond "no crash, no sanitizer report, no leak" it checks what
 * results_read.h promises, and abort()s on any violation:
 *  - a refusal has a reason: one line of printable ASCII, NUL-terminated;
 *  - an accepted document has an empty reason, at most RESULTS_MAX_CELLS
 *    results, one table row each, whose names are non-empty, at most
 *    RESULTS_MAX_NAME bytes and, like the reason and the header fields
 *    hvbench show prints, free of control characters; cpl is -1..3;
 *  - the table prints;
 *  - an accepted document, written out by jansson and read again, is
 *    accepted again with the same rows: validation and defanging are
 *    stable, so a file hvbench show accepts stays acceptable when copied.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_read.h"
#include "table.h"
#include "fuzz_check.h"

#define WHY_LEN 160

static FILE *devnull;

/* No byte a terminal would act on: C0, DEL, or the C1 controls in UTF-8. */
static bool text_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return false;
	return true;
}

static void check_reason(const char *why)
{
	size_t len = strnlen(why, WHY_LEN);

	check(len < WHY_LEN, "reason not terminated");
	check(len > 0, "refused without a reason");
	for (size_t i = 0; i < len; i++)
		check(why[i] >= 0x20 && why[i] < 0x7f, "reason byte %zu is 0x%02x: %s", i,
		      (unsigned char)why[i], why);
}

static void check_name(const char *s, size_t row, const char *what)
{
	check(s, "row %zu: no %s", row, what);
	check(s[0], "row %zu: empty %s", row, what);
	check(strlen(s) <= RESULTS_MAX_NAME, "row %zu: %s of %zu bytes", row, what, strlen(s));
	check(text_clean(s), "row %zu: control character in %s", row, what);
}

static void check_header(const json_t *doc)
{
	const json_t *env = json_object_get(doc, "environment");
	const char *host = json_string_value(json_object_get(env, "hostname"));
	const char *backend =
		json_string_value(json_object_get(json_object_get(env, "kvm"), "backend"));
	const char *kind = json_string_value(json_object_get(doc, "kind"));
	const char *started = json_string_value(json_object_get(doc, "started_at"));

	check(kind && started, "no kind or started_at");
	check(json_is_boolean(json_object_get(doc, "complete")), "complete is not a boolean");
	check(text_clean(kind) && text_clean(started), "control character in kind or started_at");
	check(!host || text_clean(host), "control character in hostname");
	check(!backend || text_clean(backend), "control character in kvm.backend");
}

/* The rows of an accepted document; *rows is for the caller to free. */
static size_t check_rows(const json_t *doc, struct table_row **rows)
{
	size_t n = 0;

	check(!results_rows(doc, rows, &n), "results_rows failed");
	check(n == json_array_size(json_object_get(doc, "results")), "%zu rows of %zu results", n,
	      json_array_size(json_object_get(doc, "results")));
	check(n <= RESULTS_MAX_CELLS, "%zu rows", n);
	for (size_t i = 0; i < n; i++) {
		const struct table_row *r = &(*rows)[i];

		check_name(r->workload, i, "workload");
		check_name(r->mode, i, "mode");
		check_name(r->target, i, "target");
		check_name(r->status, i, "status");
		check(r->cpl >= -1 && r->cpl <= 3, "row %zu: cpl %d", i, r->cpl);
		check(!r->reason || text_clean(r->reason), "row %zu: control character in reason",
		      i);
	}
	table_print(devnull, *rows, n);
	return n;
}

static bool rows_equal(const struct table_row *a, const struct table_row *b)
{
	return !strcmp(a->workload, b->workload) && !strcmp(a->mode, b->mode) &&
	       !strcmp(a->target, b->target) && !strcmp(a->status, b->status) &&
	       a->cpl == b->cpl && a->measured == b->measured &&
	       !a->reason == !b->reason && (!a->reason || !strcmp(a->reason, b->reason));
}

/* Written out and read back, the document is accepted with the same rows. */
static void check_stable(const json_t *doc, const struct table_row *rows, size_t n)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	char *why = malloc(WHY_LEN);
	struct table_row *again;
	json_t *back;

	check(text && why, "out of memory");
	back = results_parse(text, strlen(text), why, WHY_LEN);
	check(back, "the document written out again is refused: %s", why);
	check(check_rows(back, &again) == n, "a different number of rows read back");
	for (size_t i = 0; i < n; i++)
		check(rows_equal(&rows[i], &again[i]), "row %zu differs read back", i);
	free(again);
	json_decref(back);
	free(why);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size ? size : 1), *why = malloc(WHY_LEN);
	struct table_row *rows;
	json_t *doc;
	size_t n;

	check(copy && why, "out of memory");
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	check(devnull, "cannot open /dev/null");
	memcpy(copy, data, size);
	doc = results_parse(copy, size, why, WHY_LEN);
	if (!doc) {
		check_reason(why);
	} else {
		check(!why[0], "accepted with a reason: %s", why);
		check_header(doc);
		n = check_rows(doc, &rows);
		check_stable(doc, rows, n);
		free(rows);
		json_decref(doc);
	}
	free(why);
	free(copy);
	return 0;
}
