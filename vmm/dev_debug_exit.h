/* SPDX-License-Identifier: MIT */
/*
 * The debug-exit port (QEMU's isa-debug-exit): a write of v ends the run.
 * QEMU exits with (v << 1) | 1; refvmm reports v itself as the status.
 */
#ifndef DEV_DEBUG_EXIT_H
#define DEV_DEBUG_EXIT_H

#include "vm.h"

int dev_debug_exit_create(struct vm *vm, uint16_t base, struct vmm_err *err);

#endif
