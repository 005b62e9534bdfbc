/* SPDX-License-Identifier: MIT */
/*
 * hvbench's paravirtual console (include/hvbench/ports.h): the guest hands
 * over a whole line by guest-physical address in one port write.
 */
#ifndef DEV_PV_CONSOLE_H
#define DEV_PV_CONSOLE_H

#include "vm.h"

int dev_pv_console_create(struct vm *vm, uint16_t base, struct vmm_err *err);

#endif
