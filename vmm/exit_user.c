/* SPDX-License-Identifier: MIT */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "exit_user.h"
#include "kvm.h"
#include "vm.h"

int exit_user_msr_read(struct vm *vm, uint32_t msr, struct vmm_err *err)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args = { KVM_MSR_EXIT_REASON_FILTER },
	};
	/* Bit clear in a range's bitmap = denied = sent to userspace. */
	uint8_t deny = 0;
	struct kvm_msr_filter filter = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges[0] = { .flags = KVM_MSR_FILTER_READ, .nmsrs = 1, .base = msr,
			       .bitmap = &deny },
	};

	if (kvm_cap(vm->kvm_fd, KVM_CAP_X86_USER_SPACE_MSR) <= 0 ||
	    kvm_cap(vm->kvm_fd, KVM_CAP_X86_MSR_FILTER) <= 0)
		return vmm_err_set(err, VMM_ERR_KVM, "this KVM cannot send MSR accesses to userspace");
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_CAP_X86_USER_SPACE_MSR");
	if (ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &filter))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_X86_SET_MSR_FILTER");
	return 0;
}

int exit_user_hypercalls(struct vm *vm, uint64_t mask, struct vmm_err *err)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXIT_HYPERCALL, .args = { mask } };
	int supported = kvm_cap(vm->fd, KVM_CAP_EXIT_HYPERCALL);

	if (supported <= 0 || (mask & ~(uint64_t)supported))
		return vmm_err_set(err, VMM_ERR_KVM,
				   "this KVM cannot send hypercalls 0x%llx to userspace (it offers 0x%x)",
				   (unsigned long long)mask, supported > 0 ? supported : 0);
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_CAP_EXIT_HYPERCALL");
	return 0;
}

int exit_user_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio,
			struct vmm_err *err)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_ioeventfd io = {
		.addr = addr,
		.len = len,
		.flags = pio ? KVM_IOEVENTFD_FLAG_PIO : 0,
	};

	if (efd < 0)
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "eventfd");
	io.fd = efd;
	if (ioctl(vm->fd, KVM_IOEVENTFD, &io)) {
		vmm_err_sys(err, VMM_ERR_KVM, "KVM_IOEVENTFD at %s 0x%llx", pio ? "port" : "address",
			    (unsigned long long)addr);
		close(efd);
		return -1;
	}
	return efd;
}
