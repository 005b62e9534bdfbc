/* SPDX-License-Identifier: MIT */
/*
 * Segment selectors and fixed layout of the guest runtime, shared by its
 * assembly and C halves.
 */
#ifndef RT_LAYOUT_H
#define RT_LAYOUT_H

#define RT_KERNEL_CS 0x08
#define RT_KERNEL_DS 0x10
#define RT_USER_DS 0x23 /* GDT index 4, RPL 3 */
#define RT_USER_CS 0x2b /* GDT index 5, RPL 3 */
#define RT_TSS_SEL 0x30
#define RT_KERNEL_CS32 0x40 /* protected-mode code, for application processors */

/* Where the AP trampoline is copied: below 1 MiB, page-aligned, free RAM. */
#define RT_AP_TRAMPOLINE 0x8000

#define RT_VEC_UD 6
#define RT_VEC_SPURIOUS 0xff

#define RT_STACK_SIZE 16384

/* Ports CPL3 code may use (the I/O bitmap): hvbench's devices, not the PIC or UART. */
#define RT_USER_PORTS_FIRST 0x540
#define RT_USER_PORTS_LAST 0x5ff

#endif
