/* SPDX-License-Identifier: MIT */
/*
 * KVM_SET_GSI_ROUTING replaces the whole table, so the default irqchip
 * routes that KVM_CREATE_IRQCHIP installs (GSI 0-15 to the PICs, 0-23 to the
 * IOAPIC) are kept in our copy and resubmitted with every new MSI route.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "irq.h"
#include "kvm.h"
#include "vm.h"

#define IOAPIC_PINS 24
#define PIC_PINS 16
#define MSI_ADDR_BASE 0xfee00000ull

struct irq_msi irq_msi_fixed(uint32_t apic_id, uint8_t vector)
{
	return (struct irq_msi){ .address = MSI_ADDR_BASE | ((uint64_t)(apic_id & 0xff) << 12),
				 .data = vector };
}

static int routing_add(struct irq_routing *r, const struct kvm_irq_routing_entry *e,
		       struct vmm_err *err)
{
	if (!r->table || r->table->nr == r->capacity) {
		uint32_t cap = r->capacity ? r->capacity * 2 : 64;
		struct kvm_irq_routing *t =
			realloc(r->table, sizeof(*t) + cap * sizeof(t->entries[0]));

		if (!t)
			return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
		if (!r->table)
			memset(t, 0, sizeof(*t));
		r->table = t;
		r->capacity = cap;
	}
	r->table->entries[r->table->nr++] = *e;
	return 0;
}

int irq_chip_create(struct vm *vm, struct vmm_err *err)
{
	struct irq_routing *r = &vm->routing;
	/* With the speaker port 0x61 too: it gates PIT channel 2, a timebase for guests. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_CREATE_IRQCHIP");
	if (vm->cfg.pit && kvm_cap(vm->kvm_fd, KVM_CAP_PIT2) > 0 &&
	    ioctl(vm->fd, KVM_CREATE_PIT2, &pit))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_CREATE_PIT2");
	for (uint32_t gsi = 0; gsi < IOAPIC_PINS; gsi++) {
		struct kvm_irq_routing_entry e = {
			.gsi = gsi,
			.type = KVM_IRQ_ROUTING_IRQCHIP,
			.u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = gsi },
		};

		if (routing_add(r, &e, err))
			return -1;
		if (gsi >= PIC_PINS || gsi == 2) /* pin 2 is the PIC cascade */
			continue;
		e.u.irqchip.irqchip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE;
		e.u.irqchip.pin = gsi % 8;
		if (routing_add(r, &e, err))
			return -1;
	}
	r->next_gsi = IOAPIC_PINS;
	return 0;
}

void irq_routing_free(struct irq_routing *r)
{
	free(r->table);
	*r = (struct irq_routing){ 0 };
}

int irq_msi_signal(struct vm *vm, struct irq_msi msi, struct vmm_err *err)
{
	struct kvm_msi m = {
		.address_lo = (uint32_t)msi.address,
		.address_hi = (uint32_t)(msi.address >> 32),
		.data = msi.data,
	};
	int r = ioctl(vm->fd, KVM_SIGNAL_MSI, &m);

	if (r < 0)
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SIGNAL_MSI");
	return r > 0;
}

int irq_msi_route(struct vm *vm, struct irq_msi msi, uint32_t *gsi, struct vmm_err *err)
{
	struct irq_routing *r = &vm->routing;
	struct kvm_irq_routing_entry e = {
		.gsi = r->next_gsi,
		.type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = (uint32_t)msi.address,
			   .address_hi = (uint32_t)(msi.address >> 32),
			   .data = msi.data },
	};

	if (!r->table)
		return vmm_err_set(err, VMM_ERR_USAGE, "MSI routes need the in-kernel irqchip");
	if (routing_add(r, &e, err))
		return -1;
	if (ioctl(vm->fd, KVM_SET_GSI_ROUTING, r->table)) {
		r->table->nr--;
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_GSI_ROUTING");
	}
	*gsi = r->next_gsi++;
	return 0;
}

int irq_irqfd_attach(struct vm *vm, uint32_t gsi, struct vmm_err *err)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_irqfd req = { .gsi = gsi };

	if (efd < 0)
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "eventfd");
	req.fd = efd;
	if (ioctl(vm->fd, KVM_IRQFD, &req)) {
		vmm_err_sys(err, VMM_ERR_KVM, "KVM_IRQFD for GSI %u", gsi);
		close(efd);
		return -1;
	}
	return efd;
}

int irq_irqfd_raise(int efd)
{
	uint64_t one = 1;

	return write(efd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

int irq_line_set(struct vm *vm, uint32_t gsi, int level, struct vmm_err *err)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	if (ioctl(vm->fd, KVM_IRQ_LINE, &l))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_IRQ_LINE %u", gsi);
	return 0;
}
