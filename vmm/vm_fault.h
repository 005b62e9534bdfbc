/* SPDX-License-Identifier: MIT */
/*
 * Deliberate misbehaviour, for negative tests: each fault shows that a
 * conformance test fails when the hypervisor answers wrongly.  A fault lives
 * where the wrong answer is given: the VM itself commits VM_FAULTS_VM, and
 * every other one belongs to a device (struct dev_type.faults), so it can be
 * asked of a VM only together with that device.
 */
#ifndef VM_FAULT_H
#define VM_FAULT_H

enum vm_fault {
	VM_FAULT_CPUID_SIGNATURE = 1u << 0,	/* leaf 0x40000000 says "KVMKVMKVX" */
	VM_FAULT_PIO_ECHO = 1u << 1,		/* testdev port reads: bit 0 flipped */
	VM_FAULT_MMIO_ECHO = 1u << 2,		/* testdev iomem reads: bit 0 flipped */
	VM_FAULT_DROP_MSI = 1u << 3,		/* control device: MSI reported sent, not sent */
	VM_FAULT_DROP_IOAPIC = 1u << 4,		/* testdev IRQ-line writes ignored */
	VM_FAULT_TSC_KHZ = 1u << 5,		/* the TSC rate stated to the guest is 1% high */
};

#define VM_NR_FAULTS 6

/* The faults the VM commits itself (CPUID, the stated TSC rate), whatever its devices. */
#define VM_FAULTS_VM (VM_FAULT_CPUID_SIGNATURE | VM_FAULT_TSC_KHZ)

/* vm_fault_names[i] names the fault 1u << i ("cpuid-signature", ...). */
extern const char *const vm_fault_names[VM_NR_FAULTS];

/* The VM_FAULT_* bit called name, or -1 if there is none. */
int vm_fault_parse(const char *name);

#endif
