/* SPDX-License-Identifier: MIT */
/*
 * The vmm-cmd target: any VMM that boots a PVH ELF and gives COM1 on its
 * stdout (Firecracker, cloud-hypervisor), from a command template
 * (--vmm-cmd, docs/vmm-cmd.md).  Such a VMM need not exit when the guest is
 * done, nor with the payload's status: the payload's end record is the end,
 * and the VMM is stopped there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "payload.h"
#include "target.h"
#include "vmm_template.h"

static const struct vmm_template *tmpl;

static void vmm_cmd_argv(const struct target *t, const struct target_boot *b, const char *cmdline,
			 const char *monitor, char **argv, char *buf, size_t buf_len)
{
	struct vmm_template_vars vars = { b->payload->path, cmdline, b->mem_mib,
					  b->nr_vcpus ? b->nr_vcpus : 1 };
	char **full = NULL;
	size_t used = 0, i = 0;

	(void)t;
	(void)monitor;
	argv[0] = NULL;
	if (!tmpl || vmm_template_expand(tmpl, &vars, &full))
		return;
	/* Into buf, as the adapters' contract has it; too long leaves argv[0] NULL. */
	for (; full[i] && i < TARGET_ARGV_MAX; i++) {
		size_t n = strlen(full[i]) + 1;

		if (used + n > buf_len) {
			argv[0] = NULL;
			break;
		}
		argv[i] = memcpy(buf + used, full[i], n);
		argv[i + 1] = NULL;
		used += n;
	}
	if (full[i])
		argv[0] = NULL;
	vmm_template_argv_free(full);
}

/* Only reached when the VMM ended before the payload's end record. */
static int vmm_cmd_guest_status(int wstatus, char *why, size_t len)
{
	if (WIFSIGNALED(wstatus))
		snprintf(why, len, "the VMM died of signal %d before the payload's end record",
			 WTERMSIG(wstatus));
	else
		snprintf(why, len, "the VMM exited (status %d) before the payload's end record",
			 WEXITSTATUS(wstatus));
	return -1;
}

static struct target_vmm vmm_cmd = {
	.bin = "vmm-cmd (no --vmm-cmd given)", .bench_deadline_scale = 1,
	.argv_build = vmm_cmd_argv, .guest_status = vmm_cmd_guest_status, .stop_at_end = true,
};

const struct target target_vmm_cmd = {
	.name = "vmm-cmd",
	.what = "any VMM from --vmm-cmd TEMPLATE (docs/vmm-cmd.md)",
	.probe = target_external_probe,
	.cannot = target_external_cannot,
	.boot = target_external_boot,
	.vmm = &vmm_cmd,
};

void target_vmm_cmd_set(const struct vmm_template *t, const char *program)
{
	tmpl = t;
	vmm_cmd.bin = program;
}
