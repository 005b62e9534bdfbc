/* SPDX-License-Identifier: MIT */
/*
 * Local APIC and interrupt delivery: the registers (version, SVR, TPR,
 * ISR/IRR), self-IPIs, priority, and interrupts from outside the CPU (an
 * MSI the host sends, an IOAPIC line the test device raises).
 *
 * Every wait is bounded: an interrupt that never comes is a fail record,
 * not a hang.  Interrupts are off except while a test waits for one.
 */
#include "lapic.h"

#define DELIVERY_US 100000 /* a delivery this late is a lost one (PVM takes ~0.2 ms) */
#define ONCE_US 10000	   /* after the first delivery, how long a second is watched for */
#define HOLD_US 20000	   /* how long a held interrupt is given the chance to slip through */

#define IOAPIC_BASE 0xfec00000ul
#define IOAPIC_VERSION 0x01
#define IOAPIC_REDIR_LOW(pin) (0x10 + 2 * (pin))
#define IOAPIC_REDIR_HIGH(pin) (0x11 + 2 * (pin))
#define IOAPIC_MASKED (1u << 16)
#define IOAPIC_RO_BITS ((1u << 12) | (1u << 14)) /* delivery status, remote IRR */

#define X2APIC_MSR_ID 0x802
#define X2APIC_MSR_VERSION 0x803
#define X2APIC_MSR_EOI 0x80b
#define X2APIC_MSR_SVR 0x80f
#define X2APIC_MSR_SELF_IPI 0x83f

static volatile uint32_t count[256];
static volatile uint32_t nr_delivered;
static volatile uint8_t order[4];

static void on_irq(uint8_t vector)
{
	if (nr_delivered < sizeof(order))
		order[nr_delivered] = vector;
	nr_delivered++;
	count[vector]++;
	rt_apic_eoi();
}

/* Enable the APIC and route vectors to on_irq, with fresh counts. */
static bool irq_setup(struct ct *t, const uint8_t *vectors, unsigned int n)
{
	if (!rt_apic_enable()) {
		ct_skip(t, "no local APIC (CPUID.1:EDX[9] clear)");
		return false;
	}
	memset((void *)count, 0, sizeof(count));
	nr_delivered = 0;
	for (unsigned int i = 0; i < n; i++)
		rt_irq_register(vectors[i], on_irq);
	return true;
}

/* Vector arrives once: wait for it, then watch ONCE_US for a duplicate. */
static void check_once(struct ct *t, const char *what, uint8_t vector)
{
	bool came = irq_wait_count(&count[vector], 1, DELIVERY_US);

	if (!ct_check(t, came, "%s: vector 0x%x not delivered within %u us (%u other interrupts)",
		      what, vector, DELIVERY_US, nr_delivered))
		return;
	ct_delay_irq_on(ONCE_US);
	ct_check(t, count[vector] == 1 && nr_delivered == 1,
		 "%s: expected one interrupt at vector 0x%x, got %u there and %u in all "
		 "(first at 0x%x)", what, vector, count[vector], nr_delivered, order[0]);
}

void apic_version(struct ct *t)
{
	uint32_t v, version, max_lvt;

	if (!rt_apic_enable()) {
		ct_skip(t, "no local APIC (CPUID.1:EDX[9] clear)");
		return;
	}
	v = rt_apic_read(APIC_VERSION);
	version = v & 0xff;
	max_lvt = (v >> 16) & 0xff;
	ct_check(t, version >= 0x10 && version <= 0x15,
		 "version register 0x%x: version 0x%x is not an integrated APIC (0x10-0x15)", v,
		 version);
	ct_check(t, max_lvt >= 3,
		 "version register 0x%x: max LVT entry %u, expected at least 3 (4 LVT entries)", v,
		 max_lvt);
}

/*
 * SDM 11.4.7.2: while software-disabled the APIC holds what is already in
 * IRR/ISR, sets every LVT mask bit and ignores attempts to clear them.  The
 * SDM does not say whether a fixed interrupt arriving meanwhile is dropped
 * (KVM) or latched for later (QEMU's own APIC), so the test checks only what
 * it does say: nothing is delivered while disabled, the LVT mask sticks, and
 * once re-enabled (and anything latched taken) no vector is left stuck.
 */
void apic_sw_enable(struct ct *t)
{
	static const uint8_t vectors[] = { 0x66, 0x67 };
	const uint8_t ipi_vec = 0x66, timer_vec = 0x67;
	uint32_t svr, lvt;

	if (!irq_setup(t, vectors, 2))
		return;
	svr = rt_apic_read(APIC_SVR);
	CT_EQ(t, "SVR after enabling (enable bit, spurious vector 0xff)", svr & 0x1ff,
	      APIC_SVR_RUNTIME);

	rt_apic_write(APIC_SVR, 0xef); /* disabled, another spurious vector */
	svr = rt_apic_read(APIC_SVR);
	CT_EQ(t, "SVR after writing 0xef (disabled, vector 0xef)", svr & 0x1ff, 0xef);

	rt_apic_write(APIC_TIMER_DIVIDE, APIC_DIVIDE_1);
	rt_apic_write(APIC_LVT_TIMER, APIC_LVT_ONESHOT | timer_vec);
	lvt = rt_apic_read(APIC_LVT_TIMER);
	ct_check(t, lvt & APIC_LVT_MASKED,
		 "LVT timer written unmasked while software-disabled reads 0x%x: the mask bit "
		 "must stay set (SDM 11.4.7.2)", lvt);
	/* ~0.1 ms at 1 GHz: it would fire if the mask were ignored */
	rt_apic_write(APIC_TIMER_INITIAL, 100000);
	send_self_ipi(ipi_vec);
	ct_delay_irq_on(HOLD_US);
	ct_check(t, nr_delivered == 0,
		 "a software-disabled APIC delivered %u interrupts (self-IPI 0x%x: %u, "
		 "timer 0x%x: %u)", nr_delivered, ipi_vec, count[ipi_vec], timer_vec,
		 count[timer_vec]);

	rt_apic_write(APIC_TIMER_INITIAL, 0);
	rt_apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	rt_apic_write(APIC_SVR, APIC_SVR_RUNTIME);
	svr = rt_apic_read(APIC_SVR);
	CT_EQ(t, "SVR after re-enabling", svr & 0x1ff, APIC_SVR_RUNTIME);
	ct_delay_irq_on(ONCE_US);
	rt_printf("apic.sw-enable: after re-enabling, %u interrupts arrived (the self-IPI sent "
		  "while disabled was %s)\n", nr_delivered,
		  count[ipi_vec] ? "latched and delivered now" : "dropped");
	for (unsigned int i = 0; i < 2; i++) {
		bool irr = apic_vec_bit(APIC_IRR, vectors[i]);
		bool isr = apic_vec_bit(APIC_ISR, vectors[i]);

		ct_check(t, !irr && !isr,
			 "vector 0x%x still pending after re-enabling: IRR %u ISR %u", vectors[i],
			 irr, isr);
	}
}

void apic_self_ipi(struct ct *t)
{
	static const uint8_t vectors[] = { 0x40 };

	if (!irq_setup(t, vectors, 1))
		return;
	send_self_ipi(0x40);
	check_once(t, "fixed self-IPI", 0x40);
}

static uint64_t read_cr8(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

/*
 * SDM 11.8.3.1: with ISR empty PPR equals TPR, and a fixed interrupt is
 * delivered only if its priority class (vector[7:4]) is above PPR[7:4].  The
 * vector's class 5 is held by TPR 0x60 and, at the boundary, by TPR 0x50;
 * TPR 0x40 lets it through.  CR8 mirrors TPR[7:4] in 64-bit mode (11.8.6).
 */
void apic_tpr(struct ct *t)
{
	static const uint8_t vectors[] = { 0x52 };
	static const uint32_t holding[] = { 0x60, 0x50 };
	const uint8_t vec = 0x52;

	if (!irq_setup(t, vectors, 1))
		return;
	rt_apic_write(APIC_TPR, holding[0]);
	send_self_ipi(vec);
	for (unsigned int i = 0; i < 2; i++) {
		rt_apic_write(APIC_TPR, holding[i]);
		CT_EQ(t, "TPR read back", rt_apic_read(APIC_TPR) & 0xff, holding[i]);
		CT_EQ(t, "PPR with ISR empty (equals TPR)", rt_apic_read(APIC_PPR) & 0xff,
		      holding[i]);
		CT_EQ(t, "CR8 (TPR[7:4])", read_cr8(), holding[i] >> 4);
		ct_delay_irq_on(HOLD_US);
		ct_check(t, count[vec] == 0,
			 "vector 0x%x delivered with TPR 0x%x (class %u >= its class 5)", vec,
			 holding[i], holding[i] >> 4);
		ct_check(t, apic_vec_bit(APIC_IRR, vec),
			 "vector 0x%x held by TPR 0x%x is not pending in IRR", vec, holding[i]);
	}
	rt_apic_write(APIC_TPR, 0x40);
	check_once(t, "held vector after lowering TPR to 0x40", vec);
	rt_apic_write(APIC_TPR, 0);
}

static volatile uint32_t eoi_seen, isr_in_handler, isr_after_eoi, ppr_in_handler;

static void on_irq_eoi(uint8_t vector)
{
	isr_in_handler = apic_vec_bit(APIC_ISR, vector);
	ppr_in_handler = rt_apic_read(APIC_PPR);
	rt_apic_eoi();
	isr_after_eoi = apic_vec_bit(APIC_ISR, vector);
	eoi_seen++;
}

void apic_eoi(struct ct *t)
{
	const uint8_t vec = 0x5a;

	if (!irq_setup(t, NULL, 0))
		return;
	rt_irq_register(vec, on_irq_eoi);
	eoi_seen = 0;
	send_self_ipi(vec);
	ct_check(t, apic_vec_bit(APIC_IRR, vec) && !apic_vec_bit(APIC_ISR, vec),
		 "before delivery vector 0x%x should be in IRR, not ISR: IRR %u ISR %u", vec,
		 apic_vec_bit(APIC_IRR, vec), apic_vec_bit(APIC_ISR, vec));
	if (!ct_check(t, irq_wait_count(&eoi_seen, 1, DELIVERY_US),
		      "vector 0x%x not delivered within %u us", vec, DELIVERY_US))
		return;
	ct_check(t, isr_in_handler,
		 "ISR bit of vector 0x%x clear inside its handler (PPR there 0x%x)", vec,
		 ppr_in_handler);
	ct_check(t, !isr_after_eoi, "ISR bit of vector 0x%x still set after EOI", vec);
	ct_check(t, !apic_vec_bit(APIC_IRR, vec) && !apic_vec_bit(APIC_ISR, vec),
		 "after the handler vector 0x%x should be neither in IRR nor ISR: IRR %u ISR %u",
		 vec, apic_vec_bit(APIC_IRR, vec), apic_vec_bit(APIC_ISR, vec));
}

/* The low vector is sent first, so arrival order cannot be mistaken for priority. */
void apic_priority_order(struct ct *t)
{
	static const uint8_t vectors[] = { 0x41, 0x92 };
	const uint8_t low = 0x41, high = 0x92;

	if (!irq_setup(t, vectors, 2))
		return;
	send_self_ipi(low);
	send_self_ipi(high);
	ct_check(t, apic_vec_bit(APIC_IRR, low) && apic_vec_bit(APIC_IRR, high),
		 "both vectors should be pending before interrupts are enabled: "
		 "IRR 0x%x %u, 0x%x %u", low, apic_vec_bit(APIC_IRR, low), high,
		 apic_vec_bit(APIC_IRR, high));
	if (!ct_check(t, irq_wait_count(&nr_delivered, 2, DELIVERY_US),
		      "expected 2 interrupts within %u us, got %u", DELIVERY_US, nr_delivered))
		return;
	ct_check(t, order[0] == high && order[1] == low,
		 "delivery order: expected 0x%x then 0x%x, got 0x%x then 0x%x", high, low, order[0],
		 order[1]);
}

void apic_msi_host(struct ct *t)
{
	static const uint8_t vectors[] = { 0x71 };
	const uint8_t vec = 0x71;

	if (!ct_ctl_present()) {
		ct_skip(t, "no refvmm control device at port 0x%x: nothing here sends MSIs "
			"on request", CONFORM_CTL_ID);
		return;
	}
	if (!irq_setup(t, vectors, 1))
		return;
	if (!CT_EQ(t, "control device MSI command result (1 = sent)",
		   ct_ctl(CONFORM_CMD_MSI, vec | rt_apic_id() << 8), 1))
		return;
	check_once(t, "host MSI", vec);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + 0x10) = v;
}

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)IOAPIC_BASE = reg;
	return *(volatile uint32_t *)(IOAPIC_BASE + 0x10);
}

/*
 * Pin 10 to vector 0x63: fixed, physical destination (the boot CPU), edge,
 * active high.  The pc-testdev port drives the line low, high, low: one
 * rising edge, one interrupt.
 */
void apic_ioapic_line(struct ct *t)
{
	static const uint8_t vectors[] = { 0x63 };
	const uint8_t vec = 0x63;
	const unsigned int pin = 10;
	const uint32_t low = vec;
	uint32_t ver, high;

	if (!irq_setup(t, vectors, 1))
		return;
	high = rt_apic_id() << 24;
	ver = ioapic_read(IOAPIC_VERSION);
	if (!ct_check(t, ver != 0xffffffff && ((ver >> 16) & 0xff) >= pin,
		      "IOAPIC version register at 0x%lx reads 0x%x: expected an IOAPIC with "
		      "at least %u redirection entries", IOAPIC_BASE, ver, pin + 1))
		return;
	rt_outb(TESTDEV_PORT_IRQ + pin, 0);
	ioapic_write(IOAPIC_REDIR_HIGH(pin), high);
	ioapic_write(IOAPIC_REDIR_LOW(pin), low);
	CT_EQ(t, "redirection entry (low) read back",
	      ioapic_read(IOAPIC_REDIR_LOW(pin)) & ~IOAPIC_RO_BITS, low);
	CT_EQ(t, "redirection entry (high) read back",
	      ioapic_read(IOAPIC_REDIR_HIGH(pin)) & 0xff000000, high);
	rt_outb(TESTDEV_PORT_IRQ + pin, 1);
	rt_outb(TESTDEV_PORT_IRQ + pin, 0);
	check_once(t, "edge on IOAPIC pin 10", vec);
	ioapic_write(IOAPIC_REDIR_LOW(pin), IOAPIC_MASKED | low);
}

static void on_irq_x2apic(uint8_t vector)
{
	nr_delivered++;
	count[vector]++;
	rt_wrmsr(X2APIC_MSR_EOI, 0);
}

/*
 * Switching modes goes through the disabled state, the only legal way back
 * from x2APIC to xAPIC (SDM 11.12.5).  The test reads ID and version by
 * MMIO in xAPIC mode, then by MSR in x2APIC mode, and sends itself a
 * SELF_IPI, whose handler acknowledges by MSR whatever mode the runtime
 * chose (apic=xapic).  At the end it disables the APIC again and lets
 * rt_apic_enable restore the runtime's own mode.
 */
void apic_x2apic(struct ct *t)
{
	const uint8_t vec = 0x64;
	struct rt_cpuid leaf1 = rt_cpuid(1, 0);
	uint32_t xapic_id, xapic_version, id, version;
	uint64_t base;
	volatile uint32_t *mmio;

	if (!(leaf1.ecx & (1u << 21))) {
		ct_skip(t, "no x2APIC (CPUID.1:ECX[21] clear)");
		return;
	}
	if (!irq_setup(t, NULL, 0))
		return;
	rt_irq_register(vec, on_irq_x2apic);
	base = rt_rdmsr(MSR_APIC_BASE) & ~(APIC_BASE_EN | APIC_BASE_EXTD);
	mmio = (volatile uint32_t *)(uintptr_t)(base & 0xfffff000ull);

	rt_wrmsr(MSR_APIC_BASE, base);
	rt_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN);
	xapic_id = mmio[APIC_ID / 4] >> 24;
	xapic_version = mmio[APIC_VERSION / 4];

	rt_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
	rt_wrmsr(X2APIC_MSR_SVR, APIC_SVR_RUNTIME);
	id = rt_rdmsr(X2APIC_MSR_ID);
	version = rt_rdmsr(X2APIC_MSR_VERSION);
	CT_EQ(t, "x2APIC ID (MSR 0x802) against the xAPIC ID register", id, xapic_id);
	CT_EQ(t, "x2APIC ID against the initial APIC ID, CPUID.1:EBX[31:24]", id, leaf1.ebx >> 24);
	if (rt_cpuid(0, 0).eax >= 0xb && rt_cpuid(0xb, 0).ebx)
		CT_EQ(t, "x2APIC ID against CPUID 0xb EDX (32-bit x2APIC ID)", id,
		      rt_cpuid(0xb, 0).edx);
	CT_EQ(t, "x2APIC version (MSR 0x803) against the xAPIC version register", version,
	      xapic_version);
	rt_wrmsr(X2APIC_MSR_SELF_IPI, vec);
	check_once(t, "SELF_IPI MSR write", vec);

	rt_wrmsr(MSR_APIC_BASE, base);
	rt_apic_enable();
}
