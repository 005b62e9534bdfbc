/* SPDX-License-Identifier: MIT */
/*
 * interrupt family, host half: the injector of irq-inject.  A host thread
 * sends an MSI (mode hvm: KVM_SIGNAL_MSI, as a VMM's device model would;
 * mode offload: a write to an irqfd, as a device thread would) and spins
 * on the guest's acknowledgement counter in the shared page: the time from
 * send to the handler's store, with no exit on the way back.  For
 * irq-inject-ioapic the injector drives an IOAPIC pin (KVM_IRQ_LINE).  Between
 * sends it waits GAP_US so the guest is back in hlt: the figure is the
 * wake-up of an idle vCPU, not of one still returning from the last one.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define GAP_US 50
#define ACK_TIMEOUT_NS 100000000ull
#define ANNOUNCE_TIMEOUT_NS 5000000000ull

struct inject_state {
	bool line;		/* irq-inject-ioapic: KVM_IRQ_LINE on an IOAPIC pin */
	int irq_efd;
	uint64_t lost;
};

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* An edge on the IOAPIC pin: raise and lower, as an ISA device would. */
static int send_line(struct bench_run *r)
{
	struct vmm_err err = { 0 };

	if (irq_line_set(r->vm, HVB_IOAPIC_PIN, 1, &err) ||
	    irq_line_set(r->vm, HVB_IOAPIC_PIN, 0, &err))
		return -1;
	return 0;
}

static int send(struct bench_run *r, struct inject_state *s)
{
	struct vmm_err err = { 0 };
	uint64_t one = 1;

	if (s->line)
		return send_line(r);
	if (r->mode == MODE_OFFLOAD)
		return write(s->irq_efd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
	return irq_msi_signal(r->vm, irq_msi_fixed(0, HVB_VEC_INJECT), &err) < 0 ? -1 : 0;
}

static bool wait_started(struct bench_run *r)
{
	uint64_t deadline = now_ns() + ANNOUNCE_TIMEOUT_NS;

	while (!atomic_load(&r->device_stop) && now_ns() < deadline) {
		if (atomic_load(&r->shared) && atomic_load(&r->begun))
			return true;
		usleep(100);
	}
	return false;
}

static void *injector(void *arg)
{
	struct bench_run *r = arg;
	struct inject_state *s = r->priv;
	struct timespec gap = { 0, GAP_US * 1000 };
	struct hvb_shared *sh;
	uint64_t end;

	if (!wait_started(r))
		return NULL;
	sh = atomic_load(&r->shared); /* set once, never withdrawn */
	end = now_ns() + (uint64_t)(r->target_ms * 1e6);
	while (!atomic_load(&r->device_stop) && now_ns() < end &&
	       r->nr_host_samples < r->host_samples_cap) {
		uint64_t ack = sh->irq_ack, t0, t1;

		nanosleep(&gap, NULL);
		t0 = now_ns();
		if (send(r, s))
			break;
		do
			t1 = now_ns();
		while (sh->irq_ack == ack && t1 - t0 < ACK_TIMEOUT_NS);
		if (sh->irq_ack == ack) {
			s->lost++;
			continue;
		}
		r->host_samples[r->nr_host_samples++] = (double)(t1 - t0);
	}
	sh->stop = 1;
	send(r, s); /* wake the guest out of hlt to see stop */
	return NULL;
}

static int inject_setup(struct bench_run *r, struct vmm_err *err)
{
	struct inject_state *s = calloc(1, sizeof(*s));
	uint32_t gsi;

	if (!s)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	s->irq_efd = -1;
	s->line = !strcmp(r->w->name, "irq-inject-ioapic");
	r->priv = s;
	if (r->mode == MODE_OFFLOAD) {
		if (irq_msi_route(r->vm, irq_msi_fixed(0, HVB_VEC_INJECT), &gsi, err))
			return -1;
		s->irq_efd = irq_irqfd_attach(r->vm, gsi, err);
		if (s->irq_efd < 0)
			return -1;
	}
	return bench_device_start(r, injector, err);
}

static void inject_teardown(struct bench_run *r)
{
	struct inject_state *s = r->priv;

	bench_device_stop(r);
	if (!s)
		return;
	snprintf(r->note, sizeof(r->note), "injector: %zu acknowledged, %llu lost, gap %d us",
		 r->nr_host_samples, (unsigned long long)s->lost, GAP_US);
	if (s->irq_efd >= 0)
		close(s->irq_efd);
	free(s);
	r->priv = NULL;
}

const struct host_half interrupt_inject_host = {
	.setup = inject_setup,
	.teardown = inject_teardown,
};
