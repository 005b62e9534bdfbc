/* SPDX-License-Identifier: MIT */
/*
 * A repetition under QEMU: the same bench payload booted with
 * `qemu-system-x86_64 -M microvm -accel kvm`, its @hvb records read from
 * the serial port.  This is the "external VMM" path every other VMM can
 * follow (anything that boots a PVH ELF and has a UART), and the
 * independent check of refvmm's figures: the guest times itself, so the
 * same workload must cost about the same under both VMMs wherever the
 * userspace VMM is not on the path.  QEMU gives no KVM statistics and no
 * marks, so per-operation costs stay empty.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "hvbench/ports.h"
#include "proto.h"
#include "rep.h"
#include "vmm_proc.h"

#define QEMU_BIN "qemu-system-x86_64"

/*
 * QEMU on the CPUs refvmm's vCPU threads would have: its vCPU threads can
 * only be told apart from inside, so the whole process gets their union.
 */
struct qemu_pin {
	const struct workload *w;
	const struct pin_plan *pin;
};

static void qemu_pin(void *arg)
{
	const struct qemu_pin *q = arg;
	const struct workload *w = q->w;
	const struct pin_plan *pin = q->pin;
	unsigned int n = w->nr_vcpus ? w->nr_vcpus : 1;
	cpu_set_t set;

	if (!pin)
		return;
	CPU_ZERO(&set);
	for (unsigned int i = 0; i < n && (int)i < pin->nr_vcpus; i++)
		if (pin->vcpu_cpu[i] >= 0)
			CPU_SET(pin->vcpu_cpu[i], &set);
	if (CPU_COUNT(&set))
		sched_setaffinity(0, sizeof(set), &set);
}

static void console_to_proto(void *ctx, const char *line, size_t len)
{
	proto_line(ctx, line, len);
}

/* isa-debug-exit makes QEMU exit with (status << 1) | 1. */
static void exit_judge(int wstatus, const struct proto_result *p, struct rep *out)
{
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == ((GUEST_STATUS_PASS << 1) | 1))
		return;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 127)
		rep_fail(out, REP_UNAVAILABLE, "%s is not installed", QEMU_BIN);
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == ((GUEST_STATUS_FAIL << 1) | 1))
		rep_fail(out, REP_ERROR, "%s", p->error[0] ? p->error :
			 "the payload reported a failure (status 1) under QEMU");
	else if (WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) & 1))
		rep_fail(out, REP_CRASH, "the payload exited with status %d under QEMU",
			 WEXITSTATUS(wstatus) >> 1);
	else
		rep_fail(out, REP_ERROR, "QEMU failed (exit %d): %s",
			 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1, p->last_other);
}

/*
 * -cpu host without ARCH_CAPABILITIES: some KVM backends (PVM) refuse
 * QEMU's write of that MSR; the rest is the host's CPUID, as refvmm offers.
 */
void rep_run_qemu(const struct workload *w, unsigned int cpl, const struct rep_opts *o,
		  uint32_t tsc_khz, struct rep *out)
{
	struct proto_result p;
	char cmdline[320], smp[16];
	struct qemu_pin pin = { .w = w, .pin = o->pin };
	char *argv[] = {
		QEMU_BIN, "-M", "microvm", "-accel", "kvm", "-cpu", "host,-arch-capabilities",
		"-smp", smp, "-m", "64", "-nodefaults", "-no-user-config", "-nographic",
		"-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
		"-kernel", (char *)o->payload_path, "-append", cmdline, NULL,
	};
	struct vmm_proc proc = {
		.argv = argv, .child_setup = qemu_pin, .child_arg = &pin,
		.timeout_s = o->timeout_s, .line = console_to_proto, .ctx = &p,
	};
	struct vmm_proc_result res;

	*out = (struct rep){ .status = REP_OK };
	if (!o->payload_path || !tsc_khz) {
		rep_fail(out, REP_UNAVAILABLE, "QEMU needs the payload's path and KVM's TSC rate");
		return;
	}
	snprintf(smp, sizeof(smp), "%u", w->nr_vcpus ? w->nr_vcpus : 1);
	rep_cmdline(cmdline, sizeof(cmdline) - 16, w, MODE_HVM, cpl, o, tsc_khz);
	strcat(cmdline, " console=serial");
	proto_init(&p);
	if (vmm_proc_run(&proc, &res)) {
		rep_fail(out, REP_ERROR, "cannot start %s: %s", QEMU_BIN, strerror(errno));
		proto_free(&p);
		return;
	}
	if (res.timed_out)
		rep_fail(out, REP_HANG, "QEMU: no exit within the %.3g s deadline", o->timeout_s);
	else
		exit_judge(res.wstatus, &p, out);
	for (unsigned int i = 0; i < p.nr_notes; i++)
		rep_note(out, p.notes[i]);
	if (out->status == REP_OK) {
		if (proto_finish(&p))
			rep_fail(out, REP_ERROR, "bench payload output: %s", p.error);
		else if (p.unavailable)
			rep_fail(out, REP_UNAVAILABLE, "%s", p.why);
		else if (rep_samples_from_proto(&p, tsc_khz, out))
			rep_fail(out, REP_ERROR, "out of memory");
	}
	proto_free(&p);
}
