/* SPDX-License-Identifier: MIT */
/*
 * Instructions beyond workloads/native.c's cpuid, rdtsc, rdtscp and
 * pause: rdpid, the reference that cannot exit.  It reads TSC_AUX (the CPU number Linux
 * puts there) as rdtscp does, but not the TSC, and neither VMX nor SVM can
 * intercept it: the hypervisor loads the guest's TSC_AUX into the CPU.  So
 * read against rdtscp, a difference well beyond a few cycles is the TSC
 * being trapped.
 */
#include <cpuid.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

/* CPUID.(EAX=7,ECX=0):ECX[22]. */
#define CPUID7_ECX_RDPID	(1u << 22)

static int rdpid_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	unsigned int a, b, c, d;

	(void)ctx;
	/* __get_cpuid_count checks the maximum basic leaf first; a missing leaf 7 is a no. */
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(c & CPUID7_ECX_RDPID))
		return probe_why(why, why_len, "no RDPID: CPUID.7.0:ECX bit 22 is clear");
	return 0;
}

static int rdpid_run(struct native_ctx *ctx, uint64_t batch)
{
	uint64_t aux;

	(void)ctx;
	/*
	 * The mnemonic needs binutils 2.27 (2016), older than any supported
	 * distribution's; its encoding, were one needed, is f3 0f c7 /7.
	 */
	for (uint64_t i = 0; i < batch; i++)
		asm volatile("rdpid %0" : "=r"(aux) : : "memory");
	return 0;
}

static const struct native_impl rdpid_impl = {
	.open = rdpid_open,
	.run = rdpid_run,
};

const struct native_op instance_op_rdpid = {
	.name = "insn-rdpid",
	.what = "the rdpid instruction (TSC_AUX, no TSC) in a host process",
	.impl = &rdpid_impl,
};
