/* SPDX-License-Identifier: MIT */
/*
 * hvbench's paravirtual console (port 0x540, include/hvbench/ports.h): the
 * guest hands over a whole line by guest-physical address in one port
 * write.
 */
#ifndef DEV_PV_CONSOLE_H
#define DEV_PV_CONSOLE_H

#include "dev.h"

extern const struct dev_type dev_pv_console;

#endif
