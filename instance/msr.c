/* SPDX-License-Identifier: MIT */
/*
 * An MSR read through the msr driver: pread(2) of /dev/cpu/N/msr at the
 * MSR's number runs rdmsr in the kernel, on CPU N.  In a guest rdmsr
 * exits to the hypervisor, which emulates it; the pread's own kernel entry
 * and exit are in the figure too, so its pair is syscall-getppid and the
 * difference is the rdmsr exit.
 *
 * The MSR is IA32_APIC_BASE (0x1b): every hypervisor emulates it, since
 * it virtualises the local APIC, and reading it changes nothing.  IA32_TSC
 * (0x10) would be the other harmless choice, but KVM on VMX lets a guest
 * read it without an exit (as it does rdtsc), so it would measure no exit
 * there.
 *
 * N is the CPU the caller runs on: the runner pins the measuring thread
 * before it measures.  An unpinned caller (a test) may move between
 * batches; each batch starts on its current CPU, so the read stays local
 * rather than becoming a cross-CPU call in the driver.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "native_impl.h"
#include "probe_lib.h"
#include "probes.h"

#define MSR_IA32_APIC_BASE	0x1b

struct msr_read {
	int fd;
	int cpu;
};

/* Open cpu's msr file and read the MSR once: 0, or -1 with why said. */
static int msr_file_open(struct msr_read *m, int cpu, char *why, size_t why_len)
{
	char path[48];
	uint64_t v;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENXIO || errno == ENODEV))
		return probe_why(why, why_len, "%s does not exist: load the msr module "
				 "(modprobe msr)", path);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return probe_why(why, why_len, "%s: permission denied (needs root: "
				 "CAP_SYS_RAWIO)", path);
	if (fd < 0)
		return probe_why(why, why_len, "%s: %s", path, strerror(errno));
	n = pread(fd, &v, sizeof(v), MSR_IA32_APIC_BASE);
	if (n != sizeof(v)) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return probe_why(why, why_len, "rdmsr 0x%x through %s failed: %s",
				 MSR_IA32_APIC_BASE, path, strerror(err));
	}
	m->fd = fd;
	m->cpu = cpu;
	return 0;
}

static int msr_open(struct native_ctx *ctx, char *why, size_t why_len)
{
	struct msr_read *m;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return probe_why(why, why_len, "sched_getcpu failed: %s", strerror(errno));
	m = calloc(1, sizeof(*m));
	if (!m)
		return probe_why(why, why_len, "out of memory");
	if (msr_file_open(m, cpu, why, why_len)) {
		free(m);
		return -1;
	}
	ctx->priv = m;
	return 0;
}

static int msr_prepare(struct native_ctx *ctx, uint64_t batch, char *why, size_t why_len)
{
	struct msr_read *m = ctx->priv;
	int cpu = sched_getcpu(), old = m->fd;

	(void)batch;
	if (cpu < 0 || cpu == m->cpu)
		return 0;
	if (msr_file_open(m, cpu, why, why_len))
		return -1;
	close(old);
	return 0;
}

static int msr_run(struct native_ctx *ctx, uint64_t batch)
{
	struct msr_read *m = ctx->priv;
	uint64_t v;

	for (uint64_t i = 0; i < batch; i++) {
		ssize_t n = pread(m->fd, &v, sizeof(v), MSR_IA32_APIC_BASE);

		if (n != sizeof(v)) {
			if (n >= 0)
				errno = EIO;
			return -1;
		}
	}
	return 0;
}

static void msr_close(struct native_ctx *ctx)
{
	struct msr_read *m = ctx->priv;

	close(m->fd);
	free(m);
	ctx->priv = NULL;
}

static const struct native_impl msr_impl = {
	.open = msr_open,
	.prepare = msr_prepare,
	.run = msr_run,
	.close = msr_close,
};

const struct native_op instance_op_msr_read_devcpu = {
	.name = "msr-read-devcpu",
	.what = "pread of IA32_APIC_BASE (0x1b) from /dev/cpu/N/msr on the caller's CPU: a "
		"kernel entry and an rdmsr the hypervisor emulates",
	.impl = &msr_impl,
};
