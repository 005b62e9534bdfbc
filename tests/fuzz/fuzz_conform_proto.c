/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the @hvb conform record parser (runner/conform/conform_proto.c,
 * built by scripts/fuzz conform-proto).
 *
 * The input is the console text of one boot of test ID: it is split at
 * '\n' and every line goes to conform_proto_line (a last line without '\n'
 * too, as the console hands it over), then conform_proto_finish.  Each
 * line is an exact-size heap copy with no NUL after it, so ASan sees any
 * read past its end.  Beyond "no crash, no sanitizer report" it checks what
 * conform_proto.h and the payload (guest-payloads/conform/main.c) promise,
 * and abort()s on any violation.  After every line:
 *  - every kept string is NUL-terminated in its array and, as guest text
 *    goes to a terminal, printable ASCII only;
 *  - the check count within its bound, the status and reason untouched
 *    (conform_proto_finish sets them);
 *  - the first error is kept: once set it never changes;
 *  - a line that is no record changes no record state;
 *  - begin is only accepted naming ID; between begin and end, an end record
 *    ends the test exactly when it reads "end ID pass|fail|skip checks=N"
 *    (N: 1 to 7 digits, at most 1000000), with that status and count; a
 *    fail record counts once and its text is kept (the first
 *    CONFORM_FAILS_MAX, none changed later); the skip reason is set once,
 *    by a skip record; any record before begin or after end is an error.
 * At the end, conform_proto_finish returns 0 exactly when the records were
 * complete and agree as the payload writes them (pass: no fail or skip
 * record; fail: at least one fail record, no more than the checks made;
 * skip: a reason and no fail record), with that status and reason, and -1
 * with CONFORM_ERROR and an error otherwise.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conform_proto.h"
#include "fuzz_check.h"

#define ID "cpuid.kvm-signature"
#define CHECKS_MAX 1000000u	/* conform_proto.c's bound on an end record's count */

static const char prefix[] = CONFORM_RECORD " ";
#define PREFIX_LEN (sizeof(prefix) - 1)

/* s is NUL-terminated within cap bytes and printable ASCII up to there. */
static bool text_ok(const char *s, size_t cap)
{
	for (size_t i = 0; i < cap; i++) {
		if (!s[i])
			return true;
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	}
	return false;
}

/* Consume the literal lit at the start of *s (*n bytes). */
static bool eat(const char **s, size_t *n, const char *lit)
{
	size_t l = strlen(lit);

	if (*n < l || memcmp(*s, lit, l))
		return false;
	*s += l;
	*n -= l;
	return true;
}

/* Is line a record of this kind?  Where its text starts, if so. */
static bool is_record(const char *line, size_t len, const char *kind, const char **rest,
		      size_t *rest_n)
{
	const char *s = line;
	size_t n = len;

	if (!eat(&s, &n, prefix) || !eat(&s, &n, kind))
		return false;
	if (n && *s != ' ')
		return false;
	*rest = s + (n ? 1 : 0);
	*rest_n = n - (n ? 1 : 0);
	return true;
}

/* Does stored (a kept fail text) hold the record text s, as the host keeps it? */
static bool text_kept(const char *stored, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < CONFORM_TEXT_MAX; i++)
		if (stored[i] != (s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?'))
			return false;
	return !stored[i];
}

/* As the runner leaves a result before the boot. */
static const struct conform_result r_init = { .vmm_status = -1 };

static void check_state(const struct conform_proto *p, const struct conform_result *r,
			const char *first_error)
{
	check(p->r == r && !strcmp(p->id, ID), "the parser lost its test or result");
	check(text_ok(p->error, sizeof(p->error)), "error not terminated or not printable");
	check(text_ok(p->skip, sizeof(p->skip)) && text_ok(p->crash, sizeof(p->crash)) &&
		      text_ok(p->last_other, sizeof(p->last_other)),
	      "a kept line not terminated or not printable");
	check(r->nr_fails <= CONFORM_FAILS_MAX, "%u fail texts kept", r->nr_fails);
	check(r->nr_fails == (p->nr_fail_records < CONFORM_FAILS_MAX ? p->nr_fail_records :
			      CONFORM_FAILS_MAX),
	      "%u fail texts kept of %u fail records", r->nr_fails, p->nr_fail_records);
	for (unsigned int i = 0; i < r->nr_fails; i++)
		check(text_ok(r->fails[i], sizeof(r->fails[i])),
		      "fail text %u not terminated or not printable", i);
	check(r->checks <= CHECKS_MAX, "%u checks", r->checks);
	check(!p->ended || p->begun, "ended without begun");
	check(!first_error[0] || !strcmp(p->error, first_error), "error \"%s\" became \"%s\"",
	      first_error, p->error);
	/* Only finish sets the status and reason. */
	check(r->status == r_init.status && !strcmp(r->reason, r_init.reason),
	      "status or reason set before the end");
}

/*
 * Is s (n bytes) a well-formed end record's rest, "ID RESULT checks=N" with
 * N at most CHECKS_MAX in 1 to 7 digits?  Its status and count, if so.
 */
static bool end_parse(const char *s, size_t n, enum conform_status *st, unsigned int *checks)
{
	static const char *const results[] = { [CONFORM_PASS] = "pass", [CONFORM_FAIL] = "fail",
					       [CONFORM_SKIP] = "skip" };
	unsigned long v = 0;
	size_t digits = 0;
	int found = -1;

	if (!eat(&s, &n, ID " "))
		return false;
	for (int i = 0; i < 3 && found < 0; i++)
		if (eat(&s, &n, results[i]))
			found = i;
	if (found < 0 || !eat(&s, &n, " checks="))
		return false;
	for (; digits < n && digits < 7 && s[digits] >= '0' && s[digits] <= '9'; digits++)
		v = v * 10 + (unsigned long)(s[digits] - '0');
	if (!digits || digits != n || v > CHECKS_MAX)
		return false;
	*st = (enum conform_status)found;
	*checks = (unsigned int)v;
	return true;
}

/* What a line changed, against the state before it (b, rb). */
static void check_line(const struct conform_proto *b, const struct conform_result *rb,
		       const struct conform_proto *p, const struct conform_result *r,
		       const char *line, size_t len)
{
	const char *rest;
	size_t rest_n;
	bool record = len >= PREFIX_LEN && !memcmp(line, prefix, PREFIX_LEN);

	if (!record) {
		check(p->begun == b->begun && p->ended == b->ended && p->status == b->status &&
			      p->nr_fail_records == b->nr_fail_records &&
			      !strcmp(p->skip, b->skip) && !strcmp(p->error, b->error) &&
			      !memcmp(r, rb, sizeof(*r)),
		      "a line that is no record changed the record state");
		return;
	}
	if (!b->begun && !is_record(line, len, "begin", &rest, &rest_n))
		check(p->error[0], "a record before begin accepted");
	if (b->ended)
		check(p->error[0], "a record after end accepted");
	if (p->begun && !b->begun) {
		bool violated = !b->error[0] && p->error[0];

		check(is_record(line, len, "begin", &rest, &rest_n), "begun without a begin record");
		check(b->error[0] || violated == !(rest_n == strlen(ID) && !memcmp(rest, ID, rest_n)),
		      "begin \"%.*s\" %s", (int)rest_n, rest, violated ? "refused" : "accepted");
	}
	if (b->begun && !b->ended && is_record(line, len, "end", &rest, &rest_n)) {
		enum conform_status st;
		unsigned int checks;
		bool ok = end_parse(rest, rest_n, &st, &checks);

		check(p->ended == ok, "end record \"%.*s\" %s", (int)rest_n, rest,
		      ok ? "refused" : "accepted");
		check(!ok || (p->status == st && r->checks == checks),
		      "end record \"%.*s\" kept as status %d, checks=%u", (int)rest_n, rest,
		      p->status, r->checks);
	} else {
		check(p->ended == b->ended, "ended by \"%.*s\"", (int)len, line);
	}
	if (b->begun && !b->ended && is_record(line, len, "fail", &rest, &rest_n)) {
		check(p->nr_fail_records == b->nr_fail_records + 1, "fail records %u -> %u",
		      b->nr_fail_records, p->nr_fail_records);
		if (b->nr_fail_records < CONFORM_FAILS_MAX)
			check(text_kept(r->fails[b->nr_fail_records], rest, rest_n),
			      "fail text \"%s\" kept for \"%.*s\"", r->fails[b->nr_fail_records],
			      (int)rest_n, rest);
	} else {
		check(p->nr_fail_records == b->nr_fail_records, "fail records %u -> %u by \"%.*s\"",
		      b->nr_fail_records, p->nr_fail_records, (int)len, line);
	}
	if (strcmp(p->skip, b->skip))
		check(!b->skip[0] && b->begun && !b->ended &&
			      is_record(line, len, "skip", &rest, &rest_n) &&
			      text_kept(p->skip, rest, rest_n),
		      "skip reason \"%s\" became \"%s\" by \"%.*s\"", b->skip, p->skip,
		      (int)len, line);
	for (unsigned int i = 0; i < rb->nr_fails; i++)
		check(!strcmp(r->fails[i], rb->fails[i]), "fail text %u changed", i);
}

static void feed_line(struct conform_proto *p, const uint8_t *line, size_t len,
		      char *first_error)
{
	struct conform_proto before = *p;
	struct conform_result *rb = malloc(sizeof(*rb));
	char *copy = malloc(len ? len : 1);

	check(copy && rb, "out of memory");
	memcpy(rb, p->r, sizeof(*rb));
	memcpy(copy, line, len);
	conform_proto_line(p, copy, len);
	check_state(p, p->r, first_error);
	check_line(&before, rb, p, p->r, copy, len);
	free(copy);
	free(rb);
	if (!first_error[0])
		memcpy(first_error, p->error, sizeof(p->error));
}

/* Do the records agree, as the payload writes them? */
static bool records_agree(const struct conform_proto *p, const struct conform_result *r)
{
	switch (p->status) {
	case CONFORM_PASS:
		return !p->nr_fail_records && !p->skip[0];
	case CONFORM_FAIL:
		return p->nr_fail_records && p->nr_fail_records <= r->checks;
	case CONFORM_SKIP:
		return p->skip[0] && !p->nr_fail_records;
	default:
		return false;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char first_error[sizeof(((struct conform_proto *)0)->error)] = "";
	const uint8_t *end = data + size;
	struct conform_result *r = malloc(sizeof(*r));
	struct conform_proto p;
	bool agree;
	int rc;

	check(r, "out of memory");
	memcpy(r, &r_init, sizeof(*r));
	conform_proto_init(&p, ID, r);
	while (data < end) {
		const uint8_t *nl = memchr(data, '\n', (size_t)(end - data));
		size_t len = (size_t)((nl ? nl : end) - data);

		feed_line(&p, data, len, first_error);
		data += len + (nl != NULL);
	}
	agree = !p.error[0] && p.begun && p.ended && records_agree(&p, r);
	rc = conform_proto_finish(&p);
	check(!first_error[0] || !strcmp(p.error, first_error), "error \"%s\" became \"%s\"",
	      first_error, p.error);
	check(text_ok(r->reason, sizeof(r->reason)), "reason not terminated or not printable");
	if (!agree) {
		check(rc == -1, "conform_proto_finish returned %d for status %d, begun %d, ended %d, "
		      "%u fail records, checks=%u, skip \"%s\", error \"%s\"", rc, p.status, p.begun,
		      p.ended, p.nr_fail_records, r->checks, p.skip, p.error);
		check(r->status == CONFORM_ERROR && p.error[0] && r->reason[0],
		      "failed with status %d, error \"%s\", reason \"%s\"", r->status, p.error,
		      r->reason);
	} else {
		check(rc == 0, "conform_proto_finish returned %d (%s)", rc, p.error);
		check(r->status == p.status, "status %d for end record status %d", r->status,
		      p.status);
		if (r->status == CONFORM_PASS)
			check(!r->reason[0], "a pass with reason \"%s\"", r->reason);
		else if (r->status == CONFORM_SKIP)
			check(!strcmp(r->reason, p.skip), "skip reason \"%s\" for \"%s\"", r->reason,
			      p.skip);
		else
			check(r->reason[0], "a fail without a reason");
	}
	free(r);
	return 0;
}
