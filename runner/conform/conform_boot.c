/* SPDX-License-Identifier: MIT */
/*
 * One conformance test on a target: the conformance payload booted with
 * the test named on its command line, its @hvb conform records read from
 * the console, and the outcome judged.  Only the payload's records make a
 * PASS, FAIL or SKIP; a hang is a TIMEOUT reported with where the vCPU
 * was, a crash or a dead VMM a CRASH, a harness that could not boot an
 * ERROR.  Under refvmm the test gets what it needs of the VM (the PIT,
 * quiet unassigned I/O, the fault injection of negative tests).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "conform_boot.h"
#include "conform_proto.h"
#include "env_timing.h"
#include "hvbench/ports.h"
#include "target.h"
#include "vm.h"

#define GUEST_MEM_MIB 64

struct conform_run_boot {
	const struct conform_ctx *c;
	const struct conform_test *test;
	struct conform_proto proto;
};

/* The payload's command line; a VM's own TSC rate, else KVM's. */
static void boot_cmdline(void *ctx, uint32_t tsc_khz, bool serial, char *buf, size_t len)
{
	const struct conform_run_boot *x = ctx;
	uint32_t khz = tsc_khz ? tsc_khz : x->c->tsc_khz;
	int n = snprintf(buf, len, "conform=%s", x->test->id);

	if (khz && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " tsc_khz=%u", khz);
	if (serial && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " console=serial");
}

static void boot_line(void *ctx, const char *line, size_t len)
{
	struct conform_run_boot *x = ctx;

	conform_proto_line(&x->proto, line, len);
}

static bool boot_ended(void *ctx)
{
	const struct conform_run_boot *x = ctx;

	return x->proto.ended;
}

static void refvmm_configure(void *ctx, struct vm_config *cfg)
{
	const struct conform_run_boot *x = ctx;

	cfg->pit = true;		/* timer.tsc-frequency measures against it */
	cfg->quiet_unknown_io = true;	/* pio/mmio.unassigned-* make such accesses on purpose */
	cfg->faults = x->c->faults;
	cfg->devices = &dev_set_conform;	/* the fixtures the tests talk to */
}

static const struct target_vm_hooks refvmm_hooks = { .configure = refvmm_configure };

static void result_set(struct conform_result *r, enum conform_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void result_set(struct conform_result *r, enum conform_status s, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* The deadline of one test on t (conform_ctx.timeout_scaled). */
static double timeout_of(const struct target *t, const struct conform_ctx *c)
{
	if (!c->timeout_scaled)
		return c->timeout_s;
	return c->timeout_s * env_timing_deadline_scale() *
	       (t->vmm && t->vmm->bench_deadline_scale > 0 ? t->vmm->bench_deadline_scale : 1);
}

static void outcome_judge(const struct target *t, const struct target_outcome *o,
			  struct conform_proto *p, const struct conform_ctx *c,
			  struct conform_result *r)
{
	switch (o->result) {
	case TARGET_EXITED:
		if (o->guest_status == GUEST_STATUS_PASS)
			conform_proto_finish(p);
		else if (o->guest_status == GUEST_STATUS_EXCEPTION && p->crash[0])
			result_set(r, CONFORM_CRASH, "%s", p->crash + 4); /* past "rt: " */
		else
			result_set(r, o->guest_status == GUEST_STATUS_FAIL ? CONFORM_ERROR :
				   CONFORM_CRASH, "the payload exited with status %d: %s",
				   o->guest_status, p->last_other[0] ? p->last_other : "(no message)");
		break;
	case TARGET_HUNG:
		if (o->where_leads && o->where[0])
			result_set(r, CONFORM_TIMEOUT, "%s; no result within %.3g s", o->where,
				   timeout_of(t, c));
		else
			result_set(r, CONFORM_TIMEOUT, "no result within %.3g s%s%s",
				   timeout_of(t, c), o->where[0] ? ": " : "", o->where);
		break;
	case TARGET_CRASHED:
		if (t->vmm)	/* the VMM's own ending: its last line says most */
			result_set(r, CONFORM_CRASH, "%.200s%s%.100s%s%.150s", o->why,
				   o->where[0] ? "; " : "", o->where,
				   p->last_other[0] ? "; last line: " : "", p->last_other);
		else
			result_set(r, CONFORM_CRASH, "%.300s%s%s", o->why, o->where[0] ? "; " : "",
				   o->where);
		break;
	case TARGET_FAILED:
		result_set(r, CONFORM_ERROR, "%s: %.480s", t->name, o->why);
		break;
	}
}

void conform_boot(const struct target *t, const struct conform_ctx *c,
		  const struct conform_test *test, struct conform_result *r)
{
	struct conform_run_boot x = { .c = c, .test = test };
	struct target_boot b = {
		.payload = c->payload,
		.nr_vcpus = test->nr_vcpus,
		.mem_mib = GUEST_MEM_MIB,
		.timeout_s = timeout_of(t, c),
		.cmdline = boot_cmdline,
		.line = boot_line,
		.ended = boot_ended,
		.ctx = &x,
		.vm = &refvmm_hooks,
	};
	struct target_outcome o;

	*r = (struct conform_result){ .vmm_status = -1 };
	conform_proto_init(&x.proto, test->id, r);
	t->boot(t, &b, &o);
	r->vmm_status = o.vmm_status;
	if (o.result != TARGET_FAILED)
		r->seconds = o.seconds;
	outcome_judge(t, &o, &x.proto, c, r);
}
