/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm.h"

#define CPUID_ENTRIES_MAX 1024

int kvm_open(struct vmm_err *err)
{
	int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		if (errno == ENOENT)
			return vmm_err_set(err, VMM_ERR_KVM,
					   "%s does not exist: load kvm_intel, kvm_amd (or another "
					   "KVM backend) or run on a host with KVM",
					   KVM_DEVICE);
		if (errno == EACCES || errno == EPERM)
			return vmm_err_set(err, VMM_ERR_KVM,
					   "no permission to open %s: run as root or join the kvm "
					   "group",
					   KVM_DEVICE);
		return vmm_err_sys(err, VMM_ERR_KVM, "cannot open %s", KVM_DEVICE);
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		close(fd);
		return vmm_err_set(err, VMM_ERR_KVM, "KVM API version %d, refvmm needs %d", version,
				   KVM_API_VERSION);
	}
	return fd;
}

int kvm_cap(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd, struct vmm_err *err)
{
	for (int n = 128; n <= CPUID_ENTRIES_MAX; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c) {
			vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
			return NULL;
		}
		c->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c))
			return c;
		free(c);
		if (errno != E2BIG) {
			vmm_err_sys(err, VMM_ERR_KVM, "KVM_GET_SUPPORTED_CPUID");
			return NULL;
		}
	}
	vmm_err_set(err, VMM_ERR_KVM, "KVM_GET_SUPPORTED_CPUID: more than %d entries",
		    CPUID_ENTRIES_MAX);
	return NULL;
}
