/* SPDX-License-Identifier: MIT */
/*
 * The instance suite's own operations (instance/) measure what they claim:
 * every PROBE row of instance.def names its operation by the cell's name
 * and pairs with a cell that exists; every operation either yields finite,
 * non-negative samples or says in one line why it cannot run here; the
 * pairs' figures are printed side by side; a measurement puts
 * back what it borrowed (SIGUSR1's handler and mask, file descriptors,
 * memory).  The memory-heavy operations run at small fixed batches so the
 * whole test takes a few seconds; bounds are wide so a noisy VM cannot
 * make them flake.  The medians are printed: docs/crosscheck.md compares
 * them with independent tools.
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
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "native.h"
#include "native_impl.h"
#include "probes.h"

#define NSAMPLES	31
#define TARGET_NS	20000.0

/* instance.def's rows, with only what these tests read. */
struct row {
	const char *name;
	const struct native_op *op;	/* a PROBE's, or NULL for a NATIVE one */
	const char *pair;
};

#define NATIVE(x) NULL
#define PROBE(x) (&instance_op_##x)
#define PEER_NONE 0
#define PEER_SAME_CPU 1
#define PEER_OTHER_CPU 2
#define I_LOAD 1
#define INSTANCE(name_, mechanism_, op_, stands_for_, pair_, peer_, flags_, what_) \
	{ name_, op_, pair_ },
static const struct row rows[] = {
#include "instance.def"
};
#undef INSTANCE

#define NR_ROWS (sizeof(rows) / sizeof(rows[0]))

/*
 * Fixed batches for the operations whose open maps 256 MiB: calibrating
 * would map and fault it twice.  0: calibrate to TARGET_NS.
 */
static const struct {
	const char *name;
	uint64_t batch;
} fixed_batches[] = {
	{ "page-fault-2m-thp", 4 },
	{ "tlb-chase-4k", 4096 },
	{ "tlb-chase-2m", 4096 },
	{ "mem-copy-1m", 8 },
	{ "disk-read-4k-qd1", 8 },
};

/* Each PROBE row's median from test_every_probe_measures, NAN when unavailable. */
static double medians[NR_ROWS];

static int double_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static uint64_t batch_for(const struct native_op *op)
{
	for (size_t i = 0; i < sizeof(fixed_batches) / sizeof(fixed_batches[0]); i++)
		if (!strcmp(fixed_batches[i].name, op->name))
			return fixed_batches[i].batch;
	return native_op_calibrate(op, TARGET_NS, -1);
}

/*
 * Measure op, check every sample, return the median; or NAN when op is
 * unavailable, having checked that it said why in one line.
 */
static double measure_median(const struct native_op *op, size_t nsamples)
{
	double s[NSAMPLES], timer_ns = -1;
	char why[256] = "";
	uint64_t batch = batch_for(op);

	assert_true(nsamples >= 1 && nsamples <= NSAMPLES);
	assert_true(batch >= 1 && batch <= NATIVE_BATCH_MAX);
	if (native_op_measure(op, batch, nsamples, s, &timer_ns, -1, why, sizeof(why))) {
		if (!why[0] || strchr(why, '\n'))
			fail_msg("'%s' failed without a one-line reason: '%s'", op->name, why);
		print_message("# %-22s unavailable: %s\n", op->name, why);
		return NAN;
	}
	assert_true(isfinite(timer_ns) && timer_ns >= 0);
	for (size_t i = 0; i < nsamples; i++)
		if (!isfinite(s[i]) || s[i] < 0)
			fail_msg("'%s' sample %zu is %g", op->name, i, s[i]);
	qsort(s, nsamples, sizeof(s[0]), double_cmp);
	print_message("# %-22s batch %-8llu median %12.2f ns/op (clock %.1f ns)\n", op->name,
		      (unsigned long long)batch, s[nsamples / 2], timer_ns);
	return s[nsamples / 2];
}

static const struct row *row_find(const char *name)
{
	for (size_t i = 0; i < NR_ROWS; i++)
		if (!strcmp(rows[i].name, name))
			return &rows[i];
	return NULL;
}

static double median_of(const char *name)
{
	const struct row *r = row_find(name);

	assert_non_null(r);
	return medians[r - rows];
}

/* A PROBE operation is the cell it is named after; pairs name cells that exist. */
static void test_rows(void **state)
{
	static const struct native_op *const want[] = {
		&instance_op_rdpid, &instance_op_vdso_clock_gettime,
		&instance_op_syscall_clock_gettime, &instance_op_page_fault_2m_thp,
		&instance_op_tlb_chase_4k, &instance_op_tlb_chase_2m, &instance_op_signal_self,
		&instance_op_msr_read_devcpu, &instance_op_mem_copy_1m,
		&instance_op_disk_read_4k_qd1,
	};

	(void)state;
	for (size_t i = 0; i < NR_ROWS; i++) {
		const struct row *r = &rows[i];

		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(rows[j].name, r->name);
		if (r->pair && !row_find(r->pair))
			fail_msg("'%s' pairs with '%s', which is no cell", r->name, r->pair);
		if (!r->op)
			continue;
		assert_string_equal(r->op->name, r->name);
		assert_non_null(r->op->what);
		assert_true(strlen(r->op->what) > 0);
		assert_null(strchr(r->op->what, '\n'));
		/* None waits outside its figure or needs a second thread. */
		assert_true(r->op->wait_ns == 0.0);
		assert_false(r->op->peer);
		assert_non_null(r->op->impl);
		assert_non_null(r->op->impl->run);
	}
	/* Every operation of instance/ is a cell. */
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct row *r = row_find(want[i]->name);

		if (!r || r->op != want[i])
			fail_msg("'%s' is no PROBE row of instance.def", want[i]->name);
	}
}

static void test_every_probe_measures(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR_ROWS; i++)
		medians[i] = rows[i].op ? measure_median(rows[i].op, NSAMPLES) : NAN;
}

/* Where the CPU or the kernel lacks the mechanism, the reason names it. */
static void test_unavailable_reasons(void **state)
{
	unsigned int a, b, c, d;
	char why[256] = "";
	double s[1];

	(void)state;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(c & (1u << 22))) {
		assert_int_equal(native_op_measure(&instance_op_rdpid, 1, 1, s, NULL, -1, why,
						   sizeof(why)), -1);
		assert_non_null(strstr(why, "RDPID"));
	}
	if (access("/dev/cpu/0/msr", F_OK)) {
		strcpy(why, "");
		assert_int_equal(native_op_measure(&instance_op_msr_read_devcpu, 1, 1, s, NULL, -1,
						   why, sizeof(why)), -1);
		assert_non_null(strstr(why, "msr module"));
	}
}

/*
 * The same loads, only translation differs.  Printed, not ordered: a guest
 * huge page shortens the walk only where the host backs it with a huge
 * page too.  Where the host maps guest memory in 4 KiB pages (or shadows
 * the guest's page tables with 4 KiB entries, as PVM does here) the TLB
 * holds 4 KiB entries either way and the two chases cost the same, which
 * is the finding the pair exists for, not a failure.
 */
static void test_chase_pair(void **state)
{
	double m4k = median_of("tlb-chase-4k"), m2m = median_of("tlb-chase-2m");

	(void)state;
	if (isnan(m4k) || isnan(m2m))
		skip();
	print_message("# page walk: 4k %.1f - 2m %.1f = %.1f ns per load\n", m4k, m2m, m4k - m2m);
	/* A dependent load to another page is never free. */
	assert_true(m4k > 0 && m2m > 0);
}

/* Both are printed; only what holds everywhere is asserted. */
static void test_clock_pair(void **state)
{
	double vdso = median_of("vdso-clock-gettime"), sys = median_of("syscall-clock-gettime");

	(void)state;
	print_message("# clock_gettime: vDSO %.1f ns, system call %.1f ns (x%.2f)\n", vdso, sys,
		      sys / vdso);
	assert_true(sys > 0);
}

/* A huge-page fault zeroes 2 MiB: far above a 4 KiB one's floor; a batch maps <= 128 MiB. */
static void test_thp_fault(void **state)
{
	double m = median_of("page-fault-2m-thp"), s[1];
	char why[256] = "";

	(void)state;
	assert_int_equal(native_op_measure(&instance_op_page_fault_2m_thp, 65, 1, s, NULL, -1,
					   why, sizeof(why)), -1);
	assert_non_null(strstr(why, "batch"));
	if (isnan(m))
		skip();
	assert_true(m > 1000.0);
}

/* The disk named is one /sys/block lists; no disk, and the op says so. */
static void test_disk_device(void **state)
{
	char name[64], path[128], why[256] = "";
	struct stat st;
	double s[1];

	(void)state;
	if (instance_disk_device(name, sizeof(name))) {
		assert_string_equal(name, "");
		assert_int_equal(native_op_measure(&instance_op_disk_read_4k_qd1, 1, 1, s, NULL, -1,
						   why, sizeof(why)), -1);
		assert_non_null(strstr(why, "no block device visible"));
		return;
	}
	print_message("# disk-read-4k-qd1's disk is /dev/%s\n", name);
	assert_true(strlen(name) > 0);
	snprintf(path, sizeof(path), "/sys/block/%s/device", name);
	assert_int_equal(stat(path, &st), 0);
	/* A name that does not fit is refused whole, never clipped to another disk's. */
	assert_int_equal(instance_disk_device(name, strlen(name)), -1);
	assert_string_equal(name, "");
	assert_int_equal(instance_disk_device(name, 0), -1);
}

static void marker_handler(int sig)
{
	(void)sig;
}

/* SIGUSR1's handler, its flags and mask, and a caller's blocked SIGUSR1 come back. */
static void test_signal_restored(void **state)
{
	struct sigaction mine = { .sa_handler = marker_handler, .sa_flags = SA_RESTART }, after;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t usr1, old, now;

	(void)state;
	sigemptyset(&mine.sa_mask);
	sigaddset(&mine.sa_mask, SIGUSR2);
	assert_int_equal(sigaction(SIGUSR1, &mine, NULL), 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);

	assert_true(isfinite(measure_median(&instance_op_signal_self, 3)));

	assert_int_equal(pthread_sigmask(SIG_SETMASK, NULL, &now), 0);
	assert_true(sigismember(&now, SIGUSR1));
	assert_int_equal(sigaction(SIGUSR1, NULL, &after), 0);
	assert_true(after.sa_handler == marker_handler);
	assert_true(after.sa_flags & SA_RESTART);
	assert_true(sigismember(&after.sa_mask, SIGUSR2));

	pthread_sigmask(SIG_SETMASK, &old, NULL);
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGUSR1, &dfl, NULL);
}

/* The process's mapped size in MiB, from /proc/self/statm. */
static long vm_mib(void)
{
	long pages = -1;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pages), 1);
	fclose(f);
	return pages * sysconf(_SC_PAGESIZE) / (1 << 20);
}

/* Every operation, run again, leaves no descriptor, thread or buffer behind. */
static void test_no_leaks(void **state)
{
	int fds = proc_count("/proc/self/fd"), tasks = proc_count("/proc/self/task");
	long vm = vm_mib();

	(void)state;
	for (size_t i = 0; i < NR_ROWS; i++)
		if (rows[i].op)
			measure_median(rows[i].op, 3);
	assert_int_equal(proc_count("/proc/self/fd"), fds);
	assert_int_equal(proc_count("/proc/self/task"), tasks);
	/* The C library may keep a few MiB of heap; a 256 MiB buffer may not stay. */
	if (vm_mib() > vm + 16)
		fail_msg("mapped %ld MiB before, %ld MiB after", vm, vm_mib());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_every_probe_measures),
		cmocka_unit_test(test_unavailable_reasons),
		cmocka_unit_test(test_chase_pair),
		cmocka_unit_test(test_clock_pair),
		cmocka_unit_test(test_thp_fault),
		cmocka_unit_test(test_disk_device),
		cmocka_unit_test(test_signal_restored),
		cmocka_unit_test(test_no_leaks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
