/* SPDX-License-Identifier: MIT */
/*
 * Local APIC registers and small helpers shared by the interrupt, timer
 * and SMP tests (apic.c, timer.c, smp.c).  Offsets are xAPIC offsets, as
 * rt_apic_read/rt_apic_write take them in both modes.
 */
#ifndef CONFORM_LAPIC_H
#define CONFORM_LAPIC_H

#include "conform.h"

#define APIC_ID 0x20
#define APIC_VERSION 0x30
#define APIC_TPR 0x80
#define APIC_PPR 0xa0
#define APIC_SVR 0xf0
#define APIC_ISR 0x100
#define APIC_IRR 0x200
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INITIAL 0x380
#define APIC_TIMER_CURRENT 0x390
#define APIC_TIMER_DIVIDE 0x3e0

#define APIC_SVR_ENABLE 0x100
#define APIC_SVR_RUNTIME (APIC_SVR_ENABLE | 0xff) /* what rt_apic_enable writes */

#define APIC_LVT_MASKED (1u << 16)
#define APIC_LVT_ONESHOT (0u << 17)
#define APIC_LVT_PERIODIC (1u << 17)
#define APIC_LVT_TSC_DEADLINE (2u << 17)
#define APIC_DIVIDE_1 0xb /* divide configuration 1011b: by 1 */

#define ICR_FIXED 0x000u
#define ICR_ASSERT (1u << 14) /* SDM: set for every delivery mode but INIT de-assert */
#define ICR_SELF (1u << 18)   /* destination shorthand 01b */

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define MSR_TSC_DEADLINE 0x6e0

/* IRR and ISR: eight 32-bit registers 16 bytes apart, vector v at bit v % 32 of register v / 32. */
static inline bool apic_vec_bit(uint32_t base, uint8_t v)
{
	return rt_apic_read(base + 0x10 * (v / 32)) & (1u << (v % 32));
}

static inline void send_self_ipi(uint8_t vector)
{
	rt_apic_icr(0, ICR_SELF | ICR_ASSERT | ICR_FIXED | vector);
}

/*
 * Wait up to timeout_us, interrupts on, for *count to reach want; interrupts
 * are off again on return.  A lost interrupt is a timeout, not a hang.
 */
static inline bool irq_wait_count(volatile uint32_t *count, uint32_t want, uint64_t timeout_us)
{
	uint64_t end = rt_rdtsc_begin() + ct_us_to_cycles(timeout_us);

	__asm__ volatile("sti" : : : "memory");
	while (*count < want && rt_rdtsc_begin() < end)
		__asm__ volatile("pause" : : : "memory");
	rt_irq_disable();
	return *count >= want;
}

/*
 * The APIC timer's input clock in kHz: CPUID 0x40000010 EBX (the timing
 * leaf QEMU and VMware fill) when the hypervisor has it, else KVM's fixed
 * 1 GHz (a 1 ns bus cycle).  *stated says which, for fail messages.
 */
static inline uint64_t apic_bus_khz(bool *stated)
{
	struct rt_cpuid hv = rt_cpuid(0x40000000, 0);

	*stated = false;
	if ((rt_cpuid(1, 0).ecx & (1u << 31)) && hv.eax >= 0x40000010 && hv.eax < 0x40000100) {
		uint32_t khz = rt_cpuid(0x40000010, 0).ebx;

		if (khz) {
			*stated = true;
			return khz;
		}
	}
	return 1000000;
}

/* TSC cycles to time at ct_tsc_khz(), which the caller has checked is stated. */
static inline uint64_t cycles_to_us(uint64_t cycles)
{
	return cycles * 1000 / ct_tsc_khz();
}

static inline uint64_t cycles_to_ns(uint64_t cycles)
{
	return cycles * 1000000 / ct_tsc_khz();
}

#endif
