/* SPDX-License-Identifier: MIT */
/*
 * The load a repetition ran under: what else the machine did during its
 * window.  Two snapshots of /proc/stat, /proc/loadavg and this process's
 * own CPU time, one before the repetition and one after, give the CPU
 * other processes used, the time the hypervisor underneath stole, and how
 * many tasks were runnable.  A figure that moves with load can then be
 * read against it instead of trusted blindly (docs/results.md, "load").
 */
#ifndef HOST_LOAD_H
#define HOST_LOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* /proc/stat's "cpu" line, in USER_HZ ticks, and the rest of one snapshot. */
struct load_snap {
	bool ok;
	uint64_t busy, idle, steal, total;	/* busy: user nice system irq softirq */
	unsigned int procs_running;		/* runnable tasks, this process's included */
	double loadavg1;
	double self_cpu_s;			/* this process's user + system time, all threads */
	double mono_s;				/* CLOCK_MONOTONIC */
};

struct load_window {
	bool valid;
	double seconds;		/* the window's wall time */
	double others_cpus;	/* CPUs' worth of time other processes ran (0.5: half a CPU) */
	double steal_pct;	/* of all CPU time in the window, what the hypervisor stole */
	unsigned int procs_running[2];	/* runnable tasks at the start and at the end */
	double loadavg1;	/* the 1-minute load average at the end */
};

/*
 * Parse /proc/stat's text (its "cpu " and "procs_running" lines) into s.
 * 0, or -1 when a line is missing or malformed.  Tested with fixtures.
 */
int load_stat_parse(const char *text, struct load_snap *s);

/* A snapshot of now; s->ok false when /proc/stat could not be read. */
void load_snap_take(struct load_snap *s);

/* The window between two snapshots; w->valid false unless both are ok and b is later. */
void load_window_make(const struct load_snap *a, const struct load_snap *b,
		      struct load_window *w);

/* The window as the results file's "load" object, or JSON null when not valid. */
json_t *load_window_json(const struct load_window *w);

#endif
