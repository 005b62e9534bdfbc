/* SPDX-License-Identifier: MIT */
/*
 * Local APIC: x2APIC (MSRs) when CPUID offers it, else xAPIC (MMIO at the
 * address IA32_APIC_BASE names).  "apic=xapic" on the command line forces
 * xAPIC, so the two access paths can be compared.
 */
#include "internal.h"
#include "layout.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_ADDR_MASK 0xfffff000ull

#define APIC_REG_ID 0x20
#define APIC_REG_TPR 0x80
#define APIC_REG_EOI 0xb0
#define APIC_REG_SVR 0xf0
#define APIC_REG_ICR 0x300
#define APIC_REG_ICR_HIGH 0x310
#define APIC_SVR_ENABLE 0x100

#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))

#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_IMR 0xa1

static bool x2apic;
static volatile uint32_t *xapic;

bool rt_apic_present(void)
{
	return rt_cpuid(1, 0).edx & (1u << 9);
}

bool rt_apic_is_x2apic(void)
{
	return x2apic;
}

void rt_apic_write(uint32_t reg, uint32_t v)
{
	if (x2apic)
		rt_wrmsr(X2APIC_MSR(reg), v);
	else
		xapic[reg / 4] = v;
}

uint32_t rt_apic_read(uint32_t reg)
{
	return x2apic ? (uint32_t)rt_rdmsr(X2APIC_MSR(reg)) : xapic[reg / 4];
}

bool rt_apic_enable(void)
{
	const char *mode = rt_cmdline_get("apic");
	uint64_t base;

	if (!rt_apic_present())
		return false;
	x2apic = (rt_cpuid(1, 0).ecx & (1u << 21)) && !(mode && !strcmp(mode, "xapic"));
	base = rt_rdmsr(MSR_APIC_BASE);
	xapic = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
	base |= APIC_BASE_EN;
	rt_wrmsr(MSR_APIC_BASE, base);
	if (x2apic)
		rt_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	rt_apic_write(APIC_REG_TPR, 0);
	rt_apic_write(APIC_REG_SVR, APIC_SVR_ENABLE | RT_VEC_SPURIOUS);
	/*
	 * Interrupts now come through the APIC: mask the legacy 8259s, whose
	 * output (through LINT0, ExtINT on the boot CPU) would otherwise deliver
	 * every ISA line a second time, at an unprogrammed vector.
	 */
	rt_outb(PIC_MASTER_IMR, 0xff);
	rt_outb(PIC_SLAVE_IMR, 0xff);
	return true;
}

uint32_t rt_apic_id(void)
{
	uint32_t id = rt_apic_read(APIC_REG_ID);

	return x2apic ? id : id >> 24;
}

void rt_apic_eoi(void)
{
	rt_apic_write(APIC_REG_EOI, 0);
}

/*
 * x2APIC takes the whole ICR in one MSR write; xAPIC needs the destination
 * in ICR high first, and the write of ICR low sends.
 */
void rt_apic_icr(uint32_t dest, uint32_t low)
{
	if (x2apic) {
		rt_wrmsr(X2APIC_MSR(APIC_REG_ICR), ((uint64_t)dest << 32) | low);
		return;
	}
	rt_apic_write(APIC_REG_ICR_HIGH, dest << 24);
	rt_apic_write(APIC_REG_ICR, low);
}

void rt_apic_ipi(uint32_t dest, uint8_t vector)
{
	rt_apic_icr(dest, vector);
}
