/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest useful payload.  It proves the boot path end to end
 * (PVH entry, long mode, console, command line) and says where it runs.
 */
#include "rt.h"

int guest_main(void)
{
	struct rt_hypervisor hv;
	const char *tsc = rt_cmdline_get("tsc_khz");

	rt_hypervisor_detect(&hv);
	rt_printf("hello from hvbench\n");
	if (hv.present)
		rt_printf("hypervisor: \"%s\" (max leaf 0x%x)\n", hv.signature, hv.max_leaf);
	else
		rt_printf("hypervisor: none (CPUID hypervisor bit clear)\n");
	rt_printf("cmdline: \"%s\"\n", rt_cmdline());
	if (tsc)
		rt_printf("tsc_khz: %lu\n", rt_cmdline_u64("tsc_khz", 0));
	else
		rt_printf("tsc_khz: not given\n");
	rt_printf("ram: %lu MiB\n", rt_ram_bytes() >> 20);
	return GUEST_STATUS_PASS;
}
