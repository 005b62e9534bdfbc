/* SPDX-License-Identifier: MIT */
/*
 * Guest halves of the benchmark workloads.  Each file *_guest.c defines
 * struct guest_workload objects named gw_<id>; include/hvbench/workloads.def
 * names each one's workload and CPLs, and guest_table.c makes the table of
 * them.  The bench payload (bench_guest.c) picks one by name from the
 * command line, sets it up at CPL0, then times batches of its operation at
 * the requested CPL.
 */
#ifndef WORKLOADS_GUEST_H
#define WORKLOADS_GUEST_H

#include "hvbench/bench.h"
#include "rt.h"

#define CPL_BIT(n) (1u << (n))

/*
 * The loop the single-instruction ops are written in: "1: <op>; dec; jnz 1b"
 * in assembly, so the default frame (bench_frame_empty) is exactly the loop
 * around the operation.  n must be > 0.
 */
#define LOOP_TAIL "; dec %[n]; jnz 1b"

void bench_frame_empty(uint64_t n);

/* A guest half timed by the framework around op(). */
#define GUEST_HALF(var, setup_fn, op_fn) \
	const struct guest_workload var = { .setup = setup_fn, .op = op_fn }

/* The same, for an op written as a LOOP_TAIL loop: its frame is subtracted. */
#define GUEST_LOOP_HALF(var, setup_fn, op_fn) \
	const struct guest_workload var = { .setup = setup_fn, .op = op_fn, \
					    .frame = bench_frame_empty }

struct bench_ctx {
	const char *mode;	/* hvm, pv, offload, offload-poll */
	unsigned int cpl;	/* 0 or 3 */
	uint64_t max_ops;	/* setup may lower it: operations available in all */
	uint64_t min_batch;	/* setup may raise it: batches are multiples of it */
	char why[160];		/* setup failure: why the workload cannot run */
	struct hvb_shared *shared; /* the page announced to the host */
};

struct guest_workload {
	/* At CPL0 before timing; 0, or -1 with ctx->why set. */
	int (*setup)(struct bench_ctx *ctx);
	/* n operations back to back, at the measured CPL. */
	void (*op)(uint64_t n);
	/*
	 * Optional: op's loop without the operation, timed and subtracted so a
	 * figure is the operation alone (where every instruction is emulated,
	 * the loop's own dec/jnz cost as much as a fast exit).  Ops written in
	 * a LOOP_TAIL loop use bench_frame_empty; without a frame nothing but
	 * the timer is subtracted.
	 */
	void (*frame)(uint64_t n);
	/*
	 * Instead of op: n operations, returning the TSC cycles they took by
	 * the workload's own definition (e.g. timer lateness summed).
	 */
	uint64_t (*timed)(uint64_t n);
	/*
	 * Host-timed: the host makes the samples (e.g. interrupt injection
	 * latency seen from the host); op(0) serves until shared->stop.
	 */
	bool hosted;
	/*
	 * Optional, at CPL0 after the samples: print notes (counts, checks);
	 * non-zero with why filled when the samples must not be used.
	 */
	int (*finish)(char *why, size_t len);
};

/* Write a note record (goes into the result). */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Announce the shared page to the host (once, from setup). */
struct hvb_shared *bench_shared(void);

/* Enable interrupts at CPL0 and wait until *counter changes (or limit rounds). */
bool bench_wait_change(volatile uint64_t *counter, uint64_t old, uint64_t limit);

/* A workload of workloads.def as the payload knows it: its name, CPLs and guest half. */
struct guest_entry {
	const char *name;
	unsigned int cpls;	/* CPL_BIT(0), or with CPL_BIT(3) */
	const struct guest_workload *half;
};

/* Every workload of workloads.def, in its order, ended by a NULL name. */
extern const struct guest_entry guest_workloads[];

#define BENCH_SETUP_FAIL(ctx, ...) \
	(rt_snprintf((ctx)->why, sizeof((ctx)->why), __VA_ARGS__), -1)

#endif
