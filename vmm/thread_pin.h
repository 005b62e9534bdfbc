/* SPDX-License-Identifier: MIT */
/* Pinning a thread to one host CPU: for vCPU threads and whoever else measures. */
#ifndef THREAD_PIN_H
#define THREAD_PIN_H

#include <pthread.h>

/* Pin thread to OS CPU cpu (no-op for cpu < 0).  0 or -errno. */
int thread_pin(pthread_t thread, int cpu);

#endif
