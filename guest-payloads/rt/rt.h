/* SPDX-License-Identifier: MIT */
/*
 * The hvbench guest runtime: what a freestanding payload may call.
 *
 * A payload defines guest_main(); the runtime boots it (PVH entry, long
 * mode, GDT/TSS/IDT, serial), passes the kernel command line, and ends the
 * run with guest_main's return value as the debug-exit status.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvbench/ports.h"

int guest_main(void);

/*
 * Console: refvmm's paravirtual console when present (one exit per line),
 * else COM1; "console=serial" on the command line forces COM1.  Output is
 * buffered and sent when a write ends a line.
 */
void rt_write(const char *s, size_t n);
int rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rt_flush(void);

/* End the run: flush the console and write status to the debug-exit port. */
__attribute__((noreturn)) void rt_exit(int status);

/* Kernel command line ("key=value key2 ..."), as the loader passed it. */
const char *rt_cmdline(void);
/* Value of key (NUL-terminated copy in a static slot), or NULL if absent. */
const char *rt_cmdline_get(const char *key);
uint64_t rt_cmdline_u64(const char *key, uint64_t fallback);

/* Guest RAM as the loader's memory map describes it. */
uint64_t rt_ram_bytes(void);

/* The end of the payload image (its .bss), page-aligned: RAM above is free. */
extern char rt_image_end[];

/* Port I/O. */
static inline void rt_outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void rt_outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t rt_inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint8_t rt_inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* MSRs. */
static inline uint64_t rt_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void rt_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* CPUID. */
struct rt_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct rt_cpuid rt_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct rt_cpuid r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

/*
 * Time stamp counter, fenced so the read is ordered against the code being
 * timed: lfence before rdtsc keeps earlier instructions from drifting past
 * the read (the start of a measured region); rdtscp waits for earlier
 * instructions to finish and the lfence after it keeps later ones from
 * starting early (the end of a region).  CPUs without rdtscp (QEMU's
 * default TCG model) get mfence; rdtsc instead.
 */
static inline uint64_t rt_rdtsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

extern bool rt_have_rdtscp; /* CPUID.80000001H:EDX[27], set at boot */

static inline uint64_t rt_rdtsc_end(void)
{
	uint32_t lo, hi, aux;

	if (rt_have_rdtscp)
		__asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux) : : "memory");
	else
		__asm__ volatile("mfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Hypervisor detection (CPUID.1:ECX[31] and leaf 0x40000000). */
struct rt_hypervisor {
	bool present;		/* CPUID hypervisor bit */
	uint32_t max_leaf;	/* EAX of leaf 0x40000000 */
	char signature[13];	/* EBX, ECX, EDX as text, NUL-terminated */
};

void rt_hypervisor_detect(struct rt_hypervisor *hv);

/* Exceptions. */
struct rt_exception {
	bool raised;
	uint8_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;
	uint8_t cpl;		/* privilege level the exception came from */
};

typedef uint64_t (*rt_fn)(void *arg);

/*
 * Run fn(arg); if it raises a CPU exception, stop it there and describe the
 * exception in *ex instead of crashing the payload. Returns fn's result, or
 * 0 when an exception was caught. Calls may not nest.
 */
uint64_t rt_catch(rt_fn fn, void *arg, struct rt_exception *ex);

/* Run fn(arg) at CPL3 on a user stack and return its result at CPL0. */
uint64_t rt_run_user(rt_fn fn, void *arg);

/*
 * CPL3 code may use ports 0x540-0x5ff (hvbench's devices) through the TSS
 * I/O bitmap; any other port raises #GP.
 */

const char *rt_exception_name(uint8_t vector);

/*
 * A handler for one exception vector, called before the default report:
 * it may move *rip past the faulting instruction and return true to resume
 * there.  For measuring exception round trips; NULL removes it.
 */
typedef bool (*rt_fault_fn)(uint8_t vector, uint64_t *rip);
void rt_fault_register(uint8_t vector, rt_fault_fn fn);

/* Interrupts: handlers run at CPL0 with interrupts off. */
typedef void (*rt_irq_handler)(uint8_t vector);
void rt_irq_register(uint8_t vector, rt_irq_handler fn);

static inline void rt_irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* Enable interrupts and halt until one arrives, with no lost-wakeup window. */
static inline void rt_irq_wait(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

/* Local APIC: x2APIC when the CPU offers it, else xAPIC MMIO. */
bool rt_apic_present(void);
bool rt_apic_enable(void);
bool rt_apic_is_x2apic(void);
uint32_t rt_apic_id(void);
void rt_apic_eoi(void);
/* APIC register access by xAPIC offset (0x20 ID, 0x300 ICR, 0x320 LVT timer, ...). */
void rt_apic_write(uint32_t reg, uint32_t v);
uint32_t rt_apic_read(uint32_t reg);
/* Send a fixed IPI with vector to the CPU with APIC ID dest (x2APIC: one MSR write). */
void rt_apic_ipi(uint32_t dest, uint8_t vector);
/* Write the ICR: delivery mode, level and vector in low, to APIC ID dest. */
void rt_apic_icr(uint32_t dest, uint32_t low);

/*
 * Start the application processor with APIC ID apic_id (INIT, SIPI, SIPI)
 * running fn(arg) at CPL0 with its local APIC enabled; true once it runs.
 * If fn returns, the AP halts with interrupts off.
 */
bool rt_smp_start(uint32_t apic_id, void (*fn)(void *), void *arg);

/* freestanding string functions the compiler may also call */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
