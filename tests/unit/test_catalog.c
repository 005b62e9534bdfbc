/* SPDX-License-Identifier: MIT */
/*
 * The workload catalog's rows agree with each other: names are unique
 * (results files and --filter key on them), an instance cell names a real
 * guest workload it stands for and a real instance cell it pairs with, and
 * every native-capable row has an operation to run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "native.h"

static void test_names_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < nr_workloads; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(workloads[i].name, workloads[j].name))
				fail_msg("'%s' is in the catalog twice", workloads[i].name);
}

static void test_instance_rows(void **state)
{
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < nr_workloads; i++) {
		const struct workload *w = &workloads[i], *o;

		if (!w->instance) {
			assert_null(w->stands_for);
			assert_null(w->pair);
			continue;
		}
		n++;
		assert_string_equal(w->family, "instance");
		assert_int_equal(w->modes, MODE_BIT(MODE_NATIVE));
		assert_false(w->quick);
		assert_non_null(w->mechanism);
		assert_true(strlen(w->mechanism) > 0);
		if (!w->native || !w->native->impl)
			fail_msg("instance cell '%s' has no operation", w->name);
		if (w->stands_for) {
			o = workload_find(w->stands_for);
			if (!o || o->instance)
				fail_msg("'%s' stands for '%s', which is no guest workload", w->name,
					 w->stands_for);
		}
		if (w->pair) {
			o = workload_find(w->pair);
			if (!o || !o->instance || o == w)
				fail_msg("'%s' pairs with '%s', which is no other instance cell",
					 w->name, w->pair);
		}
		/* An op with a second thread says where it runs; one without, nowhere. */
		assert_int_equal(w->native->peer, w->peer != PEER_NONE);
	}
	assert_true(n >= 10);
}

/* What the native target runs: every row that has mode native has an operation. */
static void test_native_rows_have_ops(void **state)
{
	(void)state;
	for (size_t i = 0; i < nr_workloads; i++) {
		const struct workload *w = &workloads[i];

		if (w->native)
			assert_non_null(w->native->impl);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_instance_rows),
		cmocka_unit_test(test_native_rows_have_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
