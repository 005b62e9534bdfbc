/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_expect.h"

#define EXPECT_FILE_MAX (1u << 20)
#define EXPECT_ENTRIES_MAX 4096

static bool status_failing(enum conform_status s)
{
	return s != CONFORM_PASS && s != CONFORM_SKIP;
}

static int status_parse(const char *s, size_t n)
{
	for (int st = CONFORM_PASS; st <= CONFORM_ERROR; st++)
		if (status_failing(st) && strlen(conform_status_name(st)) == n &&
		    !memcmp(conform_status_name(st), s, n))
			return st;
	return -1;
}

/* The next whitespace-separated word of *s (up to end), advancing *s; CRLF files are text too. */
static size_t word_next(const char **s, const char *end, const char **w)
{
	while (*s < end && (**s == ' ' || **s == '\t' || **s == '\r'))
		(*s)++;
	*w = *s;
	while (*s < end && **s != ' ' && **s != '\t' && **s != '\r')
		(*s)++;
	return (size_t)(*s - *w);
}

static int line_parse(struct conform_expect_entry *e, const char *s, const char *end,
		      unsigned int line, char *err, size_t len, const char *path)
{
	const char *w;
	size_t n;

	*e = (struct conform_expect_entry){ .line = line };
	n = word_next(&s, end, &w);
	if (n >= sizeof(e->glob)) {
		snprintf(err, len, "%s:%u: the test pattern is too long", path, line);
		return -1;
	}
	memcpy(e->glob, w, n);
	n = word_next(&s, end, &w);
	if (!n) {
		snprintf(err, len, "%s:%u: expected \"ID-GLOB STATUS REASON\"", path, line);
		return -1;
	}
	for (const char *p = w; p < w + n;) {
		const char *comma = memchr(p, ',', (size_t)(w + n - p));
		size_t sn = comma ? (size_t)(comma - p) : (size_t)(w + n - p);
		int st = status_parse(p, sn);

		if (st < 0) {
			char shown[21];
			size_t i;

			for (i = 0; i < sn && i < sizeof(shown) - 1; i++)
				shown[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
			shown[i] = '\0';
			snprintf(err, len, "%s:%u: unknown status \"%s\" (FAIL, TIMEOUT, CRASH or "
				 "ERROR)", path, line, shown);
			return -1;
		}
		e->statuses |= 1u << st;
		p += sn + (comma ? 1 : 0);
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (s == end) {
		snprintf(err, len, "%s:%u: a known failure needs a reason", path, line);
		return -1;
	}
	n = (size_t)(end - s) < sizeof(e->reason) - 1 ? (size_t)(end - s) : sizeof(e->reason) - 1;
	for (size_t i = 0; i < n; i++)
		e->reason[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	return 0;
}

int conform_expect_parse(struct conform_expect *x, const char *text, size_t size, char *err,
			 size_t len)
{
	const char *s = text, *end = text + size;
	unsigned int line = 0;

	x->entries = NULL;
	x->nr = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *hash = memchr(s, '#', (size_t)(le - s));
		const char *ce = hash ? hash : le, *p = s;
		struct conform_expect_entry *grown;

		line++;
		while (p < ce && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < ce) {
			if (memchr(s, '\0', (size_t)(le - s))) {
				snprintf(err, len, "%s:%u: a NUL byte: not a text file", x->path, line);
				goto fail;
			}
			if (x->nr == EXPECT_ENTRIES_MAX) {
				snprintf(err, len, "%s:%u: more than %u entries", x->path, line,
					 EXPECT_ENTRIES_MAX);
				goto fail;
			}
			grown = realloc(x->entries, (x->nr + 1) * sizeof(*grown));
			if (!grown) {
				snprintf(err, len, "%s: out of memory", x->path);
				goto fail;
			}
			x->entries = grown;
			if (line_parse(&x->entries[x->nr], p, ce, line, err, len, x->path))
				goto fail;
			x->nr++;
		}
		s = nl ? nl + 1 : end;
	}
	return 0;
fail:
	conform_expect_free(x);
	return -1;
}

int conform_expect_load(struct conform_expect *x, const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	int rc;

	snprintf(x->path, sizeof(x->path), "%s", path);
	x->entries = NULL;
	x->nr = 0;
	if (!f) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed: a full read means the file is too large. */
	text = malloc(EXPECT_FILE_MAX + 1);
	n = text ? fread(text, 1, EXPECT_FILE_MAX + 1, f) : 0;
	if (!text || ferror(f) || n > EXPECT_FILE_MAX) {
		snprintf(err, len, "%s: %s", path, !text ? "out of memory" :
			 ferror(f) ? "read error" : "larger than 1 MiB");
		rc = -1;
	} else {
		rc = conform_expect_parse(x, text, n, err, len);
	}
	free(text);
	fclose(f);
	return rc;
}

void conform_expect_free(struct conform_expect *x)
{
	free(x->entries);
	x->entries = NULL;
	x->nr = 0;
}

static const struct conform_expect_entry *entry_find(const struct conform_expect *x,
						     const char *id)
{
	for (size_t i = 0; x && i < x->nr; i++)
		if (!fnmatch(x->entries[i].glob, id, 0))
			return &x->entries[i];
	return NULL;
}

void conform_expect_judge(const struct conform_expect *x, const char *id, struct conform_result *r)
{
	const struct conform_expect_entry *e = entry_find(x, id);

	r->expect_reason[0] = '\0';
	if (e)
		snprintf(r->expect_reason, sizeof(r->expect_reason), "%s", e->reason);
	if (!status_failing(r->status))
		r->verdict = e && r->status == CONFORM_PASS ? CONFORM_UNEXPECTED_PASS : CONFORM_OK;
	else
		r->verdict = e && (e->statuses & (1u << r->status)) ? CONFORM_EXPECTED_FAIL :
		     CONFORM_UNEXPECTED_FAIL;
}
