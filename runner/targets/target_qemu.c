/* SPDX-License-Identifier: MIT */
/*
 * QEMU as a target, with KVM (qemu-kvm) or emulated by TCG (qemu-tcg):
 * microvm with isa-debug-exit and the test device kvm-unit-tests uses
 * (pc-testdev), COM1 on stdout.  Its vCPU threads are named ("CPU 0/KVM")
 * so the host-side probes can find them.  At a hang QEMU's monitor is asked
 * for the vCPU's RIP and the bytes there, so a hang under QEMU is reported
 * like one under refvmm ("vCPU hung at vmcall (rip=...)").
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "payload.h"
#include "target.h"
#include "vm.h"

#define QEMU_BIN "qemu-system-x86_64"
#define MONITOR_WAIT_MS 1500

static void qemu_argv(const struct target *t, const struct target_boot *b, const char *cmdline,
		      const char *monitor, char **argv, char *buf, size_t buf_len)
{
	bool kvm = t->vmm->needs_kvm;
	char *smp = buf, *mem, *mon;
	int i = 0;

	/* Numbers and the monitor spec: NUL-terminated strings one after another in buf. */
	mem = smp + snprintf(smp, buf_len, "%u", b->nr_vcpus ? b->nr_vcpus : 1) + 1;
	mon = mem + snprintf(mem, buf_len - (size_t)(mem - buf), "%u", b->mem_mib) + 1;
	snprintf(mon, buf_len - (size_t)(mon - buf), "unix:%s,server=on,wait=off", monitor);

	argv[i++] = QEMU_BIN;
	argv[i++] = "-M";
	argv[i++] = "microvm";
	argv[i++] = "-accel";
	argv[i++] = kvm ? "kvm" : "tcg";
	/*
	 * Under KVM the host's CPUID, as refvmm offers, without
	 * ARCH_CAPABILITIES: PVM refuses QEMU's write of that MSR.  Under TCG
	 * the most QEMU can emulate.
	 */
	argv[i++] = "-cpu";
	argv[i++] = kvm ? "host,-arch-capabilities" : "max";
	argv[i++] = "-smp";
	argv[i++] = smp;
	argv[i++] = "-m";
	argv[i++] = mem;
	argv[i++] = "-name";
	argv[i++] = "hvbench,debug-threads=on"; /* "CPU 0/KVM": the probes find the vCPU threads */
	argv[i++] = "-nodefaults";
	argv[i++] = "-no-user-config";
	argv[i++] = "-nographic";
	argv[i++] = "-no-reboot";	/* a triple fault ends the run instead of rebooting */
	argv[i++] = "-serial";
	argv[i++] = "stdio";
	argv[i++] = "-monitor";
	argv[i++] = mon;
	argv[i++] = "-device";
	argv[i++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	argv[i++] = "-device";
	argv[i++] = "pc-testdev";
	argv[i++] = "-kernel";
	argv[i++] = (char *)b->payload->path;
	argv[i++] = "-append";
	argv[i++] = (char *)cmdline;
	argv[i] = NULL;
}

/* isa-debug-exit makes QEMU exit with (status << 1) | 1; anything else is QEMU's own ending. */
static int qemu_guest_status(int wstatus, char *why, size_t len)
{
	if (WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) & 1))
		return WEXITSTATUS(wstatus) >> 1;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		snprintf(why, len, "QEMU shut the VM down without a debug-exit write "
			 "(a triple fault under -no-reboot)");
	else if (WIFSIGNALED(wstatus))
		snprintf(why, len, "QEMU died of signal %d", WTERMSIG(wstatus));
	else
		snprintf(why, len, "QEMU failed (exit %d)", WEXITSTATUS(wstatus));
	return -1;
}

/* Read from the monitor until its prompt comes back (or the time is up) into buf. */
static size_t monitor_read(int fd, char *buf, size_t len, int ms)
{
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;

		if (poll(&pfd, 1, ms) <= 0)
			break;
		got = read(fd, buf + n, len - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
		buf[n] = '\0';
		if (strstr(buf, "(qemu) "))
			break;
	}
	buf[n] = '\0';
	return n;
}

static bool monitor_ask(int fd, const char *cmd, char *buf, size_t len)
{
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		return false;
	monitor_read(fd, buf, len, MONITOR_WAIT_MS);
	return buf[0] != '\0';
}

/* The bytes of "x/16xb" output: "ADDR: 0x0f 0x01 ..." lines. */
static unsigned int bytes_parse(const char *s, uint8_t *out, unsigned int max)
{
	unsigned int n = 0;

	while ((s = strchr(s, ':')) && n < max) {
		s++;
		while (n < max) {
			char *end;
			unsigned long v;

			while (*s == ' ')
				s++;
			if (s[0] != '0' || s[1] != 'x')
				break;
			v = strtoul(s, &end, 16);
			if (end == s || v > 0xff)
				break;
			out[n++] = (uint8_t)v;
			s = end;
		}
	}
	return n;
}

static bool qemu_hang_where(const char *monitor, char *where, size_t len, uint64_t *rip_out,
			    const char **insn_out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[8192], cmd[64];
	unsigned long long rip;
	uint8_t insn[16];
	unsigned int n;
	const char *name, *r;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = false;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", monitor);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		goto out;
	monitor_read(fd, buf, sizeof(buf), MONITOR_WAIT_MS); /* the banner and first prompt */
	if (!monitor_ask(fd, "info registers\n", buf, sizeof(buf)) || !(r = strstr(buf, "RIP=")))
		goto out;
	rip = strtoull(r + 4, NULL, 16);
	snprintf(cmd, sizeof(cmd), "x/16xb 0x%llx\n", rip);
	n = monitor_ask(fd, cmd, buf, sizeof(buf)) ? bytes_parse(buf, insn, sizeof(insn)) : 0;
	name = vm_insn_name(insn, n);
	snprintf(where, len, "%s (rip=0x%llx)",
		 name ? name : "an unrecognised instruction", rip);
	*rip_out = rip;
	*insn_out = name;
	ok = true;
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

static const struct target_vmm qemu_kvm = {
	.bin = QEMU_BIN, .needs_kvm = true, .bench_deadline_scale = 1,
	.argv_build = qemu_argv, .guest_status = qemu_guest_status,
	.hang_where = qemu_hang_where,
};

/* TCG emulates every instruction: the same samples take longer. */
static const struct target_vmm qemu_tcg = {
	.bin = QEMU_BIN, .needs_kvm = false, .bench_deadline_scale = 3,
	.kvm_probes_blind = "TCG does not use KVM: its tracepoints never fire",
	.argv_build = qemu_argv, .guest_status = qemu_guest_status,
	.hang_where = qemu_hang_where,
};

const struct target target_qemu_kvm = {
	.name = "qemu-kvm",
	.what = "qemu-system-x86_64 -M microvm -accel kvm",
	.probe = target_external_probe,
	.cannot = target_external_cannot,
	.boot = target_external_boot,
	.vmm = &qemu_kvm,
};

const struct target target_qemu_tcg = {
	.name = "qemu-tcg",
	.what = "qemu-system-x86_64 -M microvm -accel tcg (emulation, no KVM)",
	.probe = target_external_probe,
	.cannot = target_external_cannot,
	.boot = target_external_boot,
	.vmm = &qemu_tcg,
};
