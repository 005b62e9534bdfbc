/* SPDX-License-Identifier: MIT */
/* One conformance test's @hvb conform records read back (conform_proto.h), on record.h. */
#include <stdio.h>
#include <string.h>

#include "conform_proto.h"
#include "record.h"

#define CHECKS_MAX 1000000u	/* more than any test makes; a bigger count is garbage */

#define violation(p, ...) record_violation((p)->error, sizeof((p)->error), __VA_ARGS__)

void conform_proto_init(struct conform_proto *p, const char *id, struct conform_result *r)
{
	*p = (struct conform_proto){ .id = id, .r = r };
}

static bool id_is(const struct conform_proto *p, const char *s, size_t n)
{
	return record_is(s, n, p->id);
}

/* The end record's "ID RESULT checks=N". */
static void record_end(struct conform_proto *p, struct record_cursor *c)
{
	static const char *const results[] = { [CONFORM_PASS] = "pass", [CONFORM_FAIL] = "fail",
					       [CONFORM_SKIP] = "skip" };
	const char *id = c->s, *res = c->s, *checks;
	size_t id_n = 0, res_n = 0, checks_n;
	uint64_t v;
	int st = -1;

	record_word(c, &id, &id_n);
	if (!id_is(p, id, id_n)) {
		violation(p, "the end record names another test");
		return;
	}
	record_word(c, &res, &res_n);
	checks = c->s;
	checks_n = (size_t)(c->end - c->s);
	for (int i = 0; i < 3; i++)
		if (record_is(res, res_n, results[i]))
			st = i;
	if (st < 0 || checks_n < 8 || checks_n > 7 + 7 || memcmp(checks, "checks=", 7)) {
		violation(p, "malformed end record");
		return;
	}
	if (record_u64(checks + 7, checks_n - 7, CHECKS_MAX, &v)) {
		violation(p, "end record: bad check count");
		return;
	}
	p->ended = true;
	p->status = st;
	p->r->checks = (unsigned int)v;
}

static void record(struct conform_proto *p, struct record_cursor *c)
{
	const char *kind = c->s, *rest;
	size_t kind_n = 0, rest_n;

	record_word(c, &kind, &kind_n);
	rest = c->s;
	rest_n = (size_t)(c->end - c->s);
	if (record_is(kind, kind_n, "begin")) {
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
	if (record_is(kind, kind_n, "fail")) {
		if (p->r->nr_fails < CONFORM_FAILS_MAX)
			record_text(p->r->fails[p->r->nr_fails++], sizeof(p->r->fails[0]), rest,
				    rest_n);
		p->nr_fail_records++;
	} else if (record_is(kind, kind_n, "skip")) {
		if (!p->skip[0])
			record_text(p->skip, sizeof(p->skip), rest, rest_n);
		if (!p->skip[0])
			violation(p, "a skip record without a reason");
	} else if (record_is(kind, kind_n, "end")) {
		record_end(p, c);
	} else {
		violation(p, "unknown record kind");
	}
}

void conform_proto_line(struct conform_proto *p, const char *line, size_t len)
{
	struct record_cursor c;

	if (record_match(line, len, CONFORM_RECORD " ", &c)) {
		record(p, &c);
		return;
	}
	if (record_match(line, len, "rt: ", &c))
		record_text(p->crash, sizeof(p->crash), line, len);
	else if (len)
		record_text(p->last_other, sizeof(p->last_other), line, len);
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
