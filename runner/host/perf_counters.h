/* SPDX-License-Identifier: MIT */
/*
 * Per-thread perf_event_open counters: a set of counting (not sampling)
 * events on one thread, e.g. a vCPU or device thread, read before and
 * after a measured stretch.
 *
 * Every set counts task-clock, context-switches, cpu-migrations,
 * page-faults, cycles and instructions, then the caller's extra events:
 * perf's generic names (cycles, cache-misses, major-faults, ...), raw
 * events "rNNNN" (hex, the PMU's own encoding), and, when built with
 * libpfm4, any name libpfm4 knows (PMU event names with modifiers, e.g.
 * "RETIRED_INSTRUCTIONS:u").  Generic and raw events count user, kernel
 * and guest execution alike, so on a vCPU thread cycles include the time
 * the guest runs; libpfm4 names keep libpfm4's defaults (user and kernel,
 * not the guest: ":mg=1:mh=1" counts guest and host).
 *
 * An event the kernel refuses (cycles on a machine whose hypervisor
 * exposes no PMU) stays in the set as unsupported, with the reason; only
 * a name that cannot be parsed, a thread that does not exist or a kernel
 * that refuses every event fails the open.
 *
 * Per repetition: read the set at the start and at the end of the measured
 * stretch and subtract.  The events stay enabled in between; the kernel's
 * reset ioctl would zero the count but not the enabled and running times,
 * which the scaling of multiplexed events needs, so there is no reset.
 *
 * Not thread-safe for one set; different sets are independent.
 */
#ifndef PERF_COUNTERS_H
#define PERF_COUNTERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PERF_SET_MAX	32	/* events per set, defaults included */
#define PERF_NAME_MAX	64	/* an event name, NUL included */
#define PERF_WHY_MAX	192	/* a reason, NUL included */

struct perf_event {
	char name[PERF_NAME_MAX];	/* as given: the key in the JSON */
	int fd;				/* -1: unsupported, or the set is closed */
	char why[PERF_WHY_MAX];		/* empty, or why it is unsupported (one line) */
};

struct perf_set {
	pid_t tid;
	size_t n;
	struct perf_event ev[PERF_SET_MAX];
};

/*
 * One event's counts as read(2) gives them (cumulative since the open) or
 * the difference of two such readings.  An unsupported event reads as
 * zeros.
 */
struct perf_count {
	uint64_t raw;		/* counted while on a counter */
	uint64_t enabled_ns;	/* time enabled while the thread ran */
	uint64_t running_ns;	/* of which on a counter: less means multiplexed */
};

/*
 * Open the default events, then extra[0..n), for thread tid (0: the
 * calling thread), disabled.  The thread may belong to another process if
 * this one may trace it.  An extra name already in the set is skipped.
 *
 * Returns 0, or -errno with why (one line) and nothing left open:
 *   -EINVAL  a name could not be parsed, or too many events (a usage error);
 *   -ESRCH   no thread tid;
 *   -EACCES, -EPERM  perf_event_open is not permitted here (the reason says
 *            what perf_event_paranoid allows);
 *   other    the kernel refused every event, or ran out of descriptors.
 */
int perf_set_open(struct perf_set *s, pid_t tid, const char *const *extra, size_t n, char *why,
		  size_t len);

/* Start or stop counting every supported event.  0 or -errno. */
int perf_set_enable(struct perf_set *s);
int perf_set_disable(struct perf_set *s);

/*
 * Read every event into out[0..s->n).  A thread that has exited reads as
 * its counts at exit.  0 or -errno.
 */
int perf_set_read(const struct perf_set *s, struct perf_count *out);

/* delta[i] = end[i] - start[i] for i < n; delta may be end. */
void perf_count_delta(size_t n, const struct perf_count *start, const struct perf_count *end,
		      struct perf_count *delta);

/*
 * The count scaled up to the whole enabled time (raw * enabled / running,
 * the estimate perf stat prints), in *value.  False when the event never
 * got a counter while enabled: then nothing is known.
 */
bool perf_count_scaled(const struct perf_count *c, uint64_t *value);

/* Close every event; safe to call twice and after a failed open. */
void perf_set_close(struct perf_set *s);

/*
 * A delta (from perf_count_delta) as JSON, events in set order:
 * {"tid": 4242, "events": {
 *    "task-clock": {"value": 1000, "raw": 1000, "enabled_ns": 1000,
 *                   "running_ns": 1000, "multiplexed": false},
 *    "cycles": {"unsupported": "no PMU exposed to this machine: ..."}}}
 * "value" is the scaled count (nanoseconds for task-clock and cpu-clock),
 * null when the event never got a counter.
 */
json_t *perf_set_json(const struct perf_set *s, const struct perf_count *delta);

#endif
