/* SPDX-License-Identifier: MIT */
/*
 * PVH entry: the loader enters at pvh_start32 in 32-bit protected mode,
 * paging off, with EBX holding the physical address of hvm_start_info.
 *
 * The page tables are built by the assembler, not by a loop at run time:
 * on hosts where guest CPL0 code is emulated instruction by instruction
 * (a PVM backend costs ~0.5 us per instruction), filling 2048 page table
 * entries would cost milliseconds of every boot.  They identity-map the
 * first 4 GiB with 2 MiB pages, user-accessible so code run at CPL3 can use
 * the same mappings; the top GiB (LAPIC, IOAPIC, MMIO) is uncached.
 */
#include "layout.h"

#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_US 0x4
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80

#define CR0_PE 0x1
#define CR0_WP 0x10000
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100

/* From 32-bit protected mode: the runtime's page tables, PAE, EFER.LME, paging. */
.macro long_mode_enable
	mov $pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
.endm

/* In 64-bit mode: flat kernel data segments, null FS and GS. */
.macro data_segments_load
	mov $RT_KERNEL_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
.endm

	.pushsection .note.Xen, "a", @note
	.balign 4
	.long 4			/* namesz: "Xen\0" */
	.long 4			/* descsz: 32-bit entry address */
	.long 18		/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.balign 4
	.long pvh_start32
	.balign 4
	.popsection

	.section .text.entry, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	cld
	mov %ebx, %esi			/* keep start_info for rt_start */
	lgdt boot_gdt_desc
	long_mode_enable
	ljmp $RT_KERNEL_CS, $long_entry

	.code64
long_entry:
	data_segments_load
	lea rt_boot_stack_top(%rip), %rsp
	mov %esi, %edi
	call rt_start
1:	cli
	hlt
	jmp 1b

/*
 * Application processors: the INIT-SIPI-SIPI sequence starts one in real
 * mode at the trampoline, which rt_smp.c copies below 1 MiB.  It loads the
 * runtime's GDT, enters protected mode through the 32-bit kernel code
 * segment, and joins the path the boot CPU took: same page tables, long
 * mode, then rt_ap_main on the stack the boot CPU left in rt_ap_stack_top.
 */
	.section .rodata
	.code16
	.globl rt_ap_tramp_start, rt_ap_tramp_end
rt_ap_tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl tramp_gdt_desc - rt_ap_tramp_start
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $RT_KERNEL_CS32, $ap_start32
	.balign 8
tramp_gdt_desc:
	.word rt_gdt_end - rt_gdt - 1
	.long rt_gdt
rt_ap_tramp_end:

	.text
	.code32
ap_start32:
	mov $RT_KERNEL_DS, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	long_mode_enable
	ljmp $RT_KERNEL_CS, $ap_long_entry

	.code64
ap_long_entry:
	data_segments_load
	mov rt_ap_stack_top(%rip), %rsp
	call rt_ap_main
1:	cli
	hlt
	jmp 1b

	.data
	.balign 16
	.globl rt_gdt
rt_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x10 kernel data */
	.quad 0x00cffa000000ffff	/* 0x18 user code, 32-bit (unused) */
	.quad 0x00cff2000000ffff	/* 0x20 user data */
	.quad 0x00affa000000ffff	/* 0x28 user code, 64-bit */
	.quad 0, 0			/* 0x30 TSS, filled by rt_cpu_init */
	.quad 0x00cf9a000000ffff	/* 0x40 kernel code, 32-bit (AP start) */
rt_gdt_end:

	.balign 8
boot_gdt_desc:
	.word rt_gdt_end - rt_gdt - 1
	.quad rt_gdt

/* One 2 MiB-page directory per GiB. */
.macro pd_gib gib, flags
	.set pd_n, 0
	.rept 512
	.quad ((\gib << 30) + (pd_n << 21)) | \flags
	.set pd_n, pd_n + 1
	.endr
.endm

	.balign 4096
pml4:
	.quad pdpt + (PTE_P | PTE_RW | PTE_US)
	.fill 511, 8, 0
pdpt:
	.quad pd0 + (PTE_P | PTE_RW | PTE_US)
	.quad pd1 + (PTE_P | PTE_RW | PTE_US)
	.quad pd2 + (PTE_P | PTE_RW | PTE_US)
	.quad pd3 + (PTE_P | PTE_RW | PTE_US)
	.fill 508, 8, 0
pd0:	pd_gib 0, (PTE_P | PTE_RW | PTE_US | PTE_PS)
pd1:	pd_gib 1, (PTE_P | PTE_RW | PTE_US | PTE_PS)
pd2:	pd_gib 2, (PTE_P | PTE_RW | PTE_US | PTE_PS)
pd3:	pd_gib 3, (PTE_P | PTE_RW | PTE_US | PTE_PS | PTE_PCD | PTE_PWT)

	.bss
	.balign 16
	.globl rt_boot_stack_top
	.skip RT_STACK_SIZE
rt_boot_stack_top:

	.section .note.GNU-stack, "", @progbits
