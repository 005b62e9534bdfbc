/* SPDX-License-Identifier: MIT */
/*
 * The device sets VMs are given: found by the names refvmm --devices takes,
 * the standard set free of the conformance fixtures (benchmark VMs must not
 * carry them), the conform set with all of them, and every fault committed
 * by the VM itself or by a device of the conform set, so each --fault name
 * works there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev.h"
#include "dev_set.h"
#include "vm_fault.h"

static void assert_names(const struct dev_set *set, const char *const *names, unsigned int n)
{
	assert_int_equal(set->nr, n);
	for (unsigned int i = 0; i < n; i++) {
		assert_string_equal(set->types[i]->name, names[i]);
		assert_non_null(set->types[i]->create);
	}
}

static void test_find(void **state)
{
	(void)state;
	assert_ptr_equal(dev_set_find("standard"), &dev_set_standard);
	assert_ptr_equal(dev_set_find("conform"), &dev_set_conform);
	assert_string_equal(dev_set_standard.name, "standard");
	assert_string_equal(dev_set_conform.name, "conform");
	assert_null(dev_set_find(""));
	assert_null(dev_set_find("Standard"));
	assert_null(dev_set_find("conform "));
	assert_null(dev_set_find("testdev"));
}

static void test_members(void **state)
{
	static const char *const standard[] = { "serial", "pv-console", "debug-exit" };
	static const char *const conform[] = { "serial", "pv-console", "debug-exit", "testdev",
					       "conform-ctl" };

	(void)state;
	assert_names(&dev_set_standard, standard, 3);
	assert_names(&dev_set_conform, conform, 5);
}

static void test_faults(void **state)
{
	uint32_t all = (1u << VM_NR_FAULTS) - 1;

	(void)state;
	/* Nothing in a benchmark VM misbehaves on purpose. */
	assert_int_equal(dev_set_faults(&dev_set_standard), 0);
	assert_int_equal(dev_set_faults(&dev_set_conform),
			 VM_FAULT_PIO_ECHO | VM_FAULT_MMIO_ECHO | VM_FAULT_DROP_MSI |
				 VM_FAULT_DROP_IOAPIC);
	/* Each fault lives in one place: the VM or a device. */
	assert_int_equal(dev_set_faults(&dev_set_conform) & VM_FAULTS_VM, 0);
	assert_int_equal(dev_set_faults(&dev_set_conform) | VM_FAULTS_VM, all);
	for (int i = 0; i < VM_NR_FAULTS; i++)
		assert_int_equal(vm_fault_parse(vm_fault_names[i]), 1 << i);
	assert_int_equal(vm_fault_parse("pio"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_faults),
	};

	return cmocka_run_group_tests_name("dev_set", tests, NULL, NULL);
}
