// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * KVM_RUN residency: how long each ioctl(KVM_RUN) of a registered thread
 * runs, how long the VMM spends in userspace between two calls, and why
 * each call returned (kvm:kvm_userspace_exit).
 *
 * A call is timed from the system call's entry (the BTF-typed sys_enter
 * tracepoint: nothing in KVM fires earlier) to kvm:kvm_userspace_exit,
 * which KVM fires once per KVM_RUN just before the ioctl returns.  Ending
 * there rather than at sys_exit spares a second system-call tracepoint,
 * which every system call of the host would pay for (docs/probes.md has
 * the costs); what it leaves out is the ioctl's unlock and the system
 * call's return path, which the userspace time gets instead.
 *
 * kvm:kvm_fpu (guest FPU loaded, once per KVM_RUN) would spare sys_enter
 * too, but it fires after vcpu_load, which on PVM takes about half of a
 * port exit's round trip: starting there would hide it.
 *
 * This file also defines the maps every program shares (hvbench.bpf.h).
 */
#define HVB_DEFINE_MAPS
#include "hvbench.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define NR_IOCTL 16 /* x86-64 */

/*
 * Runs for every system call on the host: the two compares come first and
 * need no helper call (tp_btf reads regs directly, without probe_read).
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(hvb_sys_enter, struct pt_regs *regs, long id)
{
	struct hvb_thread_stats *st;
	struct hvb_thread *t;
	__u64 now;

	if (id != NR_IOCTL || (__u32)regs->si != HVB_KVM_RUN)
		return 0;
	t = hvb_current();
	if (!t)
		return 0;
	now = bpf_ktime_get_ns();
	t->run_enter_ns = now;
	hvb_count(HVB_C_KVM_RUN);
	st = hvb_stats_of(t);
	if (st)
		st->kvm_run_calls++;
	if (t->run_exit_ns) {
		hvb_hist_add(HVB_H_USER, now - t->run_exit_ns);
		if (st)
			st->user_ns += now - t->run_exit_ns;
	}
	return 0;
}

/* Does the reason KVM_RUN returned with belong to the pending exit event? */
static __always_inline bool event_caused_exit(const struct hvb_thread *t, __u32 reason, int err)
{
	if (err < 0)
		return false;
	switch (t->ev_kind) {
	case HVB_LAT_PIO:
		return reason == HVB_KVM_EXIT_IO;
	case HVB_LAT_MMIO:
		return reason == HVB_KVM_EXIT_MMIO;
	case HVB_LAT_MSR:
		return reason == HVB_KVM_EXIT_X86_RDMSR || reason == HVB_KVM_EXIT_X86_WRMSR;
	case HVB_LAT_HYPERCALL:
		return reason == HVB_KVM_EXIT_HYPERCALL;
	default:
		return false;
	}
}

/*
 * Fires once per KVM_RUN, in kvm_vcpu_ioctl after the run loop: reason is
 * run->exit_reason, err the ioctl's return value (0, or -EINTR when a
 * signal or immediate_exit ended the call).  It ends the call's residency
 * and the pending exit event that made it return.
 */
SEC("raw_tp/kvm_userspace_exit")
int BPF_PROG(hvb_kvm_userspace_exit, __u32 reason, int err)
{
	struct hvb_thread *t = hvb_current();
	struct hvb_thread_stats *st;
	struct hvb_counters *cs;
	__u64 now, ns;

	if (!t)
		return 0;
	now = bpf_ktime_get_ns();
	cs = hvb_counters();
	if (cs) {
		cs->c[HVB_C_USERSPACE_EXIT]++;
		if (err == -4 /* EINTR */)
			cs->c[HVB_C_UEXIT_RESTART]++;
		else if (err < 0)
			cs->c[HVB_C_UEXIT_ERROR]++;
		else
			cs->uexit_reason[reason < HVB_NR_UEXIT ? reason : HVB_NR_UEXIT - 1]++;
	}
	if (t->ev_kind != HVB_LAT_NONE) {
		if (event_caused_exit(t, reason, err))
			hvb_event_end(t, now, false);
		else
			hvb_event_drop(t);
	}
	/* A call that began before the thread was registered: no start. */
	if (!t->run_enter_ns)
		return 0;
	ns = now - t->run_enter_ns;
	t->run_enter_ns = 0;
	t->run_exit_ns = now;
	if (cs)
		cs->c[HVB_C_KVM_RUN_DONE]++;
	hvb_hist_add(HVB_H_KVM_RUN, ns);
	st = hvb_stats_of(t);
	if (st)
		st->kvm_run_ns += ns;
	return 0;
}
