/* SPDX-License-Identifier: MIT */
/*
 * One conformance test booted on a target (targets/target.h): the payload
 * told which test to run, its records read back, the boot's outcome turned
 * into the test's result (conform_boot.c).
 */
#ifndef CONFORM_BOOT_H
#define CONFORM_BOOT_H

#include <stdint.h>

#include "conform.h"

struct payload;
struct target;

/* What every boot of a run shares. */
struct conform_ctx {
	const struct payload *payload;
	uint32_t tsc_khz;	/* KVM's, stated to the guest (tsc_khz=) where the VMM states none */
	double timeout_s;	/* per test */
	/*
	 * The default deadline, scaled per target as run's are: times
	 * env_timing_deadline_scale() on an emulated CPU, times the VMM's
	 * bench_deadline_scale (qemu-tcg: 3).  A slow emulator is not a hang.
	 */
	bool timeout_scaled;
	uint32_t faults;	/* refvmm fault injection (VM_FAULT_*), for negative tests */
};

/* Run test on target t into r. */
void conform_boot(const struct target *t, const struct conform_ctx *c,
		  const struct conform_test *test, struct conform_result *r);

#endif
