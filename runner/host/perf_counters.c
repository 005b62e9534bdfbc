/* SPDX-License-Identifier: MIT */
/*
 * Per-thread perf_event_open counters.
 *
 * Each event is a counter of its own, not a perf group: a group is
 * scheduled onto the PMU all or nothing, so one extra hardware event too
 * many would leave every counter of the set, task-clock included, at zero.
 * On their own, the software events always count and hardware events are
 * multiplexed one by one, which read_format's enabled and running times
 * make visible and perf_count_scaled corrects.
 *
 * Names are looked up in perf's generic table first and as raw "rNNNN"
 * next, with or without libpfm4, so the default set and the common names
 * mean the same whichever way hvbench was built; libpfm4 only widens what
 * else is understood.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#ifdef HAVE_LIBPFM4
#include <pthread.h>
/* After linux/perf_event.h, so libpfm4 uses the kernel's attr rather than its own copy. */
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "perf_counters.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct perf_generic {
	const char *name;
	uint32_t type;
	uint64_t config;
};

/* perf's generic event names and aliases, as perf list prints them. */
static const struct perf_generic perf_generic[] = {
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
	{ "ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
};

/* Every set starts with these, task-clock first: the one that always counts. */
static const char *const perf_defaults[] = {
	"task-clock", "context-switches", "cpu-migrations", "page-faults", "cycles", "instructions",
};

static void perf_why(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perf_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

/* Named apart from libpfm4's inline perf_event_open. */
static int perf_open_thread(struct perf_event_attr *attr, pid_t tid)
{
	return syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* "r" and 1-16 hex digits: the PMU's raw encoding, as perf stat -e takes it. */
static bool perf_raw(const char *name, uint64_t *config)
{
	size_t digits = strlen(name + 1);

	if (name[0] != 'r' || !digits || digits > 16 ||
	    strspn(name + 1, "0123456789abcdefABCDEF") != digits)
		return false;
	*config = strtoull(name + 1, NULL, 16);
	return true;
}

#ifdef HAVE_LIBPFM4
static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_init_ret;

static void pfm_init(void)
{
	pfm_init_ret = pfm_initialize();
}

static int perf_encode_pfm(const char *name, struct perf_event_attr *attr, char *why, size_t len)
{
	pfm_perf_encode_arg_t arg = { .attr = attr, .size = sizeof(arg) };
	int r;

	pthread_once(&pfm_once, pfm_init);
	if (pfm_init_ret != PFM_SUCCESS) {
		perf_why(why, len, "unknown perf event '%s' (libpfm4 did not initialise: %s)", name,
			 pfm_strerror(pfm_init_ret));
		return -EINVAL;
	}
	/* Count user and kernel unless the name's own modifiers say otherwise. */
	r = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (r != PFM_SUCCESS) {
		perf_why(why, len, "unknown perf event '%s' (libpfm4: %s)", name, pfm_strerror(r));
		return -EINVAL;
	}
	/* The counter follows the thread on every CPU: a cpu= modifier would silently narrow it. */
	if (arg.cpu >= 0) {
		perf_why(why, len, "perf event '%s': cpu= does not apply to a per-thread counter",
			 name);
		return -EINVAL;
	}
	return 0;
}
#endif

/* Fill attr for name (already checked to be printable and short), or -EINVAL with why. */
static int perf_encode(const char *name, struct perf_event_attr *attr, char *why, size_t len)
{
	uint64_t raw;
	size_t i;

	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	for (i = 0; i < ARRAY_SIZE(perf_generic); i++) {
		if (!strcmp(name, perf_generic[i].name)) {
			attr->type = perf_generic[i].type;
			attr->config = perf_generic[i].config;
			return 0;
		}
	}
	if (perf_raw(name, &raw)) {
		attr->type = PERF_TYPE_RAW;
		attr->config = raw;
		return 0;
	}
#ifdef HAVE_LIBPFM4
	return perf_encode_pfm(name, attr, why, len);
#else
	perf_why(why, len, "unknown perf event '%s' (built without libpfm4: perf's generic "
		 "names and raw rNNNN only)", name);
	return -EINVAL;
#endif
}

/* A name goes into the JSON as a key and into one-line reasons as it is. */
static int perf_name_check(const char *name, char *why, size_t len)
{
	const char *p;

	for (p = name; *p; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p > '~') {
			perf_why(why, len, "perf event name with a character other than printable "
				 "ASCII (spaces included)");
			return -EINVAL;
		}
	}
	if (!*name) {
		perf_why(why, len, "empty perf event name");
		return -EINVAL;
	}
	if (p - name >= PERF_NAME_MAX) {
		perf_why(why, len, "perf event name '%.20s...' is longer than %d characters", name,
			 PERF_NAME_MAX - 1);
		return -EINVAL;
	}
	return 0;
}

/*
 * Whether the kernel has a core PMU: the one registered as PERF_TYPE_RAW
 * (named cpu on x86).  Without it every hardware event is refused.
 */
static bool perf_core_pmu(void)
{
	const char *dir = "/sys/bus/event_source/devices";
	struct dirent *de;
	bool found = false;
	DIR *d = opendir(dir);

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		char path[512];
		FILE *f;
		int type;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/type", dir, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		found = fscanf(f, "%d", &type) == 1 && type == PERF_TYPE_RAW;
		fclose(f);
	}
	closedir(d);
	return found;
}

static int perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int level = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &level) != 1)
		level = 0;
	fclose(f);
	return level;
}

static bool perf_hw_type(uint32_t type)
{
	return type == PERF_TYPE_HARDWARE || type == PERF_TYPE_HW_CACHE || type == PERF_TYPE_RAW;
}

/* Why the kernel refused one event, in words a user can act on. */
static void perf_refused(const struct perf_event *e, const struct perf_event_attr *attr,
			 pid_t tid, int err, char *why, size_t len)
{
	int paranoid;

	if (perf_hw_type(attr->type) && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV) &&
	    !perf_core_pmu()) {
		perf_why(why, len, "no PMU exposed to this machine: %s unsupported (%s)", e->name,
			 errname(err));
		return;
	}
	if (err == EACCES || err == EPERM) {
		paranoid = perf_paranoid();
		if (paranoid > 1) {
			perf_why(why, len, "perf_event_open not permitted on thread %d (%s): needs "
				 "CAP_PERFMON, or kernel.perf_event_paranoid <= 1 (it is %d)",
				 (int)tid, errname(err), paranoid);
			return;
		}
		perf_why(why, len, "perf_event_open not permitted on thread %d (%s)", (int)tid,
			 errname(err));
		return;
	}
	perf_why(why, len, "the kernel refused %s (%s: %s)", e->name, errname(err), strerror(err));
}

/* Errors about this process, not the event: no point trying the next one. */
static bool perf_fatal(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM || err == EFAULT || err == E2BIG;
}

/* Add name to the set unless it is already there.  0 or -EINVAL with why. */
static int perf_set_add(struct perf_set *s, struct perf_event_attr *attrs, const char *name,
			char *why, size_t len)
{
	size_t i;
	int r;

	r = perf_name_check(name, why, len);
	if (r)
		return r;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return 0;
	if (s->n == PERF_SET_MAX) {
		perf_why(why, len, "more than %d perf events", PERF_SET_MAX);
		return -EINVAL;
	}
	r = perf_encode(name, &attrs[s->n], why, len);
	if (r)
		return r;
	attrs[s->n].disabled = 1;
	attrs[s->n].read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	strcpy(s->ev[s->n].name, name);
	s->ev[s->n].fd = -1;
	s->n++;
	return 0;
}

int perf_set_open(struct perf_set *s, pid_t tid, const char *const *extra, size_t n, char *why,
		  size_t len)
{
	struct perf_event_attr attrs[PERF_SET_MAX];
	char first_why[PERF_WHY_MAX] = "";
	int first_err = 0, r;
	bool opened = false;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->tid = tid ? tid : gettid();
	for (i = 0; i < ARRAY_SIZE(perf_defaults); i++) {
		r = perf_set_add(s, attrs, perf_defaults[i], why, len);
		if (r)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		r = perf_set_add(s, attrs, extra[i], why, len);
		if (r)
			goto fail;
	}

	for (i = 0; i < s->n; i++) {
		struct perf_event *e = &s->ev[i];
		int err;

		e->fd = perf_open_thread(&attrs[i], s->tid);
		if (e->fd >= 0) {
			opened = true;
			continue;
		}
		err = errno;
		if (err == ESRCH) {
			perf_why(why, len, "perf counters: no thread %d (ESRCH)", (int)s->tid);
			r = -err;
			goto fail;
		}
		if (perf_fatal(err)) {
			perf_why(why, len, "perf counters for thread %d: %s (%s)", (int)s->tid,
				 strerror(err), errname(err));
			r = -err;
			goto fail;
		}
		perf_refused(e, &attrs[i], s->tid, err, e->why, sizeof(e->why));
		if (!first_err) {
			first_err = err;
			strcpy(first_why, e->why);
		}
	}
	if (!opened) {
		perf_why(why, len, "%s", first_why);
		r = -first_err;
		goto fail;
	}
	return 0;

fail:
	perf_set_close(s);
	return r;
}

static int perf_set_ioctl(struct perf_set *s, unsigned long request)
{
	int r = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].fd >= 0 && ioctl(s->ev[i].fd, request, 0) && !r)
			r = -errno;
	return r;
}

int perf_set_enable(struct perf_set *s)
{
	return perf_set_ioctl(s, PERF_EVENT_IOC_ENABLE);
}

int perf_set_disable(struct perf_set *s)
{
	return perf_set_ioctl(s, PERF_EVENT_IOC_DISABLE);
}

int perf_set_read(const struct perf_set *s, struct perf_count *out)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		uint64_t v[3];	/* value, time enabled, time running: the read_format asked for */
		ssize_t got;

		out[i] = (struct perf_count){ 0 };
		if (s->ev[i].fd < 0)
			continue;
		got = read(s->ev[i].fd, v, sizeof(v));
		if (got < 0)
			return -errno;
		/* Zero bytes: the event is in error state (a pinned event that found no counter). */
		if (got != sizeof(v))
			return -EIO;
		out[i] = (struct perf_count){ .raw = v[0], .enabled_ns = v[1], .running_ns = v[2] };
	}
	return 0;
}

void perf_count_delta(size_t n, const struct perf_count *start, const struct perf_count *end,
		      struct perf_count *delta)
{
	size_t i;

	for (i = 0; i < n; i++) {
		delta[i] = (struct perf_count){
			.raw = end[i].raw - start[i].raw,
			.enabled_ns = end[i].enabled_ns - start[i].enabled_ns,
			.running_ns = end[i].running_ns - start[i].running_ns,
		};
	}
}

bool perf_count_scaled(const struct perf_count *c, uint64_t *value)
{
	if (c->running_ns >= c->enabled_ns) {
		*value = c->raw;
		return true;
	}
	if (!c->running_ns)
		return false;
	/* 128 bits: a count of 2^40 times 2^40 ns would overflow 64. */
	*value = (uint64_t)((unsigned __int128)c->raw * c->enabled_ns / c->running_ns);
	return true;
}

void perf_set_close(struct perf_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->ev[i].fd >= 0)
			close(s->ev[i].fd);
		s->ev[i].fd = -1;
	}
}

static json_t *perf_count_json(const struct perf_count *c)
{
	uint64_t value;
	json_t *v;

	v = perf_count_scaled(c, &value) ? json_integer((json_int_t)value) : json_null();
	return json_pack("{s:o, s:I, s:I, s:I, s:b}", "value", v, "raw", (json_int_t)c->raw,
			 "enabled_ns", (json_int_t)c->enabled_ns, "running_ns",
			 (json_int_t)c->running_ns, "multiplexed", c->running_ns < c->enabled_ns);
}

json_t *perf_set_json(const struct perf_set *s, const struct perf_count *delta)
{
	json_t *events = json_object();
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct perf_event *e = &s->ev[i];
		json_t *ev;

		if (e->why[0])
			ev = json_pack("{s:s}", "unsupported", e->why);
		else
			ev = perf_count_json(&delta[i]);
		json_object_set_new(events, e->name, ev);
	}
	return json_pack("{s:i, s:o}", "tid", (int)s->tid, "events", events);
}
