/* SPDX-License-Identifier: MIT */
/*
 * vmcall: executes the KVM hypercall instruction at CPL0 (vmcall, or
 * vmmcall on AMD, as CPUID says).  On most hosts KVM answers -KVM_ENOSYS for
 * an unknown hypercall number and the payload exits 0; on PVM hosts the
 * vCPU hangs inside KVM_RUN, which is what the watchdog must catch.  The
 * address of the instruction is printed first so a test can check that the
 * hang report points at it.
 */
#include "rt.h"

#define HC_UNKNOWN 0xffff

extern const char vmcall_insn[], vmmcall_insn[];

static bool cpu_is_amd(void)
{
	struct rt_cpuid r = rt_cpuid(0, 0);

	return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163; /* AuthenticAMD */
}

int guest_main(void)
{
	bool amd = cpu_is_amd();
	uint64_t ret = HC_UNKNOWN;

	rt_printf("hypercall instruction at 0x%lx\n",
		  (uint64_t)(uintptr_t)(amd ? vmmcall_insn : vmcall_insn));
	if (amd)
		__asm__ volatile(".globl vmmcall_insn\nvmmcall_insn: vmmcall"
				 : "+a"(ret) : : "memory");
	else
		__asm__ volatile(".globl vmcall_insn\nvmcall_insn: vmcall"
				 : "+a"(ret) : : "memory");
	rt_printf("hypercall returned %ld\n", (int64_t)ret);
	return GUEST_STATUS_PASS;
}
