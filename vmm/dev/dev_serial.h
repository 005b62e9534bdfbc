/* SPDX-License-Identifier: MIT */
/*
 * COM1 (port 0x3f8): a 16550-compatible UART, transmit side: enough for
 * polling drivers (the line status register always reports an empty
 * transmitter) and for `rep outsb`, which KVM delivers as a single exit
 * with many bytes.  Transmitted bytes go to the VM's console.
 */
#ifndef DEV_SERIAL_H
#define DEV_SERIAL_H

#include "dev.h"

extern const struct dev_type dev_serial;

#endif
