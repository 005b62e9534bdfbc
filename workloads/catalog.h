/* SPDX-License-Identifier: MIT */
/*
 * The workload catalog (catalog.c, from include/hvbench/workloads.def and
 * instance/instance.def): every workload's name, family, what one
 * operation is, the modes and CPLs it runs in, its VM, its native stand-in
 * and its host half; and the instance suite's cells, which run natively.  This header names no VMM type, so the readers of results
 * (show, report, compare, gate) can know the catalog without refvmm; the
 * host halves themselves are host.h's.
 */
#ifndef WORKLOADS_CATALOG_H
#define WORKLOADS_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bench_mode {
	MODE_HVM,
	MODE_PV,
	MODE_OFFLOAD,
	MODE_OFFLOAD_POLL,
	MODE_NATIVE,
	MODE_COUNT,
};

#define MODE_BIT(m) (1u << (m))

const char *bench_mode_name(enum bench_mode m);
/* -1 if name is not a mode. */
int bench_mode_parse(const char *name);

/* Where a native operation's second thread runs (instance.def's peer). */
enum workload_peer {
	PEER_NONE,		/* none of its own: a workload's runs where the VM's other side does */
	PEER_SAME_CPU,		/* on the measuring thread's CPU: a context switch */
	PEER_OTHER_CPU,		/* on another CPU: a wake-up across CPUs */
};

/* A workload's host half (host.h): only the runner's VM targets look inside. */
struct host_half;
struct native_op;

struct workload {
	const char *name;
	const char *family;	/* vmexit, hypercall, interrupt, io; instance for the instance suite */
	const char *what;	/* one line: what one operation is */
	unsigned int modes;	/* MODE_BIT()s, MODE_NATIVE where a baseline exists */
	unsigned int cpls;	/* bit n: CPL n */
	const struct native_op *native;	/* its stand-in on the host (workloads/native.c), or NULL */
	bool quick;		/* part of --suite quick */
	bool host_timed;	/* samples come from the host half */
	bool external;		/* needs nothing refvmm adds: runs under any PVH VMM (QEMU) */
	bool memory_backing;	/* costs depend on the VMM's page size: each rep says it */
	bool vmcall;		/* its operation is a vmcall (workload_hang_unavailable) */
	unsigned int nr_vcpus;
	unsigned int mem_mib;	/* guest RAM under refvmm */
	uint32_t io_qd, io_len;	/* io family: queue depth and request size */
	const struct host_half *host;
	/* The instance suite's cells (instance/instance.def), native only: */
	bool instance;		/* a cell of --suite instance, in no other suite */
	bool load_sensitive;	/* its figures move with the machine's load */
	const char *mechanism;	/* what a difference in it is a difference in ("page walk") */
	const char *stands_for;	/* the guest workload it is the native stand-in for, or NULL */
	const char *pair;	/* the cell read against it to attribute a mechanism, or NULL */
	enum workload_peer peer;
};

extern const struct workload workloads[];
extern const size_t nr_workloads;

const struct workload *workload_find(const char *name);

/*
 * A hang on insn (vm_insn_name's name of where vCPU 0 stopped) is the
 * hypervisor's answer, not a failure: a vmcall that never returns means it
 * does not take this hypercall, so the workload is unavailable there.
 */
bool workload_hang_unavailable(const struct workload *w, const char *insn);

/* NULL when any PVH VMM can run w; else what it needs of refvmm, one line. */
const char *workload_refvmm_need(const struct workload *w);

#endif
