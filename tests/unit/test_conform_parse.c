/* SPDX-License-Identifier: MIT */
/*
 * The two parsers of hvbench conform's untrusted input:
 *  - runner/conform/conform_proto.c, the @hvb conform records of one test's console
 *    transcript: tables of transcripts with the status, check count, fail
 *    records and reason (or, for an ERROR, the violation) each must give;
 *    hostile text and lines at and past the kept lengths;
 *  - runner/conform/conform_expect.c, the expectations files: tables of texts with
 *    the entries or the "PATH:LINE: ..." error each must give, files on
 *    disk, and the verdicts conform_expect_judge draws from them.
 * Lines go to conform_proto_line as exact-size heap copies with no NUL
 * after them, as the console hands them over, and expectations texts to
 * conform_expect_parse the same way, so a sanitizer build sees any
 * over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "conform_expect.h"
#include "conform_proto.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define ID "cpuid.kvm-signature"
#define REC CONFORM_RECORD " "
#define BEGIN REC "begin " ID
#define END(result, checks) REC "end " ID " " result " checks=" checks
#define ERROR_PREFIX "conformance payload output: "
#define OTHER_PREFIX "; last other line: "

static void proto_feed(struct conform_proto *p, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, text, len);
	conform_proto_line(p, copy, len);
	free(copy);
}

static void proto_line(struct conform_proto *p, const char *text)
{
	proto_feed(p, text, strlen(text));
}

/* A test's console transcript, as the runner's console callback reads it. */
struct proto_case {
	const char *name;
	const char *lines[10];	/* up to the first NULL */
	enum conform_status status;
	/* PASS, FAIL, SKIP: what p->r must hold */
	unsigned int checks, nr_fails;
	const char *fails[3];	/* the first fail records kept, up to the first NULL */
	const char *reason;
	/* ERROR: the violation; r->reason is ERROR_PREFIX, it and the last other line */
	const char *error;
	const char *last_other, *crash; /* NULL for "" */
};

static const struct proto_case proto_cases[] = {
	{ "pass", { BEGIN, END("pass", "3") }, CONFORM_PASS, .checks = 3, .reason = "" },
	{ "pass without checks", { BEGIN, END("pass", "0") }, CONFORM_PASS, .reason = "" },
	{ "the largest check count", { BEGIN, END("pass", "1000000") }, CONFORM_PASS,
	  .checks = 1000000, .reason = "" },
	{ "a count with leading zeros", { BEGIN, END("pass", "0000007") }, CONFORM_PASS,
	  .checks = 7, .reason = "" },
	{ "one failed check",
	  { BEGIN, REC "fail CPUID.0x40000000.EBX: expected 0x4b4d564b, got 0x0",
	    END("fail", "5") },
	  CONFORM_FAIL, .checks = 5, .nr_fails = 1,
	  .fails = { "CPUID.0x40000000.EBX: expected 0x4b4d564b, got 0x0" },
	  .reason = "1 of 5 checks failed: CPUID.0x40000000.EBX: expected 0x4b4d564b, got 0x0" },
	{ "three failed checks: the reason names the first",
	  { BEGIN, REC "fail first", REC "fail second  with  spaces ", REC "fail third",
	    END("fail", "3") },
	  CONFORM_FAIL, .checks = 3, .nr_fails = 3,
	  .fails = { "first", "second  with  spaces ", "third" },
	  .reason = "3 of 3 checks failed: first" },
	{ "a fail record without text", { BEGIN, REC "fail", END("fail", "1") }, CONFORM_FAIL,
	  .checks = 1, .nr_fails = 1, .fails = { "" }, .reason = "1 of 1 checks failed: " },
	{ "skip", { BEGIN, REC "skip not KVM (no KVMKVMKVM signature)", END("skip", "1") },
	  CONFORM_SKIP, .checks = 1, .reason = "not KVM (no KVMKVMKVM signature)" },
	{ "two skip records: the first reason stays",
	  { BEGIN, REC "skip no x2APIC", REC "skip no TSC deadline", REC "skip", END("skip", "0") },
	  CONFORM_SKIP, .reason = "no x2APIC" },
	/* The payload's rule: a failed check wins over a skip. */
	{ "fail after a skip record",
	  { BEGIN, REC "skip half the test cannot run", REC "fail got 2", END("fail", "4") },
	  CONFORM_FAIL, .checks = 4, .nr_fails = 1, .fails = { "got 2" },
	  .reason = "1 of 4 checks failed: got 2" },
	{ "other lines between records",
	  { "SeaBIOS (version 1.16)", BEGIN, "debug: probing leaf 0x40000000", REC "fail got 0",
	    "", "rt: unexpected exception 6 (#UD) at rip=0x101234", END("fail", "2"),
	    "conform: done", "" },
	  CONFORM_FAIL, .checks = 2, .nr_fails = 1, .fails = { "got 0" },
	  .reason = "1 of 2 checks failed: got 0", .last_other = "conform: done",
	  .crash = "rt: unexpected exception 6 (#UD) at rip=0x101234" },
	{ "lines that look like records but are not",
	  { CONFORM_RECORD, BEGIN, CONFORM_RECORD "fail x", "@hvb begin name=vmcall",
	    " " REC "fail indented", "@hvb conformance end", END("pass", "1"), "rt:no space" },
	  CONFORM_PASS, .checks = 1, .reason = "", .last_other = "rt:no space" },
	{ "a crash report only",
	  { BEGIN, "rt: unexpected exception 13 (#GP) error 0x0", END("pass", "2") },
	  CONFORM_PASS, .checks = 2, .reason = "",
	  .crash = "rt: unexpected exception 13 (#GP) error 0x0" },

	/* Violations that conform_proto_finish finds. */
	{ "no lines", { NULL }, CONFORM_ERROR, .error = "no begin record" },
	{ "no records", { "Booting from ROM...", "", "rt: unexpected exception 14 (#PF)" },
	  CONFORM_ERROR, .error = "no begin record", .last_other = "Booting from ROM...",
	  .crash = "rt: unexpected exception 14 (#PF)" },
	{ "no end record", { BEGIN, REC "fail got 1", "still running" }, CONFORM_ERROR,
	  .error = "no end record", .last_other = "still running" },
	{ "pass after a failed check", { BEGIN, REC "fail got 1", END("pass", "2") },
	  CONFORM_ERROR, .error = "the end record says pass after failed checks" },
	{ "fail without a failed check", { BEGIN, END("fail", "2") }, CONFORM_ERROR,
	  .error = "the end record says fail without a failed check" },
	{ "skip without a skip record", { BEGIN, END("skip", "0") }, CONFORM_ERROR,
	  .error = "the end record says skip without a skip record" },
	{ "pass after a skip record", { BEGIN, REC "skip no APIC", END("pass", "1") },
	  CONFORM_ERROR, .error = "the end record says pass after a skip record" },
	{ "skip after a failed check",
	  { BEGIN, REC "skip no APIC", REC "fail got 1", END("skip", "1") }, CONFORM_ERROR,
	  .error = "the end record says skip after failed checks" },
	{ "more failed checks than checks",
	  { BEGIN, REC "fail a", REC "fail b", END("fail", "1") }, CONFORM_ERROR,
	  .error = "more failed checks than checks" },

	/* Violations that conform_proto_line finds. */
	{ "begin names another test", { REC "begin cpuid.basic-leaves", END("pass", "1") },
	  CONFORM_ERROR, .error = "the payload ran another test than the one asked for" },
	{ "begin names a longer id", { BEGIN "x", END("pass", "1") }, CONFORM_ERROR,
	  .error = "the payload ran another test than the one asked for" },
	{ "begin with a word more", { BEGIN " again", END("pass", "1") }, CONFORM_ERROR,
	  .error = "the payload ran another test than the one asked for" },
	{ "begin without an id", { REC "begin", END("pass", "1") }, CONFORM_ERROR,
	  .error = "the payload ran another test than the one asked for" },
	{ "a second begin", { BEGIN, BEGIN, END("pass", "1") }, CONFORM_ERROR,
	  .error = "a second begin record" },
	{ "begin after end", { BEGIN, END("pass", "1"), BEGIN }, CONFORM_ERROR,
	  .error = "a second begin record" },
	{ "a fail record before begin", { REC "fail early", BEGIN, END("fail", "1") },
	  CONFORM_ERROR, .error = "a record outside begin/end" },
	{ "a skip record before begin", { REC "skip early", BEGIN, END("skip", "0") },
	  CONFORM_ERROR, .error = "a record outside begin/end" },
	{ "end before begin", { END("pass", "1"), BEGIN }, CONFORM_ERROR,
	  .error = "a record outside begin/end" },
	{ "a fail record after end", { BEGIN, END("pass", "1"), REC "fail late" }, CONFORM_ERROR,
	  .error = "a record outside begin/end" },
	{ "a second end", { BEGIN, END("pass", "1"), END("pass", "1") }, CONFORM_ERROR,
	  .error = "a record outside begin/end" },
	{ "an unknown record kind", { BEGIN, REC "note hello", END("pass", "1") }, CONFORM_ERROR,
	  .error = "unknown record kind" },
	{ "kinds are lower case", { BEGIN, REC "FAIL got 1", END("fail", "1") }, CONFORM_ERROR,
	  .error = "unknown record kind" },
	{ "an empty record", { BEGIN, REC, END("pass", "1") }, CONFORM_ERROR,
	  .error = "unknown record kind" },
	{ "a skip record without a reason", { BEGIN, REC "skip", END("skip", "0") },
	  CONFORM_ERROR, .error = "a skip record without a reason" },
	{ "a skip record with a blank reason", { BEGIN, REC "skip ", END("skip", "0") },
	  CONFORM_ERROR, .error = "a skip record without a reason" },
	{ "end names another test", { BEGIN, REC "end cpuid.basic-leaves pass checks=1" },
	  CONFORM_ERROR, .error = "the end record names another test" },
	/* Nothing after "end": the empty id is another test's. */
	{ "end without an id", { BEGIN, REC "end" }, CONFORM_ERROR,
	  .error = "the end record names another test" },
	{ "end without a result", { BEGIN, REC "end " ID }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "end with an unknown result", { BEGIN, END("error", "1") }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "end results are lower case", { BEGIN, END("PASS", "1") }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "end without a count", { BEGIN, REC "end " ID " pass" }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "end with two blanks", { BEGIN, REC "end " ID " pass  checks=1" }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "checks= without a number", { BEGIN, END("pass", "") }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "a count of 8 digits", { BEGIN, END("pass", "00000001") }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "count= for checks=", { BEGIN, REC "end " ID " pass count=1" }, CONFORM_ERROR,
	  .error = "malformed end record" },
	{ "checks=+5", { BEGIN, END("pass", "+5") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },
	{ "checks=-1", { BEGIN, END("pass", "-1") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },
	{ "checks= 5", { BEGIN, END("pass", " 5") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },
	{ "checks=0x10", { BEGIN, END("pass", "0x10") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },
	{ "checks=5 and more", { BEGIN, END("pass", "5 more") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },
	{ "checks=1000001", { BEGIN, END("pass", "1000001") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },
	{ "checks=9999999", { BEGIN, END("pass", "9999999") }, CONFORM_ERROR,
	  .error = "end record: bad check count" },

	/* The first violation is the one reported. */
	{ "first of two line violations",
	  { REC "fail early", BEGIN, REC "bogus", BEGIN, "last words" }, CONFORM_ERROR,
	  .error = "a record outside begin/end", .last_other = "last words" },
	{ "a line violation before finish's", { BEGIN, REC "note x", REC "fail y" },
	  CONFORM_ERROR, .error = "unknown record kind" },
	{ "finish's first check first",
	  { BEGIN, REC "skip s", REC "fail a", REC "fail b", END("pass", "1") }, CONFORM_ERROR,
	  .error = "the end record says pass after failed checks" },
	{ "a bad end, then a good one", { BEGIN, END("pass", "+1"), END("pass", "1") },
	  CONFORM_ERROR, .error = "end record: bad check count" },
};

static void proto_check_case(const struct proto_case *c)
{
	struct conform_result r = { 0 };
	struct conform_proto p;
	char want[sizeof(r.reason)];
	int rc;

	conform_proto_init(&p, ID, &r);
	for (size_t i = 0; i < ARRAY_SIZE(c->lines) && c->lines[i]; i++)
		proto_line(&p, c->lines[i]);
	rc = conform_proto_finish(&p);

	if (r.status != c->status)
		fail_msg("%s: status %s, want %s (error \"%s\")", c->name,
			 conform_status_name(r.status), conform_status_name(c->status), p.error);
	if (rc != (c->status == CONFORM_ERROR ? -1 : 0))
		fail_msg("%s: conform_proto_finish returned %d", c->name, rc);
	if (strcmp(p.last_other, c->last_other ? c->last_other : ""))
		fail_msg("%s: last other line \"%s\", want \"%s\"", c->name, p.last_other,
			 c->last_other ? c->last_other : "");
	if (strcmp(p.crash, c->crash ? c->crash : ""))
		fail_msg("%s: crash \"%s\", want \"%s\"", c->name, p.crash,
			 c->crash ? c->crash : "");

	if (c->status == CONFORM_ERROR) {
		if (strcmp(p.error, c->error))
			fail_msg("%s: error \"%s\", want \"%s\"", c->name, p.error, c->error);
		snprintf(want, sizeof(want), ERROR_PREFIX "%s%s%s", c->error,
			 c->last_other ? OTHER_PREFIX : "", c->last_other ? c->last_other : "");
		if (strcmp(r.reason, want))
			fail_msg("%s: reason \"%s\", want \"%s\"", c->name, r.reason, want);
		return;
	}
	if (p.error[0])
		fail_msg("%s: error \"%s\"", c->name, p.error);
	if (r.checks != c->checks || r.nr_fails != c->nr_fails || p.nr_fail_records != c->nr_fails)
		fail_msg("%s: %u checks, %u fails kept, %u fail records; want %u, %u, %u", c->name,
			 r.checks, r.nr_fails, p.nr_fail_records, c->checks, c->nr_fails,
			 c->nr_fails);
	for (size_t i = 0; i < ARRAY_SIZE(c->fails) && c->fails[i]; i++)
		if (strcmp(r.fails[i], c->fails[i]))
			fail_msg("%s: fail %zu \"%s\", want \"%s\"", c->name, i, r.fails[i],
				 c->fails[i]);
	if (strcmp(r.reason, c->reason))
		fail_msg("%s: reason \"%s\", want \"%s\"", c->name, r.reason, c->reason);
}

static void test_proto_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(proto_cases); i++)
		proto_check_case(&proto_cases[i]);
}

/* 20 fail records: the first CONFORM_FAILS_MAX are kept, all are counted. */
static void test_proto_many_fails(void **state)
{
	struct conform_result r = { 0 };
	struct conform_proto p;
	char buf[64];

	(void)state;
	conform_proto_init(&p, ID, &r);
	proto_line(&p, BEGIN);
	for (unsigned int i = 0; i < 20; i++) {
		snprintf(buf, sizeof(buf), REC "fail check %u: expected 0, got %u", i, i + 1);
		proto_line(&p, buf);
	}
	proto_line(&p, END("fail", "25"));
	assert_int_equal(conform_proto_finish(&p), 0);
	assert_int_equal(r.status, CONFORM_FAIL);
	assert_int_equal(r.checks, 25);
	assert_int_equal(p.nr_fail_records, 20);
	assert_int_equal(r.nr_fails, CONFORM_FAILS_MAX);
	for (unsigned int i = 0; i < CONFORM_FAILS_MAX; i++) {
		snprintf(buf, sizeof(buf), "check %u: expected 0, got %u", i, i + 1);
		assert_string_equal(r.fails[i], buf);
	}
	assert_string_equal(r.reason, "20 of 25 checks failed: check 0: expected 0, got 1");
}

/* Control bytes, DEL, bytes past ASCII and a NUL all reach the host as '?'. */
static void test_proto_hostile_text(void **state)
{
	static const char hostile[] = "a\x1b[31mb\tc\x7f" "d\xc3\xa9" "e\0f\r\n";
	static const char shown[] = "a?[31mb?c?d??e?f??";
	struct conform_result r = { 0 };
	struct conform_proto p;
	char buf[64];
	size_t len;

	(void)state;
	conform_proto_init(&p, ID, &r);
	proto_line(&p, BEGIN);
	len = (size_t)snprintf(buf, sizeof(buf), REC "fail ");
	memcpy(buf + len, hostile, sizeof(hostile) - 1);
	proto_feed(&p, buf, len + sizeof(hostile) - 1);
	len = (size_t)snprintf(buf, sizeof(buf), REC "skip ");
	memcpy(buf + len, hostile, sizeof(hostile) - 1);
	proto_feed(&p, buf, len + sizeof(hostile) - 1);
	proto_feed(&p, hostile, sizeof(hostile) - 1);
	len = (size_t)snprintf(buf, sizeof(buf), "rt: ");
	memcpy(buf + len, hostile, sizeof(hostile) - 1);
	proto_feed(&p, buf, len + sizeof(hostile) - 1);
	proto_line(&p, END("fail", "1"));

	assert_int_equal(conform_proto_finish(&p), 0);
	assert_string_equal(r.fails[0], shown);
	assert_string_equal(p.skip, shown);
	assert_string_equal(p.last_other, shown);
	assert_string_equal(p.crash, "rt: a?[31mb?c?d??e?f??");
	assert_string_equal(r.reason, "1 of 1 checks failed: a?[31mb?c?d??e?f??");

	/* A NUL or a control byte in the end record spoils it: no count is read past it. */
	conform_proto_init(&p, ID, &r);
	proto_line(&p, BEGIN);
	proto_feed(&p, END("pass", "1\0"), sizeof(END("pass", "1\0")) - 1);
	assert_string_equal(p.error, "end record: bad check count");
	conform_proto_init(&p, ID, &r);
	proto_line(&p, BEGIN);
	proto_feed(&p, BEGIN "\0", sizeof(BEGIN));
	assert_string_equal(p.error, "a second begin record");
	conform_proto_init(&p, ID, &r);
	proto_feed(&p, BEGIN "\0", sizeof(BEGIN));
	assert_string_equal(p.error, "the payload ran another test than the one asked for");
}

/* n bytes of 'a' then one 'Z' past them, prefixed: shows where a copy was cut. */
static size_t long_line(char *buf, const char *prefix, size_t n)
{
	size_t len = strlen(prefix);

	memcpy(buf, prefix, len);
	memset(buf + len, 'a', n);
	buf[len + n] = 'Z';
	return len + n + 1;
}

static void assert_cut(const char *s, size_t cap, size_t kept, bool whole)
{
	assert_int_equal(strlen(s), kept);
	assert_true(kept < cap);
	for (size_t i = 0; i + 1 < kept; i++)
		assert_int_equal(s[i], 'a');
	assert_int_equal(s[kept - 1], whole ? 'Z' : 'a');
}

/*
 * Text of exactly CONFORM_TEXT_MAX bytes is kept whole; one byte more and
 * far more are cut there, NUL-terminated (over 'X's left in the arrays).
 * The console's other lines are cut at their own arrays' sizes, and the
 * longest of everything still fits the reason.
 */
static void test_proto_text_max(void **state)
{
	static const size_t lens[] = { CONFORM_TEXT_MAX, CONFORM_TEXT_MAX + 1, 1000 };
	struct conform_result r;
	struct conform_proto p;
	char buf[1100], want[sizeof(r.reason)];

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(r.fails, 'X', sizeof(r.fails));
	conform_proto_init(&p, ID, &r);
	memset(p.skip, 'X', sizeof(p.skip));
	p.skip[0] = '\0'; /* no skip record yet */
	proto_line(&p, BEGIN);
	for (size_t i = 0; i < ARRAY_SIZE(lens); i++)
		proto_feed(&p, buf, long_line(buf, REC "fail ", lens[i] - 1));
	proto_feed(&p, buf, long_line(buf, REC "skip ", CONFORM_TEXT_MAX + 1));
	proto_line(&p, END("fail", "3"));
	assert_int_equal(conform_proto_finish(&p), 0);
	assert_cut(r.fails[0], sizeof(r.fails[0]), CONFORM_TEXT_MAX, true);
	assert_cut(r.fails[1], sizeof(r.fails[1]), CONFORM_TEXT_MAX, false);
	assert_cut(r.fails[2], sizeof(r.fails[2]), CONFORM_TEXT_MAX, false);
	assert_cut(p.skip, sizeof(p.skip), CONFORM_TEXT_MAX, false);
	snprintf(want, sizeof(want), "3 of 3 checks failed: %s", r.fails[0]);
	assert_string_equal(r.reason, want);
	assert_int_equal(strlen(r.reason), strlen("3 of 3 checks failed: ") + CONFORM_TEXT_MAX);

	/* Skip text of exactly the maximum, kept whole. */
	memset(&r, 0, sizeof(r));
	conform_proto_init(&p, ID, &r);
	proto_line(&p, BEGIN);
	proto_feed(&p, buf, long_line(buf, REC "skip ", CONFORM_TEXT_MAX - 1));
	proto_line(&p, END("skip", "0"));
	assert_int_equal(conform_proto_finish(&p), 0);
	assert_cut(r.reason, sizeof(r.reason), CONFORM_TEXT_MAX, true);

	/* Other lines and crash reports at, one past and far past their arrays. */
	conform_proto_init(&p, ID, &r);
	proto_feed(&p, buf, long_line(buf, "", sizeof(p.last_other) - 2));
	assert_cut(p.last_other, sizeof(p.last_other), sizeof(p.last_other) - 1, true);
	proto_feed(&p, buf, long_line(buf, "rt: ", sizeof(p.crash) - 6));
	assert_cut(p.crash + 4, sizeof(p.crash) - 4, sizeof(p.crash) - 5, true);
	proto_feed(&p, buf, long_line(buf, "rt: ", sizeof(p.crash) - 5));
	assert_cut(p.crash + 4, sizeof(p.crash) - 4, sizeof(p.crash) - 5, false);
	proto_feed(&p, buf, long_line(buf, "", sizeof(p.last_other) - 1));
	assert_cut(p.last_other, sizeof(p.last_other), sizeof(p.last_other) - 1, false);
	proto_feed(&p, buf, long_line(buf, "", 1000));
	assert_cut(p.last_other, sizeof(p.last_other), sizeof(p.last_other) - 1, false);

	/* The longest error with the longest other line: the reason holds both whole. */
	assert_int_equal(conform_proto_finish(&p), -1);
	assert_int_equal(r.status, CONFORM_ERROR);
	snprintf(want, sizeof(want), ERROR_PREFIX "no begin record" OTHER_PREFIX "%s",
		 p.last_other);
	assert_string_equal(r.reason, want);
	assert_true(strlen(ERROR_PREFIX OTHER_PREFIX) + sizeof(p.error) - 1 +
		    sizeof(p.last_other) - 1 < sizeof(r.reason));
}

/* Expectations: a path of its own so the errors' "PATH:LINE" is seen. */
#define EXPECT_PATH "host.expect"
#define ST(s) (1u << CONFORM_##s)
#define TEXT(s) .text = s, .size = sizeof(s) - 1

struct expect_case {
	const char *name;
	const char *text;
	size_t size;
	const char *error;	/* NULL: the text parses */
	size_t nr;
	struct conform_expect_entry want[4];
};

static const struct expect_case expect_cases[] = {
	{ "empty", TEXT(""), .nr = 0 },
	{ "comments and blanks only", TEXT("# nothing known\n\n \t \r\n   # indented\n#"),
	  .nr = 0 },
	{ "comments and blank lines",
	  TEXT("# refvmm on PVM\n\n   \n\t# indented\ncpuid.* FAIL known bug # why: see docs\n"),
	  .nr = 1, .want = { { "cpuid.*", ST(FAIL), "known bug", 5 } } },
	{ "CRLF",
	  TEXT("apic.id FAIL reason one\r\n\r\ntimer.* TIMEOUT  reason two \r\n"
	       "io.* CRASH r3 # c\r\n"),
	  .nr = 3, .want = { { "apic.id", ST(FAIL), "reason one", 1 },
			     { "timer.*", ST(TIMEOUT), "reason two", 3 },
			     { "io.*", ST(CRASH), "r3", 4 } } },
	{ "tabs", TEXT("\tapic.*\tCRASH\t\tthe  reason\t \n"), .nr = 1,
	  .want = { { "apic.*", ST(CRASH), "the  reason", 1 } } },
	{ "several statuses",
	  TEXT("a.b FAIL,TIMEOUT r\nc.d ERROR,CRASH,FAIL,TIMEOUT all of them\ne.f FAIL,FAIL twice"),
	  .nr = 3, .want = { { "a.b", ST(FAIL) | ST(TIMEOUT), "r", 1 },
			     { "c.d", ST(FAIL) | ST(TIMEOUT) | ST(CRASH) | ST(ERROR),
			       "all of them", 2 },
			     { "e.f", ST(FAIL), "twice", 3 } } },
	{ "globs kept as written",
	  TEXT("timer.[ab]* FAIL r1\n?pic.x2apic ERROR r2\n* TIMEOUT everything\n"),
	  .nr = 3, .want = { { "timer.[ab]*", ST(FAIL), "r1", 1 },
			     { "?pic.x2apic", ST(ERROR), "r2", 2 },
			     { "*", ST(TIMEOUT), "everything", 3 } } },
	{ "a reason's text",
	  TEXT("x FAIL PVM: xsetbv, \"emulation\" fails; see docs/findings-pvm.md\n"
	       "y FAIL bell\x07 and \xc3\xa9\n"),
	  .nr = 2, .want = { { "x", ST(FAIL),
			       "PVM: xsetbv, \"emulation\" fails; see docs/findings-pvm.md", 1 },
			     { "y", ST(FAIL), "bell? and ??", 2 } } },

	{ "an unknown status", TEXT("# c\nx.y BOGUS r\n"),
	  "host.expect:2: unknown status \"BOGUS\" (FAIL, TIMEOUT, CRASH or ERROR)" },
	{ "PASS is no known failure", TEXT("x PASS r"),
	  "host.expect:1: unknown status \"PASS\" (FAIL, TIMEOUT, CRASH or ERROR)" },
	{ "SKIP is no known failure", TEXT("x SKIP r"),
	  "host.expect:1: unknown status \"SKIP\" (FAIL, TIMEOUT, CRASH or ERROR)" },
	{ "statuses are upper case", TEXT("x fail r"),
	  "host.expect:1: unknown status \"fail\" (FAIL, TIMEOUT, CRASH or ERROR)" },
	{ "an unknown status in a list", TEXT("ok FAIL r\nx FAIL,TIMEOUT,NOPE r\n"),
	  "host.expect:2: unknown status \"NOPE\" (FAIL, TIMEOUT, CRASH or ERROR)" },
	{ "an empty status in a list", TEXT("x FAIL,,TIMEOUT r"),
	  "host.expect:1: unknown status \"\" (FAIL, TIMEOUT, CRASH or ERROR)" },
	{ "an unknown status shown cut and printable", TEXT("x FA\x01LFAILFAILFAILFAILFAIL r"),
	  "host.expect:1: unknown status \"FA?LFAILFAILFAILFAIL\" (FAIL, TIMEOUT, CRASH or "
	  "ERROR)" },
	{ "a missing reason", TEXT("x FAIL"), "host.expect:1: a known failure needs a reason" },
	{ "a blank reason", TEXT("\n\nx FAIL \t \r\n"),
	  "host.expect:3: a known failure needs a reason" },
	{ "a comment is no reason", TEXT("x TIMEOUT # hangs"),
	  "host.expect:1: a known failure needs a reason" },
	{ "a missing status", TEXT("# c\n\nx\n"),
	  "host.expect:3: expected \"ID-GLOB STATUS REASON\"" },
	{ "a missing status before a comment", TEXT("x.y  # FAIL r\n"),
	  "host.expect:1: expected \"ID-GLOB STATUS REASON\"" },
	{ "a NUL byte", TEXT("ok FAIL r\nx FAIL r\0z\n"),
	  "host.expect:2: a NUL byte: not a text file" },
	{ "a NUL byte in an entry's comment", TEXT("x FAIL r # \0\n"),
	  "host.expect:1: a NUL byte: not a text file" },
	{ "an error after good entries", TEXT("a FAIL r\nb FAIL r\nc CRASH\n"),
	  "host.expect:3: a known failure needs a reason" },
};

static void expect_check_case(const struct expect_case *c)
{
	struct conform_expect x = { .path = EXPECT_PATH };
	char *copy = malloc(c->size ? c->size : 1), err[256] = "";
	int rc;

	assert_non_null(copy);
	memcpy(copy, c->text, c->size);
	rc = conform_expect_parse(&x, copy, c->size, err, sizeof(err));
	free(copy);
	if (c->error) {
		if (rc != -1 || strcmp(err, c->error))
			fail_msg("%s: returned %d, error \"%s\", want \"%s\"", c->name, rc, err,
				 c->error);
		if (x.entries || x.nr)
			fail_msg("%s: %zu entries left after an error", c->name, x.nr);
		return;
	}
	if (rc)
		fail_msg("%s: returned %d (%s)", c->name, rc, err);
	if (x.nr != c->nr)
		fail_msg("%s: %zu entries, want %zu", c->name, x.nr, c->nr);
	for (size_t i = 0; i < x.nr; i++) {
		const struct conform_expect_entry *e = &x.entries[i], *w = &c->want[i];

		if (strcmp(e->glob, w->glob) || e->statuses != w->statuses ||
		    strcmp(e->reason, w->reason) || e->line != w->line)
			fail_msg("%s: entry %zu \"%s\" %#x \"%s\" line %u, want \"%s\" %#x \"%s\" "
				 "line %u", c->name, i, e->glob, e->statuses, e->reason, e->line,
				 w->glob, w->statuses, w->reason, w->line);
	}
	conform_expect_free(&x);
	assert_null(x.entries);
	assert_int_equal(x.nr, 0);
}

static void test_expect_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(expect_cases); i++)
		expect_check_case(&expect_cases[i]);
}

/* Patterns and reasons at their arrays' sizes. */
static void test_expect_limits(void **state)
{
	struct conform_expect x = { .path = EXPECT_PATH };
	struct conform_expect_entry e;
	char text[1024], err[256], stars[sizeof(e.glob)];
	int len;

	(void)state;
	memset(stars, '*', sizeof(stars));
	for (size_t n = sizeof(e.glob) - 1; n <= sizeof(e.glob); n++) {
		len = snprintf(text, sizeof(text), "# c\nx%.*s FAIL r\n", (int)n - 1, stars);
		if (n < sizeof(e.glob)) {
			assert_int_equal(conform_expect_parse(&x, text, (size_t)len, err,
							      sizeof(err)), 0);
			assert_int_equal(x.nr, 1);
			assert_int_equal(strlen(x.entries[0].glob), n);
			conform_expect_free(&x);
		} else {
			assert_int_equal(conform_expect_parse(&x, text, (size_t)len, err,
							      sizeof(err)), -1);
			assert_string_equal(err, "host.expect:2: the test pattern is too long");
			assert_null(x.entries);
		}
	}

	/* A reason past its array is cut there, still terminated. */
	memset(text, 'r', sizeof(text));
	memcpy(text, "x CRASH ", 8);
	text[8] = 'R';
	assert_int_equal(conform_expect_parse(&x, text, 8 + sizeof(e.reason) + 10, err,
					      sizeof(err)), 0);
	assert_int_equal(x.nr, 1);
	assert_int_equal(strlen(x.entries[0].reason), sizeof(e.reason) - 1);
	assert_int_equal(x.entries[0].reason[0], 'R');
	conform_expect_free(&x);
}

/* A file in the temporary directory, with text, its path into path. */
static void temp_file(char *path, size_t len, const char *text, size_t size)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/test_conform_parse-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, size), (ssize_t)size);
	assert_int_equal(close(fd), 0);
}

static void test_expect_load(void **state)
{
	static const char good[] = "# qemu-tcg\r\nio.* ERROR,CRASH flaky  \r\n";
	static const char bad[] = "a.b FAIL r\n\nc.d TIMEOUT\n";
	struct conform_expect x;
	char path[PATH_MAX], err[PATH_MAX + 64], want[sizeof(err)];
	int rc;

	(void)state;
	temp_file(path, sizeof(path), good, sizeof(good) - 1);
	rc = conform_expect_load(&x, path, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	if (rc)
		fail_msg("%s", err);
	assert_string_equal(x.path, path);
	assert_int_equal(x.nr, 1);
	assert_string_equal(x.entries[0].glob, "io.*");
	assert_int_equal(x.entries[0].statuses, ST(ERROR) | ST(CRASH));
	assert_string_equal(x.entries[0].reason, "flaky");
	assert_int_equal(x.entries[0].line, 2);
	conform_expect_free(&x);

	temp_file(path, sizeof(path), bad, sizeof(bad) - 1);
	rc = conform_expect_load(&x, path, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rc, -1);
	snprintf(want, sizeof(want), "%s:3: a known failure needs a reason", path);
	assert_string_equal(err, want);
	assert_null(x.entries);
	assert_int_equal(x.nr, 0);

	/* The same path, gone. */
	x.nr = 99;
	assert_int_equal(conform_expect_load(&x, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err, want);
	assert_null(x.entries);
	assert_int_equal(x.nr, 0);
}

/*
 * Files just under, at and just over conform_expect_load's 1 MiB: one entry,
 * then one long comment line.
 */
static void test_expect_load_size(void **state)
{
	static const char head[] = "timer.* TIMEOUT big file\n#";
	static const struct {
		size_t size;
		bool loads;
	} sizes[] = {
		{ (1u << 20) - 1, true },
		/*
		 * BUG (runner/conform/conform_expect.c, conform_expect_load): a file of
		 * exactly 1 MiB is refused as "larger than 1 MiB", because it reads
		 * at most EXPECT_FILE_MAX bytes and takes a full buffer for an
		 * overlong file.  Reading one byte more would tell them apart.
		 */
		{ 1u << 20, true },
		{ (1u << 20) + 1, false },
	};
	static char text[(1u << 20) + 1];
	char path[PATH_MAX], err[PATH_MAX + 64], want[sizeof(err)];
	struct conform_expect x;
	int rc;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(text, 'c', sizes[i].size);
		memcpy(text, head, sizeof(head) - 1);
		temp_file(path, sizeof(path), text, sizes[i].size);
		rc = conform_expect_load(&x, path, err, sizeof(err));
		assert_int_equal(unlink(path), 0);
		if (sizes[i].loads) {
			if (rc)
				fail_msg("a file of %zu bytes: %s", sizes[i].size, err);
			assert_int_equal(x.nr, 1);
			assert_string_equal(x.entries[0].reason, "big file");
			conform_expect_free(&x);
		} else {
			assert_int_equal(rc, -1);
			snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
			assert_string_equal(err, want);
			assert_null(x.entries);
		}
	}
}

static const char judge_text[] =
	"apic.* FAIL,TIMEOUT apic known\n"
	"apic.x2apic CRASH never used: the entry above matches first\n"
	"timer.* CRASH timer crash\n";

static void test_expect_judge(void **state)
{
	static const struct {
		const char *id;
		enum conform_status status;
		enum conform_verdict verdict;
		const char *reason;
	} cases[] = {
		{ "apic.id", CONFORM_FAIL, CONFORM_EXPECTED_FAIL, "apic known" },
		{ "apic.id", CONFORM_TIMEOUT, CONFORM_EXPECTED_FAIL, "apic known" },
		{ "apic.id", CONFORM_CRASH, CONFORM_UNEXPECTED_FAIL, "apic known" },
		{ "apic.id", CONFORM_ERROR, CONFORM_UNEXPECTED_FAIL, "apic known" },
		{ "apic.id", CONFORM_PASS, CONFORM_UNEXPECTED_PASS, "apic known" },
		{ "apic.id", CONFORM_SKIP, CONFORM_OK, "apic known" },
		{ "apic.x2apic", CONFORM_CRASH, CONFORM_UNEXPECTED_FAIL, "apic known" },
		{ "apic.x2apic", CONFORM_FAIL, CONFORM_EXPECTED_FAIL, "apic known" },
		{ "timer.tsc-deadline", CONFORM_CRASH, CONFORM_EXPECTED_FAIL, "timer crash" },
		{ "timer.tsc-deadline", CONFORM_FAIL, CONFORM_UNEXPECTED_FAIL, "timer crash" },
		{ "timer.tsc-deadline", CONFORM_PASS, CONFORM_UNEXPECTED_PASS, "timer crash" },
		{ "apic", CONFORM_FAIL, CONFORM_UNEXPECTED_FAIL, "" },
		{ "cpuid.kvm-signature", CONFORM_PASS, CONFORM_OK, "" },
		{ "cpuid.kvm-signature", CONFORM_SKIP, CONFORM_OK, "" },
		{ "cpuid.kvm-signature", CONFORM_FAIL, CONFORM_UNEXPECTED_FAIL, "" },
		{ "cpuid.kvm-signature", CONFORM_TIMEOUT, CONFORM_UNEXPECTED_FAIL, "" },
		{ "cpuid.kvm-signature", CONFORM_CRASH, CONFORM_UNEXPECTED_FAIL, "" },
		{ "cpuid.kvm-signature", CONFORM_ERROR, CONFORM_UNEXPECTED_FAIL, "" },
	};
	struct conform_expect x = { .path = EXPECT_PATH };
	char err[256];

	(void)state;
	assert_int_equal(conform_expect_parse(&x, judge_text, sizeof(judge_text) - 1, err,
					      sizeof(err)), 0);
	assert_int_equal(x.nr, 3);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct conform_result r = { .status = cases[i].status,
					    .verdict = CONFORM_UNEXPECTED_PASS };

		snprintf(r.expect_reason, sizeof(r.expect_reason), "stale");
		conform_expect_judge(&x, cases[i].id, &r);
		if (r.verdict != cases[i].verdict || strcmp(r.expect_reason, cases[i].reason))
			fail_msg("%s %s: %s \"%s\", want %s \"%s\"", cases[i].id,
				 conform_status_name(cases[i].status),
				 conform_verdict_name(r.verdict), r.expect_reason,
				 conform_verdict_name(cases[i].verdict), cases[i].reason);
	}
	conform_expect_free(&x);

	/* No expectations file: only failures are unexpected. */
	for (enum conform_status st = CONFORM_PASS; st <= CONFORM_ERROR; st++) {
		struct conform_result r = { .status = st, .verdict = CONFORM_EXPECTED_FAIL };
		enum conform_verdict want = st == CONFORM_PASS || st == CONFORM_SKIP ?
			CONFORM_OK : CONFORM_UNEXPECTED_FAIL;

		snprintf(r.expect_reason, sizeof(r.expect_reason), "stale");
		conform_expect_judge(NULL, "apic.id", &r);
		if (r.verdict != want || r.expect_reason[0])
			fail_msg("no expectations, %s: %s \"%s\"", conform_status_name(st),
				 conform_verdict_name(r.verdict), r.expect_reason);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proto_table),
		cmocka_unit_test(test_proto_many_fails),
		cmocka_unit_test(test_proto_hostile_text),
		cmocka_unit_test(test_proto_text_max),
		cmocka_unit_test(test_expect_table),
		cmocka_unit_test(test_expect_limits),
		cmocka_unit_test(test_expect_load),
		cmocka_unit_test(test_expect_load_size),
		cmocka_unit_test(test_expect_judge),
	};

	return cmocka_run_group_tests_name("conform_parse", tests, NULL, NULL);
}
