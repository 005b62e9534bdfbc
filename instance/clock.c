/* SPDX-License-Identifier: MIT */
/*
 * Reading the clock, two ways: clock_gettime through the C library, which
 * takes the vDSO and reads the clocksource (TSC, kvm-clock, Hyper-V's
 * reference page) in user space, and the same call as a system call.  The
 * vDSO gives up and makes the system call itself when the clocksource
 * cannot be read from user space (a hypervisor without a stable TSC or
 * pvclock), so equal figures mean the clocksource is not vDSO-capable, and
 * every clock read a guest's programs make is a kernel entry.
 */
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "native_impl.h"
#include "probes.h"

static int vdso_clock_run(struct native_ctx *ctx, uint64_t batch)
{
	struct timespec ts;

	(void)ctx;
	/* An external call with a side effect on ts: the compiler keeps every one. */
	for (uint64_t i = 0; i < batch; i++)
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			return -1;
	return 0;
}

static int syscall_clock_run(struct native_ctx *ctx, uint64_t batch)
{
	struct timespec ts;

	(void)ctx;
	for (uint64_t i = 0; i < batch; i++)
		if (syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
			return -1;
	return 0;
}

static const struct native_impl vdso_clock_impl = {
	.run = vdso_clock_run,
};

static const struct native_impl syscall_clock_impl = {
	.run = syscall_clock_run,
};

const struct native_op instance_op_vdso_clock_gettime = {
	.name = "vdso-clock-gettime",
	.what = "clock_gettime(CLOCK_MONOTONIC) through the vDSO, which falls back to the "
		"system call when the clocksource cannot be read from user space",
	.impl = &vdso_clock_impl,
};

const struct native_op instance_op_syscall_clock_gettime = {
	.name = "syscall-clock-gettime",
	.what = "syscall(SYS_clock_gettime, CLOCK_MONOTONIC): the same clock read as a "
		"kernel entry and exit",
	.impl = &syscall_clock_impl,
};
