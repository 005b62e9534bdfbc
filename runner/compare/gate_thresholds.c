/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gate_thresholds.h"
#include "parse_num.h"
#include "why.h"

/* Larger files are not thresholds files: refused unread. */
#define THRESHOLDS_MAX_BYTES (1u << 20)

/* A refusal of line no: "LINE: what". */
#define fail(why, len, no, ...) ({						\
	char pre_[16];								\
										\
	snprintf(pre_, sizeof(pre_), "%u: ", (unsigned)(no));			\
	why_set(why, len, pre_, __VA_ARGS__);					\
})

static int pct_parse(const char *s, double *pct)
{
	char buf[32];
	size_t n = strlen(s);

	if (!strcmp(s, "ignore")) {
		*pct = NAN;
		return 0;
	}
	if (n && s[n - 1] == '%')
		n--;
	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return parse_double(buf, 0, 1000, false, pct);
}

static void rule_free(struct gate_rule *r)
{
	for (int i = 0; i < GATE_RULE_PARTS; i++)
		free(r->part[i]);
}

/* One line's rule, in line (modified); 1 for a rule, 0 for a blank or comment, -1. */
static int line_parse(char *line, unsigned no, struct gate_rule *r, char *why, size_t wl)
{
	char *save = NULL, *pattern, *value, *extra, *p;
	int k = 0;

	if ((p = strchr(line, '#')))
		*p = '\0';
	pattern = strtok_r(line, " \t\r", &save);
	if (!pattern)
		return 0;
	value = strtok_r(NULL, " \t\r", &save);
	extra = strtok_r(NULL, " \t\r", &save);
	if (!value)
		return fail(why, wl, no, "'%.60s' has no threshold (PATTERN PCT|ignore)", pattern);
	if (extra)
		return fail(why, wl, no, "unexpected '%.60s' after the threshold", extra);
	memset(r, 0, sizeof(*r));
	r->line = no;
	if (pct_parse(value, &r->pct))
		return fail(why, wl, no, "threshold '%.60s' is not a percentage 0 to 1000 or "
			    "ignore", value);
	for (char *part = pattern, *slash;; part = slash + 1) {
		slash = strchr(part, '/');
		if (slash)
			*slash = '\0';
		if (k == GATE_RULE_PARTS) {
			rule_free(r);
			return fail(why, wl, no, "pattern has more than %d parts "
				    "(workload/mode/target/cpl)", GATE_RULE_PARTS);
		}
		if (!*part) {
			rule_free(r);
			return fail(why, wl, no, "pattern has an empty part");
		}
		r->part[k] = strdup(part);
		if (!r->part[k++]) {
			rule_free(r);
			return fail(why, wl, no, "out of memory");
		}
		if (!slash)
			break;
	}
	return 1;
}

int gate_thresholds_parse(struct gate_thresholds *t, const char *buf, size_t len, char *why,
			  size_t wl)
{
	char line[GATE_MAX_LINE + 1];
	unsigned no = 0;

	for (size_t pos = 0; pos < len; ) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		struct gate_rule r;
		int got;

		no++;
		if (n > GATE_MAX_LINE)
			return fail(why, wl, no, "line longer than %u bytes", GATE_MAX_LINE);
		if (memchr(buf + pos, '\0', n))
			return fail(why, wl, no, "a NUL byte: not a text file");
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + 1;
		got = line_parse(line, no, &r, why, wl);
		if (got < 0)
			return -1;
		if (!got)
			continue;
		if (t->n == GATE_MAX_RULES) {
			rule_free(&r);
			return fail(why, wl, no, "more than %u rules", GATE_MAX_RULES);
		}
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 16;
			struct gate_rule *more = realloc(t->rules, cap * sizeof(*more));

			if (!more) {
				rule_free(&r);
				return fail(why, wl, no, "out of memory");
			}
			t->rules = more;
			t->cap = cap;
		}
		t->rules[t->n++] = r;
	}
	return 0;
}

int gate_thresholds_load(struct gate_thresholds *t, const char *path, char *why, size_t wl)
{
	char inner[256], *buf;
	FILE *f = fopen(path, "r");
	size_t len;
	int ret;

	if (!f) {
		snprintf(why, wl, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(THRESHOLDS_MAX_BYTES + 1);
	len = buf ? fread(buf, 1, THRESHOLDS_MAX_BYTES + 1, f) : 0;
	if (!buf || ferror(f)) {
		snprintf(why, wl, "%s: cannot read: %s", path, buf ? strerror(errno) : "no memory");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	if (len > THRESHOLDS_MAX_BYTES) {
		snprintf(why, wl, "%s: more than %u bytes: not a thresholds file", path,
			 THRESHOLDS_MAX_BYTES);
		free(buf);
		return -1;
	}
	ret = gate_thresholds_parse(t, buf, len, inner, sizeof(inner));
	if (ret)
		snprintf(why, wl, "%s:%s", path, inner);
	free(buf);
	return ret;
}

void gate_thresholds_free(struct gate_thresholds *t)
{
	for (size_t i = 0; i < t->n; i++)
		rule_free(&t->rules[i]);
	free(t->rules);
	t->rules = NULL;
	t->n = 0;
	t->cap = 0;
}

double gate_threshold_of(const struct results_cell *c, void *thresholds)
{
	const struct gate_thresholds *t = thresholds;
	char cpl[16];
	const char *field[GATE_RULE_PARTS] = { c->workload, c->mode, results_cell_target(c), cpl };

	if (c->cpl < 0)
		snprintf(cpl, sizeof(cpl), "-");
	else
		snprintf(cpl, sizeof(cpl), "%d", c->cpl);
	for (size_t i = t->n; i-- > 0;) {
		const struct gate_rule *r = &t->rules[i];
		int k = 0;

		while (k < GATE_RULE_PARTS && (!r->part[k] || !fnmatch(r->part[k], field[k], 0)))
			k++;
		if (k == GATE_RULE_PARTS)
			return r->pct;
	}
	return t->default_pct;
}
