/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for hvbench gate's thresholds file
 * (runner/compare/gate_thresholds.c, built by scripts/fuzz gate-thresholds).
 *
 * The input is a thresholds file's text, handed to gate_thresholds_parse in
 * libFuzzer's exact-size buffer (no NUL after it, so ASan sees any read
 * past its end); the reason goes to a heap buffer of exactly WHY_LEN bytes.
 * Beyond "no crash, no sanitizer report, no leak" it checks what
 * gate_thresholds.h promises, and abort()s on any violation:
 *  - default_pct is left as set, and n is within cap and GATE_MAX_RULES;
 *  - a parse that succeeds has one rule per line with something before its
 *    '#', in order, each naming its line; the rule's 1 to 4 parts are
 *    non-empty, without '/', and joined by '/' they are the line's first
 *    word; its pct is NaN for "ignore", else the line's second word (less
 *    one trailing '%') as a number, in [0, 1000];
 *  - a parse that fails gives a non-empty one-line printable error,
 *    "LINE: ..." naming a line of the input, and the rules it leaves (for
 *    gate_thresholds_free) are well-formed ones from the lines before;
 *  - gate_threshold_of, for fixed cells and cells named after the rules'
 *    own literal parts, gives the pct of the last rule matching the cell,
 *    else default_pct, as a plain walk over the rules finds it.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_thresholds.h"
#include "fuzz_check.h"

#define WHY_LEN 256
#define DEFAULT_PCT 7.25
#define NAMED_RULES 3		/* rules at each end whose parts name cells */

/* One line of the input, as the parser splits them: on '\n' only. */
struct line {
	const char *start;
	size_t len;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The input's lines; the count is at most size, plus one for an empty input. */
static size_t split_lines(const char *text, size_t size, struct line *lines)
{
	const char *s = text, *end = text + size;
	size_t nr = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;

		lines[nr].start = s;
		lines[nr++].len = (size_t)(le - s);
		s = nl ? nl + 1 : end;
	}
	return nr;
}

/* The n-th blank-separated word of a line before its '#', or false. */
static bool line_word(const struct line *l, int n, const char **word, size_t *len)
{
	const char *hash = memchr(l->start, '#', l->len);
	const char *p = l->start, *end = hash ? hash : l->start + l->len;

	for (int i = 0;; i++) {
		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			return false;
		*word = p;
		while (p < end && !is_blank(*p))
			p++;
		*len = (size_t)(p - *word);
		if (i == n)
			return true;
	}
}

/* What a threshold word means: NaN for ignore, else the number before an optional '%'. */
static double word_pct(const char *word, size_t len)
{
	char buf[64];
	char *end;
	double x;

	if (len == 6 && !memcmp(word, "ignore", 6))
		return NAN;
	if (len && word[len - 1] == '%')
		len--;
	check(len && len < sizeof(buf), "accepted threshold \"%.*s\"", (int)len, word);
	memcpy(buf, word, len);
	buf[len] = '\0';
	x = strtod(buf, &end);
	check(end == buf + len, "accepted threshold \"%s\", not a number", buf);
	return x;
}

/* Rule i is well-formed; part[k] of it is a string from a '/'-split word. */
static void check_rule(const struct gate_rule *r, size_t i)
{
	int k = 0;

	while (k < GATE_RULE_PARTS && r->part[k]) {
		check(r->part[k][0], "rule %zu: part %d empty", i, k);
		check(!strchr(r->part[k], '/'), "rule %zu: part %d \"%s\" holds a '/'", i, k,
		      r->part[k]);
		k++;
	}
	check(k >= 1, "rule %zu: no parts", i);
	for (int j = k; j < GATE_RULE_PARTS; j++)
		check(!r->part[j], "rule %zu: part %d after a missing part %d", i, j, k);
	check(isnan(r->pct) || (r->pct >= 0 && r->pct <= 1000), "rule %zu: pct %g", i, r->pct);
}

/* Rule r's parts joined by '/' are word. */
static bool pattern_is(const struct gate_rule *r, const char *word, size_t len)
{
	size_t at = 0;

	for (int k = 0; k < GATE_RULE_PARTS && r->part[k]; k++) {
		size_t pl = strlen(r->part[k]);

		if (k && (at == len || word[at++] != '/'))
			return false;
		if (pl > len - at || memcmp(word + at, r->part[k], pl))
			return false;
		at += pl;
	}
	return at == len;
}

static void check_rules(const struct gate_thresholds *t, const struct line *lines,
			size_t nr_lines)
{
	size_t i = 0;

	check(t->n <= t->cap && t->n <= GATE_MAX_RULES, "%zu rules, cap %zu", t->n, t->cap);
	check(!t->n || t->rules, "%zu rules and no array", t->n);
	for (size_t ln = 0; ln < nr_lines; ln++) {
		const struct gate_rule *r;
		const char *word;
		size_t len;
		double pct;

		if (!line_word(&lines[ln], 0, &word, &len))
			continue;
		check(i < t->n, "line %zu has a rule, but only %zu rules", ln + 1, t->n);
		r = &t->rules[i];
		check_rule(r, i);
		check(r->line == ln + 1, "rule %zu says line %u, is on line %zu", i, r->line, ln + 1);
		check(pattern_is(r, word, len), "rule %zu: pattern is not \"%.*s\"", i, (int)len,
		      word);
		check(line_word(&lines[ln], 1, &word, &len), "rule %zu: no threshold word", i);
		pct = word_pct(word, len);
		check(isnan(pct) ? isnan(r->pct) : pct == r->pct, "rule %zu: pct %g, not %g", i,
		      r->pct, pct);
		i++;
	}
	check(i == t->n, "%zu rules from %zu lines holding one", t->n, i);
}

/* The rules a failed parse leaves: well-formed, from lines before the one refused. */
static void check_error(const struct gate_thresholds *t, const char *why, size_t nr_lines)
{
	size_t len = strnlen(why, WHY_LEN);
	unsigned long line;
	char *end;

	check(len < WHY_LEN, "error not terminated");
	for (size_t i = 0; i < len; i++)
		check(why[i] >= 0x20 && why[i] < 0x7f, "error byte %zu is 0x%02x: %s", i,
		      (unsigned char)why[i], why);
	check(why[0] >= '1' && why[0] <= '9', "error \"%s\" does not start with a line", why);
	line = strtoul(why, &end, 10);
	check(!strncmp(end, ": ", 2) && end[2], "error \"%s\" is not \"LINE: what\"", why);
	check(line >= 1 && line <= nr_lines, "error \"%s\" names a line past the %zu of the input",
	      why, nr_lines);
	check(t->n <= t->cap && t->n <= GATE_MAX_RULES, "%zu rules left, cap %zu", t->n,
	      t->cap);
	for (size_t i = 0; i < t->n; i++) {
		check_rule(&t->rules[i], i);
		check(t->rules[i].line < line && (!i || t->rules[i - 1].line < t->rules[i].line),
		      "rule %zu left from line %u, refused line %lu", i, t->rules[i].line, line);
	}
}

/* What gate_threshold_of must give: the last rule matching all of a cell's fields. */
static double reference_of(const struct gate_thresholds *t, const char *const field[])
{
	double pct = t->default_pct;

	for (size_t i = 0; i < t->n; i++) {
		bool all = true;

		for (int k = 0; k < GATE_RULE_PARTS; k++)
			if (t->rules[i].part[k] && fnmatch(t->rules[i].part[k], field[k], 0))
				all = false;
		if (all)
			pct = t->rules[i].pct;
	}
	return pct;
}

static void judge(const struct gate_thresholds *t, const char *workload, const char *mode,
		  const char *target, int cpl)
{
	struct results_cell c = { .workload = workload, .mode = mode, .target = target,
				  .cpl = cpl };
	char cpl_text[16];
	const char *field[GATE_RULE_PARTS] = { workload, mode, target, cpl_text };
	double got, want;

	/* The probes_off twin's target, as the file names it. */
	if (!strcmp(target, "refvmm-np")) {
		c.target = "refvmm";
		c.probes_off = true;
	}
	if (cpl < 0)
		strcpy(cpl_text, "-");
	else
		snprintf(cpl_text, sizeof(cpl_text), "%d", cpl);
	got = gate_threshold_of(&c, (void *)t);
	want = reference_of(t, field);
	check(isnan(want) ? isnan(got) : got == want, "%s/%s/%s/%s: threshold %g, expected %g",
	      workload, mode, target, cpl_text, got, want);
}

/* A rule's part as a cell's name, if it is one (no glob characters). */
static const char *literal(const char *part, const char *otherwise)
{
	return part && !strpbrk(part, "*?[\\") ? part : otherwise;
}

/* The cell a rule's literal parts name, the other fields made up. */
static void judge_named(const struct gate_thresholds *t, const struct gate_rule *r)
{
	const char *cpl = literal(r->part[3], "0");
	char *end;
	long n = strtol(cpl, &end, 10);
	int cpl_of = !strcmp(cpl, "-") ? -1 : *end || n < 0 || n > 99 ? 0 : (int)n;

	judge(t, literal(r->part[0], "cpuid"), literal(r->part[1], "hvm"),
	      literal(r->part[2], "refvmm"), cpl_of);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gate_thresholds t = { .default_pct = DEFAULT_PCT };
	struct line *lines = malloc((size + 1) * sizeof(*lines));
	char *why = malloc(WHY_LEN);
	size_t nr_lines;
	int rc;

	check(lines && why, "out of memory");
	nr_lines = split_lines((const char *)data, size, lines);
	memset(why, 'x', WHY_LEN);
	rc = gate_thresholds_parse(&t, (const char *)data, size, why, WHY_LEN);
	check(rc == 0 || rc == -1, "gate_thresholds_parse returned %d", rc);
	check(t.default_pct == DEFAULT_PCT, "default_pct changed to %g", t.default_pct);
	if (rc)
		check_error(&t, why, nr_lines);
	else
		check_rules(&t, lines, nr_lines);

	judge(&t, "cpuid", "hvm", "refvmm", 0);
	judge(&t, "cpuid", "hvm", "refvmm", 3);
	judge(&t, "cpuid", "native", "native", -1);
	judge(&t, "io-lat-64", "offload-poll", "refvmm-np", 3);
	judge(&t, "pio-user", "hvm", "qemu", 0);
	for (size_t i = 0; i < t.n; i++)
		if (i < NAMED_RULES || i >= t.n - NAMED_RULES)
			judge_named(&t, &t.rules[i]);

	gate_thresholds_free(&t);
	check(!t.rules && !t.n && !t.cap, "rules left after gate_thresholds_free");
	free(why);
	free(lines);
	return 0;
}
