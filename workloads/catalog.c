/* SPDX-License-Identifier: MIT */
/*
 * The workload catalog: the one table naming every workload.  A workload's
 * guest half lives in <family>_guest.c (listed in guest_table.c), its host
 * half, when it needs more than the bench platform, in <family>_host.c.
 *
 * Modes say which path an operation takes (DESIGN.md): for single exits
 * that is hvm (the exit itself); hypercalls are the pv interface; the io
 * ring runs in all of them.  native names the host operation that stands
 * in for it on bare metal (workloads/native.c), where one makes sense.
 */
#include <string.h>

#include "catalog.h"

extern const struct host_half io_host, interrupt_inject_host;

#define CPL0 1u
#define CPL03 (1u | 8u)
#define HVM_NATIVE (MODE_BIT(MODE_HVM) | MODE_BIT(MODE_NATIVE))
#define IO_RING_MODES \
	(MODE_BIT(MODE_PV) | MODE_BIT(MODE_OFFLOAD) | MODE_BIT(MODE_OFFLOAD_POLL) | \
	 MODE_BIT(MODE_NATIVE))

const struct workload workloads[] = {
	/* vmexit: one exit reason per workload */
	{ .name = "cpuid", .family = "vmexit", .what = "cpuid leaf 0, handled in the kernel",
	  .modes = HVM_NATIVE, .cpls = CPL03, .native_op = "cpuid", .quick = true, .external = true },
	{ .name = "rdtsc", .family = "vmexit",
	  .what = "rdtsc (exits only if the hypervisor traps it)", .modes = HVM_NATIVE,
	  .cpls = CPL03, .native_op = "rdtsc", .quick = true, .external = true },
	{ .name = "rdtscp", .family = "vmexit", .what = "rdtscp", .modes = HVM_NATIVE,
	  .cpls = CPL03, .native_op = "rdtscp", .external = true },
	{ .name = "pause", .family = "vmexit",
	  .what = "pause (a pause-loop exit only when spinning long)", .modes = HVM_NATIVE,
	  .cpls = CPL03, .native_op = "pause", .external = true },
	{ .name = "exception-ud", .family = "vmexit",
	  .what = "ud2 into the guest's #UD handler and back", .modes = HVM_NATIVE, .cpls = CPL03,
	  .native_op = "ud2-signal", .quick = true, .external = true },
	{ .name = "page-touch", .family = "vmexit",
	  .what = "first write to a guest page the host never backed", .modes = HVM_NATIVE,
	  .cpls = CPL03, .native_op = "page-touch", .quick = true, .external = true,
	  .memory_backing = true },
	{ .name = "rdmsr-kernel", .family = "vmexit",
	  .what = "rdmsr IA32_SYSENTER_CS, handled in the kernel", .modes = MODE_BIT(MODE_HVM),
	  .cpls = CPL0, .native_op = NULL, .quick = true, .external = true },
	{ .name = "wrmsr-kernel", .family = "vmexit",
	  .what = "wrmsr IA32_SYSENTER_CS, handled in the kernel", .modes = MODE_BIT(MODE_HVM),
	  .cpls = CPL0, .native_op = NULL, .external = true },
	{ .name = "rdmsr-user", .family = "vmexit",
	  .what = "rdmsr IA32_SYSENTER_ESP, sent to the VMM by the MSR filter",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL0, .native_op = NULL, .quick = true },
	{ .name = "pio-user", .family = "vmexit",
	  .what = "outb to a port the userspace VMM handles", .modes = MODE_BIT(MODE_HVM),
	  .cpls = CPL03, .native_op = NULL, .quick = true, .external = true },
	{ .name = "pio-kernel", .family = "vmexit",
	  .what = "outl to a port bound to an ioeventfd (no userspace exit)",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL03, .native_op = NULL, .quick = true },
	{ .name = "mmio-user", .family = "vmexit",
	  .what = "32-bit store to MMIO the userspace VMM handles", .modes = MODE_BIT(MODE_HVM),
	  .cpls = CPL03, .native_op = NULL, .quick = true, .external = true },
	{ .name = "mmio-kernel", .family = "vmexit",
	  .what = "32-bit store to MMIO bound to an ioeventfd", .modes = MODE_BIT(MODE_HVM),
	  .cpls = CPL03, .native_op = NULL },
	{ .name = "cr8", .family = "vmexit", .what = "mov to CR8 (task priority)",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL0, .native_op = NULL, .external = true },
	{ .name = "xsetbv", .family = "vmexit", .what = "xsetbv rewriting XCR0 unchanged",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL0, .native_op = NULL, .external = true },
	/* hypercall: the paravirtual call into the hypervisor */
	{ .name = "hypercall-kvm", .family = "hypercall",
	  .what = "KVM hypercall (vmcall/vmmcall) handled in the kernel",
	  .modes = MODE_BIT(MODE_PV) | MODE_BIT(MODE_NATIVE), .cpls = CPL0, .native_op = "syscall",
	  .quick = true },
	{ .name = "hypercall-exit", .family = "hypercall",
	  .what = "KVM hypercall sent to the VMM (KVM_EXIT_HYPERCALL)", .modes = MODE_BIT(MODE_PV),
	  .cpls = CPL0, .native_op = NULL },
	{ .name = "hypercall-pio", .family = "hypercall",
	  .what = "PIO hypercall with an argument block (Solo5 style)",
	  .modes = MODE_BIT(MODE_PV) | MODE_BIT(MODE_NATIVE), .cpls = CPL03,
	  .native_op = "syscall", .quick = true },
	/* interrupt */
	{ .name = "irq-inject", .family = "interrupt",
	  .what = "host sends an MSI, idle guest's handler acknowledges in memory (host-timed)",
	  .modes = MODE_BIT(MODE_HVM) | MODE_BIT(MODE_OFFLOAD) | MODE_BIT(MODE_NATIVE),
	  .cpls = CPL0, .native_op = "thread-signal", .quick = true, .host_timed = true,
	  .host = &interrupt_inject_host },
	{ .name = "irq-inject-ioapic", .family = "interrupt",
	  .what = "host raises an IOAPIC pin (KVM_IRQ_LINE edge), idle guest acknowledges",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL0, .native_op = NULL, .host_timed = true,
	  .host = &interrupt_inject_host },
	{ .name = "self-ipi", .family = "interrupt",
	  .what = "IPI to self: ICR write, delivery, handler, EOI", .modes = MODE_BIT(MODE_HVM),
	  .cpls = CPL0, .native_op = NULL, .quick = true, .external = true },
	{ .name = "timer-deadline", .family = "interrupt",
	  .what = "TSC-deadline timer lateness: handler entry - deadline",
	  .modes = HVM_NATIVE, .cpls = CPL0, .native_op = "timer-deadline", .quick = true,
	  .external = true },
	{ .name = "ipi", .family = "interrupt",
	  .what = "IPI round trip between two vCPUs (ping, handler pongs back)",
	  .modes = MODE_BIT(MODE_HVM) | MODE_BIT(MODE_NATIVE), .cpls = CPL0,
	  .native_op = "thread-wake", .quick = true, .nr_vcpus = 2, .external = true },
	{ .name = "hlt-wake", .family = "interrupt",
	  .what = "hlt with a self-IPI already pending: the halt and the wake-up",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL0, .native_op = NULL, .external = true },
	{ .name = "eoi", .family = "interrupt", .what = "EOI write to the local APIC",
	  .modes = MODE_BIT(MODE_HVM), .cpls = CPL0, .native_op = NULL, .external = true },
	/* io: one request through the ring device */
	{ .name = "io-lat-64", .family = "io",
	  .what = "64-byte write request at queue depth 1 (latency)",
	  .modes = MODE_BIT(MODE_HVM) | IO_RING_MODES, .cpls = CPL03, .native_op = NULL,
	  .quick = true, .io_qd = 1, .io_len = 64, .host = &io_host },
	{ .name = "io-lat-4k", .family = "io",
	  .what = "4-KiB write request at queue depth 1 (latency)",
	  .modes = MODE_BIT(MODE_HVM) | IO_RING_MODES, .cpls = CPL03, .native_op = NULL,
	  .io_qd = 1, .io_len = 4096, .host = &io_host },
	{ .name = "io-iops-64", .family = "io",
	  .what = "64-byte write requests in waves of 16 (time per request = 1/IOPS)",
	  .modes = IO_RING_MODES, .cpls = CPL03, .native_op = NULL, .quick = true, .io_qd = 16,
	  .io_len = 64, .host = &io_host },
	{ .name = "io-iops-4k", .family = "io",
	  .what = "4-KiB write requests in waves of 16 (time per request = 1/IOPS)",
	  .modes = IO_RING_MODES, .cpls = CPL03, .native_op = NULL, .io_qd = 16, .io_len = 4096,
	  .host = &io_host },
};

const size_t nr_workloads = sizeof(workloads) / sizeof(workloads[0]);

const struct workload *workload_find(const char *name)
{
	for (size_t i = 0; i < nr_workloads; i++)
		if (!strcmp(workloads[i].name, name))
			return &workloads[i];
	return NULL;
}

static const char *const mode_names[MODE_COUNT] = {
	[MODE_HVM] = "hvm",
	[MODE_PV] = "pv",
	[MODE_OFFLOAD] = "offload",
	[MODE_OFFLOAD_POLL] = "offload-poll",
	[MODE_NATIVE] = "native",
};

const char *bench_mode_name(enum bench_mode m)
{
	return m < MODE_COUNT ? mode_names[m] : "?";
}

int bench_mode_parse(const char *name)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (!strcmp(mode_names[m], name))
			return m;
	return -1;
}
