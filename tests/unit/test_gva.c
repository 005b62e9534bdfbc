/* SPDX-License-Identifier: MIT */
/*
 * Guest-virtual translation over page tables built here in a plain buffer:
 * 4-level and 5-level long mode with 4 KiB, 2 MiB and 1 GiB pages, PAE and
 * 32-bit paging, and the failures (not present, tables outside guest RAM)
 * that must come back as -1 rather than as a read out of bounds.
 */
#include <linux/kvm.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gva.h"

#define MEM_SIZE (4ull << 20)

#define CR0_PE 1ull
#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

#define P 1ull
#define RW 2ull
#define PS (1ull << 7)
#define PAT_LARGE (1ull << 12)
#define NX (1ull << 63)

/* Long-mode layout (guest-physical). */
#define PML4 0x1000ull
#define PDPT_LO 0x2000ull
#define PD 0x3000ull
#define PT 0x4000ull
#define PAGE_A 0x5000ull
#define PDPT_HI 0x6000ull
#define PML5 0x7000ull
#define PAGE_B 0x9000ull
#define LARGE_2M 0x200000ull
#define OUTSIDE 0x10000000ull	/* 256 MiB: beyond the 4 MiB of RAM */

struct ctx {
	struct guest_mem m;
	struct kvm_sregs s;
};

static void put64(struct guest_mem *m, uint64_t gpa, uint64_t v)
{
	memcpy(m->host + gpa, &v, 8);
}

static void put32(struct guest_mem *m, uint64_t gpa, uint32_t v)
{
	memcpy(m->host + gpa, &v, 4);
}

/*
 * gva 0x1000 -> PAGE_A (NX set), 0x2000 -> PAGE_B, 0x3000 not present,
 * 0x4000 -> outside RAM, 0x5000 present bit clear, 0x6000 -> PAGE_B (PAT
 * set); 0x400000 not present;
 * 0x600000 2 MiB -> LARGE_2M; 0x800000 and 0xa00000 page tables outside RAM;
 * 0xc00000 page table at the highest physical address; 0x40000000 1 GiB
 * page outside RAM; 0x8000000000 not present; 0xffffffff80000000 1 GiB -> 0.
 */
static void build_long_mode(struct guest_mem *m)
{
	put64(m, PML4 + 0 * 8, PDPT_LO | P | RW);
	put64(m, PML4 + 511 * 8, PDPT_HI | P | RW);
	put64(m, PDPT_LO + 0 * 8, PD | P | RW);
	put64(m, PDPT_LO + 1 * 8, 0x40000000ull | PS | P | RW);
	put64(m, PDPT_HI + 510 * 8, 0x0ull | PS | P | RW);
	put64(m, PD + 0 * 8, PT | P | RW);
	put64(m, PD + 3 * 8, LARGE_2M | PAT_LARGE | PS | P | RW);
	put64(m, PD + 4 * 8, OUTSIDE | P | RW);
	put64(m, PD + 5 * 8, MEM_SIZE | P | RW);
	put64(m, PD + 6 * 8, 0x000ffffffffff000ull | P | RW);
	put64(m, PT + 1 * 8, PAGE_A | NX | P | RW);
	put64(m, PT + 2 * 8, PAGE_B | P | RW);
	put64(m, PT + 4 * 8, OUTSIDE | P | RW);
	put64(m, PT + 5 * 8, PAGE_A | RW);
	put64(m, PT + 6 * 8, PAGE_B | PS | P);	/* bit 7 of a PTE is PAT */
	/* LA57: one more level above the same PML4. */
	put64(m, PML5 + 0 * 8, PML4 | P | RW);
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->m.size = MEM_SIZE;
	c->m.host = calloc(1, MEM_SIZE);
	if (!c->m.host) {
		free(c);
		return -1;
	}
	for (unsigned int i = 0; i < 4096; i++) {
		c->m.host[PAGE_A + i] = (uint8_t)i;
		c->m.host[PAGE_B + i] = (uint8_t)(0xff - i);
	}
	build_long_mode(&c->m);
	c->s.cr0 = CR0_PE | CR0_PG;
	c->s.cr4 = CR4_PAE;
	c->s.efer = EFER_LME | EFER_LMA;
	c->s.cr3 = PML4;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	free(c->m.host);
	free(c);
	return 0;
}

static uint64_t xlate(const struct ctx *c, uint64_t gva)
{
	uint64_t gpa = 0xdeadbeef;

	if (gva_translate(&c->m, &c->s, gva, &gpa))
		fail_msg("gva 0x%llx did not translate", (unsigned long long)gva);
	return gpa;
}

static void assert_unmapped(const struct ctx *c, uint64_t gva)
{
	uint64_t gpa = 0;

	if (!gva_translate(&c->m, &c->s, gva, &gpa))
		fail_msg("gva 0x%llx translated to 0x%llx, expected a failure",
			 (unsigned long long)gva, (unsigned long long)gpa);
}

static void test_4k(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(xlate(c, 0x1000), PAGE_A);
	assert_int_equal(xlate(c, 0x1abc), PAGE_A + 0xabc);	/* NX is not address */
	assert_int_equal(xlate(c, 0x2fff), PAGE_B + 0xfff);
	assert_int_equal(xlate(c, 0x4010), OUTSIDE + 0x10);	/* translated, not in RAM */
	assert_int_equal(xlate(c, 0x6123), PAGE_B + 0x123);	/* PAT is not a page size */
	/* Upper (sign-extension) bits do not select entries in 4-level mode. */
	assert_int_equal(xlate(c, 0xffff000000001234ull), PAGE_A + 0x234);
	/* CR3's PWT/PCD flag bits are not part of the table address. */
	c->s.cr3 = PML4 | 0x18;
	assert_int_equal(xlate(c, 0x2008), PAGE_B + 0x8);
}

static void test_2m(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(xlate(c, 0x600000), LARGE_2M);
	/* Bit 12 of a large-page entry is PAT, not address. */
	assert_int_equal(xlate(c, 0x6abcde), LARGE_2M + 0xabcde);
	assert_int_equal(xlate(c, 0x7fffff), LARGE_2M + 0x1fffff);
}

static void test_1g(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(xlate(c, 0xffffffff80000000ull), 0);
	assert_int_equal(xlate(c, 0xffffffff80001234ull), 0x1234);
	assert_int_equal(xlate(c, 0xffffffffbfffffffull), 0x3fffffff);
	assert_int_equal(xlate(c, 0x40000000ull + 0x123456), 0x40123456ull);
	/* The next 1 GiB of the high PDPT is not present. */
	assert_unmapped(c, 0xffffffffc0000000ull);
}

static void test_not_present(void **state)
{
	struct ctx *c = *state;

	assert_unmapped(c, 0x3000);		/* PTE zero */
	assert_unmapped(c, 0x5000);		/* PTE without P */
	assert_unmapped(c, 0x400000);		/* PDE zero */
	assert_unmapped(c, 0x80000000);		/* PDPTE zero */
	assert_unmapped(c, 0x8000000000ull);	/* PML4E zero */
	assert_unmapped(c, 0xffff800000000000ull);
	/* PS is reserved in a PML4 entry: the walk fails as the CPU would. */
	put64(&c->m, PML4, PDPT_LO | PS | P | RW);
	assert_unmapped(c, 0x1000);
	/* Clearing P in the PML4 entry hides everything below it. */
	put64(&c->m, PML4, PDPT_LO | RW);
	assert_unmapped(c, 0x1000);
}

static void test_tables_outside(void **state)
{
	struct ctx *c = *state;

	assert_unmapped(c, 0x800000);		/* PT at 256 MiB */
	assert_unmapped(c, 0xa00000);		/* PT starting at the end of RAM */
	assert_unmapped(c, 0xc00000);		/* PT at the top physical address */
	c->s.cr3 = OUTSIDE;
	assert_unmapped(c, 0x1000);
	c->s.cr3 = MEM_SIZE - 0x1000;		/* a PML4 in the last page of RAM is fine */
	put64(&c->m, MEM_SIZE - 0x1000, PDPT_LO | P | RW);
	assert_int_equal(xlate(c, 0x1000), PAGE_A);
	c->s.cr3 = 0xfffffffffffff000ull;
	assert_unmapped(c, 0xffffffffffffffffull);
}

static void test_la57(void **state)
{
	struct ctx *c = *state;

	c->s.cr4 |= CR4_LA57;
	c->s.cr3 = PML5;
	assert_int_equal(xlate(c, 0x1234), PAGE_A + 0x234);
	assert_int_equal(xlate(c, 0x6abcde), LARGE_2M + 0xabcde);
	/* PML5 entry 1 is empty: bit 48 now selects it. */
	assert_unmapped(c, 1ull << 48);
	/* The same address in 4-level mode ignores bit 48. */
	c->s.cr4 &= ~CR4_LA57;
	c->s.cr3 = PML4;
	assert_int_equal(xlate(c, (1ull << 48) | 0x1234), PAGE_A + 0x234);
}

static void test_paging_off(void **state)
{
	struct ctx *c = *state;
	uint8_t buf[16];

	c->s.cr0 = CR0_PE;
	c->s.efer = 0;
	assert_int_equal(xlate(c, 0x1000), 0x1000);
	assert_int_equal(xlate(c, 0x12345678), 0x12345678);
	assert_int_equal(xlate(c, 0xffffffffffffffffull), 0xffffffffffffffffull);
	/* Real mode too, with junk in CR3. */
	c->s.cr0 = 0;
	c->s.cr3 = 0xdead000;
	assert_int_equal(xlate(c, PAGE_A + 3), PAGE_A + 3);
	assert_int_equal(gva_read(&c->m, &c->s, PAGE_B + 4, buf, 4), 4);
	assert_int_equal(buf[0], 0xff - 4);
	/* Reading off the end of RAM stops there. */
	assert_int_equal(gva_read(&c->m, &c->s, MEM_SIZE - 6, buf, sizeof(buf)), 6);
	assert_int_equal(gva_read(&c->m, &c->s, MEM_SIZE, buf, sizeof(buf)), 0);
}

static void test_read(void **state)
{
	struct ctx *c = *state;
	uint8_t buf[64], want[32];

	/* Across the boundary from PAGE_A into the unrelated PAGE_B. */
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(gva_read(&c->m, &c->s, 0x1ff0, buf, 32), 32);
	memcpy(want, c->m.host + PAGE_A + 0xff0, 16);
	memcpy(want + 16, c->m.host + PAGE_B, 16);
	assert_memory_equal(buf, want, 32);
	assert_int_equal(buf[32], 0x11);

	/* Into the unmapped page after PAGE_B: only the mapped part. */
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(gva_read(&c->m, &c->s, 0x2ff8, buf, 16), 8);
	assert_memory_equal(buf, c->m.host + PAGE_B + 0xff8, 8);
	assert_int_equal(buf[8], 0x11);

	assert_int_equal(gva_read(&c->m, &c->s, 0x3000, buf, 16), 0);
	/* Mapped, but to an address outside RAM. */
	assert_int_equal(gva_read(&c->m, &c->s, 0x4000, buf, 16), 0);
	assert_int_equal(gva_read(&c->m, &c->s, 0x1000, buf, 0), 0);

	/* Through the 1 GiB page: guest-physical 0x5000 is PAGE_A. */
	assert_int_equal(gva_read(&c->m, &c->s, 0xffffffff80005000ull + 10, buf, 4), 4);
	assert_memory_equal(buf, c->m.host + PAGE_A + 10, 4);
}

/* 32-bit paging: 4-byte entries, 10 index bits a level, 4 MiB pages only with CR4.PSE. */
static void test_32bit(void **state)
{
	struct ctx *c = *state;
	const uint64_t pd = 0x20000, pt = 0x21000;

	put32(&c->m, pd + 0 * 4, pt | P | RW);
	put32(&c->m, pd + 2 * 4, 0x000000 | PS | P | RW);	/* gva 0x800000 */
	put32(&c->m, pd + 3 * 4, 0x500000 | P | RW);		/* PT outside RAM */
	put32(&c->m, pt + 1 * 4, PAGE_A | P | RW);
	put32(&c->m, pt + 0x3ff * 4, PAGE_B | P | RW);
	c->s.cr0 = CR0_PE | CR0_PG;
	c->s.cr4 = 0;
	c->s.efer = 0;
	c->s.cr3 = pd;

	assert_int_equal(xlate(c, 0x1abc), PAGE_A + 0xabc);
	assert_int_equal(xlate(c, 0x3ff010), PAGE_B + 0x10);
	/* Linear addresses are 32 bits. */
	assert_int_equal(xlate(c, 0x100001abcull), PAGE_A + 0xabc);
	assert_unmapped(c, 0x2000);
	assert_unmapped(c, 0x400000);
	assert_unmapped(c, 0xc00000);
	/* Without PSE the PS bit is ignored: PDE 2 names a page table at 0 (zeros). */
	assert_unmapped(c, 0x812345);
	c->s.cr4 = CR4_PSE;
	assert_int_equal(xlate(c, 0x812345), 0x12345);
	assert_int_equal(xlate(c, 0xbfffff), 0x3fffff);
	assert_int_equal(xlate(c, 0x1abc), PAGE_A + 0xabc);
}

/* PAE: a 4-entry PDPT at a 32-byte aligned CR3, then 2 levels of 8-byte entries. */
static void test_pae(void **state)
{
	struct ctx *c = *state;
	const uint64_t pdpt = 0x30020, pd0 = 0x31000, pt = 0x32000, pd1 = 0x33000;

	put64(&c->m, pdpt + 0 * 8, pd0 | P);
	put64(&c->m, pdpt + 1 * 8, pd1 | P);
	put64(&c->m, pdpt + 3 * 8, OUTSIDE | P);
	put64(&c->m, pd0 + 0 * 8, pt | P | RW);
	put64(&c->m, pd1 + 0 * 8, LARGE_2M | PS | P | RW);
	put64(&c->m, pt + 1 * 8, PAGE_A | NX | P | RW);
	c->s.cr0 = CR0_PE | CR0_PG;
	c->s.cr4 = CR4_PAE;
	c->s.efer = 0;
	c->s.cr3 = pdpt;

	assert_int_equal(xlate(c, 0x1abc), PAGE_A + 0xabc);
	assert_int_equal(xlate(c, 0x40012345), LARGE_2M + 0x12345);
	assert_int_equal(xlate(c, 0xffffffff00001abcull), PAGE_A + 0xabc);
	assert_unmapped(c, 0x2000);
	assert_unmapped(c, 0x80000000);		/* PDPTE 2 not present */
	assert_unmapped(c, 0xc0000000);		/* PD outside RAM */
	c->s.cr3 = MEM_SIZE;			/* PDPT just past the end of RAM */
	assert_unmapped(c, 0x1000);
	c->s.cr3 = MEM_SIZE - 0x20;		/* the last 32 bytes: in RAM, all zero */
	assert_unmapped(c, 0xc0000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_2m, setup, teardown),
		cmocka_unit_test_setup_teardown(test_1g, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_present, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tables_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_la57, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paging_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_32bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pae, setup, teardown),
	};

	return cmocka_run_group_tests_name("gva", tests, NULL, NULL);
}
