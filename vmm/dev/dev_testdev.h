/* SPDX-License-Identifier: MIT */
/*
 * The conformance suite's test device, laid out like QEMU's `-device
 * pc-testdev` (include/hvbench/conform.h), so one payload checks both VMMs:
 *   port 0xe0-0xe3        a 4-byte data register: an access of n bytes at
 *                         offset k reads or writes bytes k..k+n-1
 *   port 0x2000-0x2017    a write of v to 0x2000 + n sets IOAPIC line n to
 *                         (v != 0); reads give 0
 *   MMIO 0xff000000       64 KiB of device memory, any width, any alignment
 *
 * Where QEMU 7.2 and refvmm differ (docs/refvmm.md): an access that runs
 * past 0xe3 is split by QEMU (the bytes inside the register are used, the
 * rest go to its flush-page port at 0xe4, which reads 0); refvmm decodes it
 * as unassigned (reads all-ones, writes dropped).  Under TCG, QEMU refuses
 * unaligned accesses inside the register (inw 0xe1 reads 0, outw 0xe1 is
 * dropped); refvmm and QEMU with KVM serve them.
 *
 * The access functions take an offset into the register or memory and do
 * not need KVM, so the unit tests drive them directly.  A conformance
 * fixture: only VMs given dev_set_conform have it.
 */
#ifndef DEV_TESTDEV_H
#define DEV_TESTDEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev.h"
#include "hvbench/conform.h"

struct testdev {
	pthread_mutex_t lock;	/* vCPUs access it concurrently */
	struct vm *vm;		/* whose IOAPIC the IRQ lines drive */
	uint32_t faults;	/* VM_FAULT_PIO_ECHO, _MMIO_ECHO, _DROP_IOAPIC */
	uint8_t data[TESTDEV_PORT_DATA_LEN];
	uint8_t iomem[TESTDEV_IOMEM_SIZE];
};

struct testdev *testdev_alloc(uint32_t faults);
void testdev_free(struct testdev *d);

/*
 * size bytes at offset off of the data register or of the device memory:
 * false, and nothing done, unless size is 1 to 8 and [off, off + size) lies
 * wholly inside.
 */
bool testdev_data_access(struct testdev *d, uint64_t off, uint8_t *buf, uint32_t size,
			 bool write);
bool testdev_iomem_access(struct testdev *d, uint64_t off, uint8_t *buf, uint32_t size,
			  bool write);

/* The device, registering its ports and memory on the VM's buses. */
extern const struct dev_type dev_testdev;

#endif
