/* SPDX-License-Identifier: MIT */
/*
 * The conformance payload: runs the test its command line names
 * (conform=ID), or every test in order (conform=all, for a person at the
 * refvmm command line; the runner boots one VM per test so that a test that
 * hangs or leaves the CPU in a strange state cannot spoil the next).
 */
#include "conform.h"

struct conform_entry {
	const char *id;
	void (*fn)(struct ct *t);
};

static const struct conform_entry conform_entries[] = {
#define CONFORM_TEST(fn, id, area, vcpus, spec, desc) { id, fn },
#include "hvbench/conform_tests.def"
#undef CONFORM_TEST
};

#define NR_ENTRIES (sizeof(conform_entries) / sizeof(conform_entries[0]))

static void conform_run(const struct conform_entry *e)
{
	struct ct t = { .id = e->id };
	const char *result;

	rt_printf(CONFORM_RECORD " begin %s\n", e->id);
	e->fn(&t);
	if (!t.failed && !t.skipped && !t.checks)
		ct_check(&t, false, "the test made no check"); /* a test that asserts nothing fails */
	result = t.failed ? "fail" : t.skipped ? "skip" : "pass";
	rt_printf(CONFORM_RECORD " end %s %s checks=%u\n", e->id, result, t.checks);
}

int guest_main(void)
{
	const char *arg = rt_cmdline_get("conform");
	char sel[64];

	/* A copy: rt_cmdline_get's slot is reused by the tests' own lookups. */
	if (!arg) {
		rt_printf("conform: no test named: boot with conform=ID or conform=all\n");
		return GUEST_STATUS_FAIL;
	}
	rt_snprintf(sel, sizeof(sel), "%s", arg);
	for (unsigned int i = 0; i < NR_ENTRIES; i++) {
		if (!strcmp(sel, "all") || !strcmp(sel, conform_entries[i].id)) {
			conform_run(&conform_entries[i]);
			if (strcmp(sel, "all"))
				return GUEST_STATUS_PASS;
		}
	}
	if (!strcmp(sel, "all"))
		return GUEST_STATUS_PASS;
	rt_printf("conform: no test called \"%s\"\n", sel);
	return GUEST_STATUS_FAIL;
}
