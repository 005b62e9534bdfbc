/* SPDX-License-Identifier: MIT */
/*
 * What a vCPU does with each exit to userspace: port and MMIO accesses go
 * to the device that registered the address; everything that ends the run
 * (triple fault, emulation failure, failed entry) is reported with what KVM
 * said about it.  Unknown ports and addresses are reported, not ignored:
 * a payload poking at a device refvmm lacks is worth knowing about.
 */
#include <string.h>
#include <time.h>

#include "vcpu.h"

#define UNKNOWN_IO_REPORT_MAX 8

static void unknown_access(struct vcpu *v, const char *space, const struct io_access *a)
{
	uint64_t val = 0;

	if (!a->write)
		memset(a->data, 0xff, a->size); /* an empty bus reads all-ones */
	if (v->vm->cfg.quiet_unknown_io || v->unknown_io_reports++ >= UNKNOWN_IO_REPORT_MAX)
		return;
	memcpy(&val, a->data, a->size < sizeof(val) ? a->size : sizeof(val));
	vcpu_warn(v, "unhandled %s %s at 0x%llx, %u bytes%s (value 0x%llx)%s", space,
		  a->write ? "write" : "read", (unsigned long long)a->addr, a->size,
		  a->write ? "" : ", read as all-ones", (unsigned long long)val,
		  v->unknown_io_reports == UNKNOWN_IO_REPORT_MAX ? "; further ones not reported"
								  : "");
}

static void dispatch(struct vcpu *v, const struct io_bus *bus, const char *space,
		     struct io_access *a)
{
	const struct io_range *r = io_bus_find(bus, a->addr, a->size);

	if (r)
		r->fn(r->opaque, v, a);
	else
		unknown_access(v, space, a);
}

/* After a device access: go on running unless that access ended the run. */
static bool run_goes_on(const struct vcpu *v)
{
	return !atomic_load(&v->vm->stopping) && !atomic_load(&v->vm->done);
}

/*
 * vm_config.debug_pio_delay_ns: the exit's handling takes that much longer,
 * as in a slower VMM.  A busy wait on the monotonic clock, not a sleep: a
 * sleep would hand the CPU to the scheduler and wake up tens of
 * microseconds late, changing more than the delay.
 */
static void pio_delay(uint32_t ns)
{
	struct timespec t0, t;
	uint64_t spent;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		spent = (uint64_t)(t.tv_sec - t0.tv_sec) * 1000000000ull + t.tv_nsec - t0.tv_nsec;
	} while (spent < ns);
}

static bool exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	struct io_access a = {
		.addr = run->io.port,
		.size = run->io.size,
		.write = run->io.direction == KVM_EXIT_IO_OUT,
	};

	v->last_exit = (struct vcpu_exit_info){ KVM_EXIT_IO, a.addr, a.size, a.write };
	if ((a.size != 1 && a.size != 2 && a.size != 4) || run->io.data_offset > v->run_size ||
	    bytes > v->run_size - run->io.data_offset) {
		vm_finish(v->vm, VM_RESULT_ERROR, v->id, 0,
			  "malformed KVM_EXIT_IO: size %u count %u offset %llu", run->io.size,
			  run->io.count, (unsigned long long)run->io.data_offset);
		return false;
	}
	if (v->vm->cfg.debug_pio_delay_ns)
		pio_delay(v->vm->cfg.debug_pio_delay_ns);
	/* A string instruction (rep outsb) arrives as one exit with count > 1. */
	for (uint32_t i = 0; i < run->io.count; i++) {
		a.data = (uint8_t *)run + run->io.data_offset + (uint64_t)i * a.size;
		dispatch(v, &v->vm->pio, "port", &a);
	}
	return run_goes_on(v);
}

static bool exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct io_access a = {
		.addr = run->mmio.phys_addr,
		.data = run->mmio.data,
		.size = run->mmio.len,
		.write = run->mmio.is_write,
	};

	v->last_exit = (struct vcpu_exit_info){ KVM_EXIT_MMIO, a.addr, a.size, a.write };
	if (a.size == 0 || a.size > sizeof(run->mmio.data)) {
		vm_finish(v->vm, VM_RESULT_ERROR, v->id, 0, "malformed KVM_EXIT_MMIO: length %u",
			  a.size);
		return false;
	}
	dispatch(v, &v->vm->mmio, "MMIO", &a);
	return run_goes_on(v);
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
			v->last_exit = (struct vcpu_exit_info){ .reason = v->run->exit_reason };
			*cont = vm->exit_handlers[i].fn(vm->exit_handlers[i].opaque, v) &&
				run_goes_on(v);
			return true;
		}
	}
	return false;
}

bool vcpu_exit_handle(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	bool cont;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return exit_io(v);
	case KVM_EXIT_MMIO:
		return exit_mmio(v);
	case KVM_EXIT_HLT:
		v->last_exit = (struct vcpu_exit_info){ .reason = KVM_EXIT_HLT };
		return exit_hlt(v);
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		v->last_exit = (struct vcpu_exit_info){ .reason = KVM_EXIT_SHUTDOWN };
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
		v->last_exit = (struct vcpu_exit_info){ .reason = run->exit_reason };
		vm_finish(v->vm, VM_RESULT_ERROR, v->id, 0,
			  "vcpu %d: KVM exit reason %u is not handled by refvmm", v->id,
			  run->exit_reason);
		return false;
	}
}
