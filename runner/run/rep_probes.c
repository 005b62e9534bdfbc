/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_counters.h"
#include "rep_probes.h"
#include "vm.h"
#if HVBENCH_PROBES
#include "probes.h"
#endif

/*
 * The threads one repetition watches: refvmm's vCPUs and device thread, or
 * an external VMM's vCPU threads (or all its threads, for a VMM whose vCPU
 * threads cannot be told apart).
 */
#define RUN_THREADS_MAX 16

struct probe_thread {
	char name[16];		/* "vcpu0", "device" */
	struct perf_set perf;
	bool perf_open;
	struct perf_count start[PERF_SET_MAX], delta[PERF_SET_MAX];
};

struct rep_probe_run {
	struct rep_probes *rp;
	struct probe_thread threads[RUN_THREADS_MAX];
	unsigned int nr_threads;
	bool begun, ended;
	const char *window;	/* "marks" (refvmm's port writes) or "serial" */
	const char *ebpf_off;	/* why the eBPF probes cannot see this VMM, or NULL */
	char perf_why[256];	/* why a thread had no counters, if one had none */
#if HVBENCH_PROBES
	struct probes_snapshot *snap;
	char ebpf_why[160];	/* a reset or read that failed */
#endif
};

static int events_parse(struct rep_probes *rp, const char *list)
{
	static char buf[1024];
	char *save = NULL;

	if (!list)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (rp->nr_events == REP_PROBES_EVENTS_MAX) {
			fprintf(stderr, "hvbench run: --perf-events: at most %d events\n",
				REP_PROBES_EVENTS_MAX);
			return -1;
		}
		rp->events[rp->nr_events++] = w;
	}
	return 0;
}

/* Try the counters on this thread: a bad name is a usage error, no permission is a reason. */
static int perf_probe(struct rep_probes *rp)
{
	struct perf_set s;
	char why[256];
	int e = perf_set_open(&s, 0, rp->events, rp->nr_events, why, sizeof(why));

	if (e == -EINVAL) {
		fprintf(stderr, "hvbench run: --perf-events: %s\n", why);
		return -1;
	}
	rp->perf = !e;
	if (e)
		snprintf(rp->perf_why, sizeof(rp->perf_why), "%s", why);
	else
		perf_set_close(&s);
	return 0;
}

int rep_probes_init(struct rep_probes *rp, bool want, const char *events)
{
	*rp = (struct rep_probes){ 0 };
	if (events_parse(rp, events))
		return -1;
	if (!want) {
		snprintf(rp->ebpf_why, sizeof(rp->ebpf_why), "--probes off");
		snprintf(rp->perf_why, sizeof(rp->perf_why), "--probes off");
		return 0;
	}
	if (perf_probe(rp))
		return -1;
#if HVBENCH_PROBES
	if (probes_open(&rp->ebpf, rp->ebpf_why, sizeof(rp->ebpf_why)))
		rp->ebpf = NULL;
#else
	snprintf(rp->ebpf_why, sizeof(rp->ebpf_why), "this build has no eBPF probes: %s",
		 HVBENCH_PROBES_WHY);
#endif
	return 0;
}

void rep_probes_suspend(struct rep_probes *rp)
{
#if HVBENCH_PROBES
	probes_detach(rp->ebpf);
#endif
}

void rep_probes_resume(struct rep_probes *rp)
{
#if HVBENCH_PROBES
	char why[200];

	if (!rp->ebpf || !probes_attach(rp->ebpf, why, sizeof(why)))
		return;
	/* Unattached probes would record nothing, silently: off for the rest of the run. */
	snprintf(rp->ebpf_why, sizeof(rp->ebpf_why), "off after a native repetition: %s", why);
	probes_close(rp->ebpf);
	rp->ebpf = NULL;
#else
	(void)rp;
#endif
}

void rep_probes_close(struct rep_probes *rp)
{
#if HVBENCH_PROBES
	probes_close(rp->ebpf);
#endif
	rp->ebpf = NULL;
}

json_t *rep_probes_settings(const struct rep_probes *rp)
{
	json_t *events = json_array();

	for (size_t i = 0; i < rp->nr_events; i++)
		json_array_append_new(events, json_string(rp->events[i]));
	return json_pack("{s:b, s:s?, s:b, s:s?, s:o}", "ebpf", rp->ebpf != NULL, "ebpf_why",
			 rp->ebpf ? NULL : rp->ebpf_why, "perf", rp->perf, "perf_why",
			 rp->perf ? NULL : rp->perf_why, "perf_events", events);
}

static struct probe_thread *thread_add(struct rep_probe_run *run, const char *name)
{
	struct probe_thread *t;

	if (run->nr_threads == RUN_THREADS_MAX)
		return NULL;
	t = &run->threads[run->nr_threads++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	return t;
}

static void perf_begin(struct rep_probe_run *run, struct probe_thread *t, pid_t tid)
{
	char why[256];

	if (!run->rp->perf || !tid)
		return;
	if (perf_set_open(&t->perf, tid, run->rp->events, run->rp->nr_events, why, sizeof(why)) ||
	    perf_set_enable(&t->perf) || perf_set_read(&t->perf, t->start)) {
		snprintf(run->perf_why, sizeof(run->perf_why), "%s: %.200s", t->name, why);
		perf_set_close(&t->perf);
		return;
	}
	t->perf_open = true;
}

static void perf_end(struct probe_thread *t)
{
	struct perf_count end[PERF_SET_MAX];

	if (t->perf_open && !perf_set_read(&t->perf, end))
		perf_count_delta(t->perf.n, t->start, end, t->delta);
}

#if HVBENCH_PROBES
static const enum hvb_thread_kind thread_kinds[] = {
	[REP_THREAD_VCPU] = HVB_THREAD_VCPU,
	[REP_THREAD_DEVICE] = HVB_THREAD_DEVICE,
	[REP_THREAD_VMM] = HVB_THREAD_OTHER,
};
#endif

/*
 * Begin: register the threads, open their counters, zero the eBPF maps
 * last, so the window starts as the guest's clock does.  A second begin
 * (a payload that printed its mark twice) is ignored.
 */
void rep_probe_run_begin(struct rep_probe_run *run, const struct rep_probe_tid *tids,
			 unsigned int n)
{
	if (!run || run->begun)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct probe_thread *t = thread_add(run, tids[i].name);

		if (!t) {
			snprintf(run->perf_why, sizeof(run->perf_why),
				 "only the first %d of %u threads are watched", RUN_THREADS_MAX, n);
			break;
		}
#if HVBENCH_PROBES
		if (run->rp->ebpf && !run->ebpf_off && tids[i].tid)
			probes_thread_add(run->rp->ebpf, tids[i].tid, thread_kinds[tids[i].kind],
					  tids[i].index);
#endif
		perf_begin(run, t, tids[i].tid);
	}
#if HVBENCH_PROBES
	if (run->rp->ebpf && !run->ebpf_off && probes_reset(run->rp->ebpf))
		snprintf(run->ebpf_why, sizeof(run->ebpf_why), "resetting the maps: %s",
			 strerror(errno));
#endif
	run->begun = true;
}

/* End: read the eBPF maps first, then the counters.  Only after a begin, once. */
void rep_probe_run_end(struct rep_probe_run *run)
{
	if (!run || !run->begun || run->ended)
		return;
#if HVBENCH_PROBES
	if (run->rp->ebpf && !run->ebpf_off && !run->ebpf_why[0] &&
	    probes_read(run->rp->ebpf, run->snap))
		snprintf(run->ebpf_why, sizeof(run->ebpf_why), "reading the maps: %s",
			 strerror(errno));
#endif
	for (unsigned int i = 0; i < run->nr_threads; i++)
		perf_end(&run->threads[i]);
	run->ended = true;
}

/* refvmm's mark hook: its vCPU threads and, if it runs, its device thread. */
static void mark(void *ctx, struct bench_run *r, struct vcpu *v, int which)
{
	struct rep_probe_tid tids[RUN_THREADS_MAX];
	unsigned int n = 0;

	(void)v;
	if (which != 0) {
		rep_probe_run_end(ctx);
		return;
	}
	for (unsigned int i = 0; i < r->vm->nr_vcpus && n < RUN_THREADS_MAX - 1; i++) {
		tids[n] = (struct rep_probe_tid){ .tid = atomic_load(&r->vm->vcpus[i].tid),
						  .kind = REP_THREAD_VCPU, .index = i };
		snprintf(tids[n++].name, sizeof(tids[0].name), "vcpu%u", i);
	}
	if (r->device_running && atomic_load(&r->device_tid)) {
		tids[n] = (struct rep_probe_tid){ .tid = atomic_load(&r->device_tid),
						  .kind = REP_THREAD_DEVICE, .name = "device" };
		n++;
	}
	rep_probe_run_begin(ctx, tids, n);
}

struct rep_probe_run *rep_probe_run_new(struct rep_probes *rp, const char *window,
				       const char *ebpf_off)
{
	struct rep_probe_run *run;

	if (!rp || (!rp->ebpf && !rp->perf))
		return NULL;
	run = calloc(1, sizeof(*run));
	if (!run)
		return NULL;
	run->rp = rp;
	run->window = window;
	run->ebpf_off = ebpf_off;
#if HVBENCH_PROBES
	run->snap = rp->ebpf && !ebpf_off ? calloc(1, sizeof(*run->snap)) : NULL;
	if (rp->ebpf && !ebpf_off && !run->snap) {
		free(run);
		return NULL;
	}
#endif
	return run;
}

struct rep_probe_run *rep_probe_run_start(struct rep_probes *rp, struct bench_run *r)
{
	struct rep_probe_run *run = rep_probe_run_new(rp, "marks", NULL);

	if (run) {
		r->mark_hook = mark;
		r->mark_ctx = run;
	}
	return run;
}

static json_t *perf_json(const struct rep_probe_run *run)
{
	json_t *o = json_object();

	if (!run->rp->perf)
		return json_pack("{s:s}", "unavailable", run->rp->perf_why);
	for (unsigned int i = 0; i < run->nr_threads; i++) {
		const struct probe_thread *t = &run->threads[i];

		if (t->perf_open)
			json_object_set_new(o, t->name, perf_set_json(&t->perf, t->delta));
	}
	if (run->perf_why[0])
		json_object_set_new(o, "why_missing", json_string(run->perf_why));
	return o;
}

static json_t *ebpf_json(const struct rep_probe_run *run)
{
	if (run->ebpf_off && run->rp->ebpf)
		return json_pack("{s:s}", "unavailable", run->ebpf_off);
#if HVBENCH_PROBES
	if (run->rp->ebpf && !run->ebpf_why[0])
		return probes_snapshot_json(run->snap);
	return json_pack("{s:s}", "unavailable", run->rp->ebpf ? run->ebpf_why : run->rp->ebpf_why);
#else
	return json_pack("{s:s}", "unavailable", run->rp->ebpf_why);
#endif
}

json_t *rep_probe_run_finish(struct rep_probe_run *run)
{
	json_t *o = NULL;

	if (!run)
		return NULL;
	if (run->begun && run->ended)
		o = json_pack("{s:o, s:o, s:s}", "ebpf", ebpf_json(run), "perf", perf_json(run),
			      "window", run->window);
	for (unsigned int i = 0; i < run->nr_threads; i++)
		perf_set_close(&run->threads[i].perf);
#if HVBENCH_PROBES
	if (run->rp->ebpf)
		probes_thread_clear(run->rp->ebpf);
	free(run->snap);
#endif
	free(run);
	return o;
}
