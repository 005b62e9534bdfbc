/* SPDX-License-Identifier: MIT */
/*
 * The io device's ring processing: requests complete in order with their
 * ids and the data really moves; everything a hostile driver can put in the
 * ring (indices far apart, addresses outside its memory, bad lengths and
 * ops, a full completion queue) is refused without touching memory it
 * does not own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ring_dev.h"

#define MEM_BYTES (8 * HVB_RING_MAX_LEN)

struct fixture {
	struct hvb_ring ring;
	uint8_t mem[MEM_BYTES];
	struct ring_dev dev;
};

static void *translate(void *ctx, uint64_t addr, uint64_t len)
{
	struct fixture *f = ctx;

	if (addr > MEM_BYTES || len > MEM_BYTES - addr)
		return NULL;
	return f->mem + addr;
}

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dev.translate = translate;
	f->dev.ctx = f;
	return f;
}

static void post(struct fixture *f, uint64_t addr, uint32_t len, uint32_t op, uint64_t id)
{
	f->ring.sq[f->ring.sq_tail % HVB_RING_ENTRIES] =
		(struct hvb_ring_req){ .addr = addr, .len = len, .op = op, .id = id };
	f->ring.sq_tail++;
}

static const struct hvb_ring_cpl *completion(const struct fixture *f, uint32_t i)
{
	return &f->ring.cq[i % HVB_RING_ENTRIES];
}

static void test_round_trip(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	for (uint32_t i = 0; i < HVB_RING_MAX_LEN; i++)
		f->mem[i] = (uint8_t)(i * 7 + 1);
	post(f, 0, HVB_RING_MAX_LEN, HVB_RING_OP_WRITE, 100);
	post(f, 2 * HVB_RING_MAX_LEN + 3, HVB_RING_MAX_LEN, HVB_RING_OP_READ, 101);
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), 2);
	assert_int_equal(f->ring.sq_head, 2);
	assert_int_equal(f->ring.cq_tail, 2);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(completion(f, i)->id, 100 + i);
		assert_int_equal(completion(f, i)->status, HVB_RING_OK);
		assert_int_equal(completion(f, i)->len, HVB_RING_MAX_LEN);
	}
	/* What was written comes back on the read, at another (unaligned) address. */
	assert_memory_equal(f->mem + 2 * HVB_RING_MAX_LEN + 3, f->mem, HVB_RING_MAX_LEN);
	assert_int_equal(f->dev.requests, 2);
	assert_int_equal(f->dev.errors, 0);
	free(f);
}

static void test_bad_requests(void **state)
{
	struct fixture *f = fixture_new();
	const struct {
		uint64_t addr;
		uint32_t len, op;
	} bad[] = {
		{ MEM_BYTES - 63, 64, HVB_RING_OP_WRITE },	/* runs past the end */
		{ UINT64_MAX - 10, 64, HVB_RING_OP_READ },	/* wraps around */
		{ 0, 0, HVB_RING_OP_WRITE },			/* empty */
		{ 0, HVB_RING_MAX_LEN + 1, HVB_RING_OP_WRITE },	/* too long */
		{ 0, 64, 0 },					/* no such op */
		{ 0, 64, 3 },
	};
	uint8_t before[MEM_BYTES];

	(void)state;
	memset(f->mem, 0xa5, sizeof(f->mem));
	memcpy(before, f->mem, sizeof(before));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		post(f, bad[i].addr, bad[i].len, bad[i].op, i);
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), sizeof(bad) / sizeof(bad[0]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(completion(f, i)->status, HVB_RING_EINVAL);
		assert_int_equal(completion(f, i)->id, i);
	}
	assert_int_equal(f->dev.errors, sizeof(bad) / sizeof(bad[0]));
	assert_memory_equal(f->mem, before, sizeof(before));
	free(f);
}

/* Indices more than a ring apart: nothing completes, the queue is dropped. */
static void test_corrupt_indices(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	f->ring.sq_head = 5;
	f->ring.sq_tail = 5 + HVB_RING_ENTRIES + 1;
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), 0);
	assert_int_equal(f->ring.sq_head, f->ring.sq_tail);
	assert_int_equal(f->ring.cq_tail, 0);
	assert_int_equal(f->dev.errors, 1);
	f->ring.cq_tail = 1000;
	f->ring.cq_head = 0;
	post(f, 0, 64, HVB_RING_OP_WRITE, 1);
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), 0);
	assert_int_equal(f->dev.errors, 2);
	free(f);
}

/* A driver that never reaps: the device stops at a full completion queue. */
static void test_completion_queue_full(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	for (uint32_t i = 0; i < HVB_RING_ENTRIES; i++)
		post(f, 0, 64, HVB_RING_OP_WRITE, i);
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), HVB_RING_ENTRIES);
	post(f, 0, 64, HVB_RING_OP_WRITE, 999);
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), 0);
	assert_int_equal(f->ring.sq_head, HVB_RING_ENTRIES);
	f->ring.cq_head = 1; /* one reaped: room for one */
	assert_int_equal(ring_dev_process(&f->dev, &f->ring), 1);
	assert_int_equal(completion(f, HVB_RING_ENTRIES)->id, 999);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_corrupt_indices),
		cmocka_unit_test(test_completion_queue_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
