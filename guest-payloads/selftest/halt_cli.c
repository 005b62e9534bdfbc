/* SPDX-License-Identifier: MIT */
/*
 * halt_cli: halts with interrupts off.  With an in-kernel irqchip the hlt
 * never reaches the VMM, and nothing can wake the vCPU.
 */
#include "rt.h"

int guest_main(void)
{
	rt_printf("halting with interrupts off\n");
	for (;;)
		__asm__ volatile("cli; hlt" : : : "memory");
}
