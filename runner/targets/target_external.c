/* SPDX-License-Identifier: MIT */
/*
 * Every external VMM's boot: the payload booted by the VMM's command line
 * (its target_vmm builds it), the records read from its serial console,
 * its ending decoded by the target_vmm.  At the deadline the target_vmm may
 * ask the VMM where the vCPU is before the process is killed; a VMM that
 * does not exit with its guest (vmm-cmd) is stopped at the records' end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvbench/ports.h"
#include "path_find.h"
#include "payload.h"
#include "target.h"
#include "vmm_proc.h"

#define EXT_CMDLINE_MAX 512

/* bin is an executable file: a path, or a name somewhere on PATH. */
static bool bin_found(const char *bin)
{
	const char *dirs = getenv("PATH");
	char path[4096];

	if (strchr(bin, '/'))
		return !access(bin, X_OK);
	return dirs && !path_find(bin, dirs, path, sizeof(path));
}

int target_external_probe(const struct target *t, char *why, size_t len)
{
	if (!bin_found(t->vmm->bin)) {
		snprintf(why, len, "%s is not installed (not found on PATH)", t->vmm->bin);
		return -1;
	}
	if (t->vmm->needs_kvm && access("/dev/kvm", R_OK | W_OK)) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	return 0;
}

const char *target_external_cannot(const struct target *t, const struct workload *w,
				   enum bench_mode m)
{
	const char *need = workload_refvmm_need(w);

	(void)t;
	if (need)
		return need;
	if (m != MODE_HVM)
		return "modes other than hvm need refvmm's paravirtual devices";
	return NULL;
}

struct ext_boot {
	const struct target_boot *b;
	const struct target_vmm *vmm;
	const char *monitor;
	char where[200];
	uint64_t rip;
	const char *insn;
	bool where_known;
	char stopped[128];	/* the VMM's own report that it stopped the VM, if any */
};

/*
 * QEMU does not exit on a KVM internal error: it prints the error and the
 * registers and pauses the VM, which then looks like a hang.  Its report is
 * kept so the outcome is the crash it is.
 */
static void ext_line(void *ctx, const char *line, size_t len)
{
	static const char internal[] = "KVM internal error";
	struct ext_boot *x = ctx;

	if (!x->stopped[0] && len >= sizeof(internal) - 1 &&
	    !memcmp(line, internal, sizeof(internal) - 1))
		snprintf(x->stopped, sizeof(x->stopped), "%.*s", (int)len, line);
	x->b->line(x->b->ctx, line, len);
}

static bool ext_ended(void *ctx)
{
	const struct ext_boot *x = ctx;

	return x->b->ended(x->b->ctx);
}

static void ext_started(void *ctx, pid_t pid)
{
	const struct ext_boot *x = ctx;

	x->b->proc->started(x->b->ctx, pid);
}

static void ext_child_setup(void *ctx)
{
	const struct ext_boot *x = ctx;

	x->b->proc->child_setup(x->b->ctx);
}

static void ext_on_timeout(void *ctx)
{
	struct ext_boot *x = ctx;

	x->where_known = x->vmm->hang_where &&
			 x->vmm->hang_where(x->monitor, x->where, sizeof(x->where), &x->rip,
					    &x->insn);
}

static void outcome_judge(struct ext_boot *x, const struct vmm_proc_result *res,
			  struct target_outcome *o)
{
	const struct target_vmm *v = x->vmm;
	char why[256];
	int status;

	o->seconds = res->seconds;
	if (res->timed_out) {
		if (x->where_known) {
			o->hang_insn = x->insn;
			o->hang_rip = x->rip;
			o->hang_rip_valid = true;
		}
		if (x->stopped[0]) {
			o->result = TARGET_CRASHED;
			snprintf(o->why, sizeof(o->why), "%s stopped the VM: %s", v->bin, x->stopped);
			if (x->where_known)
				snprintf(o->where, sizeof(o->where), "the vCPU was at %s", x->where);
			return;
		}
		o->result = TARGET_HUNG;
		if (x->where_known)
			snprintf(o->where, sizeof(o->where), "vCPU hung at %s", x->where);
		o->where_leads = true;
		return;
	}
	o->vmm_status = WIFEXITED(res->wstatus) ? WEXITSTATUS(res->wstatus) : -1;
	if (res->not_found) {
		o->result = TARGET_FAILED;
		o->unavailable = true;
		snprintf(o->why, sizeof(o->why), "%s could not be run (not installed?)", v->bin);
		return;
	}
	/* A VMM stopped at (or exiting after) the records' end: they say how it went. */
	if (v->stop_at_end && x->b->ended && x->b->ended(x->b->ctx))
		status = GUEST_STATUS_PASS;
	else
		status = v->guest_status(res->wstatus, why, sizeof(why));
	if (status >= 0) {
		o->result = TARGET_EXITED;
		o->guest_status = status;
	} else {
		o->result = TARGET_CRASHED;
		snprintf(o->why, sizeof(o->why), "%s", why);
	}
}

void target_external_boot(const struct target *t, const struct target_boot *b,
			  struct target_outcome *o)
{
	const struct target_vmm *v = t->vmm;
	char cmdline[EXT_CMDLINE_MAX], monitor[108], buf[8192];
	char *argv[TARGET_ARGV_MAX + 1];
	struct ext_boot x = { .b = b, .vmm = v, .monitor = monitor };
	struct vmm_proc proc = {
		.argv = argv, .timeout_s = b->timeout_s, .on_timeout = ext_on_timeout,
		.line = ext_line, .ctx = &x,
		.done = v->stop_at_end && b->ended ? ext_ended : NULL,
		.on_start = b->proc && b->proc->started ? ext_started : NULL,
		.child_setup = b->proc && b->proc->child_setup ? ext_child_setup : NULL,
		.child_arg = &x,
	};
	struct vmm_proc_result res;

	*o = (struct target_outcome){ .result = TARGET_FAILED, .vmm_status = -1 };
	b->cmdline(b->ctx, 0, true, cmdline, sizeof(cmdline));
	snprintf(monitor, sizeof(monitor), "/tmp/hvbench-monitor-%d.sock", (int)getpid());
	unlink(monitor);
	v->argv_build(t, b, cmdline, monitor, argv, buf, sizeof(buf));
	if (!argv[0])
		snprintf(o->why, sizeof(o->why), "%s: the command line does not fit", v->bin);
	else if (vmm_proc_run(&proc, &res))
		snprintf(o->why, sizeof(o->why), "cannot start %s: %s", v->bin, strerror(errno));
	else
		outcome_judge(&x, &res, o);
	unlink(monitor);
}
