/* SPDX-License-Identifier: MIT */
/*
 * interrupt family, guest half.
 *
 * irq-inject, irq-inject-ioapic: host-timed.  The guest idles in hlt; its handler counts each
 * interrupt in the shared page, which the host's injector polls, so the
 * host sees send -> guest handler without any exit on the way back.
 * self-ipi: an IPI to this CPU, sent with interrupts off and taken right
 * after sti: ICR write, delivery and the handler's EOI.
 * timer-deadline: cyclictest in miniature: arm the TSC-deadline timer
 * delay_us ahead, hlt, and record how late the handler ran.
 * hlt-wake: hlt with an interrupt already pending (a self-IPI sent with
 * interrupts off): the hlt exit and the wake-up on top of self-ipi.
 * ipi: a round trip between two vCPUs: the boot CPU sends an IPI to the
 * second, whose handler sends one back; the boot CPU waits in hlt.
 * eoi: the EOI write alone (with nothing in service it changes nothing).
 */
#include "guest.h"

#define MSR_TSC_DEADLINE 0x6e0
#define APIC_LVT_TIMER 0x320
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define WAIT_ROUNDS 100000
#define IOAPIC_BASE 0xfec00000ul

static struct hvb_shared *shared;
static volatile uint64_t fired;
static volatile uint64_t fired_tsc;

static void on_inject(uint8_t vector)
{
	(void)vector;
	shared->irq_ack++;
	rt_apic_eoi();
}

static void on_count(uint8_t vector)
{
	(void)vector;
	fired++;
	rt_apic_eoi();
}

static void on_timer(uint8_t vector)
{
	(void)vector;
	fired_tsc = rt_rdtsc_begin();
	fired++;
	rt_apic_eoi();
}

static int apic_setup(struct bench_ctx *ctx, uint8_t vector, rt_irq_handler fn)
{
	if (!rt_apic_enable())
		return BENCH_SETUP_FAIL(ctx, "no local APIC (the VMM has no in-kernel irqchip?)");
	rt_irq_register(vector, fn);
	return 0;
}

static int setup_inject(struct bench_ctx *ctx)
{
	shared = bench_shared();
	return apic_setup(ctx, HVB_VEC_INJECT, on_inject);
}

/* Route the IOAPIC pin the host drives to the inject vector: fixed, edge, to APIC 0. */
static int setup_inject_ioapic(struct bench_ctx *ctx)
{
	volatile uint32_t *sel = (volatile uint32_t *)IOAPIC_BASE;
	volatile uint32_t *win = (volatile uint32_t *)(IOAPIC_BASE + 0x10);

	if (setup_inject(ctx))
		return -1;
	*sel = 0x10 + 2 * HVB_IOAPIC_PIN + 1;
	*win = 0;
	*sel = 0x10 + 2 * HVB_IOAPIC_PIN;
	*win = HVB_VEC_INJECT;
	return 0;
}

static void serve_inject(uint64_t n)
{
	(void)n;
	while (!shared->stop)
		rt_irq_wait();
}

static int setup_self_ipi(struct bench_ctx *ctx)
{
	return apic_setup(ctx, HVB_VEC_SELF_IPI, on_count);
}

static void op_self_ipi(uint64_t n)
{
	uint32_t self = rt_apic_id();

	for (uint64_t i = 0; i < n; i++) {
		uint64_t before = fired;

		rt_apic_ipi(self, HVB_VEC_SELF_IPI);
		__asm__ volatile("sti; nop; cli" : : : "memory");
		if (fired == before)
			bench_wait_change(&fired, before, WAIT_ROUNDS);
	}
}

/* sti's one-instruction shadow covers hlt: it halts, and the pending IPI wakes it. */
static void op_hlt_wake(uint64_t n)
{
	uint32_t self = rt_apic_id();

	for (uint64_t i = 0; i < n; i++) {
		uint64_t before = fired;

		rt_apic_ipi(self, HVB_VEC_SELF_IPI);
		rt_irq_wait();
		if (fired == before)
			bench_wait_change(&fired, before, WAIT_ROUNDS);
	}
}

static uint32_t bsp_id;
static volatile uint64_t pongs;

static void on_ping(uint8_t vector)
{
	(void)vector;
	rt_apic_ipi(bsp_id, HVB_VEC_PONG);
	rt_apic_eoi();
}

static void on_pong(uint8_t vector)
{
	(void)vector;
	pongs++;
	rt_apic_eoi();
}

static void ap_idle(void *arg)
{
	(void)arg;
	for (;;)
		rt_irq_wait();
}

static int setup_ipi(struct bench_ctx *ctx)
{
	if (apic_setup(ctx, HVB_VEC_PONG, on_pong))
		return -1;
	rt_irq_register(HVB_VEC_PING, on_ping);
	bsp_id = rt_apic_id();
	if (!rt_smp_start(bsp_id + 1, ap_idle, NULL))
		return BENCH_SETUP_FAIL(ctx, "no second CPU started (INIT/SIPI to APIC ID %u): the "
					"ipi workload needs two vCPUs", bsp_id + 1);
	return 0;
}

static void op_ipi(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t before = pongs;

		rt_apic_ipi(bsp_id + 1, HVB_VEC_PING);
		bench_wait_change(&pongs, before, WAIT_ROUNDS);
	}
}

static uint64_t delay_cycles;

static int setup_timer(struct bench_ctx *ctx)
{
	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_TSC_DEADLINE))
		return BENCH_SETUP_FAIL(ctx, "the CPU offers no TSC-deadline timer");
	if (apic_setup(ctx, HVB_VEC_TIMER, on_timer))
		return -1;
	rt_apic_write(APIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | HVB_VEC_TIMER);
	delay_cycles = rt_cmdline_u64("delay_us", 50) * rt_cmdline_u64("tsc_khz", 0) / 1000;
	bench_note("timer delay_cycles=%lu", delay_cycles);
	return 0;
}

/* Sum of lateness: handler entry minus the programmed deadline. */
static uint64_t timed_timer(uint64_t n)
{
	uint64_t late = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint64_t before = fired;
		uint64_t deadline = rt_rdtsc_begin() + delay_cycles;

		rt_wrmsr(MSR_TSC_DEADLINE, deadline);
		bench_wait_change(&fired, before, WAIT_ROUNDS);
		late += fired_tsc > deadline ? fired_tsc - deadline : 0;
	}
	return late;
}

static int setup_eoi(struct bench_ctx *ctx)
{
	return apic_setup(ctx, HVB_VEC_SELF_IPI, on_count);
}

static void op_eoi(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		rt_apic_eoi();
}

const struct guest_workload gw_irq_inject = {
	.setup = setup_inject, .op = serve_inject,
	.hosted = true,
};
const struct guest_workload gw_irq_inject_ioapic = {
	.setup = setup_inject_ioapic,
	.op = serve_inject, .hosted = true,
};
GUEST_HALF(gw_self_ipi, setup_self_ipi, op_self_ipi);
const struct guest_workload gw_timer_deadline = {
	.setup = setup_timer, .timed = timed_timer,
};
GUEST_HALF(gw_eoi, setup_eoi, op_eoi);
GUEST_HALF(gw_ipi, setup_ipi, op_ipi);
GUEST_HALF(gw_hlt_wake, setup_self_ipi, op_hlt_wake);
