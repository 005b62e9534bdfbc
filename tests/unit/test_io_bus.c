/* SPDX-License-Identifier: MIT */
/*
 * The I/O dispatch table: registration keeps it sorted and overlap-free,
 * lookups find the one range wholly containing an access or nothing.  A
 * port bus's direct map must say exactly what a search of the table says,
 * for every one of the 65536 ports, after every registration (those that
 * move ranges within the table or move the table itself included) and
 * after every refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io_bus.h"

static unsigned int calls[4];

static void handler(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	(void)vcpu;
	(void)a;
	calls[(uintptr_t)opaque]++;
}

static void other_handler(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	(void)opaque;
	(void)vcpu;
	a->data[0] = 0x5a;
}

static int reg(struct io_bus *bus, uint64_t base, uint64_t len, const char *name,
	       struct vmm_err *err)
{
	*err = (struct vmm_err){ 0 };
	return io_bus_register(bus, base, len, handler, NULL, name, err);
}

static void assert_sorted(const struct io_bus *bus)
{
	for (size_t i = 1; i < bus->nr; i++)
		if (bus->ranges[i - 1].base + bus->ranges[i - 1].len > bus->ranges[i].base)
			fail_msg("ranges %zu (0x%llx+0x%llx) and %zu (0x%llx) out of order or "
				 "overlapping",
				 i - 1, (unsigned long long)bus->ranges[i - 1].base,
				 (unsigned long long)bus->ranges[i - 1].len, i,
				 (unsigned long long)bus->ranges[i].base);
}

/* A bus with the legacy PC ports, registered out of order. */
static int setup(void **state)
{
	struct io_bus *bus = calloc(1, sizeof(*bus));
	struct vmm_err err = { 0 };

	if (!bus)
		return -1;
	if (io_bus_register(bus, 0x3f8, 8, handler, (void *)0, "serial0", &err) ||
	    io_bus_register(bus, 0x60, 1, handler, (void *)1, "kbd", &err) ||
	    io_bus_register(bus, 0x2f8, 8, other_handler, (void *)2, "serial1", &err) ||
	    io_bus_register(bus, 0x80, 1, handler, (void *)3, "post", &err))
		return -1;
	*state = bus;
	return 0;
}

static int teardown(void **state)
{
	struct io_bus *bus = *state;

	io_bus_free(bus);
	free(bus);
	return 0;
}

static void test_sorted(void **state)
{
	struct io_bus *bus = *state;
	static const uint64_t bases[] = { 0x60, 0x80, 0x2f8, 0x3f8 };
	static const char *const names[] = { "kbd", "post", "serial1", "serial0" };

	assert_int_equal(bus->nr, 4);
	for (size_t i = 0; i < bus->nr; i++) {
		assert_int_equal(bus->ranges[i].base, bases[i]);
		assert_string_equal(bus->ranges[i].name, names[i]);
	}
	assert_int_equal(bus->ranges[0].len, 1);
	assert_int_equal(bus->ranges[3].len, 8);
}

static void test_overlap(void **state)
{
	struct io_bus *bus = *state;
	struct vmm_err err;

	/* Starts inside serial0. */
	assert_int_equal(reg(bus, 0x3ff, 2, "a", &err), -1);
	assert_int_equal(err.kind, VMM_ERR_INTERNAL);
	assert_string_equal(err.msg, "a at 0x3ff overlaps serial0 at 0x3f8");
	/* Ends inside serial0. */
	assert_int_equal(reg(bus, 0x3f0, 9, "b", &err), -1);
	assert_string_equal(err.msg, "b at 0x3f0 overlaps serial0 at 0x3f8");
	/* Same base, shorter. */
	assert_int_equal(reg(bus, 0x2f8, 1, "c", &err), -1);
	assert_non_null(strstr(err.msg, "overlaps serial1"));
	/* Encloses serial1. */
	assert_int_equal(reg(bus, 0x200, 0x100, "d", &err), -1);
	assert_non_null(strstr(err.msg, "overlaps serial1"));
	/* Inside serial0. */
	assert_int_equal(reg(bus, 0x3fa, 1, "e", &err), -1);
	assert_non_null(strstr(err.msg, "overlaps serial0"));
	/* Over two ranges. */
	assert_int_equal(reg(bus, 0x70, 0x300, "f", &err), -1);
	assert_non_null(strstr(err.msg, "overlaps"));
	assert_int_equal(bus->nr, 4);
	assert_sorted(bus);

	/* Touching on either side is not overlapping. */
	assert_int_equal(reg(bus, 0x3f0, 8, "below", &err), 0);
	assert_int_equal(reg(bus, 0x400, 1, "above", &err), 0);
	assert_int_equal(reg(bus, 0x61, 0x1f, "between", &err), 0);
	assert_int_equal(bus->nr, 7);
	assert_sorted(bus);
	assert_string_equal(io_bus_find(bus, 0x3f7, 1)->name, "below");
	assert_string_equal(io_bus_find(bus, 0x3f8, 1)->name, "serial0");
	assert_string_equal(io_bus_find(bus, 0x3ff, 1)->name, "serial0");
	assert_string_equal(io_bus_find(bus, 0x400, 1)->name, "above");
	assert_string_equal(io_bus_find(bus, 0x7f, 1)->name, "between");
	assert_string_equal(io_bus_find(bus, 0x80, 1)->name, "post");
}

static void test_empty_and_wrapping(void **state)
{
	struct io_bus *bus = *state;
	struct vmm_err err;

	assert_int_equal(reg(bus, 0x1000, 0, "empty", &err), -1);
	assert_int_equal(err.kind, VMM_ERR_INTERNAL);
	assert_string_equal(err.msg, "empty: empty or wrapping range");
	assert_int_equal(reg(bus, UINT64_MAX, 2, "wrap", &err), -1);
	assert_string_equal(err.msg, "wrap: empty or wrapping range");
	assert_int_equal(reg(bus, 1, UINT64_MAX, "wrap2", &err), -1);
	/* [2^64 - 0x1000, 2^64) itself cannot be expressed: base + len wraps to 0. */
	assert_int_equal(reg(bus, UINT64_MAX - 0xfff, 0x1000, "top", &err), -1);
	assert_int_equal(bus->nr, 4);

	/* The highest expressible range, ending one byte short of 2^64. */
	assert_int_equal(reg(bus, UINT64_MAX - 0x1000, 0x1000, "top", &err), 0);
	assert_string_equal(io_bus_find(bus, UINT64_MAX - 1, 1)->name, "top");
	assert_null(io_bus_find(bus, UINT64_MAX, 1));
	assert_null(io_bus_find(bus, UINT64_MAX - 1, 2));
	assert_string_equal(bus->ranges[bus->nr - 1].name, "top");
}

static void test_find(void **state)
{
	struct io_bus *bus = *state;
	const struct io_range *r;
	uint8_t data[4] = { 0 };
	struct io_access a = { .addr = 0x2fa, .data = data, .size = 1, .write = false };

	r = io_bus_find(bus, 0x3f8, 1);
	assert_non_null(r);
	assert_string_equal(r->name, "serial0");
	assert_int_equal(r->base, 0x3f8);
	assert_int_equal(r->len, 8);
	assert_ptr_equal(r->fn, handler);
	assert_ptr_equal(r->opaque, (void *)0);

	assert_ptr_equal(io_bus_find(bus, 0x60, 1)->opaque, (void *)1);
	assert_ptr_equal(io_bus_find(bus, 0x80, 1)->opaque, (void *)3);

	/* The handler and opaque registered are the ones dispatched to. */
	r = io_bus_find(bus, a.addr, a.size);
	assert_non_null(r);
	assert_ptr_equal(r->opaque, (void *)2);
	r->fn(r->opaque, NULL, &a);
	assert_int_equal(data[0], 0x5a);
	memset(calls, 0, sizeof(calls));
	r = io_bus_find(bus, 0x80, 1);
	r->fn(r->opaque, NULL, &a);
	assert_int_equal(calls[3], 1);
	assert_int_equal(calls[0] + calls[1] + calls[2], 0);

	/* Wide accesses wholly inside. */
	assert_string_equal(io_bus_find(bus, 0x3f8, 4)->name, "serial0");
	assert_string_equal(io_bus_find(bus, 0x3fc, 4)->name, "serial0");
	assert_string_equal(io_bus_find(bus, 0x3f8, 8)->name, "serial0");
}

static void test_straddle(void **state)
{
	struct io_bus *bus = *state;

	assert_null(io_bus_find(bus, 0x3fd, 4));	/* past serial0's end */
	assert_null(io_bus_find(bus, 0x3f8, 9));
	assert_null(io_bus_find(bus, 0x60, 2));		/* kbd into the gap */
	assert_null(io_bus_find(bus, 0x5f, 2));		/* gap into kbd */
	assert_null(io_bus_find(bus, 0x3ff, UINT32_MAX));
	assert_null(io_bus_find(bus, 0x2f7, 2));
	assert_string_equal(io_bus_find(bus, 0x3ff, 1)->name, "serial0");
}

static void test_gaps(void **state)
{
	struct io_bus *bus = *state;
	struct io_bus empty = { 0 };

	assert_null(io_bus_find(bus, 0, 1));
	assert_null(io_bus_find(bus, 0x5f, 1));
	assert_null(io_bus_find(bus, 0x61, 1));
	assert_null(io_bus_find(bus, 0x7f, 1));
	assert_null(io_bus_find(bus, 0x81, 1));
	assert_null(io_bus_find(bus, 0x2f7, 1));
	assert_null(io_bus_find(bus, 0x300, 1));
	assert_null(io_bus_find(bus, 0x3f7, 1));
	assert_null(io_bus_find(bus, 0x400, 1));
	assert_null(io_bus_find(bus, 0xfee00000, 4));
	assert_null(io_bus_find(bus, UINT64_MAX, 1));
	assert_null(io_bus_find(&empty, 0x3f8, 1));
}

/* Many ranges in scrambled order: the table grows, stays sorted, every one is found. */
static void test_many(void **state)
{
	struct io_bus bus = { 0 };
	struct vmm_err err;
	enum { N = 200 };
	static char names[N][8];

	(void)state;
	for (unsigned int i = 0; i < N; i++) {
		unsigned int k = (i * 73) % N; /* 73 is coprime to 200: a permutation */

		snprintf(names[k], sizeof(names[k]), "r%u", k);
		assert_int_equal(reg(&bus, 0x10000 + k * 0x100, 0x10 + k, names[k], &err), 0);
	}
	assert_int_equal(bus.nr, N);
	assert_true(bus.cap >= N);
	assert_sorted(&bus);
	for (unsigned int k = 0; k < N; k++) {
		uint64_t base = 0x10000 + k * 0x100;
		const struct io_range *r = io_bus_find(&bus, base + k / 2, 1);

		assert_non_null(r);
		assert_string_equal(r->name, names[k]);
		assert_int_equal(bus.ranges[k].base, base);
		assert_string_equal(io_bus_find(&bus, base + 0x10 + k - 1, 1)->name, names[k]);
		assert_null(io_bus_find(&bus, base + 0x10 + k, 1));
		assert_null(io_bus_find(&bus, base + 0x10 + k - 1, 2));
	}
	/* Every registered range rejects a duplicate. */
	for (unsigned int k = 0; k < N; k += 17)
		assert_int_equal(reg(&bus, 0x10000 + k * 0x100 + 1, 1, "dup", &err), -1);
	assert_int_equal(bus.nr, N);
	io_bus_free(&bus);
	assert_null(bus.ranges);
	assert_int_equal(bus.nr, 0);
	assert_int_equal(bus.cap, 0);
}

/* The range holding addr by a plain walk of the table, or NULL. */
static const struct io_range *walk(const struct io_bus *bus, uint64_t addr)
{
	for (size_t i = 0; i < bus->nr; i++)
		if (addr - bus->ranges[i].base < bus->ranges[i].len)
			return &bus->ranges[i];
	return NULL;
}

/* Every port's map entry is what the walk finds. */
static void assert_map(const struct io_bus *bus)
{
	assert_non_null(bus->port_map);
	for (uint32_t p = 0; p < IO_BUS_PORTS; p++)
		if (bus->port_map[p] != walk(bus, p))
			fail_msg("port 0x%x maps to %s, the table says %s", p,
				 bus->port_map[p] ? bus->port_map[p]->name : "nothing",
				 walk(bus, p) ? walk(bus, p)->name : "nothing");
}

static void test_ports_edges(void **state)
{
	struct io_bus bus = { 0 };
	struct vmm_err err = { 0 };

	(void)state;
	assert_int_equal(io_bus_init_ports(&bus, &err), 0);
	assert_map(&bus);
	assert_null(io_bus_find_port(&bus, 0, 1));
	assert_null(io_bus_find_port(&bus, 0xffff, 1));

	/* The first and the last port, each a range of its own. */
	assert_int_equal(reg(&bus, 0, 1, "first", &err), 0);
	assert_int_equal(reg(&bus, 0xffff, 1, "last", &err), 0);
	assert_map(&bus);
	assert_string_equal(io_bus_find_port(&bus, 0, 1)->name, "first");
	assert_null(io_bus_find_port(&bus, 0, 2));
	assert_null(io_bus_find_port(&bus, 1, 1));
	assert_string_equal(io_bus_find_port(&bus, 0xffff, 1)->name, "last");
	/* Wider accesses at the last port run past it: nothing decodes them. */
	assert_null(io_bus_find_port(&bus, 0xffff, 2));
	assert_null(io_bus_find_port(&bus, 0xffff, 4));
	assert_null(io_bus_find_port(&bus, 0xfffe, 1));
	assert_null(io_bus_find_port(&bus, 0xfffe, 2));

	/* Ranges reaching past port 0xffff are refused, whatever else holds. */
	assert_int_equal(reg(&bus, 0xfff0, 0x11, "past", &err), -1);
	assert_string_equal(err.msg, "past at 0xfff0: 17 ports reach past port 0xffff");
	assert_int_equal(reg(&bus, 0x10000, 1, "beyond", &err), -1);
	assert_int_equal(reg(&bus, 0x10000, 0x10, "beyond", &err), -1);
	assert_int_equal(reg(&bus, 0xffffffff, 1, "far", &err), -1);
	assert_int_equal(reg(&bus, UINT64_MAX - 0x1000, 0x1000, "top", &err), -1);
	assert_int_equal(reg(&bus, 1, IO_BUS_PORTS, "all", &err), -1);
	assert_int_equal(bus.nr, 2);
	assert_map(&bus);

	/* Just below the last port: served when wholly inside, not when reaching "last". */
	assert_int_equal(reg(&bus, 0xfff0, 0xf, "top", &err), 0);
	assert_string_equal(io_bus_find_port(&bus, 0xfffb, 4)->name, "top");
	assert_null(io_bus_find_port(&bus, 0xfffc, 4));	/* its last byte is "last" */
	assert_string_equal(io_bus_find_port(&bus, 0xfffe, 1)->name, "top");
	assert_null(io_bus_find_port(&bus, 0xfffd, 4));
	assert_null(io_bus_find_port(&bus, 0xfffe, 2));
	assert_null(io_bus_find(&bus, 0x10000, 1));	/* no port there at all */
	assert_null(io_bus_find(&bus, UINT64_MAX, 1));
	assert_string_equal(io_bus_find(&bus, 0xffff, 1)->name, "last");
	assert_map(&bus);
	io_bus_free(&bus);
	assert_null(bus.port_map);
	assert_null(bus.ranges);

	/* All 65536 ports as one range. */
	assert_int_equal(io_bus_init_ports(&bus, &err), 0);
	assert_int_equal(reg(&bus, 0, IO_BUS_PORTS, "all", &err), 0);
	assert_string_equal(io_bus_find_port(&bus, 0, 4)->name, "all");
	assert_string_equal(io_bus_find_port(&bus, 0x8000, 4)->name, "all");
	assert_string_equal(io_bus_find_port(&bus, 0xfffc, 4)->name, "all");
	assert_null(io_bus_find_port(&bus, 0xfffd, 4));
	assert_int_equal(reg(&bus, 0x80, 1, "post", &err), -1);
	assert_map(&bus);
	io_bus_free(&bus);
}

static void test_ports_overlap(void **state)
{
	struct io_bus bus = { 0 };
	struct vmm_err err = { 0 };
	static const struct {
		uint64_t base, len;
	} refused[] = {
		{ 0x3ff, 2 },	/* starts inside serial0 */
		{ 0x3f0, 9 },	/* ends inside it */
		{ 0x3f8, 1 },	/* same base, shorter */
		{ 0x3f8, 8 },	/* the same range again */
		{ 0x200, 0x300 }, /* encloses serial1 and serial0 */
		{ 0x3fa, 1 },	/* inside */
		{ 0, 0x61 },	/* from port 0 over kbd */
	};

	(void)state;
	assert_int_equal(io_bus_init_ports(&bus, &err), 0);
	assert_int_equal(io_bus_register(&bus, 0x3f8, 8, handler, (void *)0, "serial0", &err), 0);
	assert_int_equal(io_bus_register(&bus, 0x60, 1, handler, (void *)1, "kbd", &err), 0);
	assert_int_equal(io_bus_register(&bus, 0x2f8, 8, other_handler, (void *)2, "serial1", &err),
			 0);
	assert_map(&bus);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(reg(&bus, refused[i].base, refused[i].len, "x", &err), -1);
		assert_non_null(strstr(err.msg, "overlaps"));
	}
	assert_int_equal(reg(&bus, 0, 0, "empty", &err), -1);
	assert_int_equal(bus.nr, 3);
	assert_map(&bus);
	/* Touching on either side is not overlapping. */
	assert_int_equal(reg(&bus, 0x3f0, 8, "below", &err), 0);
	assert_int_equal(reg(&bus, 0x400, 1, "above", &err), 0);
	assert_map(&bus);
	assert_string_equal(io_bus_find_port(&bus, 0x3f7, 1)->name, "below");
	assert_string_equal(io_bus_find_port(&bus, 0x3f8, 1)->name, "serial0");
	assert_string_equal(io_bus_find_port(&bus, 0x400, 1)->name, "above");
	assert_null(io_bus_find_port(&bus, 0x3f6, 4));	/* below into serial0 */

	/* What is found is what was registered, handler and opaque. */
	assert_ptr_equal(io_bus_find_port(&bus, 0x60, 1)->opaque, (void *)1);
	assert_ptr_equal(io_bus_find_port(&bus, 0x2fc, 4)->fn, other_handler);
	assert_ptr_equal(io_bus_find_port(&bus, 0x2fc, 4)->opaque, (void *)2);
	io_bus_free(&bus);
}

/*
 * Ranges registered in scrambled order, so most registrations move ranges
 * up the table and some move the whole table: the map follows each time.
 */
static void test_ports_many(void **state)
{
	struct io_bus bus = { 0 };
	struct vmm_err err = { 0 };
	enum { N = 100 };
	static char names[N][8];

	(void)state;
	assert_int_equal(io_bus_init_ports(&bus, &err), 0);
	for (unsigned int i = 0; i < N; i++) {
		unsigned int k = (i * 37) % N; /* 37 is coprime to 100: a permutation */

		snprintf(names[k], sizeof(names[k]), "r%u", k);
		assert_int_equal(reg(&bus, k * 0x280, 1 + k % 7, names[k], &err), 0);
		if (i % 10 == 0 || bus.nr == 9 || bus.nr == 17)
			assert_map(&bus);
	}
	assert_true(bus.cap >= N);
	assert_sorted(&bus);
	assert_map(&bus);
	for (unsigned int k = 0; k < N; k++) {
		const struct io_range *r = io_bus_find_port(&bus, (uint16_t)(k * 0x280), 1);

		assert_non_null(r);
		assert_string_equal(r->name, names[k]);
		assert_ptr_equal(r, io_bus_find(&bus, k * 0x280, 1));
		assert_null(io_bus_find_port(&bus, (uint16_t)(k * 0x280 + 1 + k % 7), 1));
		assert_int_equal(reg(&bus, k * 0x280 + k % 7, 1, "dup", &err), -1);
	}
	assert_map(&bus);
	io_bus_free(&bus);
	assert_null(bus.port_map);
	assert_int_equal(bus.nr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_wrapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_straddle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gaps, setup, teardown),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_ports_edges),
		cmocka_unit_test(test_ports_overlap),
		cmocka_unit_test(test_ports_many),
	};

	return cmocka_run_group_tests_name("io_bus", tests, NULL, NULL);
}
