/* SPDX-License-Identifier: MIT */
/*
 * pio_n: exactly n=N (default 1000) one-byte port writes to PORT_HVB_NULL,
 * between the two measurement marks, so a host can check that counters of
 * exits (KVM's, refvmm's, the eBPF probes') see exactly N of them.
 *
 * Between the marks there is nothing else that exits: the loop is plain
 * arithmetic and the writes are the only port accesses.  After the end
 * mark come one console line and the debug exit.
 */
#include "hvbench/bench.h"
#include "rt.h"

int guest_main(void)
{
	uint64_t n = rt_cmdline_u64("n", 1000);

	rt_outb(PORT_HVB_MARK, HVB_MARK_BEGIN);
	for (uint64_t i = 0; i < n; i++)
		rt_outb(PORT_HVB_NULL, (uint8_t)i);
	rt_outb(PORT_HVB_MARK, HVB_MARK_END);
	rt_printf("pio_n: %lu port writes\n", n);
	return GUEST_STATUS_PASS;
}
