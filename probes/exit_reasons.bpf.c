// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * kvm:kvm_exit and kvm:kvm_entry, as `perf kvm stat` uses them: exits
 * counted per hardware exit reason, and the time from each exit to the next
 * entry into the guest per reason.  Only the vmx and svm backends call
 * these tracepoints; elsewhere (PVM) they stay silent and the host library
 * reports that instead of zeros.
 *
 * kvm_exit is attached as a classic tracepoint: its raw form passes only
 * the vCPU, and the reason would have to be dug out of vendor structures
 * (struct vcpu_vmx, struct vcpu_svm) that are in a module's BTF, if any.
 * The record's layout is relocated with CO-RE against whichever BTF
 * (vmlinux or the kvm module's) defines it, so vmlinux.h need not.
 */
#include "hvbench.bpf.h"

struct trace_event_raw_kvm_exit___hvb {
	unsigned int exit_reason;
	__u32 isa;
} __attribute__((preserve_access_index));

static __always_inline struct hvb_exit_stat *exit_stat(__u64 key)
{
	struct hvb_exit_stat *s = bpf_map_lookup_elem(&exit_stats, &key);
	struct hvb_exit_stat zero = {};

	if (s)
		return s;
	/* Full: the reason goes uncounted per reason, but HVB_C_KVM_EXIT has it. */
	bpf_map_update_elem(&exit_stats, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&exit_stats, &key);
}

SEC("tp/kvm/kvm_exit")
int hvb_kvm_exit(struct trace_event_raw_kvm_exit___hvb *ctx)
{
	struct hvb_thread *t = hvb_current();
	struct hvb_exit_stat *s;
	__u64 key;

	if (!t)
		return 0;
	/* A kernel without KVM types in its BTF: the verifier drops what follows. */
	if (!bpf_core_type_exists(struct trace_event_raw_kvm_exit___hvb))
		return 0;
	hvb_count(HVB_C_KVM_EXIT);
	key = (__u64)BPF_CORE_READ(ctx, isa) << 32 | BPF_CORE_READ(ctx, exit_reason);
	s = exit_stat(key);
	if (s)
		s->count++;
	t->exit_key = key;
	t->exit_ns = bpf_ktime_get_ns();
	return 0;
}

/*
 * The entry ends the pending exit (its latency per reason) and any pending
 * exit event the kernel completed without going to userspace.
 */
SEC("raw_tp/kvm_entry")
int BPF_PROG(hvb_kvm_entry, struct kvm_vcpu *vcpu)
{
	struct hvb_thread *t = hvb_current();
	struct hvb_exit_stat *s;
	__u64 now, ns;

	if (!t)
		return 0;
	hvb_count(HVB_C_KVM_ENTRY);
	now = bpf_ktime_get_ns();
	if (t->ev_kind != HVB_LAT_NONE)
		hvb_event_end(t, now, true);
	if (!t->exit_ns)
		return 0;
	ns = now - t->exit_ns;
	t->exit_ns = 0;
	hvb_hist_add(HVB_H_EXIT, ns);
	s = bpf_map_lookup_elem(&exit_stats, &t->exit_key);
	if (!s)
		return 0;
	s->done++;
	s->sum_ns += ns;
	if (ns > s->max_ns)
		s->max_ns = ns;
	return 0;
}
