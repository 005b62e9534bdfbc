/* SPDX-License-Identifier: MIT */
/*
 * Host-side probes around a repetition: the eBPF probes (probes/) and perf
 * counters (perf_counters.c) on the VMM's vCPU (and device) threads,
 * zeroed or read at the begin mark and read at the end mark.  Under refvmm
 * the marks are the guest's port writes, so the window is exactly the
 * stretch the guest measured (plus the end mark's own exit); under an
 * external VMM they are the guest's "@hvb mark" console lines, read a
 * little late (the "serial" window).  docs/probes.md says what the figures
 * mean.
 */
#ifndef REP_PROBES_H
#define REP_PROBES_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "host.h"

#define REP_PROBES_EVENTS_MAX 16

/* One per hvbench run. */
struct rep_probes {
	struct probes *ebpf;		/* NULL: not loaded, ebpf_why says why */
	char ebpf_why[256];
	bool perf;			/* perf counters wanted and permitted */
	char perf_why[256];
	const char *events[REP_PROBES_EVENTS_MAX]; /* --perf-events, beyond the defaults */
	size_t nr_events;
};

/*
 * Set up for a run: want says whether probes were asked for; events is
 * --perf-events (comma-separated, may be NULL).  -1 with a one-line
 * message on stderr for a bad event name (a usage error); otherwise 0,
 * with what cannot be used recorded in its why.
 */
int rep_probes_init(struct rep_probes *rp, bool want, const char *events);
void rep_probes_close(struct rep_probes *rp);

/*
 * Around a native repetition: the eBPF programs detached, so the host
 * operations pay nothing for them, then attached again.  A failed re-attach
 * turns the probes off for the rest of the run, the settings saying why.
 */
void rep_probes_suspend(struct rep_probes *rp);
void rep_probes_resume(struct rep_probes *rp);

/* The run's settings entry: what is on, and why not. */
json_t *rep_probes_settings(const struct rep_probes *rp);

/* One repetition's probes. */
struct rep_probe_run;

enum rep_thread_kind { REP_THREAD_VCPU, REP_THREAD_DEVICE, REP_THREAD_VMM };

/* A thread to watch: its name in the perf section ("vcpu0", "device", "vmm3"). */
struct rep_probe_tid {
	pid_t tid;			/* 0: not known, skipped */
	enum rep_thread_kind kind;
	unsigned int index;		/* the vCPU id for vCPU threads */
	char name[16];
};

/*
 * A repetition whose caller calls begin and end itself; window names how
 * its marks are seen ("serial"); ebpf_off, if not NULL, is why the eBPF
 * probes cannot see this VMM (TCG makes no KVM calls), reported instead of
 * their figures.  NULL when no probe can run.
 */
struct rep_probe_run *rep_probe_run_new(struct rep_probes *rp, const char *window,
					const char *ebpf_off);
/* A refvmm repetition: installed as r's mark hook ("marks"). */
struct rep_probe_run *rep_probe_run_start(struct rep_probes *rp, struct bench_run *r);

/*
 * The begin mark: watch these threads and zero every counter.  The end
 * mark: read them.  A second begin or end, or an end without a begin, is
 * ignored; run may be NULL.
 */
void rep_probe_run_begin(struct rep_probe_run *run, const struct rep_probe_tid *tids,
			 unsigned int n);
void rep_probe_run_end(struct rep_probe_run *run);
/*
 * The repetition's section ({"ebpf": ..., "perf": ...}), or NULL when no
 * probe ran or the marks were never reached; frees run.
 */
json_t *rep_probe_run_finish(struct rep_probe_run *run);

#endif
