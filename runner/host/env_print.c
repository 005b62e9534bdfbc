/* SPDX-License-Identifier: MIT */
/*
 * env_print: env_capture's object rendered for people (`hvbench info`).
 * One "label  value" line per fact, long values wrapped under the value
 * column.  It reads only the JSON, so it renders a stored capture as well
 * as a fresh one; anything missing or of the wrong type prints as unknown.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "env.h"

#define ENV_LABEL_W	29	/* the label column */
#define ENV_LINE_W	100

/* A JSON value as a short string: "yes"/"no" for booleans, "unknown" when absent. */
static const char *env_fmt(const json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "yes" : "no");
	else if (json_is_null(v))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "unknown");
	return buf;
}

/* env[sec][key], formatted. */
static const char *env_at(const json_t *env, const char *sec, const char *key, char *buf,
			  size_t len)
{
	return env_fmt(json_object_get(json_object_get(env, sec), key), buf, len);
}

static void env_line(FILE *f, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void env_line(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%-*s ", ENV_LABEL_W - 1, label);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/* A line whose value wraps at ENV_LINE_W, continuation lines under the value column. */
struct env_wrap {
	FILE *f;
	int col;
};

static void env_wrap_start(struct env_wrap *w, FILE *f, const char *label)
{
	w->f = f;
	w->col = fprintf(f, "%-*s ", ENV_LABEL_W - 1, label);
}

/* One unbreakable word; a word wider than the line gets a line of its own. */
static void env_wrap_word(struct env_wrap *w, const char *word, int len)
{
	bool first = w->col <= ENV_LABEL_W;

	if (!first && w->col + 1 + len > ENV_LINE_W) {
		fprintf(w->f, "\n%-*s", ENV_LABEL_W, "");
		w->col = ENV_LABEL_W;
		first = true;
	}
	w->col += fprintf(w->f, "%s%.*s", first ? "" : " ", len, word);
}

/* Text broken at spaces. */
static void env_wrap_text(struct env_wrap *w, const char *text)
{
	while (*text) {
		size_t len = strcspn(text, " ");

		if (len)
			env_wrap_word(w, text, (int)len);
		text += len + strspn(text + len, " ");
	}
}

static void env_wrap_end(struct env_wrap *w)
{
	fputc('\n', w->f);
}

static void env_line_wrapped(FILE *f, const char *label, const char *text)
{
	struct env_wrap w;

	env_wrap_start(&w, f, label);
	env_wrap_text(&w, text);
	env_wrap_end(&w);
}

/* The flags of interest whose value is `want` (unknown ones count as absent). */
static void env_print_flags(FILE *f, const char *label, const json_t *flags, bool want)
{
	const char *key;
	json_t *v;
	int n = 0;

	fprintf(f, "%-*s", ENV_LABEL_W, label);
	json_object_foreach((json_t *)flags, key, v)
		if (json_is_true(v) == want)
			fprintf(f, "%s%s", n++ ? " " : "", key);
	fprintf(f, "%s\n", n ? "" : json_is_object(flags) ? "(none)" : "unknown");
}

static void env_print_cpu(FILE *f, const json_t *env)
{
	const json_t *flags = json_object_get(json_object_get(env, "cpu"), "flags");
	char a[64], b[64], c[64], d[64];
	const json_t *tsc;

	env_line(f, "cpu", "%s, %s", env_at(env, "cpu", "vendor", a, sizeof(a)),
		 env_at(env, "cpu", "model_name", b, sizeof(b)));
	env_line(f, "cpu id", "family %s, model %s, stepping %s, microcode %s",
		 env_at(env, "cpu", "family", a, sizeof(a)),
		 env_at(env, "cpu", "model", b, sizeof(b)),
		 env_at(env, "cpu", "stepping", c, sizeof(c)),
		 env_at(env, "cpu", "microcode", d, sizeof(d)));
	env_print_flags(f, "cpu flags present", flags, true);
	env_print_flags(f, "cpu flags absent", flags, false);
	tsc = json_object_get(json_object_get(env, "cpu"), "tsc_khz");
	env_line(f, "tsc frequency", "%s%s", env_fmt(tsc, a, sizeof(a)),
		 json_is_integer(tsc) ? " kHz" : "");
	env_line(f, "online cpus", "%s", env_at(env, "cpu", "nr_online_cpus", a, sizeof(a)));
}

/* "1 package", "2 cores", "unknown cores". */
static const char *env_count(const json_t *topo, const char *key, const char *noun, char *buf,
			     size_t len)
{
	const json_t *v = json_object_get(topo, key);
	char n[32];

	snprintf(buf, len, "%s %s%s", env_fmt(v, n, sizeof(n)), noun,
		 json_is_integer(v) && json_integer_value(v) == 1 ? "" : "s");
	return buf;
}

static void env_print_topology(FILE *f, const json_t *env)
{
	const json_t *topo = json_object_get(env, "topology");
	const json_t *smt = json_object_get(topo, "smt");
	char a[48], b[48], c[48], d[48], g[64];

	env_line(f, "topology", "%s, %s, %s, %s, %s",
		 env_count(topo, "packages", "package", a, sizeof(a)),
		 env_count(topo, "cores", "core", b, sizeof(b)),
		 env_count(topo, "pus", "hardware thread", c, sizeof(c)),
		 env_count(topo, "numa_nodes", "NUMA node", d, sizeof(d)),
		 json_is_true(smt) ? "SMT" : json_is_false(smt) ? "no SMT" : "SMT unknown");
	env_line(f, "usable cpus", "%s", env_at(env, "topology", "allowed_cpus", g, sizeof(g)));
}

static void env_print_kernel(FILE *f, const json_t *env)
{
	char a[128], b[128], c[64];

	env_line(f, "kernel", "%s %s", env_at(env, "kernel", "release", a, sizeof(a)),
		 env_at(env, "kernel", "machine", c, sizeof(c)));
	env_line_wrapped(f, "kernel build", env_at(env, "kernel", "version", b, sizeof(b)));
	env_line_wrapped(f, "kernel command line", env_at(env, "kernel", "cmdline", a, sizeof(a)));
}

/* A map of parameters as "k=v k=v ...", wrapped. */
static void env_print_params(FILE *f, const char *label, const json_t *map)
{
	struct env_wrap w;
	const char *key;
	char buf[64], word[ENV_LINE_W * 2];
	json_t *v;

	env_wrap_start(&w, f, label);
	if (!json_is_object(map))
		env_wrap_text(&w, env_fmt(map, buf, sizeof(buf)));
	else if (json_object_size(map) == 0)
		env_wrap_text(&w, "(none)");
	json_object_foreach((json_t *)map, key, v) {
		int len = snprintf(word, sizeof(word), "%s=%s", key, env_fmt(v, buf, sizeof(buf)));

		env_wrap_word(&w, word, len < (int)sizeof(word) ? len : (int)sizeof(word) - 1);
	}
	env_wrap_end(&w);
}

static void env_print_kvm(FILE *f, const json_t *env)
{
	const json_t *kvm = json_object_get(env, "kvm");
	char a[32], b[32], c[32], d[32], label[64];

	env_line(f, "/dev/kvm", "present %s, accessible %s, API version %s",
		 env_at(env, "kvm", "dev_kvm_present", a, sizeof(a)),
		 env_at(env, "kvm", "dev_kvm_accessible", b, sizeof(b)),
		 env_at(env, "kvm", "api_version", c, sizeof(c)));
	env_line(f, "kvm backend", "%s (module %s)", env_at(env, "kvm", "backend", a, sizeof(a)),
		 env_at(env, "kvm", "backend_module", d, sizeof(d)));
	snprintf(label, sizeof(label), "%s parameters",
		 env_at(env, "kvm", "backend_module", d, sizeof(d)));
	env_print_params(f, label, json_object_get(kvm, "backend_parameters"));
	env_print_params(f, "kvm parameters", json_object_get(kvm, "kvm_parameters"));
}

static void env_print_guest(FILE *f, const json_t *env)
{
	const json_t *g = json_object_get(env, "host_is_guest");
	const json_t *bit = json_object_get(g, "hypervisor_bit");
	const char *sig = json_string_value(json_object_get(g, "signature"));

	if (json_is_true(bit))
		env_line(f, "host is a guest", "yes, hypervisor signature \"%s\"",
			 sig ? sig : "unknown");
	else if (json_is_false(bit))
		env_line(f, "host is a guest", "no (CPUID hypervisor bit clear)");
	else
		env_line(f, "host is a guest", "unknown");
	if (json_is_false(json_object_get(json_object_get(env, "timing"), "performance_figures")))
		env_line(f, "timing", "NOT performance figures: %s", json_string_value(
			json_object_get(json_object_get(env, "timing"), "why")) ?: "no reason recorded");
}

/* The strings of a JSON array as words, wrapped; "(none)" when empty. */
static void env_print_words(FILE *f, const char *label, const json_t *a, const char *tail)
{
	struct env_wrap w;
	const json_t *v;
	char buf[64];
	size_t i;

	env_wrap_start(&w, f, label);
	if (!json_is_array(a))
		env_wrap_text(&w, env_fmt(a, buf, sizeof(buf)));
	else if (!json_array_size(a))
		env_wrap_text(&w, "(none)");
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			env_wrap_word(&w, json_string_value(v), (int)strlen(json_string_value(v)));
	if (tail)
		env_wrap_text(&w, tail);
	env_wrap_end(&w);
}

/* A source's name, "-" when it says nothing. */
static const char *env_said(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "-";
}

/* The sources side by side ("unread": a log that could not be read), then a disagreement. */
static void env_print_hv_verdict(FILE *f, const json_t *hv)
{
	const json_t *verdict = json_object_get(hv, "verdict");
	const json_t *names = json_object_get(verdict, "cpuid");
	const json_t *kernel = json_object_get(verdict, "kernel");
	bool unread = json_is_false(json_object_get(json_object_get(hv, "kernel_log"),
						    "readable"));
	const char *dis = json_string_value(json_object_get(verdict, "disagreement"));
	char cpuid[128] = "", line[384];
	size_t n = 0, i;
	const json_t *v;

	if (!json_is_array(names))
		snprintf(cpuid, sizeof(cpuid), "%s", env_said(names));
	else if (!json_array_size(names))
		snprintf(cpuid, sizeof(cpuid), "none");
	json_array_foreach(names, i, v)
		n += snprintf(cpuid + n, n < sizeof(cpuid) ? sizeof(cpuid) - n : 0, "%s%s",
			      i ? " + " : "", env_said(v));
	snprintf(line, sizeof(line), "cpuid %s | kernel %s | /sys/hypervisor %s | dmi %s", cpuid,
		 !json_is_string(kernel) && unread ? "unread" : env_said(kernel),
		 env_said(json_object_get(verdict, "sysfs")),
		 env_said(json_object_get(verdict, "dmi")));
	env_line_wrapped(f, "hypervisor", line);
	if (dis)
		env_line_wrapped(f, "hypervisor sources DISAGREE", dis);
}

/* Each CPUID vendor block, and what it offers by name. */
static void env_print_hv_cpuid(FILE *f, const json_t *cpuid)
{
	const json_t *leaf;
	size_t i;

	json_array_foreach(json_object_get(cpuid, "leaves"), i, leaf) {
		const json_t *ver;

		env_line(f, "cpuid signature", "'%s' at %s, max leaf %s",
			 env_said(json_object_get(leaf, "signature")),
			 env_said(json_object_get(leaf, "base")),
			 env_said(json_object_get(leaf, "max_leaf")));
		if (json_object_get(leaf, "kvm_features")) {
			env_print_words(f, "  kvm features", json_object_get(leaf, "kvm_features"),
					NULL);
			if (json_array_size(json_object_get(leaf, "kvm_hints")))
				env_print_words(f, "  kvm hints",
						json_object_get(leaf, "kvm_hints"), NULL);
		}
		ver = json_object_get(leaf, "xen_version");
		if (ver)
			env_line(f, "  xen version", "%s", env_said(ver));
		if (json_object_get(leaf, "xen_hvm_features"))
			env_print_words(f, "  xen hvm features",
					json_object_get(leaf, "xen_hvm_features"), NULL);
		ver = json_object_get(leaf, "hyperv_version");
		if (ver)
			env_line(f, "  hyper-v", "interface %s, version %s",
				 env_said(json_object_get(leaf, "hyperv_interface")),
				 env_said(ver));
		if (json_object_get(leaf, "hyperv_privileges"))
			env_print_words(f, "  hyper-v privileges",
					json_object_get(leaf, "hyperv_privileges"), NULL);
		if (json_object_get(leaf, "hyperv_recommendations"))
			env_print_words(f, "  hyper-v recommends",
					json_object_get(leaf, "hyperv_recommendations"), NULL);
	}
}

/* The kernel's own account: the platform it booted on, its PV features, or why unread. */
static void env_print_hv_kernel(FILE *f, const json_t *log)
{
	const json_t *lines = json_object_get(log, "lines");
	char tail[128];

	if (!json_is_true(json_object_get(log, "readable"))) {
		env_line_wrapped(f, "kernel log", env_said(json_object_get(log, "why")));
		return;
	}
	env_line(f, "kernel paravirt", "booted on %s%s",
		 env_said(json_object_get(log, "paravirt_on")),
		 json_is_false(json_object_get(log, "complete")) ?
		 " (the log has wrapped since boot: lines may be missing)" : "");
	snprintf(tail, sizeof(tail), "(%zu log line%s kept)", json_array_size(lines),
		 json_array_size(lines) == 1 ? "" : "s");
	env_print_words(f, "kernel pv features", json_object_get(log, "pv_features"), tail);
}

/* What the guest kernel runs on: clock, idle, THP and PTI. */
static void env_print_hv_guest(FILE *f, const json_t *env, const json_t *g)
{
	const char *meltdown = json_string_value(json_object_get(json_object_get(env,
							"mitigations"), "meltdown"));
	char a[64], b[64];
	const json_t *avail = json_object_get(g, "available_clocksources");
	char list[256] = "";
	size_t n = 0, i;
	const json_t *v;

	json_array_foreach(avail, i, v)
		n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, "%s%s",
			      i ? " " : "", env_said(v));
	env_line(f, "guest clocksource", "%s (available: %s)",
		 env_fmt(json_object_get(g, "clocksource"), a, sizeof(a)),
		 json_is_array(avail) ? list : env_fmt(avail, b, sizeof(b)));
	env_line(f, "guest cpuidle", "driver %s, governor %s",
		 env_fmt(json_object_get(g, "cpuidle_driver"), a, sizeof(a)),
		 env_fmt(json_object_get(g, "cpuidle_governor"), b, sizeof(b)));
	env_line(f, "transparent huge pages", "enabled %s, defrag %s",
		 env_fmt(json_object_get(g, "thp_enabled"), a, sizeof(a)),
		 env_fmt(json_object_get(g, "thp_defrag"), b, sizeof(b)));
	env_line(f, "page-table isolation", "%s%s%s%s",
		 env_fmt(json_object_get(g, "pti"), a, sizeof(a)), meltdown ? " (meltdown: " : "",
		 meltdown ? meltdown : "", meltdown ? ")" : "");
}

void env_print_hypervisor(FILE *f, const json_t *env)
{
	const json_t *hv = json_object_get(env, "hypervisor");
	const json_t *sysfs = json_object_get(hv, "sysfs");
	char a[64];

	if (!json_is_object(hv)) {
		env_line(f, "hypervisor", "%s", json_is_string(hv) ? json_string_value(hv) :
			 "not recorded (captured before this field existed)");
		return;
	}
	env_print_hv_verdict(f, hv);
	env_print_hv_cpuid(f, json_object_get(hv, "cpuid"));
	if (json_is_string(json_object_get(sysfs, "type")))
		env_line(f, "/sys/hypervisor", "type %s, guest type %s, version %s",
			 env_said(json_object_get(sysfs, "type")),
			 env_said(json_object_get(sysfs, "guest_type")),
			 env_fmt(json_object_get(sysfs, "version"), a, sizeof(a)));
	env_print_hv_kernel(f, json_object_get(hv, "kernel_log"));
	env_print_hv_guest(f, env, json_object_get(hv, "guest_pv"));
}

static void env_print_power(FILE *f, const json_t *env)
{
	char a[64], b[64];

	env_line(f, "cpufreq", "governor %s, driver %s",
		 env_at(env, "power", "scaling_governor", a, sizeof(a)),
		 env_at(env, "power", "scaling_driver", b, sizeof(b)));
	env_line(f, "boost / no_turbo", "%s / %s", env_at(env, "power", "boost", a, sizeof(a)),
		 env_at(env, "power", "no_turbo", b, sizeof(b)));
}

/* One line per vulnerability: the kernel's own words. */
static void env_print_mitigations(FILE *f, const json_t *env)
{
	const json_t *m = json_object_get(env, "mitigations");
	const char *key;
	char buf[64], label[64];
	json_t *v;

	if (!json_is_object(m)) {
		env_line(f, "mitigations", "%s", env_fmt(m, buf, sizeof(buf)));
		return;
	}
	env_line(f, "mitigations", "%zu reported by the kernel", json_object_size(m));
	json_object_foreach((json_t *)m, key, v) {
		snprintf(label, sizeof(label), "  %s", key);
		env_line_wrapped(f, label, env_fmt(v, buf, sizeof(buf)));
	}
}

static void env_print_dmi(FILE *f, const json_t *env)
{
	const json_t *dmi = json_object_get(env, "dmi");
	char a[128], b[128], c[128], d[128], e[128];

	if (!json_is_true(json_object_get(dmi, "available"))) {
		env_line(f, "dmi", "not available (%s)", env_at(env, "dmi", "why", a, sizeof(a)));
		return;
	}
	env_line(f, "system", "%s %s %s", env_at(env, "dmi", "sys_vendor", a, sizeof(a)),
		 env_at(env, "dmi", "product_name", b, sizeof(b)),
		 env_at(env, "dmi", "product_version", c, sizeof(c)));
	env_line(f, "board / bios vendor", "%s / %s",
		 env_at(env, "dmi", "board_vendor", d, sizeof(d)),
		 env_at(env, "dmi", "bios_vendor", e, sizeof(e)));
	env_line(f, "bios version / asset tag", "%s / %s",
		 env_at(env, "dmi", "bios_version", d, sizeof(d)),
		 env_at(env, "dmi", "chassis_asset_tag", e, sizeof(e)));
}

static void env_print_unknowns(FILE *f, const json_t *env)
{
	const json_t *why = json_object_get(env, "why_unknown");
	const char *key;
	char buf[64], label[64];
	json_t *v;

	if (!json_is_object(why) || json_object_size(why) == 0)
		return;
	env_line(f, "unknown", "%zu item(s), why:", json_object_size(why));
	json_object_foreach((json_t *)why, key, v) {
		snprintf(label, sizeof(label), "  %s", key);
		env_line_wrapped(f, label, env_fmt(v, buf, sizeof(buf)));
	}
}

void env_print(FILE *f, const json_t *env)
{
	char a[64], b[HOST_NAME_MAX + 1];

	env_line(f, "captured", "%s on %s", env_fmt(json_object_get(env, "captured_at"), a,
						      sizeof(a)),
		 env_fmt(json_object_get(env, "hostname"), b, sizeof(b)));
	env_print_cpu(f, env);
	env_print_topology(f, env);
	env_print_kernel(f, env);
	env_print_kvm(f, env);
	env_print_guest(f, env);
	env_print_hypervisor(f, env);
	env_print_power(f, env);
	env_print_mitigations(f, env);
	env_print_dmi(f, env);
	env_print_unknowns(f, env);
}
