/* SPDX-License-Identifier: MIT */
/*
 * The native baselines measure what they claim: every operation yields
 * finite, non-negative samples at a calibrated batch; orderings that hold
 * on any x86-64 host hold here (a serialising cpuid is slower than rdtsc,
 * a page fault costs more than 50 ns, a cross-thread wake-up costs more
 * than one system call, a timer wakes after its deadline but well within
 * 10 ms); and a measurement leaves the process as it found it (SIGILL
 * disposition and mask, timer slack, file descriptors, threads).  Bounds
 * are orders of magnitude wide so a noisy VM cannot make them flake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proc_count.h"

#include <cpuid.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <time.h>

#include "native.h"

#define NSAMPLES	31
#define TARGET_NS	20000.0

static bool host_has_rdtscp(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27));
}

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Calibrate, measure NSAMPLES with the peer on peer_cpu, check each sample, return the median. */
static double measure_median_peer(const char *name, int peer_cpu)
{
	const struct native_op *op = native_op_find(name);
	double s[NSAMPLES], timer_ns = -1;
	char why[256] = "";
	uint64_t batch;
	int rc;

	assert_non_null(op);
	batch = native_op_calibrate(op, TARGET_NS, peer_cpu);

	assert_true(batch >= 1 && batch <= (UINT64_C(1) << 24));
	rc = native_op_measure(op, batch, NSAMPLES, s, &timer_ns, peer_cpu, why, sizeof(why));
	if (rc)
		fail_msg("'%s' (batch %llu) failed: %s", name, (unsigned long long)batch, why);
	assert_true(isfinite(timer_ns) && timer_ns >= 0);
	for (size_t i = 0; i < NSAMPLES; i++)
		if (!isfinite(s[i]) || s[i] < 0)
			fail_msg("'%s' sample %zu is %g", name, i, s[i]);
	qsort(s, NSAMPLES, sizeof(s[0]), double_cmp);
	print_message("# %-14s batch %-8llu median %10.2f ns/op (clock %.1f ns)\n", name,
		      (unsigned long long)batch, s[NSAMPLES / 2], timer_ns);
	return s[NSAMPLES / 2];
}

static double measure_median(const char *name)
{
	return measure_median_peer(name, -1);
}

static bool table_has(const char *name)
{
	for (const struct native_op *op = native_ops; op->name; op++)
		if (!strcmp(op->name, name))
			return true;
	return false;
}

/* Names are unique and described; the baselines the workloads expect are all there. */
static void test_table(void **state)
{
	static const char *const want[] = { "timer", "cpuid", "rdtsc", "rdtscp", "pause",
					    "ud2-signal", "page-touch", "syscall",
					    "thread-wake", "thread-signal", "thread-signal-busy",
					    "timer-deadline" };

	(void)state;
	for (const struct native_op *op = native_ops; op->name; op++) {
		assert_non_null(op->what);
		assert_true(strlen(op->what) > 0);
		for (const struct native_op *o = native_ops; o != op; o++)
			assert_string_not_equal(o->name, op->name);
		/*
		 * Only timer-deadline and the thread-signals wait outside their
		 * sample, 50 us as the guest's deadline and irq-inject's injector
		 * gap do; only the eventfd ops have a peer thread.
		 */
		if (!strcmp(op->name, "timer-deadline") || !strncmp(op->name, "thread-signal", 13))
			assert_true(op->wait_ns == 50000.0);
		else
			assert_true(op->wait_ns == 0.0);
		assert_int_equal(op->peer, !strncmp(op->name, "thread-", 7));
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!table_has(want[i]))
			fail_msg("no '%s' in native_ops", want[i]);
}

static void test_every_op_measures(void **state)
{
	(void)state;
	for (const struct native_op *op = native_ops; op->name; op++) {
		if (!strcmp(op->name, "rdtscp") && !host_has_rdtscp()) {
			char why[256] = "";
			double s[1];
			int rc = native_measure("rdtscp", 1, 1, s, NULL, why, sizeof(why));

			assert_int_equal(rc, -1);
			assert_non_null(strstr(why, "RDTSCP"));
			continue;
		}
		/* A busy receiver needs a CPU of its own: unpinned, it says so. */
		if (!strcmp(op->name, "thread-signal-busy")) {
			char why[256] = "";
			double s[1];

			assert_int_equal(native_op_measure(op, 1, 1, s, NULL, -1, why, sizeof(why)), -1);
			assert_non_null(strstr(why, "pinned"));
			measure_median_peer(op->name, 0);
			continue;
		}
		measure_median(op->name);
	}
}

static void test_bad_arguments_fail(void **state)
{
	double s[4];
	char why[256];

	(void)state;
	strcpy(why, "");
	assert_int_equal(native_measure("nope", 1, 4, s, NULL, why, sizeof(why)), -1);
	assert_string_equal(why, "no native baseline named 'nope'");

	strcpy(why, "");
	assert_int_equal(native_measure(NULL, 1, 4, s, NULL, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);

	strcpy(why, "");
	assert_int_equal(native_measure("rdtsc", 0, 4, s, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "batch"));

	strcpy(why, "");
	assert_int_equal(native_measure("rdtsc", 1, 4, NULL, NULL, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);

	/* Page-touch maps a whole batch at once, so its batch is capped at 1 GiB of pages. */
	strcpy(why, "");
	assert_int_equal(native_measure("page-touch", (UINT64_C(1) << 18) + 1, 4, s, NULL, why,
					sizeof(why)), -1);
	assert_non_null(strstr(why, "batch"));

	/* A why buffer is optional; the error is still reported by the return value. */
	assert_int_equal(native_measure("nope", 1, 4, s, NULL, NULL, 0), -1);
	assert_int_equal(native_calibrate("nope", TARGET_NS), 1);
}

static void test_calibrate_bounds(void **state)
{
	(void)state;
	/* An unreachable target stops at the cap (the empty loop makes that cheap). */
	assert_int_equal(native_calibrate("timer", 1e15), UINT64_C(1) << 24);
	/* A target every batch meets, or a nonsensical one, gives the smallest batch. */
	assert_int_equal(native_calibrate("cpuid", 1.0), 1);
	assert_int_equal(native_calibrate("rdtsc", 0.0), 1);
	assert_int_equal(native_calibrate("rdtsc", NAN), 1);
}

static void test_cpuid_slower_than_rdtsc(void **state)
{
	(void)state;
	/* cpuid is serialising (here it even traps to the hypervisor underneath). */
	assert_true(measure_median("cpuid") > measure_median("rdtsc"));
}

static void test_page_touch_is_a_fault(void **state)
{
	(void)state;
	assert_true(measure_median("page-touch") > 50.0);
}

static void test_thread_wake_slower_than_syscall(void **state)
{
	(void)state;
	/* A round trip is at least four system calls and two wake-ups. */
	assert_true(measure_median("thread-wake") > measure_median("syscall"));
}

/*
 * One wake-up, timed from the send: the sender sleeps 50 us before each
 * send (at least: nanosleep may oversleep), and that sleep is no part of
 * any sample, so the samples fit in the time the call did not sleep.
 */
static void test_thread_signal_leaves_out_the_gap(void **state)
{
	double s[NSAMPLES], timer_ns, sum = 0;
	char why[256] = "";
	struct timespec a, b;
	double elapsed, slept = NSAMPLES * 4 * 50000.0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (native_measure("thread-signal", 4, NSAMPLES, s, &timer_ns, why, sizeof(why)))
		fail_msg("thread-signal failed: %s", why);
	clock_gettime(CLOCK_MONOTONIC, &b);
	elapsed = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	for (size_t i = 0; i < NSAMPLES; i++) {
		assert_true(s[i] > 0.0);
		sum += s[i] * 4;
	}
	assert_true(elapsed >= slept);
	assert_true(sum <= elapsed - slept);
	print_message("# thread-signal  %d batches of 4 in %.1f ms, %.1f ms of it measured\n",
		      NSAMPLES, elapsed / 1e6, sum / 1e6);
}

static void test_timer_is_cheap(void **state)
{
	(void)state;
	/* An empty loop iteration is about a cycle; 100 ns would mean the correction is broken. */
	assert_true(measure_median("timer") < 100.0);
}

/*
 * Plausible lateness: above 0 (waking is never free), below 10 ms (the
 * deadline is honoured, not missed by a scheduler tick or more).
 */
static void test_timer_deadline_lateness(void **state)
{
	double late;

	(void)state;
	late = measure_median("timer-deadline");
	assert_true(late > 0.0);
	assert_true(late < 10e6);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A sample is the lateness alone: each sleep's 50 us and its lateness lie
 * one after another inside the call, so they add up to less than its wall
 * time.  Samples holding the whole sleep would count the 50 us twice,
 * 5 ms here, more than the warm-up the call adds.
 */
static void test_timer_deadline_is_lateness(void **state)
{
	enum { N = 101 };
	double s[N], sum = 0;
	char why[256] = "";
	uint64_t t0, t1;

	(void)state;
	t0 = wall_ns();
	if (native_measure("timer-deadline", 1, N, s, NULL, why, sizeof(why)))
		fail_msg("timer-deadline failed: %s", why);
	t1 = wall_ns();
	for (size_t i = 0; i < N; i++)
		sum += s[i];
	assert_true(sum > 0);
	assert_true(sum + N * 50000.0 <= (double)(t1 - t0));
}

/*
 * Calibration counts wall time, sleep included: one 50 us sleep already
 * meets a 2 us target, and 32 of them always meet 1 ms.  Were it to count
 * lateness (a few us each) it would double far past that.
 */
static void test_timer_deadline_calibrates_on_wall_time(void **state)
{
	uint64_t batch;

	(void)state;
	assert_int_equal(native_calibrate("timer-deadline", 2000.0), 1);
	batch = native_calibrate("timer-deadline", 1e6);
	assert_true(batch >= 1 && batch <= 32);
	/* Its batch is capped so an absurd target still ends (4096 sleeps, about 0.2 s). */
	assert_int_equal(native_calibrate("timer-deadline", 1e15), UINT64_C(1) << 12);
}

/* A batch's sample is the mean lateness of its sleeps: still in range at batch 8. */
static void test_timer_deadline_batch_mean(void **state)
{
	double s[5];
	char why[256] = "";

	(void)state;
	if (native_measure("timer-deadline", 8, 5, s, NULL, why, sizeof(why)))
		fail_msg("timer-deadline at batch 8 failed: %s", why);
	for (size_t i = 0; i < 5; i++)
		if (!(s[i] >= 0 && s[i] < 10e6))
			fail_msg("timer-deadline sample %zu is %g ns", i, s[i]);
}

/* The measuring thread's slack is 1 ns only while it measures; the caller's comes back. */
static void test_timer_slack_restored(void **state)
{
	int before;

	(void)state;
	assert_int_equal(prctl(PR_SET_TIMERSLACK, 12345, 0, 0, 0), 0);
	measure_median("timer-deadline");
	assert_int_equal(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 12345);
	assert_int_equal(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0), 0);
	before = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	measure_median("timer-deadline");
	assert_int_equal(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), before);
}

static void marker_handler(int sig, siginfo_t *si, void *uctx)
{
	(void)sig;
	(void)si;
	(void)uctx;
}

static void run_ud2(void)
{
	double s[3];
	char why[256] = "";

	if (native_measure("ud2-signal", 4, 3, s, NULL, why, sizeof(why)))
		fail_msg("ud2-signal failed: %s", why);
}

static void test_sigill_default_restored(void **state)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, after;

	(void)state;
	sigemptyset(&dfl.sa_mask);
	assert_int_equal(sigaction(SIGILL, &dfl, NULL), 0);
	run_ud2();
	assert_int_equal(sigaction(SIGILL, NULL, &after), 0);
	assert_true(after.sa_handler == SIG_DFL);
}

static void test_sigill_handler_restored(void **state)
{
	struct sigaction mine = { .sa_sigaction = marker_handler,
				  .sa_flags = SA_SIGINFO | SA_RESTART }, after, dfl = { 0 };

	(void)state;
	sigemptyset(&mine.sa_mask);
	sigaddset(&mine.sa_mask, SIGUSR1);
	assert_int_equal(sigaction(SIGILL, &mine, NULL), 0);
	run_ud2();
	assert_int_equal(sigaction(SIGILL, NULL, &after), 0);
	assert_true(after.sa_sigaction == marker_handler);
	assert_int_equal(after.sa_flags & (SA_SIGINFO | SA_RESTART), SA_SIGINFO | SA_RESTART);
	assert_true(sigismember(&after.sa_mask, SIGUSR1));

	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGILL, &dfl, NULL);
}

/* A caller that blocks SIGILL still gets a measurement, and its mask back. */
static void test_sigill_mask_restored(void **state)
{
	sigset_t ill, old, now;

	(void)state;
	sigemptyset(&ill);
	sigaddset(&ill, SIGILL);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &ill, &old), 0);
	run_ud2();
	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &now), 0);
	assert_true(sigismember(&now, SIGILL));
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void test_no_leaks(void **state)
{
	int fds = proc_count("/proc/self/fd"), tasks = proc_count("/proc/self/task");

	(void)state;
	measure_median("thread-wake");
	measure_median("thread-signal");
	measure_median("page-touch");
	assert_int_equal(proc_count("/proc/self/fd"), fds);
	assert_int_equal(proc_count("/proc/self/task"), tasks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_every_op_measures),
		cmocka_unit_test(test_bad_arguments_fail),
		cmocka_unit_test(test_calibrate_bounds),
		cmocka_unit_test(test_cpuid_slower_than_rdtsc),
		cmocka_unit_test(test_page_touch_is_a_fault),
		cmocka_unit_test(test_thread_wake_slower_than_syscall),
		cmocka_unit_test(test_thread_signal_leaves_out_the_gap),
		cmocka_unit_test(test_timer_is_cheap),
		cmocka_unit_test(test_timer_deadline_lateness),
		cmocka_unit_test(test_timer_deadline_is_lateness),
		cmocka_unit_test(test_timer_deadline_calibrates_on_wall_time),
		cmocka_unit_test(test_timer_deadline_batch_mean),
		cmocka_unit_test(test_timer_slack_restored),
		cmocka_unit_test(test_sigill_default_restored),
		cmocka_unit_test(test_sigill_handler_restored),
		cmocka_unit_test(test_sigill_mask_restored),
		cmocka_unit_test(test_no_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
