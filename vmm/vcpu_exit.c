/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's run loop and what it does with each exit to userspace: port and
 * MMIO accesses go to the device that registered the address; everything
 * that ends the run (triple fault, emulation failure, failed entry) is
 * reported with what KVM said about it.  Unknown ports and addresses are
 * reported, not ignored: a payload poking at a device refvmm lacks is worth
 * knowing about.
 *
 * Port exits are the ones hvm-mode workloads make by the million, and the
 * guest waits for each while refvmm handles it, so their path is short and
 * lives in the loop itself, whose registers are saved once per run, not
 * once per exit: one test of the exit reason, KVM's fields checked, one
 * load from the port bus's direct map, the handler.  Every other exit is
 * out of line (exit_other), as are the rare branches of a port exit.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "vcpu.h"

#define UNKNOWN_IO_REPORT_MAX 8

/* Port accesses are 1, 2 or 4 bytes: bit n of this says whether n is one. */
#define PIO_SIZES ((1u << 1) | (1u << 2) | (1u << 4))

static __attribute__((cold, noinline)) void unknown_report(struct vcpu *v, const char *space,
							   const struct io_access *a)
{
	uint64_t val = 0;

	v->unknown_io_reports++;
	memcpy(&val, a->data, a->size < sizeof(val) ? a->size : sizeof(val));
	vcpu_warn(v, "unhandled %s %s at 0x%llx, %u bytes%s (value 0x%llx)%s", space,
		  a->write ? "write" : "read", (unsigned long long)a->addr, a->size,
		  a->write ? "" : ", read as all-ones", (unsigned long long)val,
		  v->unknown_io_reports == UNKNOWN_IO_REPORT_MAX ? "; further ones not reported"
								  : "");
}

/*
 * An access no device decodes: a read sees all-ones, as on an empty bus,
 * and the first few are reported.  Inline, because a payload may make
 * such accesses on purpose, as fast as it can.
 */
static inline void unknown_access(struct vcpu *v, const char *space, const struct io_access *a)
{
	if (!a->write)
		memset(a->data, 0xff, a->size);
	if (v->unknown_io_reports < UNKNOWN_IO_REPORT_MAX && !v->vm->cfg.quiet_unknown_io)
		unknown_report(v, space, a);
}

/* One port access: to the device that registered the port, or to nobody. */
static inline void port_access(struct vcpu *v, const struct io_bus *pio, struct io_access *a)
{
	const struct io_range *r = io_bus_find_port(pio, (uint16_t)a->addr, a->size);

	if (r)
		r->fn(r->opaque, v, a);
	else
		unknown_access(v, "port", a);
}

/* A string instruction (rep outsb): one exit, count accesses. */
static __attribute__((noinline)) void port_access_string(struct vcpu *v, const struct io_bus *pio,
							 struct io_access *a, uint32_t count)
{
	for (; count; count--, a->data += a->size)
		port_access(v, pio, a);
}

/*
 * vm_config.debug_pio_delay_ns: the exit's handling takes that much longer,
 * as in a slower VMM.  A busy wait on the monotonic clock, not a sleep: a
 * sleep would hand the CPU to the scheduler and wake up tens of
 * microseconds late, changing more than the delay.
 */
static __attribute__((noinline)) void pio_delay(uint32_t ns)
{
	struct timespec t0, t;
	uint64_t spent;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		spent = (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ull + t.tv_nsec - t0.tv_nsec;
	} while (spent < ns);
}

static __attribute__((cold, noinline)) bool exit_io_malformed(struct vcpu *v)
{
	const struct kvm_run *run = v->run;

	vm_finish(v->vm, VM_RESULT_ERROR, v->id, 0,
		  "malformed KVM_EXIT_IO: size %u count %u offset %llu", run->io.size,
		  run->io.count, (unsigned long long)run->io.data_offset);
	return false;
}

/*
 * The exit handlers, exit_io and those below it, return false when this
 * vCPU must stop although the run may go on (it halted, or refvmm cannot
 * carry on with it); the run loop stops every vCPU once the run is over.
 */
static bool exit_io(struct vcpu *v, struct vm *vm, struct kvm_run *run)
{
	uint32_t size = run->io.size, count = run->io.count;
	uint64_t off = run->io.data_offset;
	struct io_access *a = &v->access;

	/* Field by field: an initializer would also zero the padding, every exit. */
	v->last_reason = KVM_EXIT_IO;
	a->addr = run->io.port;
	a->data = (uint8_t *)run + off;
	a->size = size;
	a->write = run->io.direction == KVM_EXIT_IO_OUT;
	/*
	 * KVM's word, but a wrong one must not send a handler outside the run
	 * area: 1 to 2^32 - 1 accesses of 1, 2 or 4 bytes, all inside it.
	 * With size at least 1, size * count - 1 wraps exactly when count is
	 * 0, which makes it fail the last test too.
	 */
	if (size > 4 || !((PIO_SIZES >> size) & 1) || off > v->run_size ||
	    (uint64_t)size * count - 1 >= v->run_size - off)
		return exit_io_malformed(v);
	if (vm->cfg.debug_pio_delay_ns)
		pio_delay(vm->cfg.debug_pio_delay_ns);
	if (count == 1)
		port_access(v, &vm->pio, a);
	else
		port_access_string(v, &vm->pio, a, count);
	return true;
}

static bool exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct io_access *a = &v->access;
	const struct io_range *r;

	v->last_reason = KVM_EXIT_MMIO;
	*a = (struct io_access){
		.addr = run->mmio.phys_addr,
		.data = run->mmio.data,
		.size = run->mmio.len,
		.write = run->mmio.is_write,
	};
	if (a->size == 0 || a->size > sizeof(run->mmio.data)) {
		vm_finish(v->vm, VM_RESULT_ERROR, v->id, 0, "malformed KVM_EXIT_MMIO: length %u",
			  a->size);
		return false;
	}
	r = io_bus_find(&v->vm->mmio, a->addr, a->size);
	if (r)
		r->fn(r->opaque, v, a);
	else
		unknown_access(v, "MMIO", a);
	return true;
}

/*
 * hlt without an in-kernel irqchip: nothing in refvmm can wake the vCPU
 * (there is no user-space interrupt source), so it sleeps until the run is
 * stopped, exactly as a halted CPU would, and the watchdog reports it.
 */
static bool exit_hlt(struct vcpu *v)
{
	struct vm *vm = v->vm;

	pthread_mutex_lock(&vm->lock);
	while (!atomic_load(&vm->stopping))
		pthread_cond_wait(&vm->cond, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	return false;
}

static const char *internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "instruction emulation failed";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception raised while delivering another";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "event delivery failed";
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected hardware exit reason";
	default:
		return "unknown internal error";
	}
}

static void crash_internal(struct vcpu *v)
{
	const struct kvm_run *run = v->run;
	char data[160] = "";
	size_t n = 0;
	uint32_t ndata = run->internal.ndata;

	if (ndata > sizeof(run->internal.data) / sizeof(run->internal.data[0]))
		ndata = sizeof(run->internal.data) / sizeof(run->internal.data[0]);
	for (uint32_t i = 0; i < ndata && n < sizeof(data); i++)
		n += snprintf(data + n, sizeof(data) - n, " 0x%llx",
			      (unsigned long long)run->internal.data[i]);
	vm_finish(v->vm, VM_RESULT_CRASH, v->id, 0,
		  "KVM internal error %u (%s) on vcpu %d, data:%s", run->internal.suberror,
		  internal_error_name(run->internal.suberror), v->id, ndata ? data : " none");
}

static void crash_system_event(struct vcpu *v)
{
	const char *what;

	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		what = "shutdown";
		break;
	case KVM_SYSTEM_EVENT_RESET:
		what = "reset";
		break;
	case KVM_SYSTEM_EVENT_CRASH:
		what = "crash";
		break;
	default:
		what = "unknown system event";
		break;
	}
	vm_finish(v->vm, VM_RESULT_CRASH, v->id, 0, "guest requested %s (KVM_EXIT_SYSTEM_EVENT %u)",
		  what, v->run->system_event.type);
}

/* Exits a library user asked for (MSR filter, hypercalls); false if none is registered. */
static bool exit_registered(struct vcpu *v, bool *cont)
{
	const struct vm *vm = v->vm;

	for (unsigned int i = 0; i < vm->nr_exit_handlers; i++) {
		if (vm->exit_handlers[i].reason == v->run->exit_reason) {
			v->last_reason = v->run->exit_reason;
			*cont = vm->exit_handlers[i].fn(vm->exit_handlers[i].opaque, v);
			return true;
		}
	}
	return false;
}

/* Every exit but a port access. */
static __attribute__((noinline)) bool exit_other(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	bool cont;

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		return exit_mmio(v);
	case KVM_EXIT_HLT:
		v->last_reason = KVM_EXIT_HLT;
		return exit_hlt(v);
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		v->last_reason = KVM_EXIT_SHUTDOWN;
		vm_finish(v->vm, VM_RESULT_CRASH, v->id, 0,
			  "triple fault on vcpu %d (KVM_EXIT_SHUTDOWN)", v->id);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_finish(v->vm, VM_RESULT_CRASH, v->id, 0,
			  "VM entry failed on vcpu %d (KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx)",
			  v->id,
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		crash_internal(v);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		crash_system_event(v);
		return false;
	default:
		if (exit_registered(v, &cont))
			return cont;
		v->last_reason = run->exit_reason;
		vm_finish(v->vm, VM_RESULT_ERROR, v->id, 0,
			  "vcpu %d: KVM exit reason %u is not handled by refvmm", v->id,
			  run->exit_reason);
		return false;
	}
}

void vcpu_run_loop(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct kvm_run *run = v->run;

	/*
	 * Once the run is over (an access or another vCPU ended it, or the
	 * deadline passed) this vCPU stops too; the watchdog's stop, which
	 * kicks it out of KVM_RUN, comes only after that.
	 */
	while (!atomic_load(&vm->done)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_finish(vm, VM_RESULT_ERROR, v->id, 0, "KVM_RUN on vcpu %d failed: %s",
				  v->id, strerror(errno));
			return;
		}
		v->nr_exits++;
		if (__builtin_expect(run->exit_reason == KVM_EXIT_IO, 1)) {
			if (!exit_io(v, vm, run))
				return;
		} else if (!exit_other(v)) {
			return;
		}
	}
}
