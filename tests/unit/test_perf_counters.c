/* SPDX-License-Identifier: MIT */
/*
 * Per-thread perf counters count what the measured thread does, not the
 * caller: worker threads spin, sleep or touch fresh pages on command and
 * the sets opened on them must see it (task-clock grows for a spinner and
 * barely for a sleeper, at least N context switches for N sleeps, at
 * least M faults for M fresh pages).  Hardware events are counted or
 * unsupported with a reason, whichever this machine allows; bad names and
 * missing threads fail in one line; a thread that exits keeps its counts;
 * an unprivileged process is refused cleanly; and perf stat, attached to
 * the same thread, agrees.
 *
 * Every test that needs perf_event_open skips, saying why, when this
 * process may not use it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "perf_counters.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MS	1000000ull

/* Exit statuses of the unprivileged child (clear of setpriv's own 1, 126, 127). */
#define CHILD_OPENED	10
#define CHILD_REFUSED	11
#define CHILD_OTHER	12

static char perf_skip_why[PERF_WHY_MAX];

/* A thread that does one piece of work when told, then waits to be let go. */
struct worker {
	pthread_t thread;
	pid_t tid;
	sem_t ready, start, done, quit;
	void (*work)(struct worker *w);
	unsigned int arg;
	uint8_t *pages;		/* touch_pages' region, mapped before the measurement */
	bool exit_after_work;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000l };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Spin for arg ms of this thread's own CPU time, however the CPUs are shared. */
static void spin(struct worker *w)
{
	uint64_t end = thread_cpu_ns() + w->arg * MS;

	while (thread_cpu_ns() < end)
		;
}

static void sleep_n(struct worker *w)
{
	for (unsigned int i = 0; i < w->arg; i++)
		sleep_ms(1);
}

static void touch_pages(struct worker *w)
{
	long page = sysconf(_SC_PAGESIZE);

	for (unsigned int i = 0; i < w->arg; i++)
		w->pages[i * page] = 1;
}

/* What perf stat is compared on: CPU time, sleeps and fresh pages together. */
static void mixed(struct worker *w)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t end;

	for (unsigned int i = 0; i < w->arg; i++) {
		end = thread_cpu_ns() + 5 * MS;
		while (thread_cpu_ns() < end)
			;
		sleep_ms(1);
		w->pages[i * page] = 1;
	}
}

static void *worker_main(void *p)
{
	struct worker *w = p;

	w->tid = gettid();
	sem_post(&w->ready);
	sem_wait(&w->start);
	w->work(w);
	sem_post(&w->done);
	if (!w->exit_after_work)
		sem_wait(&w->quit);
	return NULL;
}

/* Map arg fresh pages, small ones, so each first touch is one fault. */
static void worker_map(struct worker *w)
{
	size_t size = (size_t)w->arg * sysconf(_SC_PAGESIZE);

	w->pages = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(w->pages != MAP_FAILED);
	assert_int_equal(madvise(w->pages, size, MADV_NOHUGEPAGE), 0);
}

static void worker_start(struct worker *w, void (*work)(struct worker *w), unsigned int arg)
{
	*w = (struct worker){ .work = work, .arg = arg };
	sem_init(&w->ready, 0, 0);
	sem_init(&w->start, 0, 0);
	sem_init(&w->done, 0, 0);
	sem_init(&w->quit, 0, 0);
	if (work == touch_pages || work == mixed)
		worker_map(w);
	assert_int_equal(pthread_create(&w->thread, NULL, worker_main, w), 0);
	sem_wait(&w->ready);
}

static void worker_go(struct worker *w)
{
	sem_post(&w->start);
}

static void worker_wait(struct worker *w)
{
	sem_wait(&w->done);
}

static void worker_stop(struct worker *w)
{
	if (!w->exit_after_work)
		sem_post(&w->quit);
	pthread_join(w->thread, NULL);
	if (w->pages)
		munmap(w->pages, (size_t)w->arg * sysconf(_SC_PAGESIZE));
}

/* Index of an event in a set, failing the test when it is not there. */
static size_t ev_index(const struct perf_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return i;
	fail_msg("no event %s in the set", name);
	return 0;
}

/* The scaled delta of a supported event. */
static uint64_t ev_value(const struct perf_set *s, const struct perf_count *d, const char *name)
{
	size_t i = ev_index(s, name);
	uint64_t v;

	if (s->ev[i].why[0])
		fail_msg("%s unsupported: %s", name, s->ev[i].why);
	assert_true(perf_count_scaled(&d[i], &v));
	return v;
}

static void open_or_fail(struct perf_set *s, pid_t tid, const char *const *extra, size_t n)
{
	char why[PERF_WHY_MAX] = "";
	int r = perf_set_open(s, tid, extra, n, why, sizeof(why));

	if (r)
		fail_msg("perf_set_open(%d): %d: %s", (int)tid, r, why);
	assert_int_equal(perf_set_enable(s), 0);
}

static void read_or_fail(const struct perf_set *s, struct perf_count *c)
{
	assert_int_equal(perf_set_read(s, c), 0);
}

/*
 * Start a worker doing work(arg) and count its events (the defaults and
 * extra[0..n)) over exactly that work, into delta; the set stays open and
 * the worker parked, for the caller to close and stop.
 */
static void count_work(struct perf_set *s, struct worker *w, void (*work)(struct worker *w),
		       unsigned int arg, const char *const *extra, size_t n,
		       struct perf_count *delta)
{
	struct perf_count c0[PERF_SET_MAX];

	worker_start(w, work, arg);
	open_or_fail(s, w->tid, extra, n);
	read_or_fail(s, c0);
	worker_go(w);
	worker_wait(w);
	read_or_fail(s, delta);
	perf_count_delta(s->n, c0, delta, delta);
}

static void need_perf(void)
{
	if (perf_skip_why[0]) {
		printf("# SKIP perf_event_open is not usable here: %s\n", perf_skip_why);
		skip();
	}
}

static void assert_one_line(const char *why)
{
	assert_true(why[0]);
	assert_null(strchr(why, '\n'));
}

static void test_busy_and_sleeper(void **state)
{
	struct perf_set busy_set, sleep_set;
	struct perf_count b0[PERF_SET_MAX], b1[PERF_SET_MAX], s0[PERF_SET_MAX], s1[PERF_SET_MAX];
	struct worker busy, sleeper;
	uint64_t busy_ns, sleep_ns;

	(void)state;
	need_perf();
	worker_start(&busy, spin, 100);
	worker_start(&sleeper, sleep_n, 20);
	open_or_fail(&busy_set, busy.tid, NULL, 0);
	open_or_fail(&sleep_set, sleeper.tid, NULL, 0);
	read_or_fail(&busy_set, b0);
	read_or_fail(&sleep_set, s0);
	worker_go(&busy);
	worker_go(&sleeper);
	worker_wait(&busy);
	worker_wait(&sleeper);
	read_or_fail(&busy_set, b1);
	read_or_fail(&sleep_set, s1);
	perf_count_delta(busy_set.n, b0, b1, b1);
	perf_count_delta(sleep_set.n, s0, s1, s1);
	busy_ns = ev_value(&busy_set, b1, "task-clock");
	sleep_ns = ev_value(&sleep_set, s1, "task-clock");
	printf("# task-clock: spinner %.2f ms, sleeper %.3f ms\n", busy_ns / 1e6, sleep_ns / 1e6);
	/* The spinner ran for 100 ms of its own CPU time, all of it while counted. */
	assert_true(busy_ns >= 95 * MS && busy_ns < 1000 * MS);
	/* 20 wake-ups cost microseconds each, even on a slow VM. */
	assert_true(sleep_ns < 10 * MS && sleep_ns * 10 < busy_ns);
	perf_set_close(&busy_set);
	perf_set_close(&sleep_set);
	worker_stop(&busy);
	worker_stop(&sleeper);
}

static void test_context_switches(void **state)
{
	const unsigned int sleeps = 30;
	struct perf_count c1[PERF_SET_MAX];
	struct perf_set s;
	struct worker w;
	uint64_t cs;

	(void)state;
	need_perf();
	count_work(&s, &w, sleep_n, sleeps, NULL, 0, c1);
	cs = ev_value(&s, c1, "context-switches");
	printf("# %u sleeps: %llu context switches\n", sleeps, (unsigned long long)cs);
	assert_true(cs >= sleeps && cs < 10 * sleeps);
	perf_set_close(&s);
	worker_stop(&w);
}

static void test_page_faults(void **state)
{
	const unsigned int pages = 256;
	const char *const extra[] = { "minor-faults", "major-faults" };
	struct perf_count c1[PERF_SET_MAX];
	struct perf_set s;
	struct worker w;
	uint64_t faults, minor;

	(void)state;
	need_perf();
	count_work(&s, &w, touch_pages, pages, extra, ARRAY_SIZE(extra), c1);
	faults = ev_value(&s, c1, "page-faults");
	minor = ev_value(&s, c1, "minor-faults");
	printf("# %u fresh pages: %llu page faults, %llu minor, %llu major\n", pages,
	       (unsigned long long)faults, (unsigned long long)minor,
	       (unsigned long long)ev_value(&s, c1, "major-faults"));
	assert_true(faults >= pages && faults < 2 * pages + 64);
	assert_true(minor >= pages && minor <= faults);
	perf_set_close(&s);
	worker_stop(&w);
}

static bool have_core_pmu(void)
{
	return !access("/sys/bus/event_source/devices/cpu", F_OK) ||
	       !access("/sys/bus/event_source/devices/cpu_core", F_OK);
}

/*
 * cycles, instructions and a raw event: counted where the machine has a
 * PMU, unsupported with a reason where it has none.  Both shapes are
 * checked in the JSON.
 */
static void test_hardware_events(void **state)
{
	const char *const extra[] = { "r00c0", "cache-misses" };
	const char *const hw[] = { "cycles", "instructions", "r00c0", "cache-misses" };
	struct perf_count c1[PERF_SET_MAX];
	bool pmu = have_core_pmu();
	struct perf_set s;
	struct worker w;
	json_t *j, *events;

	(void)state;
	need_perf();
	count_work(&s, &w, spin, 20, extra, ARRAY_SIZE(extra), c1);
	j = perf_set_json(&s, c1);
	events = json_object_get(j, "events");
	for (size_t k = 0; k < ARRAY_SIZE(hw); k++) {
		const struct perf_event *e = &s.ev[ev_index(&s, hw[k])];
		json_t *ev = json_object_get(events, hw[k]);

		assert_non_null(ev);
		if (e->why[0]) {
			printf("# %s: unsupported: %s\n", hw[k], e->why);
			assert_one_line(e->why);
			assert_int_equal(e->fd, -1);
			assert_int_equal(json_object_size(ev), 1);
			assert_string_equal(json_string_value(json_object_get(ev, "unsupported")),
					    e->why);
			if (!pmu) {
				char expect[128];

				snprintf(expect, sizeof(expect),
					 "no PMU exposed to this machine: %s unsupported (", hw[k]);
				assert_non_null(strstr(e->why, expect));
			}
		} else {
			/* Only a machine with a PMU can count a hardware event. */
			assert_true(pmu);
			printf("# %s: %lld\n", hw[k],
			       json_integer_value(json_object_get(ev, "value")));
			assert_true(json_is_integer(json_object_get(ev, "raw")));
			if (!strcmp(hw[k], "cycles") || !strcmp(hw[k], "instructions"))
				assert_true(ev_value(&s, c1, hw[k]) > 1000000);
		}
	}
	json_decref(j);
	perf_set_close(&s);
	worker_stop(&w);
}

static void test_json_shape(void **state)
{
	static const char *const defaults[] = {
		"task-clock", "context-switches", "cpu-migrations", "page-faults", "cycles",
		"instructions",
	};
	static const char *const counted[] = { "value", "raw", "enabled_ns", "running_ns",
					       "multiplexed" };
	const char *const extra[] = { "cpu-clock" };
	struct perf_count c1[PERF_SET_MAX];
	struct perf_set s;
	struct worker w;
	const char *key;
	json_t *j, *events, *ev;
	size_t i = 0;

	(void)state;
	need_perf();
	count_work(&s, &w, spin, 5, extra, ARRAY_SIZE(extra), c1);
	j = perf_set_json(&s, c1);
	assert_int_equal(json_integer_value(json_object_get(j, "tid")), w.tid);
	events = json_object_get(j, "events");
	assert_int_equal(json_object_size(events), ARRAY_SIZE(defaults) + 1);
	json_object_foreach(events, key, ev) {
		/* Set order: the defaults, then the extras. */
		assert_string_equal(key, i < ARRAY_SIZE(defaults) ? defaults[i] : "cpu-clock");
		i++;
		if (json_object_get(ev, "unsupported"))
			continue;
		assert_int_equal(json_object_size(ev), ARRAY_SIZE(counted));
		for (size_t k = 0; k < ARRAY_SIZE(counted); k++)
			assert_non_null(json_object_get(ev, counted[k]));
		assert_true(json_is_integer(json_object_get(ev, "value")));
		/* Software events are never multiplexed: they need no hardware counter. */
		if (!strcmp(key, "task-clock") || !strcmp(key, "cpu-clock")) {
			assert_true(json_is_false(json_object_get(ev, "multiplexed")));
			assert_int_equal(json_integer_value(json_object_get(ev, "value")),
					 json_integer_value(json_object_get(ev, "raw")));
			assert_true(json_integer_value(json_object_get(ev, "value")) >=
				    (json_int_t)(4 * MS));
		}
	}
	json_decref(j);
	perf_set_close(&s);
	worker_stop(&w);
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
		"no-such-event", "", "r", "rxyz", "r12345678901234567", "cyc les", "bad\nname",
		"an-event-name-far-longer-than-the-sixty-three-characters-a-name-may-have",
		"t\xc3\xa4sk-clock",
	};
	char why[PERF_WHY_MAX];
	struct perf_set s;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = 0;
		assert_int_equal(perf_set_open(&s, 0, &bad[i], 1, why, sizeof(why)), -EINVAL);
		printf("# %s\n", why);
		assert_one_line(why);
		for (size_t k = 0; k < s.n; k++)
			assert_int_equal(s.ev[k].fd, -1);
		perf_set_close(&s);
	}
	perf_set_open(&s, 0, &bad[0], 1, why, sizeof(why));
	assert_non_null(strstr(why, "'no-such-event'"));
}

static void test_too_many_and_duplicates(void **state)
{
	const char *const dup[] = { "cycles", "minor-faults", "page-faults", "minor-faults" };
	char names[PERF_SET_MAX][8];
	const char *many[PERF_SET_MAX];
	char why[PERF_WHY_MAX] = "";
	struct perf_set s;

	(void)state;
	need_perf();
	/* Six defaults and 32 raw events: 38 > PERF_SET_MAX. */
	for (size_t i = 0; i < PERF_SET_MAX; i++) {
		snprintf(names[i], sizeof(names[i]), "r%zx", i + 1);
		many[i] = names[i];
	}
	assert_int_equal(perf_set_open(&s, 0, many, PERF_SET_MAX, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "more than 32"));
	/* Exactly full is fine. */
	assert_int_equal(perf_set_open(&s, 0, many, PERF_SET_MAX - 6, why, sizeof(why)), 0);
	assert_int_equal(s.n, PERF_SET_MAX);
	perf_set_close(&s);
	/* A name given twice, or again after the defaults, is counted once. */
	assert_int_equal(perf_set_open(&s, 0, dup, ARRAY_SIZE(dup), why, sizeof(why)), 0);
	assert_int_equal(s.n, 7);
	assert_string_equal(s.ev[6].name, "minor-faults");
	perf_set_close(&s);
}

/* A name only libpfm4 knows: counted with it, a one-line usage error without. */
#ifdef HAVE_LIBPFM4
static void test_libpfm_names(void **state)
{
	const char *const extra[] = { "PERF_COUNT_SW_CONTEXT_SWITCHES" };
	const char *const cpu[] = { "PERF_COUNT_SW_CPU_CLOCK:cpu=0" };
	const char *const unknown[] = { "NO_SUCH_EVENT" };
	struct perf_count c1[PERF_SET_MAX];
	char why[PERF_WHY_MAX] = "";
	struct perf_set s;
	struct worker w;

	(void)state;
	need_perf();
	count_work(&s, &w, sleep_n, 10, extra, 1, c1);
	assert_true(ev_value(&s, c1, extra[0]) >= 10);
	assert_int_equal(ev_value(&s, c1, extra[0]), ev_value(&s, c1, "context-switches"));
	perf_set_close(&s);
	worker_stop(&w);
	assert_int_equal(perf_set_open(&s, 0, cpu, 1, why, sizeof(why)), -EINVAL);
	printf("# %s\n", why);
	assert_one_line(why);
	assert_non_null(strstr(why, "cpu="));
	assert_int_equal(perf_set_open(&s, 0, unknown, 1, why, sizeof(why)), -EINVAL);
	printf("# %s\n", why);
	assert_one_line(why);
	assert_non_null(strstr(why, "libpfm4"));
}
#else
static void test_libpfm_names(void **state)
{
	const char *const extra[] = { "PERF_COUNT_SW_CONTEXT_SWITCHES" };
	char why[PERF_WHY_MAX] = "";
	struct perf_set s;

	(void)state;
	assert_int_equal(perf_set_open(&s, 0, extra, 1, why, sizeof(why)), -EINVAL);
	printf("# built without libpfm4: %s\n", why);
	assert_one_line(why);
	assert_non_null(strstr(why, "without libpfm4"));
}
#endif

static void test_no_such_thread(void **state)
{
	char why[PERF_WHY_MAX] = "", expect[32];
	struct perf_set s;
	long pid_max = 0;
	FILE *f;

	(void)state;
	need_perf();
	/* Thread ids are below pid_max: pid_max itself never names a thread. */
	f = fopen("/proc/sys/kernel/pid_max", "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &pid_max), 1);
	fclose(f);
	assert_int_equal(perf_set_open(&s, (pid_t)pid_max, NULL, 0, why, sizeof(why)), -ESRCH);
	printf("# %s\n", why);
	assert_one_line(why);
	snprintf(expect, sizeof(expect), "%ld", pid_max);
	assert_non_null(strstr(why, expect));
	for (size_t k = 0; k < s.n; k++)
		assert_int_equal(s.ev[k].fd, -1);
	perf_set_close(&s);
}

/* A thread that exits keeps its counts at exit; enable, disable, read and close still work. */
static void test_thread_exits(void **state)
{
	struct perf_count c0[PERF_SET_MAX], c1[PERF_SET_MAX], c2[PERF_SET_MAX];
	struct perf_set s;
	struct worker w;
	size_t tc;

	(void)state;
	need_perf();
	worker_start(&w, spin, 20);
	w.exit_after_work = true;
	open_or_fail(&s, w.tid, NULL, 0);
	read_or_fail(&s, c0);
	worker_go(&w);
	worker_stop(&w);	/* joined: the thread is gone */
	read_or_fail(&s, c1);
	sleep_ms(20);
	assert_int_equal(perf_set_disable(&s), 0);
	assert_int_equal(perf_set_enable(&s), 0);
	read_or_fail(&s, c2);
	tc = ev_index(&s, "task-clock");
	assert_memory_equal(&c1[tc], &c2[tc], sizeof(c1[tc]));
	perf_count_delta(s.n, c0, c1, c1);
	assert_true(ev_value(&s, c1, "task-clock") >= 19 * MS);
	perf_set_close(&s);
	perf_set_close(&s);
}

static void test_scaling(void **state)
{
	const struct perf_count full = { .raw = 1000, .enabled_ns = 500, .running_ns = 500 };
	const struct perf_count half = { .raw = 1000, .enabled_ns = 500, .running_ns = 250 };
	const struct perf_count none = { .raw = 0, .enabled_ns = 500, .running_ns = 0 };
	const struct perf_count idle = { 0 };
	const struct perf_count big = {
		.raw = 1ull << 40, .enabled_ns = 3ull << 40, .running_ns = 1ull << 40,
	};
	struct perf_set s = { .tid = 7, .n = 2 };
	struct perf_count d[2] = { half, none };
	uint64_t v;
	json_t *j, *ev;

	(void)state;
	assert_true(perf_count_scaled(&full, &v));
	assert_int_equal(v, 1000);
	assert_true(perf_count_scaled(&half, &v));
	assert_int_equal(v, 2000);
	assert_false(perf_count_scaled(&none, &v));
	assert_true(perf_count_scaled(&idle, &v));
	assert_int_equal(v, 0);
	assert_true(perf_count_scaled(&big, &v));
	assert_int_equal(v, 3ull << 40);

	strcpy(s.ev[0].name, "r1");
	strcpy(s.ev[1].name, "r2");
	j = perf_set_json(&s, d);
	ev = json_object_get(json_object_get(j, "events"), "r1");
	assert_int_equal(json_integer_value(json_object_get(ev, "value")), 2000);
	assert_int_equal(json_integer_value(json_object_get(ev, "raw")), 1000);
	assert_true(json_is_true(json_object_get(ev, "multiplexed")));
	ev = json_object_get(json_object_get(j, "events"), "r2");
	assert_true(json_is_null(json_object_get(ev, "value")));
	assert_true(json_is_true(json_object_get(ev, "multiplexed")));
	json_decref(j);
}

/* In the child, as nobody: open a set on this thread and say how it went. */
static int unprivileged_child(void)
{
	char why[PERF_WHY_MAX] = "";
	struct perf_set s;
	int r = perf_set_open(&s, 0, NULL, 0, why, sizeof(why));

	printf("%d %s\n", r, why);
	perf_set_close(&s);
	if (!r)
		return CHILD_OPENED;
	return r == -EACCES || r == -EPERM ? CHILD_REFUSED : CHILD_OTHER;
}

static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int level = 2;

	if (f) {
		if (fscanf(f, "%d", &level) != 1)
			level = 2;
		fclose(f);
	}
	return level;
}

/*
 * This test program again, under setpriv as uid 65534 with no capabilities:
 * with perf_event_paranoid >= 2 it must be refused with -EACCES and a
 * reason naming the sysctl; below that it may count.
 */
static void test_unprivileged(void **state)
{
	char self[PATH_MAX], out[512] = "";
	int pipefd[2], status, paranoid = read_paranoid();
	ssize_t len, got;
	pid_t pid;

	(void)state;
	if (geteuid()) {
		printf("# SKIP not root: cannot drop to another user with setpriv\n");
		skip();
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(len > 0);
	self[len] = 0;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(pipefd[1], STDOUT_FILENO);
		close(pipefd[0]);
		execlp("setpriv", "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		       "--inh-caps=-all", self, "--unprivileged-child", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	len = 0;
	while ((got = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += got;
	out[len] = 0;
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127) {
		printf("# SKIP setpriv missing, or %s not executable by uid 65534\n", self);
		skip();
	}
	printf("# as uid 65534, perf_event_paranoid %d: %s", paranoid, out);
	if (paranoid >= 2) {
		assert_int_equal(WEXITSTATUS(status), CHILD_REFUSED);
		assert_non_null(strstr(out, "kernel.perf_event_paranoid <= 1"));
		assert_non_null(strstr(out, "EACCES"));
		assert_true(strchr(out, '\n') == out + len - 1);
	} else {
		assert_int_equal(WEXITSTATUS(status), CHILD_OPENED);
	}
}

/* perf stat's figure for event in its CSV output (-x,), or -1. */
static double perf_stat_value(const char *path, const char *event)
{
	char line[512];
	double v = -1;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *value, *unit, *name;

		value = strsep(&p, ",");
		unit = strsep(&p, ",");
		name = strsep(&p, ",");
		if (line[0] != '#' && unit && name && !strcmp(name, event))
			v = strtod(value, NULL);
	}
	fclose(f);
	return v;
}

/* How many perf_event descriptors process pid holds. */
static int perf_fds(pid_t pid)
{
	char dir[64], path[600], target[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = 0;
			n += !!strstr(target, "perf_event");
		}
	}
	closedir(d);
	return n;
}

/*
 * perf stat -t on the same thread, attached before and detached after the
 * work, so both windows hold all of it.  They count the same kernel
 * quantities: task-clock within 1% (plus the worker's wake-up and its
 * last instructions before blocking), switches and faults within 3.
 */
static void test_agrees_with_perf_stat(void **state)
{
	const unsigned int rounds = 100;
	char path[] = "/tmp/hvbench-perf-stat-XXXXXX", tid[16];
	struct perf_count c0[PERF_SET_MAX], c1[PERF_SET_MAX];
	double p_tc, p_cs, p_pf;
	uint64_t h_tc, h_cs, h_pf, deadline;
	bool attached, exited = false;
	struct perf_set s;
	struct worker w;
	int fd, status;
	pid_t pid;

	(void)state;
	need_perf();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	worker_start(&w, mixed, rounds);
	snprintf(tid, sizeof(tid), "%d", (int)w.tid);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execlp("perf", "perf", "stat", "-x,", "-o", path, "-e",
		       "task-clock,context-switches,page-faults", "-t", tid, (char *)NULL);
		_exit(127);
	}
	/* perf opens its three counters, then enables them: give it time for both. */
	deadline = wall_ns() + 10000 * MS;
	while (!(attached = perf_fds(pid) >= 3) && wall_ns() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		sleep_ms(10);
	}
	if (!attached) {
		if (!exited) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		worker_go(&w);
		worker_wait(&w);
		worker_stop(&w);
		unlink(path);
		printf("# SKIP perf stat did not attach (is linux-perf installed?)\n");
		skip();
	}
	sleep_ms(200);
	open_or_fail(&s, w.tid, NULL, 0);
	read_or_fail(&s, c0);
	worker_go(&w);
	worker_wait(&w);
	read_or_fail(&s, c1);
	sleep_ms(50);
	kill(pid, SIGINT);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	perf_count_delta(s.n, c0, c1, c1);
	h_tc = ev_value(&s, c1, "task-clock");
	h_cs = ev_value(&s, c1, "context-switches");
	h_pf = ev_value(&s, c1, "page-faults");
	p_tc = perf_stat_value(path, "task-clock");
	p_cs = perf_stat_value(path, "context-switches");
	p_pf = perf_stat_value(path, "page-faults");
	printf("# thread %s, %u rounds of 5 ms spin + 1 ms sleep + 1 fresh page\n", tid, rounds);
	printf("# task-clock:       perf stat %.3f ms, hvbench %.3f ms\n", p_tc,
	       h_tc / 1e6);
	printf("# context-switches: perf stat %.0f, hvbench %llu\n", p_cs,
	       (unsigned long long)h_cs);
	printf("# page-faults:      perf stat %.0f, hvbench %llu\n", p_pf,
	       (unsigned long long)h_pf);
	assert_true(p_tc > 0 && p_cs >= 0 && p_pf >= 0);
	assert_true(h_tc / 1e6 <= p_tc + 0.5 && h_tc / 1e6 >= p_tc * 0.99 - 0.5);
	assert_true(h_cs <= p_cs + 3 && h_cs + 3 >= p_cs);
	assert_true(h_pf <= p_pf + 3 && h_pf + 3 >= p_pf);
	perf_set_close(&s);
	worker_stop(&w);
	unlink(path);
}

/* Can this process count its own task-clock?  If not, say why once, for every test. */
static int group_setup(void **state)
{
	char why[PERF_WHY_MAX] = "";
	struct perf_set s;

	(void)state;
	if (perf_set_open(&s, 0, NULL, 0, why, sizeof(why)))
		snprintf(perf_skip_why, sizeof(perf_skip_why), "%s", why);
	perf_set_close(&s);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_and_sleeper),
		cmocka_unit_test(test_context_switches),
		cmocka_unit_test(test_page_faults),
		cmocka_unit_test(test_hardware_events),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_too_many_and_duplicates),
		cmocka_unit_test(test_libpfm_names),
		cmocka_unit_test(test_no_such_thread),
		cmocka_unit_test(test_thread_exits),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_unprivileged),
		cmocka_unit_test(test_agrees_with_perf_stat),
	};

	if (argc == 2 && !strcmp(argv[1], "--unprivileged-child"))
		return unprivileged_child();
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
