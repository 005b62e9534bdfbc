/* SPDX-License-Identifier: MIT */
/*
 * The device sets a VM can be given (struct vm_config.devices): each is
 * the list of devices the VM creates, in order, at vm_create.
 *
 *   standard  COM1, hvbench's PV console, the debug-exit port: what every
 *             payload needs to print and to end its run
 *   conform   the standard devices and the conformance suite's fixtures:
 *             the test device (pc-testdev), the control device and its ROM
 *
 * A VM that does not run the conformance suite takes the standard set and
 * carries no fixture it would not use (the ROM alone is a memory slot and
 * 64 KiB filled at every boot).
 */
#ifndef DEV_SET_H
#define DEV_SET_H

#include <stdint.h>

struct dev_type;

struct dev_set {
	const char *name;
	const struct dev_type *const *types;
	unsigned int nr;
};

extern const struct dev_set dev_set_standard;
extern const struct dev_set dev_set_conform;

/* The set called name ("standard", "conform"), or NULL. */
const struct dev_set *dev_set_find(const char *name);

/* The VM_FAULT_* bits the set's devices commit when asked (vm_fault.h). */
uint32_t dev_set_faults(const struct dev_set *set);

#endif
