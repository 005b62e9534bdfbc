/* SPDX-License-Identifier: MIT */
/*
 * The contract between refvmm's VM and its devices: everything a device in
 * vmm/dev/ may know of the VM it lives in, and nothing more.
 *
 * A device is a struct dev_type: a name, the faults it can commit on
 * purpose, create and destroy.  create gets a struct dev_host: the two buses
 * to register the ranges it decodes on, guest RAM, the VM's vCPU count and
 * fault bits, and an opaque handle to pass to the VM's services (the calls
 * below, console_write in console.h, the interrupt calls in irq.h).  Which
 * devices a VM has is its configuration's choice (dev_set.h); the VM names
 * none of them, and no device sees the VM's insides.
 *
 * Handlers run on vCPU threads, on a VM with several vCPUs several at once:
 * state that two vCPUs can reach needs a lock.  What a guest hands a handler
 * (an address, a length, the data of an access) is untrusted.
 */
#ifndef DEV_H
#define DEV_H

#include <stdint.h>

#include "guest_mem.h"
#include "io_bus.h"
#include "vmm_err.h"

struct vm;
struct vcpu;

/* What a device is given when it is created. */
struct dev_host {
	struct vm *vm;			/* opaque: for the VM's services */
	struct io_bus *pio, *mmio;	/* where the device registers what it decodes */
	const struct guest_mem *mem;	/* guest RAM; guest addresses go through guest_mem_ptr */
	unsigned int nr_vcpus;		/* vCPU ids run from 0 to nr_vcpus - 1 */
	uint32_t faults;		/* VM_FAULT_* bits (vm_fault.h) asked of this VM */
};

struct dev_type {
	const char *name;
	uint32_t faults;	/* the VM_FAULT_* bits this device commits when asked */
	/*
	 * Make the device and register its ranges; *priv (NULL until set) is
	 * what destroy gets.  After a failure destroy is called all the same,
	 * so create may leave a half-made device behind for it.
	 */
	int (*create)(const struct dev_host *host, void **priv, struct vmm_err *err);
	/* Free what create made (priv may be NULL); NULL if there is nothing to free. */
	void (*destroy)(void *priv);
};

/* The id of the vCPU an access came from: 0 to nr_vcpus - 1, also its APIC ID. */
unsigned int dev_vcpu_id(const struct vcpu *vcpu);

/* A diagnostic about what the guest did, on stderr: "refvmm: vcpu N: ...". */
void dev_warn(const struct vcpu *vcpu, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * End the run because the guest asked to, with status: the run's outcome
 * is VM_RESULT_EXITED, why its reason.  The vCPU stops after this access.
 */
void dev_guest_exit(struct vcpu *vcpu, uint32_t status, const char *why);

/*
 * Map size bytes at host (page-aligned) as read-only guest memory at gpa,
 * above RAM: the guest reads it without exits and its writes come to the
 * MMIO bus.  1 if mapped; 0 if this KVM cannot (no KVM_CAP_READONLY_MEM),
 * and then reads come to the MMIO bus too; -1 on error.
 */
int dev_rom_map(struct vm *vm, uint64_t gpa, const void *host, uint64_t size,
		struct vmm_err *err);

#endif
