/* SPDX-License-Identifier: MIT */
/*
 * What every kind of repetition shares: statuses, notes, a boot's outcome
 * judged, samples from @hvb records.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvbench/ports.h"
#include "proto.h"
#include "rep.h"
#include "target.h"

const char *rep_status_name(enum rep_status s)
{
	static const char *const names[] = { "ok", "unavailable", "hang", "crash", "error" };

	return s <= REP_ERROR ? names[s] : "?";
}

void rep_free(struct rep *r)
{
	free(r->ns);
	r->ns = NULL;
	json_decref(r->probes);
	r->probes = NULL;
}

void rep_fail(struct rep *r, enum rep_status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

void rep_note(struct rep *r, const char *text)
{
	if (text[0] && r->nr_notes < sizeof(r->notes) / sizeof(r->notes[0]))
		snprintf(r->notes[r->nr_notes++], sizeof(r->notes[0]), "%s", text);
}

double rep_cycles_to_ns(double cycles, uint64_t tsc_khz)
{
	return cycles * 1e6 / (double)tsc_khz;
}

/* Samples: cycles per batch minus the timer's cost, over the batch, in ns. */
int rep_samples_from_proto(const struct proto_result *p, uint64_t tsc_khz, struct rep *out)
{
	out->ns = malloc((p->nr ? p->nr : 1) * sizeof(double));
	if (!out->ns)
		return -1;
	for (size_t i = 0; i < p->nr; i++) {
		double c = p->samples[i] > p->corr ? (double)(p->samples[i] - p->corr) : 0;

		out->ns[i] = rep_cycles_to_ns(c / (double)p->batch, tsc_khz);
	}
	out->n = p->nr;
	out->batch = p->batch;
	out->ops = p->batch * p->nr;
	out->timer_ns = rep_cycles_to_ns((double)p->timer, tsc_khz);
	out->frame_ns = rep_cycles_to_ns((double)p->frame / (double)p->batch, tsc_khz);
	out->corr_ns = rep_cycles_to_ns((double)p->corr, tsc_khz);
	return 0;
}

void rep_cmdline(char *buf, size_t len, const struct workload *w, enum bench_mode mode,
		 unsigned int cpl, const struct rep_opts *o, uint32_t tsc_khz)
{
	int n = snprintf(buf, len, "name=%s mode=%s cpl=%u target_ms=%.0f max_samples=%zu tsc_khz=%u",
			 w->name, bench_mode_name(mode), cpl, o->target_ms < 1 ? 1 : o->target_ms,
			 o->max_samples, tsc_khz);

	if (o->batch && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " batch=%llu", (unsigned long long)o->batch);
}

void rep_judge(struct rep *out, const struct target *t, double timeout_s,
	       const struct target_outcome *o, const struct proto_result *p)
{
	size_t n;

	switch (o->result) {
	case TARGET_EXITED:
		if (o->guest_status == GUEST_STATUS_FAIL)
			rep_fail(out, REP_ERROR, "%s", p->error[0] ? p->error :
				 "the payload reported a failure (status 1)");
		else if (o->guest_status != GUEST_STATUS_PASS)
			rep_fail(out, REP_CRASH, "the payload exited with status %d",
				 o->guest_status);
		return;
	case TARGET_HUNG:
		if (o->why[0])
			rep_fail(out, REP_HANG, "%s", o->why);
		else
			rep_fail(out, REP_HANG, "%s: no end within the %.3g s deadline", t->name,
				 timeout_s);
		out->hang_insn = o->hang_insn;
		n = strlen(out->why);
		if (o->hang_rip_valid)
			snprintf(out->why + n, sizeof(out->why) - n, "; vcpu 0 at RIP 0x%llx on %s",
				 (unsigned long long)o->hang_rip,
				 o->hang_insn ? o->hang_insn : "an unrecognised instruction");
		return;
	case TARGET_CRASHED:
		rep_fail(out, REP_CRASH, "%.300s%s%.90s%s%.100s", o->why, o->where[0] ? "; " : "",
			 o->where, p->last_other[0] ? "; last line: " : "", p->last_other);
		return;
	case TARGET_FAILED:
		rep_fail(out, o->unavailable ? REP_UNAVAILABLE : REP_ERROR, "%s", p->error[0] ?
			 p->error : o->why);
		return;
	}
}

void rep_records(struct rep *out, struct proto_result *p, uint64_t tsc_khz, bool host_timed)
{
	for (unsigned int i = 0; i < p->nr_notes; i++)
		rep_note(out, p->notes[i]);
	if (out->status != REP_OK)
		return;
	if (proto_finish(p))
		rep_fail(out, REP_ERROR, "bench payload output: %s (last other line: %s)",
			 p->error, p->last_other);
	else if (p->unavailable)
		rep_fail(out, REP_UNAVAILABLE, "%s", p->why);
	else if (!host_timed && rep_samples_from_proto(p, tsc_khz, out))
		rep_fail(out, REP_ERROR, "out of memory");
}
