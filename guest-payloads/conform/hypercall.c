/* SPDX-License-Identifier: MIT */
/*
 * The KVM hypercall ABI (Documentation/virt/kvm/x86/hypercalls.rst): the
 * number in RAX, the result in RAX; vmcall on Intel, vmmcall on AMD.
 *
 * These tests may hang by nature: on some KVM backends (PVM) a hypercall
 * never returns, and the watchdog reports the vCPU hung at vmcall/vmmcall.
 * Each test prints the address of the instruction it is about to run, so
 * that report can be matched to it.
 */
#include "conform.h"

#define HC_UNKNOWN 0xffffu	/* no KVM hypercall has this number */
#define KVM_ENOSYS 1000
#define KVM_EPERM 1

/* One hypercall with number nr and no arguments; the _insn labels mark the instruction. */
uint64_t hc_vmcall(uint64_t nr);
uint64_t hc_vmmcall(uint64_t nr);
extern const char hc_vmcall_insn[], hc_vmmcall_insn[];

__asm__(".text\n"
	".globl hc_vmcall, hc_vmcall_insn\n"
	"hc_vmcall:\n"
	"	mov %rdi, %rax\n"
	"hc_vmcall_insn:\n"
	"	vmcall\n"
	"	ret\n"
	".globl hc_vmmcall, hc_vmmcall_insn\n"
	"hc_vmmcall:\n"
	"	mov %rdi, %rax\n"
	"hc_vmmcall_insn:\n"
	"	vmmcall\n"
	"	ret\n");

struct hc {
	uint64_t (*fn)(uint64_t nr);
	const char *insn_name;
	uintptr_t insn;
};

static bool hc_pick(struct ct *t, struct hc *h)
{
	if (!ct_is_kvm()) {
		ct_skip(t, "not KVM (no \"KVMKVMKVM\" signature at CPUID 0x40000000): the KVM "
			"hypercall ABI does not apply");
		return false;
	}
	if (ct_cpu_is_amd())
		*h = (struct hc){ hc_vmmcall, "vmmcall", (uintptr_t)hc_vmmcall_insn };
	else
		*h = (struct hc){ hc_vmcall, "vmcall", (uintptr_t)hc_vmcall_insn };
	return true;
}

static uint64_t hc_unknown(void *arg)
{
	const struct hc *h = arg;

	return h->fn(HC_UNKNOWN);
}

static uint64_t hc_unknown_user(void *arg)
{
	return rt_run_user(hc_unknown, arg);
}

/* A #UD means the instruction is not intercepted as a hypercall at all. */
static void hc_run(struct ct *t, const char *what, rt_fn fn, struct hc *h, int64_t want)
{
	struct rt_exception ex;
	uint64_t ret;

	rt_printf("%s: %s at 0x%lx (%s), number 0x%x\n", t->id, h->insn_name, (uint64_t)h->insn,
		  what, HC_UNKNOWN);
	ret = rt_catch(fn, h, &ex);
	if (!ct_check(t, !ex.raised, "%s: hypercall raised %s (vector %u) at 0x%lx%s", what,
		      rt_exception_name(ex.vector), ex.vector, ex.rip,
		      ex.vector == 6 ? ": no KVM hypercall ABI here" : ""))
		return;
	ct_check(t, ret == (uint64_t)want, "%s: expected RAX %ld, got %ld (0x%lx)", what, want,
		 (int64_t)ret, ret);
}

void hypercall_unknown_nr(struct ct *t)
{
	struct hc h;

	if (hc_pick(t, &h))
		hc_run(t, "CPL0, unknown number", hc_unknown, &h, -KVM_ENOSYS);
}

/* KVM refuses CPL>0 before it looks at the number: -KVM_EPERM, not -KVM_ENOSYS. */
void hypercall_cpl3(struct ct *t)
{
	struct hc h;

	if (hc_pick(t, &h))
		hc_run(t, "CPL3, unknown number", hc_unknown_user, &h, -KVM_EPERM);
}
