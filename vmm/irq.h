/* SPDX-License-Identifier: MIT */
/*
 * Interrupt delivery into the guest with KVM's in-kernel irqchip:
 * MSIs signalled directly (KVM_SIGNAL_MSI) or through an eventfd bound to a
 * GSI (irqfd, the path device threads use without touching the vCPU), and
 * IOAPIC/PIC lines (KVM_IRQ_LINE).
 */
#ifndef IRQ_H
#define IRQ_H

#include <linux/kvm.h>
#include <stdint.h>

#include "vmm_err.h"

struct vm;

/* The GSI routing table as last given to KVM_SET_GSI_ROUTING. */
struct irq_routing {
	struct kvm_irq_routing *table;
	uint32_t capacity;
	uint32_t next_gsi;
};

/* An MSI to a LAPIC: fixed delivery, edge, physical destination. */
struct irq_msi {
	uint64_t address;
	uint32_t data;
};

struct irq_msi irq_msi_fixed(uint32_t apic_id, uint8_t vector);

/*
 * KVM_CREATE_IRQCHIP and the default routes (PIC and IOAPIC pins), and the
 * in-kernel PIT (ports 0x40-0x43 and 0x61, no exits).  The PIT raises IRQ 0
 * only once the guest programs channel 0; the IOAPIC pin is masked at reset
 * (KVM's PIC is not: a guest that uses the PIT masks it, as the runtime does).
 */
int irq_chip_create(struct vm *vm, struct vmm_err *err);
void irq_routing_free(struct irq_routing *r);

/* 1 if delivered, 0 if the guest blocked it (e.g. APIC disabled), -1 on error. */
int irq_msi_signal(struct vm *vm, struct irq_msi msi, struct vmm_err *err);

/* Route a new GSI to msi; *gsi receives its number. */
int irq_msi_route(struct vm *vm, struct irq_msi msi, uint32_t *gsi, struct vmm_err *err);

/* An eventfd that raises gsi when written; -1 on error. */
int irq_irqfd_attach(struct vm *vm, uint32_t gsi, struct vmm_err *err);

/* Raise the interrupt bound to an irqfd (from any thread). */
int irq_irqfd_raise(int efd);

/* Drive an IOAPIC/PIC input line. */
int irq_line_set(struct vm *vm, uint32_t gsi, int level, struct vmm_err *err);

#endif
