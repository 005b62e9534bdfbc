/* SPDX-License-Identifier: MIT */
/*
 * The PVH boot protocol, host side: where refvmm puts start_info, the memory
 * map and the command line, and the register state the payload starts in.
 */
#ifndef BOOT_PVH_H
#define BOOT_PVH_H

#include <stdint.h>

#include "vm.h"

#define BOOT_START_INFO_GPA 0x1000ull
#define BOOT_MEMMAP_GPA 0x1040ull
#define BOOT_MEMMAP_MAX 8
#define BOOT_CMDLINE_GPA 0x2000ull
#define BOOT_CMDLINE_MAX 4096 /* bytes, with the terminating NUL */
#define BOOT_RESERVED_END 0x3000ull

/* The low memory a payload may not load into: refvmm's boot structures. */
#define BOOT_RESERVED_WHAT "boot structures (start_info, memory map, command line)"

/*
 * Write start_info, the E820 map and cmdline to guest memory and put the
 * boot vCPU at entry: 32-bit protected mode, paging off, EBX = start_info.
 */
int boot_pvh_setup(struct vm *vm, uint64_t entry, const char *cmdline, struct vmm_err *err);

#endif
