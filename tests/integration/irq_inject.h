/* SPDX-License-Identifier: MIT */
/*
 * What guest-payloads/selftest/irq.c asks of the host, shared by the tests
 * that boot it: it writes 1, 2 or 3 to IRQ_TEST_PORT and expects one
 * interrupt by KVM_SIGNAL_MSI (vector 0x40), by irqfd (the route bound to
 * irqfd) or as an edge on IOAPIC pin IOAPIC_PIN.
 */
#ifndef IRQ_INJECT_H
#define IRQ_INJECT_H

#include <stdint.h>

#include "irq.h"
#include "vm.h"

#define IRQ_TEST_PORT 0x5f0
#define IOAPIC_PIN 5

/* Inject what request kind names; 0, or -1 (err may say why). */
static inline int irq_inject_request(struct vm *vm, int irqfd, uint8_t kind, struct vmm_err *err)
{
	switch (kind) {
	case 1:
		return irq_msi_signal(vm, irq_msi_fixed(0, 0x40), err) == 1 ? 0 : -1;
	case 2:
		return irq_irqfd_raise(irqfd);
	case 3:
		return irq_line_set(vm, IOAPIC_PIN, 1, err) | irq_line_set(vm, IOAPIC_PIN, 0, err);
	default:
		return -1;
	}
}

#endif
