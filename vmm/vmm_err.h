/* SPDX-License-Identifier: MIT */
/*
 * Errors from the refvmm library: a kind (which maps to a distinct exit code
 * in the CLI) and one line saying what is wrong and, where possible, what to
 * do about it.
 */
#ifndef VMM_ERR_H
#define VMM_ERR_H

#include <stddef.h>

enum vmm_err_kind {
	VMM_ERR_NONE = 0,
	VMM_ERR_USAGE,	   /* the caller asked for something invalid */
	VMM_ERR_KVM,	   /* /dev/kvm missing, not permitted, or lacking a capability */
	VMM_ERR_PAYLOAD,   /* the payload file is unusable */
	VMM_ERR_INTERNAL,  /* a system call failed unexpectedly */
};

struct vmm_err {
	enum vmm_err_kind kind;
	char msg[512];
};

/* Record the first error only: the root cause is what the user needs. */
int vmm_err_set(struct vmm_err *err, enum vmm_err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As vmm_err_set, appending strerror(errno). */
int vmm_err_sys(struct vmm_err *err, enum vmm_err_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
