/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "conform_target.h"

const struct conform_target conform_targets[] = {
	{ "refvmm", "hvbench's own VMM, in-process (the default)",
	  conform_refvmm_probe, conform_refvmm_run, NULL },
	{ "qemu-kvm", "qemu-system-x86_64 -M microvm -accel kvm",
	  conform_ext_probe, conform_ext_run, &conform_qemu_kvm },
	{ "qemu-tcg", "qemu-system-x86_64 -M microvm -accel tcg (emulation, no KVM)",
	  conform_ext_probe, conform_ext_run, &conform_qemu_tcg },
	{ "vmm-cmd", "any VMM from --vmm-cmd TEMPLATE (docs/vmm-cmd.md)",
	  conform_ext_probe, conform_ext_run, &conform_vmm_cmd },
};

const size_t conform_nr_targets = sizeof(conform_targets) / sizeof(conform_targets[0]);

const struct conform_target *conform_target_find(const char *name)
{
	for (size_t i = 0; i < conform_nr_targets; i++)
		if (!strcmp(conform_targets[i].name, name))
			return &conform_targets[i];
	return NULL;
}

void conform_cmdline(char *buf, size_t len, const struct conform_test *test,
		     const struct conform_ctx *c, bool serial)
{
	int n = snprintf(buf, len, "conform=%s", test->id);

	if (c->tsc_khz && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " tsc_khz=%u", c->tsc_khz);
	if (serial && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " console=serial");
}
