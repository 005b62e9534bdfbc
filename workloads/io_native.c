/* SPDX-License-Identifier: MIT */
/*
 * io family, native baseline: the same ring, the same device code and the
 * same waves of requests as the guest driver in io_guest.c, between two
 * host threads.  The device thread polls (as in offload-poll) and the
 * driver polls for completions: shared-memory I/O with no hypervisor at
 * all, the floor every virtualised mode is compared against.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io_native.h"
#include "ring_dev.h"

#define QD_MAX 16

struct native_io {
	struct hvb_ring ring __attribute__((aligned(64)));
	uint8_t bufs[QD_MAX][HVB_RING_MAX_LEN];
	struct ring_dev dev;
	atomic_bool stop;
	uint32_t qd, len;
	uint64_t next_id, errors;
};

/* Addresses are offsets into the buffer area, checked like guest addresses. */
static void *native_translate(void *ctx, uint64_t addr, uint64_t len)
{
	struct native_io *n = ctx;

	if (addr > sizeof(n->bufs) || len > sizeof(n->bufs) - addr)
		return NULL;
	return (uint8_t *)n->bufs + addr;
}

static void *native_device(void *arg)
{
	struct native_io *n = arg;

	while (!atomic_load_explicit(&n->stop, memory_order_relaxed)) {
		if (n->ring.sq_tail != n->ring.sq_head)
			ring_dev_process(&n->dev, &n->ring);
		else
			__builtin_ia32_pause();
	}
	return NULL;
}

static void native_wave(struct native_io *n, uint32_t k)
{
	struct hvb_ring *ring = &n->ring;
	uint32_t tail = ring->sq_tail, head = ring->cq_head;

	for (uint32_t i = 0; i < k; i++)
		ring->sq[(tail + i) % HVB_RING_ENTRIES] = (struct hvb_ring_req){
			.addr = (uint64_t)i * HVB_RING_MAX_LEN,
			.len = n->len,
			.op = HVB_RING_OP_WRITE,
			.id = n->next_id + i,
		};
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ring->sq_tail = tail + k;
	while (ring->cq_tail - head < k)
		__builtin_ia32_pause();
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < k; i++) {
		const struct hvb_ring_cpl *c = &ring->cq[(head + i) % HVB_RING_ENTRIES];

		n->errors += c->status != HVB_RING_OK || c->id != n->next_id + i;
	}
	ring->cq_head = head + k;
	n->next_id += k;
}

static void native_ops(struct native_io *n, uint64_t ops)
{
	while (ops) {
		uint32_t k = ops < n->qd ? (uint32_t)ops : n->qd;

		native_wave(n, k);
		ops -= k;
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

int io_native_measure(uint32_t qd, uint32_t len, int device_cpu, double target_ms,
		      double *samples, size_t cap, size_t *nr, uint64_t *batch_out,
		      uint64_t *errors)
{
	struct native_io *n = aligned_alloc(64, sizeof(*n));
	pthread_t dev;
	uint64_t batch = qd, t0, end;

	if (!n || qd == 0 || qd > QD_MAX || len == 0 || len > HVB_RING_MAX_LEN) {
		free(n);
		return -1;
	}
	memset(n, 0, sizeof(*n));
	n->qd = qd;
	n->len = len;
	n->dev.translate = native_translate;
	n->dev.ctx = n;
	if (pthread_create(&dev, NULL, native_device, n)) {
		free(n);
		return -1;
	}
	if (device_cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(device_cpu, &set);
		pthread_setaffinity_np(dev, sizeof(set), &set);
	}
	/* Warm-up, then a batch of at least 20 us so the clock is under 1%. */
	native_ops(n, 1000);
	for (;;) {
		t0 = now_ns();
		native_ops(n, batch);
		if (now_ns() - t0 >= 20000 || batch >= (1u << 20))
			break;
		batch *= 2;
	}
	*nr = 0;
	end = now_ns() + (uint64_t)(target_ms * 1e6);
	while (*nr < cap && now_ns() < end) {
		t0 = now_ns();
		native_ops(n, batch);
		samples[(*nr)++] = (double)(now_ns() - t0) / batch;
	}
	atomic_store(&n->stop, true);
	pthread_join(dev, NULL);
	*batch_out = batch;
	*errors = n->errors + n->dev.errors;
	free(n);
	return 0;
}
