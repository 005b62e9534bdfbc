/* SPDX-License-Identifier: MIT */
/*
 * Host halves of the benchmark workloads: what a workload adds to refvmm's
 * VM for a run (devices, threads, exit handlers per mode) and what it
 * shares with the runner during one (struct bench_run: the marks' snapshots,
 * host-timed samples, the device thread).  The catalog that names them is
 * catalog.h's.
 */
#ifndef WORKLOADS_HOST_H
#define WORKLOADS_HOST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "catalog.h"
#include "hvbench/bench.h"
#include "vm.h"

struct bench_run;

struct host_half {
	/* Before boot: devices, threads, exit handlers for r->mode. */
	int (*setup)(struct bench_run *r, struct vmm_err *err);
	/* On the vCPU thread at the guest's begin/end marks. */
	void (*on_begin)(struct bench_run *r);
	void (*on_end)(struct bench_run *r);
	/* After the run: stop threads, free state (also after a failed setup). */
	void (*teardown)(struct bench_run *r);
};

/* What the host half shares with the runner during one run. */
struct bench_run {
	struct vm *vm;
	const struct workload *w;
	enum bench_mode mode;
	unsigned int cpl;
	double target_ms;

	/*
	 * The guest's shared page: the first announcement that lies in guest
	 * RAM, never withdrawn (device threads read it without a lock), NULL
	 * until then.
	 */
	_Atomic(struct hvb_shared *) shared;

	/* Host-timed samples, ns (host halves append; capacity fixed at setup). */
	double *host_samples;
	size_t nr_host_samples, host_samples_cap;

	/* A device or injector thread: the runner reads its CPU time at the marks. */
	pthread_t device_thread;
	bool device_running;
	int device_cpu;		/* where to pin it, -1 = anywhere */
	atomic_bool device_stop;
	atomic_bool device_exited;	/* its function returned; its CPU time is below */
	uint64_t device_exit_cpu_ns;

	/* Mark snapshots taken on the vCPU thread (begun is read by device threads too). */
	atomic_bool begun;
	bool ended;
	struct timespec wall[2];
	uint64_t vcpu_cpu_ns[2], device_cpu_ns[2];
	uint64_t user_exits[2];		/* exits refvmm handled (vcpu->nr_exits) */
	int64_t stats_begin[8], stats_end[8];

	atomic_int device_tid;		/* the device thread's tid once it runs, else 0 */

	/*
	 * The runner's probes: called on the vCPU thread at the begin mark
	 * (which 0, after the snapshot, the last thing before the guest's
	 * clock starts) and at the end mark (which 1, before the snapshot).
	 */
	void (*mark_hook)(void *ctx, struct bench_run *r, struct vcpu *v, int which);
	void *mark_ctx;

	void *(*device_fn)(void *);
	void *priv;		/* the host half's state */
	void *priv_platform;	/* the bench platform's state */
	char note[256];		/* host half: what it wants recorded */
};

/* The bench platform every run gets: marks, shared page, null and eventfd devices, MSR filter. */
int bench_platform_setup(struct bench_run *r, struct vmm_err *err);
void bench_platform_teardown(struct bench_run *r);

/* Start r's device thread running fn(r), pinned to r->device_cpu. */
int bench_device_start(struct bench_run *r, void *(*fn)(void *), struct vmm_err *err);
void bench_device_stop(struct bench_run *r);

/* CPU time of a thread in ns (0 if unknown). */
uint64_t bench_thread_cpu_ns(pthread_t t);

/* The KVM per-vCPU counters snapshotted at the marks, in this order. */
extern const char *const bench_stat_names[];
#define BENCH_NR_STATS 6

#endif
