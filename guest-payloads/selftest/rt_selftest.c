/* SPDX-License-Identifier: MIT */
/*
 * rt_selftest: checks the guest runtime itself, as TAP on the console:
 * formatting, the command line, exception capture at CPL0 and CPL3,
 * running code at CPL3, and the local APIC.  Exits 0 only if all pass, so
 * it runs unchanged under refvmm and QEMU.
 */
#include "rt.h"

static int test_no;
static int failures;

static void ok(bool cond, const char *what)
{
	rt_printf("%s %d - %s\n", cond ? "ok" : "not ok", ++test_no, what);
	failures += !cond;
}

static uint64_t do_ud2(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
	return 1;
}

static uint64_t do_bad_read(void *arg)
{
	return *(volatile uint64_t *)arg;
}

static uint64_t do_divide(void *arg)
{
	volatile uint32_t zero = (uint32_t)(uintptr_t)arg, one = 1;

	return one / zero;
}

static uint64_t user_add(void *arg)
{
	return (uintptr_t)arg + 1;
}

static uint64_t user_cpl(void *arg)
{
	uint16_t cs;

	(void)arg;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

static uint64_t user_privileged(void *arg)
{
	(void)arg;
	__asm__ volatile("cli");
	return 0;
}

static uint64_t run_user_ud2(void *arg)
{
	return rt_run_user(do_ud2, arg);
}

static uint64_t run_user_privileged(void *arg)
{
	return rt_run_user(user_privileged, arg);
}

static void test_format(void)
{
	char buf[64];
	int n;

	n = rt_snprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08lx|%s|%c|%%", -42, 7u, 0xabu,
			0x1234abcdul, "str", 'z');
	ok(n == 31 && !strcmp(buf, "-42|    7|ab  |1234abcd|str|z|%"), "printf formats");
	n = rt_snprintf(buf, 8, "%s", "truncated output");
	ok(n == 16 && !strcmp(buf, "truncat"), "printf truncates and reports full length");
}

static void test_cmdline(void)
{
	ok(rt_cmdline_u64("selftest_num", 0) == 1234, "cmdline decimal value");
	ok(rt_cmdline_u64("selftest_hex", 0) == 0xbeef, "cmdline hex value");
	ok(rt_cmdline_get("selftest_flag") && !*rt_cmdline_get("selftest_flag"),
	   "cmdline bare flag");
	ok(!rt_cmdline_get("selftest") && rt_cmdline_u64("absent", 99) == 99,
	   "cmdline absent key and prefix do not match");
}

static void test_exceptions(void)
{
	struct rt_exception ex;

	rt_catch(do_ud2, NULL, &ex);
	ok(ex.raised && ex.vector == 6 && ex.cpl == 0, "ud2 at CPL0 raises #UD");
	rt_catch(do_bad_read, (void *)0x8000000000ull, &ex);
	ok(ex.raised && ex.vector == 14 && ex.cr2 == 0x8000000000ull,
	   "read of an unmapped address raises #PF with CR2 set");
	rt_catch(do_divide, NULL, &ex);
	ok(ex.raised && ex.vector == 0, "divide by zero raises #DE");
	ok(rt_catch(user_add, (void *)41, &ex) == 42 && !ex.raised,
	   "rt_catch returns the result when nothing is raised");
}

static void test_user(void)
{
	struct rt_exception ex;
	uint64_t t0, t1;

	ok(rt_run_user(user_add, (void *)1) == 2, "function at CPL3 returns its result");
	ok(rt_run_user(user_cpl, NULL) == 3, "code run by rt_run_user is at CPL3");
	rt_catch(run_user_ud2, NULL, &ex);
	ok(ex.raised && ex.vector == 6 && ex.cpl == 3, "#UD at CPL3 is caught, from CPL3");
	rt_catch(run_user_privileged, NULL, &ex);
	ok(ex.raised && ex.vector == 13 && ex.cpl == 3, "cli at CPL3 raises #GP");
	t0 = rt_rdtsc_begin();
	rt_run_user(user_add, NULL);
	t1 = rt_rdtsc_end();
	rt_printf("# one CPL0 -> CPL3 -> CPL0 round trip: %lu TSC cycles\n", t1 - t0);
}

static void test_apic(void)
{
	if (!rt_apic_present()) {
		rt_printf("ok %d - # SKIP no local APIC offered\n", ++test_no);
		return;
	}
	ok(rt_apic_enable(), "local APIC enables");
	rt_printf("# APIC id %u, %s\n", rt_apic_id(), rt_apic_is_x2apic() ? "x2APIC" : "xAPIC");
	ok(rt_apic_id() == 0, "boot CPU has APIC id 0");
}

int guest_main(void)
{
	rt_printf("TAP version 13\n");
	test_format();
	test_cmdline();
	test_exceptions();
	test_user();
	test_apic();
	rt_printf("1..%d\n", test_no);
	return failures ? GUEST_STATUS_FAIL : GUEST_STATUS_PASS;
}
