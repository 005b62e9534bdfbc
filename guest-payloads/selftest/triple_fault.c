/* SPDX-License-Identifier: MIT */
/*
 * triple_fault: loads an empty IDT and raises an exception.  The CPU cannot
 * deliver it, nor the #GP and double fault that follow, and shuts down.
 * The exception is a CPU-raised fault (ud2), not int3: on PVM hosts a
 * software interrupt through an empty IDT fails in KVM's emulator instead,
 * which "via=int3" on the command line reproduces (a KVM internal error).
 */
#include "rt.h"

int guest_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	const char *via = rt_cmdline_get("via");

	rt_printf("raising an exception with an empty IDT\n");
	if (via && !strcmp(via, "int3"))
		__asm__ volatile("lidt %0; int3" : : "m"(empty));
	else
		__asm__ volatile("lidt %0; ud2" : : "m"(empty));
	return GUEST_STATUS_FAIL;
}
