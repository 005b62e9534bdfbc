/* SPDX-License-Identifier: MIT */
/*
 * The targets' table: adding a VMM is one file defining its struct target
 * and one line here; hvbench run and hvbench conform both read the table.
 */
#include <string.h>

#include "target.h"

/* In the order targets are listed and run; native last, as the one that runs no VM. */
const struct target *const targets[] = {
	&target_refvmm,
	&target_qemu_kvm,
	&target_qemu_tcg,
	&target_vmm_cmd,
	&target_native,
};

const size_t nr_targets = sizeof(targets) / sizeof(targets[0]);

const struct target *target_find(const char *name)
{
	if (!strcmp(name, "qemu"))
		return &target_qemu_kvm;
	for (size_t i = 0; i < nr_targets; i++)
		if (!strcmp(targets[i]->name, name))
			return targets[i];
	return NULL;
}

size_t target_index(const struct target *t)
{
	size_t i = 0;

	while (i < nr_targets && targets[i] != t)
		i++;
	return i;
}
