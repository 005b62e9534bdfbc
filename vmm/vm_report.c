/* SPDX-License-Identifier: MIT */
/*
 * Reports of how a run ended.  For a hang or a crash, each vCPU's state is
 * shown: where it stopped (RIP and the instruction bytes there, named when
 * they are one of the usual suspects), whether it was halted or running
 * with interrupts off, its last exit to refvmm, and the full registers.
 */
#include <string.h>

#include "vm.h"

#define RFLAGS_IF (1ull << 9)
#define CR0_PE 1ull
#define EFER_LMA (1ull << 10)

const char *vm_insn_name(const uint8_t *b, unsigned int n)
{
	static const struct {
		uint8_t bytes[3];
		unsigned int len;
		const char *name;
	} known[] = {
		{ { 0x0f, 0x01, 0xc1 }, 3, "vmcall" },	{ { 0x0f, 0x01, 0xd9 }, 3, "vmmcall" },
		{ { 0xf4 }, 1, "hlt" },			{ { 0xeb, 0xfe }, 2, "jmp . (spin)" },
		{ { 0xf3, 0x90 }, 2, "pause" },		{ { 0x0f, 0x0b }, 2, "ud2" },
		{ { 0x0f, 0xa2 }, 2, "cpuid" },		{ { 0xcc }, 1, "int3" },
		{ { 0x0f, 0x01, 0xd0 }, 3, "xgetbv" },	{ { 0x0f, 0x01, 0xd1 }, 3, "xsetbv" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (n >= known[i].len && !memcmp(b, known[i].bytes, known[i].len))
			return known[i].name;
	return NULL;
}

static const char *mp_state_name(uint32_t s)
{
	switch (s) {
	case KVM_MP_STATE_RUNNABLE:
		return "running";
	case KVM_MP_STATE_UNINITIALIZED:
		return "not started (waiting for INIT)";
	case KVM_MP_STATE_INIT_RECEIVED:
		return "not started (waiting for SIPI)";
	case KVM_MP_STATE_HALTED:
		return "halted";
	default:
		return "in another state";
	}
}

static const char *cpu_mode(const struct kvm_sregs *s)
{
	if (!(s->cr0 & CR0_PE))
		return "real mode";
	if (s->efer & EFER_LMA)
		return s->cs.l ? "64-bit mode" : "compatibility mode";
	return "protected mode";
}

static void exit_describe(const struct vcpu_exit_info *e, char *buf, size_t len)
{
	switch (e->reason) {
	case KVM_EXIT_IO:
		snprintf(buf, len, "port %s 0x%llx (%u bytes)", e->write ? "write" : "read",
			 (unsigned long long)e->addr, e->size);
		break;
	case KVM_EXIT_MMIO:
		snprintf(buf, len, "MMIO %s 0x%llx (%u bytes)", e->write ? "write" : "read",
			 (unsigned long long)e->addr, e->size);
		break;
	case KVM_EXIT_HLT:
		snprintf(buf, len, "hlt");
		break;
	case KVM_EXIT_UNKNOWN:
		snprintf(buf, len, "none");
		break;
	default:
		snprintf(buf, len, "KVM exit reason %u", e->reason);
		break;
	}
}

static void snapshot_print(const struct vcpu *v, FILE *f)
{
	const struct vcpu_snapshot *s = &v->snap;
	const struct kvm_regs *r = &s->regs;
	const struct kvm_sregs *sr = &s->sregs;
	const char *name = vm_insn_name(s->insn, s->insn_len);
	char last[96];

	fprintf(f, "  vcpu %d: %s, %s, RIP 0x%llx, interrupts %s, CPL %u\n", v->id,
		mp_state_name(s->mp_state), cpu_mode(sr), (unsigned long long)r->rip,
		(r->rflags & RFLAGS_IF) ? "enabled" : "disabled", sr->cs.dpl);
	fprintf(f, "    code at RIP:");
	for (unsigned int i = 0; i < s->insn_len; i++)
		fprintf(f, " %02x", s->insn[i]);
	if (!s->insn_len)
		fprintf(f, " (not mapped in guest memory)");
	if (name)
		fprintf(f, "  <- %s", name);
	exit_describe(&s->last_exit, last, sizeof(last));
	fprintf(f, "\n    last exit: %s; %llu exits to refvmm\n", last,
		(unsigned long long)s->nr_exits);
	fprintf(f, "    rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", r->rax, r->rbx, r->rcx,
		r->rdx);
	fprintf(f, "    rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n", r->rsi, r->rdi, r->rbp,
		r->rsp);
	fprintf(f, "    r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n", r->r8, r->r9, r->r10,
		r->r11);
	fprintf(f, "    r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n", r->r12, r->r13,
		r->r14, r->r15);
	fprintf(f, "    rflags %08llx cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx\n",
		r->rflags, sr->cr0, sr->cr2, sr->cr3, sr->cr4, sr->efer);
}

static const char *result_name(enum vm_result r)
{
	switch (r) {
	case VM_RESULT_EXITED:
		return "exited";
	case VM_RESULT_HANG:
		return "guest hang";
	case VM_RESULT_CRASH:
		return "guest crash";
	case VM_RESULT_ERROR:
		return "refvmm error";
	default:
		return "no result";
	}
}

void vm_outcome_print(const struct vm *vm, const struct vm_outcome *out, FILE *f)
{
	fprintf(f, "refvmm: %s: %s (after %.3f s)\n", result_name(out->result), out->reason,
		out->seconds);
	if (out->result != VM_RESULT_HANG && out->result != VM_RESULT_CRASH)
		return;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpus[i].snap.valid)
			snapshot_print(&vm->vcpus[i], f);
}
