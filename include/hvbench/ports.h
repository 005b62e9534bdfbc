/* SPDX-License-Identifier: MIT */
/*
 * I/O ports and exit statuses of the guest/host contract (docs/protocol.md).
 *
 * Only conventions that any PVH-capable VMM already offers are used, so a
 * payload runs unchanged under refvmm and under QEMU:
 *   - COM1, a 16550 UART at 0x3f8, carries all text output;
 *   - the isa-debug-exit port at 0xf4 ends the run with a status.
 */
#ifndef HVBENCH_PORTS_H
#define HVBENCH_PORTS_H

#include <stdint.h>

#define PORT_COM1 0x3f8
#define PORT_COM1_LEN 8
#define PORT_DEBUG_EXIT 0xf4
#define PORT_DEBUG_EXIT_LEN 4

/*
 * hvbench's paravirtual console, offered by refvmm: one exit per line.
 * (On KVM a `rep outsb` to the UART is emulated one byte per exit.)
 *   inl(PORT_HVB_CONSOLE)       -> HVB_CONSOLE_MAGIC if present; any other
 *                                  value (an empty port) means use COM1
 *   outl(PORT_HVB_CONSOLE, gpa) -> print the struct hvb_console_line at
 *                                  guest-physical gpa (below 4 GiB)
 * The host checks gpa and len against guest memory and HVB_CONSOLE_LINE_MAX.
 */
#define PORT_HVB_CONSOLE 0x540
#define PORT_HVB_CONSOLE_LEN 4
#define HVB_CONSOLE_MAGIC 0x31425648u /* "HVB1" */
#define HVB_CONSOLE_LINE_MAX 4096

struct hvb_console_line {
	uint32_t len;
	char text[];
};

/*
 * The status a payload writes to PORT_DEBUG_EXIT. QEMU turns a write of v
 * into the process exit code (v << 1) | 1; refvmm returns v itself. Values
 * above GUEST_STATUS_MAX are reserved for the host's own outcomes.
 */
#define GUEST_STATUS_PASS 0
#define GUEST_STATUS_FAIL 1
#define GUEST_STATUS_EXCEPTION 2 /* unexpected exception, reported on serial */
#define GUEST_STATUS_BAD_BOOT 3	 /* PVH start_info missing or malformed */
#define GUEST_STATUS_MAX 63

#endif
