/* SPDX-License-Identifier: MIT */
/*
 * hvbench conform's reports (runner/conform/conform_tap.c, conform_junit.c and
 * conform_json.c): a run on two targets of tests whose results take every
 * status and verdict between them, some carrying hostile guest text
 * (quotes, backslashes, '#', markup, control bytes, bytes that are not
 * UTF-8, a TAP line and an XML end tag smuggled in, strings of the longest
 * length kept, a reason with no NUL), is written as TAP, JUnit and JSON,
 * and each is checked line by line; the JSON is read back by results_load,
 * which refuses a conformance member of the wrong shape.
 *
 * With a directory as argument (or in CONFORM_OUTPUT_DIR) the files are
 * left there for tests/integration/conform_formats.sh, which validates
 * them with prove, xmllint and a JSON Schema validator:
 *   conform-known.tap       the results that are not unexpected failures:
 *                           a TAP harness passes it
 *   conform-unexpected.tap  every result: a TAP harness fails it
 *   conform.xml             JUnit
 *   conform.json            the results file
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conform.h"
#include "conform_json.h"
#include "conform_junit.h"
#include "conform_tap.h"
#include "results_read.h"
#include "utf8.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { T_PASS, T_SKIP, T_FAIL, T_TIMEOUT, T_CRASH, T_ERROR, T_KNOWN, T_FIXED, T_HOSTILE, NR_TESTS };
enum { REFVMM, QEMU, NR_TARGETS };

static const struct conform_test tests[NR_TESTS] = {
	[T_PASS] = { .id = "cpuid.pass", .area = "cpuid", .spec = "SDM Vol. 2A, CPUID",
		     .desc = "CPUID answers", .nr_vcpus = 1 },
	[T_SKIP] = { .id = "ctl.skip", .area = "ctl", .spec = "refvmm's control device",
		     .desc = "the control device answers", .nr_vcpus = 1 },
	[T_FAIL] = { .id = "apic.fail", .area = "apic", .spec = "SDM Vol. 3A, 11.4.6",
		     .desc = "the APIC ID matches", .nr_vcpus = 1 },
	[T_TIMEOUT] = { .id = "timer.timeout", .area = "timer", .spec = "SDM Vol. 3A, 11.5.4",
			.desc = "the timer fires", .nr_vcpus = 1 },
	[T_CRASH] = { .id = "exc.crash", .area = "exc", .spec = "SDM Vol. 3A, 6.15",
		      .desc = "#UD is delivered", .nr_vcpus = 1 },
	[T_ERROR] = { .id = "io.error", .area = "io", .spec = "pc-testdev",
		      .desc = "the test device echoes", .nr_vcpus = 1 },
	[T_KNOWN] = { .id = "cpuid.known", .area = "cpuid", .spec = "SDM Vol. 1, 13.3",
		      .desc = "XCR0 can be set", .nr_vcpus = 1 },
	[T_FIXED] = { .id = "hc.fixed", .area = "hc", .spec = "KVM API, hypercalls.rst",
		      .desc = "a hypercall returns", .nr_vcpus = 1 },
	[T_HOSTILE] = { .id = "smp.hostile", .area = "smp",
			.spec = "a spec with \"quotes\" & <brackets>",
			.desc = "a \\ backslash, a # hash, # TODO not a directive, and \"quotes\"",
			.nr_vcpus = 2 },
};

/* The markup and quoting characters of every format, and the colons YAMLish mistakes. */
#define H_MARKUP "quote \" backslash \\ hash # lt < amp & gt > apos ' colon: end:"
/* C0, DEL, C1, a stray byte, truncated and overlong sequences, a non-character, valid UTF-8. */
#define H_BYTES                                                                              \
	"c0 \x01 esc \x1b del \x7f tab \t cr \r nl \n c1 \xc2\x9b bad \xff trunc \xc3 overlong " \
	"\xc0\xbc nonchar \xef\xbf\xbe ok \xc2\xb5s \xe2\x86\x92"
/* A test point, the end of a YAML block and an XML end tag, smuggled in. */
#define H_INJECT "x\nnot ok 99 - injected\n  ...\n</failure><![CDATA["

#define EXPECT_FILE_QEMU "/tmp/\xff<&>\".expect"

static char long_text[CONFORM_TEXT_MAX + 1];	/* the longest fail text kept: 200 bytes */
static struct conform_result results[NR_TARGETS][NR_TESTS];
static const struct conform_test *sel[NR_TESTS];
static struct conform_target_run targets[NR_TARGETS] = {
	[REFVMM] = { .target = "refvmm", .expect_file = "conform-expect/refvmm.expect",
		     .available = true, .results = results[REFVMM] },
	[QEMU] = { .target = "qemu-tcg", .expect_file = EXPECT_FILE_QEMU, .available = true,
		   .results = results[QEMU] },
};
static const struct conform_report report = {
	.sel = sel, .nr_sel = NR_TESTS, .targets = targets, .nr_targets = NR_TARGETS,
	.seconds = 12.5,
};

/* Where the files go; removed at the end unless they were asked for. */
static char dir[4096];
static bool keep;
static const char *const outputs[] = { "conform-known.tap", "conform-unexpected.tap",
				       "conform.xml", "conform.json" };

#define FAILS(...) \
	(const char *const[]){ __VA_ARGS__ }, ARRAY_SIZE(((const char *const[]){ __VA_ARGS__ }))
#define NO_FAILS NULL, 0

static void result_set(int target, int test, enum conform_status status,
		       enum conform_verdict verdict, const char *reason, const char *expect,
		       const char *const *fails, size_t nr_fails)
{
	struct conform_result *r = &results[target][test];

	memset(r, 0, sizeof(*r));
	r->status = status;
	r->verdict = verdict;
	snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
	snprintf(r->expect_reason, sizeof(r->expect_reason), "%s", expect ? expect : "");
	for (size_t i = 0; i < nr_fails; i++)
		snprintf(r->fails[i], sizeof(r->fails[i]), "%s", fails[i]);
	r->nr_fails = (unsigned int)nr_fails;
	r->checks = (unsigned int)nr_fails + 1;
	r->seconds = 0.125;
	r->vmm_status = -1;
	r->done = true;
}

static void report_make(void)
{
	for (size_t i = 0; i < sizeof(long_text) - 1; i++)
		long_text[i] = (char)('0' + i % 10);
	for (int i = 0; i < NR_TESTS; i++)
		sel[i] = &tests[i];

	result_set(REFVMM, T_PASS, CONFORM_PASS, CONFORM_OK, NULL, NULL, NO_FAILS);
	result_set(REFVMM, T_SKIP, CONFORM_SKIP, CONFORM_OK,
		   "no control device: port 0x5c0 reads 0xffffffff # not refvmm", NULL, NO_FAILS);
	result_set(REFVMM, T_FAIL, CONFORM_FAIL, CONFORM_UNEXPECTED_FAIL, NULL, NULL,
		   FAILS("expected 0x1, got 0x0", "APIC ID: expected 0, got 1"));
	result_set(REFVMM, T_TIMEOUT, CONFORM_TIMEOUT, CONFORM_UNEXPECTED_FAIL,
		   "hung after 5 s at hlt (rip=0x10234)", NULL,
		   FAILS("timer: 0 interrupts in 100 ms"));
	/* Listed, but as another failure: unexpected, with the listing's reason. */
	result_set(REFVMM, T_CRASH, CONFORM_CRASH, CONFORM_UNEXPECTED_FAIL,
		   "payload exited with status 3", "PVM: #UD is lost", NO_FAILS);
	result_set(REFVMM, T_ERROR, CONFORM_ERROR, CONFORM_UNEXPECTED_FAIL,
		   "no @hvb conform end record", NULL, NO_FAILS);
	result_set(REFVMM, T_KNOWN, CONFORM_FAIL, CONFORM_EXPECTED_FAIL, NULL,
		   "PVM: xsetbv emulation fails", FAILS("XCR0: expected 0x7, got 0x3"));
	result_set(REFVMM, T_FIXED, CONFORM_PASS, CONFORM_UNEXPECTED_PASS, NULL,
		   "PVM: vmcall hangs the vCPU", NO_FAILS);
	result_set(REFVMM, T_HOSTILE, CONFORM_FAIL, CONFORM_UNEXPECTED_FAIL, H_MARKUP, NULL,
		   FAILS(H_MARKUP, H_BYTES, H_INJECT, long_text));

	result_set(QEMU, T_PASS, CONFORM_PASS, CONFORM_OK, NULL, NULL, NO_FAILS);
	result_set(QEMU, T_SKIP, CONFORM_SKIP, CONFORM_OK, H_BYTES, NULL, NO_FAILS);
	result_set(QEMU, T_FAIL, CONFORM_FAIL, CONFORM_EXPECTED_FAIL, NULL, H_MARKUP,
		   FAILS("expected 0x1, got 0x0"));
	result_set(QEMU, T_TIMEOUT, CONFORM_TIMEOUT, CONFORM_EXPECTED_FAIL, "hung after 5 s",
		   "TCG: too slow", NO_FAILS);
	result_set(QEMU, T_CRASH, CONFORM_PASS, CONFORM_OK, NULL, NULL, NO_FAILS);
	/* Listed, and skipped: as expected. */
	result_set(QEMU, T_ERROR, CONFORM_SKIP, CONFORM_OK, "not KVM", "TCG: no testdev",
		   NO_FAILS);
	result_set(QEMU, T_KNOWN, CONFORM_FAIL, CONFORM_EXPECTED_FAIL, NULL, "TCG: no XSAVE",
		   FAILS("XCR0: expected 0x7, got 0x3"));
	result_set(QEMU, T_FIXED, CONFORM_PASS, CONFORM_UNEXPECTED_PASS, NULL, H_INJECT,
		   NO_FAILS);
	result_set(QEMU, T_HOSTILE, CONFORM_CRASH, CONFORM_EXPECTED_FAIL, NULL, H_BYTES,
		   FAILS(H_BYTES, H_INJECT, H_MARKUP, long_text));
	/* A reason filled to the last byte with no NUL: its array bounds it. */
	memset(results[QEMU][T_HOSTILE].reason, 'r', sizeof(results[QEMU][T_HOSTILE].reason));
}

static void path_in_dir(char *buf, size_t len, const char *name)
{
	assert_true(snprintf(buf, len, "%s/%s", dir, name) < (int)len);
}

static char *file_read(const char *name, size_t *len)
{
	char path[4200], *text = NULL;
	FILE *f;
	long n;

	path_in_dir(path, sizeof(path), name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return text;
}

static void file_write(const char *name, const char *text, size_t len)
{
	char path[4200];
	FILE *f;

	path_in_dir(path, sizeof(path), name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

#define assert_has(text, needle)                                                        \
	do {                                                                            \
		if (!strstr((text), (needle)))                                          \
			fail_msg("%s:%d: not found: \"%s\"", __FILE__, __LINE__, (needle)); \
	} while (0)

static size_t occurrences(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Valid UTF-8 throughout, with no control character but LF (and tab where allowed). */
static void assert_clean(const char *text, size_t len, bool tab_ok)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = utf8_char(text + i, len - i, &cp);

		if (!k)
			fail_msg("byte %zu (0x%02x) is not UTF-8", i, (unsigned char)text[i]);
		if ((cp < 0x20 && cp != '\n' && !(tab_ok && cp == '\t')) || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0))
			fail_msg("control character U+%04x at byte %zu", (unsigned int)cp, i);
		i += k;
	}
}

/* The decoder every format relies on: well-formed UTF-8 only, in its shortest form. */
static void utf8_decoding(void **state)
{
	static const struct {
		const char *s;
		size_t len;	/* 0: not UTF-8 */
		uint32_t cp;
	} cases[] = {
		{ "A", 1, 'A' },
		{ "\xc2\xb5", 2, 0xb5 },
		{ "\xe2\x86\x92", 3, 0x2192 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xf4\x8f\xbf\xbf", 4, 0x10ffff },
		{ "\xef\xbf\xbe", 3, 0xfffe },
		{ "\x80", 0, 0 },		/* a stray continuation byte */
		{ "\xc3", 0, 0 },		/* truncated */
		{ "\xe2\x86", 0, 0 },		/* truncated */
		{ "\xc3(", 0, 0 },		/* not a continuation */
		{ "\xc0\xbc", 0, 0 },		/* an overlong '<' */
		{ "\xe0\x80\xaf", 0, 0 },	/* an overlong '/' */
		{ "\xf0\x80\x80\xaf", 0, 0 },	/* an overlong '/' */
		{ "\xed\xa0\x80", 0, 0 },	/* a surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 },	/* past U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 0, 0 }, /* a five-byte form */
		{ "\xff", 0, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		uint32_t cp = 0;
		size_t len = utf8_char(cases[i].s, strlen(cases[i].s), &cp);

		if (len != cases[i].len || (len && cp != cases[i].cp))
			fail_msg("case %zu: length %zu, U+%04x", i, len, (unsigned int)cp);
	}
	assert_int_equal(utf8_char("", 0, &(uint32_t){ 0 }), 0);
}

/* One variant of the TAP stream: every result, or those that are not unexpected failures. */
static char *tap_make(bool known_only, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);
	size_t n = 0, number = 0;

	assert_non_null(f);
	for (int i = 0; i < NR_TESTS; i++)
		for (int k = 0; k < NR_TARGETS; k++)
			n += !known_only || results[k][i].verdict != CONFORM_UNEXPECTED_FAIL;
	conform_tap_plan(f, n);
	for (int i = 0; i < NR_TESTS; i++)
		for (int k = 0; k < NR_TARGETS; k++)
			if (!known_only || results[k][i].verdict != CONFORM_UNEXPECTED_FAIL)
				conform_tap_result(f, ++number, targets[k].target, sel[i],
						   &results[k][i]);
	assert_int_equal(fclose(f), 0);
	return text;
}

/*
 * Every line is the version, the plan, a test point or a line of a YAML
 * block; a test point's first unescaped '#' starts a SKIP or TODO
 * directive; there are as many test points as planned, and a YAML block
 * after each "not ok" and each TODO that passed.
 */
static void tap_lines_check(const char *text, size_t planned)
{
	size_t points = 0, blocks_wanted = 0;
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		size_t n;

		assert_non_null(end);
		n = (size_t)(end - line);
		if (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) {
			const char *todo = NULL;

			points++;
			for (const char *p = line; p < end; p++) {
				if (*p == '\\') {
					p++;
					continue;
				}
				if (*p == '#') {
					if (strncmp(p, "# SKIP", 6) && strncmp(p, "# TODO", 6))
						fail_msg("'#' not escaped in: %.*s", (int)n, line);
					todo = !strncmp(p, "# TODO", 6) ? p : NULL;
					break;
				}
			}
			blocks_wanted += line[0] == 'n' || todo;
		} else if (strncmp(line, "  ", 2) && strncmp(line, "1..", 3) &&
			   !(n == 14 && !strncmp(line, "TAP version 13", n))) {
			fail_msg("not a TAP line: %.*s", (int)n, line);
		}
		line = end + 1;
	}
	assert_int_equal(points, planned);
	assert_int_equal(occurrences(text, "\n  ---\n"), blocks_wanted);
	assert_int_equal(occurrences(text, "\n  ...\n"), blocks_wanted);
}

static void tap_every_result(void **state)
{
	size_t len;
	char *text = tap_make(false, &len);

	(void)state;
	assert_clean(text, len, false);
	tap_lines_check(text, NR_TESTS * NR_TARGETS);
	assert_int_equal(strncmp(text, "TAP version 13\n1..18\n", 21), 0);
	/* Passes and skips carry no block. */
	assert_has(text, "\nok 1 - refvmm cpuid.pass - CPUID answers\n"
			 "ok 2 - qemu-tcg cpuid.pass - CPUID answers\n"
			 "ok 3 - refvmm ctl.skip - the control device answers # SKIP no control "
			 "device: port 0x5c0 reads 0xffffffff # not refvmm\n"
			 "ok 4 - qemu-tcg ctl.skip - the control device answers # SKIP c0 ? esc ? "
			 "del ? tab ? cr ? nl ? c1 ? bad ? trunc ? overlong ?? nonchar \xef\xbf\xbe "
			 "ok \xc2\xb5s \xe2\x86\x92\n"
			 "not ok 5 - ");
	/* An unexpected failure, its block in full. */
	assert_has(text, "\nnot ok 5 - refvmm apic.fail - the APIC ID matches\n"
			 "  ---\n"
			 "  status: \"FAIL\"\n"
			 "  verdict: \"unexpected-fail\"\n"
			 "  target: \"refvmm\"\n"
			 "  id: \"apic.fail\"\n"
			 "  area: \"apic\"\n"
			 "  spec: \"SDM Vol. 3A, 11.4.6\"\n"
			 "  checks: 3\n"
			 "  seconds: 0.125\n"
			 "  fails:\n"
			 "    - \"expected 0x1, got 0x0\"\n"
			 "    - \"APIC ID\\x3a expected 0, got 1\"\n"
			 "  ...\n"
			 "not ok 6 - qemu-tcg apic.fail - the APIC ID matches # TODO known failure: "
			 "quote \" backslash \\ hash # lt < amp & gt > apos ' colon: end:\n"
			 "  ---\n"
			 "  status: \"FAIL\"\n"
			 "  verdict: \"expected-fail\"\n");
	assert_has(text, "  expected_reason: \"quote \\\" backslash \\\\ hash # lt < amp & gt > "
			 "apos ' colon\\x3a end\\x3a\"\n  ...\nnot ok 7 - refvmm timer.timeout - ");
	assert_has(text, "\n  reason: \"hung after 5 s at hlt (rip=0x10234)\"\n  checks: 2\n"
			 "  seconds: 0.125\n  fails:\n    - \"timer\\x3a 0 interrupts in 100 ms\"\n");
	assert_has(text, "\nnot ok 9 - refvmm exc.crash - \\#UD is delivered\n  ---\n"
			 "  status: \"CRASH\"\n");
	assert_has(text, "  fails: []\n  expected_reason: \"PVM\\x3a #UD is lost\"\n  ...\n"
			 "ok 10 - ");
	assert_has(text, "\nok 10 - qemu-tcg exc.crash - \\#UD is delivered\n");
	assert_has(text, "\nok 12 - qemu-tcg io.error - the test device echoes # SKIP not KVM\n"
			 "not ok 13 - ");
	assert_has(text, "\nnot ok 11 - refvmm io.error - the test device echoes\n  ---\n"
			 "  status: \"ERROR\"\n");
	assert_has(text, "\n  reason: \"no @hvb conform end record\"\n  checks: 1\n"
			 "  seconds: 0.125\n  fails: []\n  ...\n");
	/* A known failure is a TODO that fails; an unexpected pass a TODO that passes. */
	assert_has(text, "\nnot ok 13 - refvmm cpuid.known - XCR0 can be set # TODO known failure: "
			 "PVM: xsetbv emulation fails\n  ---\n");
	assert_has(text, "\nok 15 - refvmm hc.fixed - a hypercall returns # TODO known failure: "
			 "PVM: vmcall hangs the vCPU\n  ---\n  status: \"PASS\"\n"
			 "  verdict: \"unexpected-pass\"\n");
	assert_has(text, "  fails: []\n  expected_reason: \"PVM\\x3a vmcall hangs the vCPU\"\n"
			 "  ...\nok 16 - qemu-tcg hc.fixed - a hypercall returns # TODO known "
			 "failure: x?not ok 99 - injected?  ...?</failure><![CDATA[\n  ---\n");
	/* The hostile test: escaped description, YAML scalars that hold anything. */
	assert_has(text, "\nnot ok 17 - refvmm smp.hostile - a \\\\ backslash, a \\# hash, \\# TODO "
			 "not a directive, and \"quotes\"\n  ---\n");
	assert_has(text, "\n  spec: \"a spec with \\\"quotes\\\" & <brackets>\"\n"
			 "  reason: \"quote \\\" backslash \\\\ hash # lt < amp & gt > apos ' "
			 "colon\\x3a end\\x3a\"\n  checks: 5\n");
	assert_has(text, "\n    - \"quote \\\" backslash \\\\ hash # lt < amp & gt > apos ' "
			 "colon\\x3a end\\x3a\"\n"
			 "    - \"c0 \\x01 esc \\x1b del \\x7f tab \\x09 cr \\x0d nl \\x0a c1 \\x9b bad "
			 "\\xff trunc \\xc3 overlong \\xc0\\xbc nonchar \\ufffe ok \xc2\xb5s "
			 "\xe2\x86\x92\"\n"
			 "    - \"x\\x0anot ok 99 - injected\\x0a  ...\\x0a</failure><![CDATA[\"\n"
			 "    - \"");
	assert_has(text, long_text);
	assert_has(text, "\nnot ok 18 - qemu-tcg smp.hostile - a \\\\ backslash, a \\# hash, \\# "
			 "TODO not a directive, and \"quotes\" # TODO known failure: c0 ? esc ? ");
	free(text);
}

/* Without the unexpected failures every "not ok" is a TODO: a harness passes it. */
static void tap_known_only(void **state)
{
	size_t len;
	char *text = tap_make(true, &len);
	const char *p;

	(void)state;
	assert_clean(text, len, false);
	tap_lines_check(text, 13);
	assert_int_equal(strncmp(text, "TAP version 13\n1..13\n", 21), 0);
	for (p = text; (p = strstr(p, "\nnot ok ")); p++) {
		const char *end = strchr(p + 1, '\n');

		assert_non_null(end);
		if (!memmem(p, (size_t)(end - p), " # TODO known failure", 21))
			fail_msg("not a TODO: %.*s", (int)(end - p - 1), p + 1);
	}
	/* The reason with no NUL is cut at its array's end. */
	assert_has(text, "\n  reason: \"rrrrrrrr");
	p = strstr(text, "\n  reason: \"rrrrrrrr");
	assert_int_equal(strspn(p + 12, "r"), sizeof(results[0][0].reason));
	assert_int_equal(p[12 + sizeof(results[0][0].reason)], '"');
	file_write(outputs[0], text, len);
	free(text);
	text = tap_make(false, &len);
	file_write(outputs[1], text, len);
	free(text);
}

static void junit_check(void **state)
{
	static const char head[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"hvbench conform\" tests=\"18\" failures=\"4\" errors=\"3\" "
		"skipped=\"8\" time=\"12.500\">\n"
		"  <testsuite name=\"refvmm\" tests=\"9\" failures=\"3\" errors=\"3\" "
		"skipped=\"2\" time=\"1.125\">\n"
		"    <properties>\n"
		"      <property name=\"available\" value=\"true\"/>\n"
		"      <property name=\"expectations\" value=\"conform-expect/refvmm.expect\"/>\n"
		"    </properties>\n"
		"    <testcase classname=\"hvbench.conform.refvmm.cpuid\" name=\"cpuid.pass\" "
		"time=\"0.125\"/>\n";
	char path[4200];
	size_t len;
	char *text;

	(void)state;
	assert_int_equal(conform_junit_write("/nonexistent/dir/conform.xml", &report), -1);
	assert_int_equal(errno, ENOENT);
	path_in_dir(path, sizeof(path), outputs[2]);
	assert_int_equal(conform_junit_write(path, &report), 0);
	text = file_read(outputs[2], &len);
	assert_clean(text, len, true);
	assert_int_equal(strncmp(text, head, strlen(head)), 0);
	assert_has(text, "name=\"ctl.skip\" time=\"0.125\">\n      <skipped message=\"no control "
			 "device: port 0x5c0 reads 0xffffffff # not refvmm\"/>\n    </testcase>\n");
	assert_has(text, "name=\"apic.fail\" time=\"0.125\">\n      <failure message=\"expected 0x1, "
			 "got 0x0\" type=\"FAIL\">FAIL\nexpected 0x1, got 0x0\nAPIC ID: expected 0, "
			 "got 1\n</failure>\n    </testcase>\n");
	assert_has(text, "<error message=\"hung after 5 s at hlt (rip=0x10234)\" type=\"TIMEOUT\">"
			 "TIMEOUT: hung after 5 s at hlt (rip=0x10234)\ntimer: 0 interrupts in "
			 "100 ms\n</error>\n");
	assert_has(text, "<error message=\"payload exited with status 3\" type=\"CRASH\">");
	assert_has(text, "<error message=\"no @hvb conform end record\" type=\"ERROR\">");
	assert_has(text, "<testcase classname=\"hvbench.conform.refvmm.cpuid\" name=\"cpuid.known\" "
			 "time=\"0.125\">\n      <skipped message=\"known failure: PVM: xsetbv "
			 "emulation fails\"/>\n      <system-out>FAIL\nXCR0: expected 0x7, got 0x3\n"
			 "</system-out>\n    </testcase>\n");
	assert_has(text, "<failure type=\"UNEXPECTED-PASS\" message=\"passed, but listed as a known "
			 "failure: PVM: vmcall hangs the vCPU\"/>\n");
	/* Hostile text: entities in attributes and text, '?' for what XML cannot hold. */
	assert_has(text, "<testcase classname=\"hvbench.conform.refvmm.smp\" name=\"smp.hostile\" "
			 "time=\"0.125\">\n      <failure message=\"quote &quot; backslash \\ hash # "
			 "lt &lt; amp &amp; gt &gt; apos &apos; colon: end:\" type=\"FAIL\">FAIL: "
			 "quote &quot; backslash \\ hash # lt &lt; amp &amp; gt &gt; apos &apos; "
			 "colon: end:\n");
	assert_has(text, "\nc0 ? esc ? del ? tab \t cr &#13; nl \n c1 ? bad ? trunc ? overlong ?? "
			 "nonchar ? ok \xc2\xb5s \xe2\x86\x92\n"
			 "x\nnot ok 99 - injected\n  ...\n&lt;/failure&gt;&lt;![CDATA[\n");
	assert_has(text, "  <testsuite name=\"qemu-tcg\" tests=\"9\" failures=\"1\" errors=\"0\" "
			 "skipped=\"6\" time=\"1.125\">\n    <properties>\n"
			 "      <property name=\"available\" value=\"true\"/>\n"
			 "      <property name=\"expectations\" value=\"/tmp/?&lt;&amp;&gt;&quot;"
			 ".expect\"/>\n");
	assert_has(text, "<skipped message=\"c0 ? esc ? del ? tab &#9; cr &#13; nl &#10; c1 ? "
			 "bad ? trunc ? overlong ?? nonchar ? ok \xc2\xb5s \xe2\x86\x92\"/>");
	assert_has(text, "<failure type=\"UNEXPECTED-PASS\" message=\"passed, but listed as a known "
			 "failure: x&#10;not ok 99 - injected&#10;  ...&#10;&lt;/failure&gt;&lt;"
			 "![CDATA[\"/>\n");
	assert_has(text, "<skipped message=\"known failure: c0 ? esc ? ");
	assert_has(text, "<system-out>CRASH: rrrrrrrr");
	assert_int_equal(occurrences(text, "<testcase "), NR_TESTS * NR_TARGETS);
	assert_int_equal(occurrences(text, "</testcase>"), 15);
	assert_int_equal(occurrences(text, "<failure "), 4);
	assert_int_equal(occurrences(text, "<error "), 3);
	assert_int_equal(occurrences(text, "<skipped "), 8);
	assert_int_equal(occurrences(text, "<system-out>"), 5);
	assert_null(strstr(text, "<![CDATA[")); /* the smuggled one is text */
	assert_true(text[len - 1] == '\n' && strstr(text, "</testsuites>\n") == text + len - 14);
	free(text);
}

static json_t *path_get(json_t *j, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *tok = strtok_r(buf, ".", &save); tok && j; tok = strtok_r(NULL, ".", &save))
		j = json_is_array(j) ? json_array_get(j, strtoul(tok, NULL, 10)) :
				       json_object_get(j, tok);
	if (!j)
		fail_msg("no %s", path);
	return j;
}

static void assert_json_str(json_t *doc, const char *path, const char *want)
{
	json_t *j = path_get(doc, path);

	if (!json_is_string(j) || strcmp(json_string_value(j), want))
		fail_msg("%s is \"%s\", not \"%s\"", path,
			 json_is_string(j) ? json_string_value(j) : "(not a string)", want);
}

static void assert_json_int(json_t *doc, const char *path, json_int_t want)
{
	json_t *j = path_get(doc, path);

	if (!json_is_integer(j) || json_integer_value(j) != want)
		fail_msg("%s is not %lld", path, (long long)want);
}

/* A timestamp of the document: ISO-8601 UTC, whole seconds. */
static time_t iso_time(const char *s)
{
	struct tm tm = { 0 };
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;

	if (!end || *end)
		fail_msg("\"%s\" is not an ISO-8601 UTC time", s ? s : "(null)");
	return timegm(&tm);
}

/* The document hvbench conform would write. */
static void json_write(const char *path)
{
	json_t *env = json_pack("{s:s}", "hostname", "test");
	json_t *doc = conform_json(&report, "hvbench conform --target refvmm,qemu-tcg", env,
				   json_pack("{s:[ss]}", "targets", "refvmm", "qemu-tcg"), true);

	assert_non_null(doc);
	assert_int_equal(conform_json_write(doc, path), 0);
	json_decref(doc);
	/* Borrowed: the caller's, for the next rewrite. */
	assert_int_equal(env->refcount, 1);
	json_decref(env);
}

/* The H_BYTES the JSON holds: the bytes that are not UTF-8 are '?', the rest kept. */
#define H_BYTES_JSON                                                                       \
	"c0 \x01 esc \x1b del \x7f tab \t cr \r nl \n c1 \xc2\x9b bad ? trunc ? overlong ?? " \
	"nonchar \xef\xbf\xbe ok \xc2\xb5s \xe2\x86\x92"
/* And as results_load returns it: control characters '?' too. */
#define H_BYTES_SHOWN                                                                       \
	"c0 ? esc ? del ? tab ? cr ? nl ? c1 ? bad ? trunc ? overlong ?? nonchar \xef\xbf\xbe " \
	"ok \xc2\xb5s \xe2\x86\x92"

static void json_check(void **state)
{
	static const char *const summary_keys[] = { "pass", "fail", "skip", "timeout", "crash",
						    "error", "expected_fail", "unexpected_fail",
						    "unexpected_pass" };
	static const json_int_t summaries[NR_TARGETS][ARRAY_SIZE(summary_keys)] = {
		[REFVMM] = { 2, 3, 1, 1, 1, 1, 1, 5, 1 },
		[QEMU] = { 3, 2, 2, 1, 1, 0, 4, 0, 1 },
	};
	char path[4200], why[160], key[64];
	time_t before, after, started, updated;
	json_error_t err;
	json_t *doc, *shown;
	char reason[sizeof(results[0][0].reason) + 1];

	(void)state;
	path_in_dir(path, sizeof(path), outputs[3]);
	before = time(NULL);
	json_write(path);
	after = time(NULL);
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		fail_msg("%s: %s", path, err.text);
	/* Made at the end, the document dates the run from its start: conformance.seconds ago. */
	started = iso_time(json_string_value(path_get(doc, "started_at")));
	assert_true(started >= before - 13 && started <= after - 12);
	updated = iso_time(json_string_value(path_get(doc, "updated_at")));
	assert_true(updated >= before && updated <= after);
	assert_json_str(doc, "schema", "hvbench-results");
	assert_json_str(doc, "kind", "conform");
	assert_true(json_is_true(path_get(doc, "complete")));
	assert_int_equal(json_array_size(path_get(doc, "results")), 0);
	assert_true(json_number_value(path_get(doc, "conformance.seconds")) == 12.5);

	assert_json_str(doc, "conformance.targets.0.name", "refvmm");
	assert_true(json_is_true(path_get(doc, "conformance.targets.0.available")));
	assert_true(json_is_null(path_get(doc, "conformance.targets.0.unavailable_why")));
	assert_json_str(doc, "conformance.targets.0.expectations", "conform-expect/refvmm.expect");
	assert_json_str(doc, "conformance.targets.1.expectations", "/tmp/?<&>\".expect");
	for (int k = 0; k < NR_TARGETS; k++)
		for (size_t i = 0; i < ARRAY_SIZE(summary_keys); i++) {
			snprintf(key, sizeof(key), "conformance.targets.%d.summary.%s", k,
				 summary_keys[i]);
			assert_json_int(doc, key, summaries[k][i]);
		}
	assert_int_equal(json_object_size(path_get(doc, "conformance.targets.0.summary")),
			 ARRAY_SIZE(summary_keys));

	assert_int_equal(json_array_size(path_get(doc, "conformance.tests")), NR_TESTS);
	assert_json_str(doc, "conformance.tests.0.id", "cpuid.pass");
	assert_json_str(doc, "conformance.tests.0.area", "cpuid");
	assert_json_str(doc, "conformance.tests.0.spec", "SDM Vol. 2A, CPUID");
	assert_json_str(doc, "conformance.tests.0.description", "CPUID answers");
	assert_json_int(doc, "conformance.tests.0.vcpus", 1);
	assert_json_str(doc, "conformance.tests.0.results.0.target", "refvmm");
	assert_json_str(doc, "conformance.tests.0.results.0.status", "PASS");
	assert_json_str(doc, "conformance.tests.0.results.0.verdict", "ok");
	assert_true(json_is_null(path_get(doc, "conformance.tests.0.results.0.reason")));
	assert_true(json_is_null(path_get(doc, "conformance.tests.0.results.0.expected_reason")));
	assert_int_equal(json_array_size(path_get(doc, "conformance.tests.0.results.0.fails")), 0);
	assert_json_int(doc, "conformance.tests.0.results.0.checks", 1);
	assert_true(json_number_value(path_get(doc, "conformance.tests.0.results.0.seconds")) ==
		    0.125);
	assert_json_str(doc, "conformance.tests.0.results.1.target", "qemu-tcg");
	assert_json_str(doc, "conformance.tests.3.results.0.status", "TIMEOUT");
	assert_json_str(doc, "conformance.tests.3.results.0.verdict", "unexpected-fail");
	assert_json_str(doc, "conformance.tests.3.results.1.verdict", "expected-fail");
	assert_json_str(doc, "conformance.tests.3.results.1.expected_reason", "TCG: too slow");
	assert_json_str(doc, "conformance.tests.4.results.0.verdict", "unexpected-fail");
	assert_json_str(doc, "conformance.tests.4.results.0.expected_reason", "PVM: #UD is lost");
	assert_json_str(doc, "conformance.tests.5.results.1.verdict", "ok");
	assert_json_str(doc, "conformance.tests.5.results.1.expected_reason", "TCG: no testdev");
	assert_json_str(doc, "conformance.tests.7.results.0.verdict", "unexpected-pass");
	assert_json_str(doc, "conformance.tests.8.spec", "a spec with \"quotes\" & <brackets>");
	assert_json_int(doc, "conformance.tests.8.vcpus", 2);
	assert_json_str(doc, "conformance.tests.8.results.0.reason", H_MARKUP);
	assert_json_str(doc, "conformance.tests.8.results.0.fails.0", H_MARKUP);
	assert_json_str(doc, "conformance.tests.8.results.0.fails.1", H_BYTES_JSON);
	assert_json_str(doc, "conformance.tests.8.results.0.fails.2", H_INJECT);
	assert_json_str(doc, "conformance.tests.8.results.0.fails.3", long_text);
	assert_json_str(doc, "conformance.tests.8.results.1.expected_reason", H_BYTES_JSON);
	memset(reason, 'r', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	assert_json_str(doc, "conformance.tests.8.results.1.reason", reason);
	json_decref(doc);

	/* hvbench show's reader takes it, and defangs what it would print. */
	shown = results_load(path, why, sizeof(why));
	if (!shown)
		fail_msg("results_load refused it: %s", why);
	assert_string_equal(why, "");
	assert_json_str(shown, "conformance.tests.8.results.0.fails.1", H_BYTES_SHOWN);
	assert_json_str(shown, "conformance.tests.8.results.1.expected_reason", H_BYTES_SHOWN);
	assert_json_str(shown, "conformance.tests.8.results.0.fails.0", H_MARKUP);
	json_decref(shown);

	doc = json_object();
	assert_int_equal(conform_json_write(doc, "/nonexistent/dir/c.json"), -1);
	assert_int_equal(errno, ENOENT);
	json_decref(doc);
}

/* A result not done yet (a rewrite in the middle of a run) is left out, and not counted. */
static void json_not_done(void **state)
{
	json_t *doc;

	(void)state;
	results[QEMU][T_PASS].done = false;
	doc = conform_json(&report, "hvbench conform", NULL, NULL, false);
	results[QEMU][T_PASS].done = true;
	assert_non_null(doc);
	assert_true(json_is_false(path_get(doc, "complete")));
	assert_true(json_is_null(path_get(doc, "environment")));
	assert_int_equal(json_array_size(path_get(doc, "conformance.tests.0.results")), 1);
	assert_json_str(doc, "conformance.tests.0.results.0.target", "refvmm");
	assert_int_equal(json_array_size(path_get(doc, "conformance.tests.1.results")), 2);
	assert_json_int(doc, "conformance.targets.0.summary.pass", 2);
	assert_json_int(doc, "conformance.targets.1.summary.pass", 2);
	json_decref(doc);
}

/* A target that cannot run here: why, in the JSON and as a JUnit property. */
static void unavailable_target(void **state)
{
	struct conform_result r[1];
	const struct conform_test *one[1] = { &tests[T_PASS] };
	struct conform_target_run t = {
		.target = "qemu-kvm", .available = false, .results = r,
		.unavailable_why = "no /dev/kvm <here> & \"there\"",
	};
	const struct conform_report rep = { .sel = one, .nr_sel = 1, .targets = &t,
					    .nr_targets = 1, .seconds = 0 };
	char path[4200];
	json_t *j = NULL;
	size_t len;
	char *text;

	(void)state;
	memset(r, 0, sizeof(r));
	r[0].status = CONFORM_SKIP;
	snprintf(r[0].reason, sizeof(r[0].reason), "%s", t.unavailable_why);
	r[0].done = true;
	j = conform_json(&rep, "hvbench conform", NULL, NULL, true);
	assert_non_null(j);
	assert_true(json_is_false(path_get(j, "conformance.targets.0.available")));
	assert_json_str(j, "conformance.targets.0.unavailable_why", t.unavailable_why);
	assert_true(json_is_null(path_get(j, "conformance.targets.0.expectations")));
	assert_json_int(j, "conformance.targets.0.summary.skip", 1);
	assert_json_str(j, "conformance.tests.0.results.0.reason", t.unavailable_why);
	json_decref(j);

	path_in_dir(path, sizeof(path), "unavailable.xml");
	assert_int_equal(conform_junit_write(path, &rep), 0);
	text = file_read("unavailable.xml", &len);
	assert_has(text, "  <testsuite name=\"qemu-kvm\" tests=\"1\" failures=\"0\" errors=\"0\" "
			 "skipped=\"1\" time=\"0.000\">\n    <properties>\n"
			 "      <property name=\"available\" value=\"false\"/>\n"
			 "      <property name=\"unavailable_why\" value=\"no /dev/kvm &lt;here&gt; "
			 "&amp; &quot;there&quot;\"/>\n    </properties>\n");
	free(text);
	assert_int_equal(unlink(path), 0);
}

/* The document written by json_check, with one change made by edit, is refused saying why. */
static void refused_after(void (*edit)(json_t *c), const char *why_wanted)
{
	char path[4200], why[160], *text;
	json_t *doc, *back;

	path_in_dir(path, sizeof(path), outputs[3]);
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	edit(json_object_get(doc, "conformance"));
	text = json_dumps(doc, 0);
	assert_non_null(text);
	back = results_parse(text, strlen(text), why, sizeof(why));
	if (why_wanted) {
		if (back)
			fail_msg("accepted, wanted refused: %s", why_wanted);
		assert_string_equal(why, why_wanted);
	} else if (!back) {
		fail_msg("refused: %s", why);
	}
	json_decref(back);
	json_decref(doc);
	free(text);
}

static void no_conformance(json_t *c)
{
	json_object_clear(c);
}

static void fails_not_strings(json_t *c)
{
	assert_int_equal(json_array_set_new(path_get(c, "tests.2.results.1.fails"), 0,
					    json_integer(5)), 0);
}

static void fail_not_string(json_t *c)
{
	json_array_append_new(path_get(c, "tests.2.results.0.fails"), json_integer(5));
}

static void status_empty(json_t *c)
{
	json_object_set_new(path_get(c, "tests.0.results.1"), "status", json_string(""));
}

static void summary_short(json_t *c)
{
	json_object_del(path_get(c, "targets.1.summary"), "unexpected_pass");
}

static void reason_number(json_t *c)
{
	json_object_set_new(path_get(c, "tests.4.results.0"), "reason", json_integer(3));
}

static void test_not_object(json_t *c)
{
	json_array_set_new(path_get(c, "tests"), 1, json_string("cpuid.pass"));
}

static void name_too_long(json_t *c)
{
	json_object_set_new(path_get(c, "targets.0"), "name", json_string(long_text));
}

static void why_bool(json_t *c)
{
	json_object_set_new(path_get(c, "targets.0"), "unavailable_why", json_true());
}

static void conformance_array(json_t *c)
{
	json_object_clear(c);
	json_object_set_new(c, "targets", json_array());
	json_object_set_new(c, "tests", json_object());
	json_object_set_new(c, "seconds", json_real(1));
}

static void json_refused(void **state)
{
	(void)state;
	refused_after(no_conformance, "conformance.targets is missing");
	refused_after(fails_not_strings,
		      "conformance.tests[2].results[1].fails[0] is an integer, not a string");
	refused_after(fail_not_string,
		      "conformance.tests[2].results[0].fails[2] is an integer, not a string");
	refused_after(status_empty, "conformance.tests[0].results[1].status is empty");
	refused_after(summary_short, "conformance.targets[1].summary.unexpected_pass is missing");
	refused_after(reason_number,
		      "conformance.tests[4].results[0].reason is an integer, not a string or null");
	refused_after(test_not_object, "conformance.tests[1] is a string, not an object");
	refused_after(name_too_long, "conformance.targets[0].name is longer than 128 bytes");
	refused_after(why_bool,
		      "conformance.targets[0].unavailable_why is a boolean, not a string or null");
	refused_after(conformance_array, "conformance.tests is an object, not an array");
}

/* The conformance member is required, and checked, in a document of kind "conform" only. */
static void json_kind_scoped(void **state)
{
	char path[4200], why[160], *text;
	json_t *doc, *back;

	(void)state;
	path_in_dir(path, sizeof(path), outputs[3]);
	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	json_object_del(doc, "conformance");
	text = json_dumps(doc, 0);
	back = results_parse(text, strlen(text), why, sizeof(why));
	assert_null(back);
	assert_string_equal(why, "kind is \"conform\" but conformance is missing");
	free(text);
	json_object_set_new(doc, "kind", json_string("run"));
	json_object_set_new(doc, "conformance", json_string("not checked"));
	text = json_dumps(doc, 0);
	back = results_parse(text, strlen(text), why, sizeof(why));
	if (!back)
		fail_msg("a run document without conformance refused: %s", why);
	json_decref(back);
	free(text);
	json_decref(doc);
}

static int dir_setup(void **state)
{
	const char *out = getenv("CONFORM_OUTPUT_DIR");

	(void)state;
	report_make();
	if (out && *out) {
		keep = true;
		if (mkdir(out, 0755) && errno != EEXIST)
			return -1;
		snprintf(dir, sizeof(dir), "%s", out);
		return 0;
	}
	snprintf(dir, sizeof(dir), "/tmp/test_conform_output.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int dir_teardown(void **state)
{
	char path[4200];

	(void)state;
	if (keep)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(outputs); i++) {
		path_in_dir(path, sizeof(path), outputs[i]);
		unlink(path);
	}
	return rmdir(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest cases[] = {
		cmocka_unit_test(utf8_decoding),
		cmocka_unit_test(tap_every_result),
		cmocka_unit_test(tap_known_only),
		cmocka_unit_test(junit_check),
		cmocka_unit_test(json_check),
		cmocka_unit_test(json_refused),
		cmocka_unit_test(json_kind_scoped),
		cmocka_unit_test(json_not_done),
		cmocka_unit_test(unavailable_target),
	};

	if (argc > 2) {
		fprintf(stderr, "usage: %s [DIR]: DIR keeps the reports (or CONFORM_OUTPUT_DIR)\n",
			argv[0]);
		return 64;
	}
	if (argc == 2 && setenv("CONFORM_OUTPUT_DIR", argv[1], 1))
		return 1;
	return cmocka_run_group_tests(cases, dir_setup, dir_teardown);
}
