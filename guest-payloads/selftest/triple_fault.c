/* SPDX-License-Identifier: MIT */
/*
 * triple_fault: loads an empty IDT and raises an exception.  The CPU cannot
 * deliver it, nor the double fault that follows, and shuts down.
 */
#include "rt.h"

int guest_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	rt_printf("raising an exception with an empty IDT\n");
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	return GUEST_STATUS_FAIL;
}
