/* SPDX-License-Identifier: MIT */
/* vCPUs: creation, the per-vCPU thread that runs KVM_RUN, and snapshots. */
#ifndef VCPU_H
#define VCPU_H

#include "vm.h"

int vcpu_init(struct vm *vm, int id, struct vmm_err *err);
void vcpu_destroy(struct vcpu *v);

/* Start the vCPU's thread; it runs until the VM stops. */
int vcpu_start(struct vcpu *v, struct vmm_err *err);

/* Record registers, the bytes at RIP and the run state (thread stopped). */
void vcpu_snapshot_take(struct vcpu *v);

/*
 * Run v (KVM_RUN, handle the exit, again) until the run is over, or until
 * v halts without an in-kernel irqchip or refvmm cannot carry on with it.
 * On v's own thread.
 */
void vcpu_run_loop(struct vcpu *v);

/* Print a diagnostic prefixed with refvmm and the vCPU. */
void vcpu_warn(const struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
