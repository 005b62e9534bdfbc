/* SPDX-License-Identifier: MIT */
/*
 * The load a repetition ran under (load.h).  Ticks are USER_HZ (100 on
 * Linux): a 30 ms window is three ticks, so a short repetition's figures
 * are coarse (a tick more or less is a third of a CPU), and others_cpus is
 * capped at the CPUs online; they still tell an idle machine from a busy
 * one, which is what they are for.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

/* /proc/stat is a few KiB even on large machines; the lines read come first. */
#define LOAD_STAT_MAX 65536

int load_stat_parse(const char *text, struct load_snap *s)
{
	unsigned long long v[10] = { 0 };
	const char *p;
	int n;

	s->ok = false;
	if (!text || strncmp(text, "cpu ", 4))
		return -1;
	/* user nice system idle iowait irq softirq steal [guest guest_nice] */
	n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	if (n < 8)
		return -1;
	/* guest and guest_nice are already inside user and nice: not added again. */
	s->busy = v[0] + v[1] + v[2] + v[5] + v[6];
	s->idle = v[3] + v[4];
	s->steal = v[7];
	s->total = s->busy + s->idle + s->steal;
	p = strstr(text, "\nprocs_running ");
	if (!p || sscanf(p + 15, "%u", &s->procs_running) != 1)
		return -1;
	s->ok = true;
	return 0;
}

static int file_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n ? 0 : -1;
}

void load_snap_take(struct load_snap *s)
{
	static char buf[LOAD_STAT_MAX];
	struct rusage ru;
	struct timespec ts;

	*s = (struct load_snap){ 0 };
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->mono_s = ts.tv_sec + ts.tv_nsec / 1e9;
	if (!getrusage(RUSAGE_SELF, &ru))
		s->self_cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (file_read("/proc/stat", buf, sizeof(buf)) || load_stat_parse(buf, s))
		return;
	if (file_read("/proc/loadavg", buf, sizeof(buf)) || sscanf(buf, "%lf", &s->loadavg1) != 1)
		s->loadavg1 = -1;
}

void load_window_make(const struct load_snap *a, const struct load_snap *b,
		      struct load_window *w)
{
	double hz = (double)sysconf(_SC_CLK_TCK), cpus = (double)sysconf(_SC_NPROCESSORS_ONLN);
	double busy_s, others_s;

	*w = (struct load_window){ 0 };
	if (!a->ok || !b->ok || b->mono_s <= a->mono_s || b->total < a->total ||
	    b->busy < a->busy || b->steal < a->steal || hz <= 0)
		return;
	w->valid = true;
	w->seconds = b->mono_s - a->mono_s;
	busy_s = (double)(b->busy - a->busy) / hz;
	/* Ticks and rusage round differently: a negative remainder is nobody's time. */
	others_s = busy_s - (b->self_cpu_s - a->self_cpu_s);
	w->others_cpus = others_s > 0 ? others_s / w->seconds : 0;
	if (cpus > 0 && w->others_cpus > cpus)
		w->others_cpus = cpus;
	w->steal_pct = b->total > a->total ?
		       100.0 * (double)(b->steal - a->steal) / (double)(b->total - a->total) : 0;
	w->procs_running[0] = a->procs_running;
	w->procs_running[1] = b->procs_running;
	w->loadavg1 = b->loadavg1;
}

json_t *load_window_json(const struct load_window *w)
{
	if (!w->valid)
		return json_null();
	return json_pack("{s:f, s:f, s:f, s:[I, I], s:f}", "seconds", w->seconds, "others_cpus",
			 w->others_cpus, "steal_pct", w->steal_pct, "procs_running",
			 (json_int_t)w->procs_running[0], (json_int_t)w->procs_running[1],
			 "loadavg1", w->loadavg1);
}
