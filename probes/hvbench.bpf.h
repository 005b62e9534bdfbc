/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * Shared by the BPF programs: the maps (defined once, in kvm_run.bpf.c, and
 * declared extern elsewhere; `bpftool gen object` links the objects into
 * one, so all programs use the same maps) and the helpers every program
 * uses: who is the current thread, add to a counter, add to a histogram.
 *
 * Every program starts by finding its thread (hvb_current): anything not
 * registered by userspace returns at once, so the cost on the rest of the
 * system is one hash lookup per event.
 */
#ifndef HVBENCH_BPF_H
#define HVBENCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "probes_abi.h"

#ifdef HVB_DEFINE_MAPS
#define HVB_MAP
#else
#define HVB_MAP extern
#endif

/* tid -> slot of a registered thread. */
HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HVB_MAX_THREADS);
	__type(key, __u32);
	__type(value, __u32);
} threads SEC(".maps");

/* slot -> the thread and its in-flight state. */
HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HVB_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct hvb_thread);
} thread_state SEC(".maps");

HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hvb_cpu_cache);
} cpu_cache SEC(".maps");

/*
 * tgid -> 1: processes whose threads inject interrupts.  kvm_set_irq,
 * kvm_msi_set_irq and kvm_apic_accept_irq fire on the injecting thread
 * (an ioctl caller, an irqfd writer), which need not be registered itself.
 */
HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u32);
} procs SEC(".maps");

HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HVB_MAX_THREADS);
	__type(key, __u32);
	__type(value, struct hvb_thread_stats);
} thread_stats SEC(".maps");

HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hvb_counters);
} counters SEC(".maps");

HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HVB_NR_HISTS);
	__type(key, __u32);
	__type(value, struct hvb_hist);
} hists SEC(".maps");

HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, HVB_MAX_EXIT_REASONS);
	__type(key, __u64);
	__type(value, struct hvb_exit_stat);
} exit_stats SEC(".maps");

/* vCPU id -> the interrupt accepted for it and not yet handled. */
HVB_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HVB_MAX_VCPUS);
	__type(key, __u32);
	__type(value, struct hvb_irq_pending);
} irq_pending SEC(".maps");

static __always_inline __u32 hvb_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* Array lookups are inlined by the verifier; the hash lookup is a call. */
static __always_inline struct hvb_thread *hvb_slot(__u32 slot, __u32 tid)
{
	struct hvb_thread *t = bpf_map_lookup_elem(&thread_state, &slot);

	return t && t->tid == tid ? t : NULL;
}

static __always_inline struct hvb_thread *hvb_thread_of(__u32 tid)
{
	__u32 *slot = bpf_map_lookup_elem(&threads, &tid);

	return slot ? hvb_slot(*slot, tid) : NULL;
}

/*
 * The current thread if registered.  The cache entry is checked against
 * the slot's tid, so a thread unregistered (tid cleared) or a slot reused
 * is never taken for the cached one.
 */
static __always_inline struct hvb_thread *hvb_current(void)
{
	struct hvb_cpu_cache *c;
	struct hvb_thread *t;
	__u32 tid = hvb_tid(), zero = 0;

	c = bpf_map_lookup_elem(&cpu_cache, &zero);
	if (c && c->tid == tid) {
		t = hvb_slot(c->slot, tid);
		if (t)
			return t;
	}
	t = hvb_thread_of(tid);
	if (t && c) {
		c->tid = tid;
		c->slot = t->slot;
	}
	return t;
}

/* The current process registered for interrupt-injection events? */
static __always_inline bool hvb_current_proc(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&procs, &tgid) != NULL;
}

static __always_inline struct hvb_counters *hvb_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline void hvb_count(enum hvb_counter c)
{
	struct hvb_counters *cs = hvb_counters();

	if (cs && c < HVB_NR_COUNTERS)
		cs->c[c]++;
}

static __always_inline struct hvb_thread_stats *hvb_stats_of(const struct hvb_thread *t)
{
	__u32 slot = t->slot;

	return bpf_map_lookup_elem(&thread_stats, &slot);
}

/*
 * Per-CPU, so plain increments: no other CPU writes this copy.
 *
 * The bucket is bounds-checked on the very register that indexes the
 * array.  hvb_hist_bucket() already clamps it, so clang drops the check
 * here; its clamp compares a zero-extended copy of the 32-bit bucket and
 * then indexes with a second zero-extension of the original.  Linux 6.1's
 * verifier cannot carry the bound from one to the other (a shift breaks
 * the link between copies, and it also forgets all bounds at `r |= reg`,
 * which the bucket arithmetic compiles to), so it rejected every program
 * that adds to a histogram: "R0 unbounded memory access".  A 64-bit index
 * hidden from the optimizer (barrier_var) forces a compare on that
 * register itself; newer verifiers accepted either form.
 */
static __always_inline void hvb_hist_add(__u32 id, __u64 ns)
{
	struct hvb_hist *h = bpf_map_lookup_elem(&hists, &id);
	__u64 b = hvb_hist_bucket(ns);

	if (!h)
		return;
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	barrier_var(b);
	if (b < HVB_HIST_BUCKETS)
		h->bucket[b]++;
}

/*
 * Exit events (kvm_pio, kvm_mmio, ...): one pending per thread, started by
 * the event and ended by the return to userspace it caused (kvm_run.bpf.c)
 * or by the next kvm_entry (exit_reasons.bpf.c).  Anything else that ends
 * it first makes it unmatched: it is counted, not timed.
 */
static __always_inline void hvb_event_drop(struct hvb_thread *t)
{
	struct hvb_counters *cs = hvb_counters();
	__u32 k = t->ev_kind;

	t->ev_kind = HVB_LAT_NONE;
	if (cs && k < HVB_NR_LAT)
		cs->lat_unmatched[k]++;
}

static __always_inline void hvb_event_start(struct hvb_thread *t, enum hvb_lat kind, __u64 now)
{
	if (t->ev_kind != HVB_LAT_NONE)
		hvb_event_drop(t);
	t->ev_kind = kind;
	t->ev_ns = now;
}

static __always_inline void hvb_event_end(struct hvb_thread *t, __u64 now, bool by_entry)
{
	struct hvb_counters *cs = hvb_counters();
	__u32 k = t->ev_kind;

	t->ev_kind = HVB_LAT_NONE;
	if (!cs || k >= HVB_NR_LAT)
		return;
	if (by_entry)
		cs->lat_to_entry[k]++;
	else
		cs->lat_to_user[k]++;
	hvb_hist_add(HVB_H_PIO + k, now - t->ev_ns);
}

#endif
