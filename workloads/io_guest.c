/* SPDX-License-Identifier: MIT */
/*
 * io family, guest half: a driver for the request ring of
 * include/hvbench/ring.h, in the modes of DESIGN.md.
 *
 *   hvm           the register-level device: ADDR, LEN, OP, DOORBELL
 *                 writes, the completion interrupt, a STATUS read: five
 *                 exits and one injection per request (queue depth 1)
 *   pv            post a wave of requests, one notification exit, the VMM
 *                 completes them before the guest resumes
 *   offload       post, kick an ioeventfd (no exit to userspace); a device
 *                 thread completes and interrupts through an irqfd if the
 *                 driver said it is going to sleep
 *   offload-poll  post and poll: a device thread polls the ring; no exits
 *
 * One operation is one request; requests go in waves of the queue depth,
 * so a batch's time over its requests is latency at depth 1 and the
 * inverse of throughput at depth N.  Every completion's status and id is
 * checked; errors are counted and reported as a note.
 */
#include "guest.h"
#include "hvbench/ring.h"

#define QD_MAX 16
#define WAIT_ROUNDS 1000000

enum io_mode { IO_HVM, IO_PV, IO_OFFLOAD, IO_POLL };

static struct hvb_ring ring __attribute__((aligned(4096)));
static uint8_t bufs[QD_MAX][HVB_RING_MAX_LEN] __attribute__((aligned(4096)));
static enum io_mode mode;
static uint32_t qd, req_len;
static uint64_t next_id, errors, requests, irq_seen;
static bool sleep_ok;

static void on_io_irq(uint8_t vector)
{
	(void)vector;
	irq_seen++;
	rt_apic_eoi();
}

static int mode_parse(struct bench_ctx *ctx)
{
	static const char *const names[] = { "hvm", "pv", "offload", "offload-poll" };

	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(ctx->mode, names[i])) {
			mode = (enum io_mode)i;
			return 0;
		}
	}
	return BENCH_SETUP_FAIL(ctx, "the io workloads have no mode '%s'", ctx->mode);
}

static int io_setup(struct bench_ctx *ctx, uint32_t depth, uint32_t len)
{
	struct hvb_shared *sh;

	if (mode_parse(ctx))
		return -1;
	if (mode == IO_HVM && (depth != 1 || ctx->cpl != 0))
		return BENCH_SETUP_FAIL(ctx, "mode hvm is one request at a time, at CPL0 (it waits "
					"for the completion interrupt in hlt)");
	qd = depth;
	req_len = len;
	ctx->min_batch = depth; /* whole waves only */
	for (uint32_t i = 0; i < QD_MAX; i++)
		memset(bufs[i], 0x5a + i, sizeof(bufs[i]));
	sleep_ok = ctx->cpl == 0 && (mode == IO_HVM || mode == IO_OFFLOAD);
	if (sleep_ok) {
		if (!rt_apic_enable())
			return BENCH_SETUP_FAIL(ctx, "mode %s needs a local APIC", ctx->mode);
		rt_irq_register(HVB_VEC_IO, on_io_irq);
	}
	sh = bench_shared();
	sh->ring_gpa = (uint64_t)(uintptr_t)&ring;
	return 0;
}

static void hvm_request(uint32_t slot)
{
	uint64_t before = irq_seen;

	rt_outl(PORT_HVB_IODEV + HVB_IODEV_ADDR, (uint32_t)(uintptr_t)bufs[slot]);
	rt_outl(PORT_HVB_IODEV + HVB_IODEV_LEN, req_len);
	rt_outl(PORT_HVB_IODEV + HVB_IODEV_OP, HVB_RING_OP_WRITE);
	rt_outl(PORT_HVB_IODEV + HVB_IODEV_DOORBELL, 1);
	bench_wait_change(&irq_seen, before, WAIT_ROUNDS);
	errors += rt_inl(PORT_HVB_IODEV + HVB_IODEV_STATUS) != HVB_RING_OK;
	requests++;
}

static void ring_post(uint32_t k)
{
	uint32_t tail = ring.sq_tail;

	for (uint32_t i = 0; i < k; i++) {
		struct hvb_ring_req *r = &ring.sq[(tail + i) % HVB_RING_ENTRIES];

		*r = (struct hvb_ring_req){
			.addr = (uint64_t)(uintptr_t)bufs[i],
			.len = req_len,
			.op = HVB_RING_OP_WRITE,
			.id = next_id + i,
		};
	}
	__asm__ volatile("sfence" : : : "memory"); /* requests before the index */
	ring.sq_tail = tail + k;
	if (mode == IO_PV)
		rt_outl(PORT_HVB_RING_NOTIFY, 0);
	else if (mode == IO_OFFLOAD)
		rt_outl(PORT_HVB_RING_KICK, 0);
}

/*
 * Sleep only after telling the device (want_irq) and looking again: the
 * device posts then reads want_irq, we write want_irq then read the tail,
 * with a full fence between on both sides, so one of us sees the other.
 */
static void ring_wait(uint32_t want)
{
	for (uint64_t round = 0; ring.cq_tail - ring.cq_head < want && round < WAIT_ROUNDS;
	     round++) {
		uint64_t before = irq_seen;

		if (!sleep_ok) {
			__asm__ volatile("pause");
			continue;
		}
		ring.want_irq = 1;
		__asm__ volatile("mfence" : : : "memory");
		if (ring.cq_tail - ring.cq_head < want)
			bench_wait_change(&irq_seen, before, 1);
		ring.want_irq = 0;
	}
}

static void ring_reap(uint32_t k)
{
	uint32_t head = ring.cq_head;

	for (uint32_t i = 0; i < k; i++) {
		const struct hvb_ring_cpl *c = &ring.cq[(head + i) % HVB_RING_ENTRIES];

		errors += c->status != HVB_RING_OK || c->id != next_id + i || c->len != req_len;
	}
	ring.cq_head = head + k;
	next_id += k;
	requests += k;
}

static void op_io(uint64_t n)
{
	while (n) {
		uint32_t k = n < qd ? (uint32_t)n : qd;

		if (mode == IO_HVM) {
			hvm_request(0);
			n--;
			continue;
		}
		ring_post(k);
		ring_wait(k);
		if (ring.cq_tail - ring.cq_head < k) {
			errors += k; /* the device never answered: count, do not hang */
			return;
		}
		ring_reap(k);
		n -= k;
	}
}

/* A request the device refused or never answered makes a batch's count wrong. */
static int io_finish(char *why, size_t len)
{
	bench_note("io requests=%lu errors=%lu interrupts=%lu", requests, errors, irq_seen);
	if (!errors)
		return 0;
	rt_snprintf(why, len, "io: %lu of %lu requests failed or got no answer", errors, requests);
	return -1;
}

static int setup_lat_64(struct bench_ctx *ctx)
{
	return io_setup(ctx, 1, 64);
}

static int setup_lat_4k(struct bench_ctx *ctx)
{
	return io_setup(ctx, 1, 4096);
}

static int setup_iops_64(struct bench_ctx *ctx)
{
	return io_setup(ctx, QD_MAX, 64);
}

static int setup_iops_4k(struct bench_ctx *ctx)
{
	return io_setup(ctx, QD_MAX, 4096);
}

#define IO_HALF(var, setup_fn) \
	const struct guest_workload var = { .setup = setup_fn, .op = op_io, .finish = io_finish }

IO_HALF(gw_io_lat_64, setup_lat_64);
IO_HALF(gw_io_lat_4k, setup_lat_4k);
IO_HALF(gw_io_iops_64, setup_iops_64);
IO_HALF(gw_io_iops_4k, setup_iops_4k);
