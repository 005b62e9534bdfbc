/* SPDX-License-Identifier: MIT */
/*
 * HLT and a second vCPU: waking from hlt on a timer interrupt, starting an
 * application processor with INIT/SIPI/SIPI, and IPIs between the two.
 * The SMP tests need a VM with two vCPUs, the second with APIC ID 1 (refvmm
 * --cpus 2, QEMU -smp 2); with one, they fail saying the AP never came up.
 */
#include "lapic.h"

#define AP_ID 1
#define WAIT_US 100000	/* an IPI, or the AP's report, this late is a lost one */
#define ONCE_US 10000	/* after the first delivery, how long a second is watched for */

#define HLT_VEC 0x72
#define AP_VEC 0x50	/* BSP -> AP */
#define BSP_VEC 0x51	/* AP -> BSP */

static volatile uint32_t hlt_ticks;
static volatile uint64_t hlt_first_tsc;

static void on_hlt_tick(uint8_t vector)
{
	(void)vector;
	if (!hlt_ticks)
		hlt_first_tsc = rt_rdtsc_begin();
	hlt_ticks++;
	rt_apic_eoi();
}

/*
 * The timer is periodic so that a lost wake-up is a fail, not a hang: if
 * the first tick does not wake the vCPU a later one may, and the first
 * handler then runs past the second expiry.  Only a vCPU that no interrupt
 * can wake hangs here, and the watchdog reports it halted at the hlt.
 * A late first tick also runs past the second expiry, so the period is
 * the lateness the timer tests allow (20 ms): with 5 ms, a host under
 * QEMU's TCG, busy elsewhere, took the first tick 6-8 ms late now and then.
 */
void hlt_wake(struct ct *t)
{
	const uint64_t period_us = 20000;
	uint64_t period, t0, woke, first;
	uint32_t taken;
	bool stated;

	if (!ct_tsc_khz()) {
		ct_skip(t, "no tsc_khz= on the command line: TSC cycles cannot become time");
		return;
	}
	if (!rt_apic_enable()) {
		ct_skip(t, "no local APIC (CPUID.1:EDX[9] clear)");
		return;
	}
	period = ct_us_to_cycles(period_us);
	hlt_ticks = 0;
	rt_irq_register(HLT_VEC, on_hlt_tick);
	rt_apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_1);
	rt_apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | HLT_VEC);
	t0 = rt_rdtsc_end();
	rt_apic_write(APIC_TIMER_INITIAL, period_us * apic_bus_khz(&stated) / 1000);
	rt_irq_wait();
	woke = rt_rdtsc_begin();
	taken = hlt_ticks;
	first = hlt_first_tsc;
	rt_apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	rt_apic_write(APIC_TIMER_INITIAL, 0);
	ct_delay_irq_on(1000);

	if (!ct_check(t, taken >= 1, "hlt returned after %lu us with no timer interrupt taken",
		      cycles_to_us(woke - t0)))
		return;
	ct_check(t, first - t0 + period / 1000 >= period,
		 "the timer interrupt that woke hlt came %lu ns after arming, before its %lu us "
		 "period (APIC bus %s)", cycles_to_ns(first - t0), period_us,
		 stated ? "rate from CPUID 0x40000010" : "assumed 1 GHz");
	ct_check(t, first - t0 < 2 * period,
		 "the first timer interrupt was taken %lu us after arming, past the second expiry "
		 "(%lu us): hlt slept through the first", cycles_to_us(first - t0), 2 * period_us);
}

struct ap_report {
	volatile uint32_t done;
	uint32_t apic_id, cpuid_id;
	uint64_t apic_base;
};

static void ap_report(void *arg)
{
	struct ap_report *r = arg;

	r->apic_id = rt_apic_id();
	r->cpuid_id = rt_cpuid(1, 0).ebx >> 24;
	r->apic_base = rt_rdmsr(MSR_APIC_BASE);
	__asm__ volatile("mfence" : : : "memory");
	r->done = 1;
}

static bool ap_start(struct ct *t, void (*fn)(void *), void *arg)
{
	return ct_check(t, rt_smp_start(AP_ID, fn, arg),
			"the AP with APIC ID %u did not come up within 100 ms of INIT/SIPI/SIPI "
			"(does the VM have a second vCPU?)", AP_ID);
}

void smp_ap_start(struct ct *t)
{
	static struct ap_report r; /* static: a late AP must not write into a dead stack frame */

	r = (struct ap_report){ 0 };
	if (!rt_apic_enable()) {
		ct_skip(t, "no local APIC (CPUID.1:EDX[9] clear)");
		return;
	}
	if (!ap_start(t, ap_report, &r))
		return;
	if (!ct_check(t, ct_wait_flag(&r.done, WAIT_US),
		      "the AP came up but did not report within %u us", WAIT_US))
		return;
	CT_EQ(t, "AP's local APIC ID", r.apic_id, AP_ID);
	CT_EQ(t, "AP's initial APIC ID, CPUID.1:EBX[31:24]", r.cpuid_id, AP_ID);
	ct_check(t, !(r.apic_base & APIC_BASE_BSP),
		 "AP's IA32_APIC_BASE 0x%lx has the BSP flag (bit 8) set", r.apic_base);
}

static uint32_t bsp_id;
static volatile uint32_t ap_ready, ap_stop, ap_done;
static volatile uint32_t ap_hits, ap_hit_cpu, bsp_hits, bsp_hit_cpu;

/* On the AP: count, and answer with an IPI to the BSP (unless told to stop). */
static void on_ap_vec(uint8_t vector)
{
	(void)vector;
	ap_hits++;
	ap_hit_cpu = rt_apic_id();
	rt_apic_eoi();
	if (!ap_stop)
		rt_apic_icr(bsp_id, ICR_ASSERT | ICR_FIXED | BSP_VEC);
}

static void on_bsp_vec(uint8_t vector)
{
	(void)vector;
	bsp_hits++;
	bsp_hit_cpu = rt_apic_id();
	rt_apic_eoi();
}

/* The AP sleeps in hlt between interrupts, so each IPI must also wake it. */
static void ap_idle(void *arg)
{
	(void)arg;
	ap_ready = 1;
	while (!ap_stop)
		rt_irq_wait();
	ap_done = 1;
}

void smp_ipi(struct ct *t)
{
	if (!rt_apic_enable()) {
		ct_skip(t, "no local APIC (CPUID.1:EDX[9] clear)");
		return;
	}
	bsp_id = rt_apic_id();
	ap_ready = ap_stop = ap_done = 0;
	ap_hits = bsp_hits = 0;
	ap_hit_cpu = bsp_hit_cpu = ~0u;
	rt_irq_register(AP_VEC, on_ap_vec);
	rt_irq_register(BSP_VEC, on_bsp_vec);
	if (!ap_start(t, ap_idle, NULL))
		return;
	if (!ct_check(t, ct_wait_flag(&ap_ready, WAIT_US),
		      "the AP came up but did not reach its idle loop within %u us", WAIT_US))
		return;

	rt_apic_icr(AP_ID, ICR_ASSERT | ICR_FIXED | AP_VEC);
	if (!ct_check(t, irq_wait_count(&bsp_hits, 1, WAIT_US),
		      "no IPI back from the AP within %u us: the AP took %u at vector 0x%x "
		      "(on APIC ID 0x%x)", WAIT_US, ap_hits, AP_VEC, ap_hit_cpu))
		return;
	ct_delay_irq_on(ONCE_US);
	CT_EQ(t, "IPIs the AP took at vector 0x50", ap_hits, 1);
	CT_EQ(t, "APIC ID the vector 0x50 handler ran on", ap_hit_cpu, AP_ID);
	CT_EQ(t, "IPIs the BSP took at vector 0x51", bsp_hits, 1);
	CT_EQ(t, "APIC ID the vector 0x51 handler ran on", bsp_hit_cpu, bsp_id);

	ap_stop = 1;
	__asm__ volatile("mfence" : : : "memory");
	rt_apic_icr(AP_ID, ICR_ASSERT | ICR_FIXED | AP_VEC);
	ct_check(t, ct_wait_flag(&ap_done, WAIT_US),
		 "a second IPI did not wake the AP out of hlt within %u us", WAIT_US);
}
