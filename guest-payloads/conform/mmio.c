/* SPDX-License-Identifier: MIT */
/*
 * MMIO against the pc-testdev device memory (TESTDEV_IOMEM_BASE, 64 KiB
 * that keep what is written to them, at any width and alignment), against
 * read-only memory (the ROM at CONFORM_ROM_BASE) and against physical
 * addresses nothing decodes.  The runtime maps the 4th GiB uncached, so
 * every access here reaches the hypervisor as the width the code names.
 */
#include "conform.h"

/*
 * In the 32-bit hole, where neither refvmm nor QEMU microvm decodes
 * anything: above microvm's PCIe windows (0xc0000000-0xefffffff when it has
 * PCIe), below its ACPI GED and virtio-mmio (0xfea00000 up), away from
 * hvbench's bench devices (0xd0000000), the IOAPIC, LAPIC and test device.
 */
#define MMIO_UNASSIGNED 0xfd000000ull

#define STRING_LEN 100

static uint64_t mask_of(unsigned int size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* size bytes of refvmm's ROM at a 4-byte aligned address: CONFORM_ROM_PATTERN repeated. */
static uint64_t rom_pattern(unsigned int size)
{
	return ((uint64_t)CONFORM_ROM_PATTERN << 32 | CONFORM_ROM_PATTERN) & mask_of(size);
}

/* One access of exactly size bytes at physical address pa (identity-mapped). */
static void mmio_write(uint64_t pa, unsigned int size, uint64_t v)
{
	switch (size) {
	case 1:
		*(volatile uint8_t *)(uintptr_t)pa = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)(uintptr_t)pa = (uint16_t)v;
		break;
	case 4:
		*(volatile uint32_t *)(uintptr_t)pa = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)(uintptr_t)pa = v;
		break;
	}
}

static uint64_t mmio_read(uint64_t pa, unsigned int size)
{
	switch (size) {
	case 1:
		return *(volatile uint8_t *)(uintptr_t)pa;
	case 2:
		return *(volatile uint16_t *)(uintptr_t)pa;
	case 4:
		return *(volatile uint32_t *)(uintptr_t)pa;
	default:
		return *(volatile uint64_t *)(uintptr_t)pa;
	}
}

/* Read back size bytes at pa: they must be want. */
static bool read_check(struct ct *t, uint64_t pa, unsigned int size, uint64_t want,
		       const char *after)
{
	uint64_t got = mmio_read(pa, size);

	return ct_check(t, got == want, "%u-byte read at 0x%lx %s: expected 0x%lx, got 0x%lx",
			size, pa, after, want, got);
}

/*
 * Values written at three places (the start, the middle, the last slot of
 * the memory) before any is read back, so a device that keeps only the
 * last value written fails, and every place gets its own value.
 */
static void rw_test(struct ct *t, unsigned int size)
{
	static const uint64_t patterns[] = { 0x0123456789abcdefull, 0xfedcba9876543210ull, 0,
					     ~0ull, 0x8000000000000001ull };
	const uint64_t offs[] = { 0, 0x1230, TESTDEV_IOMEM_SIZE - size };
	const unsigned int n = sizeof(offs) / sizeof(offs[0]);

	for (unsigned int p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		for (unsigned int i = 0; i < n; i++)
			mmio_write(TESTDEV_IOMEM_BASE + offs[i], size,
				   patterns[p] ^ (i * 0x1111111111111111ull));
		for (unsigned int i = 0; i < n; i++)
			if (!read_check(t, TESTDEV_IOMEM_BASE + offs[i], size,
					(patterns[p] ^ (i * 0x1111111111111111ull)) & mask_of(size),
					"after writing it"))
				return;
	}
}

void mmio_rw_byte(struct ct *t)
{
	rw_test(t, 1);
}

void mmio_rw_word(struct ct *t)
{
	rw_test(t, 2);
}

void mmio_rw_dword(struct ct *t)
{
	rw_test(t, 4);
}

void mmio_rw_qword(struct ct *t)
{
	rw_test(t, 8);
}

/*
 * Little-endian both ways: a qword read as its bytes, words and dwords, a
 * narrower write changing exactly its own bytes of the qword, and bytes
 * written one by one read as the qword.
 */
void mmio_mixed_width(struct ct *t)
{
	const uint64_t pa = TESTDEV_IOMEM_BASE + 0x100, q = 0x8877665544332211ull;

	mmio_write(pa, 8, q);
	for (unsigned int size = 1; size < 8; size *= 2)
		for (unsigned int k = 0; k < 8; k += size)
			read_check(t, pa + k, size, (q >> (8 * k)) & mask_of(size),
				   "of the qword 0x8877665544332211");

	mmio_write(pa + 3, 1, 0xaa);
	read_check(t, pa, 8, 0x88776655aa332211ull, "after writing byte 0xaa at +3");
	mmio_write(pa + 6, 2, 0xbbcc);
	read_check(t, pa, 8, 0xbbcc6655aa332211ull, "after writing word 0xbbcc at +6");
	mmio_write(pa + 0, 4, 0xddeeff00);
	read_check(t, pa, 8, 0xbbcc6655ddeeff00ull, "after writing dword 0xddeeff00 at +0");

	for (unsigned int k = 0; k < 8; k++)
		mmio_write(pa + k, 1, k + 1);
	read_check(t, pa, 8, 0x0807060504030201ull, "after writing bytes 1..8");
}

/* An unaligned access of size at pa: it reads back whole, and its bytes are where they belong. */
static bool unaligned_check(struct ct *t, uint64_t pa, unsigned int size, uint64_t v)
{
	mmio_write(pa - 1, 1, 0x5c); /* guards: an access must not spill over */
	mmio_write(pa + size, 1, 0x5c);
	mmio_write(pa, size, v);
	if (!read_check(t, pa, size, v & mask_of(size), "(unaligned) after writing it"))
		return false;
	for (unsigned int k = 0; k < size; k++)
		if (!read_check(t, pa + k, 1, (v >> (8 * k)) & 0xff, "inside an unaligned write"))
			return false;
	return read_check(t, pa - 1, 1, 0x5c, "before an unaligned write") &&
	       read_check(t, pa + size, 1, 0x5c, "after an unaligned write");
}

void mmio_unaligned(struct ct *t)
{
	const uint64_t base = TESTDEV_IOMEM_BASE + 0x200;

	for (unsigned int k = 1; k < 8; k++) {
		if (k % 4 && !unaligned_check(t, base + k, 4, 0xa1b2c3d4 ^ k))
			return;
		if (!unaligned_check(t, base + 0x10 + k, 8, 0x0f1e2d3c4b5a6978ull ^ k))
			return;
	}
	/* Across a 4 KiB page boundary, which KVM splits into two exits. */
	if (unaligned_check(t, TESTDEV_IOMEM_BASE + 0xffe, 4, 0x31415926))
		unaligned_check(t, TESTDEV_IOMEM_BASE + 0x1ffb, 8, 0x2718281828459045ull);
}

static void movsb(void *dst, const void *src, uint64_t n, uint64_t *di, uint64_t *si,
		  uint64_t *cx)
{
	*di = (uint64_t)(uintptr_t)dst;
	*si = (uint64_t)(uintptr_t)src;
	*cx = n;
	__asm__ volatile("rep movsb" : "+D"(*di), "+S"(*si), "+c"(*cx) : : "memory");
}

void mmio_string(struct ct *t)
{
	const uint64_t pa = TESTDEV_IOMEM_BASE + 0x301; /* unaligned on purpose */
	uint8_t *dev = (uint8_t *)(uintptr_t)pa;
	uint8_t src[STRING_LEN], back[STRING_LEN];
	uint64_t di, si, cx;

	for (unsigned int i = 0; i < STRING_LEN; i++) {
		src[i] = (uint8_t)(i * 7 + 3);
		back[i] = 0;
	}
	mmio_write(pa - 1, 1, 0x5c);
	mmio_write(pa + STRING_LEN, 1, 0x5c);

	movsb(dev, src, STRING_LEN, &di, &si, &cx);
	ct_check(t, di == pa + STRING_LEN && si == (uint64_t)(uintptr_t)(src + STRING_LEN) && !cx,
		 "rep movsb of %u bytes to device memory: RDI/RSI advanced by %ld/%ld, RCX 0x%lx",
		 STRING_LEN, (long)(di - pa), (long)(si - (uint64_t)(uintptr_t)src), cx);
	for (unsigned int i = 0; i < STRING_LEN; i++)
		if (!read_check(t, pa + i, 1, src[i], "after rep movsb to device memory"))
			return;
	read_check(t, pa - 1, 1, 0x5c, "before the rep movsb destination");
	read_check(t, pa + STRING_LEN, 1, 0x5c, "after the rep movsb destination");

	movsb(back, dev, STRING_LEN, &di, &si, &cx);
	ct_check(t, si == pa + STRING_LEN && di == (uint64_t)(uintptr_t)(back + STRING_LEN) && !cx,
		 "rep movsb of %u bytes from device memory: RSI/RDI advanced by %ld/%ld, RCX 0x%lx",
		 STRING_LEN, (long)(si - pa), (long)(di - (uint64_t)(uintptr_t)back), cx);
	for (unsigned int i = 0; i < STRING_LEN; i++)
		if (!ct_check(t, back[i] == src[i],
			      "rep movsb back from device memory: byte %u: expected 0x%x, got 0x%x",
			      i, src[i], back[i]))
			return;
}

struct rom_write {
	uint64_t pa, v;
	unsigned int size;
};

static uint64_t rom_write(void *arg)
{
	const struct rom_write *w = arg;

	mmio_write(w->pa, w->size, w->v);
	return 1;
}

/*
 * refvmm's ROM says what it is (CONFORM_ROM_PATTERN, and the control device
 * tells refvmm apart).  Elsewhere the memory at CONFORM_ROM_BASE may be RAM:
 * QEMU microvm loads its BIOS there as RAM, not ROM.  Without the control
 * device a write that sticks is therefore no evidence against the VMM: the
 * test skips, after putting the old contents back.
 */
void mmio_rom_write_discarded(struct ct *t)
{
	static const unsigned int sizes[] = { 1, 4, 8 };
	bool is_rom = ct_ctl_present(), took = false;

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct rom_write w = { CONFORM_ROM_BASE + 0x100 + 0x10 * i, 0, sizes[i] };
		uint64_t before = mmio_read(w.pa, w.size), next = mmio_read(w.pa + 8, 8), after;

		if (is_rom && !read_check(t, w.pa, w.size, rom_pattern(w.size),
					  "of refvmm's ROM"))
			return;
		w.v = ~before;
		if (!ct_expect_no_exception(t, "a write to read-only memory", rom_write, &w))
			return;
		after = mmio_read(w.pa, w.size);
		if (!is_rom && after != before) {
			took = true;
			mmio_write(w.pa, w.size, before);
			continue;
		}
		ct_check(t, after == before,
			 "%u-byte read at 0x%lx after writing 0x%lx to read-only memory: expected "
			 "0x%lx, got 0x%lx", w.size, w.pa, w.v & mask_of(w.size), before, after);
		read_check(t, w.pa + 8, 8, next, "next to a write to read-only memory");
	}
	if (took)
		ct_skip(t, "the memory at 0x%lx took writes: this VMM has RAM there, not ROM "
			"(QEMU microvm loads its BIOS as RAM), and no control device says otherwise",
			(uint64_t)CONFORM_ROM_BASE);
}

/* The control device's log of ROM writes: count, then address, data and length of the last. */
static void rom_log_check(struct ct *t, uint32_t writes, const struct rom_write *w)
{
	uint32_t n = ct_ctl(CONFORM_CMD_ROM_WRITES, 0);
	uint32_t addr = ct_ctl(CONFORM_CMD_ROM_LAST_ADDR, 0);
	uint32_t data = ct_ctl(CONFORM_CMD_ROM_LAST_DATA, 0);
	uint32_t len = ct_ctl(CONFORM_CMD_ROM_LAST_LEN, 0);
	char what[80];

	rt_snprintf(what, sizeof(what), "after a %u-byte ROM write at 0x%lx: ", w->size, w->pa);
	ct_check(t, n == writes, "%sthe VMM saw %u ROM write exits in all, expected %u", what, n,
		 writes);
	ct_check(t, addr == (uint32_t)w->pa, "%sthe exit's address: expected 0x%x, got 0x%x", what,
		 (uint32_t)w->pa, addr);
	ct_check(t, data == (uint32_t)w->v, "%sthe exit's data: expected 0x%x, got 0x%x", what,
		 (uint32_t)w->v, data);
	ct_check(t, len == w->size, "%sthe exit's length: expected %u, got %u", what, w->size, len);
}

void mmio_rom_write_exit(struct ct *t)
{
	static const struct rom_write writes[] = {
		{ CONFORM_ROM_BASE + 0x44, 0x12345678, 4 },
		{ CONFORM_ROM_BASE + 0x1235, 0xab, 1 },
		{ CONFORM_ROM_BASE + CONFORM_ROM_SIZE - 8, 0x1122334455667788ull, 8 },
	};
	uint32_t n0;

	if (!ct_ctl_present()) {
		ct_skip(t, "needs refvmm's control device (port 0x%x) to see the VMM's exits",
			CONFORM_CTL_ID);
		return;
	}
	n0 = ct_ctl(CONFORM_CMD_ROM_WRITES, 0);
	for (unsigned int i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		const struct rom_write *w = &writes[i];

		if (!ct_expect_no_exception(t, "a write to the ROM", rom_write, (void *)w))
			return;
		rom_log_check(t, n0 + i + 1, w);
		read_check(t, w->pa & ~3ull, 4, rom_pattern(4), "of the ROM after a write");
	}
}

void mmio_unassigned_read(struct ct *t)
{
	for (unsigned int size = 1; size <= 8; size *= 2)
		read_check(t, MMIO_UNASSIGNED, size, mask_of(size), "of unassigned address space");
}
