// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The exit events KVM traces on every backend: port and MMIO accesses,
 * hypercalls, MSR accesses and CPUID.  Each is counted, and the ones that
 * start work (see below) open a pending latency that ends when the KVM_RUN
 * returns to userspace because of it, or at the next kvm_entry where that
 * tracepoint fires (docs/probes.md).
 *
 * What fires when, from KVM's x86 code:
 *   - kvm_pio: a port write before it is handled (in the kernel or by
 *     userspace); a port read after its data is there, so for a read sent
 *     to userspace it fires on the re-entry, after the round trip.  Only
 *     writes open a latency.
 *   - kvm_mmio: a write before it is handled; a read sent to userspace
 *     twice: "unsatisfied" at the exit and "read" at completion.  Writes and
 *     unsatisfied reads open a latency.
 *   - kvm_msr: an access KVM completes (or answers with #GP); one that a
 *     MSR filter sends to userspace is not traced here (count it from
 *     kvm_userspace_exit's X86_RDMSR/X86_WRMSR reasons).
 *   - kvm_hypercall, kvm_cpuid: when KVM handles them.
 */
#include "hvbench.bpf.h"

#define KVM_TRACE_MMIO_READ_UNSATISFIED 0
#define KVM_TRACE_MMIO_READ 1
#define KVM_TRACE_MMIO_WRITE 2

SEC("raw_tp/kvm_pio")
int BPF_PROG(hvb_kvm_pio, unsigned int rw, unsigned int port, unsigned int size,
	     unsigned int count, const void *data)
{
	struct hvb_thread *t = hvb_current();

	if (!t)
		return 0;
	if (rw) {
		hvb_count(HVB_C_PIO_OUT);
		hvb_event_start(t, HVB_LAT_PIO, bpf_ktime_get_ns());
	} else {
		hvb_count(HVB_C_PIO_IN);
	}
	return 0;
}

SEC("raw_tp/kvm_mmio")
int BPF_PROG(hvb_kvm_mmio, int type, int len, __u64 gpa, void *val)
{
	struct hvb_thread *t = hvb_current();

	if (!t)
		return 0;
	switch (type) {
	case KVM_TRACE_MMIO_READ_UNSATISFIED:
		hvb_count(HVB_C_MMIO_UNSAT_READ);
		hvb_event_start(t, HVB_LAT_MMIO, bpf_ktime_get_ns());
		break;
	case KVM_TRACE_MMIO_READ:
		hvb_count(HVB_C_MMIO_READ);
		break;
	case KVM_TRACE_MMIO_WRITE:
		hvb_count(HVB_C_MMIO_WRITE);
		hvb_event_start(t, HVB_LAT_MMIO, bpf_ktime_get_ns());
		break;
	}
	return 0;
}

SEC("raw_tp/kvm_msr")
int BPF_PROG(hvb_kvm_msr, unsigned int write, __u32 ecx, __u64 data, bool exception)
{
	struct hvb_thread *t = hvb_current();

	if (!t)
		return 0;
	hvb_count(write ? HVB_C_MSR_WRITE : HVB_C_MSR_READ);
	if (exception)
		hvb_count(HVB_C_MSR_GP);
	hvb_event_start(t, HVB_LAT_MSR, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/kvm_hypercall")
int BPF_PROG(hvb_kvm_hypercall, unsigned long nr, unsigned long a0, unsigned long a1,
	     unsigned long a2, unsigned long a3)
{
	struct hvb_thread *t = hvb_current();

	if (!t)
		return 0;
	hvb_count(HVB_C_HYPERCALL);
	hvb_event_start(t, HVB_LAT_HYPERCALL, bpf_ktime_get_ns());
	return 0;
}

SEC("raw_tp/kvm_cpuid")
int BPF_PROG(hvb_kvm_cpuid, unsigned int function)
{
	struct hvb_thread *t = hvb_current();

	if (!t)
		return 0;
	hvb_count(HVB_C_CPUID);
	hvb_event_start(t, HVB_LAT_CPUID, bpf_ktime_get_ns());
	return 0;
}
