/* SPDX-License-Identifier: MIT */
/*
 * The @hvb record parser (runner/run/proto.c) on the console text a guest can
 * print: a well-formed sample set, notes, other lines, unavailable records,
 * and each protocol violation, which must end in an error and never in a
 * crash.  Every line is handed over as an exact-size heap copy with no NUL
 * after it, as the console does, so a sanitizer build sees any over-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hvbench/bench.h"
#include "proto.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define LINE_MAX_BYTES 4096 /* proto.c's limit on one console line */

/* A begin record with the fields the checks look at spelled out. */
#define BEGIN_WITH(cpl, batch, samples, khz)                                                     \
	"@hvb begin name=vmcall mode=hvm cpl=" cpl " batch=" batch " samples=" samples           \
	" timer=31 corr=0 tsc_khz=" khz
#define BEGIN(samples) BEGIN_WITH("0", "8", #samples, "2000000")

static void feed_line(struct proto_result *p, const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, text, len);
	proto_line(p, copy, len);
	free(copy);
}

static void line(struct proto_result *p, const char *text)
{
	feed_line(p, text, strlen(text));
}

/* Console text: lines end at '\n'; a last line without one is fed too, as console_flush does. */
static void lines(struct proto_result *p, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);

		feed_line(p, text, len);
		text += len + (nl != NULL);
	}
}

/* A sample line of n values first, first + 1, ... */
static void sample_line(struct proto_result *p, uint64_t first, size_t n)
{
	char buf[LINE_MAX_BYTES];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "@hvb s");

	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " %llu",
					(unsigned long long)(first + i));
		assert_true(len < sizeof(buf));
	}
	feed_line(p, buf, len);
}

static void assert_samples_counting(const struct proto_result *p, uint64_t first, size_t n)
{
	assert_int_equal(p->nr, n);
	assert_non_null(p->samples);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p->samples[i], first + i);
}

static void assert_ok(struct proto_result *p)
{
	if (proto_finish(p))
		fail_msg("proto_finish failed: %s", p->error);
	assert_string_equal(p->error, "");
}

static void test_well_formed(void **state)
{
	struct proto_result p;

	(void)state;
	proto_init(&p);
	lines(&p, "@hvb begin name=vmcall mode=offload cpl=3 batch=16 samples=5 timer=31 corr=29 "
		  "tsc_khz=2995200\n"
		  "@hvb s 100 200 300\n"
		  "@hvb s 0 18446744073709551615\n"
		  "@hvb end\n");
	assert_ok(&p);
	assert_true(p.begun);
	assert_true(p.ended);
	assert_false(p.unavailable);
	assert_string_equal(p.name, "vmcall");
	assert_string_equal(p.mode, "offload");
	assert_int_equal(p.cpl, 3);
	assert_int_equal(p.batch, 16);
	assert_int_equal(p.declared, 5);
	assert_int_equal(p.timer, 31);
	assert_int_equal(p.corr, 29);
	assert_int_equal(p.tsc_khz, 2995200);
	assert_int_equal(p.nr, 5);
	assert_int_equal(p.samples[0], 100);
	assert_int_equal(p.samples[1], 200);
	assert_int_equal(p.samples[2], 300);
	assert_int_equal(p.samples[3], 0);
	assert_int_equal(p.samples[4], UINT64_MAX);
	assert_int_equal(p.nr_notes, 0);
	assert_string_equal(p.last_other, "");
	proto_free(&p);
	assert_null(p.samples);
	proto_free(&p); /* twice is harmless */
}

/* Keys in any order, extra spaces, leading zeros; long words cut to fit, still terminated. */
static void test_begin_spelling(void **state)
{
	static const char long_name[] = "n123456789012345678901234567890123456789012345678901234567890"
					"123456789";
	char buf[256];
	struct proto_result p;

	(void)state;
	assert_true(strlen(long_name) >= sizeof(p.name));
	snprintf(buf, sizeof(buf), "@hvb begin   tsc_khz=0001  samples=2 batch=1 name=%s "
		 "mode=offload-poll-and-more-words cpl=00 ", long_name);
	proto_init(&p);
	line(&p, buf);
	lines(&p, "@hvb s   007    8  \n@hvb end");
	assert_ok(&p);
	assert_int_equal(p.tsc_khz, 1);
	assert_int_equal(p.cpl, 0);
	assert_int_equal(strlen(p.name), sizeof(p.name) - 1);
	assert_memory_equal(p.name, long_name, sizeof(p.name) - 1);
	assert_string_equal(p.mode, "offload-poll-an");
	assert_int_equal(p.timer, 0); /* not given */
	assert_int_equal(p.samples[0], 7);
	assert_int_equal(p.samples[1], 8);
	proto_free(&p);
}

/* Words of exactly the array size, and one less: kept whole or cut, never past the array. */
static void test_word_limits(void **state)
{
	char buf[400], word[300];
	struct proto_result p;

	(void)state;
	memset(word, 'w', sizeof(word));
	proto_init(&p);
	snprintf(buf, sizeof(buf), "@hvb begin mode=hvm name=%.*s batch=1", (int)sizeof(p.name),
		 word);
	line(&p, buf);
	assert_int_equal(strlen(p.name), sizeof(p.name) - 1);
	assert_string_equal(p.mode, "hvm"); /* the next field */
	snprintf(buf, sizeof(buf), "@hvb begin name=%.*s mode=%.*s", (int)sizeof(p.name) - 1, word,
		 (int)sizeof(p.mode), word);
	proto_init(&p); /* nothing was allocated: batch=1 alone is no valid begin */
	line(&p, buf);
	assert_int_equal(strlen(p.name), sizeof(p.name) - 1);
	assert_int_equal(strlen(p.mode), sizeof(p.mode) - 1);

	snprintf(buf, sizeof(buf), "@hvb unavailable %.*s", (int)sizeof(p.why), word);
	line(&p, buf);
	assert_int_equal(strlen(p.why), sizeof(p.why) - 1);
	assert_int_equal(p.notes[0][0], '\0'); /* the next field */
	snprintf(buf, sizeof(buf), "@hvb unavailable %.*s", (int)sizeof(p.why) - 1, word);
	line(&p, buf);
	assert_int_equal(strlen(p.why), sizeof(p.why) - 1);
	proto_free(&p);
}

/* Newer payloads may say more: keys the host does not know, and words without '='. */
static void test_unknown_begin_keys(void **state)
{
	struct proto_result p;

	(void)state;
	proto_init(&p);
	lines(&p, BEGIN(1) " future=42 flags=a,b,c =7 bare-word sample=9 samples2=x timerx=y\n"
		  "@hvb s 5\n"
		  "@hvb end\n");
	assert_ok(&p);
	assert_int_equal(p.declared, 1);
	assert_int_equal(p.timer, 31);
	assert_int_equal(p.samples[0], 5);
	proto_free(&p);
}

static void test_notes(void **state)
{
	char buf[400], want[256];
	struct proto_result p;

	(void)state;
	proto_init(&p);
	line(&p, "@hvb note before the begin record, with  spaces");
	line(&p, BEGIN(1));
	line(&p, "@hvb note ");
	line(&p, "@hvb s 1");
	/* 255 bytes are kept of a longer note. */
	memset(want, 'x', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	snprintf(buf, sizeof(buf), "@hvb note %sTAIL", want);
	line(&p, buf);
	line(&p, "@hvb end");
	for (unsigned int i = 3; i < PROTO_NOTES_MAX + 5; i++) {
		snprintf(buf, sizeof(buf), "@hvb note number %u", i);
		line(&p, buf);
	}
	assert_ok(&p);
	assert_int_equal(p.nr_notes, PROTO_NOTES_MAX);
	assert_string_equal(p.notes[0], "before the begin record, with  spaces");
	assert_string_equal(p.notes[1], "");
	assert_string_equal(p.notes[2], want);
	for (unsigned int i = 3; i < PROTO_NOTES_MAX; i++) {
		snprintf(buf, sizeof(buf), "number %u", i);
		assert_string_equal(p.notes[i], buf);
	}
	assert_int_equal(p.nr, 1);
	proto_free(&p);
}

/*
 * Lines that are not records change nothing but last_other, whatever they
 * hold; it keeps their printable ASCII, the rest as '?' (it is guest text
 * that error messages quote).
 */
static void test_other_lines(void **state)
{
	static const char *const others[] = {
		"SeaBIOS (version 1.16)", "", "@hvb", "@hvbs 1 2", "@HVB s 1", " @hvb s 1",
		"x@hvb begin samples=1", "\t@hvb end",
	};
	static const char *const kept[] = {
		"SeaBIOS (version 1.16)", "", "@hvb", "@hvbs 1 2", "@HVB s 1", " @hvb s 1",
		"x@hvb begin samples=1", "?@hvb end",
	};
	char buf[300];
	struct proto_result p;

	(void)state;
	proto_init(&p);
	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		line(&p, others[i]);
		assert_string_equal(p.last_other, kept[i]);
	}
	lines(&p, "booting\n" BEGIN(2) "\nguest says hi\n@hvb s 1\n@hvb s 2\n@hvb end\n");
	assert_ok(&p);
	assert_string_equal(p.last_other, "guest says hi"); /* records do not replace it */
	assert_int_equal(p.nr, 2);
	assert_int_equal(p.nr_notes, 0);

	/* A long one is cut to 255 bytes; an embedded NUL is one more '?'. */
	memset(buf, 'o', sizeof(buf));
	feed_line(&p, buf, sizeof(buf));
	assert_int_equal(strlen(p.last_other), sizeof(p.last_other) - 1);
	feed_line(&p, "ab\0c\033[2J", 8);
	assert_string_equal(p.last_other, "ab?c?[2J");
	assert_string_equal(p.error, "");
	proto_free(&p);
}

static void test_unavailable(void **state)
{
	struct proto_result p;

	(void)state;
	proto_init(&p);
	lines(&p, "@hvb note probing\n@hvb unavailable no VMX in this guest: cpuid.1:ecx.vmx=0\n");
	assert_int_equal(proto_finish(&p), 0);
	assert_true(p.unavailable);
	assert_false(p.begun);
	assert_string_equal(p.why, "no VMX in this guest: cpuid.1:ecx.vmx=0");
	assert_int_equal(p.nr, 0);
	assert_int_equal(p.nr_notes, 1);
	proto_free(&p);

	/* Giving up half-way through a sample set is still an answer. */
	proto_init(&p);
	lines(&p, BEGIN(4) "\n@hvb s 1 2\n@hvb unavailable \n");
	assert_int_equal(proto_finish(&p), 0);
	assert_true(p.unavailable);
	assert_string_equal(p.why, "");
	proto_free(&p);

	/* ...but not after a protocol violation. */
	proto_init(&p);
	lines(&p, "@hvb bogus\n@hvb unavailable because\n");
	assert_int_equal(proto_finish(&p), -1);
	assert_string_equal(p.error, "an unknown record");
	proto_free(&p);
}

/* A hosted workload may have nothing to sample: begin samples=0, end. */
static void test_zero_samples(void **state)
{
	struct proto_result p;

	(void)state;
	proto_init(&p);
	lines(&p, BEGIN(0) "\n@hvb s \n@hvb end\n");
	assert_ok(&p);
	assert_int_equal(p.nr, 0);
	proto_free(&p);
}

/* Samples may come in lines of any size, with other output in between. */
static void test_samples_split(void **state)
{
	struct proto_result p;
	uint64_t next = 1000;

	(void)state;
	proto_init(&p);
	line(&p, BEGIN(1000));
	for (size_t n = 1; next < 2000; n = n % 37 + 1) {
		size_t left = (size_t)(2000 - next);

		sample_line(&p, next, n < left ? n : left);
		next += n < left ? n : left;
		line(&p, n % 5 ? "other output" : "@hvb note between samples");
	}
	line(&p, "@hvb end");
	assert_ok(&p);
	assert_samples_counting(&p, 1000, 1000);
	proto_free(&p);
}

/* The guest's own layout: HVB_SAMPLES_PER_LINE a line, the last line short. */
static void test_samples_per_line(void **state)
{
	const size_t n = 4 * HVB_SAMPLES_PER_LINE + 3;
	char buf[64];
	struct proto_result p;

	(void)state;
	proto_init(&p);
	snprintf(buf, sizeof(buf), "@hvb begin batch=1 tsc_khz=1 samples=%zu", n);
	line(&p, buf);
	for (size_t i = 0; i < n; i += HVB_SAMPLES_PER_LINE) {
		size_t k = n - i < HVB_SAMPLES_PER_LINE ? n - i : HVB_SAMPLES_PER_LINE;

		sample_line(&p, i, k);
		assert_int_equal(p.nr, i + k);
	}
	line(&p, "@hvb end");
	assert_ok(&p);
	assert_samples_counting(&p, 0, n);
	proto_free(&p);
}

/* A sample line with no values adds none; without the space after "s" it is no record. */
static void test_empty_sample_line(void **state)
{
	struct proto_result p;

	(void)state;
	proto_init(&p);
	lines(&p, BEGIN(1) "\n@hvb s \n@hvb s      \n@hvb s 9\n@hvb s \n@hvb end\n");
	assert_ok(&p);
	assert_int_equal(p.nr, 1);
	assert_int_equal(p.samples[0], 9);
	proto_free(&p);

	proto_init(&p);
	lines(&p, BEGIN(1) "\n@hvb s\n@hvb s 9\n@hvb end\n");
	assert_int_equal(proto_finish(&p), -1);
	assert_string_equal(p.error, "an unknown record");
	proto_free(&p);
}

/* A full set of HVB_SAMPLES_MAX, and then with one sample too many. */
static void samples_max_run(struct proto_result *p, const char *extra)
{
	char buf[64];

	proto_init(p);
	snprintf(buf, sizeof(buf), "@hvb begin batch=1 tsc_khz=1 samples=%d", HVB_SAMPLES_MAX);
	line(p, buf);
	for (size_t i = 0; i < HVB_SAMPLES_MAX; i += HVB_SAMPLES_PER_LINE)
		sample_line(p, i, HVB_SAMPLES_PER_LINE);
	if (extra)
		line(p, extra);
	line(p, "@hvb end");
}

/* Exactly HVB_SAMPLES_MAX is allowed, in full; one more sample is not. */
static void test_samples_max(void **state)
{
	struct proto_result p;

	(void)state;
	samples_max_run(&p, NULL);
	assert_ok(&p);
	assert_samples_counting(&p, 0, HVB_SAMPLES_MAX);
	proto_free(&p);

	samples_max_run(&p, "@hvb s 1");
	assert_int_equal(proto_finish(&p), -1);
	assert_string_equal(p.error, "more samples than the 65536 declared");
	assert_int_equal(p.nr, HVB_SAMPLES_MAX);
	proto_free(&p);
}

/* A line of LINE_MAX_BYTES is fine; one byte more is a violation, record or not. */
static void test_long_lines(void **state)
{
	const size_t n = (LINE_MAX_BYTES - strlen("@hvb s")) / 2;
	char *buf = malloc(LINE_MAX_BYTES + 2);
	struct proto_result p;
	size_t len;

	(void)state;
	assert_non_null(buf);
	/* "@hvb s" and n times " 1": exactly LINE_MAX_BYTES. */
	len = (size_t)sprintf(buf, "@hvb s");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(buf + len, " 1");
	assert_int_equal(len, LINE_MAX_BYTES);

	assert_int_equal(n, 2045);
	proto_init(&p);
	line(&p, "@hvb begin batch=1 tsc_khz=1 samples=2045");
	feed_line(&p, buf, len);
	line(&p, "@hvb end");
	assert_ok(&p);
	assert_int_equal(p.nr, n);
	proto_free(&p);

	/* The same samples, the last one spelled "10": one byte too long. */
	proto_init(&p);
	line(&p, "@hvb begin batch=1 tsc_khz=1 samples=2045");
	memcpy(buf + len, "0", 1);
	feed_line(&p, buf, len + 1);
	line(&p, "@hvb end");
	assert_int_equal(proto_finish(&p), -1);
	assert_string_equal(p.error, "a console line of 4097 bytes");
	assert_int_equal(p.nr, 0);
	proto_free(&p);

	/* Not a record, and much longer. */
	free(buf);
	buf = malloc(1 << 20);
	assert_non_null(buf);
	memset(buf, 'z', 1 << 20);
	proto_init(&p);
	feed_line(&p, buf, 1 << 20);
	assert_int_equal(proto_finish(&p), -1);
	assert_string_equal(p.error, "a console line of 1048576 bytes");
	assert_string_equal(p.last_other, "");
	proto_free(&p);
	free(buf);
}

struct violation {
	const char *what;
	const char *text;	/* console lines */
	const char *error;	/* the error it must give, or its start */
};

static const struct violation violations[] = {
	{ "more samples than declared", BEGIN(2) "\n@hvb s 1 2 3\n@hvb end\n",
	  "more samples than the 2 declared" },
	{ "more samples, on a later line", BEGIN(2) "\n@hvb s 1 2\n@hvb s 3\n@hvb end\n",
	  "more samples than the 2 declared" },
	{ "samples with 0 declared", BEGIN(0) "\n@hvb s 1\n@hvb end\n",
	  "more samples than the 0 declared" },
	{ "fewer samples than declared", BEGIN(3) "\n@hvb s 1 2\n@hvb end\n",
	  "2 samples of 3 declared" },
	{ "samples before begin", "@hvb s 1 2\n" BEGIN(2) "\n@hvb s 1 2\n@hvb end\n",
	  "samples outside begin/end" },
	{ "samples after end", BEGIN(1) "\n@hvb s 1\n@hvb end\n@hvb s 2\n",
	  "samples outside begin/end" },
	{ "samples after a rejected begin", BEGIN_WITH("0", "0", "1", "1") "\n@hvb s 1\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "second begin", BEGIN(1) "\n" BEGIN(1) "\n@hvb s 1\n@hvb end\n",
	  "a second begin record" },
	{ "second begin after end", BEGIN(1) "\n@hvb s 1\n@hvb end\n" BEGIN(1) "\n",
	  "a second begin record" },
	{ "end without begin", "@hvb end\n", "end without begin" },
	{ "end without begin, begin after", "@hvb end\n" BEGIN(1) "\n@hvb s 1\n@hvb end\n",
	  "end without begin" },
	{ "missing end", BEGIN(2) "\n@hvb s 1 2\n", "no end record (output cut short)" },
	{ "no records", "hello\n\n", "no begin record" },
	{ "no input", "", "no begin record" },
	{ "samples > HVB_SAMPLES_MAX", BEGIN(65537) "\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "samples = UINT64_MAX", BEGIN(18446744073709551615) "\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "batch=0", BEGIN_WITH("0", "0", "1", "2000000") "\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "no batch", "@hvb begin samples=1 tsc_khz=1\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "tsc_khz=0", BEGIN_WITH("0", "8", "1", "0") "\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "no tsc_khz", "@hvb begin samples=1 batch=1\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "cpl=4", BEGIN_WITH("4", "8", "1", "1") "\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "cpl=2^32", BEGIN_WITH("4294967296", "8", "1", "1") "\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl, batch, tsc_khz or samples out of range" },
	{ "non-numeric sample", BEGIN(3) "\n@hvb s 1 x 3\n@hvb end\n",
	  "a sample is not a number" },
	{ "sample with a suffix", BEGIN(1) "\n@hvb s 12a\n@hvb end\n",
	  "a sample is not a number" },
	{ "hexadecimal sample", BEGIN(1) "\n@hvb s 0x10\n@hvb end\n",
	  "a sample is not a number" },
	{ "comma-separated samples", BEGIN(2) "\n@hvb s 1,2\n@hvb end\n",
	  "a sample is not a number" },
	{ "tab-separated samples", BEGIN(2) "\n@hvb s 1\t2\n@hvb end\n",
	  "a sample is not a number" },
	{ "sample with a plus sign", BEGIN(1) "\n@hvb s +5\n@hvb end\n",
	  "a sample is not a number" },
	{ "negative sample", BEGIN(1) "\n@hvb s -1\n@hvb end\n", "a sample is not a number" },
	{ "sample of 2^64", BEGIN(1) "\n@hvb s 18446744073709551616\n@hvb end\n",
	  "a sample is not a number" },
	{ "sample of 10 * 2^64", BEGIN(1) "\n@hvb s 184467440737095516150\n@hvb end\n",
	  "a sample is not a number" },
	{ "sample of 2^64 + 9", BEGIN(1) "\n@hvb s 18446744073709551625\n@hvb end\n",
	  "a sample is not a number" },
	{ "negative batch", BEGIN_WITH("0", "-1", "1", "1") "\n@hvb s 1\n@hvb end\n",
	  "begin record: batch is not a number" },
	{ "negative cpl", BEGIN_WITH("-0", "8", "1", "1") "\n@hvb s 1\n@hvb end\n",
	  "begin record: cpl is not a number" },
	{ "samples=2^64", BEGIN(18446744073709551616) "\n@hvb end\n",
	  "begin record: samples is not a number" },
	{ "tsc_khz with a suffix", BEGIN_WITH("0", "8", "1", "2GHz") "\n@hvb s 1\n@hvb end\n",
	  "begin record: tsc_khz is not a number" },
	{ "empty timer", "@hvb begin batch=1 tsc_khz=1 samples=1 timer=\n@hvb s 1\n@hvb end\n",
	  "begin record: timer is not a number" },
	{ "unknown record", "@hvb frobnicate 1 2\n", "an unknown record" },
	{ "the payload's own error, after complete samples",
	  BEGIN(1) "\n@hvb s 5\n@hvb end\n@hvb error io: 3 of 16 requests failed\n",
	  "the payload reported: io: 3 of 16 requests failed" },
	{ "record type alone", "@hvb \n", "an unknown record" },
	{ "begin without fields", "@hvb begin\n", "an unknown record" },
	{ "end with more", BEGIN(0) "\n@hvb end now\n", "an unknown record" },
	{ "note without its space", "@hvb note\n", "an unknown record" },
	{ "samples without a space", BEGIN(1) "\n@hvb s1\n@hvb end\n", "an unknown record" },
	{ "first violation kept", "@hvb s 1\n@hvb end\n@hvb bogus\n",
	  "samples outside begin/end" },
};

/* Each ends in proto_finish's -1 with its own error, and with the counts still in bounds. */
static void test_violations(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(violations); i++) {
		const struct violation *v = &violations[i];
		struct proto_result p;
		int r;

		proto_init(&p);
		lines(&p, v->text);
		r = proto_finish(&p);
		if (r != -1 || strcmp(p.error, v->error))
			fail_msg("%s: proto_finish %d, error \"%s\", expected -1, \"%s\"", v->what,
				 r, p.error, v->error);
		if (p.nr > p.declared || p.nr > HVB_SAMPLES_MAX || (p.nr && !p.samples))
			fail_msg("%s: %zu samples of %llu declared", v->what, p.nr,
				 (unsigned long long)p.declared);
		/* The verdict stands: finishing again changes nothing. */
		assert_int_equal(proto_finish(&p), -1);
		assert_string_equal(p.error, v->error);
		proto_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_begin_spelling),
		cmocka_unit_test(test_word_limits),
		cmocka_unit_test(test_unknown_begin_keys),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_other_lines),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_zero_samples),
		cmocka_unit_test(test_samples_split),
		cmocka_unit_test(test_samples_per_line),
		cmocka_unit_test(test_empty_sample_line),
		cmocka_unit_test(test_samples_max),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_violations),
	};

	return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
