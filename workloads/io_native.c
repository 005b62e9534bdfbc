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
#include <sys/mman.h>
#include <time.h>

#include "io_native.h"
#include "ring_dev.h"
#include "thread_pin.h"

#define QD_MAX 16

/*
 * The device's counters, the stop flag and the driver's own state each get
 * a cache line: the driver updates next_id every wave, and beside the
 * device's counters that line would bounce between the cores as the ring's
 * lines do, which no guest driver pays (its state is in guest memory).
 */
struct native_io {
	struct hvb_ring ring __attribute__((aligned(64)));
	uint8_t bufs[QD_MAX][HVB_RING_MAX_LEN] __attribute__((aligned(4096))); /* as the guest's */
	struct ring_dev dev __attribute__((aligned(64)));
	atomic_bool stop __attribute__((aligned(64)));
	struct {
		uint32_t qd, len;
		uint64_t next_id, errors;
	} drv __attribute__((aligned(64)));
	void *map;		/* the mapping this lives in */
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
			.len = n->drv.len,
			.op = HVB_RING_OP_WRITE,
			.id = n->drv.next_id + i,
		};
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ring->sq_tail = tail + k;
	while (ring->cq_tail - head < k)
		__builtin_ia32_pause();
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (uint32_t i = 0; i < k; i++) {
		const struct hvb_ring_cpl *c = &ring->cq[(head + i) % HVB_RING_ENTRIES];

		n->drv.errors += c->status != HVB_RING_OK || c->id != n->drv.next_id + i;
	}
	ring->cq_head = head + k;
	n->drv.next_id += k;
}

static void native_ops(struct native_io *n, uint64_t ops)
{
	while (ops) {
		uint32_t k = ops < n->drv.qd ? (uint32_t)ops : n->drv.qd;

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

/*
 * Backed like guest RAM: an anonymous mapping large enough for a huge page
 * (refvmm's guest memory gets transparent huge pages where the kernel gives
 * them), so the device copies from memory the TLB maps the same way.
 */
#define NATIVE_MAP_BYTES (4u << 20)

static struct native_io *native_alloc(void)
{
	uint8_t *p = mmap(NULL, NATIVE_MAP_BYTES, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct native_io *n;

	if (p == MAP_FAILED)
		return NULL;
	n = (struct native_io *)(((uintptr_t)p + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(n, 2u << 20, MADV_HUGEPAGE);
	n->map = p; /* the rest of a fresh mapping is already zero */
	return n;
}

static void native_free(struct native_io *n)
{
	if (n)
		munmap(n->map, NATIVE_MAP_BYTES);
}

int io_native_measure(uint32_t qd, uint32_t len, int device_cpu, double target_ms,
		      double *samples, size_t cap, size_t *nr, uint64_t *batch_out,
		      uint64_t *errors)
{
	struct native_io *n = native_alloc();
	pthread_t dev;
	uint64_t batch = qd, t0, end;

	if (!n || qd == 0 || qd > QD_MAX || len == 0 || len > HVB_RING_MAX_LEN) {
		native_free(n);
		return -1;
	}
	n->drv.qd = qd;
	n->drv.len = len;
	n->dev.translate = native_translate;
	n->dev.ctx = n;
	if (pthread_create(&dev, NULL, native_device, n)) {
		native_free(n);
		return -1;
	}
	thread_pin(dev, device_cpu);
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
	*errors = n->drv.errors + n->dev.errors;
	native_free(n);
	return 0;
}
