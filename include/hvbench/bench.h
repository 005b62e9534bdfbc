/* SPDX-License-Identifier: MIT */
/*
 * The benchmark half of the guest/host contract (docs/protocol.md): the
 * text records a benchmark payload prints, and the ports and addresses its
 * workloads' devices sit at in refvmm.
 *
 * Records are console lines starting with "@hvb ", so they survive being
 * mixed with other output and work under any VMM with a serial port:
 *   @hvb begin name=N mode=M cpl=C batch=B samples=S timer=T frame=F corr=X tsc_khz=K
 *   @hvb s V V V ...        cycles of one batch of B operations, per value
 *   @hvb note TEXT          something the host should record
 *   @hvb end                the samples are complete
 *   @hvb unavailable TEXT   the workload cannot run here, and why
 *   @hvb error TEXT         the run went wrong: no sample may be used
 * T is the median cost in TSC cycles of the timer itself (an empty timed
 * region), F of the loop around a batch without its operations, and X what
 * the host subtracts from each batch (docs/protocol.md).
 */
#ifndef HVBENCH_BENCH_H
#define HVBENCH_BENCH_H

#include <stdint.h>

#define HVB_RECORD_PREFIX "@hvb "
#define HVB_SAMPLES_PER_LINE 16
#define HVB_SAMPLES_MAX 65536

/*
 * Measurement marks: the guest writes HVB_MARK_BEGIN just before its timed
 * samples and HVB_MARK_END just after, so the host can take KVM statistics
 * and CPU-time snapshots around exactly the measured operations.  Under a
 * VMM without the port the writes are ignored.
 */
#define PORT_HVB_MARK 0x544
#define HVB_MARK_BEGIN 1
#define HVB_MARK_END 2

/* A PIO port that does nothing, handled by the userspace VMM (vmexit pio-user). */
#define PORT_HVB_NULL 0x548
/* A PIO port bound to an ioeventfd with no userspace exit (pio-kernel, hypercalls). */
#define PORT_HVB_EVENTFD 0x54c
/* Paravirtual hypercall port: outl(nr) exits to the VMM, which answers in EAX. */
#define PORT_HVB_HYPERCALL 0x550

/* MMIO page the userspace VMM decodes (mmio-user) and one bound to an ioeventfd. */
#define HVB_MMIO_NULL_GPA 0xd0000000ull
#define HVB_MMIO_EVENTFD_GPA 0xd0001000ull

/* rdmsr-user reads MSR 0x175 (IA32_SYSENTER_ESP), which refvmm's MSR filter sends to it. */

/*
 * Shared memory the host reads, announced by the guest: outl(PORT, gpa) of
 * a page-aligned struct hvb_shared.  The host checks it lies in guest RAM.
 */
#define PORT_HVB_SHARED 0x554

struct hvb_shared {
	volatile uint64_t irq_ack;	/* interrupts the guest handled (irq-inject) */
	volatile uint64_t stop;		/* host asks the guest to end its loop */
	volatile uint64_t ring_gpa;	/* struct hvb_ring for the io workloads */
};

/* Interrupt vectors the workloads use. */
#define HVB_VEC_INJECT 0x40
#define HVB_VEC_SELF_IPI 0x41
#define HVB_VEC_TIMER 0x42
#define HVB_VEC_IO 0x43
#define HVB_VEC_PING 0x44
#define HVB_VEC_PONG 0x45

/* The IOAPIC input the host drives for irq-inject-ioapic (edge). */
#define HVB_IOAPIC_PIN 5

#endif
