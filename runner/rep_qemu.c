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
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hvbench/ports.h"
#include "proto.h"
#include "rep.h"

#define QEMU_BIN "qemu-system-x86_64"
#define LINE_BYTES 8192

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * QEMU on the CPUs refvmm's vCPU threads would have: its vCPU threads can
 * only be told apart from inside, so the whole process gets their union.
 */
static void qemu_pin(const struct workload *w, const struct pin_plan *pin)
{
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

/*
 * -cpu host without ARCH_CAPABILITIES: some KVM backends (PVM) refuse
 * QEMU's write of that MSR; the rest is the host's CPUID, as refvmm offers.
 */
static pid_t qemu_spawn(const struct workload *w, const char *cmdline, const char *payload,
			const struct pin_plan *pin, int *out_fd)
{
	char smp[16];
	int fds[2];
	pid_t pid;

	snprintf(smp, sizeof(smp), "%u", w->nr_vcpus ? w->nr_vcpus : 1);
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		qemu_pin(w, pin);
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		execlp(QEMU_BIN, QEMU_BIN, "-M", "microvm", "-accel", "kvm", "-cpu",
		       "host,-arch-capabilities", "-smp", smp, "-m", "64", "-nodefaults",
		       "-no-user-config", "-nographic", "-serial", "stdio", "-device",
		       "isa-debug-exit,iobase=0xf4,iosize=4", "-kernel", payload, "-append", cmdline,
		       (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -1;
	}
	*out_fd = fds[0];
	return pid;
}

/* Feed complete lines to the parser; keep a partial one for the next read. */
static void lines_feed(struct proto_result *p, char *buf, size_t *len)
{
	char *start = buf, *nl;

	while ((nl = memchr(start, '\n', *len - (size_t)(start - buf)))) {
		size_t n = (size_t)(nl - start);

		if (n && start[n - 1] == '\r')
			n--;
		proto_line(p, start, n);
		start = nl + 1;
	}
	*len -= (size_t)(start - buf);
	memmove(buf, start, *len);
	if (*len == LINE_BYTES) { /* a line longer than any record: drop it */
		proto_line(p, buf, *len);
		*len = 0;
	}
}

/* Read until QEMU closes its output or the deadline passes; false on timeout. */
static bool output_read(int fd, double timeout_s, struct proto_result *p)
{
	static char buf[LINE_BYTES];
	size_t len = 0;
	double deadline = now_s() + timeout_s;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		ssize_t n;

		if (left <= 0)
			return false;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) <= 0)
			continue;
		n = read(fd, buf + len, LINE_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		lines_feed(p, buf, &len);
	}
	if (len)
		proto_line(p, buf, len);
	return true;
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

void rep_run_qemu(const struct workload *w, unsigned int cpl, const struct rep_opts *o,
		  uint32_t tsc_khz, struct rep *out)
{
	struct proto_result p;
	char cmdline[320];
	int fd, wstatus = 0;
	pid_t pid;
	bool finished;

	*out = (struct rep){ .status = REP_OK };
	if (!o->payload_path || !tsc_khz) {
		rep_fail(out, REP_UNAVAILABLE, "QEMU needs the payload's path and KVM's TSC rate");
		return;
	}
	rep_cmdline(cmdline, sizeof(cmdline) - 16, w, MODE_HVM, cpl, o, tsc_khz);
	strcat(cmdline, " console=serial");
	proto_init(&p);
	pid = qemu_spawn(w, cmdline, o->payload_path, o->pin, &fd);
	if (pid < 0) {
		rep_fail(out, REP_ERROR, "cannot start %s: %s", QEMU_BIN, strerror(errno));
		return;
	}
	finished = output_read(fd, o->timeout_s, &p);
	if (!finished)
		kill(pid, SIGKILL);
	close(fd);
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (!finished)
		rep_fail(out, REP_HANG, "QEMU: no exit within the %.3g s deadline", o->timeout_s);
	else
		exit_judge(wstatus, &p, out);
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
