/* SPDX-License-Identifier: MIT */
/*
 * Thread placement with hwloc.
 *
 * The plan only uses CPUs this process may run on: the union of its threads'
 * affinity masks (hwloc_get_cpubind with HWLOC_CPUBIND_PROCESS) intersected
 * with what the cgroup allows.  So make the plan before pinning any thread of
 * this process, or the plan shrinks to wherever that thread was put.
 *
 * Roles are served in priority order: every vCPU, then the device thread,
 * then the runner.  Each gets a physical core of its own while cores last.
 * When they run out, the vCPUs (the measured threads) keep their own cores
 * and the device thread and runner share the cores left; if the vCPUs alone
 * use up the cores, every role is dealt round-robin over all of them.  Two
 * roles on one core take different hardware threads (SMT siblings) when the
 * core has them, since two threads on one PU time-slice, which is worse.
 *
 * Cores are handed out from the highest-numbered down: CPU 0 usually carries
 * the most housekeeping (timer and device interrupts, boot-time kthreads), so
 * the vCPUs get the quietest cores and the runner, which mostly waits, ends
 * up nearest CPU 0.  Consecutive cores also tend to share a package and a
 * cache, which keeps the vCPU and device thread close.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "pin.h"
#include "thread_pin.h"

#define PIN_MAX_ROLES	(PIN_MAX_VCPUS + 2)	/* vCPUs, device, runner */
#define PIN_CORE_PUS	8			/* SMT siblings remembered per core */

/* One usable core: its allowed PUs (OS numbers) and how many roles it has. */
struct pin_core {
	int pus[PIN_CORE_PUS];
	int nr_pus;
	int nr_roles;
};

/* A role to place: its label in the note and where its CPU goes. */
struct pin_role_slot {
	char name[16];
	int *cpu;
	int core;	/* index into the plan's core array */
};

/* The usable cores, highest-numbered first, and how many the mask allows. */
struct pin_cores {
	struct pin_core core[PIN_MAX_ROLES];	/* one per role at most is ever used */
	int nr;			/* usable cores (may exceed what is stored) */
	int total;		/* cores in the topology */
	bool no_cores;		/* hwloc knew no cores: PUs stand in */
};

static void pin_note(struct pin_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pin_note(struct pin_plan *plan, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(plan->note, sizeof(plan->note), fmt, ap);
	va_end(ap);
}

/* Append to the note; one that no longer fits ends in "..." (the JSON has every CPU). */
static void pin_note_append(struct pin_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pin_note_append(struct pin_plan *plan, const char *fmt, ...)
{
	size_t len = strlen(plan->note), room = sizeof(plan->note) - len;
	va_list ap;
	int n;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(plan->note + len, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= room)
		memcpy(plan->note + sizeof(plan->note) - 4, "...", 4);
}

static void pin_plan_clear(struct pin_plan *plan, int nr_vcpus)
{
	plan->runner_cpu = -1;
	plan->device_cpu = -1;
	for (int i = 0; i < PIN_MAX_VCPUS; i++)
		plan->vcpu_cpu[i] = -1;
	plan->nr_vcpus = nr_vcpus;
	plan->shared = false;
	plan->note[0] = '\0';
}

/* Load this machine's topology; on failure why[] says what went wrong. */
static int pin_topology_load(hwloc_topology_t *topo, char *why, size_t why_len)
{
	if (hwloc_topology_init(topo)) {
		snprintf(why, why_len, "hwloc: cannot initialise a topology: %s", strerror(errno));
		return -1;
	}
	if (hwloc_topology_load(*topo)) {
		snprintf(why, why_len, "hwloc: cannot load the topology: %s", strerror(errno));
		hwloc_topology_destroy(*topo);
		return -1;
	}
	return 0;
}

/* The CPUs this process may use: its affinity within what the cgroup allows. */
static int pin_usable_cpus(hwloc_topology_t topo, hwloc_bitmap_t usable, char *why,
			   size_t why_len)
{
	if (hwloc_get_cpubind(topo, usable, HWLOC_CPUBIND_PROCESS)) {
		snprintf(why, why_len, "cannot read this process's CPU affinity: %s",
			 strerror(errno));
		return -1;
	}
	hwloc_bitmap_and(usable, usable, hwloc_topology_get_allowed_cpuset(topo));
	if (hwloc_bitmap_iszero(usable)) {
		snprintf(why, why_len, "this process's CPU affinity holds no usable CPU");
		return -1;
	}
	return 0;
}

/* Fill cores with the usable cores, highest-numbered first (see the top comment). */
static int pin_cores_collect(hwloc_topology_t topo, hwloc_const_bitmap_t usable,
			     struct pin_cores *cores)
{
	hwloc_obj_type_t type = HWLOC_OBJ_CORE;
	hwloc_bitmap_t pus = hwloc_bitmap_alloc();
	int n;

	if (!pus)
		return -1;
	memset(cores, 0, sizeof(*cores));
	n = hwloc_get_nbobjs_by_type(topo, type);
	if (n <= 0) {
		/* Some platforms expose no cores; every PU is then its own "core". */
		type = HWLOC_OBJ_PU;
		cores->no_cores = true;
		n = hwloc_get_nbobjs_by_type(topo, type);
	}
	cores->total = n;
	for (int i = n - 1; i >= 0; i--) {
		hwloc_obj_t obj = hwloc_get_obj_by_type(topo, type, (unsigned int)i);
		struct pin_core *c;
		unsigned int pu;

		if (!obj || !obj->cpuset)
			continue;
		hwloc_bitmap_and(pus, obj->cpuset, usable);
		if (hwloc_bitmap_iszero(pus))
			continue;
		if (cores->nr++ >= PIN_MAX_ROLES)
			continue;	/* counted, but never needed */
		c = &cores->core[cores->nr - 1];
		hwloc_bitmap_foreach_begin(pu, pus)
			if (c->nr_pus < PIN_CORE_PUS)
				c->pus[c->nr_pus++] = (int)pu;
		hwloc_bitmap_foreach_end();
	}
	hwloc_bitmap_free(pus);
	return 0;
}

/* Which core role i (in priority order, vCPUs first) goes to. */
static int pin_core_for(int i, int nr_roles, int nr_vcpus, int nr_cores)
{
	if (nr_roles <= nr_cores)
		return i;
	if (nr_vcpus < nr_cores) {
		/* vCPUs keep their own cores; the rest share what is left */
		if (i < nr_vcpus)
			return i;
		return nr_vcpus + (i - nr_vcpus) % (nr_cores - nr_vcpus);
	}
	return i % nr_cores;
}

/* Name the roles in priority order and point each at its field of the plan. */
static int pin_roles_list(struct pin_plan *plan, bool device, struct pin_role_slot *roles)
{
	int n = 0;

	for (int i = 0; i < plan->nr_vcpus; i++, n++) {
		snprintf(roles[n].name, sizeof(roles[n].name), "vcpu%d", i);
		roles[n].cpu = &plan->vcpu_cpu[i];
	}
	if (device) {
		snprintf(roles[n].name, sizeof(roles[n].name), "device");
		roles[n++].cpu = &plan->device_cpu;
	}
	snprintf(roles[n].name, sizeof(roles[n].name), "runner");
	roles[n++].cpu = &plan->runner_cpu;
	return n;
}

/* "a", "a and b", "a, b and c": the separator before item i of n. */
static const char *pin_list_sep(int i, int n)
{
	if (i == 0)
		return "";
	return i == n - 1 ? " and " : ", ";
}

/* Describe one core's roles: "vcpu0 on cpu1" or "device and runner share cpu0". */
static void pin_note_core(struct pin_plan *plan, const struct pin_role_slot *roles,
			  int nr_roles, int core)
{
	int n = 0, same = 1, first = -1, k = 0;

	for (int i = 0; i < nr_roles; i++) {
		if (roles[i].core != core)
			continue;
		if (first < 0)
			first = i;
		else if (*roles[i].cpu != *roles[first].cpu)
			same = 0;
		n++;
	}
	if (n == 0)
		return;
	if (n == 1) {
		pin_note_append(plan, "%s on cpu%d", roles[first].name, *roles[first].cpu);
		return;
	}
	for (int i = first; i < nr_roles; i++) {
		if (roles[i].core != core)
			continue;
		if (same)
			pin_note_append(plan, "%s%s", pin_list_sep(k++, n), roles[i].name);
		else
			pin_note_append(plan, "%s%s on cpu%d", pin_list_sep(k++, n),
					roles[i].name, *roles[i].cpu);
	}
	if (same)
		pin_note_append(plan, " share cpu%d", *roles[first].cpu);
	else
		pin_note_append(plan, " share a core");
}

static void pin_note_write(struct pin_plan *plan, const struct pin_cores *cores,
			   const struct pin_role_slot *roles, int nr_roles, int used)
{
	const char *unit = cores->no_cores ? "cpu" : "core";
	const char *plural = cores->nr == 1 ? "" : "s";

	if (cores->nr < cores->total)
		pin_note(plan, "%d of %d %ss allowed: ", cores->nr, cores->total, unit);
	else
		pin_note(plan, "%d %s%s: ", cores->nr, unit, plural);
	for (int c = 0; c < used; c++) {
		if (c)
			pin_note_append(plan, "; ");	/* a core's own list uses commas */
		pin_note_core(plan, roles, nr_roles, c);
	}
}

static void pin_assign(struct pin_plan *plan, bool device, struct pin_cores *cores)
{
	struct pin_role_slot roles[PIN_MAX_ROLES];
	int nr_roles = pin_roles_list(plan, device, roles);
	int nr_cores = cores->nr < PIN_MAX_ROLES ? cores->nr : PIN_MAX_ROLES;
	int used = 0;

	for (int i = 0; i < nr_roles; i++) {
		int c = pin_core_for(i, nr_roles, plan->nr_vcpus, nr_cores);
		struct pin_core *core = &cores->core[c];

		/* a second role on a core takes the next SMT sibling, if any */
		*roles[i].cpu = core->pus[core->nr_roles % core->nr_pus];
		core->nr_roles++;
		roles[i].core = c;
		if (core->nr_roles > 1)
			plan->shared = true;
		if (c + 1 > used)
			used = c + 1;
	}
	pin_note_write(plan, cores, roles, nr_roles, used);
}

int pin_plan_make(struct pin_plan *plan, int nr_vcpus, bool device)
{
	struct pin_cores cores;
	hwloc_topology_t topo;
	hwloc_bitmap_t usable;
	int ret = -1;

	if (nr_vcpus < 0 || nr_vcpus > PIN_MAX_VCPUS) {
		pin_plan_clear(plan, 0);
		pin_note(plan, "not pinned: %d vCPUs asked for, at most %d can be planned",
			 nr_vcpus, PIN_MAX_VCPUS);
		return -1;
	}
	pin_plan_clear(plan, nr_vcpus);
	if (pin_topology_load(&topo, plan->note, sizeof(plan->note)))
		return -1;
	usable = hwloc_bitmap_alloc();
	if (!usable) {
		pin_note(plan, "not pinned: out of memory");
		goto out_topo;
	}
	if (pin_usable_cpus(topo, usable, plan->note, sizeof(plan->note)))
		goto out_bitmap;
	if (pin_cores_collect(topo, usable, &cores)) {
		pin_note(plan, "not pinned: out of memory");
		goto out_bitmap;
	}
	if (cores.nr == 0) {
		pin_note(plan, "not pinned: no core of the topology is in this process's affinity");
		goto out_bitmap;
	}
	pin_assign(plan, device, &cores);
	ret = 0;
out_bitmap:
	hwloc_bitmap_free(usable);
out_topo:
	hwloc_topology_destroy(topo);
	return ret;
}

int pin_thread(pthread_t thread, int cpu)
{
	return thread_pin(thread, cpu);
}

/* An OS CPU number, or null for "not pinned" so it cannot be read as CPU -1. */
static json_t *pin_cpu_json(int cpu)
{
	return cpu < 0 ? json_null() : json_integer(cpu);
}

json_t *pin_plan_json(const struct pin_plan *plan)
{
	json_t *vcpus = json_array();
	int n = plan->nr_vcpus;

	if (!vcpus)
		return NULL;
	if (n < 0 || n > PIN_MAX_VCPUS)
		n = 0;
	for (int i = 0; i < n; i++) {
		if (json_array_append_new(vcpus, pin_cpu_json(plan->vcpu_cpu[i]))) {
			json_decref(vcpus);
			return NULL;
		}
	}
	return json_pack("{s:o, s:o, s:o, s:b, s:s}",
			 "runner", pin_cpu_json(plan->runner_cpu),
			 "vcpus", vcpus,
			 "device", pin_cpu_json(plan->device_cpu),
			 "shared", plan->shared,
			 "note", plan->note);
}

/* A count from hwloc, or "unknown" when the object type has several depths. */
static json_t *pin_count_json(hwloc_topology_t topo, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(topo, type);

	return n < 0 ? json_string("unknown") : json_integer(n);
}

/* The process's usable CPUs as a list ("0-3,8"), or "unknown". */
static json_t *pin_allowed_json(hwloc_topology_t topo)
{
	hwloc_bitmap_t usable = hwloc_bitmap_alloc();
	char why[128], *list = NULL;
	json_t *ret;

	if (!usable)
		return NULL;
	if (pin_usable_cpus(topo, usable, why, sizeof(why)) == 0 &&
	    hwloc_bitmap_list_asprintf(&list, usable) >= 0)
		ret = json_string(list);
	else
		ret = json_string("unknown");
	free(list);
	hwloc_bitmap_free(usable);
	return ret;
}

json_t *pin_topology_json(void)
{
	hwloc_topology_t topo;
	char why[128];
	json_t *ret;
	int cores, pus;

	if (pin_topology_load(&topo, why, sizeof(why)))
		return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				 "packages", "unknown", "cores", "unknown", "pus", "unknown",
				 "numa_nodes", "unknown", "smt", "unknown",
				 "allowed_cpus", "unknown", "why", why);
	cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	ret = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}",
			"packages", pin_count_json(topo, HWLOC_OBJ_PACKAGE),
			"cores", pin_count_json(topo, HWLOC_OBJ_CORE),
			"pus", pin_count_json(topo, HWLOC_OBJ_PU),
			"numa_nodes", pin_count_json(topo, HWLOC_OBJ_NUMANODE),
			/* with no core objects, SMT cannot be told apart */
			"smt", cores > 0 && pus > 0 ? json_boolean(pus > cores)
						    : json_string("unknown"),
			"allowed_cpus", pin_allowed_json(topo));
	hwloc_topology_destroy(topo);
	return ret;
}
