/* SPDX-License-Identifier: MIT */
/*
 * Handles every x86 paging mode a payload can be in when it stops: none
 * (real or protected mode), 32-bit, PAE, and 4- or 5-level long mode.
 * Accessed and dirty bits are not set: this is an observer, not the MMU.
 */
#include <string.h>

#include "gva.h"

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

#define PTE_P 1ull
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

static int read_entry(const struct guest_mem *m, uint64_t gpa, unsigned int size, uint64_t *e)
{
	const void *p = guest_mem_ptr(m, gpa, size);

	*e = 0;
	if (!p)
		return -1;
	memcpy(e, p, size);
	return 0;
}

/*
 * Walk levels..1 of a table whose entries are entry_size bytes and index
 * bits_per_level bits each; level 1 maps 4 KiB pages.  Large pages are
 * allowed at levels 2 and 3 (2/4 MiB and 1 GiB).
 */
static int walk(const struct guest_mem *m, uint64_t table, uint64_t gva, int levels,
		unsigned int entry_size, unsigned int bits_per_level, uint64_t *gpa)
{
	for (int level = levels; level >= 1; level--) {
		unsigned int shift = 12 + (level - 1) * bits_per_level;
		uint64_t idx = (gva >> shift) & ((1ull << bits_per_level) - 1), e, addr_mask;

		if (read_entry(m, table + idx * entry_size, entry_size, &e) || !(e & PTE_P))
			return -1;
		/* PS is reserved above the 1 GiB level: the CPU would fault. */
		if (level > 3 && (e & PTE_PS))
			return -1;
		addr_mask = entry_size == 4 ? 0xfffff000ull : PTE_ADDR;
		if (level > 1 && level <= 3 && (e & PTE_PS)) {
			uint64_t page = 1ull << shift;

			*gpa = (e & addr_mask & ~(page - 1)) | (gva & (page - 1));
			return 0;
		}
		table = e & addr_mask;
	}
	*gpa = table | (gva & 0xfff);
	return 0;
}

int gva_translate(const struct guest_mem *m, const struct kvm_sregs *s, uint64_t gva,
		  uint64_t *gpa)
{
	uint64_t pdpte;

	if (!(s->cr0 & CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	if (s->efer & EFER_LMA)
		return walk(m, s->cr3 & PTE_ADDR, gva, (s->cr4 & CR4_LA57) ? 5 : 4, 8, 9, gpa);
	if (s->cr4 & CR4_PAE) {
		gva &= 0xffffffffull;
		if (read_entry(m, (s->cr3 & 0xffffffe0ull) + (gva >> 30) * 8, 8, &pdpte) ||
		    !(pdpte & PTE_P))
			return -1;
		return walk(m, pdpte & PTE_ADDR, gva, 2, 8, 9, gpa);
	}
	gva &= 0xffffffffull;
	/* 32-bit paging: 4 MiB pages only with CR4.PSE; a PS bit without it is ignored. */
	if (!(s->cr4 & CR4_PSE)) {
		uint64_t pde;

		if (read_entry(m, (s->cr3 & 0xfffff000ull) + (gva >> 22) * 4, 4, &pde) ||
		    !(pde & PTE_P))
			return -1;
		return walk(m, pde & 0xfffff000ull, gva, 1, 4, 10, gpa);
	}
	return walk(m, s->cr3 & 0xfffff000ull, gva, 2, 4, 10, gpa);
}

unsigned int gva_read(const struct guest_mem *m, const struct kvm_sregs *s, uint64_t gva,
		      void *buf, unsigned int len)
{
	unsigned int done = 0;

	while (done < len) {
		uint64_t gpa, va = gva + done;
		unsigned int chunk = 4096 - (va & 0xfff);
		const void *p;

		if (chunk > len - done)
			chunk = len - done;
		if (gva_translate(m, s, va, &gpa))
			break;
		p = guest_mem_ptr(m, gpa, chunk);
		if (!p)
			break;
		memcpy((uint8_t *)buf + done, p, chunk);
		done += chunk;
	}
	return done;
}
