/* SPDX-License-Identifier: MIT */
/*
 * A repetition under an external VMM: the same bench payload booted by
 * QEMU microvm (with KVM, or emulated by TCG) or by any VMM a command
 * template describes (vmm-cmd), its @hvb records read from the serial
 * port.  The guest times itself, so the same workload must cost about the
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
#include <sys/wait.h>

#include "hvbench/ports.h"
#include "mem_backing.h"
#include "proto.h"
#include "rep.h"
#include "rep_probes.h"
#include "vmm_proc.h"
#include "vmm_template.h"

#define QEMU_BIN "qemu-system-x86_64"
#define GUEST_MEM_MIB 64

/*
 * The VMM on the CPUs refvmm's vCPU threads would have: its vCPU threads
 * can only be told apart from inside, so the whole process gets their union.
 */
struct ext_pin {
	const struct workload *w;
	const struct pin_plan *pin;
};

static void ext_pin(void *arg)
{
	const struct ext_pin *q = arg;
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

/* What the console callback needs: the records, and the probes it opens and closes. */
struct ext_run {
	const struct workload *w;
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

/* vmm-cmd: the payload's end record is the end; the VMM need not exit by itself. */
static bool payload_ended(void *ctx)
{
	const struct ext_run *x = ctx;

	return x->p.ended;
}

/* isa-debug-exit makes QEMU exit with (status << 1) | 1. */
static void qemu_judge(int wstatus, const struct proto_result *p, struct rep *out)
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

/* A VMM of unknown habits: the payload's own records say how it went. */
static void vmm_cmd_judge(const struct vmm_proc_result *res, const struct proto_result *p,
			  struct rep *out)
{
	if (p->ended)
		return;
	if (res->not_found)
		rep_fail(out, REP_UNAVAILABLE, "vmm-cmd: the VMM could not be executed");
	else if (WIFSIGNALED(res->wstatus))
		rep_fail(out, REP_CRASH, "vmm-cmd: the VMM died of signal %d before the payload "
			 "ended: %s", WTERMSIG(res->wstatus), p->last_other);
	else
		rep_fail(out, REP_ERROR, "vmm-cmd: the VMM exited (status %d) before the payload "
			 "ended: %s", WEXITSTATUS(res->wstatus), p->last_other);
}

/*
 * -cpu host without ARCH_CAPABILITIES: some KVM backends (PVM) refuse
 * QEMU's write of that MSR; the rest is the host's CPUID, as refvmm offers.
 * TCG emulates its own "max" CPU.
 */
static char **qemu_argv(enum bench_target t, const char *payload, char *cmdline, char *smp)
{
	static char *argv[32];
	char **a = argv;

	*a++ = QEMU_BIN;
	*a++ = "-M";
	*a++ = "microvm";
	*a++ = "-accel";
	*a++ = t == TARGET_QEMU_TCG ? "tcg" : "kvm";
	*a++ = "-cpu";
	*a++ = t == TARGET_QEMU_TCG ? "max" : "host,-arch-capabilities";
	*a++ = "-smp";
	*a++ = smp;
	*a++ = "-m";
	*a++ = "64";
	*a++ = "-name";
	*a++ = "hvbench,debug-threads=on"; /* "CPU 0/KVM": the probes find the vCPU threads */
	*a++ = "-nodefaults";
	*a++ = "-no-user-config";
	*a++ = "-nographic";
	*a++ = "-serial";
	*a++ = "stdio";
	*a++ = "-device";
	*a++ = "isa-debug-exit,iobase=0xf4,iosize=4";
	*a++ = "-kernel";
	*a++ = (char *)payload;
	*a++ = "-append";
	*a++ = cmdline;
	*a = NULL;
	return argv;
}

void rep_run_external(const struct workload *w, enum bench_target t, unsigned int cpl,
		      const struct rep_opts *o, uint32_t tsc_khz, struct rep *out)
{
	struct ext_run x = { .w = w };
	struct proto_result *p = &x.p;
	char cmdline[352], smp[16];
	struct ext_pin pin = { .w = w, .pin = o->pin };
	struct vmm_proc proc = {
		.child_setup = ext_pin, .child_arg = &pin, .line = console_line, .ctx = &x,
		.on_start = ext_started,
		/* TCG emulates every instruction: the same samples take longer. */
		.timeout_s = t == TARGET_QEMU_TCG ? 3 * o->timeout_s : o->timeout_s,
	};
	struct vmm_proc_result res;
	char **argv = NULL;
	unsigned int cpus = w->nr_vcpus ? w->nr_vcpus : 1;

	*out = (struct rep){ .status = REP_OK };
	if (!o->payload_path || !tsc_khz) {
		rep_fail(out, REP_UNAVAILABLE, "%s needs the payload's path and KVM's TSC rate",
			 target_name(t));
		return;
	}
	snprintf(smp, sizeof(smp), "%u", cpus);
	rep_cmdline(cmdline, sizeof(cmdline) - 32, w, MODE_HVM, cpl, o, tsc_khz);
	strcat(cmdline, " console=serial marks=serial");
	if (t == TARGET_VMM_CMD) {
		struct vmm_template_vars v = { o->payload_path, cmdline, GUEST_MEM_MIB, cpus };

		if (!o->vmm_cmd || vmm_template_expand(o->vmm_cmd, &v, &argv)) {
			rep_fail(out, REP_ERROR, "vmm-cmd: %s", o->vmm_cmd ? "out of memory" :
				 "no --vmm-cmd template");
			return;
		}
		proc.argv = argv;
		proc.done = payload_ended;
	} else {
		proc.argv = qemu_argv(t, o->payload_path, cmdline, smp);
	}
	proto_init(p);
	x.probes = rep_probe_run_new(o->probes, "serial", t == TARGET_QEMU_TCG ?
				     "TCG does not use KVM: its tracepoints never fire" : NULL);
	if (vmm_proc_run(&proc, &res)) {
		rep_fail(out, REP_ERROR, "cannot start %s: %s", proc.argv[0], strerror(errno));
		goto out;
	}
	if (res.timed_out)
		rep_fail(out, REP_HANG, "%s: no end within the %.3g s deadline", target_name(t),
			 proc.timeout_s);
	else if (t == TARGET_VMM_CMD)
		vmm_cmd_judge(&res, p, out);
	else
		qemu_judge(res.wstatus, p, out);
	if (x.every_thread)
		rep_note(out, "probes: no VMM thread is named like a vCPU thread (CPU N/KVM, "
			 "fc_vcpu N, vcpuN): every thread of the VMM is watched as \"vmm\"");
	if (x.backing_read) {
		char note[sizeof(out->notes[0])];

		mem_backing_note(w, t == TARGET_VMM_CMD ? "the VMM's guest RAM" :
				 "QEMU's guest RAM", &x.backing, x.backing_errno, note, sizeof(note));
		rep_note(out, note);
	}
	for (unsigned int i = 0; i < p->nr_notes; i++)
		rep_note(out, p->notes[i]);
	if (out->status == REP_OK) {
		if (proto_finish(p))
			rep_fail(out, REP_ERROR, "bench payload output: %s", p->error);
		else if (p->unavailable)
			rep_fail(out, REP_UNAVAILABLE, "%s", p->why);
		else if (rep_samples_from_proto(p, tsc_khz, out))
			rep_fail(out, REP_ERROR, "out of memory");
	}
out:
	out->probes = rep_probe_run_finish(x.probes);
	proto_free(p);
	vmm_template_argv_free(argv);
}
