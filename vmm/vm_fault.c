/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "vm_fault.h"

const char *const vm_fault_names[VM_NR_FAULTS] = {
	"cpuid-signature", "pio-echo", "mmio-echo", "drop-msi", "drop-ioapic", "tsc-khz",
};

int vm_fault_parse(const char *name)
{
	for (int i = 0; i < VM_NR_FAULTS; i++)
		if (!strcmp(name, vm_fault_names[i]))
			return 1 << i;
	return -1;
}
