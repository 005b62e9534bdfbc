/* SPDX-License-Identifier: MIT */
/*
 * Which hypervisor this host runs under, from every source, each named,
 * and what the guest kernel itself does about it (its paravirtualisation).
 * Sources: CPUID (hv_cpuid.h), /sys/hypervisor (Xen), DMI, the kernel's
 * log (hv_kmsg.h).  They can disagree, and on the machines this project
 * runs on they do (CPUID says bhyve, the kernel says PVM): the verdict
 * lists what each says and spells a disagreement out, and never picks one.
 *
 * Every path read is under a root prefix and CPUID is a function, so
 * the whole is tested on fixture trees of KVM, Xen, Hyper-V and PVM guests.
 */
#ifndef HV_IDENTIFY_H
#define HV_IDENTIFY_H

#include <jansson.h>

#include "hv_cpuid.h"

struct hv_input {
	const char *root;	/* prefix of every path read: "" here, a fixture tree in tests */
	hv_cpuid_fn *cpuid;	/* HV_CPUID_HERE; NULL: no CPUID on this architecture */
	void *cpuid_arg;
	const json_t *env;	/* env_capture's record so far: cpu.flags, mitigations, dmi */
};

/*
 * The environment's "hypervisor" object (the whole layout is in env.c's
 * top comment and docs/environment.md).  What cannot be read is "unknown",
 * with the reason added to why keyed "hypervisor.<section>.<key>".  What
 * env already records (DMI, mitigations, cpuinfo flags, the command line,
 * the kernel release) is read from in->env, not recorded twice.  NULL only
 * when out of memory.  Its "verdict" member puts the sources side by side:
 *
 *   { "cpuid": [ "bhyve" ] | "unknown", "kernel": "PVM (pv-lite)" | null,
 *     "sysfs": "Xen" | null, "dmi": "QEMU" | null, "disagreement": str | null }
 *
 * cpuid lists a name per vendor signature (the signature itself, quoted,
 * when it names no hypervisor known here), empty when the hypervisor bit
 * is clear.  A source with nothing to say is null; DMI speaks only when it
 * names a hypervisor or VMM (QEMU, Xen, VMware...), not a cloud vendor.
 * disagreement spells out every source that differs from CPUID (from one
 * another when CPUID names none), and why such sources can differ.
 */
json_t *hv_identify_json(const struct hv_input *in, json_t *why);

#endif
