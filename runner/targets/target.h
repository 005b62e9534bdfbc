/* SPDX-License-Identifier: MIT */
/*
 * Where hvbench run measures (docs/targets.md): refvmm in-process, QEMU
 * with KVM or TCG, any VMM given by a command template (vmm-cmd), and the
 * host itself (native).  Each target declares what it can run; a cell it
 * cannot is reported as not applicable, with the reason, never dropped.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stdbool.h>

#include "catalog.h"

/* In table order; native last, as the one target that runs no VM. */
enum bench_target {
	TARGET_REFVMM,
	TARGET_QEMU_KVM,
	TARGET_QEMU_TCG,
	TARGET_VMM_CMD,
	TARGET_NATIVE,
	TARGET_COUNT
};

/* "refvmm", "qemu-kvm", ... */
const char *target_name(enum bench_target t);

/* The target of a name ("qemu" is qemu-kvm, its name before there were two), or -1. */
int bench_target_parse(const char *name);

/* Does t boot the payload in a VMM of its own process (QEMU, vmm-cmd)? */
bool target_is_external(enum bench_target t);

/*
 * NULL if target t can run workload w in mode m; else why not, one line.
 * Only pairs that make sense are asked: mode native on the native target,
 * the other modes on the VM targets.
 */
const char *target_cannot(enum bench_target t, const struct workload *w, enum bench_mode m);

#endif
