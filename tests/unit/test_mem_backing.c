/* SPDX-License-Identifier: MIT */
/*
 * Huge pages in a process's memory, read from its smaps: regions of this
 * process made with and without transparent huge pages, each counted by
 * its address range and the two together; the selection of an external
 * VMM's guest RAM by size and permissions; a process that does not exist;
 * and the note a repetition carries, for each case.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "host.h"
#include "mem_backing.h"

#define MIB (1ul << 20)
#define HUGE (2 * MIB)

/* len bytes at a 2 MiB boundary, every 4 KiB page written, or NULL. */
static uint8_t *region_make(size_t len, int advice)
{
	uint8_t *p = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (uint8_t *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + len + HUGE - (a + len)));
	if (madvise(a, len, advice) && errno != EINVAL)
		return NULL;
	for (size_t off = 0; off < len; off += 4096)
		a[off] = 1;
	return a;
}

/* A counter of /proc/vmstat, or -1. */
static long long vmstat(const char *key)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/vmstat", "r");
	size_t n = strlen(key);

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			v = atoll(line + n + 1);
	fclose(f);
	return v;
}

static bool thp_possible(void)
{
	char line[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return false;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strstr(line, "[always]") || strstr(line, "[madvise]");
}

static int read_range(const uint8_t *a, size_t len, struct mem_backing *b)
{
	struct mem_backing_select sel = { (uintptr_t)a, (uintptr_t)a + len, 0 };

	return mem_backing_read(0, &sel, b);
}

static void test_small_pages(void **state)
{
	struct mem_backing b;
	uint8_t *a = region_make(8 * MIB, MADV_NOHUGEPAGE);

	(void)state;
	assert_non_null(a);
	assert_int_equal(read_range(a, 8 * MIB, &b), 0);
	assert_int_equal(b.huge_kib, 0);
	/* The range's own mapping (the kernel may have merged it with a neighbour). */
	assert_true(b.mappings >= 1);
	assert_true(b.mapped_kib >= 8 * 1024);
	munmap(a, 8 * MIB);
}

static void test_huge_pages(void **state)
{
	struct mem_backing b, all, small;
	struct mem_backing_select every = { 0, 0, 0 };
	long long fallback = vmstat("thp_fault_fallback");
	uint8_t *s = region_make(4 * MIB, MADV_NOHUGEPAGE);
	uint8_t *a;

	(void)state;
	if (!thp_possible()) {
		fprintf(stderr, "# transparent huge pages are off on this kernel\n");
		skip();
	}
	a = region_make(8 * MIB, MADV_HUGEPAGE);
	assert_non_null(a);
	assert_non_null(s);
	assert_int_equal(read_range(a, 8 * MIB, &b), 0);
	if (b.huge_kib == 0 && vmstat("thp_fault_fallback") > fallback) {
		fprintf(stderr, "# the kernel fell back to 4 KiB pages (thp_fault_fallback)\n");
		skip();
	}
	assert_true(b.huge_kib >= 2048);
	assert_true(b.huge_kib <= b.mapped_kib);
	/* Counted by range: the small-page region has none of them... */
	assert_int_equal(read_range(s, 4 * MIB, &small), 0);
	assert_int_equal(small.huge_kib, 0);
	/* ...and the whole process has at least these. */
	assert_int_equal(mem_backing_read(0, &every, &all), 0);
	assert_true(all.huge_kib >= b.huge_kib);
	assert_true(all.mapped_kib > b.mapped_kib);
	assert_true(all.mappings > b.mappings);
	munmap(a, 8 * MIB);
	munmap(s, 4 * MIB);
}

/*
 * An external VMM's guest RAM: writable, not executable, at least the
 * guest's size.  A JIT buffer of that size (rwx, as TCG's) is left out; a
 * plain writable mapping of it counts.
 */
static void test_guest_ram_selection(void **state)
{
	const size_t len = 24 * MIB;
	struct mem_backing_select ram = { .min_kib = len / 1024 };
	struct mem_backing before, jit, rw;
	uint8_t *x, *w;

	(void)state;
	assert_int_equal(mem_backing_read(0, &ram, &before), 0);
	x = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x == MAP_FAILED) {
		fprintf(stderr, "# no writable and executable mapping here: %s\n", strerror(errno));
		skip();
	}
	memset(x, 1, len);
	assert_int_equal(mem_backing_read(0, &ram, &jit), 0);
	assert_int_equal(jit.mappings, before.mappings);
	assert_int_equal(jit.mapped_kib, before.mapped_kib);
	w = region_make(len, MADV_NOHUGEPAGE);
	assert_non_null(w);
	assert_int_equal(mem_backing_read(0, &ram, &rw), 0);
	assert_int_equal(rw.mappings, before.mappings + 1);
	assert_true(rw.mapped_kib >= before.mapped_kib + len / 1024);
	munmap(w, len);
	munmap(x, len);
}

static void test_no_process(void **state)
{
	struct mem_backing_select every = { 0, 0, 0 };
	struct mem_backing b = { 1, 1, 1 };

	(void)state;
	/* Above pid_max's ceiling (2^22): never a process. */
	assert_int_equal(mem_backing_read((pid_t)(1 << 23), &every, &b), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(b.huge_kib, 0);
}

static void test_note(void **state)
{
	struct workload touch = { .name = "page-touch", .memory_backing = true };
	struct workload other = { .name = "cpuid" };
	struct mem_backing huge = { 65536, 22528, 1 }, small = { 65536, 0, 1 }, none = { 0, 0, 0 };
	char buf[256];

	(void)state;
	mem_backing_note(&other, "QEMU's guest RAM", &huge, 0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	mem_backing_note(&touch, "QEMU's guest RAM", &huge, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "memory backing: 22 of 64 MiB of QEMU's guest RAM in huge pages"));
	mem_backing_note(&touch, "refvmm's guest RAM", &small, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "refvmm's guest RAM (64 MiB) in 4 KiB pages"));
	mem_backing_note(&touch, "the VMM's guest RAM", &none, 0, buf, sizeof(buf));
	assert_string_equal(buf, "memory backing: the VMM's guest RAM is unknown (no such mapping "
			    "in smaps)");
	mem_backing_note(&touch, "the VMM's guest RAM", &small, EACCES, buf, sizeof(buf));
	assert_string_equal(buf, "memory backing: the VMM's guest RAM is unknown (smaps: "
			    "Permission denied)");
	/* A short buffer is cut, never overrun. */
	mem_backing_note(&touch, "QEMU's guest RAM", &huge, 0, buf, 12);
	assert_int_equal(strlen(buf), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_pages),
		cmocka_unit_test(test_huge_pages),
		cmocka_unit_test(test_guest_ram_selection),
		cmocka_unit_test(test_no_process),
		cmocka_unit_test(test_note),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
