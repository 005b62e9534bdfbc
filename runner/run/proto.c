/* SPDX-License-Identifier: MIT */
/* The benchmark payload's @hvb records read back (proto.h), on record.h's scaffolding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvbench/bench.h"
#include "proto.h"
#include "record.h"

#define LINE_MAX_BYTES 4096

#define fail(p, ...) record_violation((p)->error, sizeof((p)->error), __VA_ARGS__)

void proto_init(struct proto_result *p)
{
	*p = (struct proto_result){ 0 };
}

void proto_free(struct proto_result *p)
{
	free(p->samples);
	p->samples = NULL;
}

static void begin_field(struct proto_result *p, const char *key, size_t klen, const char *val,
			size_t vlen)
{
	uint64_t cpl = 0;
	const struct {
		const char *key;
		uint64_t *dst;
	} nums[] = {
		{ "cpl", &cpl },	  { "batch", &p->batch }, { "samples", &p->declared },
		{ "timer", &p->timer }, { "frame", &p->frame },	  { "corr", &p->corr },
		{ "tsc_khz", &p->tsc_khz },
	};

	if (record_is(key, klen, "name")) {
		record_text(p->name, sizeof(p->name), val, vlen);
		return;
	}
	if (record_is(key, klen, "mode")) {
		record_text(p->mode, sizeof(p->mode), val, vlen);
		return;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (!record_is(key, klen, nums[i].key))
			continue;
		if (record_u64(val, vlen, UINT64_MAX, nums[i].dst))
			fail(p, "begin record: %s is not a number", nums[i].key);
		else if (nums[i].dst == &cpl)
			p->cpl = cpl > 3 ? 4 : (unsigned int)cpl;
		return;
	}
	/* Unknown keys are allowed: newer payloads may say more. */
}

static void record_begin(struct proto_result *p, struct record_cursor *c)
{
	const char *w, *eq;
	size_t n;

	if (p->begun) {
		fail(p, "a second begin record");
		return;
	}
	while (record_word(c, &w, &n)) {
		eq = memchr(w, '=', n);
		if (eq)
			begin_field(p, w, (size_t)(eq - w), eq + 1, n - (size_t)(eq + 1 - w));
	}
	if (p->cpl > 3 || !p->batch || !p->tsc_khz || p->declared > HVB_SAMPLES_MAX) {
		fail(p, "begin record: cpl, batch, tsc_khz or samples out of range");
		return;
	}
	p->begun = true;
	p->samples = calloc(p->declared ? p->declared : 1, sizeof(*p->samples));
	if (!p->samples)
		fail(p, "out of memory for %llu samples", (unsigned long long)p->declared);
}

static void record_samples(struct proto_result *p, struct record_cursor *c)
{
	const char *w;
	size_t n;
	uint64_t v;

	if (!p->begun || p->ended || !p->samples) {
		fail(p, "samples outside begin/end");
		return;
	}
	while (record_word(c, &w, &n)) {
		if (!n)
			continue;	/* one of several spaces in a row */
		if (record_u64(w, n, UINT64_MAX, &v)) {
			fail(p, "a sample is not a number");
			return;
		}
		if (p->nr >= p->declared) {
			fail(p, "more samples than the %llu declared",
			     (unsigned long long)p->declared);
			return;
		}
		p->samples[p->nr++] = v;
	}
}

/* The window's edges, printed around the marks: once each, in order, before the samples. */
static void record_mark(struct proto_result *p, const char *s, size_t n)
{
	bool begin = record_is(s, n, "begin");

	if (!begin && !record_is(s, n, "end"))
		fail(p, "an unknown mark record");
	else if (p->begun)
		fail(p, "a mark record after the samples began");
	else if (begin && p->mark_begun)
		fail(p, "a second mark begin record");
	else if (!begin && (!p->mark_begun || p->mark_ended))
		fail(p, p->mark_ended ? "a second mark end record" : "mark end without mark begin");
	else if (begin)
		p->mark_begun = true;
	else
		p->mark_ended = true;
}

void proto_line(struct proto_result *p, const char *line, size_t len)
{
	struct record_cursor c;
	const char *kind;
	size_t kind_n, rest_n;

	if (len > LINE_MAX_BYTES) {
		fail(p, "a console line of %zu bytes", len);
		return;
	}
	if (!record_match(line, len, HVB_RECORD_PREFIX, &c)) {
		record_text(p->last_other, sizeof(p->last_other), line, len);
		return;
	}
	/* "end" stands alone; every other kind is followed by a space and its fields. */
	if (record_is(c.s, (size_t)(c.end - c.s), "end")) {
		p->ended = p->begun ? true : (fail(p, "end without begin"), false);
		return;
	}
	if (!record_word(&c, &kind, &kind_n) || kind + kind_n == c.end) {
		fail(p, "an unknown record");	/* none, or a kind with no space after it */
		return;
	}
	rest_n = (size_t)(c.end - c.s);
	if (record_is(kind, kind_n, "s")) {
		record_samples(p, &c);
	} else if (record_is(kind, kind_n, "begin")) {
		record_begin(p, &c);
	} else if (record_is(kind, kind_n, "unavailable")) {
		p->unavailable = true;
		record_text(p->why, sizeof(p->why), c.s, rest_n);
	} else if (record_is(kind, kind_n, "error")) {
		char why[200];

		record_text(why, sizeof(why), c.s, rest_n);
		fail(p, "the payload reported: %s", why);
	} else if (record_is(kind, kind_n, "mark")) {
		record_mark(p, c.s, rest_n);
	} else if (record_is(kind, kind_n, "note")) {
		if (p->nr_notes < PROTO_NOTES_MAX)
			record_text(p->notes[p->nr_notes++], sizeof(p->notes[0]), c.s, rest_n);
	} else {
		fail(p, "an unknown record");
	}
}

int proto_finish(struct proto_result *p)
{
	if (p->error[0])
		return -1;
	if (p->unavailable)
		return 0;
	if (!p->begun)
		fail(p, "no begin record");
	else if (!p->ended)
		fail(p, "no end record (output cut short)");
	else if (p->mark_begun && !p->mark_ended)
		fail(p, "mark begin without mark end");
	else if (p->nr != p->declared)
		fail(p, "%zu samples of %llu declared", p->nr, (unsigned long long)p->declared);
	return p->error[0] ? -1 : 0;
}
