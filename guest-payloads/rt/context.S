/* SPDX-License-Identifier: MIT */
/*
 * Saving and resuming a CPL0 context, and dropping to CPL3.
 *
 * rt_longjmp is how both an exception caught by rt_catch and the return
 * from user mode get back to the code that started them: the interrupt
 * frame on the trap stack is simply abandoned.  RFLAGS is restored too, so
 * the interrupt flag is what it was at rt_setjmp.
 */
#include "layout.h"

	.text
	.globl rt_setjmp
rt_setjmp:
	mov %rbx, 0(%rdi)
	mov %rbp, 8(%rdi)
	mov %r12, 16(%rdi)
	mov %r13, 24(%rdi)
	mov %r14, 32(%rdi)
	mov %r15, 40(%rdi)
	lea 8(%rsp), %rax
	mov %rax, 48(%rdi)
	mov (%rsp), %rax
	mov %rax, 56(%rdi)
	pushfq
	pop %rax
	mov %rax, 64(%rdi)
	xor %eax, %eax
	ret

	.globl rt_longjmp
rt_longjmp:
	mov 0(%rdi), %rbx
	mov 8(%rdi), %rbp
	mov 16(%rdi), %r12
	mov 24(%rdi), %r13
	mov 32(%rdi), %r14
	mov 40(%rdi), %r15
	mov 48(%rdi), %rsp
	push 64(%rdi)
	popfq
	mov %esi, %eax
	jmp *56(%rdi)

/* rt_enter_user(fn, arg, user_stack_top): iretq to CPL3, call fn(arg) there. */
	.globl rt_enter_user
rt_enter_user:
	pushq $RT_USER_DS
	pushq %rdx
	pushfq
	pushq $RT_USER_CS
	lea user_trampoline(%rip), %rax
	pushq %rax
	iretq

/*
 * The way back to CPL0 is a #UD at rt_user_return_insn, not `int $n`:
 * software interrupts through a DPL3 gate raise #UD on some hypervisors
 * (PVM), while a CPU-raised fault is delivered everywhere.
 */
user_trampoline:
	mov %rdi, %rax
	mov %rsi, %rdi
	call *%rax
	mov %rax, %rdi
	.globl rt_user_return_insn
rt_user_return_insn:
	ud2

	.section .note.GNU-stack, "", @progbits
