/* SPDX-License-Identifier: MIT */
/*
 * Conformance tests under refvmm, in-process: a fresh VM per test, the
 * records read from the paravirtual console, refvmm's watchdog as the
 * deadline.  A hang is reported with where each vCPU stopped, a crash with
 * the runtime's exception report or KVM's reason.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conform_proto.h"
#include "conform_target.h"
#include "hvbench/ports.h"
#include "vm.h"

#define GUEST_MEM_MIB 64

static void console_to_proto(void *ctx, const char *line, size_t len)
{
	conform_proto_line(ctx, line, len);
}

int conform_refvmm_probe(const struct conform_target *t, char *why, size_t len)
{
	struct vm_config cfg = { .mem_bytes = VM_MIN_MEM, .nr_vcpus = 1, .devices = &dev_set_conform };
	struct vmm_err err = { 0 };
	struct vm *vm = vm_create(&cfg, &err);

	(void)t;
	if (!vm) {
		snprintf(why, len, "%s", err.msg);
		return -1;
	}
	vm_destroy(vm);
	return 0;
}

/* "vCPU hung at vmcall (rip=0x...)", one clause per vCPU that has a snapshot. */
static void hang_where(const struct vm *vm, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < vm->nr_vcpus && n < len; i++) {
		const struct vcpu_snapshot *s = &vm->vcpus[i].snap;
		const char *insn;

		if (!s->valid)
			continue;
		insn = vm_insn_name(s->insn, s->insn_len);
		if (vm->nr_vcpus == 1)
			n += snprintf(buf + n, len - n, "vCPU hung at %s (rip=0x%llx)",
				      insn ? insn : "an unrecognised instruction",
				      (unsigned long long)s->regs.rip);
		else
			n += snprintf(buf + n, len - n, "%svCPU %u at %s (rip=0x%llx)",
				      n ? ", " : "", i, insn ? insn : "an unrecognised instruction",
				      (unsigned long long)s->regs.rip);
	}
}

/* "; vCPU 0 at hlt (rip=0x...)" for the vCPU that crashed, if its state was kept. */
static void crash_where(const struct vm *vm, int idx, char *buf, size_t len)
{
	const struct vcpu_snapshot *s;
	const char *insn;

	buf[0] = '\0';
	if (idx < 0 || (unsigned int)idx >= vm->nr_vcpus || !vm->vcpus[idx].snap.valid)
		return;
	s = &vm->vcpus[idx].snap;
	insn = vm_insn_name(s->insn, s->insn_len);
	snprintf(buf, len, "; vCPU %d at %s (rip=0x%llx)", idx,
		 insn ? insn : "an unrecognised instruction", (unsigned long long)s->regs.rip);
}

static void outcome_judge(const struct vm *vm, const struct vm_outcome *oc,
			  struct conform_proto *p, const struct conform_ctx *c,
			  struct conform_result *r)
{
	char where[256];

	switch (oc->result) {
	case VM_RESULT_EXITED:
		if (oc->status == GUEST_STATUS_PASS) {
			conform_proto_finish(p);
		} else if (oc->status == GUEST_STATUS_EXCEPTION && p->crash[0]) {
			r->status = CONFORM_CRASH;
			snprintf(r->reason, sizeof(r->reason), "%s", p->crash + 4); /* past "rt: " */
		} else {
			r->status = oc->status == GUEST_STATUS_FAIL ? CONFORM_ERROR : CONFORM_CRASH;
			snprintf(r->reason, sizeof(r->reason), "the payload exited with status %u: %s",
				 oc->status, p->last_other[0] ? p->last_other : "(no message)");
		}
		break;
	case VM_RESULT_HANG:
		hang_where(vm, where, sizeof(where));
		r->status = CONFORM_TIMEOUT;
		if (vm->nr_vcpus == 1 && where[0])
			snprintf(r->reason, sizeof(r->reason), "%s; no result within %.3g s", where,
				 c->timeout_s);
		else
			snprintf(r->reason, sizeof(r->reason), "no result within %.3g s%s%s",
				 c->timeout_s, where[0] ? ": " : "", where);
		break;
	case VM_RESULT_CRASH:
		r->status = CONFORM_CRASH;
		crash_where(vm, oc->vcpu, where, sizeof(where));
		snprintf(r->reason, sizeof(r->reason), "%.300s%s", oc->reason, where);
		break;
	default:
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "refvmm: %s", oc->reason);
		break;
	}
}

void conform_refvmm_run(const struct conform_target *t, const struct conform_ctx *c,
			const struct conform_test *test, struct conform_result *r)
{
	struct vm_config cfg = {
		.mem_bytes = (uint64_t)GUEST_MEM_MIB << 20,
		.nr_vcpus = test->nr_vcpus,
		.irqchip = VM_IRQCHIP_KERNEL,
		.pit = true,	/* timer.tsc-frequency measures against it */
		.quiet_unknown_io = true, /* pio/mmio.unassigned-* make such accesses on purpose */
		.faults = c->faults,
		.devices = &dev_set_conform, /* the fixtures the tests talk to */
	};
	struct conform_ctx ctx = *c;
	struct vmm_err err = { 0 };
	struct conform_proto p;
	struct vm_outcome oc;
	char cmdline[256];
	struct vm *vm;

	(void)t;
	*r = (struct conform_result){ .vmm_status = -1 };
	conform_proto_init(&p, test->id, r);
	vm = vm_create(&cfg, &err);
	if (!vm) {
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "refvmm: %.480s", err.msg);
		return;
	}
	ctx.tsc_khz = vm->tsc_khz; /* what this VM states (a fault may make it wrong on purpose) */
	conform_cmdline(cmdline, sizeof(cmdline), test, &ctx, false);
	vm_console_set(vm, console_to_proto, &p);
	if (vm_load_pvh(vm, c->payload->data, c->payload->size, cmdline, &err)) {
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "refvmm: %.480s", err.msg);
	} else {
		vm_run(vm, c->timeout_s, &oc);
		r->seconds = oc.seconds;
		outcome_judge(vm, &oc, &p, c, r);
	}
	vm_destroy(vm);
}
