/* SPDX-License-Identifier: MIT */
/*
 * hypercall family, guest half.
 *
 * hypercall-kvm: the KVM hypercall ABI (vmcall on Intel, vmmcall on AMD,
 * RAX = number, result in RAX) with KVM_HC_VAPIC_POLL_IRQ, which KVM
 * handles in the kernel and which does nothing: the pure round trip.
 * hypercall-exit: KVM_HC_MAP_GPA_RANGE, which KVM hands to the userspace
 * VMM as KVM_EXIT_HYPERCALL when the VMM enabled KVM_CAP_EXIT_HYPERCALL.
 * hypercall-pio: a Solo5-style hypercall: outl(port, gpa of an argument
 * block) exits to the VMM, which reads the block and writes the result.
 * On hosts where vmcall never returns, the watchdog ends the run and the
 * runner reports the workload unavailable with the hang report.
 */
#include "guest.h"

#define KVM_HC_VAPIC_POLL_IRQ 1
#define KVM_HC_MAP_GPA_RANGE 12
#define HC_PIO_NOP 0

struct hc_pio_args {
	uint64_t nr, arg, ret;
};

static bool amd;
static struct hc_pio_args pio_args;

static int setup_kvm(struct bench_ctx *ctx)
{
	struct rt_hypervisor hv;
	struct rt_cpuid v = rt_cpuid(0, 0);

	rt_hypervisor_detect(&hv);
	if (!hv.present || strcmp(hv.signature, "KVMKVMKVM"))
		return BENCH_SETUP_FAIL(ctx, "the KVM hypercall ABI needs a KVM hypervisor, not '%s'",
					hv.signature);
	amd = v.ebx == 0x68747541; /* "Auth" of AuthenticAMD */
	return 0;
}

static uint64_t kvm_hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	uint64_t ret;

	if (amd)
		__asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2) : "memory");
	else
		__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "b"(a0), "c"(a1), "d"(a2) : "memory");
	return ret;
}

static void op_kvm(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		kvm_hypercall(KVM_HC_VAPIC_POLL_IRQ, 0, 0, 0);
}

/* Map one page as shared (attribute 0): the VMM answers 0 and does nothing. */
static void op_exit(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		kvm_hypercall(KVM_HC_MAP_GPA_RANGE, 0, 1, 0);
}

static void op_pio(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		pio_args.nr = HC_PIO_NOP;
		rt_outl(PORT_HVB_HYPERCALL, (uint32_t)(uintptr_t)&pio_args);
	}
}

GUEST_HALF(gw_hypercall_kvm, setup_kvm, op_kvm);
GUEST_HALF(gw_hypercall_exit, setup_kvm, op_exit);
GUEST_HALF(gw_hypercall_pio, NULL, op_pio);
