/* SPDX-License-Identifier: MIT */
/*
 * Everything in the ring is written by the driver and may be garbage: each
 * index and request is read once into a local copy, then checked, so the
 * driver cannot change a value between its check and its use.
 */
#include <string.h>

#include "ring_dev.h"

/*
 * The data store starts half a page past a page boundary.  A copy whose
 * source and destination sit a few bytes apart modulo 4 KiB runs at a
 * fraction of its speed on some CPUs (4K aliasing: 2.5x slower for 4 KiB
 * requests here); the drivers' buffers are page-aligned, so without this
 * where the allocator happened to put the device would decide the figures.
 */
static uint8_t *store_base(struct ring_dev *d)
{
	uintptr_t off = (HVB_RING_MAX_LEN / 2 + HVB_RING_MAX_LEN -
			 (uintptr_t)d->store % HVB_RING_MAX_LEN) % HVB_RING_MAX_LEN;

	return d->store + off;
}

uint32_t ring_dev_do(struct ring_dev *d, uint64_t addr, uint32_t len, uint32_t op)
{
	uint8_t *buf;

	d->requests++;
	if (len == 0 || len > HVB_RING_MAX_LEN ||
	    (op != HVB_RING_OP_WRITE && op != HVB_RING_OP_READ) ||
	    !(buf = d->translate(d->ctx, addr, len))) {
		d->errors++;
		return HVB_RING_EINVAL;
	}
	if (op == HVB_RING_OP_WRITE)
		memcpy(store_base(d), buf, len);
	else
		memcpy(buf, store_base(d), len);
	return HVB_RING_OK;
}

uint32_t ring_dev_process(struct ring_dev *d, struct hvb_ring *ring)
{
	uint32_t head = ring->sq_head, tail = ring->sq_tail;
	uint32_t cq_tail = ring->cq_tail, cq_head = ring->cq_head;
	uint32_t done = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE); /* requests after the index */
	if (tail - head > HVB_RING_ENTRIES || cq_tail - cq_head > HVB_RING_ENTRIES) {
		/* A corrupt index: drop what cannot be trusted, complete nothing. */
		d->errors++;
		ring->sq_head = tail;
		return 0;
	}
	for (; head != tail && cq_tail - cq_head < HVB_RING_ENTRIES; head++, cq_tail++, done++) {
		struct hvb_ring_req req = ring->sq[head % HVB_RING_ENTRIES];
		struct hvb_ring_cpl *c = &ring->cq[cq_tail % HVB_RING_ENTRIES];

		c->id = req.id;
		c->len = req.len;
		c->status = ring_dev_do(d, req.addr, req.len, req.op);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE); /* completions before the index */
	ring->sq_head = head;
	ring->cq_tail = cq_tail;
	return done;
}
