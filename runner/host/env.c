/* SPDX-License-Identifier: MIT */
/*
 * Environment capture: what machine a result was measured on, as one JSON
 * object stored with every result.  docs/environment.md has the same layout
 * with an example; keep the two in step.  env_print.c renders it for people.
 *
 *   {
 *     "captured_at": "2026-11-24T10:00:00Z",	ISO-8601, UTC
 *     "hostname": str,
 *     "cpu": { "vendor", "model_name": str, "family", "model", "stepping": int,
 *              "microcode": str, "flags": { "vmx", "svm", "hypervisor", "constant_tsc",
 *              "nonstop_tsc", "tsc_known_freq", "tsc_reliable", "rdtscp", "x2apic",
 *              "tsc_deadline_timer", "pti": bool },
 *              "tsc_khz": int, "nr_online_cpus": int },
 *     "topology": pin_topology_json(): { "packages", "cores", "pus", "numa_nodes": int,
 *              "smt": bool, "allowed_cpus": "0-1", and "why": str if hwloc failed },
 *     "kernel": { "release", "version", "machine", "cmdline": str },
 *     "kvm": { "dev_kvm_present", "dev_kvm_accessible": bool, "api_version": int,
 *              "backend": "vmx" | "svm" | "pvm" | "unknown",
 *              "backend_modules": [ those of kvm_intel, kvm_amd, kvm_pvm in /sys/module ],
 *              "backend_module": str, "backend_parameters": { name: str },
 *              "kvm_parameters": { name: str } },
 *     "host_is_guest": { "hypervisor_bit": bool, "signature": str | null },
 *     "power": { "scaling_driver", "scaling_governor", "boost", "no_turbo": str },
 *     "mitigations": { vulnerability: str },
 *     "dmi": { "available": true, "sys_vendor", "product_name", "product_version",
 *              "board_vendor", "bios_vendor", "bios_version", "chassis_asset_tag": str }
 *            | { "available": false, "why": str },
 *     "hypervisor": hv_identify_json(), every source named (hv_cpuid.h, hv_kmsg.h):
 *            { "cpuid": { "hypervisor_bit": bool, "max_basic_leaf": "0xd",
 *                         "leaves": [ { "base", "max_leaf", "signature": str,
 *                                       "name": str | null, and the vendor's decoded
 *                                       leaves: "kvm_features", "xen_version",
 *                                       "hyperv_privileges", ... } ] },
 *              "sysfs": { "type", "guest_type", "version": str | null,
 *                         "properties": { name: str } },		/sys/hypervisor (Xen)
 *              "kernel_log": { "readable": bool, "why": str | null,
 *                         "complete": bool | null, "detected", "paravirt_on",
 *                         "running_under": str | null, "pv_features": [ str ],
 *                         "lines": [ str ], "lines_dropped": int },	/dev/kmsg
 *              "guest_pv": { "clocksource": str, "available_clocksources": [ str ],
 *                         "cpuidle_driver", "cpuidle_governor", "thp_enabled",
 *                         "thp_defrag": str, "pti": "on" | "off" },
 *              "verdict": { "cpuid": [ str ], "kernel", "sysfs", "dmi": str | null,
 *                         "disagreement": str | null } },
 *            (host_is_guest stays the short form its readers know; the command
 *            line, mitigations, DMI and cpu flags are read from above, not repeated)
 *     "timing": env_timing_json(): { "performance_figures": bool, "why": str | null },
 *     "why_unknown": { "section.key": why }
 *   }
 *
 * Any value above, maps included, may instead be the string "unknown"; then
 * why_unknown says why, keyed by where ("cpu.tsc_khz").  Power settings the
 * kernel does not expose at all are "not visible" (normal inside a VM).
 * Module parameters that cannot be read are left out (some are write-only).
 * Nothing here aborts the capture: only running out of memory fails it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "env.h"
#include "env_timing.h"
#include "hv_identify.h"
#include "pin.h"

#define ENV_VALUE_MAX	4096	/* a sysfs attribute is at most a page */

/* The flags worth recording: they decide what a hypervisor can do and how time is kept. */
static const char *const env_cpu_flags[] = {
	"vmx", "svm", "hypervisor", "constant_tsc", "nonstop_tsc", "tsc_known_freq",
	"tsc_reliable", "rdtscp", "x2apic", "tsc_deadline_timer", "pti",
};

/* A cloud's instance type is usually product_name; its asset tag often names the cloud. */
static const char *const env_dmi_fields[] = {
	"sys_vendor", "product_name", "product_version", "board_vendor", "bios_vendor",
	"bios_version", "chassis_asset_tag",
};

/* Which module backs /dev/kvm, and the CPU flag that module needs to be live. */
static const struct env_backend {
	const char *module, *backend, *needs_flag;
} env_backends[] = {
	{ "kvm_intel", "vmx", "vmx" },
	{ "kvm_amd", "svm", "svm" },
	{ "kvm_pvm", "pvm", NULL },	/* PVM needs no hardware virtualisation */
};

/* Capture state: reasons for unknowns collect here; out of memory is sticky. */
struct env_ctx {
	json_t *why;
	bool oom;
};

/* One section of the object ("cpu", "kvm", ...) being filled in. */
struct env_sec {
	struct env_ctx *ctx;
	json_t *obj;
	const char *name;
};

/* ---- small helpers ---- */

/* Read a small text file, trailing whitespace trimmed. 0 or -errno. */
static int env_read_file(const char *path, char *buf, size_t len)
{
	size_t n = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err = -errno;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static bool env_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * A JSON string of s.  jansson refuses invalid UTF-8, and sysfs or the
 * command line could hold anything, so such bytes become '?' rather than
 * losing the value.
 */
static json_t *env_string(const char *s)
{
	json_t *v = json_string(s);
	char *copy;

	if (v)
		return v;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	v = json_string(copy);
	free(copy);
	return v;
}

/* Store val (reference stolen) at obj[key]; NULL val means allocation failed. */
static void env_set(struct env_ctx *ctx, json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val))
		ctx->oom = true;
}

static void env_put(struct env_sec *sec, const char *key, json_t *val)
{
	env_set(sec->ctx, sec->obj, key, val);
}

static void env_put_str(struct env_sec *sec, const char *key, const char *s)
{
	env_put(sec, key, env_string(s));
}

/* Record sec.key as "unknown" and say why under why_unknown["sec.key"]. */
static void env_unknown(struct env_sec *sec, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void env_unknown(struct env_sec *sec, const char *key, const char *fmt, ...)
{
	char where[128], why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (sec->name[0])
		snprintf(where, sizeof(where), "%s.%s", sec->name, key);
	else
		snprintf(where, sizeof(where), "%s", key);
	env_put(sec, key, json_string("unknown"));
	env_set(sec->ctx, sec->ctx->why, where, env_string(why));
}

/* sec.key = the file's content, or "unknown" with the reason. */
static void env_put_file(struct env_sec *sec, const char *key, const char *path)
{
	char buf[ENV_VALUE_MAX];
	int err = env_read_file(path, buf, sizeof(buf));

	if (err)
		env_unknown(sec, key, "%s: %s", path, strerror(-err));
	else
		env_put_str(sec, key, buf);
}

/* A new empty section attached to root; its obj is NULL when out of memory. */
static struct env_sec env_section(struct env_ctx *ctx, json_t *root, const char *name)
{
	struct env_sec sec = { .ctx = ctx, .obj = json_object(), .name = name };

	/* the pointer stays valid: root owns the section until the capture is freed */
	if (json_object_set_new(root, name, sec.obj)) {
		ctx->oom = true;
		sec.obj = NULL;
	}
	return sec;
}

static int env_skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/*
 * sec.key = { file name: content } for every file in dir, sorted by name
 * so captures compare line by line.  Unreadable files are "unknown" or,
 * with skip_unreadable, left out.  A missing directory makes sec.key
 * "unknown", or an empty map when empty_if_missing.
 */
static void env_put_dir(struct env_sec *sec, const char *key, const char *dir,
			bool skip_unreadable, bool empty_if_missing)
{
	struct env_sec map = { .ctx = sec->ctx, .name = key };
	struct dirent **names;
	int n;

	n = scandir(dir, &names, env_skip_dots, alphasort);
	if (n < 0) {
		if (errno == ENOENT && empty_if_missing)
			env_put(sec, key, json_object());
		else
			env_unknown(sec, key, "%s: %s", dir, strerror(errno));
		return;
	}
	map.obj = json_object();
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], buf[ENV_VALUE_MAX];
		const char *name = names[i]->d_name;

		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		err = env_read_file(path, buf, sizeof(buf));
		if (!err)
			env_put_str(&map, name, buf);
		else if (!skip_unreadable)
			env_unknown(&map, name, "%s: %s", path, strerror(-err));
		free(names[i]);
	}
	free(names);
	env_put(sec, key, map.obj);
}

/* ---- sections ---- */

/*
 * The first processor's "key : value" lines of /proc/cpuinfo, as a JSON map
 * (empty, with *err set, when the file cannot be opened).  NULL: out of memory.
 */
static json_t *env_cpuinfo_read(int *err)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	json_t *map = json_object();
	char *line = NULL;
	size_t cap = 0;

	*err = 0;
	if (!f) {
		*err = errno;
		return map;
	}
	while (map && getline(&line, &cap, f) > 0) {
		char *colon = strchr(line, ':'), *key_end, *val;

		if (line[0] == '\n')
			break;	/* end of the first processor's block */
		if (!colon)
			continue;
		for (key_end = colon; key_end > line && strchr(" \t", key_end[-1]); key_end--)
			;
		*key_end = '\0';
		val = colon + 1 + strspn(colon + 1, " \t");
		val[strcspn(val, "\n")] = '\0';
		if (json_object_set_new(map, line, env_string(val))) {
			json_decref(map);
			map = NULL;
		}
	}
	free(line);
	fclose(f);
	return map;
}

/* The cpuinfo field is missing: say whether the file or just the field was. */
static void env_cpuinfo_missing(struct env_sec *sec, const char *key, const char *field,
				int err)
{
	if (err)
		env_unknown(sec, key, "/proc/cpuinfo: %s", strerror(err));
	else
		env_unknown(sec, key, "no \"%s\" in /proc/cpuinfo", field);
}

/* sec.key = the cpuinfo field as an integer, or "unknown". */
static void env_put_cpuinfo_int(struct env_sec *sec, const json_t *info, int err,
				const char *key, const char *field)
{
	const char *s = json_string_value(json_object_get(info, field));
	char *end;
	long v;

	if (!s) {
		env_cpuinfo_missing(sec, key, field, err);
		return;
	}
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end)
		env_unknown(sec, key, "/proc/cpuinfo \"%s\" is \"%s\", not a number", field, s);
	else
		env_put(sec, key, json_integer(v));
}

static void env_put_cpuinfo_str(struct env_sec *sec, const json_t *info, int err,
				const char *key, const char *field)
{
	const char *s = json_string_value(json_object_get(info, field));

	if (s)
		env_put_str(sec, key, s);
	else
		env_cpuinfo_missing(sec, key, field, err);
}

/* Is word one of the space-separated words of list? */
static bool env_has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

static void env_cpu_flags_put(struct env_sec *cpu, const json_t *info, int err)
{
	const char *flags = json_string_value(json_object_get(info, "flags"));
	struct env_sec sec = { .ctx = cpu->ctx, .obj = json_object(), .name = "cpu.flags" };

	for (size_t i = 0; i < sizeof(env_cpu_flags) / sizeof(env_cpu_flags[0]); i++) {
		if (flags)
			env_put(&sec, env_cpu_flags[i],
				json_boolean(env_has_word(flags, env_cpu_flags[i])));
		else
			env_cpuinfo_missing(&sec, env_cpu_flags[i], "flags", err);
	}
	env_put(cpu, "flags", sec.obj);
}

static void env_tsc_put(struct env_sec *sec)
{
	static const char path[] = "/sys/devices/system/cpu/cpu0/tsc_freq_khz";
	char buf[64], *end;
	long long khz;
	int err;

	err = env_read_file(path, buf, sizeof(buf));
	if (err) {
		env_unknown(sec, "tsc_khz", "%s: %s", path, strerror(-err));
		return;
	}
	errno = 0;
	khz = strtoll(buf, &end, 10);
	if (errno || end == buf || *end || khz <= 0)
		env_unknown(sec, "tsc_khz", "%s holds \"%s\"", path, buf);
	else
		env_put(sec, "tsc_khz", json_integer(khz));
}

static void env_cpu_capture(struct env_ctx *ctx, json_t *root)
{
	struct env_sec sec = env_section(ctx, root, "cpu");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	json_t *info;
	int err;

	info = env_cpuinfo_read(&err);
	if (!info) {
		ctx->oom = true;
		return;
	}
	env_put_cpuinfo_str(&sec, info, err, "vendor", "vendor_id");
	env_put_cpuinfo_str(&sec, info, err, "model_name", "model name");
	env_put_cpuinfo_int(&sec, info, err, "family", "cpu family");
	env_put_cpuinfo_int(&sec, info, err, "model", "model");
	env_put_cpuinfo_int(&sec, info, err, "stepping", "stepping");
	env_put_cpuinfo_str(&sec, info, err, "microcode", "microcode");
	env_cpu_flags_put(&sec, info, err);
	json_decref(info);
	env_tsc_put(&sec);
	if (online > 0)
		env_put(&sec, "nr_online_cpus", json_integer(online));
	else
		env_unknown(&sec, "nr_online_cpus", "sysconf(_SC_NPROCESSORS_ONLN): %s",
			    strerror(errno));
}

static void env_kernel_capture(struct env_ctx *ctx, json_t *root)
{
	struct env_sec sec = env_section(ctx, root, "kernel");
	struct utsname u;

	if (uname(&u) == 0) {
		env_put_str(&sec, "release", u.release);
		env_put_str(&sec, "version", u.version);
		env_put_str(&sec, "machine", u.machine);
	} else {
		int err = errno;

		env_unknown(&sec, "release", "uname: %s", strerror(err));
		env_unknown(&sec, "version", "uname: %s", strerror(err));
		env_unknown(&sec, "machine", "uname: %s", strerror(err));
	}
	env_put_file(&sec, "cmdline", "/proc/cmdline");
}

/* Is the CPU flag present?  -1 when /proc/cpuinfo gave no flags. */
static int env_cpu_flag(const json_t *root, const char *flag)
{
	const json_t *v = json_object_get(json_object_get(json_object_get(root, "cpu"),
							  "flags"), flag);

	return json_is_boolean(v) ? json_is_true(v) : -1;
}

/*
 * The backend is whichever of kvm_intel, kvm_amd, kvm_pvm is in /sys/module.
 * A built-in kvm_intel or kvm_amd shows there even when its CPU lacks the
 * feature and it never initialised, so when several are present one whose
 * CPU flag is missing is passed over.
 */
static const struct env_backend *env_kvm_backend(const json_t *root, json_t *modules,
						 struct env_ctx *ctx)
{
	const struct env_backend *found = NULL, *live = NULL;
	int nr_found = 0;

	for (size_t i = 0; i < sizeof(env_backends) / sizeof(env_backends[0]); i++) {
		const struct env_backend *b = &env_backends[i];
		char path[64];

		snprintf(path, sizeof(path), "/sys/module/%s", b->module);
		if (!env_exists(path))
			continue;
		if (json_array_append_new(modules, json_string(b->module)))
			ctx->oom = true;
		nr_found++;
		if (!found)
			found = b;
		if (!live && (!b->needs_flag || env_cpu_flag(root, b->needs_flag) == 1))
			live = b;
	}
	if (nr_found > 1 && live)
		return live;
	return found;
}

static void env_kvm_dev_capture(struct env_sec *sec)
{
	int fd, version;

	env_put(sec, "dev_kvm_present", json_boolean(env_exists("/dev/kvm")));
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		env_put(sec, "dev_kvm_accessible", json_false());
		env_unknown(sec, "api_version", "/dev/kvm: %s", strerror(err));
		return;
	}
	env_put(sec, "dev_kvm_accessible", json_true());
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		env_unknown(sec, "api_version", "KVM_GET_API_VERSION: %s", strerror(errno));
	else
		env_put(sec, "api_version", json_integer(version));
	close(fd);
}

static void env_kvm_capture(struct env_ctx *ctx, json_t *root)
{
	struct env_sec sec = env_section(ctx, root, "kvm");
	json_t *modules = json_array();
	const struct env_backend *b;
	char dir[96];

	env_kvm_dev_capture(&sec);
	b = env_kvm_backend(root, modules, ctx);
	if (b) {
		env_put_str(&sec, "backend", b->backend);
		env_put(&sec, "backend_modules", modules);
		env_put_str(&sec, "backend_module", b->module);
		snprintf(dir, sizeof(dir), "/sys/module/%s/parameters", b->module);
		env_put_dir(&sec, "backend_parameters", dir, true, true);
	} else {
		env_unknown(&sec, "backend", "none of kvm_intel, kvm_amd, kvm_pvm is loaded");
		env_put(&sec, "backend_modules", modules);
		env_unknown(&sec, "backend_module", "no backend module");
		env_unknown(&sec, "backend_parameters", "no backend module");
	}
	if (env_exists("/sys/module/kvm"))
		env_put_dir(&sec, "kvm_parameters", "/sys/module/kvm/parameters", true, true);
	else
		env_unknown(&sec, "kvm_parameters", "/sys/module/kvm: %s", strerror(ENOENT));
}

bool env_hypervisor_signature(char sig[13])
{
#if defined(__x86_64__) || defined(__i386__)
	return hv_cpuid_signature(hv_cpuid_native, NULL, sig);
#else
	sig[0] = '\0';
	return false;
#endif
}

/*
 * CPUID runs here, in this process, rather than trusting /proc/cpuinfo:
 * what matters is what the hypervisor underneath shows this process.
 */
static void env_guest_capture(struct env_ctx *ctx, json_t *root)
{
	struct env_sec sec = env_section(ctx, root, "host_is_guest");
	char sig[13];

#if defined(__x86_64__) || defined(__i386__)
	if (!env_hypervisor_signature(sig)) {
		env_put(&sec, "hypervisor_bit", json_false());
		env_put(&sec, "signature", json_null());
		return;
	}
	env_put(&sec, "hypervisor_bit", json_true());
	env_put_str(&sec, "signature", sig);
#else
	(void)sig;
	env_unknown(&sec, "hypervisor_bit", "no CPUID on this architecture");
	env_unknown(&sec, "signature", "no CPUID on this architecture");
#endif
}

/* A power setting: absent means the kernel does not expose it ("not visible"). */
static void env_put_power(struct env_sec *sec, const char *key, const char *path)
{
	char buf[256];
	int err = env_read_file(path, buf, sizeof(buf));

	if (err == -ENOENT)
		env_put_str(sec, key, "not visible");
	else if (err)
		env_unknown(sec, key, "%s: %s", path, strerror(-err));
	else
		env_put_str(sec, key, buf);
}

static void env_power_capture(struct env_ctx *ctx, json_t *root)
{
	struct env_sec sec = env_section(ctx, root, "power");

	env_put_power(&sec, "scaling_driver",
		      "/sys/devices/system/cpu/cpu0/cpufreq/scaling_driver");
	env_put_power(&sec, "scaling_governor",
		      "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	env_put_power(&sec, "boost", "/sys/devices/system/cpu/cpufreq/boost");
	env_put_power(&sec, "no_turbo", "/sys/devices/system/cpu/intel_pstate/no_turbo");
}

static void env_dmi_capture(struct env_ctx *ctx, json_t *root)
{
	static const char dir[] = "/sys/class/dmi/id";
	struct env_sec sec;

	if (!env_exists(dir)) {
		env_set(ctx, root, "dmi", json_pack("{s:b, s:s}", "available", 0,
						    "why", "no /sys/class/dmi/id"));
		return;
	}
	sec = env_section(ctx, root, "dmi");
	env_put(&sec, "available", json_true());
	for (size_t i = 0; i < sizeof(env_dmi_fields) / sizeof(env_dmi_fields[0]); i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%s", dir, env_dmi_fields[i]);
		env_put_file(&sec, env_dmi_fields[i], path);
	}
}

static void env_when_where_capture(struct env_ctx *ctx, json_t *root)
{
	struct env_sec sec = { .ctx = ctx, .obj = root, .name = "" };
	char stamp[32], host[HOST_NAME_MAX + 1];
	time_t now = time(NULL);
	struct tm tm;

	if (now != (time_t)-1 && gmtime_r(&now, &tm) &&
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm))
		env_put_str(&sec, "captured_at", stamp);
	else
		env_unknown(&sec, "captured_at", "the clock could not be read");
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		env_put_str(&sec, "hostname", host);
	} else {
		env_unknown(&sec, "hostname", "gethostname: %s", strerror(errno));
	}
}

json_t *env_capture(void)
{
	struct env_ctx ctx = { .why = json_object() };
	json_t *root = json_object();
	struct env_sec top = { .ctx = &ctx, .obj = root, .name = "" };

	if (!root || !ctx.why)
		goto oom;
	env_when_where_capture(&ctx, root);
	env_cpu_capture(&ctx, root);
	env_set(&ctx, root, "topology", pin_topology_json());
	env_kernel_capture(&ctx, root);
	env_kvm_capture(&ctx, root);
	env_guest_capture(&ctx, root);
	env_power_capture(&ctx, root);
	env_put_dir(&top, "mitigations", "/sys/devices/system/cpu/vulnerabilities", false, false);
	env_dmi_capture(&ctx, root);
	/* after cpu, mitigations and dmi: the hypervisor's verdict reads them */
	env_set(&ctx, root, "hypervisor", hv_identify_json(&(struct hv_input){
		.root = "", .cpuid = HV_CPUID_HERE, .env = root }, ctx.why));
	env_set(&ctx, root, "timing", env_timing_json(root));
	if (ctx.oom)
		goto oom;
	if (json_object_set_new(root, "why_unknown", ctx.why)) {
		ctx.why = NULL;	/* set_new released it */
		goto oom;
	}
	return root;
oom:
	json_decref(ctx.why);
	json_decref(root);
	return NULL;
}
