/* SPDX-License-Identifier: MIT */
/*
 * `hvbench conform`: the conformance tests (include/hvbench/conform_tests.def)
 * run on one or more targets, each test in a VM of its own, judged against
 * the target's expectations and reported as TAP, JUnit and results JSON.
 */
#ifndef CONFORM_RUNNER_H
#define CONFORM_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvbench/conform.h"

struct conform_test {
	const char *id, *area, *spec, *desc;
	unsigned int nr_vcpus;
};

extern const struct conform_test conform_tests[];
extern const size_t conform_nr_tests;

enum conform_status {
	CONFORM_PASS,
	CONFORM_FAIL,		/* a check failed */
	CONFORM_SKIP,		/* the test cannot run on this target; reason says why */
	CONFORM_TIMEOUT,	/* the VM hung past the test's deadline */
	CONFORM_CRASH,		/* the VM crashed or the payload died (exception, bad exit) */
	CONFORM_ERROR,		/* the harness could not run the test (VMM missing, bad output) */
};

const char *conform_status_name(enum conform_status s); /* "PASS", "FAIL", ... */

/* How a result compares with the target's expectations file. */
enum conform_verdict {
	CONFORM_OK,			/* passed or skipped, as expected */
	CONFORM_EXPECTED_FAIL,		/* failed, and listed as a known failure */
	CONFORM_UNEXPECTED_FAIL,	/* failed (FAIL/TIMEOUT/CRASH/ERROR), not listed */
	CONFORM_UNEXPECTED_PASS,	/* passed, but listed as a known failure */
};

const char *conform_verdict_name(enum conform_verdict v);

struct conform_result {
	enum conform_status status;
	char reason[512];	/* one line: skip reason, hang/crash report, harness error */
	char fails[CONFORM_FAILS_MAX][CONFORM_TEXT_MAX + 1]; /* the guest's failed checks */
	unsigned int nr_fails;
	unsigned int checks;	/* checks the guest made (from its end record) */
	double seconds;		/* wall time: boot to teardown */
	int vmm_status;		/* external VMMs: exit status (-1 for refvmm or not known) */
	enum conform_verdict verdict;
	char expect_reason[256]; /* the expectation's reason, when listed */
	bool done;		/* filled in and judged: the results JSON leaves out the others */
};

/* One target's results for every selected test (index = position in sel). */
struct conform_target_run {
	const char *target;	/* "refvmm", "qemu-kvm", "qemu-tcg" */
	const char *expect_file; /* the expectations file used, or NULL */
	bool available;
	char unavailable_why[256];
	struct conform_result *results;
};

struct conform_report {
	const struct conform_test **sel;	/* selected tests, in catalog order */
	size_t nr_sel;
	struct conform_target_run *targets;
	size_t nr_targets;
	double seconds;
};

#endif
