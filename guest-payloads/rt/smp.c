/* SPDX-License-Identifier: MIT */
/*
 * Starting application processors.  The boot CPU copies the real-mode
 * trampoline (pvh_entry.S) below 1 MiB and sends INIT, then SIPI twice
 * (the second is ignored by a CPU that already started, as the MP
 * specification expects), then waits for the AP to say it is up.  An AP
 * runs at CPL0 with the boot CPU's GDT, IDT and page tables and no TSS of
 * its own: interrupts at CPL0 need none.  One AP at a time.
 */
#include "internal.h"
#include "layout.h"

#define ICR_INIT 0x00000500u
#define ICR_STARTUP 0x00000600u
#define ICR_LEVEL_ASSERT 0x00004000u
#define START_WAIT_MS 100
#define START_WAIT_ROUNDS 1000000ull	/* without a TSC rate on the command line */

extern const char rt_ap_tramp_start[], rt_ap_tramp_end[];

uint64_t rt_ap_stack_top; /* read by the trampoline */
static uint8_t ap_stack[RT_STACK_SIZE] __attribute__((aligned(16)));
static void (*ap_fn)(void *);
static void *ap_arg;
static volatile bool ap_up;

void rt_ap_main(void) __attribute__((noreturn));

void rt_ap_main(void)
{
	rt_cpu_init_ap();
	rt_apic_enable();
	ap_up = true;
	ap_fn(ap_arg);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Wait up to START_WAIT_MS for the AP: a VMM without a second vCPU must
 * get a clear "no second CPU" from the payload, well inside any watchdog.
 */
static void ap_wait(void)
{
	uint64_t khz = rt_cmdline_u64("tsc_khz", 0);
	uint64_t start = rt_rdtsc_begin();

	for (uint64_t i = 0; !ap_up; i++) {
		if (khz ? rt_rdtsc_begin() - start > khz * START_WAIT_MS : i > START_WAIT_ROUNDS)
			return;
		__asm__ volatile("pause");
	}
}

bool rt_smp_start(uint32_t apic_id, void (*fn)(void *), void *arg)
{
	size_t len = rt_ap_tramp_end - rt_ap_tramp_start;

	if (!rt_apic_present() || len > 4096)
		return false;
	memcpy((void *)(uintptr_t)RT_AP_TRAMPOLINE, rt_ap_tramp_start, len);
	rt_ap_stack_top = (uint64_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
	ap_fn = fn;
	ap_arg = arg;
	ap_up = false;
	__asm__ volatile("mfence" : : : "memory");
	rt_apic_icr(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	rt_apic_icr(apic_id, ICR_STARTUP | (RT_AP_TRAMPOLINE >> 12));
	rt_apic_icr(apic_id, ICR_STARTUP | (RT_AP_TRAMPOLINE >> 12));
	ap_wait();
	return ap_up;
}
