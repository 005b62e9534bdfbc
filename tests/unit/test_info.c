/* SPDX-License-Identifier: MIT */
/*
 * hvbench info's logic: programs found in PATH as execvp finds them; what
 * the KVM backend and "this host is a guest" are said to mean, from
 * made-up environment records; the capability lines rendered from made-up
 * capabilities (hostile and incomplete ones included); and the probes of
 * this host, run with a PATH of one empty directory, so the tools are
 * missing for a known reason while every capability keeps its shape.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "env.h"
#include "env_notes.h"
#include "info.h"
#include "path_find.h"

static const char *const cap_names[] = {
	"refvmm", "qemu-kvm", "qemu-tcg", "vmm-cmd", "native", "ebpf-probes", "perf-software",
	"perf-hardware", "gnuplot", "chromium",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Scratch: a/tool and b/tool executable, b/plain not, c/tool a directory. */
struct dirs {
	char root[64];
	char a[96], b[96], c[96];
};

static void file_make(const char *dir, const char *name, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\nexit 0\n", f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int dirs_setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	char tooldir[128];

	snprintf(d->root, sizeof(d->root), "/tmp/test_info.XXXXXX");
	if (!mkdtemp(d->root))
		return -1;
	snprintf(d->a, sizeof(d->a), "%s/a", d->root);
	snprintf(d->b, sizeof(d->b), "%s/b", d->root);
	snprintf(d->c, sizeof(d->c), "%s/c", d->root);
	snprintf(tooldir, sizeof(tooldir), "%s/tool", d->c);
	if (mkdir(d->a, 0755) || mkdir(d->b, 0755) || mkdir(d->c, 0755) || mkdir(tooldir, 0755))
		return -1;
	file_make(d->a, "tool", 0755);
	file_make(d->b, "tool", 0755);
	file_make(d->b, "plain", 0644);
	*state = d;
	return 0;
}

static int dirs_teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->root);
	free(d);
	return system(cmd);
}

static void test_path_find(void **state)
{
	struct dirs *d = *state;
	char dirs[512], path[PATH_MAX], want[PATH_MAX], cwd[PATH_MAX];

	/* the first directory that has it wins */
	snprintf(dirs, sizeof(dirs), "%s:%s", d->a, d->b);
	assert_int_equal(path_find("tool", dirs, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/tool", d->a);
	assert_string_equal(path, want);
	/* a directory of that name is passed over, as execvp does */
	snprintf(dirs, sizeof(dirs), "%s:%s", d->c, d->b);
	assert_int_equal(path_find("tool", dirs, path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/tool", d->b);
	assert_string_equal(path, want);
	/* not executable, not there, or only in a directory PATH does not name */
	assert_int_equal(path_find("plain", dirs, path, sizeof(path)), -1);
	assert_int_equal(path_find("absent", dirs, path, sizeof(path)), -1);
	assert_int_equal(path_find("tool", d->c, path, sizeof(path)), -1);
	/* an empty entry is the current directory, wherever it is in the list */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(d->b), 0);
	assert_int_equal(path_find("tool", "", path, sizeof(path)), 0);
	assert_string_equal(path, "./tool");
	snprintf(dirs, sizeof(dirs), "%s:", d->c);
	assert_int_equal(path_find("tool", dirs, path, sizeof(path)), 0);
	assert_string_equal(path, "./tool");
	snprintf(dirs, sizeof(dirs), "%s::%s", d->c, d->a);
	assert_int_equal(path_find("tool", dirs, path, sizeof(path)), 0);
	assert_string_equal(path, "./tool");
	assert_int_equal(chdir(cwd), 0);
	/* a path that does not fit the buffer is not found, rather than cut */
	snprintf(dirs, sizeof(dirs), "%s", d->a);
	assert_int_equal(path_find("tool", dirs, path, strlen(d->a) + 5), -1);
	assert_int_equal(path_find("tool", dirs, path, strlen(d->a) + 6), 0);
}

static json_t *env_of(const char *text)
{
	json_error_t err;
	json_t *env = json_loads(text, 0, &err);

	assert_non_null(env);
	return env;
}

static void test_backend_note(void **state)
{
	static const struct {
		const char *env, *note;
	} cases[] = {
		{ "{\"kvm\": {\"backend\": \"pvm\"}}",
		  "KVM backend pvm: guest CPL0 instructions are emulated, vmcall hangs "
		  "(hypercall-kvm and hypercall-exit are unavailable); see docs/findings-pvm.md" },
		{ "{\"kvm\": {\"backend\": \"vmx\"}}",
		  "KVM backend vmx (kvm_intel): hardware virtualisation, Intel VT-x" },
		{ "{\"kvm\": {\"backend\": \"svm\"}}",
		  "KVM backend svm (kvm_amd): hardware virtualisation, AMD-V" },
		{ "{\"kvm\": {\"backend\": \"unknown\"}, \"why_unknown\": {\"kvm.backend\": "
		  "\"none of kvm_intel, kvm_amd, kvm_pvm is loaded\"}}",
		  "KVM backend unknown: none of kvm_intel, kvm_amd, kvm_pvm is loaded" },
		{ "{\"kvm\": {\"backend\": 7}}",
		  "KVM backend unknown: the environment record does not name it" },
		{ "{}", "KVM backend unknown: the environment record does not name it" },
	};
	char buf[384];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *env = env_of(cases[i].env);

		env_backend_note(env, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].note);
		json_decref(env);
	}
	/* cut to the buffer, never past it */
	env_backend_note(NULL, buf, 12);
	assert_string_equal(buf, "KVM backend");
}

static void test_native_meaning(void **state)
{
	static const struct {
		const char *env, *meaning;
	} cases[] = {
		{ "{\"host_is_guest\": {\"hypervisor_bit\": true, \"signature\": \"KVMKVMKVM\"}, "
		  "\"dmi\": {\"available\": false, \"why\": \"no /sys/class/dmi/id\"}}",
		  "this host is itself a guest (CPUID signature 'KVMKVMKVM'): native figures include "
		  "that hypervisor's costs; no DMI identity (no /sys/class/dmi/id)" },
		{ "{\"host_is_guest\": {\"hypervisor_bit\": false, \"signature\": null}, "
		  "\"dmi\": {\"available\": true, \"sys_vendor\": \"Dell Inc.\", "
		  "\"product_name\": \"PowerEdge R640\"}}",
		  "bare metal (no CPUID hypervisor bit): native figures are the hardware's; "
		  "DMI system: Dell Inc. PowerEdge R640" },
		{ "{\"host_is_guest\": {\"hypervisor_bit\": true, \"signature\": \"Microsoft Hv\"}, "
		  "\"dmi\": {\"available\": true, \"sys_vendor\": \"unknown\"}}",
		  "this host is itself a guest (CPUID signature 'Microsoft Hv'): native figures include "
		  "that hypervisor's costs; DMI system: unknown unknown" },
		{ "{\"host_is_guest\": {\"hypervisor_bit\": \"unknown\"}}",
		  "whether this host is a guest is unknown (the CPUID hypervisor bit was not "
		  "read): native figures may include a hypervisor's costs; no DMI identity "
		  "(unknown why)" },
	};
	char buf[384];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *env = env_of(cases[i].env);

		env_native_meaning(env, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].meaning);
		json_decref(env);
	}
}

/* info_print's output for caps (JSON text), in buf. */
static void print_of(const char *caps_text, char *buf, size_t len)
{
	json_t *caps = env_of(caps_text);
	FILE *f = fmemopen(buf, len, "w");

	assert_non_null(f);
	info_print(f, caps);
	assert_int_equal(fclose(f), 0);
	json_decref(caps);
}

static void test_print(void **state)
{
	char buf[2048];

	(void)state;
	print_of("{\"refvmm\": {\"available\": true, \"why\": null, \"detail\": \"d1\", "
		 "\"notes\": [\"n1\", 3, \"n2\"]},"
		 " \"qemu-tcg\": {\"available\": false, \"why\": \"w1\", \"detail\": null, "
		 "\"notes\": []},"
		 " \"vmm-cmd\": {\"available\": true, \"why\": null, \"detail\": null},"
		 " \"a\": {\"available\": false},"
		 " \"b\": {\"available\": \"yes\", \"notes\": \"n\"},"
		 " \"c\": 5}", buf, sizeof(buf));
	assert_string_equal(buf,
		"\nWhat this host can run\n"
		"refvmm                       yes: d1\n"
		"                             n1\n"
		"                             n2\n"
		"qemu-tcg                     no: w1\n"
		"vmm-cmd                      yes\n"
		"a                            no: (no reason recorded)\n"
		"b                            unknown (no \"available\" member)\n"
		"c                            unknown (no \"available\" member)\n");
	print_of("{}", buf, sizeof(buf));
	assert_string_equal(buf, "\nWhat this host can run\n");
}

/* Is s one line of printable ASCII, not empty? */
static bool one_line(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void test_capabilities_shape(void **state)
{
	struct dirs *d = *state;
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char want[256];
	json_t *env = env_capture(), *caps, *cap;
	const char *name;
	size_t i = 0;

	assert_non_null(env);
	/* d->c holds only a directory named tool: no program of any name */
	assert_int_equal(setenv("PATH", d->c, 1), 0);
	caps = info_capabilities(env);
	if (old)
		setenv("PATH", old, 1);
	free(old);
	assert_non_null(caps);
	/* every capability, in the documented order, each available or not with the reason */
	assert_int_equal(json_object_size(caps), ARRAY_SIZE(cap_names));
	json_object_foreach(caps, name, cap) {
		const json_t *avail = json_object_get(cap, "available");
		const json_t *why = json_object_get(cap, "why");

		assert_string_equal(name, cap_names[i++]);
		assert_true(json_is_boolean(avail));
		assert_true(json_is_array(json_object_get(cap, "notes")));
		if (json_is_true(avail)) {
			assert_true(json_is_null(why));
		} else {
			assert_true(one_line(json_string_value(why)));
			assert_true(json_is_null(json_object_get(cap, "detail")));
		}
	}
	/* the tools are missing, and say where they were looked for */
	snprintf(want, sizeof(want), "qemu-system-x86_64 not found in PATH (%s)", d->c);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(caps, "qemu-kvm"), "why")), want);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(caps, "qemu-tcg"), "why")), want);
	snprintf(want, sizeof(want), "gnuplot not found in PATH (%s)", d->c);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(caps, "gnuplot"), "why")), want);
	snprintf(want, sizeof(want), "none of chromium, chromium-browser, google-chrome found "
		 "in PATH (%s)", d->c);
	assert_string_equal(json_string_value(json_object_get(
		json_object_get(caps, "chromium"), "why")), want);
	/* native is always there; refvmm's facts agree with the environment record */
	assert_true(json_is_true(json_object_get(json_object_get(caps, "native"), "available")));
	assert_true(json_equal(json_object_get(json_object_get(caps, "refvmm"), "backend"),
			       json_object_get(json_object_get(env, "kvm"), "backend")));
	assert_true(json_equal(json_object_get(json_object_get(json_object_get(caps, "refvmm"),
							       "kvm"), "accessible"),
			       json_object_get(json_object_get(env, "kvm"),
					       "dev_kvm_accessible")));
	json_decref(caps);
	json_decref(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path_find, dirs_setup, dirs_teardown),
		cmocka_unit_test(test_backend_note),
		cmocka_unit_test(test_native_meaning),
		cmocka_unit_test(test_print),
		cmocka_unit_test_setup_teardown(test_capabilities_shape, dirs_setup,
						dirs_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
