/* SPDX-License-Identifier: MIT */
/*
 * The VM's side of the device contract (dev/dev.h): creating the devices
 * its configuration chose, destroying them, and the services devices call.
 * The VM knows devices only as struct dev_type, through this file.
 */
#ifndef VM_DEV_H
#define VM_DEV_H

#include "vm.h"

/*
 * Create vm->cfg.devices (dev_set_standard if NULL) in order.  Refuses a
 * fault that neither the VM nor one of these devices commits.  On failure
 * the devices made so far stay in vm for vm_devices_destroy.
 */
int vm_devices_create(struct vm *vm, struct vmm_err *err);

/* Destroy the VM's devices, last created first. */
void vm_devices_destroy(struct vm *vm);

#endif
