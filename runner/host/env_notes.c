/* SPDX-License-Identifier: MIT */
/*
 * What an environment record (env_capture) means for the figures measured
 * in it, one line each: for refvmm's guests, what its KVM backend does; for
 * native figures, whether they are the hardware's or include a hypervisor
 * underneath.  hvbench info shows them, hvbench run prints the second.
 */
#include <stdio.h>
#include <string.h>

#include "env_notes.h"

void env_backend_note(const json_t *env, char *buf, size_t len)
{
	const char *b = json_string_value(json_object_get(json_object_get(env, "kvm"), "backend"));
	const char *why = json_string_value(
		json_object_get(json_object_get(env, "why_unknown"), "kvm.backend"));

	if (b && !strcmp(b, "pvm"))
		snprintf(buf, len, "KVM backend pvm: guest CPL0 instructions are emulated, vmcall "
			 "hangs (hypercall-kvm and hypercall-exit are unavailable); see "
			 "docs/findings-pvm.md");
	else if (b && !strcmp(b, "vmx"))
		snprintf(buf, len, "KVM backend vmx (kvm_intel): hardware virtualisation, Intel VT-x");
	else if (b && !strcmp(b, "svm"))
		snprintf(buf, len, "KVM backend svm (kvm_amd): hardware virtualisation, AMD-V");
	else
		snprintf(buf, len, "KVM backend unknown: %s",
			 why ? why : "the environment record does not name it");
}

void env_native_meaning(const json_t *env, char *buf, size_t len)
{
	const json_t *g = json_object_get(env, "host_is_guest");
	const json_t *bit = json_object_get(g, "hypervisor_bit");
	const char *sig = json_string_value(json_object_get(g, "signature"));
	const json_t *dmi = json_object_get(env, "dmi");
	const char *vendor = json_string_value(json_object_get(dmi, "sys_vendor"));
	const char *product = json_string_value(json_object_get(dmi, "product_name"));
	const char *dmi_why = json_string_value(json_object_get(dmi, "why"));
	const char *kernel = json_string_value(json_object_get(
		json_object_get(json_object_get(env, "hypervisor"), "verdict"), "kernel"));
	char system[192], said[160] = "";

	if (json_is_true(json_object_get(dmi, "available")))
		snprintf(system, sizeof(system), "DMI system: %s %s", vendor ? vendor : "unknown",
			 product ? product : "unknown");
	else
		snprintf(system, sizeof(system), "no DMI identity (%s)",
			 dmi_why ? dmi_why : "unknown why");
	/* The kernel's own name for it, where the kernel said one: CPUID's may differ. */
	if (kernel)
		snprintf(said, sizeof(said), ", the kernel says %s", kernel);
	if (json_is_true(bit))
		snprintf(buf, len, "this host is itself a guest (CPUID signature '%s'%s): native "
			 "figures include that hypervisor's costs; %s", sig ? sig : "unknown", said,
			 system);
	else if (json_is_false(bit))
		snprintf(buf, len, "bare metal (no CPUID hypervisor bit): native figures are the "
			 "hardware's; %s", system);
	else
		snprintf(buf, len, "whether this host is a guest is unknown (the CPUID hypervisor "
			 "bit was not read): native figures may include a hypervisor's costs; %s",
			 system);
}
