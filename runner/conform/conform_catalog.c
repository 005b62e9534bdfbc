/* SPDX-License-Identifier: MIT */
/* The conformance tests, from the same list the payload is built from. */
#include "conform.h"

const struct conform_test conform_tests[] = {
#define CONFORM_TEST(fn, id_, area_, vcpus, spec_, desc_) \
	{ .id = id_, .area = area_, .spec = spec_, .desc = desc_, .nr_vcpus = vcpus },
#include "hvbench/conform_tests.def"
#undef CONFORM_TEST
};

const size_t conform_nr_tests = sizeof(conform_tests) / sizeof(conform_tests[0]);

const char *conform_status_name(enum conform_status s)
{
	static const char *const names[] = {
		[CONFORM_PASS] = "PASS", [CONFORM_FAIL] = "FAIL", [CONFORM_SKIP] = "SKIP",
		[CONFORM_TIMEOUT] = "TIMEOUT", [CONFORM_CRASH] = "CRASH", [CONFORM_ERROR] = "ERROR",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *conform_verdict_name(enum conform_verdict v)
{
	static const char *const names[] = {
		[CONFORM_OK] = "ok", [CONFORM_EXPECTED_FAIL] = "expected-fail",
		[CONFORM_UNEXPECTED_FAIL] = "unexpected-fail",
		[CONFORM_UNEXPECTED_PASS] = "unexpected-pass",
	};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
