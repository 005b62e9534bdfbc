// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The interrupt path: injections counted where they start, and the time
 * from the moment a vCPU's local APIC accepts an interrupt to the moment
 * the vCPU gets it.
 *
 * Injection starts on whatever thread calls into KVM: the ioctl caller of
 * KVM_SIGNAL_MSI or KVM_IRQ_LINE, the writer of an irqfd (its MSI fast
 * path runs in the write), another vCPU sending an IPI, the vCPU itself for
 * its timer.  So kvm_set_irq, kvm_msi_set_irq and kvm_apic_accept_irq are
 * filtered by process (the tgids of registered threads), not by thread.
 * An injection KVM defers to a kworker (an irqfd to a level-triggered
 * IOAPIC pin) is not seen.
 *
 * Delivery is seen on the target vCPU's thread, with whichever of these
 * fires (each recorded once per accepted interrupt, in its own histogram):
 *   - kvm_vcpu_wakeup: a halted vCPU woke up (every backend);
 *   - kvm_inj_virq: the vector was injected into the guest (vmx, svm; not
 *     PVM);
 *   - kvm_eoi with the same vector: the guest's handler acknowledged it
 *     (every backend, with an in-kernel LAPIC); this ends the interrupt.
 * Acceptance is keyed by APIC ID, which is the vCPU id in refvmm (and the
 * index registered for a vCPU thread).  While an accepted interrupt has
 * seen no delivery marker, later ones to that vCPU are coalesced into it
 * (counted, not timed): the histograms measure the earliest.
 */
#include "hvbench.bpf.h"

#define APIC_DM_FIXED 0x000
#define APIC_DM_LOWEST 0x100
#define APIC_DM_MASK 0x700
/* An interrupt never acknowledged is forgotten after this long. */
#define IRQ_STALE_NS 1000000000ull

SEC("raw_tp/kvm_set_irq")
int BPF_PROG(hvb_kvm_set_irq, unsigned int gsi, int level, int source)
{
	if (hvb_current_proc())
		hvb_count(HVB_C_SET_IRQ);
	return 0;
}

SEC("raw_tp/kvm_msi_set_irq")
int BPF_PROG(hvb_kvm_msi_set_irq, __u64 address, __u64 data)
{
	if (hvb_current_proc())
		hvb_count(HVB_C_MSI_SET_IRQ);
	return 0;
}

SEC("raw_tp/kvm_apic_accept_irq")
int BPF_PROG(hvb_kvm_apic_accept_irq, __u32 apicid, __u16 dm, __u16 tm, __u8 vec)
{
	struct hvb_irq_pending *p;
	__u64 now;

	if (!hvb_current_proc())
		return 0;
	hvb_count(HVB_C_APIC_ACCEPT_IRQ);
	/* INIT, SIPI, NMI, SMI have no handler to reach. */
	if ((dm & APIC_DM_MASK) != APIC_DM_FIXED && (dm & APIC_DM_MASK) != APIC_DM_LOWEST)
		return 0;
	p = bpf_map_lookup_elem(&irq_pending, &apicid);
	if (!p)
		return 0;
	now = bpf_ktime_get_ns();
	if (p->accept_ns && !p->seen && now - p->accept_ns < IRQ_STALE_NS) {
		hvb_count(HVB_C_IRQ_COALESCED);
		return 0;
	}
	p->accept_ns = now;
	p->seen = 0;
	p->vector = vec;
	return 0;
}

/* The pending interrupt of the current vCPU thread, if it has one. */
static __always_inline struct hvb_irq_pending *pending_here(struct hvb_thread *t)
{
	struct hvb_irq_pending *p;
	__u32 id;

	if (t->kind != HVB_THREAD_VCPU)
		return NULL;
	id = t->index;
	p = bpf_map_lookup_elem(&irq_pending, &id);
	return p && p->accept_ns ? p : NULL;
}

SEC("raw_tp/kvm_inj_virq")
int BPF_PROG(hvb_kvm_inj_virq, unsigned int vector, bool soft, bool reinjected)
{
	struct hvb_thread *t = hvb_current();
	struct hvb_irq_pending *p;

	if (!t)
		return 0;
	hvb_count(HVB_C_INJ_VIRQ);
	p = soft ? NULL : pending_here(t);
	if (!p || (p->seen & HVB_IRQ_SEEN_INJECT) || vector != p->vector)
		return 0;
	p->seen |= HVB_IRQ_SEEN_INJECT;
	hvb_hist_add(HVB_H_IRQ_INJECT, bpf_ktime_get_ns() - p->accept_ns);
	return 0;
}

SEC("raw_tp/kvm_vcpu_wakeup")
int BPF_PROG(hvb_kvm_vcpu_wakeup, __u64 ns, bool waited, bool valid)
{
	struct hvb_thread *t = hvb_current();
	struct hvb_irq_pending *p;

	if (!t)
		return 0;
	hvb_count(HVB_C_VCPU_WAKEUP);
	p = pending_here(t);
	if (!p || (p->seen & HVB_IRQ_SEEN_WAKEUP))
		return 0;
	p->seen |= HVB_IRQ_SEEN_WAKEUP;
	hvb_hist_add(HVB_H_IRQ_WAKEUP, bpf_ktime_get_ns() - p->accept_ns);
	return 0;
}

/* vector is the highest in-service one, -1 if none (a spurious EOI). */
SEC("raw_tp/kvm_eoi")
int BPF_PROG(hvb_kvm_eoi, struct kvm_lapic *apic, int vector)
{
	struct hvb_thread *t = hvb_current();
	struct hvb_irq_pending *p;

	if (!t)
		return 0;
	hvb_count(HVB_C_EOI);
	p = pending_here(t);
	if (!p || vector != (int)p->vector)
		return 0;
	hvb_hist_add(HVB_H_IRQ_EOI, bpf_ktime_get_ns() - p->accept_ns);
	p->accept_ns = 0;
	p->seen = 0;
	return 0;
}
