/* SPDX-License-Identifier: MIT */
/* The /dev/kvm system handle: opening it, capabilities, supported CPUID. */
#ifndef KVM_H
#define KVM_H

#include <stddef.h>

#include <linux/kvm.h>

#include "vmm_err.h"

#define KVM_DEVICE "/dev/kvm"

/* Open /dev/kvm and check the API version; err says why not (VMM_ERR_KVM). */
int kvm_open(struct vmm_err *err);

/*
 * Why /dev/kvm does not exist, as one line beginning "/dev/kvm does not
 * exist": which of kvm_intel, kvm_amd, kvm_pvm is loaded without having
 * created it, or, with none loaded, what to load.  hvbench info says the
 * same through this, so refvmm and the runner never disagree.
 */
void kvm_missing_why(char *buf, size_t len);

/* KVM_CHECK_EXTENSION: > 0 if supported (some capabilities return a count). */
int kvm_cap(int fd, long cap);

/* KVM_GET_SUPPORTED_CPUID, sized by retrying on E2BIG; free() the result. */
struct kvm_cpuid2 *kvm_supported_cpuid(int kvm_fd, struct vmm_err *err);

#endif
