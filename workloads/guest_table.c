/* SPDX-License-Identifier: MIT */
/*
 * Every guest half the bench payload carries, by the names and CPLs of
 * include/hvbench/workloads.def (the runner's catalog reads the same rows).
 */
#include "guest.h"

#define WORKLOAD(id, ...) extern const struct guest_workload gw_##id;
#include "hvbench/workloads.def"
#undef WORKLOAD

#define W_CPL0 CPL_BIT(0)
#define W_CPL03 (CPL_BIT(0) | CPL_BIT(3))

const struct guest_entry guest_workloads[] = {
#define WORKLOAD(id, name_, family, modes, cpls_, ...) \
	{ .name = name_, .cpls = cpls_, .half = &gw_##id },
#include "hvbench/workloads.def"
#undef WORKLOAD
	{ .name = NULL },
};
