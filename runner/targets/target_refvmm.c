/* SPDX-License-Identifier: MIT */
/*
 * refvmm as a target: the bundled VMM, in this process.  A fresh VM per
 * boot, the console's lines handed to the sink, refvmm's watchdog as the
 * deadline.  A hang is reported with where each vCPU stopped (the
 * watchdog's snapshot), a crash with the vCPU that crashed and KVM's
 * reason.  The commands add what they need around the boot through the VM
 * hooks: the bench platform and host halves, or the conformance devices.
 */
#include <stdio.h>
#include <string.h>

#include "payload.h"
#include "target.h"
#include "vm.h"

/* Room for any command line either payload takes. */
#define REFVMM_CMDLINE_MAX 512

static int refvmm_probe(const struct target *t, char *why, size_t len)
{
	struct vm_config cfg = { .mem_bytes = VM_MIN_MEM, .nr_vcpus = 1 };
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

/* Every workload: refvmm is where the catalog's host halves live. */
static const char *refvmm_cannot(const struct target *t, const struct workload *w,
				 enum bench_mode m)
{
	(void)t;
	(void)w;
	(void)m;
	return NULL;
}

static const char *insn_or_unknown(const char *insn)
{
	return insn ? insn : "an unrecognised instruction";
}

/* "vCPU hung at vmcall (rip=0x...)" for one vCPU, else "vCPU 0 at ..., vCPU 1 at ...". */
static void hang_where(const struct vm *vm, struct target_outcome *o)
{
	size_t n = 0, len = sizeof(o->where);

	for (unsigned int i = 0; i < vm->nr_vcpus && n < len; i++) {
		const struct vcpu_snapshot *s = &vm->vcpus[i].snap;
		const char *insn;

		if (!s->valid)
			continue;
		insn = vm_insn_name(s->insn, s->insn_len);
		if (i == 0) {
			o->hang_insn = insn;
			o->hang_rip = s->regs.rip;
			o->hang_rip_valid = true;
		}
		if (vm->nr_vcpus == 1)
			n += snprintf(o->where + n, len - n, "vCPU hung at %s (rip=0x%llx)",
				      insn_or_unknown(insn), (unsigned long long)s->regs.rip);
		else
			n += snprintf(o->where + n, len - n, "%svCPU %u at %s (rip=0x%llx)",
				      n ? ", " : "", i, insn_or_unknown(insn),
				      (unsigned long long)s->regs.rip);
	}
	o->where_leads = vm->nr_vcpus == 1;
}

/* "vCPU 0 at hlt (rip=0x...)" for the vCPU that crashed, if its state was kept. */
static void crash_where(const struct vm *vm, int idx, struct target_outcome *o)
{
	const struct vcpu_snapshot *s;

	if (idx < 0 || (unsigned int)idx >= vm->nr_vcpus || !vm->vcpus[idx].snap.valid)
		return;
	s = &vm->vcpus[idx].snap;
	snprintf(o->where, sizeof(o->where), "vCPU %d at %s (rip=0x%llx)", idx,
		 insn_or_unknown(vm_insn_name(s->insn, s->insn_len)),
		 (unsigned long long)s->regs.rip);
}

static void outcome_from_vm(const struct vm *vm, const struct vm_outcome *oc,
			    struct target_outcome *o)
{
	o->seconds = oc->seconds;
	switch (oc->result) {
	case VM_RESULT_EXITED:
		o->result = TARGET_EXITED;
		o->guest_status = (int)oc->status;
		break;
	case VM_RESULT_HANG:
		o->result = TARGET_HUNG;
		snprintf(o->why, sizeof(o->why), "%s", oc->reason);
		hang_where(vm, o);
		break;
	case VM_RESULT_CRASH:
		o->result = TARGET_CRASHED;
		snprintf(o->why, sizeof(o->why), "%.300s", oc->reason);
		crash_where(vm, oc->vcpu, o);
		break;
	default:
		o->result = TARGET_FAILED;
		snprintf(o->why, sizeof(o->why), "%s", oc->reason);
		break;
	}
}

/* A failure before the run; KVM's own errors mean refvmm cannot run here. */
static void failed(const struct vmm_err *err, struct target_outcome *o)
{
	o->result = TARGET_FAILED;
	o->unavailable = err->kind == VMM_ERR_KVM;
	snprintf(o->why, sizeof(o->why), "%s", err->msg);
}

static void refvmm_boot(const struct target *t, const struct target_boot *b,
			struct target_outcome *o)
{
	struct vm_config cfg = {
		.mem_bytes = (uint64_t)b->mem_mib << 20,
		.nr_vcpus = b->nr_vcpus ? b->nr_vcpus : 1,
		.irqchip = VM_IRQCHIP_KERNEL,
	};
	const struct target_vm_hooks *h = b->vm;
	struct vmm_err err = { 0 };
	struct vm_outcome oc;
	char cmdline[REFVMM_CMDLINE_MAX];
	bool ran = false;
	struct vm *vm;

	(void)t;
	*o = (struct target_outcome){ .result = TARGET_FAILED, .vmm_status = -1 };
	if (h && h->configure)
		h->configure(b->ctx, &cfg);
	vm = vm_create(&cfg, &err);
	if (!vm) {
		failed(&err, o);
		return;
	}
	o->tsc_khz = vm->tsc_khz;
	if (h && h->setup && h->setup(b->ctx, vm, &err)) {
		failed(&err, o);
	} else {
		b->cmdline(b->ctx, vm->tsc_khz, false, cmdline, sizeof(cmdline));
		vm_console_set(vm, b->line, b->ctx);
		if (vm_load_pvh(vm, b->payload->data, b->payload->size, cmdline, &err)) {
			failed(&err, o);
		} else {
			vm_run(vm, b->timeout_s, &oc);
			outcome_from_vm(vm, &oc, o);
			ran = true;
		}
	}
	if (h && h->teardown)
		h->teardown(b->ctx, vm, ran);
	vm_destroy(vm);
}

const struct target target_refvmm = {
	.name = "refvmm",
	.what = "hvbench's own VMM, in-process",
	.probe = refvmm_probe,
	.cannot = refvmm_cannot,
	.boot = refvmm_boot,
};
