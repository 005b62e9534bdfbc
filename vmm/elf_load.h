/* SPDX-License-Identifier: MIT */
/*
 * Loading a PVH payload: an x86-64 ELF executable whose XEN_ELFNOTE_PHYS32_ENTRY
 * note names a 32-bit entry point.  The file is outside input, so it is
 * validated completely before a byte is copied into guest memory.
 */
#ifndef ELF_LOAD_H
#define ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "vmm_err.h"

/* Guest-physical range [start, end) the payload may not occupy. */
struct elf_reserved {
	uint64_t start, end;
	const char *what;
};

struct elf_image {
	uint64_t entry;		/* 32-bit PVH entry point, guest-physical */
	uint64_t lowest, highest; /* span of the loaded segments, [lowest, highest) */
	unsigned int nr_segments;
};

/*
 * Check file (size bytes) and copy its PT_LOAD segments to their physical
 * addresses in mem (mem_size bytes of guest RAM from guest-physical 0).
 * On error, mem is untouched and err says what is wrong.
 */
int elf_load_pvh(const uint8_t *file, size_t size, uint8_t *mem, uint64_t mem_size,
		 const struct elf_reserved *reserved, size_t nr_reserved, struct elf_image *img,
		 struct vmm_err *err);

#endif
