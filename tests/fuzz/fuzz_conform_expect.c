/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the expectations parser and judge
 * (runner/conform/conform_expect.c, built by scripts/fuzz conform-expect).
 *
 * The input is an expectations file's text, handed to conform_expect_parse
 * in libFuzzer's exact-size buffer (no NUL after it, so ASan sees any read
 * past its end).  Beyond "no crash, no sanitizer report" it checks what
 * conform_expect.h promises, and abort()s on any violation:
 *  - a parse that succeeds has one entry per line with something before
 *    its '#', in order, each naming its line; a non-empty pattern without
 *    blanks, from that line, NUL-terminated; only failing statuses, at
 *    least one; a non-empty reason, NUL-terminated, printable ASCII, not
 *    starting or ending with a blank;
 *  - a parse that fails leaves no entries and gives a non-empty one-line
 *    error, printable ASCII, "FILE:LINE: ..." naming one of those lines;
 *  - judging ids (from the catalog, and the input's own patterns) for every
 *    status gives the verdict the first matching entry calls for, with its
 *    reason; with no expectations at all only failures are unexpected.
 */
#include <fnmatch.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conform_expect.h"
#include "fuzz_check.h"

#define PATH "fuzz.expect"
#define JUDGED_GLOBS 4		/* entries whose patterns are judged as ids too */
#define FAILING ((1u << CONFORM_FAIL) | (1u << CONFORM_TIMEOUT) | (1u << CONFORM_CRASH) | \
		 (1u << CONFORM_ERROR))

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

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The lines that hold an entry: something other than blanks and '\r'
 * before the line's '#'.  Their numbers go to lines[], where each starts
 * to starts[] and its length to lens[] (at most one per input byte).
 */
static size_t entry_lines(const char *text, size_t size, unsigned int *lines,
			  const char **starts, size_t *lens)
{
	const char *s = text, *end = text + size;
	unsigned int line = 0;
	size_t nr = 0;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;

		line++;
		for (const char *p = s; p < le && *p != '#'; p++) {
			if (!blank(*p) && *p != '\r') {
				lines[nr] = line;
				starts[nr] = s;
				lens[nr++] = (size_t)(le - s);
				break;
			}
		}
		s = nl ? nl + 1 : end;
	}
	return nr;
}

static void check_entries(const struct conform_expect *x, const char *const *starts,
			  const size_t *lens, const unsigned int *lines, size_t nr_lines)
{
	check(x->nr == nr_lines, "%zu entries from %zu lines", x->nr, nr_lines);
	check(!x->nr || x->entries, "%zu entries and no array", x->nr);
	for (size_t i = 0; i < x->nr; i++) {
		const struct conform_expect_entry *e = &x->entries[i];
		size_t gl = strnlen(e->glob, sizeof(e->glob)), rl;

		check(e->line == lines[i], "entry %zu says line %u, is on line %u", i, e->line,
		      lines[i]);
		check(gl && gl < sizeof(e->glob), "entry %zu: pattern empty or not terminated", i);
		check(!memchr(e->glob, ' ', gl) && !memchr(e->glob, '\t', gl) &&
			      memmem(starts[i], lens[i], e->glob, gl),
		      "entry %zu: pattern \"%s\" not a word of its line", i, e->glob);
		check(e->statuses && !(e->statuses & ~FAILING), "entry %zu: statuses 0x%x", i,
		      e->statuses);
		check(text_ok(e->reason, sizeof(e->reason)) && e->reason[0],
		      "entry %zu: reason empty, not terminated or not printable", i);
		rl = strlen(e->reason);
		/* Trimmed, unless cut short at its array's size. */
		check(!blank(e->reason[0]) &&
			      (!blank(e->reason[rl - 1]) || rl == sizeof(e->reason) - 1),
		      "entry %zu: reason \"%s\" not trimmed", i, e->reason);
	}
}

static void check_error(const struct conform_expect *x, const char *err, size_t errlen,
			const unsigned int *lines, size_t nr_lines)
{
	static const char prefix[] = PATH ":";
	unsigned long line;
	char *end;
	bool known = false;

	check(!x->entries && !x->nr, "a failed parse left %zu entries", x->nr);
	check(text_ok(err, errlen) && err[0], "error empty, not terminated or not one printable "
	      "line");
	check(!strncmp(err, prefix, sizeof(prefix) - 1), "error \"%s\" does not name the file", err);
	line = strtoul(err + sizeof(prefix) - 1, &end, 10);
	if (*end != ':')
		return;	/* not about one line (out of memory) */
	for (size_t i = 0; i < nr_lines; i++)
		known |= lines[i] == line;
	check(known, "error \"%s\" names no line holding an entry", err);
}

/* What conform_expect_judge must find for id: the first entry matching it. */
static const struct conform_expect_entry *first_match(const struct conform_expect *x,
						      const char *id)
{
	for (size_t i = 0; x && i < x->nr; i++)
		if (!fnmatch(x->entries[i].glob, id, 0))
			return &x->entries[i];
	return NULL;
}

static void judge(const struct conform_expect *x, const char *id)
{
	const struct conform_expect_entry *e = first_match(x, id);

	for (int st = CONFORM_PASS; st <= CONFORM_ERROR; st++) {
		struct conform_result r = { .status = st, .verdict = -1 };
		enum conform_verdict want;

		memset(r.expect_reason, 'x', sizeof(r.expect_reason));
		conform_expect_judge(x, id, &r);
		if (st == CONFORM_PASS)
			want = e ? CONFORM_UNEXPECTED_PASS : CONFORM_OK;
		else if (st == CONFORM_SKIP)
			want = CONFORM_OK;
		else
			want = e && (e->statuses & (1u << st)) ? CONFORM_EXPECTED_FAIL :
			       CONFORM_UNEXPECTED_FAIL;
		check(r.status == (enum conform_status)st, "judging changed the status");
		check(r.verdict == want, "\"%s\" %s: verdict %d, expected %d (entry on line %u)",
		      id, conform_status_name(st), r.verdict, want, e ? e->line : 0);
		check(!strcmp(r.expect_reason, e ? e->reason : ""),
		      "\"%.40s\" %s: reason \"%.40s\" (entry on line %u)", id,
		      conform_status_name(st), r.expect_reason, e ? e->line : 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conform_expect x = { .path = PATH };
	const char *text = (const char *)data;
	unsigned int *lines = malloc((size + 1) * sizeof(*lines));
	const char **starts = malloc((size + 1) * sizeof(*starts));
	size_t *lens = malloc((size + 1) * sizeof(*lens)), nr_lines;
	char err[256];
	int rc;

	check(lines && starts && lens, "out of memory");
	nr_lines = entry_lines(text, size, lines, starts, lens);
	memset(err, 'x', sizeof(err));
	rc = conform_expect_parse(&x, text, size, err, sizeof(err));
	check(rc == 0 || rc == -1, "conform_expect_parse returned %d", rc);
	if (rc)
		check_error(&x, err, sizeof(err), lines, nr_lines);
	else
		check_entries(&x, starts, lens, lines, nr_lines);

	/* A few catalog ids (the first byte picks one more), then the input's patterns. */
	judge(&x, conform_tests[0].id);
	judge(&x, conform_tests[conform_nr_tests - 1].id);
	if (size)
		judge(&x, conform_tests[data[0] % conform_nr_tests].id);
	judge(&x, "");
	for (size_t i = 0; i < x.nr && i < JUDGED_GLOBS; i++)
		judge(&x, x.entries[i].glob);
	judge(NULL, conform_tests[0].id);

	conform_expect_free(&x);
	check(!x.entries && !x.nr, "entries left after conform_expect_free");
	free(lines);
	free(starts);
	free(lens);
	return 0;
}
