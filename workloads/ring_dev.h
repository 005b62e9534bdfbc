/* SPDX-License-Identifier: MIT */
/*
 * The io workloads' device: takes requests off a struct hvb_ring and
 * completes them.  The same code serves the guest in every mode (on the
 * vCPU thread or a device thread) and the native baseline, so the work
 * per request is identical and only the path to it differs.
 */
#ifndef RING_DEV_H
#define RING_DEV_H

#include <stdint.h>

#include "hvbench/ring.h"

/* Host pointer for [addr, addr + len) of the driver's memory, or NULL. */
typedef void *(*ring_dev_translate_fn)(void *ctx, uint64_t addr, uint64_t len);

struct ring_dev {
	ring_dev_translate_fn translate;
	void *ctx;
	uint8_t store[2 * HVB_RING_MAX_LEN];	/* where written data goes (ring_dev.c) */
	uint64_t requests, errors;
};

/* One request; returns its status. */
uint32_t ring_dev_do(struct ring_dev *d, uint64_t addr, uint32_t len, uint32_t op);

/* Complete every posted request there is room for; returns how many. */
uint32_t ring_dev_process(struct ring_dev *d, struct hvb_ring *ring);

#endif
