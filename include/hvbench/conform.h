/* SPDX-License-Identifier: MIT */
/*
 * The conformance payload's ABI (docs/conformance.md): the records it prints
 * and the devices its tests talk to.
 *
 * Devices come in two kinds.  The test device follows the layout of QEMU's
 * `-device pc-testdev` (the one kvm-unit-tests uses), so one payload runs the
 * same checks under refvmm and under QEMU and each VMM's device model is
 * checked against the other's.  The control device is refvmm's own: it lets
 * a test ask the host to do something only a host can (send an MSI, say
 * what exits it saw).  Under another VMM its port reads as all-ones and the
 * tests that need it skip.
 */
#ifndef HVBENCH_CONFORM_H
#define HVBENCH_CONFORM_H

/*
 * Records, one per line:
 *   @hvb conform begin ID
 *   @hvb conform fail TEXT        a failed check, free text (several allowed)
 *   @hvb conform skip TEXT        why the test cannot run here
 *   @hvb conform end ID pass|fail|skip checks=N
 */
#define CONFORM_RECORD "@hvb conform"
#define CONFORM_TEXT_MAX 200	/* longest TEXT the host keeps */
#define CONFORM_FAILS_MAX 16	/* fail records the host keeps per test */

/* pc-testdev layout. */
#define TESTDEV_PORT_DATA 0xe0	/* 4 bytes: an access of n bytes at offset k reads or writes bytes k..k+n-1 */
#define TESTDEV_PORT_DATA_LEN 4
#define TESTDEV_PORT_IRQ 0x2000 /* 0x2000 + n: a write sets ISA/IOAPIC line n to (value != 0) */
#define TESTDEV_IRQ_LINES 24
#define TESTDEV_IOMEM_BASE 0xff000000ull /* 64 KiB of device memory: any width, any alignment */
#define TESTDEV_IOMEM_SIZE 0x10000ull

/*
 * Read-only memory: the top 64 KiB below 4 GiB.  refvmm maps a ROM there (a
 * KVM_MEM_READONLY slot filled with CONFORM_ROM_PATTERN) whose writes reach
 * it as MMIO exits.  QEMU microvm loads its BIOS at the same place, but as
 * RAM: writes stick, so the ROM tests skip there.
 */
#define CONFORM_ROM_BASE 0xffff0000ull
#define CONFORM_ROM_SIZE 0x10000ull
#define CONFORM_ROM_PATTERN 0x4d4f5248u /* "HROM", repeated */

/*
 * refvmm's control device.  Reading CONFORM_CTL_ID gives CONFORM_CTL_MAGIC;
 * a command is its argument written to CONFORM_CTL_ARG, then its number
 * written to CONFORM_CTL_CMD; its result is read from CONFORM_CTL_RESULT.
 */
#define CONFORM_CTL_ID 0x5c0
#define CONFORM_CTL_CMD 0x5c0
#define CONFORM_CTL_ARG 0x5c4
#define CONFORM_CTL_RESULT 0x5c8
#define CONFORM_CTL_LEN 12
#define CONFORM_CTL_MAGIC 0x43425648u /* "HVBC" */

enum conform_ctl_cmd {
	CONFORM_CMD_MSI = 1,		/* arg: vector | dest APIC ID << 8; result 1 if sent */
	CONFORM_CMD_ROM_WRITES = 2,	/* result: MMIO write exits seen on the ROM */
	CONFORM_CMD_ROM_LAST_ADDR = 3,	/* result: guest-physical address of the last one (low 32 bits) */
	CONFORM_CMD_ROM_LAST_DATA = 4,	/* result: its data, low 32 bits */
	CONFORM_CMD_ROM_LAST_LEN = 5,	/* result: its length in bytes */
};

#endif
