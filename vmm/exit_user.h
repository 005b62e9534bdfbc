/* SPDX-License-Identifier: MIT */
/*
 * Opting in to exits KVM would otherwise handle in the kernel, and to
 * accesses KVM should complete without an exit:
 *   - MSR reads sent to userspace by KVM's MSR filter (KVM_EXIT_X86_RDMSR),
 *   - hypercalls sent to userspace (KVM_EXIT_HYPERCALL),
 *   - port and MMIO writes that only signal an eventfd (ioeventfd).
 * The handlers for the exits are registered with vm_exit_handler_set.
 */
#ifndef EXIT_USER_H
#define EXIT_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm_err.h"

struct vm;

/* Reads of msr exit to userspace (KVM_CAP_X86_USER_SPACE_MSR + a deny filter). */
int exit_user_msr_read(struct vm *vm, uint32_t msr, struct vmm_err *err);

/* Hypercalls whose numbers are set in mask exit to userspace (KVM_CAP_EXIT_HYPERCALL). */
int exit_user_hypercalls(struct vm *vm, uint64_t mask, struct vmm_err *err);

/* An eventfd KVM signals on a write of len bytes at addr (a port if pio); -1 on error. */
int exit_user_ioeventfd(struct vm *vm, uint64_t addr, uint32_t len, bool pio,
			struct vmm_err *err);

#endif
