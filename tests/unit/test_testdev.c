/* SPDX-License-Identifier: MIT */
/*
 * The conformance test device's accesses, without KVM: the data register
 * keeps bytes k..k+n-1 of an n-byte access at offset k, device memory keeps
 * anything at any width and alignment, and every access that does not lie
 * wholly inside (past the end, empty, wider than 8 bytes, an offset that
 * would wrap) is refused without touching memory or the guest's buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev_testdev.h"
#include "vm_fault.h"

static int setup(void **state)
{
	*state = testdev_alloc(0);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	testdev_free(*state);
	return 0;
}

static uint32_t data_read(struct testdev *d, uint64_t off, uint32_t size)
{
	uint32_t v = 0;

	assert_true(testdev_data_access(d, off, (uint8_t *)&v, size, false));
	return v;
}

static void data_write(struct testdev *d, uint64_t off, uint32_t size, uint32_t v)
{
	assert_true(testdev_data_access(d, off, (uint8_t *)&v, size, true));
}

static void test_data_widths(void **state)
{
	struct testdev *d = *state;

	assert_int_equal(data_read(d, 0, 4), 0); /* starts cleared */
	data_write(d, 0, 4, 0x44332211);
	assert_int_equal(data_read(d, 0, 4), 0x44332211);
	for (uint32_t k = 0; k < 4; k++)
		assert_int_equal(data_read(d, k, 1), 0x11 * (k + 1));
	assert_int_equal(data_read(d, 0, 2), 0x2211);
	assert_int_equal(data_read(d, 1, 2), 0x3322); /* unaligned, inside: bytes 1..2 */
	assert_int_equal(data_read(d, 2, 2), 0x4433);

	/* A narrow write changes its own bytes only. */
	data_write(d, 3, 1, 0xaa);
	assert_int_equal(data_read(d, 0, 4), 0xaa332211);
	data_write(d, 1, 2, 0xbbcc);
	assert_int_equal(data_read(d, 0, 4), 0xaabbcc11);
	data_write(d, 0, 1, 0xdd);
	assert_int_equal(data_read(d, 0, 4), 0xaabbccdd);
}

/* Refused accesses leave the register and the caller's buffer alone. */
static void test_data_bounds(void **state)
{
	static const struct {
		uint64_t off;
		uint32_t size;
	} bad[] = {
		{ 1, 4 }, { 2, 4 }, { 3, 2 }, { 4, 1 }, { 0, 0 }, { 0, 5 }, { 0, 8 },
		{ 0, 9 }, { UINT64_MAX, 2 }, { UINT64_MAX - 2, 4 }, { 0, UINT32_MAX },
	};
	struct testdev *d = *state;
	uint8_t buf[16];

	data_write(d, 0, 4, 0x44332211);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0x5c, sizeof(buf));
		assert_false(testdev_data_access(d, bad[i].off, buf, bad[i].size, false));
		for (size_t k = 0; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 0x5c);
		assert_false(testdev_data_access(d, bad[i].off, buf, bad[i].size, true));
		assert_int_equal(data_read(d, 0, 4), 0x44332211);
	}
}

static void test_iomem(void **state)
{
	struct testdev *d = *state;
	uint64_t q = 0x8877665544332211ull, v = 0;
	uint8_t b;

	assert_true(testdev_iomem_access(d, 0x100, (uint8_t *)&q, 8, true));
	for (uint32_t k = 0; k < 8; k++) {
		assert_true(testdev_iomem_access(d, 0x100 + k, &b, 1, false));
		assert_int_equal(b, 0x11 * (k + 1));
	}
	/* Unaligned, any width 1-8, up to the very last byte. */
	for (uint32_t size = 1; size <= 8; size++) {
		uint64_t off = TESTDEV_IOMEM_SIZE - size, w = 0x0102030405060708ull >> (8 - size) * 8;

		assert_true(testdev_iomem_access(d, off, (uint8_t *)&w, size, true));
		v = 0;
		assert_true(testdev_iomem_access(d, off, (uint8_t *)&v, size, false));
		assert_int_equal(v, w);
		assert_true(testdev_iomem_access(d, 0x203, (uint8_t *)&w, size, true));
		v = 0;
		assert_true(testdev_iomem_access(d, 0x203, (uint8_t *)&v, size, false));
		assert_int_equal(v, w);
	}
}

static void test_iomem_bounds(void **state)
{
	static const struct {
		uint64_t off;
		uint32_t size;
	} bad[] = {
		{ TESTDEV_IOMEM_SIZE - 1, 2 },	{ TESTDEV_IOMEM_SIZE - 7, 8 },
		{ TESTDEV_IOMEM_SIZE, 1 },	{ TESTDEV_IOMEM_SIZE + 0x1000, 4 },
		{ 0, 0 },			{ 0, 9 },
		{ 0, 16 },			{ 0, UINT32_MAX },
		{ UINT64_MAX, 1 },		{ UINT64_MAX - 3, 8 },
	};
	struct testdev *d = *state;
	uint8_t buf[32], zero[8] = { 0 }, last[8];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(buf, 0x5c, sizeof(buf));
		assert_false(testdev_iomem_access(d, bad[i].off, buf, bad[i].size, false));
		for (size_t k = 0; k < sizeof(buf); k++)
			assert_int_equal(buf[k], 0x5c);
		assert_false(testdev_iomem_access(d, bad[i].off, buf, bad[i].size, true));
	}
	/* No refused write reached the memory's last bytes. */
	assert_true(testdev_iomem_access(d, TESTDEV_IOMEM_SIZE - 8, last, 8, false));
	assert_memory_equal(last, zero, sizeof(zero));
}

/* VM_FAULT_PIO_ECHO and VM_FAULT_MMIO_ECHO flip bit 0 of what is read, and only that. */
static void test_faults(void **state)
{
	struct testdev *pio = testdev_alloc(VM_FAULT_PIO_ECHO);
	struct testdev *mmio = testdev_alloc(VM_FAULT_MMIO_ECHO);
	uint64_t v = 0x1234, got;

	(void)state;
	assert_non_null(pio);
	assert_non_null(mmio);
	data_write(pio, 0, 4, 0x5a5a5a5a);
	assert_int_equal(data_read(pio, 0, 4), 0x5a5a5a5b);
	assert_int_equal(data_read(pio, 2, 1), 0x5b);
	got = 0;
	assert_true(testdev_iomem_access(pio, 0, (uint8_t *)&v, 8, true));
	assert_true(testdev_iomem_access(pio, 0, (uint8_t *)&got, 8, false));
	assert_int_equal(got, 0x1234);

	data_write(mmio, 0, 4, 0x5a5a5a5a);
	assert_int_equal(data_read(mmio, 0, 4), 0x5a5a5a5a);
	got = 0;
	assert_true(testdev_iomem_access(mmio, 0, (uint8_t *)&v, 8, true));
	assert_true(testdev_iomem_access(mmio, 0, (uint8_t *)&got, 8, false));
	assert_int_equal(got, 0x1235);
	got = 0;
	assert_true(testdev_iomem_access(mmio, 1, (uint8_t *)&got, 1, false));
	assert_int_equal(got, 0x13);
	testdev_free(pio);
	testdev_free(mmio);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_data_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iomem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iomem_bounds, setup, teardown),
		cmocka_unit_test(test_faults),
	};

	return cmocka_run_group_tests_name("testdev", tests, NULL, NULL);
}
