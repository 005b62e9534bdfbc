/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "conform_tap.h"
#include "conform_text.h"
#include "utf8.h"

void conform_tap_plan(FILE *f, size_t n)
{
	fprintf(f, "TAP version 13\n1..%zu\n", n);
	fflush(f);
}

/*
 * Text on a test point's line, kept to that line: control characters (C0,
 * DEL, C1) and bytes that are not UTF-8 become '?'.  In the description
 * '#' would start a directive and '\' escapes the character after it
 * (TAP 13), so both are escaped; a directive's explanation runs to the
 * end of the line and takes them as they are.
 */
static void tap_text(FILE *f, const char *s, size_t n, bool desc)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_char(s + i, n - i, &cp);

		if (!k || cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			fputc('?', f);
			i += k ? k : 1;
			continue;
		}
		if (desc && (cp == '#' || cp == '\\'))
			fputc('\\', f);
		fwrite(s + i, 1, k, f);
		i += k;
	}
}

/*
 * A YAML double-quoted scalar holding any bytes.  Escaped: '"' and '\';
 * the C0 controls, DEL, the C1 controls and bytes that are not UTF-8, as
 * \xNN (a stray byte reads back as the Latin-1 character of its value);
 * the characters YAML 1.1 takes for line breaks, and the BOM and
 * non-characters YAML does not allow, as \uNNNN; and a ':' before a space
 * or at the end: in a list item ("- \"APIC ID: 1\"") TAP::Parser's YAMLish
 * reader takes it for a mapping key and fails the whole stream.
 */
static void yaml_str(FILE *f, const char *s, size_t n)
{
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_char(s + i, n - i, &cp);

		if (!k)
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
		else if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
			 (cp == ':' && (i + 1 == n || s[i + 1] == ' ')))
			fprintf(f, "\\x%02x", (unsigned int)cp);
		else if (cp == 0x2028 || cp == 0x2029 || cp == 0xfeff || cp == 0xfffe || cp == 0xffff)
			fprintf(f, "\\u%04x", (unsigned int)cp);
		else
			fwrite(s + i, 1, k, f);
		i += k ? k : 1;
	}
	fputc('"', f);
}

static void yaml_field(FILE *f, const char *key, const char *s, size_t n)
{
	fprintf(f, "  %s: ", key);
	yaml_str(f, s, n);
	fputc('\n', f);
}

static void yaml_block(FILE *f, const char *target, const struct conform_test *t,
		       const struct conform_result *r)
{
	const char *status = conform_status_name(r->status);
	const char *verdict = conform_verdict_name(r->verdict);
	unsigned int nr_fails = r->nr_fails < CONFORM_FAILS_MAX ? r->nr_fails : CONFORM_FAILS_MAX;

	fputs("  ---\n", f);
	yaml_field(f, "status", status, strlen(status));
	yaml_field(f, "verdict", verdict, strlen(verdict));
	yaml_field(f, "target", target, strlen(target));
	yaml_field(f, "id", t->id, strlen(t->id));
	yaml_field(f, "area", t->area, strlen(t->area));
	yaml_field(f, "spec", t->spec, strlen(t->spec));
	if (r->reason[0])
		yaml_field(f, "reason", r->reason, CONFORM_TEXT_LEN(r->reason));
	fprintf(f, "  checks: %u\n  seconds: %.3f\n  fails:%s\n", r->checks, conform_seconds(r->seconds),
		nr_fails ? "" : " []");
	for (unsigned int i = 0; i < nr_fails; i++) {
		fputs("    - ", f);
		yaml_str(f, r->fails[i], CONFORM_TEXT_LEN(r->fails[i]));
		fputc('\n', f);
	}
	if (r->expect_reason[0])
		yaml_field(f, "expected_reason", r->expect_reason,
			   CONFORM_TEXT_LEN(r->expect_reason));
	fputs("  ...\n", f);
}

void conform_tap_result(FILE *f, size_t number, const char *target, const struct conform_test *t,
			const struct conform_result *r)
{
	bool todo = r->verdict == CONFORM_EXPECTED_FAIL || r->verdict == CONFORM_UNEXPECTED_PASS;
	bool ok;

	/*
	 * A known failure and an unexpected pass are TODO test points: a
	 * harness passes the run either way, and reports a TODO that passed.
	 */
	if (todo)
		ok = r->verdict == CONFORM_UNEXPECTED_PASS;
	else
		ok = r->status == CONFORM_PASS || r->status == CONFORM_SKIP;
	fprintf(f, "%sok %zu - ", ok ? "" : "not ", number);
	tap_text(f, target, strlen(target), true);
	fputc(' ', f);
	tap_text(f, t->id, strlen(t->id), true);
	fputs(" - ", f);
	tap_text(f, t->desc, strlen(t->desc), true);
	if (todo) {
		fputs(" # TODO known failure", f);
		if (r->expect_reason[0]) {
			fputs(": ", f);
			tap_text(f, r->expect_reason, CONFORM_TEXT_LEN(r->expect_reason), false);
		}
	} else if (ok && r->status == CONFORM_SKIP) {
		fputs(" # SKIP", f);
		if (r->reason[0]) {
			fputc(' ', f);
			tap_text(f, r->reason, CONFORM_TEXT_LEN(r->reason), false);
		}
	}
	fputc('\n', f);
	if (!ok || todo)
		yaml_block(f, target, t, r);
	fflush(f);
}
