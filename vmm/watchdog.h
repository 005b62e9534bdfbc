/* SPDX-License-Identifier: MIT */
/*
 * Every run has a deadline.  A guest can hang inside KVM_RUN for good (on a
 * PVM host `vmcall` spins in the kernel; `cli; hlt` with an in-kernel
 * irqchip sleeps forever), so the only way back is to interrupt the vCPU
 * thread: set kvm_run.immediate_exit and send it a signal, which makes
 * KVM_RUN return EINTR whether the thread is inside it or about to enter.
 */
#ifndef WATCHDOG_H
#define WATCHDOG_H

#include <stdbool.h>

#include "vm.h"

/* Install the kick signal's (empty) handler; idempotent. */
int watchdog_init(struct vmm_err *err);

/* Called on each vCPU thread before its first KVM_RUN. */
void watchdog_thread_prepare(void);

/* Wait until the run is finished or timeout_sec passes; true if finished. */
bool watchdog_wait(struct vm *vm, double timeout_sec);

/*
 * Stop every vCPU thread and join it.  A thread that does not come back
 * within grace_sec is left behind (reported by vm_run).
 */
void watchdog_stop(struct vm *vm, double grace_sec);

#endif
