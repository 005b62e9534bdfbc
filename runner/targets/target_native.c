/* SPDX-License-Identifier: MIT */
/*
 * The host itself as a target: no VM, the same operation in a host process
 * (workloads/native.c).  On bare metal that is the baseline; inside a cloud
 * instance it measures the hypervisor underneath.  It boots nothing, so it
 * serves hvbench run's mode native only.
 */
#include <stddef.h>

#include "target.h"

static int native_probe(const struct target *t, char *why, size_t len)
{
	(void)t;
	(void)why;
	(void)len;
	return 0;
}

static const char *native_cannot(const struct target *t, const struct workload *w,
				 enum bench_mode m)
{
	(void)t;
	(void)m;
	return w->modes & MODE_BIT(MODE_NATIVE) ? NULL :
	       "no native counterpart: the operation only exists in a guest";
}

const struct target target_native = {
	.name = "native",
	.what = "the host itself, no VM: the native baselines",
	.native = true,
	.probe = native_probe,
	.cannot = native_cannot,
};
