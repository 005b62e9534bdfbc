/* SPDX-License-Identifier: MIT */
/*
 * Scratch pages for page-fault tests.  The runtime identity-maps the first
 * 4 GiB with 2 MiB pages from PML4 entry 0; the scratch pages live in the
 * next GiB (PDPT entry 4, unused by the runtime) through a page directory
 * and page table of their own, so a test can make a 4 KiB page not-present,
 * read-only, supervisor-only, NX or malformed without touching anything the
 * payload itself runs on.
 */
#include "conform.h"

#define PDPT_SLOT 4

static uint64_t pd[512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096)));
static uint8_t pages[CT_PAGE_SLOTS][4096] __attribute__((aligned(4096)));

static uint64_t *pdpt(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	return (uint64_t *)(uintptr_t)(((uint64_t *)(uintptr_t)(cr3 & ~0xfffull))[0] & 0xffffffffff000ull);
}

void ct_page_map(unsigned int slot, uint64_t pa, uint64_t flags)
{
	uint64_t *dir = pdpt();
	uint64_t va = CT_PAGE_VA(slot);

	if (slot >= CT_PAGE_SLOTS)
		return;
	if (!(dir[PDPT_SLOT] & PTE_P)) {
		pd[0] = (uint64_t)(uintptr_t)pt | PTE_P | PTE_RW | PTE_US;
		dir[PDPT_SLOT] = (uint64_t)(uintptr_t)pd | PTE_P | PTE_RW | PTE_US;
	}
	pt[slot] = (pa & 0xffffffffff000ull) | flags;
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

uint64_t ct_page_phys(unsigned int slot)
{
	return (uint64_t)(uintptr_t)pages[slot % CT_PAGE_SLOTS];
}
