/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor from every source, and the guest's own paravirtualisation
 * (hv_identify.h).  CPUID and the kernel log have files of their own
 * (hv_cpuid.c, hv_kmsg.c); this one reads /sys/hypervisor and the guest
 * kernel's clock, idle and memory settings, and weighs the sources.
 *
 * Why the sources differ: a CPUID signature is what the hypervisor chooses
 * to advertise (a PVM host may answer "bhyve bhyve "), the kernel's
 * "Hypervisor detected" line is the platform code the guest kernel chose
 * to drive, /sys/hypervisor is what the Xen driver found, and DMI names
 * the firmware the VMM hands the guest (QEMU's, under KVM).  Each is
 * recorded as it says, and a difference is spelled out.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hv_identify.h"
#include "hv_kmsg.h"

#define HV_NR(a)	(sizeof(a) / sizeof((a)[0]))
#define HV_VALUE_MAX	4096	/* a sysfs attribute is at most a page */

struct hv_ctx {
	const char *root;
	json_t *why;
	bool oom;
};

/* One section of the "hypervisor" object being filled in. */
struct hv_sec {
	struct hv_ctx *c;
	json_t *obj;
	const char *name;	/* "guest_pv": why_unknown keys are hypervisor.<name>.<key> */
};

/* The kernel's names (as "Hypervisor detected:" gives them, a prefix) and CPUID's for each. */
static const struct {
	const char *prefix, *name;
} hv_kernel_names[] = {
	{ "Xen", "Xen" },		/* "Xen PV", "Xen HVM", "Xen PVH" */
	{ "Microsoft Hyper-V", "Hyper-V" },
	{ "KVM", "KVM" },
	{ "VMware", "VMware" },
	{ "Bhyve", "bhyve" },
	{ "ACRN", "ACRN" },
	{ "Jailhouse", "Jailhouse" },
	{ "PVM", "PVM" },
};

/* DMI fields that name a hypervisor or VMM (most cloud vendors name neither). */
static const struct {
	const char *field, *text, *name;
} hv_dmi_names[] = {
	{ "sys_vendor", "QEMU", "QEMU" },
	{ "product_name", "KVM", "KVM" },
	{ "sys_vendor", "Xen", "Xen" },
	{ "sys_vendor", "VMware", "VMware" },
	{ "sys_vendor", "innotek", "VirtualBox" },
	{ "product_name", "VirtualBox", "VirtualBox" },
	{ "product_name", "Virtual Machine", "Hyper-V" },	/* with sys_vendor Microsoft */
	{ "bios_vendor", "BHYVE", "bhyve" },
	{ "product_name", "BHYVE", "bhyve" },
	{ "sys_vendor", "Parallels", "Parallels" },
};

/* ---- reading ---- */

/* root + path, whole and trimmed.  0 or -errno. */
static int hv_read(const struct hv_ctx *c, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX];
	size_t n;
	FILE *f;
	int err;

	snprintf(full, sizeof(full), "%s%s", c->root, path);
	f = fopen(full, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err)
		return err;
	buf[n] = '\0';
	while (n && strchr(" \t\r\n", buf[n - 1]))
		buf[--n] = '\0';
	/* sysfs holds text; JSON wants UTF-8, so anything else becomes '?' */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return 0;
}

static void hv_set(struct hv_ctx *c, json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val))
		c->oom = true;
}

static void hv_put(struct hv_sec *s, const char *key, json_t *val)
{
	hv_set(s->c, s->obj, key, val);
}

/* s.key = "unknown", and why_unknown["hypervisor.s.key"] says why. */
static void hv_unknown(struct hv_sec *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void hv_unknown(struct hv_sec *s, const char *key, const char *fmt, ...)
{
	char where[128], text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "hypervisor.%s%s%s", s->name, s->name[0] ? "." : "", key);
	hv_put(s, key, json_string("unknown"));
	hv_set(s->c, s->c->why, where, json_string(text));
}

/* s.key = the file's text, or "unknown"; with absent_null, a missing file is null. */
static void hv_put_file(struct hv_sec *s, const char *key, const char *path, char *buf,
			size_t len, bool absent_null)
{
	int err = hv_read(s->c, path, buf, len);

	if (err == -ENOENT && absent_null)
		hv_put(s, key, json_null());
	else if (err)
		hv_unknown(s, key, "%s: %s", path, strerror(-err));
	else
		hv_put(s, key, json_string(buf));
}

/* "always [madvise] never" -> "madvise": the kernel marks the setting in use. */
static const char *hv_bracketed(char *text)
{
	char *open = strchr(text, '['), *close = open ? strchr(open, ']') : NULL;

	if (!close)
		return text;
	*close = '\0';
	return open + 1;
}

/* ---- /sys/hypervisor ---- */

static int hv_skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* { name: text } of the files in dir, sorted; unreadable ones left out, {} when absent. */
static json_t *hv_dir_map(const struct hv_ctx *c, const char *dir)
{
	char full[PATH_MAX];
	struct dirent **names;
	json_t *map = json_object();
	int n;

	snprintf(full, sizeof(full), "%s%s", c->root, dir);
	n = scandir(full, &names, hv_skip_dots, alphasort);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], buf[HV_VALUE_MAX];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (map && !hv_read(c, path, buf, sizeof(buf)) &&
		    json_object_set_new(map, names[i]->d_name, json_string(buf))) {
			json_decref(map);
			map = NULL;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	return map;
}

/*
 * Xen's driver fills /sys/hypervisor: type "xen", guest_type "HVM" | "PV" |
 * "PVH", the version and the properties.  Elsewhere it is empty or absent,
 * which is an answer (null), not an unknown.
 */
static void hv_sysfs_capture(struct hv_ctx *c, json_t *hv)
{
	struct hv_sec s = { .c = c, .obj = json_object(), .name = "sysfs" };
	char major[32], minor[32], extra[64], version[160];

	hv_set(c, hv, "sysfs", s.obj);
	if (c->oom)
		return;	/* s.obj is gone or never was; the capture fails anyway */
	hv_put_file(&s, "type", "/sys/hypervisor/type", extra, sizeof(extra), true);
	hv_put_file(&s, "guest_type", "/sys/hypervisor/guest_type", extra, sizeof(extra), true);
	if (!hv_read(c, "/sys/hypervisor/version/major", major, sizeof(major)) &&
	    !hv_read(c, "/sys/hypervisor/version/minor", minor, sizeof(minor))) {
		if (hv_read(c, "/sys/hypervisor/version/extra", extra, sizeof(extra)))
			extra[0] = '\0';
		snprintf(version, sizeof(version), "%s.%s%s", major, minor, extra);
		hv_put(&s, "version", json_string(version));
	} else {
		hv_put(&s, "version", json_null());
	}
	hv_put(&s, "properties", hv_dir_map(c, "/sys/hypervisor/properties"));
}

/* ---- the guest's own paravirtualisation ---- */

/* PTI from both places the kernel shows it: the cpuinfo flag and vulnerabilities/meltdown. */
static void hv_pti_put(struct hv_sec *s, const json_t *env)
{
	const json_t *flag = json_object_get(json_object_get(json_object_get(env, "cpu"),
							     "flags"), "pti");
	const char *meltdown = json_string_value(json_object_get(json_object_get(env,
							"mitigations"), "meltdown"));
	bool known_meltdown = meltdown && strcmp(meltdown, "unknown");

	if (json_is_true(flag) || (known_meltdown && strstr(meltdown, "PTI")))
		hv_put(s, "pti", json_string("on"));
	else if (json_is_false(flag) || known_meltdown)
		hv_put(s, "pti", json_string("off"));
	else
		hv_unknown(s, "pti", "neither the cpuinfo flag pti nor "
			   "vulnerabilities/meltdown could be read");
}

static void hv_guest_capture(struct hv_ctx *c, json_t *hv, const json_t *env)
{
	static const char cs[] = "/sys/devices/system/clocksource/clocksource0/";
	static const char idle[] = "/sys/devices/system/cpu/cpuidle/";
	static const char thp[] = "/sys/kernel/mm/transparent_hugepage/";
	struct hv_sec s = { .c = c, .obj = json_object(), .name = "guest_pv" };
	char path[256], buf[HV_VALUE_MAX];
	json_t *list;
	int err;

	hv_set(c, hv, "guest_pv", s.obj);
	if (c->oom)
		return;
	snprintf(path, sizeof(path), "%scurrent_clocksource", cs);
	hv_put_file(&s, "clocksource", path, buf, sizeof(buf), false);
	snprintf(path, sizeof(path), "%savailable_clocksource", cs);
	err = hv_read(c, path, buf, sizeof(buf));
	if (err) {
		hv_unknown(&s, "available_clocksources", "%s: %s", path, strerror(-err));
	} else {
		list = json_array();
		for (char *save = NULL, *w = strtok_r(buf, " ", &save); list && w;
		     w = strtok_r(NULL, " ", &save))
			if (json_array_append_new(list, json_string(w)))
				c->oom = true;
		hv_put(&s, "available_clocksources", list);
	}
	snprintf(path, sizeof(path), "%scurrent_driver", idle);
	hv_put_file(&s, "cpuidle_driver", path, buf, sizeof(buf), false);
	/* current_governor_ro is the older, read-only name of the same attribute */
	snprintf(path, sizeof(path), "%scurrent_governor_ro", idle);
	if (hv_read(c, path, buf, sizeof(buf))) {
		snprintf(path, sizeof(path), "%scurrent_governor", idle);
		hv_put_file(&s, "cpuidle_governor", path, buf, sizeof(buf), false);
	} else {
		hv_put(&s, "cpuidle_governor", json_string(buf));
	}
	for (int i = 0; i < 2; i++) {
		const char *file = i ? "defrag" : "enabled";
		const char *key = i ? "thp_defrag" : "thp_enabled";

		snprintf(path, sizeof(path), "%s%s", thp, file);
		err = hv_read(c, path, buf, sizeof(buf));
		if (err)
			hv_unknown(&s, key, "%s: %s", path, strerror(-err));
		else
			hv_put(&s, key, json_string(hv_bracketed(buf)));
	}
	hv_pti_put(&s, env);
}

/* ---- the verdict ---- */

/* The hypervisor a kernel name means ("Xen HVM" -> "Xen"); itself when not known here. */
static const char *hv_kernel_name(const char *said)
{
	for (size_t i = 0; i < HV_NR(hv_kernel_names); i++) {
		const char *prefix = hv_kernel_names[i].prefix;

		if (!strncasecmp(said, prefix, strlen(prefix)))
			return hv_kernel_names[i].name;
	}
	return said;
}

/* Do two names mean the same hypervisor?  QEMU's firmware sits under KVM or TCG. */
static bool hv_names_agree(const char *a, const char *b)
{
	static const char *const under_qemu[] = { "KVM", "TCG" };

	if (!strcasecmp(a, b))
		return true;
	for (size_t i = 0; i < HV_NR(under_qemu); i++)
		if ((!strcmp(a, "QEMU") && !strcmp(b, under_qemu[i])) ||
		    (!strcmp(b, "QEMU") && !strcmp(a, under_qemu[i])))
			return true;
	return false;
}

/* The hypervisor DMI names, or NULL. */
static const char *hv_dmi_name(const json_t *env)
{
	const json_t *dmi = json_object_get(env, "dmi");

	if (!json_is_true(json_object_get(dmi, "available")))
		return NULL;
	for (size_t i = 0; i < HV_NR(hv_dmi_names); i++) {
		const char *v = json_string_value(json_object_get(dmi, hv_dmi_names[i].field));

		if (v && strstr(v, hv_dmi_names[i].text))
			return hv_dmi_names[i].name;
	}
	return NULL;
}

/*
 * What the kernel says, for people: the detected name with the mode its
 * "running under" line gives ("PVM (pv-lite)"), or, if the log kept no
 * "Hypervisor detected" line, the paravirt platform it booted on.
 */
static bool hv_kernel_said(const json_t *log, char *buf, size_t len)
{
	const char *det = json_string_value(json_object_get(log, "detected"));
	const char *under = json_string_value(json_object_get(log, "running_under"));
	const char *pv = json_string_value(json_object_get(log, "paravirt_on"));
	const char *mode = under ? strchr(under, '(') : NULL;

	if (!det && pv && strcmp(pv, "bare hardware"))
		det = pv;
	if (!det)
		return false;
	if (mode && !strncasecmp(under, det, strlen(det)))
		snprintf(buf, len, "%s %s", det, mode);
	else
		snprintf(buf, len, "%s", det);
	return true;
}

/* CPUID's names, one per vendor block: the name, or the quoted signature. */
static json_t *hv_cpuid_names(const json_t *cpuid)
{
	const json_t *leaves = json_object_get(cpuid, "leaves");
	json_t *names = json_array(), *leaf;
	size_t i;

	if (!json_is_object(cpuid))
		return json_string("unknown");
	json_array_foreach(leaves, i, leaf) {
		const char *name = json_string_value(json_object_get(leaf, "name"));
		char quoted[20];

		snprintf(quoted, sizeof(quoted), "'%s'",
			 json_string_value(json_object_get(leaf, "signature")) ?: "");
		if (json_array_append_new(names, json_string(name ? name : quoted))) {
			json_decref(names);
			return NULL;
		}
	}
	return names;
}

/* Does any of CPUID's names agree with name? */
static bool hv_cpuid_agrees(const json_t *names, const char *name)
{
	const json_t *v;
	size_t i;

	json_array_foreach(names, i, v)
		if (hv_names_agree(json_string_value(v), name))
			return true;
	return false;
}

/* "bhyve", "Hyper-V and KVM". */
static void hv_join(const json_t *names, char *buf, size_t len)
{
	size_t n = 0, i, nr = json_array_size(names);
	const json_t *v;

	buf[0] = '\0';
	json_array_foreach(names, i, v)
		n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
			      i == 0 ? "" : i + 1 == nr ? " and " : ", ", json_string_value(v));
}

static void hv_say(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Append one disagreement to buf, "; " between them. */
static void hv_say(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 2 < len)
		n += snprintf(buf + n, len - n, "; ");
	va_start(ap, fmt);
	vsnprintf(buf + n, n < len ? len - n : 0, fmt, ap);
	va_end(ap);
}

/* The other sources, each against CPUID's names (or one another's, if CPUID gave none). */
static void hv_disagreements(const json_t *names, bool bit, const char *kernel,
			     const char *kernel_said, const char *sysfs, const char *dmi,
			     char *buf, size_t len)
{
	static const char kernel_why[] = "the signature is what the hypervisor advertises, the "
		"kernel line what the guest kernel chose to drive";
	static const char sysfs_why[] = "/sys/hypervisor is what the kernel's Xen driver found";
	static const char dmi_why[] = "DMI names the firmware the VMM gives the guest";
	char cpuid[128];

	buf[0] = '\0';
	hv_join(names, cpuid, sizeof(cpuid));
	if (json_is_array(names) && !bit) {
		if (kernel)
			hv_say(buf, len, "CPUID shows no hypervisor (its bit is clear), the kernel "
			       "says %s: a hypervisor that hides the bit", kernel_said);
		if (dmi)
			hv_say(buf, len, "CPUID shows no hypervisor (its bit is clear), "
			       "DMI says %s: %s", dmi, dmi_why);
		return;
	}
	if (json_array_size(names)) {
		if (kernel && !hv_cpuid_agrees(names, kernel))
			hv_say(buf, len, "CPUID says %s, the kernel says %s: %s", cpuid,
			       kernel_said, kernel_why);
		if (sysfs && !hv_cpuid_agrees(names, sysfs))
			hv_say(buf, len, "CPUID says %s, /sys/hypervisor says %s: %s", cpuid, sysfs,
			       sysfs_why);
		if (dmi && !hv_cpuid_agrees(names, dmi))
			hv_say(buf, len, "CPUID says %s, DMI says %s: %s", cpuid, dmi, dmi_why);
		return;
	}
	if (kernel && sysfs && !hv_names_agree(kernel, sysfs))
		hv_say(buf, len, "the kernel says %s, /sys/hypervisor says %s", kernel_said, sysfs);
	if (kernel && dmi && !hv_names_agree(kernel, dmi))
		hv_say(buf, len, "the kernel says %s, DMI says %s: %s", kernel_said, dmi, dmi_why);
}

/* The "verdict" object (hv_identify.h's layout) of hv, in the environment env (for DMI). */
static json_t *hv_verdict_json(const json_t *hv, const json_t *env)
{
	const json_t *cpuid = json_object_get(hv, "cpuid");
	const char *type = json_string_value(json_object_get(json_object_get(hv, "sysfs"),
								"type"));
	const char *dmi = hv_dmi_name(env), *kernel = NULL, *sysfs = NULL;
	char said[192] = "", text[1024];
	json_t *names = hv_cpuid_names(cpuid);

	if (!names)
		return NULL;
	if (hv_kernel_said(json_object_get(hv, "kernel_log"), said, sizeof(said)))
		kernel = hv_kernel_name(said);
	if (type && strcmp(type, "unknown"))
		sysfs = strcasecmp(type, "xen") ? type : "Xen";
	hv_disagreements(names, json_is_true(json_object_get(cpuid, "hypervisor_bit")),
			 kernel, said, sysfs, dmi, text, sizeof(text));
	return json_pack("{s:o, s:s?, s:s?, s:s?, s:s?}", "cpuid", names,
			 "kernel", kernel ? said : NULL, "sysfs", sysfs, "dmi", dmi,
			 "disagreement", text[0] ? text : NULL);
}

/* ---- the whole ---- */

json_t *hv_identify_json(const struct hv_input *in, json_t *why)
{
	struct hv_ctx c = { .root = in->root, .why = why };
	struct hv_sec top = { .c = &c, .obj = json_object(), .name = "" };
	struct hv_kmsg *k = malloc(sizeof(*k));
	char path[PATH_MAX];

	if (!top.obj || !k)
		goto oom;
	if (in->cpuid)
		hv_put(&top, "cpuid", hv_cpuid_json(in->cpuid, in->cpuid_arg));
	else
		hv_unknown(&top, "cpuid", "no CPUID on this architecture");
	hv_sysfs_capture(&c, top.obj);
	hv_kmsg_init(k);
	snprintf(path, sizeof(path), "%s/dev/kmsg", in->root);
	hv_kmsg_read(k, path);
	hv_put(&top, "kernel_log", hv_kmsg_json(k));
	hv_guest_capture(&c, top.obj, in->env);
	if (c.oom)
		goto oom;
	hv_put(&top, "verdict", hv_verdict_json(top.obj, in->env));
	if (c.oom)
		goto oom;
	free(k);
	return top.obj;
oom:
	free(k);
	json_decref(top.obj);
	return NULL;
}
