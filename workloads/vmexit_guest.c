/* SPDX-License-Identifier: MIT */
/*
 * vmexit family, guest half: one instruction or access per exit reason.
 * Each op() runs its instruction n times in a dec/jnz loop (LOOP_TAIL);
 * the framework subtracts that loop, so a figure is the round trip through
 * the hypervisor for that reason alone.
 */
#include "guest.h"

#define MSR_SYSENTER_CS 0x174	/* plain state KVM keeps in the kernel */
#define MSR_SYSENTER_ESP 0x175	/* refvmm filters its reads to userspace */
#define CR4_OSXSAVE (1ull << 18)
#define CPUID_1_ECX_XSAVE (1u << 26)
#define VEC_UD 6
#define PAGE_SIZE 4096ull
#define TOUCH_GAP (2ull << 20)	/* keep clear of the image and its stacks */

static void op_cpuid(uint64_t n)
{
	__asm__ volatile("1: xor %%eax, %%eax; xor %%ecx, %%ecx; cpuid" LOOP_TAIL
			 : [n] "+r"(n) : : "eax", "ebx", "ecx", "edx");
}

/* Leaf 0 is loaded every iteration (cpuid overwrites it): part of the frame. */
static void frame_cpuid(uint64_t n)
{
	__asm__ volatile("1: xor %%eax, %%eax; xor %%ecx, %%ecx" LOOP_TAIL
			 : [n] "+r"(n) : : "eax", "ecx");
}

static void op_rdtsc(uint64_t n)
{
	__asm__ volatile("1: rdtsc" LOOP_TAIL : [n] "+r"(n) : : "eax", "edx");
}

static int setup_rdtscp(struct bench_ctx *ctx)
{
	return rt_have_rdtscp ? 0 : BENCH_SETUP_FAIL(ctx, "the CPU offers no rdtscp");
}

static void op_rdtscp(uint64_t n)
{
	__asm__ volatile("1: rdtscp" LOOP_TAIL : [n] "+r"(n) : : "eax", "ecx", "edx");
}

static void op_pause(uint64_t n)
{
	__asm__ volatile("1: pause" LOOP_TAIL : [n] "+r"(n));
}

static bool ud_skip(uint8_t vector, uint64_t *rip)
{
	(void)vector;
	*rip += 2; /* ud2 is two bytes */
	return true;
}

static int setup_ud(struct bench_ctx *ctx)
{
	(void)ctx;
	rt_fault_register(VEC_UD, ud_skip);
	return 0;
}

/* ud_skip resumes after the two-byte ud2, at the loop's dec. */
static void op_ud(uint64_t n)
{
	__asm__ volatile("1: ud2" LOOP_TAIL : [n] "+r"(n) : : "memory");
}

static volatile uint8_t *touch_next;

static int setup_touch(struct bench_ctx *ctx)
{
	uint64_t start = ((uint64_t)(uintptr_t)rt_image_end + TOUCH_GAP) & ~(TOUCH_GAP - 1);
	uint64_t top = rt_ram_bytes();

	if (top <= start + PAGE_SIZE)
		return BENCH_SETUP_FAIL(ctx, "no free guest RAM above the payload");
	touch_next = (volatile uint8_t *)(uintptr_t)start;
	ctx->max_ops = (top - start) / PAGE_SIZE;
	return 0;
}

static void op_touch(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		*touch_next = 1;
		touch_next += PAGE_SIZE;
	}
}

static void op_rdmsr_kernel(uint64_t n)
{
	__asm__ volatile("1: rdmsr" LOOP_TAIL : [n] "+r"(n) : "c"(MSR_SYSENTER_CS) : "eax", "edx");
}

static void op_wrmsr_kernel(uint64_t n)
{
	__asm__ volatile("1: wrmsr" LOOP_TAIL : [n] "+r"(n) : "c"(MSR_SYSENTER_CS), "a"(0), "d"(0));
}

static void op_rdmsr_user(uint64_t n)
{
	__asm__ volatile("1: rdmsr" LOOP_TAIL : [n] "+r"(n) : "c"(MSR_SYSENTER_ESP) : "eax", "edx");
}

static void op_pio_user(uint64_t n)
{
	__asm__ volatile("1: outb %%al, %%dx" LOOP_TAIL : [n] "+r"(n) : "a"(0), "d"(PORT_HVB_NULL));
}

static void op_pio_kernel(uint64_t n)
{
	__asm__ volatile("1: outl %%eax, %%dx" LOOP_TAIL
			 : [n] "+r"(n) : "a"(0), "d"(PORT_HVB_EVENTFD));
}

static void mmio_store(uint64_t n, uint64_t gpa)
{
	__asm__ volatile("1: movl %%eax, (%[reg])" LOOP_TAIL
			 : [n] "+r"(n) : "a"(0), [reg] "r"(gpa) : "memory");
}

static void op_mmio_user(uint64_t n)
{
	mmio_store(n, HVB_MMIO_NULL_GPA);
}

static void op_mmio_kernel(uint64_t n)
{
	mmio_store(n, HVB_MMIO_EVENTFD_GPA);
}

static void op_cr8(uint64_t n)
{
	__asm__ volatile("1: mov %[zero], %%cr8" LOOP_TAIL : [n] "+r"(n) : [zero] "r"(0ull));
}

static uint32_t xcr0_lo, xcr0_hi;

static int setup_xsetbv(struct bench_ctx *ctx)
{
	uint64_t cr4;

	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE))
		return BENCH_SETUP_FAIL(ctx, "the CPU offers no XSAVE");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" : : "r"(cr4 | CR4_OSXSAVE));
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return 0;
}

static void op_xsetbv(uint64_t n)
{
	__asm__ volatile("1: xsetbv" LOOP_TAIL : [n] "+r"(n) : "a"(xcr0_lo), "d"(xcr0_hi), "c"(0));
}

const struct guest_workload gw_cpuid = {
	.op = op_cpuid, .frame = frame_cpuid,
};
GUEST_LOOP_HALF(gw_rdtsc, NULL, op_rdtsc);
GUEST_LOOP_HALF(gw_rdtscp, setup_rdtscp, op_rdtscp);
GUEST_LOOP_HALF(gw_pause, NULL, op_pause);
GUEST_LOOP_HALF(gw_exception_ud, setup_ud, op_ud);
GUEST_HALF(gw_page_touch, setup_touch, op_touch);
GUEST_LOOP_HALF(gw_rdmsr_kernel, NULL, op_rdmsr_kernel);
GUEST_LOOP_HALF(gw_wrmsr_kernel, NULL, op_wrmsr_kernel);
GUEST_LOOP_HALF(gw_rdmsr_user, NULL, op_rdmsr_user);
GUEST_LOOP_HALF(gw_pio_user, NULL, op_pio_user);
GUEST_LOOP_HALF(gw_pio_kernel, NULL, op_pio_kernel);
GUEST_LOOP_HALF(gw_mmio_user, NULL, op_mmio_user);
GUEST_LOOP_HALF(gw_mmio_kernel, NULL, op_mmio_kernel);
GUEST_LOOP_HALF(gw_cr8, NULL, op_cr8);
GUEST_LOOP_HALF(gw_xsetbv, setup_xsetbv, op_xsetbv);
