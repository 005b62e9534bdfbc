/* SPDX-License-Identifier: MIT */
/*
 * irq: receives interrupts the host injects on request, one per delivery
 * path, and checks each arrives once with its vector.  It needs a host that
 * answers on IRQ_TEST_PORT (tests/integration/test_irq.c); elsewhere the
 * requests go unanswered and the payload fails, saying so.
 *
 * Requests (outb to IRQ_TEST_PORT): 1 = MSI via KVM_SIGNAL_MSI to vector
 * 0x40, 2 = MSI via irqfd to vector 0x41, 3 = IOAPIC pin 5 edge, routed here
 * to vector 0x42.
 */
#include "rt.h"

#define IRQ_TEST_PORT 0x5f0
#define IOAPIC_BASE 0xfec00000ul
#define IOAPIC_PIN 5
#define WAIT_LIMIT 1000

static volatile unsigned int count[256];

static void on_irq(uint8_t vector)
{
	count[vector]++;
	rt_apic_eoi();
}

static void ioapic_route(unsigned int pin, uint8_t vector)
{
	volatile uint32_t *sel = (volatile uint32_t *)IOAPIC_BASE;
	volatile uint32_t *win = (volatile uint32_t *)(IOAPIC_BASE + 0x10);

	*sel = 0x10 + 2 * pin + 1;
	*win = 0; /* destination APIC id 0 */
	*sel = 0x10 + 2 * pin;
	*win = vector; /* fixed, physical, edge, active high, unmasked */
}

static bool request(uint8_t what, uint8_t vector)
{
	unsigned int before = count[vector];

	rt_outb(IRQ_TEST_PORT, what);
	for (int i = 0; i < WAIT_LIMIT && count[vector] == before; i++)
		rt_irq_wait();
	return count[vector] == before + 1;
}

int guest_main(void)
{
	static const struct {
		uint8_t what, vector;
		const char *name;
	} paths[] = {
		{ 1, 0x40, "MSI by KVM_SIGNAL_MSI" },
		{ 2, 0x41, "MSI by irqfd" },
		{ 3, 0x42, "IOAPIC pin 5 edge" },
	};
	int failures = 0;

	rt_printf("TAP version 13\n");
	if (!rt_apic_enable()) {
		rt_printf("1..0 # SKIP no local APIC\n");
		return GUEST_STATUS_FAIL;
	}
	for (unsigned int i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		rt_irq_register(paths[i].vector, on_irq);
	ioapic_route(IOAPIC_PIN, 0x42);
	for (unsigned int i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool ok = request(paths[i].what, paths[i].vector);

		rt_printf("%s %u - %s delivered once to vector 0x%x\n", ok ? "ok" : "not ok", i + 1,
			  paths[i].name, paths[i].vector);
		failures += !ok;
	}
	rt_printf("1..%zu\n", sizeof(paths) / sizeof(paths[0]));
	return failures ? GUEST_STATUS_FAIL : GUEST_STATUS_PASS;
}
