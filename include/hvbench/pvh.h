/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot ABI as hvbench uses it: the start_info block a PVH loader
 * hands the guest in EBX, and the ELF note that names the 32-bit entry.
 *
 * Shared by the guest runtime and refvmm so both sides agree on one layout;
 * the layout itself is fixed by the Xen PVH boot protocol (version 1 adds
 * the memory map), which is also what QEMU, Firecracker and cloud-hypervisor
 * implement.
 */
#ifndef HVBENCH_PVH_H
#define HVBENCH_PVH_H

#include <stdint.h>

#define PVH_START_MAGIC 0x336ec578u
#define PVH_START_VERSION 1u

/* ELF note name and type carrying the 32-bit physical entry point. */
#define PVH_NOTE_NAME "Xen"
#define PVH_NOTE_PHYS32_ENTRY 18u

/* E820 types used in the memory map. */
#define PVH_MEMMAP_RAM 1u
#define PVH_MEMMAP_RESERVED 2u

struct pvh_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
} __attribute__((packed));

struct pvh_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
} __attribute__((packed));

_Static_assert(sizeof(struct pvh_start_info) == 56, "PVH start_info v1 layout");
_Static_assert(sizeof(struct pvh_memmap_entry) == 24, "PVH memmap entry layout");

#endif
