/* SPDX-License-Identifier: MIT */
/*
 * Descriptor tables: the TSS (kernel stack for traps from CPL3, a separate
 * stack for double faults) and the IDT.  The GDT itself is static, in
 * pvh_entry.S; only its TSS descriptor is filled in here, because the
 * assembler cannot split a relocated address into descriptor fields.
 */
#include "internal.h"
#include "layout.h"

#include <stddef.h>

#define IST_DOUBLE_FAULT 1

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
	/*
	 * I/O permission bitmap, one bit per port, set = CPL3 access faults,
	 * and the all-ones byte the CPU may read past the last port.  Only
	 * hvbench's own ports (RT_USER_PORTS_*) are open to CPL3: some
	 * hypervisors (PVM) ignore IOPL for CPL3 but honour the bitmap.
	 */
	uint8_t iomap[65536 / 8 + 1];
} __attribute__((packed));

struct idt_entry {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

struct table_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern uint64_t rt_gdt[];

static struct tss tss;
static struct idt_entry idt[256] __attribute__((aligned(16)));
static uint8_t trap_stack[RT_STACK_SIZE] __attribute__((aligned(16)));
static uint8_t df_stack[RT_STACK_SIZE] __attribute__((aligned(16)));

void rt_idt_set(uint8_t vector, void *handler, uint8_t dpl, uint8_t ist)
{
	uint64_t a = (uintptr_t)handler;

	idt[vector] = (struct idt_entry){
		.offset_lo = a & 0xffff,
		.selector = RT_KERNEL_CS,
		.ist = ist,
		.type_attr = 0x80 | (dpl << 5) | 0xe, /* present, 64-bit interrupt gate */
		.offset_mid = (a >> 16) & 0xffff,
		.offset_hi = a >> 32,
	};
}

static void tss_install(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;

	tss.rsp[0] = (uintptr_t)(trap_stack + sizeof(trap_stack));
	tss.ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)(df_stack + sizeof(df_stack));
	tss.iomap_base = offsetof(struct tss, iomap);
	memset(tss.iomap, 0xff, sizeof(tss.iomap));
	for (unsigned int port = RT_USER_PORTS_FIRST; port <= RT_USER_PORTS_LAST; port++)
		tss.iomap[port / 8] &= ~(1u << (port % 8));
	rt_gdt[RT_TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
				 (0x89ull << 40) /* present, available 64-bit TSS */ |
				 ((limit >> 16) << 48) | (((base >> 24) & 0xff) << 56);
	rt_gdt[RT_TSS_SEL / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"(RT_TSS_SEL));
}

/*
 * The exception vectors' gates differ only in the low 16 bits of the
 * handler address (stubs 16 bytes apart in one aligned page), so they are
 * made by stepping one template: the fewest instructions at boot, where each
 * may be emulated.
 */
static void idt_exceptions_init(void)
{
	struct idt_entry gate;
	uint64_t words[2];

	rt_idt_set(0, rt_isr_table[0], 0, 0);
	gate = idt[0];
	__builtin_memcpy(words, &gate, sizeof(words));
	for (int v = 1; v < 32; v++) {
		words[0] += 16;
		__builtin_memcpy(&idt[v], words, sizeof(words));
	}
	idt[8].ist = IST_DOUBLE_FAULT;
}

bool rt_have_rdtscp;

static void idt_load(void)
{
	struct table_desc idtr = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* An application processor shares the boot CPU's tables (smp.c). */
void rt_cpu_init_ap(void)
{
	idt_load();
}

void rt_cpu_init(void)
{
	tss_install();
	idt_exceptions_init();
	idt_load();
	rt_have_rdtscp = rt_cpuid(0x80000000, 0).eax >= 0x80000001 &&
			 (rt_cpuid(0x80000001, 0).edx & (1u << 27));
}
