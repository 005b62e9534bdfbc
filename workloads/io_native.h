/* SPDX-License-Identifier: MIT */
/* io family, native baseline (see io_native.c). */
#ifndef IO_NATIVE_H
#define IO_NATIVE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Requests of len bytes in waves of qd through the ring between this thread
 * and a polling device thread (pinned to device_cpu unless < 0), for about
 * target_ms.  samples[] gets ns per request of each batch (*batch_out
 * requests); *errors counts bad completions.  0, or -1 on bad arguments.
 */
int io_native_measure(uint32_t qd, uint32_t len, int device_cpu, double target_ms,
		      double *samples, size_t cap, size_t *nr, uint64_t *batch_out,
		      uint64_t *errors);

#endif
