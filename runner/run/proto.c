/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvbench/bench.h"
#include "proto.h"

#define LINE_MAX_BYTES 4096

void proto_init(struct proto_result *p)
{
	*p = (struct proto_result){ 0 };
}

void proto_free(struct proto_result *p)
{
	free(p->samples);
	p->samples = NULL;
}

static void fail(struct proto_result *p, const char *fmt, ...)
{
	va_list ap;

	if (p->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->error, sizeof(p->error), fmt, ap);
	va_end(ap);
}

/* A decimal u64 with no sign, no overflow; *s advances past it. */
static bool parse_u64(const char **s, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	const char *c = *s;

	if (c == end || *c < '0' || *c > '9')
		return false;
	for (; c < end && *c >= '0' && *c <= '9'; c++) {
		if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	*s = c;
	*out = v;
	return true;
}

static void copy_word(char *dst, size_t dst_len, const char *s, const char *end)
{
	size_t n = (size_t)(end - s);

	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void begin_field(struct proto_result *p, const char *key, size_t klen, const char *val,
			const char *vend)
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

	if (klen == 4 && !memcmp(key, "name", 4)) {
		copy_word(p->name, sizeof(p->name), val, vend);
		return;
	}
	if (klen == 4 && !memcmp(key, "mode", 4)) {
		copy_word(p->mode, sizeof(p->mode), val, vend);
		return;
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const char *c = val;

		if (strlen(nums[i].key) != klen || memcmp(key, nums[i].key, klen))
			continue;
		if (!parse_u64(&c, vend, nums[i].dst) || c != vend)
			fail(p, "begin record: %s is not a number", nums[i].key);
		else if (nums[i].dst == &cpl)
			p->cpl = cpl > 3 ? 4 : (unsigned int)cpl;
		return;
	}
	/* Unknown keys are allowed: newer payloads may say more. */
}

static void record_begin(struct proto_result *p, const char *s, const char *end)
{
	if (p->begun) {
		fail(p, "a second begin record");
		return;
	}
	while (s < end) {
		const char *w = s, *eq, *we;

		while (s < end && *s != ' ')
			s++;
		we = s;
		eq = memchr(w, '=', (size_t)(we - w));
		if (eq)
			begin_field(p, w, (size_t)(eq - w), eq + 1, we);
		while (s < end && *s == ' ')
			s++;
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

static void record_samples(struct proto_result *p, const char *s, const char *end)
{
	if (!p->begun || p->ended || !p->samples) {
		fail(p, "samples outside begin/end");
		return;
	}
	while (s < end) {
		uint64_t v;

		while (s < end && *s == ' ')
			s++;
		if (s == end)
			break;
		if (!parse_u64(&s, end, &v) || (s < end && *s != ' ')) {
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
static void record_mark(struct proto_result *p, const char *s, const char *end)
{
	bool begin = end - s == 5 && !memcmp(s, "begin", 5);

	if (!begin && !(end - s == 3 && !memcmp(s, "end", 3)))
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
	const size_t plen = sizeof(HVB_RECORD_PREFIX) - 1;
	const char *s, *end = line + len;

	if (len > LINE_MAX_BYTES) {
		fail(p, "a console line of %zu bytes", len);
		return;
	}
	if (len < plen || memcmp(line, HVB_RECORD_PREFIX, plen)) {
		copy_word(p->last_other, sizeof(p->last_other), line, end);
		return;
	}
	s = line + plen;
	if (end - s >= 2 && !memcmp(s, "s ", 2))
		record_samples(p, s + 2, end);
	else if (end - s >= 6 && !memcmp(s, "begin ", 6))
		record_begin(p, s + 6, end);
	else if (end - s == 3 && !memcmp(s, "end", 3))
		p->ended = p->begun ? true : (fail(p, "end without begin"), false);
	else if (end - s >= 12 && !memcmp(s, "unavailable ", 12)) {
		p->unavailable = true;
		copy_word(p->why, sizeof(p->why), s + 12, end);
	} else if (end - s >= 6 && !memcmp(s, "error ", 6)) {
		char why[200];

		copy_word(why, sizeof(why), s + 6, end);
		fail(p, "the payload reported: %s", why);
	} else if (end - s >= 5 && !memcmp(s, "mark ", 5)) {
		record_mark(p, s + 5, end);
	} else if (end - s >= 5 && !memcmp(s, "note ", 5)) {
		if (p->nr_notes < PROTO_NOTES_MAX)
			copy_word(p->notes[p->nr_notes++], sizeof(p->notes[0]), s + 5, end);
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
