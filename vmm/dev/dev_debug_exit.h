/* SPDX-License-Identifier: MIT */
/*
 * The debug-exit port (QEMU's isa-debug-exit, port 0xf4): a write of v ends
 * the run.  QEMU exits with (v << 1) | 1; refvmm reports v itself as the
 * status.
 */
#ifndef DEV_DEBUG_EXIT_H
#define DEV_DEBUG_EXIT_H

#include "dev.h"

extern const struct dev_type dev_debug_exit;

#endif
