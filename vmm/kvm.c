/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm.h"

#define CPUID_ENTRIES_MAX 1024

/* The backend modules, one of which creates /dev/kvm when it binds. */
static const char *const kvm_backend_modules[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };

void kvm_missing_why(char *buf, size_t len)
{
	char loaded[64] = "";
	size_t n = 0, nr = 0;

	for (size_t i = 0; i < sizeof(kvm_backend_modules) / sizeof(kvm_backend_modules[0]); i++) {
		char path[64];
		struct stat st;

		snprintf(path, sizeof(path), "/sys/module/%s", kvm_backend_modules[i]);
		if (stat(path, &st))
			continue;
		n += snprintf(loaded + n, n < sizeof(loaded) ? sizeof(loaded) - n : 0, "%s%s",
			      nr++ ? ", " : "", kvm_backend_modules[i]);
	}
	/*
	 * A loaded backend without the device: it declined to register (a PVM
	 * guest kernel's kvm_pvm says "not binding"; kvm_intel on a CPU without
	 * VT-x), or this process's /dev is a container's.
	 */
	if (nr)
		snprintf(buf, len, "%s does not exist, though %s %s loaded: %s the device (the "
			 "kernel log says why), or this process's /dev lacks it (a container)",
			 KVM_DEVICE, loaded, nr > 1 ? "are" : "is",
			 nr > 1 ? "none of them created" : "it did not create");
	else
		snprintf(buf, len, "%s does not exist: load kvm_intel, kvm_amd or kvm_pvm, or run "
			 "on a host with KVM", KVM_DEVICE);
}

int kvm_open(struct vmm_err *err)
{
	int fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		if (errno == ENOENT) {
			char why[256];

			kvm_missing_why(why, sizeof(why));
			return vmm_err_set(err, VMM_ERR_KVM, "%s", why);
		}
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
