/* SPDX-License-Identifier: MIT */
/* Which hypervisor, if any, the payload runs under (CPUID leaf 0x40000000). */
#include "internal.h"

#define CPUID_HYPERVISOR_BIT (1u << 31)

void rt_hypervisor_detect(struct rt_hypervisor *hv)
{
	struct rt_cpuid r;

	*hv = (struct rt_hypervisor){ 0 };
	hv->present = rt_cpuid(1, 0).ecx & CPUID_HYPERVISOR_BIT;
	if (!hv->present)
		return;
	r = rt_cpuid(0x40000000, 0);
	hv->max_leaf = r.eax;
	__builtin_memcpy(hv->signature, &r.ebx, 4);
	__builtin_memcpy(hv->signature + 4, &r.ecx, 4);
	__builtin_memcpy(hv->signature + 8, &r.edx, 4);
	for (int i = 0; i < 12; i++)
		if (hv->signature[i] && (hv->signature[i] < 0x20 || hv->signature[i] > 0x7e))
			hv->signature[i] = '.';
}
