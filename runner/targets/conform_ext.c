/* SPDX-License-Identifier: MIT */
/*
 * Conformance tests under an external VMM: the payload booted by the VMM's
 * command line, the records read from its serial console, its exit status
 * decoded by the adapter.  At the deadline the adapter may ask the VMM where
 * the vCPU is before the process is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conform_proto.h"
#include "conform_target.h"
#include "hvbench/ports.h"
#include "vmm_proc.h"

#define GUEST_MEM_MIB 64

/* bin is an executable file somewhere on PATH (or a path). */
static bool bin_found(const char *bin)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(bin, '/'))
		return !access(bin, X_OK);
	while (path && *path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", bin);
		if (!access(buf, X_OK))
			return true;
		path = colon ? colon + 1 : NULL;
	}
	return false;
}

int conform_ext_probe(const struct conform_target *t, char *why, size_t len)
{
	if (!bin_found(t->ext->bin)) {
		snprintf(why, len, "%s is not installed (not found on PATH)", t->ext->bin);
		return -1;
	}
	if (t->ext->needs_kvm && access("/dev/kvm", R_OK | W_OK)) {
		snprintf(why, len, "/dev/kvm: %s", strerror(errno));
		return -1;
	}
	return 0;
}

struct ext_run {
	struct conform_proto proto;
	const struct conform_ext_vmm *vmm;
	const struct conform_boot *boot;
	char where[256];
	char stopped[128];	/* the VMM's own report that it stopped the VM, if any */
};

/*
 * QEMU does not exit on a KVM internal error: it prints the error and the
 * registers and pauses the VM, which then looks like a hang.  Its report is
 * kept so the outcome is the crash it is.
 */
static void console_to_proto(void *ctx, const char *line, size_t len)
{
	static const char internal[] = "KVM internal error";
	struct ext_run *x = ctx;

	if (!x->stopped[0] && len >= sizeof(internal) - 1 &&
	    !memcmp(line, internal, sizeof(internal) - 1))
		snprintf(x->stopped, sizeof(x->stopped), "%.*s", (int)len, line);
	conform_proto_line(&x->proto, line, len);
}

static bool test_ended(void *ctx)
{
	const struct ext_run *x = ctx;

	return x->proto.ended;
}

static void on_timeout(void *ctx)
{
	struct ext_run *x = ctx;

	if (x->vmm->hang_where && !x->vmm->hang_where(x->boot, x->where, sizeof(x->where)))
		x->where[0] = '\0';
}

static void outcome_judge(struct ext_run *x, const struct vmm_proc_result *res,
			  const struct conform_target *t, const struct conform_ctx *c,
			  struct conform_result *r)
{
	char why[256];
	int status;

	if (res->timed_out && x->stopped[0]) {
		r->status = CONFORM_CRASH;
		snprintf(r->reason, sizeof(r->reason), "%s stopped the VM: %s%s%s", t->ext->bin,
			 x->stopped, x->where[0] ? "; the vCPU was at " : "", x->where);
		return;
	}
	if (res->timed_out) {
		r->status = CONFORM_TIMEOUT;
		snprintf(r->reason, sizeof(r->reason), "%s%s%sno result within %.3g s",
			 x->where[0] ? "vCPU hung at " : "", x->where, x->where[0] ? "; " : "",
			 c->timeout_s);
		return;
	}
	r->vmm_status = WIFEXITED(res->wstatus) ? WEXITSTATUS(res->wstatus) : -1;
	if (res->not_found) {
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "%s could not be run", t->ext->bin);
		return;
	}
	/* A VMM stopped at (or exiting after) the end record: the record says how it went. */
	if (t->ext->stop_at_end && x->proto.ended)
		status = GUEST_STATUS_PASS;
	else
		status = t->ext->guest_status(res->wstatus, why, sizeof(why));
	if (status == GUEST_STATUS_PASS) {
		conform_proto_finish(&x->proto);
	} else if (status == GUEST_STATUS_EXCEPTION && x->proto.crash[0]) {
		r->status = CONFORM_CRASH;
		snprintf(r->reason, sizeof(r->reason), "%s", x->proto.crash + 4);
	} else if (status >= 0) {
		r->status = status == GUEST_STATUS_FAIL ? CONFORM_ERROR : CONFORM_CRASH;
		snprintf(r->reason, sizeof(r->reason), "the payload exited with status %d: %s",
			 status, x->proto.last_other[0] ? x->proto.last_other : "(no message)");
	} else {
		r->status = CONFORM_CRASH;
		snprintf(r->reason, sizeof(r->reason), "%.200s%s%.200s", why,
			 x->proto.last_other[0] ? "; last line: " : "", x->proto.last_other);
	}
}

void conform_ext_run(const struct conform_target *t, const struct conform_ctx *c,
		     const struct conform_test *test, struct conform_result *r)
{
	char cmdline[256], monitor[108], buf[8192];
	char *argv[CONFORM_ARGV_MAX + 1];
	struct conform_boot boot = {
		.payload_path = c->payload->path,
		.cmdline = cmdline,
		.nr_vcpus = test->nr_vcpus,
		.mem_mib = GUEST_MEM_MIB,
		.monitor_path = monitor,
	};
	struct ext_run x = { .vmm = t->ext, .boot = &boot };
	struct vmm_proc proc = {
		.argv = argv, .timeout_s = c->timeout_s, .on_timeout = on_timeout,
		.line = console_to_proto, .ctx = &x, .done = t->ext->stop_at_end ? test_ended : NULL,
	};
	struct vmm_proc_result res;

	*r = (struct conform_result){ .vmm_status = -1 };
	conform_proto_init(&x.proto, test->id, r);
	conform_cmdline(cmdline, sizeof(cmdline), test, c, true);
	snprintf(monitor, sizeof(monitor), "/tmp/hvbench-monitor-%d.sock", (int)getpid());
	unlink(monitor);
	t->ext->argv_build(t->ext, &boot, argv, buf, sizeof(buf));
	if (!argv[0]) {
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "%s: the command line does not fit",
			 t->ext->bin);
	} else if (vmm_proc_run(&proc, &res)) {
		r->status = CONFORM_ERROR;
		snprintf(r->reason, sizeof(r->reason), "cannot start %s: %s", t->ext->bin,
			 strerror(errno));
	} else {
		outcome_judge(&x, &res, t, c, r);
		r->seconds = res.seconds;
	}
	unlink(monitor);
}
