/* SPDX-License-Identifier: MIT */
/*
 * Thread placement with hwloc: the runner, the vCPU threads and device
 * threads on distinct physical cores where the machine has enough of them,
 * otherwise shared as evenly as possible, and a record of what was done.
 */
#ifndef PIN_H
#define PIN_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#define PIN_MAX_VCPUS 8

enum pin_role { PIN_RUNNER, PIN_VCPU, PIN_DEVICE };

struct pin_plan {
	int runner_cpu;			/* OS CPU number, -1 = not pinned */
	int vcpu_cpu[PIN_MAX_VCPUS];
	int device_cpu;
	int nr_vcpus;
	bool shared;			/* some roles had to share a core */
	char note[256];			/* one line: what was done or why not */
};

/*
 * Plan placement for nr_vcpus vCPU threads and (if device) one device
 * thread, from the hwloc topology of the CPUs this process may run on.
 * Returns 0, or -1 with plan->note saying why nothing can be pinned
 * (every cpu field is then -1).
 */
int pin_plan_make(struct pin_plan *plan, int nr_vcpus, bool device);

/* Pin a thread to one OS CPU (no-op for cpu < 0). 0 or -errno. */
int pin_thread(pthread_t thread, int cpu);

/* The plan as JSON: {"runner": 0, "vcpus": [1], "device": 0, "shared": true, "note": "..."} */
json_t *pin_plan_json(const struct pin_plan *plan);

/* Topology summary as JSON: packages, cores, pus (hardware threads), numa_nodes, smt. */
json_t *pin_topology_json(void);

#endif
