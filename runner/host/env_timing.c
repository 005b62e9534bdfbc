/* SPDX-License-Identifier: MIT */
/* Whether a machine's times are performance figures (env_timing.h). */
#include <string.h>

#include "env.h"
#include "env_timing.h"

/* What QEMU's TCG answers at CPUID 0x40000000 (its accelerator's name). */
#define TCG_SIGNATURE "TCGTCGTCGTCG"

static const char tcg_why[] =
	"this host's CPU is emulated by QEMU's TCG (hypervisor signature TCGTCGTCGTCG): "
	"times measure the emulator, not a hypervisor on hardware; counts (exits, "
	"injections, probe events) are exact";

static bool signature_is_tcg(const char *sig)
{
	return sig && !strcmp(sig, TCG_SIGNATURE);
}

double env_timing_deadline_scale(void)
{
	char sig[13];

	return env_hypervisor_signature(sig) && signature_is_tcg(sig) ?
		       ENV_TIMING_EMULATED_SLOWDOWN : 1.0;
}

bool env_timing_host_is_tcg(const json_t *env)
{
	return signature_is_tcg(json_string_value(
		json_object_get(json_object_get(env, "host_is_guest"), "signature")));
}

json_t *env_timing_json(const json_t *env)
{
	bool tcg = env_timing_host_is_tcg(env);

	return json_pack("{s:b, s:s?}", "performance_figures", !tcg, "why",
			 tcg ? tcg_why : NULL);
}

const char *env_timing_caveat(const json_t *doc)
{
	const json_t *env = json_object_get(doc, "environment");
	const json_t *timing = json_object_get(env, "timing");

	const char *why;

	if (json_is_object(timing)) {
		if (!json_is_false(json_object_get(timing, "performance_figures")))
			return NULL;
		why = json_string_value(json_object_get(timing, "why"));
		return why ? why : "the file says its times are not performance figures";
	}
	return env_timing_host_is_tcg(env) ? tcg_why : NULL;
}
