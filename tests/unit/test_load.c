/* SPDX-License-Identifier: MIT */
/*
 * A repetition's load window (runner/host/load.c): /proc/stat read as the
 * kernel writes it, malformed text refused, and the window's arithmetic
 * (others' CPU net of this process's own, steal as a share of all time,
 * nothing negative, nothing above the CPUs online).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "load.h"

static const char stat_text[] =
	"cpu  1000 10 500 8000 100 5 15 70 0 0\n"
	"cpu0 500 5 250 4000 50 3 7 35 0 0\n"
	"intr 12345 0 0\n"
	"ctxt 999\n"
	"procs_running 3\n"
	"procs_blocked 0\n";

static void test_parse(void **state)
{
	struct load_snap s;

	(void)state;
	assert_int_equal(load_stat_parse(stat_text, &s), 0);
	assert_true(s.ok);
	assert_int_equal(s.busy, 1000 + 10 + 500 + 5 + 15);
	assert_int_equal(s.idle, 8000 + 100);
	assert_int_equal(s.steal, 70);
	assert_int_equal(s.total, s.busy + s.idle + s.steal);
	assert_int_equal(s.procs_running, 3);
}

static void test_parse_refuses(void **state)
{
	struct load_snap s;

	(void)state;
	assert_int_equal(load_stat_parse(NULL, &s), -1);
	assert_int_equal(load_stat_parse("", &s), -1);
	assert_int_equal(load_stat_parse("cpu0 1 2 3 4 5 6 7 8\nprocs_running 1\n", &s), -1);
	/* Fewer than the eight fields up to steal (kernels before 2.6.11). */
	assert_int_equal(load_stat_parse("cpu  1 2 3 4 5 6 7\nprocs_running 1\n", &s), -1);
	assert_int_equal(load_stat_parse("cpu  1 2 3 4 5 6 7 8\nprocs_blocked 1\n", &s), -1);
	assert_false(s.ok);
}

static void test_window(void **state)
{
	long hz = sysconf(_SC_CLK_TCK), cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct load_snap a = { .ok = true, .busy = 1000, .idle = 5000, .steal = 10, .total = 6010,
			       .procs_running = 2, .self_cpu_s = 1.0, .mono_s = 100.0 };
	struct load_snap b = a;
	struct load_window w;

	(void)state;
	/* One second: 0.5 s of busy ticks beyond this process's own 0.25 s, and steal. */
	b.mono_s = 101.0;
	b.busy += (uint64_t)(0.75 * hz);
	b.self_cpu_s += 0.25;
	b.steal += (uint64_t)(0.1 * hz);
	b.idle += (uint64_t)(0.15 * hz);
	b.total = b.busy + b.idle + b.steal;
	b.procs_running = 4;
	b.loadavg1 = 1.5;
	load_window_make(&a, &b, &w);
	assert_true(w.valid);
	assert_float_equal(w.seconds, 1.0, 1e-9);
	assert_float_equal(w.others_cpus, cpus >= 1 ? 0.5 : 0, 0.02);
	assert_float_equal(w.steal_pct, 10.0, 1.0);
	assert_int_equal(w.procs_running[0], 2);
	assert_int_equal(w.procs_running[1], 4);

	/* This process's time above the ticks' (rounding): nobody else's, not negative. */
	b.self_cpu_s = a.self_cpu_s + 5;
	load_window_make(&a, &b, &w);
	assert_float_equal(w.others_cpus, 0, 0);

	/* A short window's few ticks cannot claim more CPUs than exist. */
	b.self_cpu_s = a.self_cpu_s;
	b.mono_s = a.mono_s + 0.001;
	load_window_make(&a, &b, &w);
	assert_true(w.others_cpus <= (double)cpus);

	/* Counters that went backwards, or an unread snapshot: no window. */
	b.busy = a.busy - 1;
	load_window_make(&a, &b, &w);
	assert_false(w.valid);
	b = a;
	b.ok = false;
	b.mono_s = a.mono_s + 1;
	load_window_make(&a, &b, &w);
	assert_false(w.valid);
	assert_true(json_is_null(load_window_json(&w)));
}

static void test_snapshot_here(void **state)
{
	struct load_snap a, b;
	struct load_window w;
	json_t *j;

	(void)state;
	load_snap_take(&a);
	usleep(20000);
	load_snap_take(&b);
	assert_true(a.ok && b.ok);
	load_window_make(&a, &b, &w);
	assert_true(w.valid);
	j = load_window_json(&w);
	assert_true(json_is_object(j));
	assert_true(json_is_number(json_object_get(j, "steal_pct")));
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_snapshot_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
