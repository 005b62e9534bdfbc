/* SPDX-License-Identifier: MIT */
/*
 * Port I/O against the pc-testdev data register (TESTDEV_PORT_DATA, four
 * bytes that keep what is written to them) and against a port no device
 * decodes.  Every value is written and read back at the width under test;
 * values have distinct bytes and both polarities in every bit, so a VMM
 * that drops, truncates, shifts or mixes up bytes shows.
 */
#include "conform.h"

/*
 * A port in the 0x300-0x31f block the PC reserved for prototype cards:
 * neither refvmm nor QEMU microvm decodes it (nor 0x80, but QEMU's pc
 * machine does), and it is below 0x400, so no 10-bit ISA alias of a real
 * device either.
 */
#define PORT_UNASSIGNED 0x300

#define BUF_LEN 40
#define CANARY 0xcc

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

/* rep insb/outsb with the registers the SDM says they update, as they end. */
struct rep_io {
	uint64_t si, di, cx;
};

static struct rep_io rep_outsb(uint16_t port, const void *src, uint64_t count)
{
	struct rep_io r = { .si = (uint64_t)(uintptr_t)src, .cx = count };

	__asm__ volatile("rep outsb" : "+S"(r.si), "+c"(r.cx) : "d"(port) : "memory");
	return r;
}

static struct rep_io rep_insb(uint16_t port, void *dst, uint64_t count, bool backward)
{
	struct rep_io r = { .di = (uint64_t)(uintptr_t)dst, .cx = count };

	/* DF is set only around the instruction: the ABI wants it clear everywhere else. */
	if (backward)
		__asm__ volatile("std; rep insb; cld"
				 : "+D"(r.di), "+c"(r.cx) : "d"(port) : "memory");
	else
		__asm__ volatile("rep insb" : "+D"(r.di), "+c"(r.cx) : "d"(port) : "memory");
	return r;
}

void pio_echo_byte(struct ct *t)
{
	static const uint8_t values[] = { 0x5a, 0xa5, 0x00, 0xff };

	for (unsigned int v = 0; v < sizeof(values); v++) {
		for (unsigned int k = 0; k < TESTDEV_PORT_DATA_LEN; k++) {
			uint8_t want = values[v] ^ (uint8_t)k, got; /* each byte its own value */

			rt_outb(TESTDEV_PORT_DATA + k, want);
			got = rt_inb(TESTDEV_PORT_DATA + k);
			if (!ct_check(t, got == want,
				      "inb 0x%x after outb 0x%x: expected 0x%x, got 0x%x",
				      TESTDEV_PORT_DATA + k, want, want, got))
				return;
		}
	}
}

void pio_echo_word(struct ct *t)
{
	static const uint16_t values[] = { 0x1234, 0xedcb, 0x0000, 0xffff };

	for (unsigned int v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		for (unsigned int k = 0; k < TESTDEV_PORT_DATA_LEN; k += 2) {
			uint16_t want = values[v] ^ (uint16_t)(k * 0x0101), got;

			outw(TESTDEV_PORT_DATA + k, want);
			got = inw(TESTDEV_PORT_DATA + k);
			if (!ct_check(t, got == want,
				      "inw 0x%x after outw 0x%x: expected 0x%x, got 0x%x",
				      TESTDEV_PORT_DATA + k, want, want, got))
				return;
		}
	}
}

void pio_echo_dword(struct ct *t)
{
	static const uint32_t values[] = { 0x12345678, 0xedcba987, 0x00000000, 0xffffffff,
					   0x80000001 };

	for (unsigned int v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		rt_outl(TESTDEV_PORT_DATA, values[v]);
		if (!CT_EQ(t, "inl 0xe0 after outl", rt_inl(TESTDEV_PORT_DATA), values[v]))
			return;
	}
}

/*
 * The register is four bytes, little-endian: a dword read back as bytes and
 * words, and bytes and words written one by one read back as the dword.
 */
void pio_echo_mixed(struct ct *t)
{
	const uint32_t dword = 0x44332211;

	rt_outl(TESTDEV_PORT_DATA, dword);
	for (unsigned int k = 0; k < 4; k++) {
		uint8_t got = rt_inb(TESTDEV_PORT_DATA + k);

		ct_check(t, got == (uint8_t)(dword >> (8 * k)),
			 "inb 0x%x after outl 0x%x: expected 0x%x, got 0x%x", TESTDEV_PORT_DATA + k,
			 dword, (uint8_t)(dword >> (8 * k)), got);
	}
	for (unsigned int k = 0; k < 4; k += 2) {
		uint16_t got = inw(TESTDEV_PORT_DATA + k);

		ct_check(t, got == (uint16_t)(dword >> (8 * k)),
			 "inw 0x%x after outl 0x%x: expected 0x%x, got 0x%x", TESTDEV_PORT_DATA + k,
			 dword, (uint16_t)(dword >> (8 * k)), got);
	}

	for (unsigned int k = 0; k < 4; k++)
		rt_outb(TESTDEV_PORT_DATA + k, 0xa0 + k);
	CT_EQ(t, "inl 0xe0 after outb 0xa0..0xa3 to 0xe0..0xe3", rt_inl(TESTDEV_PORT_DATA),
	      0xa3a2a1a0);
	outw(TESTDEV_PORT_DATA + 2, 0xb2b3);
	CT_EQ(t, "inl 0xe0 after outw 0xb2b3 to 0xe2", rt_inl(TESTDEV_PORT_DATA), 0xb2b3a1a0);
	outw(TESTDEV_PORT_DATA, 0xc0c1);
	CT_EQ(t, "inl 0xe0 after outw 0xc0c1 to 0xe0", rt_inl(TESTDEV_PORT_DATA), 0xb2b3c0c1);
}

/*
 * The register keeps only the last byte written, so order shows through the
 * count: after rep outsb of the first n bytes of a buffer of distinct bytes,
 * byte n-1 must be there, for every n.
 */
void pio_rep_outsb(struct ct *t)
{
	uint8_t buf[BUF_LEN];

	for (unsigned int i = 0; i < BUF_LEN; i++)
		buf[i] = 0x10 + i;
	for (unsigned int n = 1; n <= BUF_LEN; n++) {
		struct rep_io r;
		uint8_t got;

		rt_outb(TESTDEV_PORT_DATA, 0);
		r = rep_outsb(TESTDEV_PORT_DATA, buf, n);
		got = rt_inb(TESTDEV_PORT_DATA);
		if (!ct_check(t, got == buf[n - 1],
			      "rep outsb of %u bytes: the port holds 0x%x, not the last byte 0x%x",
			      n, got, buf[n - 1]) ||
		    !ct_check(t, r.si == (uint64_t)(uintptr_t)(buf + n),
			      "rep outsb of %u bytes: RSI advanced by %ld, expected %u", n,
			      (long)(r.si - (uint64_t)(uintptr_t)buf), n) ||
		    !CT_EQ(t, "rep outsb: RCX at the end", r.cx, 0))
			return;
	}
}

/* buf[lo, lo + n) hold want and every other byte is still the canary. */
static bool fill_check(struct ct *t, const char *what, const uint8_t *buf, unsigned int lo,
		       unsigned int n, uint8_t want)
{
	for (unsigned int i = 0; i < BUF_LEN; i++) {
		uint8_t expect = i >= lo && i < lo + n ? want : CANARY;

		if (!ct_check(t, buf[i] == expect, "%s: buffer byte %u: expected 0x%x, got 0x%x",
			      what, i, expect, buf[i]))
			return false;
	}
	return true;
}

void pio_rep_insb(struct ct *t)
{
	uint8_t buf[BUF_LEN];
	const unsigned int n = BUF_LEN - 8;
	struct rep_io r;

	memset(buf, CANARY, sizeof(buf));
	rt_outb(TESTDEV_PORT_DATA, 0x3c);
	r = rep_insb(TESTDEV_PORT_DATA, buf + 4, n, false);
	fill_check(t, "rep insb", buf, 4, n, 0x3c);
	ct_check(t, r.di == (uint64_t)(uintptr_t)(buf + 4 + n),
		 "rep insb of %u bytes: RDI advanced by %ld, expected %u", n,
		 (long)(r.di - (uint64_t)(uintptr_t)(buf + 4)), n);
	CT_EQ(t, "rep insb: RCX at the end", r.cx, 0);
}

/* With DF=1 the first byte lands at RDI and the rest below it. */
void pio_rep_insb_backward(struct ct *t)
{
	uint8_t buf[BUF_LEN];
	const unsigned int n = BUF_LEN - 8, top = 4 + n - 1;
	struct rep_io r;

	memset(buf, CANARY, sizeof(buf));
	rt_outb(TESTDEV_PORT_DATA, 0x3c);
	r = rep_insb(TESTDEV_PORT_DATA, buf + top, n, true);
	fill_check(t, "rep insb with DF=1", buf, 4, n, 0x3c);
	ct_check(t, r.di == (uint64_t)(uintptr_t)(buf + top) - n,
		 "rep insb with DF=1 of %u bytes: RDI moved by %ld, expected -%u", n,
		 (long)(r.di - (uint64_t)(uintptr_t)(buf + top)), n);
	CT_EQ(t, "rep insb with DF=1: RCX at the end", r.cx, 0);
}

void pio_rep_count_zero(struct ct *t)
{
	uint8_t buf[BUF_LEN];
	struct rep_io r;

	memset(buf, CANARY, sizeof(buf));
	rt_outb(TESTDEV_PORT_DATA, 0x3c);
	r = rep_insb(TESTDEV_PORT_DATA, buf + 4, 0, false);
	fill_check(t, "rep insb with RCX=0", buf, 4, 0, 0x3c);
	CT_EQ(t, "rep insb with RCX=0: RDI", r.di, (uint64_t)(uintptr_t)(buf + 4));
	CT_EQ(t, "rep insb with RCX=0: RCX", r.cx, 0);

	r = rep_outsb(TESTDEV_PORT_DATA, buf, 0);
	CT_EQ(t, "the port after rep outsb of 0xcc bytes with RCX=0 (it held 0x3c)",
	      rt_inb(TESTDEV_PORT_DATA), 0x3c);
	CT_EQ(t, "rep outsb with RCX=0: RSI", r.si, (uint64_t)(uintptr_t)buf);
	CT_EQ(t, "rep outsb with RCX=0: RCX", r.cx, 0);
}

void pio_unassigned_read(struct ct *t)
{
	CT_EQ(t, "inb from unassigned port 0x300", rt_inb(PORT_UNASSIGNED), 0xff);
	CT_EQ(t, "inw from unassigned port 0x300", inw(PORT_UNASSIGNED), 0xffff);
	CT_EQ(t, "inl from unassigned port 0x300", rt_inl(PORT_UNASSIGNED), 0xffffffff);
}

static uint64_t write_unassigned(void *arg)
{
	(void)arg;
	rt_outb(PORT_UNASSIGNED, 0x12);
	outw(PORT_UNASSIGNED, 0x3456);
	rt_outl(PORT_UNASSIGNED, 0x789abcde);
	return 1;
}

/* The writes complete, and nothing behind the port kept them. */
void pio_unassigned_write(struct ct *t)
{
	if (!ct_expect_no_exception(t, "outb/outw/outl to unassigned port 0x300",
				    write_unassigned, NULL))
		return;
	CT_EQ(t, "inl from unassigned port 0x300 after writes to it", rt_inl(PORT_UNASSIGNED),
	      0xffffffff);
}
