/* SPDX-License-Identifier: MIT */
/*
 * From the long-mode entry to guest_main: set up the CPU, read what the PVH
 * loader handed over in start_info, run the payload, report its status.
 *
 * start_info comes from the host, so it is checked like any outside input:
 * the magic, and every address and count against the 4 GiB the runtime maps.
 */
#include "hvbench/pvh.h"
#include "internal.h"

#define MEMMAP_MAX 128

static uint64_t ram_bytes;

uint64_t rt_ram_bytes(void)
{
	return ram_bytes;
}

static bool start_info_read(uint32_t paddr)
{
	const struct pvh_start_info *si = (const void *)(uintptr_t)paddr;
	const struct pvh_memmap_entry *map;

	if (!paddr || !rt_phys_ok(paddr, sizeof(*si)) || si->magic != PVH_START_MAGIC)
		return false;
	if (si->cmdline_paddr && rt_phys_ok(si->cmdline_paddr, 1))
		rt_cmdline_init((const char *)(uintptr_t)si->cmdline_paddr,
				(4ull << 30) - si->cmdline_paddr);
	if (si->version < 1 || !si->memmap_paddr || si->memmap_entries > MEMMAP_MAX ||
	    !rt_phys_ok(si->memmap_paddr, si->memmap_entries * sizeof(*map)))
		return true;
	map = (const void *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++)
		if (map[i].type == PVH_MEMMAP_RAM)
			ram_bytes += map[i].size;
	return true;
}

void rt_start(uint32_t start_info)
{
	bool boot_ok;

	rt_cpu_init();
	boot_ok = start_info_read(start_info); /* first: it holds "console=" */
	rt_console_init();
	if (!boot_ok) {
		rt_printf("rt: no valid PVH start_info at 0x%x\n", start_info);
		rt_exit(GUEST_STATUS_BAD_BOOT);
	}
	rt_exit(guest_main());
}
