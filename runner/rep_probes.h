/* SPDX-License-Identifier: MIT */
/*
 * Host-side probes around every refvmm repetition: the eBPF probes
 * (probes/) and perf counters (perf_counters.c) on the vCPU and device
 * threads, zeroed or read at the begin mark and read at the end mark, so
 * they cover exactly the stretch the guest measured (plus the end mark's
 * own exit).  docs/probes.md says what the figures mean.
 */
#ifndef REP_PROBES_H
#define REP_PROBES_H

#include <jansson.h>
#include <stdbool.h>

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

/* The run's settings entry: what is on, and why not. */
json_t *rep_probes_settings(const struct rep_probes *rp);

/* One repetition's probes: installed as r's mark hook. */
struct rep_probe_run;

struct rep_probe_run *rep_probe_run_start(struct rep_probes *rp, struct bench_run *r);
/*
 * The repetition's section ({"ebpf": ..., "perf": ...}), or NULL when no
 * probe ran or the marks were never reached; frees run.
 */
json_t *rep_probe_run_finish(struct rep_probe_run *run);

#endif
