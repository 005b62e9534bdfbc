/* SPDX-License-Identifier: MIT */
/*
 * refvmm's conformance control device (include/hvbench/conform.h): three
 * 32-bit registers at port 0x5c0 through which a test asks the host to do
 * what only a host can (send an MSI) or to say what it saw (the writes that
 * reached it from the ROM), and the ROM itself: 64 KiB at 0xffff0000 filled
 * with CONFORM_ROM_PATTERN, a KVM_MEM_READONLY slot whose writes come back as
 * MMIO exits.  Where KVM lacks KVM_CAP_READONLY_MEM there is no slot and the
 * device serves the ROM's reads too, one exit each.
 *
 * The argument and result registers are per vCPU, so two vCPUs issuing
 * commands at once cannot see each other's results.  A conformance
 * fixture: only VMs given dev_set_conform have it.
 */
#ifndef DEV_CONFORM_CTL_H
#define DEV_CONFORM_CTL_H

#include "dev.h"

extern const struct dev_type dev_conform_ctl;

#endif
