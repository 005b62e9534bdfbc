/* SPDX-License-Identifier: MIT */
/*
 * The bench platform: what every boot of the bench payload gets besides
 * refvmm's standard devices.
 *   - the mark port: KVM statistics, CPU times and the wall clock are
 *     snapshotted on the vCPU thread when the guest begins and ends its
 *     timed samples (with their timer reads and loop frames), so
 *     per-operation costs cover that stretch;
 *   - the shared-page port: the guest names a page the host may read;
 *   - null devices the vmexit workloads hit: a port and an MMIO page
 *     refvmm decodes and ignores, a port and an MMIO address bound to
 *     ioeventfds (completed inside KVM), a filtered MSR, hypercalls.
 * Every guest-supplied address goes through guest_mem_ptr.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "exit_user.h"
#include "host.h"
#include "thread_pin.h"
#include "vcpu.h"

#define MSR_SYSENTER_ESP 0x175
#define KVM_HC_MAP_GPA_RANGE 12
#define HC_PIO_NOP 0

struct platform {
	int pio_efd, mmio_efd;
};

const char *const bench_stat_names[] = {
	"exits", "io_exits", "mmio_exits", "halt_exits", "insn_emulation", "irq_injections",
};

uint64_t bench_thread_cpu_ns(pthread_t t)
{
	clockid_t clk;
	struct timespec ts;

	if (pthread_getcpuclockid(t, &clk) || clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* A thread that has returned has no CPU clock any more: it left its total. */
static uint64_t device_cpu_ns(struct bench_run *r)
{
	if (!r->device_running)
		return 0;
	if (atomic_load(&r->device_exited))
		return r->device_exit_cpu_ns;
	return bench_thread_cpu_ns(r->device_thread);
}

/* The stats read (a pread) stays outside the clocked stretch: before it, after it. */
static void snapshot(struct bench_run *r, struct vcpu *v, int which)
{
	int64_t *stats = which ? r->stats_end : r->stats_begin;

	if (which == 0)
		vcpu_stats(v, bench_stat_names, BENCH_NR_STATS, stats);
	clock_gettime(CLOCK_MONOTONIC, &r->wall[which]);
	r->vcpu_cpu_ns[which] = bench_thread_cpu_ns(pthread_self());
	r->user_exits[which] = v->nr_exits;
	r->device_cpu_ns[which] = device_cpu_ns(r);
	if (which == 1)
		vcpu_stats(v, bench_stat_names, BENCH_NR_STATS, stats);
}

static void mark_write(void *opaque, struct vcpu *v, struct io_access *a)
{
	struct bench_run *r = opaque;

	if (!a->write)
		return;
	if (a->data[0] == HVB_MARK_BEGIN && !atomic_load(&r->begun)) {
		atomic_store(&r->begun, true);
		if (r->w->host && r->w->host->on_begin)
			r->w->host->on_begin(r);
		snapshot(r, v, 0);
		if (r->mark_hook)
			r->mark_hook(r->mark_ctx, r, v, 0);
	} else if (a->data[0] == HVB_MARK_END && atomic_load(&r->begun) && !r->ended) {
		if (r->mark_hook)
			r->mark_hook(r->mark_ctx, r, v, 1);
		snapshot(r, v, 1);
		r->ended = true;
		if (r->w->host && r->w->host->on_end)
			r->w->host->on_end(r);
	}
}

static uint32_t access_u32(const struct io_access *a)
{
	uint32_t v = 0;

	memcpy(&v, a->data, a->size < sizeof(v) ? a->size : sizeof(v));
	return v;
}

static void shared_write(void *opaque, struct vcpu *v, struct io_access *a)
{
	struct bench_run *r = opaque;
	uint32_t gpa = access_u32(a);
	struct hvb_shared *sh;

	if (!a->write || a->size != 4 || atomic_load(&r->shared))
		return;
	sh = gpa % 4096 ? NULL : guest_mem_ptr(&v->vm->mem, gpa, sizeof(*sh));
	if (sh)
		atomic_store(&r->shared, sh);
	else
		vcpu_warn(v, "bench: shared page at 0x%x is not an aligned page of guest RAM", gpa);
}

static void null_access(void *opaque, struct vcpu *v, struct io_access *a)
{
	(void)opaque;
	(void)v;
	if (!a->write)
		memset(a->data, 0, a->size);
}

/* outl(port, gpa of {nr, arg, ret}): the VMM reads the block and answers in ret. */
static void hypercall_pio(void *opaque, struct vcpu *v, struct io_access *a)
{
	uint64_t *args;

	(void)opaque;
	if (!a->write || a->size != 4)
		return;
	args = guest_mem_ptr(&v->vm->mem, access_u32(a), 3 * sizeof(uint64_t));
	if (args)
		args[2] = args[0] == HC_PIO_NOP ? 0 : (uint64_t)-1;
}

static bool exit_rdmsr(void *opaque, struct vcpu *v)
{
	(void)opaque;
	v->run->msr.data = 0;
	v->run->msr.error = 0;
	return true;
}

static bool exit_hypercall(void *opaque, struct vcpu *v)
{
	(void)opaque;
	v->run->hypercall.ret = 0;
	return true;
}

int bench_platform_setup(struct bench_run *r, struct vmm_err *err)
{
	struct vm *vm = r->vm;
	struct platform *p = calloc(1, sizeof(*p));
	struct vmm_err optional = { 0 };

	if (!p)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	*p = (struct platform){ .pio_efd = -1, .mmio_efd = -1 };
	r->priv_platform = p;
	if (io_bus_register(&vm->pio, PORT_HVB_MARK, 1, mark_write, r, "bench-mark", err) ||
	    io_bus_register(&vm->pio, PORT_HVB_SHARED, 4, shared_write, r, "bench-shared", err) ||
	    io_bus_register(&vm->pio, PORT_HVB_NULL, 4, null_access, r, "bench-null", err) ||
	    io_bus_register(&vm->pio, PORT_HVB_HYPERCALL, 4, hypercall_pio, r, "bench-hypercall",
			    err) ||
	    io_bus_register(&vm->mmio, HVB_MMIO_NULL_GPA, 4096, null_access, r, "bench-null",
			    err))
		return -1;
	p->pio_efd = exit_user_ioeventfd(vm, PORT_HVB_EVENTFD, 4, true, err);
	p->mmio_efd = exit_user_ioeventfd(vm, HVB_MMIO_EVENTFD_GPA, 4, false, err);
	if (p->pio_efd < 0 || p->mmio_efd < 0)
		return -1;
	/* Optional features: only the workloads that need them fail without them. */
	if (!exit_user_msr_read(vm, MSR_SYSENTER_ESP, &optional))
		vm_exit_handler_set(vm, KVM_EXIT_X86_RDMSR, exit_rdmsr, r, &optional);
	else if (!strcmp(r->w->name, "rdmsr-user"))
		return vmm_err_set(err, VMM_ERR_KVM, "%s", optional.msg);
	optional = (struct vmm_err){ 0 };
	if (!exit_user_hypercalls(vm, 1ull << KVM_HC_MAP_GPA_RANGE, &optional))
		vm_exit_handler_set(vm, KVM_EXIT_HYPERCALL, exit_hypercall, r, &optional);
	else if (!strcmp(r->w->name, "hypercall-exit"))
		return vmm_err_set(err, VMM_ERR_KVM, "%s", optional.msg);
	return 0;
}

void bench_platform_teardown(struct bench_run *r)
{
	struct platform *p = r->priv_platform;

	if (!p)
		return;
	if (p->pio_efd >= 0)
		close(p->pio_efd);
	if (p->mmio_efd >= 0)
		close(p->mmio_efd);
	free(p);
	r->priv_platform = NULL;
}

static void *device_trampoline(void *arg)
{
	struct bench_run *r = arg;
	void *ret;

	atomic_store(&r->device_tid, (int)gettid());
	ret = r->device_fn(r);

	r->device_exit_cpu_ns = bench_thread_cpu_ns(pthread_self());
	atomic_store(&r->device_exited, true);
	return ret;
}

int bench_device_start(struct bench_run *r, void *(*fn)(void *), struct vmm_err *err)
{
	int e;

	r->device_fn = fn;
	atomic_store(&r->device_stop, false);
	atomic_store(&r->device_exited, false);
	e = pthread_create(&r->device_thread, NULL, device_trampoline, r);
	if (e)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "cannot start the device thread: %s",
				   strerror(e));
	r->device_running = true;
	thread_pin(r->device_thread, r->device_cpu);
	return 0;
}

void bench_device_stop(struct bench_run *r)
{
	if (!r->device_running)
		return;
	atomic_store(&r->device_stop, true);
	pthread_join(r->device_thread, NULL);
	r->device_running = false;
}
