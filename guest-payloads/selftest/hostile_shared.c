/* SPDX-License-Identifier: MIT */
/*
 * hostile_shared: a payload that misuses the bench protocol the way a
 * buggy or malicious guest could.  It announces a shared page, begins the
 * timed part, then announces a page outside its RAM and an unaligned one,
 * lets the host's injector run for a while, and ends without records.  The
 * runner must report an error for it and go on, not crash.
 */
#include "hvbench/bench.h"
#include "rt.h"

static struct hvb_shared page __attribute__((aligned(4096)));

/* About 20 ms of exits (~10 us each), interrupts off: the injector is busy. */
static void stall(void)
{
	for (volatile int i = 0; i < 2000; i++)
		rt_outb(PORT_HVB_NULL, 0);
}

int guest_main(void)
{
	rt_outl(PORT_HVB_SHARED, (uint32_t)(uintptr_t)&page);
	rt_outb(PORT_HVB_MARK, HVB_MARK_BEGIN);
	stall();
	rt_outl(PORT_HVB_SHARED, 0xfffff000u);
	rt_outl(PORT_HVB_SHARED, 1);
	stall();
	rt_outb(PORT_HVB_MARK, HVB_MARK_END);
	return GUEST_STATUS_PASS;
}
