/* SPDX-License-Identifier: MIT */
/*
 * The workload catalog: include/hvbench/workloads.def's rows in the
 * runner's terms (the payload reads the same rows for its guest halves,
 * guest_table.c), then instance/instance.def's, the instance suite's
 * cells, which only the native target runs.  A workload's guest half lives in <family>_guest.c, its
 * host half, when it needs more than the bench platform, in <family>_host.c,
 * and what the catalog says of a workload beyond its row is here too.
 *
 * Modes say which path an operation takes (DESIGN.md): for single exits
 * that is hvm (the exit itself); hypercalls are the pv interface; the io
 * ring runs in all of them.  native names the host operation that stands
 * in for it on bare metal (workloads/native.c), where one makes sense.
 */
#include <string.h>

#include "catalog.h"
#include "native.h"
#include "probes.h"

extern const struct host_half io_host, interrupt_inject_host;

/* workloads.def's vocabulary, in the catalog's terms. */
#define W_HVM MODE_BIT(MODE_HVM)
#define W_PV MODE_BIT(MODE_PV)
#define W_OFFLOAD MODE_BIT(MODE_OFFLOAD)
#define W_OFFLOAD_POLL MODE_BIT(MODE_OFFLOAD_POLL)
#define W_NATIVE MODE_BIT(MODE_NATIVE)
#define W_CPL0 1u
#define W_CPL03 (1u | 8u)
#define W_QUICK (1u << 0)
#define W_EXTERNAL (1u << 1)
#define W_HOST_TIMED (1u << 2)
#define W_MEMORY_BACKING (1u << 3)
#define W_VMCALL (1u << 4)
#define NATIVE(x) (&native_ops[NATIVE_##x])
#define NO_NATIVE NULL
#define HOST(x) (&(x))
#define NO_HOST NULL

const struct workload workloads[] = {
#define WORKLOAD(id, name_, family_, modes_, cpls_, flags, vcpus, mem, qd, len, native_, \
		 host_, what_) \
	{ .name = name_, .family = family_, .what = what_, .modes = modes_, .cpls = cpls_, \
	  .native = native_, .quick = (flags) & W_QUICK, .host_timed = (flags) & W_HOST_TIMED, \
	  .external = (flags) & W_EXTERNAL, .memory_backing = (flags) & W_MEMORY_BACKING, \
	  .vmcall = (flags) & W_VMCALL, .nr_vcpus = vcpus, .mem_mib = mem, .io_qd = qd, \
	  .io_len = len, .host = host_ },
#include "hvbench/workloads.def"
#undef WORKLOAD
#define PROBE(x) (&instance_op_##x)
#define I_LOAD (1u << 0)
#define INSTANCE(name_, mechanism_, op_, stands_for_, pair_, peer_, flags, what_) \
	{ .name = name_, .family = "instance", .what = what_, .modes = W_NATIVE, \
	  .mechanism = mechanism_, \
	  .native = op_, .nr_vcpus = 1, .instance = true, .load_sensitive = (flags) & I_LOAD, \
	  .stands_for = stands_for_, .pair = pair_, .peer = peer_ },
#include "instance.def"
#undef INSTANCE
};

const size_t nr_workloads = sizeof(workloads) / sizeof(workloads[0]);

const struct workload *workload_find(const char *name)
{
	for (size_t i = 0; i < nr_workloads; i++)
		if (!strcmp(workloads[i].name, name))
			return &workloads[i];
	return NULL;
}

static const char *const mode_names[MODE_COUNT] = {
	[MODE_HVM] = "hvm",
	[MODE_PV] = "pv",
	[MODE_OFFLOAD] = "offload",
	[MODE_OFFLOAD_POLL] = "offload-poll",
	[MODE_NATIVE] = "native",
};

const char *bench_mode_name(enum bench_mode m)
{
	return m < MODE_COUNT ? mode_names[m] : "?";
}

int bench_mode_parse(const char *name)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (!strcmp(mode_names[m], name))
			return m;
	return -1;
}

bool workload_hang_unavailable(const struct workload *w, const char *insn)
{
	return w->vmcall && insn && (!strcmp(insn, "vmcall") || !strcmp(insn, "vmmcall"));
}

const char *workload_refvmm_need(const struct workload *w)
{
	if (w->external)
		return NULL;
	if (!strcmp(w->family, "io"))
		return "needs refvmm's I/O ring device and its device thread";
	if (!strcmp(w->family, "hypercall"))
		return "needs refvmm's hypercall handling (KVM_EXIT_HYPERCALL or its PIO "
		       "hypercall port)";
	if (!strcmp(w->family, "interrupt"))
		return "needs refvmm's host half to raise the interrupt and time it";
	return "needs what only refvmm sets up (its MSR filter or ioeventfd bindings)";
}
