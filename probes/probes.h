/* SPDX-License-Identifier: MIT */
/*
 * hvbench's eBPF probes, host side: load and attach the BPF programs, tell
 * them which threads to watch, zero and read their counters and
 * histograms, and turn a reading into the results file's section
 * (docs/probes.md says what each figure means).
 *
 * Built only when meson found clang, bpftool, libbpf and kernel BTF
 * (probes_dep then defines HVBENCH_PROBES=1).  Callers write
 *
 *	#if HVBENCH_PROBES
 *	#include "probes.h"
 *	#endif
 *
 * and, without it, report HVBENCH_PROBES_WHY (a string probes_dep defines
 * when the library is not built) as the reason the results have no probes.
 *
 * Use: probes_open once; per run, probes_thread_add for the vCPU and
 * device threads (before or while they run); per repetition probes_reset
 * when it begins and probes_read when it ends; probes_close at the end.
 * Not thread-safe: one thread at a time per struct probes.
 */
#ifndef HVBENCH_PROBES_H
#define HVBENCH_PROBES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "probes_abi.h"

struct probes;

/*
 * Load and attach every program.  -1 with a one-line reason in why (no
 * privilege, no BTF, a program the kernel refused, a tracepoint missing):
 * the caller goes on without probes and records the reason.
 */
int probes_open(struct probes **p, char *why, size_t len);
void probes_close(struct probes *p);

/*
 * Watch thread tid (any process) as kind; index is the vCPU id for vCPU
 * threads (it keys the interrupt latency: refvmm's APIC ID is its vCPU
 * id).  Its process is registered for the interrupt-injection events.
 * Registering a tid again replaces its kind and index.  -1 and errno
 * (ENOSPC: HVB_MAX_THREADS reached, ESRCH: no such thread).
 */
int probes_thread_add(struct probes *p, pid_t tid, enum hvb_thread_kind kind,
		      unsigned int index);
/* Forget every registered thread and process. */
void probes_thread_clear(struct probes *p);

/*
 * Detach every program, maps kept, so a measurement pays nothing for them:
 * a native repetition, whose system calls and context switches would
 * otherwise run the sys_enter and sched_switch programs (90 ns a getppid,
 * 0.8 us a same-CPU switch round trip on the development VM).
 */
void probes_detach(struct probes *p);

/* Attach them again after probes_detach: 0, or -1 with why[0..len) (none left attached). */
int probes_attach(struct probes *p, char *why, size_t len);

/*
 * Zero every counter and histogram, before a repetition.  In-flight state
 * (a KVM_RUN in progress, a pending interrupt) is kept, so what straddles
 * the reset is measured whole in the window where it ends.  -1 and errno.
 */
int probes_reset(struct probes *p);

/* One reading, summed over CPUs.  Large (~45 KiB): allocate it. */
struct probes_thread_stats {
	pid_t tid;
	enum hvb_thread_kind kind;
	unsigned int index;
	struct hvb_thread_stats st;
};

struct probes_exit_reason {
	__u32 isa;		/* KVM_ISA_VMX 1, KVM_ISA_SVM 2 */
	__u32 reason;
	struct hvb_exit_stat st;
};

struct probes_snapshot {
	struct hvb_counters c;
	struct hvb_hist hist[HVB_NR_HISTS];	/* max_ns: the largest over CPUs */
	unsigned int nr_threads;
	struct probes_thread_stats threads[HVB_MAX_THREADS];
	unsigned int nr_exit_reasons;		/* sorted by count, largest first */
	struct probes_exit_reason exit_reasons[HVB_MAX_EXIT_REASONS];
	char kvm_backend[16];			/* "vmx", "svm", "pvm" or "unknown" */
	char kvm_exit_unattached[160];		/* why kvm:kvm_exit is not attached, or "" */
};

/* -1 and errno if a map cannot be read. */
int probes_read(struct probes *p, struct probes_snapshot *s);

/*
 * The results-file section (docs/probes.md): event counts, histograms with
 * percentiles, per-thread scheduling, "fired" flags and "not_firing" with
 * the reason for tracepoints this host never calls.  NULL if out of memory.
 */
json_t *probes_snapshot_json(const struct probes_snapshot *s);

/*
 * The q-quantile (0 < q <= 1) of a histogram in ns, interpolated linearly
 * inside its bucket and never above the largest value seen; 0 if empty.
 */
double probes_hist_quantile(const struct hvb_hist *h, double q);

/* The KVM backend of this host from loaded modules: "vmx", "svm", "pvm" or "unknown". */
const char *probes_kvm_backend(void);

#endif
