/* SPDX-License-Identifier: MIT */
/*
 * A repetition on an external VMM: the same bench payload booted by the
 * target (QEMU microvm with KVM or emulated by TCG, any VMM a command
 * template describes), its @hvb records read from the serial port.  The guest times itself, so the same workload must cost about the
 * same under every VMM wherever the userspace VMM is not on the path.
 * External VMMs give no KVM statistics and ignore the mark port, so
 * per-operation costs stay empty; the payload announces its marks on the
 * console instead (marks=serial), and the host-side probes watch the VMM's
 * threads between those lines (the "serial" window, docs/probes.md).
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvbench/ports.h"
#include "mem_backing.h"
#include "proto.h"
#include "rep.h"
#include "rep_probes.h"
#include "target.h"

#define GUEST_MEM_MIB 64

/* One repetition's state: the records, the probes its mark lines open and close, the VMM. */
struct ext_run {
	const struct workload *w;
	unsigned int cpl;
	const struct rep_opts *o;
	struct proto_result p;
	struct rep_probe_run *probes;	/* or NULL */
	pid_t pid;			/* the VMM, once started */
	bool every_thread;		/* no thread was named like a vCPU */
	bool backing_read;		/* at the end mark, for memory_backing workloads */
	int backing_errno;
	struct mem_backing backing;
};

static void ext_started(void *ctx, pid_t pid)
{
	struct ext_run *x = ctx;

	x->pid = pid;
}

#define EXT_THREADS_MAX 16

/*
 * A vCPU thread by the name its VMM gives it: QEMU's "CPU 0/KVM" (with
 * -name debug-threads=on; "CPU 0/TCG" under TCG), Firecracker's
 * "fc_vcpu 0", cloud-hypervisor's "vcpu0".
 */
static bool vcpu_index(const char *comm, unsigned int *index)
{
	static const struct {
		const char *prefix, *suffix[2];
	} names[] = {
		{ "CPU ", { "/KVM", "/TCG" } },
		{ "fc_vcpu ", { "", "" } },
		{ "vcpu", { "", "" } },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t n = strlen(names[i].prefix);
		const char *c = comm + n;
		char *end;
		unsigned long v;

		if (strncmp(comm, names[i].prefix, n) || *c < '0' || *c > '9')
			continue;
		errno = 0;
		v = strtoul(c, &end, 10);
		if (errno || v > 4095)
			continue;
		if (!strcmp(end, names[i].suffix[0]) || !strcmp(end, names[i].suffix[1])) {
			*index = (unsigned int)v;
			return true;
		}
	}
	return false;
}

static bool thread_comm(pid_t pid, pid_t tid, char *comm, size_t len)
{
	char path[96];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(comm, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		comm[strcspn(comm, "\n")] = '\0';
	return ok;
}

/*
 * The VMM's vCPU threads; if none is named like one, every thread of the
 * process ("vmm0", "vmm1", ... in /proc's order) and *every says so.
 */
static unsigned int vmm_threads(pid_t pid, struct rep_probe_tid *tids, bool *every)
{
	struct rep_probe_tid all[EXT_THREADS_MAX];
	unsigned int n = 0, nr_all = 0;
	char path[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char comm[32];
		unsigned int index;
		pid_t tid = (pid_t)atoi(e->d_name);

		if (tid <= 0 || !thread_comm(pid, tid, comm, sizeof(comm)))
			continue;
		if (vcpu_index(comm, &index) && n < EXT_THREADS_MAX) {
			tids[n] = (struct rep_probe_tid){ tid, REP_THREAD_VCPU, index, "" };
			snprintf(tids[n++].name, sizeof(tids[0].name), "vcpu%u", index);
		} else if (nr_all < EXT_THREADS_MAX) {
			all[nr_all] = (struct rep_probe_tid){ tid, REP_THREAD_VMM, nr_all, "" };
			snprintf(all[nr_all].name, sizeof(all[0].name), "vmm%u", nr_all);
			nr_all++;
		}
	}
	closedir(d);
	*every = !n;
	if (n)
		return n;
	memcpy(tids, all, nr_all * sizeof(all[0]));
	return nr_all;
}

/*
 * The end mark, while the VMM still runs (and after the probes' window has
 * closed: reading smaps takes milliseconds, in which the guest's sample
 * records already cost exits).  Which mappings hold guest RAM is the VMM's
 * business: those of at least its size, writable and not executable.
 */
static void backing_at_end(struct ext_run *x)
{
	struct mem_backing_select sel = { .min_kib = (uint64_t)GUEST_MEM_MIB * 1024 };

	x->backing_read = true;
	if (!x->pid)
		x->backing_errno = ESRCH;
	else if (mem_backing_read(x->pid, &sel, &x->backing))
		x->backing_errno = errno;
}

/* The records, the probes' window at the two mark lines, the memory at the end. */
static void console_line(void *ctx, const char *line, size_t len)
{
	struct ext_run *x = ctx;
	bool begun = x->p.mark_begun, ended = x->p.mark_ended;

	proto_line(&x->p, line, len);
	if (x->p.error[0])
		return;
	if (x->probes && !begun && x->p.mark_begun) {
		struct rep_probe_tid tids[EXT_THREADS_MAX];
		unsigned int n = x->pid ? vmm_threads(x->pid, tids, &x->every_thread) : 0;

		rep_probe_run_begin(x->probes, tids, n);
	}
	if (!ended && x->p.mark_ended) {
		if (x->probes)
			rep_probe_run_end(x->probes);
		if (x->w->memory_backing)
			backing_at_end(x);
	}
}

/* A VMM that does not exit with its guest: the payload's end record is the end. */
static bool payload_ended(void *ctx)
{
	const struct ext_run *x = ctx;

	return x->p.ended;
}

static void ext_cmdline(void *ctx, uint32_t tsc_khz, bool serial, char *buf, size_t len)
{
	const struct ext_run *x = ctx;

	(void)tsc_khz;
	(void)serial;
	/* The VMM states no TSC rate: the payload is told KVM's. */
	rep_cmdline(buf, len > 32 ? len - 32 : len, x->w, MODE_HVM, x->cpl, x->o,
		    x->o->kvm_tsc_khz);
	if (strlen(buf) + 32 < len)
		strcat(buf, " console=serial marks=serial");
}

/*
 * In the child: the VMM on the CPUs refvmm's vCPU threads would have.  Its
 * vCPU threads can only be told apart from inside, so the whole process
 * gets their union.
 */
static void ext_child_setup(void *ctx)
{
	const struct ext_run *x = ctx;
	const struct pin_plan *pin = x->o->pin;
	unsigned int n = x->w->nr_vcpus ? x->w->nr_vcpus : 1;
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

static const struct target_proc_hooks ext_hooks = {
	.child_setup = ext_child_setup,
	.started = ext_started,
};

void rep_run_external(const struct target *t, const struct workload *w, unsigned int cpl,
		      const struct rep_opts *o, struct rep *out)
{
	struct ext_run x = { .w = w, .cpl = cpl, .o = o };
	struct proto_result *p = &x.p;
	double timeout_s = t->vmm->bench_deadline_scale * o->timeout_s;
	struct target_boot b = {
		.payload = o->payload,
		.nr_vcpus = w->nr_vcpus ? w->nr_vcpus : 1,
		.mem_mib = GUEST_MEM_MIB,
		.timeout_s = timeout_s,
		.cmdline = ext_cmdline,
		.line = console_line,
		.ended = payload_ended,
		.ctx = &x,
		.proc = &ext_hooks,
	};
	struct target_outcome oc;

	*out = (struct rep){ .status = REP_OK };
	if (!o->kvm_tsc_khz) {
		rep_fail(out, REP_UNAVAILABLE, "%s needs KVM's TSC rate to time the payload",
			 t->name);
		return;
	}
	proto_init(p);
	x.probes = rep_probe_run_new(o->probes, "serial", t->vmm->kvm_probes_blind);
	t->boot(t, &b, &oc);
	rep_judge(out, t, timeout_s, &oc, p);
	if (x.every_thread)
		rep_note(out, "probes: no VMM thread is named like a vCPU thread (CPU N/KVM, "
			 "fc_vcpu N, vcpuN): every thread of the VMM is watched as \"vmm\"");
	if (x.backing_read) {
		char note[sizeof(out->notes[0])];

		mem_backing_note(w, t == &target_vmm_cmd ? "the VMM's guest RAM" :
				 "QEMU's guest RAM", &x.backing, x.backing_errno, note, sizeof(note));
		rep_note(out, note);
	}
	rep_records(out, p, o->kvm_tsc_khz, false);
	out->probes = rep_probe_run_finish(x.probes);
	proto_free(p);
}
