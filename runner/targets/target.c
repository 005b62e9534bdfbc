/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "target.h"

static const char *const names[TARGET_COUNT] = {
	[TARGET_REFVMM] = "refvmm",
	[TARGET_QEMU_KVM] = "qemu-kvm",
	[TARGET_QEMU_TCG] = "qemu-tcg",
	[TARGET_VMM_CMD] = "vmm-cmd",
	[TARGET_NATIVE] = "native",
};

const char *target_name(enum bench_target t)
{
	return names[t];
}

int bench_target_parse(const char *name)
{
	if (!strcmp(name, "qemu"))
		return TARGET_QEMU_KVM;
	for (int t = 0; t < TARGET_COUNT; t++)
		if (!strcmp(names[t], name))
			return t;
	return -1;
}

bool target_is_external(enum bench_target t)
{
	return t == TARGET_QEMU_KVM || t == TARGET_QEMU_TCG || t == TARGET_VMM_CMD;
}

/*
 * What a workload that is not `external` needs of refvmm, by what its host
 * half does: every such workload has one, and its family says which part.
 */
static const char *refvmm_part(const struct workload *w)
{
	if (!strcmp(w->family, "io"))
		return "needs refvmm's I/O ring device and its device thread";
	if (!strcmp(w->family, "hypercall"))
		return "needs refvmm's hypercall handling (KVM_EXIT_HYPERCALL or its PIO "
		       "hypercall port)";
	if (!strcmp(w->family, "interrupt"))
		return "needs refvmm's host half to raise the interrupt and time it";
	return "needs what only refvmm sets up (its MSR filter or ioeventfd bindings)";
}

const char *target_cannot(enum bench_target t, const struct workload *w, enum bench_mode m)
{
	if (t == TARGET_NATIVE)
		return w->modes & MODE_BIT(MODE_NATIVE) ? NULL :
		       "no native counterpart: the operation only exists in a guest";
	if (t == TARGET_REFVMM)
		return NULL;
	if (!w->external)
		return refvmm_part(w);
	if (m != MODE_HVM)
		return "modes other than hvm need refvmm's paravirtual devices";
	return NULL;
}
