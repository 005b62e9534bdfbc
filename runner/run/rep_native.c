/* SPDX-License-Identifier: MIT */
/*
 * A native repetition: the workload's stand-in operation (workloads/native.c)
 * or, for the io family, the same ring between two host threads
 * (workloads/io_native.c), run by the runner pinned where the vCPU would
 * be, with the device thread where the device thread would be.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_native.h"
#include "native.h"
#include "rep.h"
#include "stats.h"
#include "thread_pin.h"

/* A batch must cost at least this much, so the clock is a small part of it. */
#define NATIVE_BATCH_NS 2000.0
#define PROBE_SAMPLES 5
#define MIN_SAMPLES 10

/*
 * Where the two threads of a native repetition run, so the baseline crosses
 * cores as the virtualised operation does.  The measuring thread stands
 * for whoever times the operation: vCPU 0 for a guest-timed workload (ipi:
 * its peer is the second vCPU), the host's injector, on the device
 * thread's CPU, for a host-timed one (irq-inject: its peer is the idle
 * vCPU 0 it wakes).  An instance cell says where its peer runs: on the
 * measuring thread's CPU (a context switch) or on the other core the
 * plan gives the device thread (a wake-up across CPUs).  -1: wherever the
 * runner may run.
 */
static void native_cpus(const struct workload *w, const struct rep_opts *o, int *self, int *peer)
{
	*self = *peer = -1;
	if (!o->pin)
		return;
	if (w->peer == PEER_SAME_CPU) {
		*self = *peer = o->pin->vcpu_cpu[0];
	} else if (w->peer == PEER_OTHER_CPU) {
		*self = o->pin->vcpu_cpu[0];
		*peer = o->pin->device_cpu;
	} else if (w->host_timed) {
		*self = o->pin->device_cpu;
		*peer = o->pin->vcpu_cpu[0];
	} else {
		*self = o->pin->vcpu_cpu[0];
		*peer = w->nr_vcpus == 2 ? o->pin->vcpu_cpu[1] : o->pin->device_cpu;
	}
}

static void run_op(const struct workload *w, const struct rep_opts *o, int peer_cpu,
		   struct rep *out)
{
	const struct native_op *op = w->native;
	double probe[PROBE_SAMPLES], timer_ns, op_ns;
	uint64_t batch = native_op_calibrate(op, NATIVE_BATCH_NS, peer_cpu);
	size_t n, cap = o->max_samples ? o->max_samples : HVB_SAMPLES_MAX;

	if (native_op_measure(op, batch, PROBE_SAMPLES, probe, &timer_ns, peer_cpu, out->why,
			      sizeof(out->why))) {
		out->status = REP_UNAVAILABLE;
		return;
	}
	/* What one operation costs: a self-timed op's sample leaves out its wait. */
	op_ns = stats_median_inplace(probe, PROBE_SAMPLES) + op->wait_ns;
	n = op_ns > 0 ? (size_t)(o->target_ms * 1e6 / (op_ns * batch)) : cap;
	n = n < MIN_SAMPLES ? MIN_SAMPLES : n > cap ? cap : n;
	out->ns = malloc(n * sizeof(double));
	if (!out->ns) {
		out->status = REP_ERROR;
		snprintf(out->why, sizeof(out->why), "out of memory");
		return;
	}
	if (native_op_measure(op, batch, n, out->ns, &timer_ns, peer_cpu, out->why,
			      sizeof(out->why))) {
		out->status = REP_UNAVAILABLE;
		return;
	}
	out->n = n;
	out->batch = batch;
	out->ops = batch * n;
	out->timer_ns = timer_ns;
	out->corr_ns = op->wait_ns > 0 ? 0 : timer_ns;
	if (!w->instance)
		snprintf(out->notes[out->nr_notes++], sizeof(out->notes[0]), "native: %s%s",
			 op->what, peer_cpu >= 0 && op->peer ?
			 " (peer thread on the other side's CPU)" : "");
	if (op->device) {
		char dev[64];

		if (!op->device(dev, sizeof(dev)))
			snprintf(out->notes[out->nr_notes++], sizeof(out->notes[0]), "device: %s",
				 dev);
	}
}

static void run_io(const struct workload *w, const struct rep_opts *o, struct rep *out)
{
	size_t cap = o->max_samples ? o->max_samples : HVB_SAMPLES_MAX;
	uint64_t errors = 0;

	out->ns = malloc(cap * sizeof(double));
	if (!out->ns || io_native_measure(w->io_qd, w->io_len, o->pin ? o->pin->device_cpu : -1,
					  o->target_ms, out->ns, cap, &out->n, &out->batch,
					  &errors)) {
		out->status = REP_ERROR;
		snprintf(out->why, sizeof(out->why), "the native ring could not run");
		return;
	}
	out->ops = out->batch * out->n;
	snprintf(out->notes[out->nr_notes++], sizeof(out->notes[0]),
		 "native: the same ring between two host threads, device polling; errors=%llu",
		 (unsigned long long)errors);
}

void rep_run_native(const struct workload *w, const struct rep_opts *o, struct rep *out)
{
	cpu_set_t saved;
	int self, peer;

	*out = (struct rep){ .status = REP_OK };
	native_cpus(w, o, &self, &peer);
	pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
	thread_pin(pthread_self(), self);
	if (!strcmp(w->family, "io"))
		run_io(w, o, out);
	else if (w->native)
		run_op(w, o, peer, out);
	else {
		out->status = REP_UNAVAILABLE;
		snprintf(out->why, sizeof(out->why), "%s has no native counterpart", w->name);
	}
	pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
}
