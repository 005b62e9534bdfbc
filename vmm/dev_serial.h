/* SPDX-License-Identifier: MIT */
/*
 * A 16550-compatible UART, transmit side: enough for polling drivers (the
 * line status register always reports an empty transmitter) and for
 * `rep outsb`, which KVM delivers as a single exit with many bytes.
 * Transmitted bytes go to the VM's console.
 */
#ifndef DEV_SERIAL_H
#define DEV_SERIAL_H

#include <stdint.h>

#include "vm.h"

int dev_serial_create(struct vm *vm, uint16_t base, struct vmm_err *err);
void dev_serial_destroy(struct vm *vm);

#endif
