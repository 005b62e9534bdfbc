/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>

#include "dev.h"
#include "dev_set.h"
#include "kvm.h"
#include "vcpu.h"
#include "vm_dev.h"

/* The first fault in faults that neither the VM nor one of set's devices commits, or -1. */
static int fault_unclaimed(const struct dev_set *set, uint32_t faults)
{
	faults &= ~((uint32_t)VM_FAULTS_VM | dev_set_faults(set));
	for (int i = 0; i < VM_NR_FAULTS; i++)
		if (faults & (1u << i))
			return i;
	return -1;
}

int vm_devices_create(struct vm *vm, struct vmm_err *err)
{
	const struct dev_set *set = vm->cfg.devices ? vm->cfg.devices : &dev_set_standard;
	const struct dev_host host = {
		.vm = vm,
		.pio = &vm->pio,
		.mmio = &vm->mmio,
		.mem = &vm->mem,
		.nr_vcpus = vm->nr_vcpus,
		.faults = vm->cfg.faults,
	};
	int fault = fault_unclaimed(set, vm->cfg.faults);

	if (fault >= 0)
		return vmm_err_set(err, VMM_ERR_USAGE,
				   "fault '%s' lives in a device that device set '%s' lacks",
				   vm_fault_names[fault], set->name);
	if (set->nr > VM_MAX_DEVICES)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "device set '%s' has %u devices, over %d",
				   set->name, set->nr, VM_MAX_DEVICES);
	for (unsigned int i = 0; i < set->nr; i++) {
		struct vm_device *d = &vm->devices[vm->nr_devices++];

		*d = (struct vm_device){ .type = set->types[i] };
		if (d->type->create(&host, &d->priv, err))
			return -1;
	}
	return 0;
}

void vm_devices_destroy(struct vm *vm)
{
	while (vm->nr_devices) {
		struct vm_device *d = &vm->devices[--vm->nr_devices];

		if (d->type->destroy)
			d->type->destroy(d->priv);
	}
}

unsigned int dev_vcpu_id(const struct vcpu *vcpu)
{
	return (unsigned int)vcpu->id;
}

void dev_warn(const struct vcpu *vcpu, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vcpu_warn(vcpu, "%s", msg);
}

void dev_guest_exit(struct vcpu *vcpu, uint32_t status, const char *why)
{
	vm_finish(vcpu->vm, VM_RESULT_EXITED, vcpu->id, status, "%s", why);
}

int dev_rom_map(struct vm *vm, uint64_t gpa, const void *host, uint64_t size,
		struct vmm_err *err)
{
	if (kvm_cap(vm->kvm_fd, KVM_CAP_READONLY_MEM) <= 0)
		return 0;
	/* KVM never writes through a read-only slot: the mapping may be read-only too. */
	return vm_mem_map(vm, gpa, (void *)host, size, KVM_MEM_READONLY, err) ? -1 : 1;
}
