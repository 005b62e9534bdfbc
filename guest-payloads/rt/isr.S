/* SPDX-License-Identifier: MIT */
/*
 * One entry stub per vector.  Each pushes a zero where the CPU pushes no
 * error code, then the vector number, so every frame has one layout
 * (struct rt_frame); the common path saves the registers and calls C.
 */
	.text

/*
 * Stubs are 16 bytes apart, so the table below can be computed; the block
 * is page-aligned so all 256 share the upper bits of their address (the IDT
 * set-up relies on it).
 */
	.balign 4096
	.globl rt_isr_base
rt_isr_base:
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call rt_interrupt
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl rt_isr_table
rt_isr_table:
	.set vec, 0
	.rept 256
	.quad rt_isr_base + vec * 16
	.set vec, vec + 1
	.endr

	.section .note.GNU-stack, "", @progbits
