/* SPDX-License-Identifier: MIT */
/* Runtime-internal interfaces between the files of guest-payloads/rt. */
#ifndef RT_INTERNAL_H
#define RT_INTERNAL_H

#include "rt.h"

/* Saved callee-saved state for rt_setjmp/rt_longjmp (see context.S). */
struct rt_jmpbuf {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};

int rt_setjmp(struct rt_jmpbuf *jb) __attribute__((returns_twice));
__attribute__((noreturn)) void rt_longjmp(struct rt_jmpbuf *jb, int val);

/* Register frame pushed by the interrupt stubs in isr.S. */
struct rt_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

void rt_console_init(void);
void rt_cpu_init(void);
void rt_cpu_init_ap(void);
void rt_cmdline_init(const char *src, uint64_t max_len);
void rt_idt_set(uint8_t vector, void *handler, uint8_t dpl, uint8_t ist);
void rt_interrupt(struct rt_frame *f);
bool rt_user_return(struct rt_frame *f);
extern void *rt_isr_table[256];

/* A range of guest-physical memory the identity map covers. */
static inline bool rt_phys_ok(uint64_t addr, uint64_t len)
{
	return addr < (4ull << 30) && len <= (4ull << 30) - addr;
}

#endif
