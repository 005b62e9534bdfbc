/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_proto.h"

#define CHECKS_MAX 1000000u	/* more than any test makes; a bigger count is garbage */

/* Guest text into dst: printable ASCII only, so it cannot drive a terminal. */
static void text_copy(char *dst, size_t cap, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
}

static void violation(struct conform_proto *p, const char *fmt, ...)
{
	va_list ap;

	if (p->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
}

void conform_proto_init(struct conform_proto *p, const char *id, struct conform_result *r)
{
	*p = (struct conform_proto){ .id = id, .r = r };
}

/* The first word of s (n bytes) and where the rest starts. */
static size_t word(const char *s, size_t n, const char **rest, size_t *rest_n)
{
	size_t w = 0;

	while (w < n && s[w] != ' ')
		w++;
	*rest = s + (w < n ? w + 1 : w);
	*rest_n = n - (w < n ? w + 1 : w);
	return w;
}

static bool word_is(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(s, lit, n);
}

static bool id_is(const struct conform_proto *p, const char *s, size_t n)
{
	return word_is(s, n, p->id);
}

static void record_end(struct conform_proto *p, const char *s, size_t n)
{
	static const char *const results[] = { [CONFORM_PASS] = "pass", [CONFORM_FAIL] = "fail",
					       [CONFORM_SKIP] = "skip" };
	const char *res, *checks;
	size_t res_n, checks_n, w = word(s, n, &res, &res_n);
	char num[16];
	char *end;
	unsigned long v;
	int st = -1;

	if (!id_is(p, s, w)) {
		violation(p, "the end record names another test");
		return;
	}
	w = word(res, res_n, &checks, &checks_n);
	for (int i = 0; i < 3; i++)
		if (word_is(res, w, results[i]))
			st = i;
	if (st < 0 || checks_n < 8 || checks_n > 7 + 7 || memcmp(checks, "checks=", 7)) {
		violation(p, "malformed end record");
		return;
	}
	text_copy(num, sizeof(num), checks + 7, checks_n - 7);
	errno = 0;
	v = strtoul(num, &end, 10);
	if (num[0] < '0' || num[0] > '9' || errno || *end || v > CHECKS_MAX) {
		violation(p, "end record: bad check count");
		return;
	}
	p->ended = true;
	p->status = st;
	p->r->checks = (unsigned int)v;
}

static void record(struct conform_proto *p, const char *s, size_t n)
{
	const char *rest;
	size_t rest_n, w = word(s, n, &rest, &rest_n);

	if (word_is(s, w, "begin")) {
		if (p->begun)
			violation(p, "a second begin record");
		else if (!id_is(p, rest, rest_n))
			violation(p, "the payload ran another test than the one asked for");
		p->begun = true;
		return;
	}
	if (!p->begun || p->ended) {
		violation(p, "a record outside begin/end");
		return;
	}
	if (word_is(s, w, "fail")) {
		if (p->r->nr_fails < CONFORM_FAILS_MAX)
			text_copy(p->r->fails[p->r->nr_fails++], sizeof(p->r->fails[0]), rest, rest_n);
		p->nr_fail_records++;
	} else if (word_is(s, w, "skip")) {
		if (!p->skip[0])
			text_copy(p->skip, sizeof(p->skip), rest, rest_n);
		if (!p->skip[0])
			violation(p, "a skip record without a reason");
	} else if (word_is(s, w, "end")) {
		record_end(p, rest, rest_n);
	} else {
		violation(p, "unknown record kind");
	}
}

void conform_proto_line(struct conform_proto *p, const char *line, size_t len)
{
	static const char prefix[] = CONFORM_RECORD " ";
	const size_t plen = sizeof(prefix) - 1;

	if (len >= plen && !memcmp(line, prefix, plen)) {
		record(p, line + plen, len - plen);
		return;
	}
	if (len >= 4 && !memcmp(line, "rt: ", 4))
		text_copy(p->crash, sizeof(p->crash), line, len);
	else if (len)
		text_copy(p->last_other, sizeof(p->last_other), line, len);
}

int conform_proto_finish(struct conform_proto *p)
{
	struct conform_result *r = p->r;

	if (!p->error[0] && !p->begun)
		violation(p, "no begin record");
	if (!p->error[0] && !p->ended)
		violation(p, "no end record");
	if (!p->error[0] && p->status == CONFORM_PASS && p->nr_fail_records)
		violation(p, "the end record says pass after failed checks");
	if (!p->error[0] && p->status == CONFORM_FAIL && !p->nr_fail_records)
		violation(p, "the end record says fail without a failed check");
	if (!p->error[0] && p->status == CONFORM_SKIP && !p->skip[0])
		violation(p, "the end record says skip without a skip record");
	/* The payload's rule: fail if any check failed, else skip if it skipped, else pass. */
	if (!p->error[0] && p->status == CONFORM_PASS && p->skip[0])
		violation(p, "the end record says pass after a skip record");
	if (!p->error[0] && p->status == CONFORM_SKIP && p->nr_fail_records)
		violation(p, "the end record says skip after failed checks");
	if (!p->error[0] && p->nr_fail_records > r->checks)
		violation(p, "more failed checks than checks");
	if (p->error[0]) {
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "conformance payload output: %s%s%s",
			 p->error, p->last_other[0] ? "; last other line: " : "", p->last_other);
		return -1;
	}
	r->status = p->status;
	if (p->status == CONFORM_SKIP)
		snprintf(r->reason, sizeof(r->reason), "%s", p->skip);
	else if (p->status == CONFORM_FAIL)
		snprintf(r->reason, sizeof(r->reason), "%u of %u checks failed: %s",
			 p->nr_fail_records, r->checks, r->fails[0]);
	return 0;
}
