/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sched.h>

#include "thread_pin.h"

int thread_pin(pthread_t thread, int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	if (cpu >= CPU_SETSIZE)
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* pthread_setaffinity_np returns the error number rather than setting errno */
	return -pthread_setaffinity_np(thread, sizeof(set), &set);
}
