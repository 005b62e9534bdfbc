/* SPDX-License-Identifier: MIT */
/*
 * Environment capture and thread placement, checked against the machine
 * they run on: the capture has every documented key and agrees with what
 * this process can see for itself (sysconf, /sys/module, cpuinfo), and the
 * plan stays inside this process's affinity, spreads vCPUs over cores and
 * survives a JSON round trip.  Tests that change this thread's affinity put
 * it back in their teardown, so a failure cannot skew the tests after it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <hwloc.h>

#include "env.h"
#include "pin.h"

static cpu_set_t initial_mask;

static const char *const env_top_keys[] = {
	"captured_at", "hostname", "cpu", "topology", "kernel", "kvm", "host_is_guest", "power",
	"mitigations", "dmi", "why_unknown",
};

static const char *const env_cpu_keys[] = {
	"vendor", "model_name", "family", "model", "stepping", "microcode", "flags", "tsc_khz",
	"nr_online_cpus",
};

static const char *const env_kvm_keys[] = {
	"dev_kvm_present", "dev_kvm_accessible", "api_version", "backend", "backend_modules",
	"backend_module", "backend_parameters", "kvm_parameters",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int group_setup(void **state)
{
	(void)state;
	return sched_getaffinity(0, sizeof(initial_mask), &initial_mask);
}

/* Give this thread back the affinity it started with. */
static int restore_affinity(void **state)
{
	(void)state;
	return sched_setaffinity(0, sizeof(initial_mask), &initial_mask);
}

static int env_setup(void **state)
{
	*state = env_capture();
	return *state ? 0 : -1;
}

static int env_teardown(void **state)
{
	json_decref(*state);
	return 0;
}

static bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void assert_keys(const json_t *obj, const char *what, const char *const *keys, size_t n)
{
	if (!json_is_object(obj))
		fail_msg("%s is not an object", what);
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(obj, keys[i]))
			fail_msg("%s has no \"%s\"", what, keys[i]);
}

/*
 * Per core of the topology that intersects this thread's affinity mask,
 * an index; core_of[cpu] = that index or -1.  Returns the number of such
 * cores (the cores pin_plan_make may use).
 */
static int allowed_cores(int *core_of, int max_cpu)
{
	hwloc_topology_t topo;
	cpu_set_t mask;
	int n = 0, nr_cores;

	for (int cpu = 0; cpu < max_cpu; cpu++)
		core_of[cpu] = -1;
	assert_int_equal(sched_getaffinity(0, sizeof(mask), &mask), 0);
	assert_int_equal(hwloc_topology_init(&topo), 0);
	assert_int_equal(hwloc_topology_load(topo), 0);
	nr_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	for (int i = 0; i < nr_cores; i++) {
		hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned int)i);
		unsigned int pu;
		bool used = false;

		hwloc_bitmap_foreach_begin(pu, core->cpuset)
			if ((int)pu < max_cpu && CPU_ISSET(pu, &mask)) {
				core_of[pu] = n;
				used = true;
			}
		hwloc_bitmap_foreach_end();
		n += used;
	}
	hwloc_topology_destroy(topo);
	return n;
}

static void assert_cpu_allowed(int cpu, const char *who)
{
	cpu_set_t mask;

	assert_int_equal(sched_getaffinity(0, sizeof(mask), &mask), 0);
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &mask))
		fail_msg("%s placed on cpu%d, outside this process's affinity mask", who, cpu);
}

/* ---- env ---- */

static void test_env_has_documented_keys(void **state)
{
	const json_t *env = *state;
	const char *stamp = json_string_value(json_object_get(env, "captured_at"));

	assert_keys(env, "env", env_top_keys, ARRAY_SIZE(env_top_keys));
	assert_keys(json_object_get(env, "cpu"), "cpu", env_cpu_keys, ARRAY_SIZE(env_cpu_keys));
	assert_keys(json_object_get(env, "kvm"), "kvm", env_kvm_keys, ARRAY_SIZE(env_kvm_keys));
	/* YYYY-MM-DDTHH:MM:SSZ */
	assert_non_null(stamp);
	assert_int_equal(strlen(stamp), 20);
	assert_int_equal(stamp[10], 'T');
	assert_int_equal(stamp[19], 'Z');
}

/* The backend is an allowed word and matches what /sys/module shows. */
static void test_env_kvm_backend(void **state)
{
	static const char *const modules[] = { "kvm_intel", "kvm_amd", "kvm_pvm" };
	static const char *const backends[] = { "vmx", "svm", "pvm" };
	const json_t *kvm = json_object_get(*state, "kvm");
	const char *backend = json_string_value(json_object_get(kvm, "backend"));
	int present = 0;

	assert_non_null(backend);
	for (size_t i = 0; i < ARRAY_SIZE(modules); i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/module/%s", modules[i]);
		present += path_exists(path);
		if (strcmp(backend, backends[i]) == 0 && !path_exists(path))
			fail_msg("backend %s but no %s", backend, path);
	}
	if (strcmp(backend, "unknown") == 0)
		assert_int_equal(present, 0);
	else
		assert_true(present > 0);
	assert_int_equal(json_array_size(json_object_get(kvm, "backend_modules")), present);
	assert_int_equal(json_is_true(json_object_get(kvm, "dev_kvm_present")),
			 path_exists("/dev/kvm"));
}

static void test_env_nr_online_cpus(void **state)
{
	const json_t *n = json_object_get(json_object_get(*state, "cpu"), "nr_online_cpus");

	assert_true(json_is_integer(n));
	assert_int_equal(json_integer_value(n), sysconf(_SC_NPROCESSORS_ONLN));
}

/* CPUID in this process and the kernel's cpuinfo flag must agree on the hypervisor bit. */
static void test_env_hypervisor_bit(void **state)
{
	const json_t *g = json_object_get(*state, "host_is_guest");
	const json_t *bit = json_object_get(g, "hypervisor_bit");
	const json_t *flag = json_object_get(json_object_get(json_object_get(*state, "cpu"),
							     "flags"), "hypervisor");
	const json_t *sig = json_object_get(g, "signature");

	assert_true(json_is_boolean(bit));
	if (json_is_boolean(flag))
		assert_int_equal(json_is_true(bit), json_is_true(flag));
	if (json_is_true(bit))
		assert_true(json_is_string(sig) && strlen(json_string_value(sig)) > 0);
	else
		assert_true(json_is_null(sig));
}

/* Every "unknown" one level into a section (or at the top) has a why_unknown entry. */
static void test_env_unknowns_explained(void **state)
{
	const json_t *env = *state, *why = json_object_get(env, "why_unknown");
	const char *key;
	json_t *v;

	assert_true(json_is_object(why));
	json_object_foreach((json_t *)env, key, v) {
		const char *sub;
		json_t *leaf;
		char where[128];

		if (strcmp(key, "topology") == 0)
			continue;	/* pin_topology_json carries its own "why" */
		if (json_is_string(v) && strcmp(json_string_value(v), "unknown") == 0 &&
		    !json_object_get(why, key))
			fail_msg("%s is unknown with no why", key);
		if (!json_is_object(v))
			continue;
		json_object_foreach(v, sub, leaf) {
			if (!json_is_string(leaf) || strcmp(json_string_value(leaf), "unknown"))
				continue;
			snprintf(where, sizeof(where), "%s.%s", key, sub);
			if (!json_object_get(why, where))
				fail_msg("%s is unknown with no why", where);
		}
	}
}

static char *print_to_string(const json_t *env)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	env_print(f, env);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_env_print(void **state)
{
	const char *host = json_string_value(json_object_get(*state, "hostname"));
	const char *backend = json_string_value(json_object_get(json_object_get(*state, "kvm"),
								"backend"));
	char *out = print_to_string(*state), *line;
	json_t *empty = json_object();
	int lines = 0;

	for (const char *p = out; *p; p++)
		lines += *p == '\n';
	assert_true(lines >= 15);
	assert_non_null(strstr(out, host));
	/* the backend has a line of its own, carrying the captured value */
	line = strstr(out, "\nkvm backend ");
	assert_non_null(line);
	*strchrnul(line + 1, '\n') = '\0';
	assert_non_null(strstr(line, backend));
	free(out);

	/* a foreign or damaged object renders as unknowns instead of crashing */
	out = print_to_string(empty);
	assert_non_null(strstr(out, "unknown"));
	free(out);
	json_decref(empty);
}

/* ---- pin ---- */

static void test_pin_plan_one_vcpu_device(void **state)
{
	struct pin_plan plan;
	int core_of[CPU_SETSIZE], cores = allowed_cores(core_of, CPU_SETSIZE);

	(void)state;
	assert_int_equal(pin_plan_make(&plan, 1, true), 0);
	assert_int_equal(plan.nr_vcpus, 1);
	assert_cpu_allowed(plan.runner_cpu, "runner");
	assert_cpu_allowed(plan.vcpu_cpu[0], "vcpu0");
	assert_cpu_allowed(plan.device_cpu, "device");
	assert_true(strlen(plan.note) > 0);
	if (cores >= 2) {
		assert_int_not_equal(plan.vcpu_cpu[0], plan.device_cpu);
		assert_int_not_equal(plan.vcpu_cpu[0], plan.runner_cpu);
		assert_int_not_equal(core_of[plan.vcpu_cpu[0]], core_of[plan.device_cpu]);
	}
	/* three roles share only when there are fewer than three cores */
	assert_int_equal(plan.shared, cores < 3);
	for (int i = 1; i < PIN_MAX_VCPUS; i++)
		assert_int_equal(plan.vcpu_cpu[i], -1);
}

/* With the affinity narrowed to one CPU, everything goes there. */
static void test_pin_plan_respects_affinity(void **state)
{
	struct pin_plan plan;
	cpu_set_t one;
	int last = -1;

	(void)state;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &initial_mask))
			last = cpu;
	assert_true(last >= 0);
	CPU_ZERO(&one);
	CPU_SET(last, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);

	assert_int_equal(pin_plan_make(&plan, 2, true), 0);
	assert_int_equal(plan.runner_cpu, last);
	assert_int_equal(plan.vcpu_cpu[0], last);
	assert_int_equal(plan.vcpu_cpu[1], last);
	assert_int_equal(plan.device_cpu, last);
	assert_true(plan.shared);
}

/* More vCPUs than cores: every allowed core gets vCPUs before any doubles up. */
static void test_pin_plan_spreads_vcpus(void **state)
{
	int core_of[CPU_SETSIZE], cores = allowed_cores(core_of, CPU_SETSIZE);
	bool used[CPU_SETSIZE] = { false };
	struct pin_plan plan;
	int distinct = 0;

	(void)state;
	assert_int_equal(pin_plan_make(&plan, PIN_MAX_VCPUS, false), 0);
	assert_int_equal(plan.device_cpu, -1);
	assert_cpu_allowed(plan.runner_cpu, "runner");
	for (int i = 0; i < PIN_MAX_VCPUS; i++) {
		int core;

		assert_cpu_allowed(plan.vcpu_cpu[i], "vcpu");
		core = core_of[plan.vcpu_cpu[i]];
		assert_true(core >= 0);
		distinct += !used[core];
		used[core] = true;
	}
	assert_int_equal(distinct, cores < PIN_MAX_VCPUS ? cores : PIN_MAX_VCPUS);
	assert_int_equal(plan.shared, cores < PIN_MAX_VCPUS + 1);
}

static void test_pin_plan_rejects_too_many(void **state)
{
	struct pin_plan plan;

	(void)state;
	memset(&plan, 0x5a, sizeof(plan));
	assert_int_equal(pin_plan_make(&plan, PIN_MAX_VCPUS + 1, true), -1);
	assert_int_equal(plan.runner_cpu, -1);
	assert_int_equal(plan.device_cpu, -1);
	for (int i = 0; i < PIN_MAX_VCPUS; i++)
		assert_int_equal(plan.vcpu_cpu[i], -1);
	assert_true(strlen(plan.note) > 0);
	assert_int_equal(pin_plan_make(&plan, -1, false), -1);
}

/* pin_thread really moves the thread: sched_getaffinity sees exactly that CPU. */
static void test_pin_thread(void **state)
{
	cpu_set_t now;
	int tried = 0;

	(void)state;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &initial_mask))
			continue;
		assert_int_equal(pin_thread(pthread_self(), cpu), 0);
		assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
		assert_int_equal(CPU_COUNT(&now), 1);
		assert_true(CPU_ISSET(cpu, &now));
		tried++;
	}
	assert_true(tried > 0);

	/* cpu < 0 means "not pinned": the mask stays as it is */
	assert_int_equal(pin_thread(pthread_self(), -1), 0);
	assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
	assert_int_equal(CPU_COUNT(&now), 1);
	assert_int_equal(pin_thread(pthread_self(), CPU_SETSIZE), -EINVAL);
}

static void test_pin_plan_json_round_trip(void **state)
{
	struct pin_plan plan;
	json_error_t err;
	json_t *j, *back, *vcpus;
	char *text;

	(void)state;
	assert_int_equal(pin_plan_make(&plan, 2, true), 0);
	j = pin_plan_json(&plan);
	assert_non_null(j);
	text = json_dumps(j, JSON_COMPACT);
	assert_non_null(text);
	back = json_loads(text, 0, &err);
	if (!back)
		fail_msg("pin_plan_json output does not parse: %s", err.text);

	assert_int_equal(json_integer_value(json_object_get(back, "runner")), plan.runner_cpu);
	assert_int_equal(json_integer_value(json_object_get(back, "device")), plan.device_cpu);
	assert_true(json_is_boolean(json_object_get(back, "shared")));
	assert_int_equal(json_is_true(json_object_get(back, "shared")), plan.shared);
	assert_string_equal(json_string_value(json_object_get(back, "note")), plan.note);
	vcpus = json_object_get(back, "vcpus");
	assert_int_equal(json_array_size(vcpus), 2);
	for (size_t i = 0; i < 2; i++)
		assert_int_equal(json_integer_value(json_array_get(vcpus, i)), plan.vcpu_cpu[i]);
	assert_true(json_equal(j, back));
	free(text);
	json_decref(back);
	json_decref(j);

	/* a plan with nothing pinned says so with nulls, not CPU -1 */
	plan.device_cpu = -1;
	j = pin_plan_json(&plan);
	assert_true(json_is_null(json_object_get(j, "device")));
	json_decref(j);
}

static void test_pin_topology(void **state)
{
	static const char *const keys[] = { "packages", "cores", "pus", "numa_nodes", "smt" };
	json_t *t = pin_topology_json();
	json_int_t packages, cores, pus;

	(void)state;
	assert_keys(t, "topology", keys, ARRAY_SIZE(keys));
	packages = json_integer_value(json_object_get(t, "packages"));
	cores = json_integer_value(json_object_get(t, "cores"));
	pus = json_integer_value(json_object_get(t, "pus"));
	assert_true(packages >= 1 && cores >= packages && pus >= cores);
	assert_true(pus <= sysconf(_SC_NPROCESSORS_CONF));
	assert_true(json_integer_value(json_object_get(t, "numa_nodes")) >= 1);
	assert_int_equal(json_is_true(json_object_get(t, "smt")), pus > cores);
	json_decref(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_env_has_documented_keys, env_setup,
						env_teardown),
		cmocka_unit_test_setup_teardown(test_env_kvm_backend, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_env_nr_online_cpus, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_env_hypervisor_bit, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_env_unknowns_explained, env_setup,
						env_teardown),
		cmocka_unit_test_setup_teardown(test_env_print, env_setup, env_teardown),
		cmocka_unit_test(test_pin_plan_one_vcpu_device),
		cmocka_unit_test_teardown(test_pin_plan_respects_affinity, restore_affinity),
		cmocka_unit_test(test_pin_plan_spreads_vcpus),
		cmocka_unit_test(test_pin_plan_rejects_too_many),
		cmocka_unit_test_teardown(test_pin_thread, restore_affinity),
		cmocka_unit_test(test_pin_plan_json_round_trip),
		cmocka_unit_test(test_pin_topology),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
