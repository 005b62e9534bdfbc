/* SPDX-License-Identifier: MIT */
/*
 * Native baselines: the same operation a guest workload measures, done by a
 * host process with no virtualisation in between.  On bare metal this is
 * the hardware's cost; inside a cloud instance it measures the hypervisor
 * underneath, which the results record.
 */
#ifndef NATIVE_H
#define NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest batch an operation takes unless its implementation says less. */
#define NATIVE_BATCH_MAX (UINT64_C(1) << 24)

struct native_impl;

struct native_op {
	const char *name;	/* its name in native_ops, or the instance cell's */
	const char *what;	/* one line: the host operation that stands in */
	/*
	 * 0 for an op timed by the clock around its batch.  A self-timed op
	 * waits this many ns per operation outside its own figure and times
	 * the rest itself, nothing subtracted: timer-deadline sets a deadline
	 * this far ahead and its sample is how late it woke; thread-signal
	 * lets its peer fall asleep this long before each send.  One
	 * operation costs about wait_ns plus its sample.
	 */
	double wait_ns;
	bool peer;		/* a second thread, pinned where the other side runs */
	const struct native_impl *impl;	/* its hooks (native_impl.h) */
	/* What it runs on here, when that varies (the disk read), into buf: 0, or -1; or NULL. */
	int (*device)(char *buf, size_t len);
};

/* The operations, as the catalog names them (workloads.def: NATIVE(X) is NATIVE_X). */
enum native_id {
	NATIVE_TIMER,
	NATIVE_CPUID,
	NATIVE_RDTSC,
	NATIVE_RDTSCP,
	NATIVE_PAUSE,
	NATIVE_UD2_SIGNAL,
	NATIVE_PAGE_TOUCH,
	NATIVE_SYSCALL,
	NATIVE_THREAD_WAKE,
	NATIVE_THREAD_SIGNAL,
	NATIVE_THREAD_SIGNAL_BUSY,
	NATIVE_TIMER_DEADLINE,
	NATIVE_NR,
};

/* native.c's operations, by enum native_id, terminated by {NULL}. */
extern const struct native_op native_ops[];

/* The op called name, or NULL (name NULL too). */
const struct native_op *native_op_find(const char *name);

/*
 * Fill samples[0..nsamples) with nanoseconds per operation, each sample
 * timing `batch` back-to-back operations (CLOCK_MONOTONIC around the batch,
 * the clock's own overhead measured beforehand and subtracted, floored at
 * 0; a self-timed op's sample is its own figure over the batch, e.g. the
 * mean lateness).  Runs a warm-up of at least one batch first.
 * Returns 0, or -1 with why[0..why_len) saying why the operation is
 * unavailable here (unknown name, refused by the kernel, ...).
 * *timer_ns receives the measured clock overhead per sample (ns).
 */
int native_measure(const char *name, uint64_t batch, size_t nsamples, double *samples,
		   double *timer_ns, char *why, size_t why_len);

/*
 * As native_measure, with the peer thread of a two-thread operation
 * (thread-wake, thread-signal) pinned to peer_cpu (-1: wherever the caller may run), so a
 * baseline can cross cores as the virtualised operation it stands for does.
 */
int native_measure_peer(const char *name, uint64_t batch, size_t nsamples, double *samples,
			double *timer_ns, int peer_cpu, char *why, size_t why_len);

/* A batch size that makes one batch of `name` take about target_ns of wall time (>= 1). */
uint64_t native_calibrate(const char *name, double target_ns);

/*
 * native_measure_peer and native_calibrate for an operation given by its
 * descriptor, which may live outside native_ops (the instance suite's).
 */
int native_op_measure(const struct native_op *op, uint64_t batch, size_t nsamples,
		      double *samples, double *timer_ns, int peer_cpu, char *why, size_t why_len);
uint64_t native_op_calibrate(const struct native_op *op, double target_ns, int peer_cpu);

#endif
