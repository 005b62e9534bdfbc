/* SPDX-License-Identifier: MIT */
/* spin_cli: loops forever with interrupts off. Only a watchdog ends it. */
#include "rt.h"

int guest_main(void)
{
	rt_irq_disable();
	rt_printf("spinning with interrupts off\n");
	for (;;)
		__asm__ volatile("" : : : "memory");
}
