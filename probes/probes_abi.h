/* SPDX-License-Identifier: MIT */
/*
 * What the BPF programs and the host library agree on: map value layouts,
 * counter and histogram numbers, and the histogram bucket scheme.
 *
 * It is included by both sides: the BPF programs after vmlinux.h (which
 * defines the __u32/__u64 types), the host after <linux/types.h>.  It holds
 * plain data and one pure function, so both compilers see the same layout;
 * every struct is made of 64-bit fields or padded to them, so clang's BPF
 * target and the host compiler cannot disagree about padding.
 */
#ifndef HVB_PROBES_ABI_H
#define HVB_PROBES_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Registered threads at most (the tid -> thread map and per-thread stats). */
#define HVB_MAX_THREADS 64
/* vCPU ids with an interrupt-latency slot (refvmm's APIC ID is its vCPU id). */
#define HVB_MAX_VCPUS 64
/* Distinct kvm_exit reasons kept (per ISA). */
#define HVB_MAX_EXIT_REASONS 256
/* kvm_userspace_exit reasons counted one by one; larger ones share the last. */
#define HVB_NR_UEXIT 64

/* KVM_RUN is _IO(KVMIO, 0x80); spelled out so BPF code needs no uapi header. */
#define HVB_KVM_RUN 0xae80u
/* KVM_EXIT_* values of kvm_userspace_exit a pending exit event can match. */
#define HVB_KVM_EXIT_IO 2
#define HVB_KVM_EXIT_HYPERCALL 3
#define HVB_KVM_EXIT_MMIO 6
#define HVB_KVM_EXIT_X86_RDMSR 29
#define HVB_KVM_EXIT_X86_WRMSR 30

enum hvb_thread_kind {
	HVB_THREAD_VCPU,	/* runs KVM_RUN; index = vCPU id */
	HVB_THREAD_DEVICE,	/* a device model thread of the VMM */
	HVB_THREAD_OTHER,	/* e.g. the runner's injector */
};

/*
 * A registered thread: an entry of the per-thread state array, found
 * through the tid -> slot hash (or the per-CPU cache below).  The host
 * writes tid, kind, index and slot when it registers the thread; the rest
 * is the BPF programs' in-flight state, which probes_reset leaves alone
 * (a KVM_RUN that straddles a reset is measured whole, in the window it
 * ends in).
 */
struct hvb_thread {
	__u32 tid;		/* 0: a free slot */
	__u32 kind;		/* enum hvb_thread_kind */
	__u32 index;		/* vCPU id for vCPU threads */
	__u32 slot;		/* its index in the state and stats arrays */
	__u32 ev_kind;		/* HVB_LAT_* of the pending exit event, HVB_LAT_NONE if none */
	__u32 queued;		/* switched out while runnable: wake_ns is that switch's */
	__u64 run_enter_ns;	/* start of the KVM_RUN in progress, 0 outside */
	__u64 run_exit_ns;	/* end of the last KVM_RUN, 0 before the first */
	__u64 ev_ns;		/* time of the pending exit event */
	__u64 exit_ns;		/* time of the pending kvm_exit, 0 if none */
	__u64 exit_key;		/* its (isa << 32 | reason) */
	__u64 wake_ns;		/* runnable but not running since, 0 if running or asleep */
};

/*
 * Per CPU: the registered thread that last ran a probe here.  The events
 * of one exit (sys_enter, kvm_pio, kvm_userspace_exit) come from one
 * thread on one CPU, so the second and third find it without the hash
 * lookup, which costs as much as the rest of a program here.
 */
struct hvb_cpu_cache {
	__u32 tid;
	__u32 slot;
};

/*
 * Per-thread counters (an array indexed by slot): who was preempted, who
 * waited for a CPU, who spent how long in KVM_RUN.  Not per-CPU: each entry
 * is written by the CPU its thread is on (and by wakers, for wakeups), so
 * nothing contends.
 */
struct hvb_thread_stats {
	__u64 kvm_run_calls;
	__u64 kvm_run_ns;	/* inside KVM_RUN */
	__u64 user_ns;		/* between a KVM_RUN's return and the next call */
	__u64 switch_voluntary;	/* blocked (prev_state != TASK_RUNNING, not preempted) */
	__u64 switch_involuntary; /* preempted while runnable */
	__u64 wakeups;
	__u64 rq_waits;		/* switch-ins after waiting runnable */
	__u64 rq_wait_ns;	/* total time runnable but not running */
	__u64 rq_wait_max_ns;
};

/* Counters, one per-CPU array element, summed by the host. */
enum hvb_counter {
	HVB_C_KVM_RUN,		/* sys_enter of ioctl(KVM_RUN) */
	HVB_C_KVM_RUN_DONE,	/* ... ended by kvm_userspace_exit */
	HVB_C_USERSPACE_EXIT,	/* kvm:kvm_userspace_exit, any outcome */
	HVB_C_UEXIT_RESTART,	/* ... with errno EINTR (a signal, the watchdog) */
	HVB_C_UEXIT_ERROR,	/* ... with another negative errno */
	HVB_C_PIO_IN,		/* kvm:kvm_pio rw = 0 */
	HVB_C_PIO_OUT,		/* kvm:kvm_pio rw = 1 */
	HVB_C_MMIO_UNSAT_READ,	/* kvm:kvm_mmio: read sent to userspace */
	HVB_C_MMIO_READ,	/* kvm:kvm_mmio: read completed */
	HVB_C_MMIO_WRITE,	/* kvm:kvm_mmio: write */
	HVB_C_HYPERCALL,	/* kvm:kvm_hypercall */
	HVB_C_MSR_READ,		/* kvm:kvm_msr write = 0 */
	HVB_C_MSR_WRITE,	/* kvm:kvm_msr write = 1 */
	HVB_C_MSR_GP,		/* kvm:kvm_msr with exception (#GP) */
	HVB_C_CPUID,		/* kvm:kvm_cpuid */
	HVB_C_KVM_EXIT,		/* kvm:kvm_exit */
	HVB_C_KVM_ENTRY,	/* kvm:kvm_entry */
	HVB_C_SET_IRQ,		/* kvm:kvm_set_irq (registered processes) */
	HVB_C_MSI_SET_IRQ,	/* kvm:kvm_msi_set_irq (registered processes) */
	HVB_C_APIC_ACCEPT_IRQ,	/* kvm:kvm_apic_accept_irq (registered processes) */
	HVB_C_IRQ_COALESCED,	/* ... while an earlier one to that vCPU was undelivered */
	HVB_C_INJ_VIRQ,		/* kvm:kvm_inj_virq */
	HVB_C_VCPU_WAKEUP,	/* kvm:kvm_vcpu_wakeup */
	HVB_C_EOI,		/* kvm:kvm_eoi */
	HVB_C_SWITCH_VOLUNTARY,	/* sched:sched_switch, see struct hvb_thread_stats */
	HVB_C_SWITCH_INVOLUNTARY,
	HVB_C_WAKEUP,		/* sched:sched_wakeup and sched_wakeup_new */
	HVB_NR_COUNTERS
};

/*
 * Exit events whose latency to completion is measured (docs/probes.md):
 * from the event to the return to userspace of the KVM_RUN it made exit,
 * or to the next kvm_entry if the kernel completed it.
 */
enum hvb_lat {
	HVB_LAT_PIO,
	HVB_LAT_MMIO,
	HVB_LAT_MSR,
	HVB_LAT_HYPERCALL,
	HVB_LAT_CPUID,
	HVB_NR_LAT,
	HVB_LAT_NONE = 0xff,
};

struct hvb_counters {
	__u64 c[HVB_NR_COUNTERS];
	__u64 uexit_reason[HVB_NR_UEXIT];	/* kvm_userspace_exit by KVM_EXIT_* (errno 0) */
	__u64 lat_to_user[HVB_NR_LAT];		/* ended by the return to userspace */
	__u64 lat_to_entry[HVB_NR_LAT];		/* ended by kvm_entry */
	__u64 lat_unmatched[HVB_NR_LAT];	/* no end seen: superseded, or KVM_RUN ended otherwise */
};

/* Histograms, one per-CPU array element each. */
enum hvb_hist_id {
	HVB_H_KVM_RUN,		/* time inside one KVM_RUN call */
	HVB_H_USER,		/* userspace time between KVM_RUN calls of a thread */
	HVB_H_PIO,		/* HVB_H_PIO + HVB_LAT_x: event to completion */
	HVB_H_MMIO,
	HVB_H_MSR,
	HVB_H_HYPERCALL,
	HVB_H_CPUID,
	HVB_H_EXIT,		/* kvm_exit to kvm_entry, every reason */
	HVB_H_IRQ_WAKEUP,	/* apic_accept_irq to kvm_vcpu_wakeup of the target */
	HVB_H_IRQ_INJECT,	/* apic_accept_irq to kvm_inj_virq on the target */
	HVB_H_IRQ_EOI,		/* apic_accept_irq to the target's next EOI */
	HVB_H_RQ_WAIT,		/* runnable to running, registered threads */
	HVB_NR_HISTS
};

/*
 * Bucket scheme: log2 with 2^HVB_HIST_SUB_BITS linear sub-buckets per power
 * of two (HDR-histogram-like).  Values below 2^HVB_HIST_SUB_BITS ns have a
 * bucket each; above, a bucket spans 1/8 of its power of two, so its width
 * is at most 12.5% of its lower bound.  Bucket b >= 8 holds
 * [(8 + b % 8) << (b / 8 - 1), (9 + b % 8) << (b / 8 - 1)) ns; the last one
 * also holds everything from 2^40 ns (18 minutes) up.
 */
#define HVB_HIST_SUB_BITS 3
#define HVB_HIST_SUB (1u << HVB_HIST_SUB_BITS)
#define HVB_HIST_MAX_LOG2 40
#define HVB_HIST_BUCKETS ((HVB_HIST_MAX_LOG2 - HVB_HIST_SUB_BITS + 1) * HVB_HIST_SUB)

struct hvb_hist {
	__u64 count;
	__u64 sum_ns;
	__u64 max_ns;
	__u64 bucket[HVB_HIST_BUCKETS];
};

/* kvm_exit reasons: key (isa << 32 | exit_reason) of a per-CPU hash. */
struct hvb_exit_stat {
	__u64 count;
	__u64 done;		/* with a kvm_entry seen after it */
	__u64 sum_ns;		/* exit to entry, over done */
	__u64 max_ns;
};

/* An interrupt accepted for a vCPU and not yet handled there. */
struct hvb_irq_pending {
	__u64 accept_ns;	/* earliest undelivered kvm_apic_accept_irq, 0 if none */
	__u32 seen;		/* HVB_IRQ_SEEN_*: delivery markers recorded for it */
	__u32 vector;
};

#define HVB_IRQ_SEEN_WAKEUP 1u
#define HVB_IRQ_SEEN_INJECT 2u

/* floor(log2(v)) for v > 0, branch-free so the verifier sees a bounded result. */
static inline __attribute__((always_inline)) __u32 hvb_ilog2(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xffffffffull) << 5;
	v >>= s;
	r |= s;
	s = (v > 0xffff) << 4;
	v >>= s;
	r |= s;
	s = (v > 0xff) << 3;
	v >>= s;
	r |= s;
	s = (v > 0xf) << 2;
	v >>= s;
	r |= s;
	s = (v > 0x3) << 1;
	v >>= s;
	r |= s;
	return r | (__u32)(v >> 1);
}

static inline __attribute__((always_inline)) __u32 hvb_hist_bucket(__u64 ns)
{
	__u32 e, b;

	if (ns < HVB_HIST_SUB)
		return (__u32)ns;
	e = hvb_ilog2(ns);
	if (e >= HVB_HIST_MAX_LOG2)
		return HVB_HIST_BUCKETS - 1;
	b = ((e - HVB_HIST_SUB_BITS + 1) << HVB_HIST_SUB_BITS) +
	    (__u32)((ns >> (e - HVB_HIST_SUB_BITS)) & (HVB_HIST_SUB - 1));
	return b < HVB_HIST_BUCKETS ? b : HVB_HIST_BUCKETS - 1;
}

/* The smallest value bucket b holds. */
static inline __u64 hvb_hist_lower(__u32 b)
{
	if (b < HVB_HIST_SUB)
		return b;
	return (__u64)(HVB_HIST_SUB + b % HVB_HIST_SUB)
	       << (b / HVB_HIST_SUB - 1);
}

#endif
