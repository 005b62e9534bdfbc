/* SPDX-License-Identifier: MIT */
/*
 * For the cmocka tests that need /dev/kvm (include after cmocka.h): a test
 * without a usable /dev/kvm skips, saying why, except where KVM is
 * required (CI=true, or HVBENCH_REQUIRE_KVM=1 as scripts/run-tests sets
 * wherever it runs these tests on a real KVM): there it fails, because a
 * skipped test tested nothing.  Call it before any allocation: a skip or
 * failure jumps out of the test, and LeakSanitizer would report the rest.
 */
#ifndef KVM_OR_SKIP_H
#define KVM_OR_SKIP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int kvm_required(void)
{
	const char *ci = getenv("CI"), *req = getenv("HVBENCH_REQUIRE_KVM");

	return (ci && !strcmp(ci, "true")) || (req && !strcmp(req, "1"));
}

static inline void kvm_or_skip(void)
{
	if (!access("/dev/kvm", R_OK | W_OK))
		return;
	if (kvm_required())
		fail_msg("no usable /dev/kvm, and KVM is required here: run the integration "
			 "tests through scripts/testvm");
	printf("# SKIP no usable /dev/kvm (missing, or no permission: run as root)\n");
	skip();
}

#endif
