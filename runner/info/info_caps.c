/* SPDX-License-Identifier: MIT */
/*
 * The probes behind `hvbench info`'s capabilities.  Each tries the thing
 * itself: open /dev/kvm and create a VM, run QEMU and ask it what it has,
 * load and attach the eBPF programs, open perf counters on this thread,
 * look tools up in PATH as execvp would and run them for their version.
 * What cannot be used is recorded with the first reason it cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "env_notes.h"
#include "env_timing.h"
#include "info.h"
#include "kvm.h"
#include "path_find.h"
#include "perf_counters.h"
#include "vmm_proc.h"
#include "why.h"
#if HVBENCH_PROBES
#include "probes.h"
#endif

#define INFO_TEXT_MAX		384
#define INFO_RUN_TIMEOUT_S	5
#define QEMU_BIN		"qemu-system-x86_64"
#define INFO_NR(a)		(sizeof(a) / sizeof((a)[0]))

/* The capabilities being filled in; running out of memory is sticky. */
struct info_ctx {
	json_t *caps;
	bool oom;
};

/* obj[key] = val (reference stolen); a NULL obj or val means allocation failed. */
static void info_set(struct info_ctx *x, json_t *obj, const char *key, json_t *val)
{
	if (json_object_set_new(obj, key, val))
		x->oom = true;
}

/*
 * caps[name] = {"available": yes, "why": text if not, "detail": text if
 * so, "notes": []}: the text one line of printable ASCII.  Returns the new
 * object (owned by caps) for the probe's own members, NULL when out of memory.
 */
static json_t *info_cap(struct info_ctx *x, const char *name, bool yes, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static json_t *info_cap(struct info_ctx *x, const char *name, bool yes, const char *fmt, ...)
{
	char raw[INFO_TEXT_MAX], text[INFO_TEXT_MAX];
	json_t *cap = json_object();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	why_set(text, sizeof(text), "", "%s", raw[0] || yes ? raw : "(the probe gave no reason)");
	info_set(x, cap, "available", json_boolean(yes));
	info_set(x, cap, "why", yes ? json_null() : json_string(text));
	info_set(x, cap, "detail", yes && text[0] ? json_string(text) : json_null());
	info_set(x, cap, "notes", json_array());
	if (json_object_set_new(x->caps, name, cap)) {
		x->oom = true;
		return NULL;
	}
	return cap;
}

/* One more line under the capability: a fact that qualifies its yes or no. */
static void info_note(struct info_ctx *x, json_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void info_note(struct info_ctx *x, json_t *cap, const char *fmt, ...)
{
	char raw[INFO_TEXT_MAX], text[INFO_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	why_set(text, sizeof(text), "", "%s", raw);
	if (json_array_append_new(json_object_get(cap, "notes"), json_string(text)))
		x->oom = true;
}

/*
 * What a program printed or PATH held, as JSON: printable ASCII ('?' for
 * anything else), so that no byte it chose can make the object invalid.
 */
static json_t *info_string(const char *s)
{
	char text[PATH_MAX];

	why_set(text, sizeof(text), "", "%s", s);
	return json_string(text);
}

static json_t *info_string_or_null(const char *s)
{
	return s[0] ? info_string(s) : json_null();
}

/* ---- KVM: what refvmm and qemu-kvm need ---- */

struct info_kvm {
	bool present, accessible, create_vm;
	int api_version;		/* -1: not read */
	char why[INFO_TEXT_MAX];	/* why KVM cannot be used, or "" */
};

static const char *info_errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

/* Who may open /dev/kvm and who this process is: what a user needs to fix it. */
static void info_kvm_denied(struct info_kvm *k, const struct stat *st, int err)
{
	const struct passwd *pw = getpwuid(st->st_uid);
	const struct group *gr = getgrgid(st->st_gid);
	char owner[64], group[64];
	bool group_rw = (st->st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP);

	if (pw)
		snprintf(owner, sizeof(owner), "%s", pw->pw_name);
	else
		snprintf(owner, sizeof(owner), "%u", (unsigned int)st->st_uid);
	if (gr)
		snprintf(group, sizeof(group), "%s", gr->gr_name);
	else
		snprintf(group, sizeof(group), "%u", (unsigned int)st->st_gid);
	snprintf(k->why, sizeof(k->why),
		 "no permission to open /dev/kvm (%s): mode %04o, owner %s:%s, this process "
		 "uid %u gid %u; run as root%s%s", info_errname(err),
		 (unsigned int)(st->st_mode & 07777), owner, group, (unsigned int)geteuid(),
		 (unsigned int)getegid(), group_rw ? " or join group " : "", group_rw ? group : "");
}

/* Every step refvmm takes before its first vCPU: a VM that KVM creates is a VM refvmm can run. */
static void info_kvm_probe(struct info_kvm *k)
{
	struct stat st;
	int fd, vm;

	*k = (struct info_kvm){ .api_version = -1 };
	if (stat("/dev/kvm", &st)) {
		if (errno == ENOENT)	/* refvmm's own words: info and run say the same */
			kvm_missing_why(k->why, sizeof(k->why));
		else
			snprintf(k->why, sizeof(k->why), "/dev/kvm: %s (%s)", strerror(errno),
				 info_errname(errno));
		return;
	}
	k->present = true;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EACCES || errno == EPERM)
			info_kvm_denied(k, &st, errno);
		else
			snprintf(k->why, sizeof(k->why), "cannot open /dev/kvm: %s (%s)",
				 strerror(errno), info_errname(errno));
		return;
	}
	k->accessible = true;
	k->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (k->api_version < 0) {
		snprintf(k->why, sizeof(k->why), "KVM_GET_API_VERSION on /dev/kvm failed: %s (%s)",
			 strerror(errno), info_errname(errno));
	} else if (k->api_version != KVM_API_VERSION) {
		snprintf(k->why, sizeof(k->why), "KVM API version %d, refvmm needs %d",
			 k->api_version, KVM_API_VERSION);
	} else {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		if (vm < 0) {
			snprintf(k->why, sizeof(k->why), "KVM_CREATE_VM failed: %s (%s)",
				 strerror(errno), info_errname(errno));
		} else {
			k->create_vm = true;
			close(vm);
		}
	}
	close(fd);
}

/* Whether refvmm's VMs run inside another hypervisor's VM: CPUID, as env read it. */
static void info_nested(struct info_ctx *x, json_t *cap, const json_t *env)
{
	const json_t *g = json_object_get(env, "host_is_guest");
	const json_t *bit = json_object_get(g, "hypervisor_bit");
	const char *sig = json_string_value(json_object_get(g, "signature"));

	info_set(x, cap, "nested", json_is_boolean(bit) ? json_boolean(json_is_true(bit)) :
							   json_null());
	if (json_is_true(bit))
		info_note(x, cap, "nested: this host is itself a guest (CPUID hypervisor bit, "
			  "signature '%s'): refvmm's VMs run inside that hypervisor's VM",
			  sig ? sig : "unknown");
	else if (json_is_false(bit))
		info_note(x, cap, "not nested: the CPUID hypervisor bit is clear");
	else
		info_note(x, cap, "nested: unknown (the CPUID hypervisor bit was not read)");
}

static void info_refvmm(struct info_ctx *x, const json_t *env, const struct info_kvm *k)
{
	const char *backend =
		json_string_value(json_object_get(json_object_get(env, "kvm"), "backend"));
	char note[INFO_TEXT_MAX];
	json_t *cap;

	if (k->create_vm)
		cap = info_cap(x, "refvmm", true, "/dev/kvm API version %d, KVM_CREATE_VM works",
			       k->api_version);
	else
		cap = info_cap(x, "refvmm", false, "%s", k->why);
	info_set(x, cap, "kvm", json_pack("{s:b, s:b, s:o, s:b}", "present", k->present,
					  "accessible", k->accessible, "api_version",
					  k->api_version >= 0 ? json_integer(k->api_version) :
								json_null(),
					  "create_vm", k->create_vm));
	info_set(x, cap, "backend", json_string(backend ? backend : "unknown"));
	env_backend_note(env, note, sizeof(note));
	info_note(x, cap, "%s", note);
	info_nested(x, cap, env);
}

/* ---- programs in PATH ---- */


/* The directories a program is searched in: PATH, or execvp's default where it is unset. */
static const char *info_path_dirs(char *buf, size_t len)
{
	const char *dirs = getenv("PATH");

	if (dirs)
		return dirs;
	confstr(_CS_PATH, buf, len);
	return buf;
}

enum info_query {
	INFO_Q_VERSION,		/* --version */
	INFO_Q_ACCELS,		/* qemu -accel help */
	INFO_Q_MACHINES,	/* qemu -machine help */
};

/* What a program printed (standard output and error, interleaved), as a query needs it. */
struct info_output {
	enum info_query query;
	const char *path;
	char first[INFO_TEXT_MAX];	/* the first non-empty line */
	char version[INFO_TEXT_MAX];	/* the first that is not the program's diagnostic */
	json_t *accels;			/* INFO_Q_ACCELS: the names listed */
	bool accel_list;		/* INFO_Q_ACCELS: past the heading */
	bool microvm;			/* INFO_Q_MACHINES: microvm is listed */
};

/* "prog: message" from the program, or from a wrapper script of that name, is no version. */
static bool info_diagnostic(const char *line, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t n = strlen(path), b;

	base = base ? base + 1 : path;
	b = strlen(base);
	return (!strncmp(line, path, n) && line[n] == ':') ||
	       (!strncmp(line, base, b) && line[b] == ':');
}

static void info_output_line(void *ctx, const char *line, size_t len)
{
	struct info_output *o = ctx;
	char s[INFO_TEXT_MAX], *t;
	size_t n;

	snprintf(s, sizeof(s), "%.*s", (int)len, line);
	n = strlen(s);
	while (n && strchr(" \t\r", s[n - 1]))
		s[--n] = '\0';
	t = s + strspn(s, " \t");
	if (!*t)
		return;
	if (!o->first[0])
		snprintf(o->first, sizeof(o->first), "%s", t);
	switch (o->query) {
	case INFO_Q_VERSION:
		if (!o->version[0] && !info_diagnostic(t, o->path))
			snprintf(o->version, sizeof(o->version), "%s", t);
		break;
	case INFO_Q_ACCELS:
		/* "Accelerators supported in QEMU binary:", then one name a line */
		if (o->accel_list)
			json_array_append_new(o->accels, info_string(t));
		else if (strstr(t, "Accelerators supported"))
			o->accel_list = true;
		break;
	case INFO_Q_MACHINES:
		/* "microvm              microvm (i386)" */
		if (!strncmp(t, "microvm", 7) && (t[7] == ' ' || !t[7]))
			o->microvm = true;
		break;
	}
}

/*
 * Run `path arg1 [arg2]` for at most INFO_RUN_TIMEOUT_S (longer on an
 * emulated CPU, env_timing_deadline_scale()), its lines to o.
 * 0 when it exited 0; -1 with why (with its first line of output, which
 * is likely to say what went wrong).
 */
static int info_run(const char *path, const char *arg1, const char *arg2,
		    struct info_output *o, char *why, size_t len)
{
	char *argv[] = { (char *)path, (char *)arg1, (char *)arg2, NULL };
	int timeout_s = INFO_RUN_TIMEOUT_S * env_timing_deadline_scale();
	struct vmm_proc p = { .argv = argv, .timeout_s = timeout_s,
			      .line = info_output_line, .ctx = o };
	struct vmm_proc_result r;
	char cmd[PATH_MAX + 64];

	o->path = path;
	snprintf(cmd, sizeof(cmd), "%s %s%s%s", path, arg1, arg2 ? " " : "", arg2 ? arg2 : "");
	if (vmm_proc_run(&p, &r))
		return why_set(why, len, "", "cannot start %s: %s", cmd, strerror(errno));
	if (r.timed_out)
		return why_set(why, len, "", "%s did not finish within %d s", cmd, timeout_s);
	if (WIFSIGNALED(r.wstatus))
		return why_set(why, len, "", "%s was killed by signal %d (%s)", cmd,
			       WTERMSIG(r.wstatus), strsignal(WTERMSIG(r.wstatus)));
	if (WEXITSTATUS(r.wstatus))
		return why_set(why, len, "", "%s failed (exit status %d)%s%s", cmd,
			       WEXITSTATUS(r.wstatus), o->first[0] ? ": " : "", o->first);
	return 0;
}

/* The program's version line: 0, or -1 with why. */
static int info_version(const char *path, char *version, size_t vlen, char *why, size_t len)
{
	struct info_output o = { .query = INFO_Q_VERSION };

	if (info_run(path, "--version", NULL, &o, why, len))
		return -1;
	if (!o.version[0])
		return why_set(why, len, "", "%s --version printed no version%s%s", path,
			       o.first[0] ? ": " : "", o.first);
	snprintf(version, vlen, "%s", o.version);
	return 0;
}

/* ---- QEMU: both qemu targets run the same binary ---- */

struct info_qemu {
	char path[PATH_MAX];		/* "" when not found */
	char version[INFO_TEXT_MAX];
	json_t *accels;			/* what -accel help lists */
	bool microvm;			/* -machine help lists microvm */
	char why[INFO_TEXT_MAX];	/* why this QEMU cannot be used at all, or "" */
};

static void info_qemu_probe(struct info_qemu *q, const char *dirs)
{
	struct info_output accels = { .query = INFO_Q_ACCELS, .accels = json_array() };
	struct info_output machines = { .query = INFO_Q_MACHINES };

	*q = (struct info_qemu){ 0 };
	q->accels = accels.accels;
	if (path_find(QEMU_BIN, dirs, q->path, sizeof(q->path))) {
		q->path[0] = '\0';
		snprintf(q->why, sizeof(q->why), QEMU_BIN " not found in PATH (%s)", dirs);
		return;
	}
	if (info_version(q->path, q->version, sizeof(q->version), q->why, sizeof(q->why)) ||
	    info_run(q->path, "-accel", "help", &accels, q->why, sizeof(q->why)) ||
	    info_run(q->path, "-machine", "help", &machines, q->why, sizeof(q->why)))
		return;
	q->microvm = machines.microvm;
}

static bool info_listed(const json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (!strcmp(json_string_value(v), name))
			return true;
	return false;
}

/* "kvm, tcg" or "none" */
static void info_join(const json_t *list, char *buf, size_t len)
{
	size_t i, n = 0;
	json_t *v;

	snprintf(buf, len, "none");
	json_array_foreach(list, i, v)
		if (n < len)
			n += snprintf(buf + n, len - n, "%s%s", i ? ", " : "", json_string_value(v));
}

/* qemu-kvm (kvm: KVM as probed) or qemu-tcg (kvm NULL). */
static void info_qemu_cap(struct info_ctx *x, const char *name, const struct info_qemu *q,
			  const char *accel, const struct info_kvm *kvm)
{
	char list[128];
	json_t *cap;

	info_join(q->accels, list, sizeof(list));
	if (q->why[0])
		cap = info_cap(x, name, false, "%s", q->why);
	else if (!info_listed(q->accels, accel))
		cap = info_cap(x, name, false, "%s has no %s accelerator (-accel help lists: %s)",
			       q->path, accel, list);
	else if (!q->microvm)
		cap = info_cap(x, name, false, "%s has no microvm machine (hvbench boots its "
			       "payloads with -M microvm)", q->path);
	else if (kvm && !kvm->create_vm)
		cap = info_cap(x, name, false, "KVM is not usable: %s", kvm->why);
	else
		cap = info_cap(x, name, true, "%s, %s, -M microvm -accel %s%s", q->version,
			       q->path, accel, kvm ? ", KVM_CREATE_VM works" : "");
	info_set(x, cap, "path", info_string_or_null(q->path));
	info_set(x, cap, "version", info_string_or_null(q->version));
	info_set(x, cap, "accelerators", json_deep_copy(q->accels));
	info_set(x, cap, "microvm", json_boolean(q->microvm));
}

/* ---- native and vmm-cmd ---- */

static void info_native(struct info_ctx *x, const json_t *env)
{
	char meaning[INFO_TEXT_MAX];

	env_native_meaning(env, meaning, sizeof(meaning));
	info_cap(x, "native", true, "%s", meaning);
}

/* ---- probes: eBPF and perf counters ---- */

static void info_ebpf(struct info_ctx *x, const json_t *env)
{
#if HVBENCH_PROBES
	const char *backend =
		json_string_value(json_object_get(json_object_get(env, "kvm"), "backend"));
	struct probes_snapshot *s;
	struct probes *p;
	char why[256];
	json_t *cap;

	if (probes_open(&p, why, sizeof(why))) {
		cap = info_cap(x, "ebpf-probes", false, "%s", why);
		info_set(x, cap, "built", json_true());
		return;
	}
	cap = info_cap(x, "ebpf-probes", true, "loaded and attached to their tracepoints "
		       "(privilege, kernel BTF and the kvm tracepoints all there)");
	info_set(x, cap, "built", json_true());
	s = malloc(sizeof(*s));
	if (s && !probes_read(p, s) && s->kvm_exit_unattached[0])
		info_note(x, cap, "%s", s->kvm_exit_unattached);
	free(s);
	probes_close(p);
	if (backend && !strcmp(backend, "pvm"))
		info_note(x, cap, "the pvm backend never calls kvm:kvm_exit or kvm:kvm_entry (only "
			  "vmx and svm do): no exit reasons, and exits KVM completes itself are "
			  "counted, not timed (docs/probes.md)");
#else
	json_t *cap = info_cap(x, "ebpf-probes", false, "this build has no eBPF probes: %s",
			       HVBENCH_PROBES_WHY);

	(void)env;
	info_set(x, cap, "built", json_false());
#endif
}

/* Events every perf counter set opens, as the two kinds a host may allow apart. */
static const char *const info_perf_software[] = { "task-clock", "context-switches",
						   "page-faults" };
static const char *const info_perf_hardware[] = { "cycles", "instructions" };

static const struct perf_event *info_perf_event(const struct perf_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return &s->ev[i];
	return NULL;
}

/* Available when every one of names opened; else the first refusal's reason. */
static void info_perf_cap(struct info_ctx *x, const char *cap_name, const struct perf_set *s,
			  const char *const *names, size_t n)
{
	const struct perf_event *refused = NULL;
	json_t *opened = json_array(), *refusals = json_object(), *cap;
	char list[128];
	size_t len = 0;

	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		/* perf_set_open was given every name, so each is in the set */
		const struct perf_event *e = info_perf_event(s, names[i]);

		if (e->fd >= 0) {
			json_array_append_new(opened, json_string(e->name));
			if (len < sizeof(list))
				len += snprintf(list + len, sizeof(list) - len, "%s%s",
						len ? ", " : "", e->name);
			continue;
		}
		json_object_set_new(refusals, e->name, json_string(e->why));
		if (!refused)
			refused = e;
	}
	if (refused)
		cap = info_cap(x, cap_name, false, "%s", refused->why);
	else
		cap = info_cap(x, cap_name, true, "%s open on this thread", list);
	info_set(x, cap, "opened", opened);
	info_set(x, cap, "refused", refusals);
}

/* perf counters on this thread, as hvbench run opens them on its vCPU threads. */
static void info_perf(struct info_ctx *x)
{
	const char *names[INFO_NR(info_perf_software) + INFO_NR(info_perf_hardware)];
	char why[PERF_WHY_MAX];
	struct perf_set s;
	size_t n = 0;

	for (size_t i = 0; i < INFO_NR(info_perf_software); i++)
		names[n++] = info_perf_software[i];
	for (size_t i = 0; i < INFO_NR(info_perf_hardware); i++)
		names[n++] = info_perf_hardware[i];
	if (perf_set_open(&s, 0, names, n, why, sizeof(why))) {
		info_cap(x, "perf-software", false, "%s", why);
		info_cap(x, "perf-hardware", false, "%s", why);
		return;
	}
	info_perf_cap(x, "perf-software", &s, info_perf_software, INFO_NR(info_perf_software));
	info_perf_cap(x, "perf-hardware", &s, info_perf_hardware, INFO_NR(info_perf_hardware));
	perf_set_close(&s);
}

/* ---- tools ---- */

/* The first of names (alternatives) in PATH, run for its version. */
static void info_tool(struct info_ctx *x, const char *cap_name, const char *const *names,
		      size_t n, const char *use, const char *dirs)
{
	char path[PATH_MAX], version[INFO_TEXT_MAX], why[INFO_TEXT_MAX], list[128];
	size_t i, len = 0;
	json_t *cap;

	for (i = 0; i < n && path_find(names[i], dirs, path, sizeof(path)); i++)
		if (len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					names[i]);
	if (i == n) {
		if (n == 1)
			cap = info_cap(x, cap_name, false, "%s not found in PATH (%s)", names[0], dirs);
		else
			cap = info_cap(x, cap_name, false, "none of %s found in PATH (%s)", list,
				       dirs);
		info_set(x, cap, "path", json_null());
		return;
	}
	if (info_version(path, version, sizeof(version), why, sizeof(why)))
		cap = info_cap(x, cap_name, false, "%s", why);
	else
		cap = info_cap(x, cap_name, true, "%s, %s: %s", version, path, use);
	info_set(x, cap, "path", info_string(path));
}

json_t *info_capabilities(const json_t *env)
{
	static const char *const gnuplot[] = { "gnuplot" };
	static const char *const chromium[] = { "chromium", "chromium-browser", "google-chrome" };
	struct info_ctx x = { .caps = json_object() };
	char dirs_buf[256];
	const char *dirs = info_path_dirs(dirs_buf, sizeof(dirs_buf));
	struct info_kvm kvm;
	struct info_qemu qemu;

	if (!x.caps)
		return NULL;
	info_kvm_probe(&kvm);
	info_qemu_probe(&qemu, dirs);
	info_refvmm(&x, env, &kvm);
	info_qemu_cap(&x, "qemu-kvm", &qemu, "kvm", &kvm);
	info_qemu_cap(&x, "qemu-tcg", &qemu, "tcg", NULL);
	json_decref(qemu.accels);
	info_cap(&x, "vmm-cmd", true, "configured per run with --vmm-cmd TEMPLATE "
		 "(docs/vmm-cmd.md)");
	info_native(&x, env);
	info_ebpf(&x, env);
	info_perf(&x);
	info_tool(&x, "gnuplot", gnuplot, INFO_NR(gnuplot), "draws hvbench report's plots", dirs);
	info_tool(&x, "chromium", chromium, INFO_NR(chromium),
		  "only the tests use it (they render hvbench report's pages)", dirs);
	if (x.oom) {
		json_decref(x.caps);
		return NULL;
	}
	return x.caps;
}
