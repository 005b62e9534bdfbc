/* SPDX-License-Identifier: MIT */
/*
 * io family, host half: the device of include/hvbench/ring.h behind each
 * mode's path.
 *   hvm           registers on the vCPU thread; DOORBELL does the request
 *                 and injects the completion MSI from userspace
 *   pv            the notify port exits to us; we process the ring there
 *   offload       the kick port is an ioeventfd; a device thread wakes on
 *                 it, processes, and interrupts through an irqfd when the
 *                 driver is about to sleep
 *   offload-poll  a device thread polls the ring; the guest never exits
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit_user.h"
#include "host.h"
#include "ring_dev.h"
#include "vcpu.h"

#define KICK_POLL_MS 10

struct io_state {
	struct ring_dev dev;
	struct vm *vm;
	struct bench_run *run;
	uint32_t reg_addr, reg_len, reg_op, reg_status;
	int kick_efd, irq_efd;
	uint64_t irqs;
};

static void *guest_translate(void *ctx, uint64_t addr, uint64_t len)
{
	struct io_state *s = ctx;

	return guest_mem_ptr(&s->vm->mem, addr, len);
}

/* The ring the guest announced, checked against guest memory every time. */
static struct hvb_ring *ring_get(struct io_state *s)
{
	const struct hvb_shared *sh = atomic_load(&s->run->shared);
	uint64_t gpa = sh ? sh->ring_gpa : 0;

	return gpa ? guest_mem_ptr(&s->vm->mem, gpa, sizeof(struct hvb_ring)) : NULL;
}

static void regs_access(void *opaque, struct vcpu *v, struct io_access *a)
{
	struct io_state *s = opaque;
	uint64_t off = a->addr - PORT_HVB_IODEV;
	uint32_t val = 0;
	struct vmm_err err = { 0 };

	if (a->size != 4)
		return;
	if (!a->write) {
		val = off == HVB_IODEV_STATUS ? s->reg_status : 0;
		memcpy(a->data, &val, 4);
		return;
	}
	memcpy(&val, a->data, 4);
	switch (off) {
	case HVB_IODEV_ADDR:
		s->reg_addr = val;
		break;
	case HVB_IODEV_LEN:
		s->reg_len = val;
		break;
	case HVB_IODEV_OP:
		s->reg_op = val;
		break;
	case HVB_IODEV_DOORBELL:
		s->reg_status = ring_dev_do(&s->dev, s->reg_addr, s->reg_len, s->reg_op);
		if (irq_msi_signal(v->vm, irq_msi_fixed(0, HVB_VEC_IO), &err) < 0)
			vcpu_warn(v, "io: %s", err.msg);
		s->irqs++;
		break;
	}
}

static void notify_write(void *opaque, struct vcpu *v, struct io_access *a)
{
	struct io_state *s = opaque;
	struct hvb_ring *ring = ring_get(s);

	(void)v;
	if (a->write && ring)
		ring_dev_process(&s->dev, ring);
}

/* Complete, then interrupt only a driver that said it will sleep (see io_guest.c). */
static void complete_and_signal(struct io_state *s, struct hvb_ring *ring)
{
	uint64_t one = 1;

	if (!ring_dev_process(&s->dev, ring))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (ring->want_irq && write(s->irq_efd, &one, sizeof(one)) == sizeof(one))
		s->irqs++;
}

static void *device_offload(void *arg)
{
	struct bench_run *r = arg;
	struct io_state *s = r->priv;
	struct pollfd pfd = { .fd = s->kick_efd, .events = POLLIN };

	while (!atomic_load(&r->device_stop)) {
		uint64_t n;
		struct hvb_ring *ring;

		if (poll(&pfd, 1, KICK_POLL_MS) <= 0)
			continue;
		if (read(s->kick_efd, &n, sizeof(n)) != sizeof(n))
			continue;
		ring = ring_get(s);
		if (ring)
			complete_and_signal(s, ring);
	}
	return NULL;
}

static void *device_poll(void *arg)
{
	struct bench_run *r = arg;
	struct io_state *s = r->priv;

	while (!atomic_load(&r->device_stop)) {
		struct hvb_ring *ring = ring_get(s);

		if (ring && ring->sq_tail != ring->sq_head)
			ring_dev_process(&s->dev, ring);
		else
			__builtin_ia32_pause();
	}
	return NULL;
}

static int offload_setup(struct bench_run *r, struct io_state *s, struct vmm_err *err)
{
	uint32_t gsi;

	s->kick_efd = exit_user_ioeventfd(r->vm, PORT_HVB_RING_KICK, 4, true, err);
	if (s->kick_efd < 0 || irq_msi_route(r->vm, irq_msi_fixed(0, HVB_VEC_IO), &gsi, err))
		return -1;
	s->irq_efd = irq_irqfd_attach(r->vm, gsi, err);
	if (s->irq_efd < 0)
		return -1;
	return bench_device_start(r, device_offload, err);
}

static int io_setup(struct bench_run *r, struct vmm_err *err)
{
	struct io_state *s = calloc(1, sizeof(*s));

	if (!s)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	*s = (struct io_state){ .vm = r->vm, .run = r, .kick_efd = -1, .irq_efd = -1 };
	s->dev.translate = guest_translate;
	s->dev.ctx = s;
	r->priv = s;
	switch (r->mode) {
	case MODE_HVM:
		return io_bus_register(&r->vm->pio, PORT_HVB_IODEV, HVB_IODEV_SIZE, regs_access, s,
				       "bench-iodev", err);
	case MODE_PV:
		return io_bus_register(&r->vm->pio, PORT_HVB_RING_NOTIFY, 4, notify_write, s,
				       "bench-ring-notify", err);
	case MODE_OFFLOAD:
		return offload_setup(r, s, err);
	case MODE_OFFLOAD_POLL:
		return bench_device_start(r, device_poll, err);
	default:
		return vmm_err_set(err, VMM_ERR_USAGE, "the io workloads have no mode %s",
				   bench_mode_name(r->mode));
	}
}

static void io_teardown(struct bench_run *r)
{
	struct io_state *s = r->priv;

	bench_device_stop(r);
	if (!s)
		return;
	snprintf(r->note, sizeof(r->note), "device: requests=%llu errors=%llu interrupts=%llu",
		 (unsigned long long)s->dev.requests, (unsigned long long)s->dev.errors,
		 (unsigned long long)s->irqs);
	if (s->kick_efd >= 0)
		close(s->kick_efd);
	if (s->irq_efd >= 0)
		close(s->irq_efd);
	free(s);
	r->priv = NULL;
}

const struct host_half io_host = {
	.setup = io_setup,
	.teardown = io_teardown,
};
