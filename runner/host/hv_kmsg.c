/* SPDX-License-Identifier: MIT */
/*
 * The kernel log's lines about the hypervisor (hv_kmsg.h).  The kernel is
 * asked nothing: only what it already said at boot is read, so a log that
 * has wrapped since is said to have wrapped ("complete": false) rather
 * than taken to mean the kernel said nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv_kmsg.h"

#define HV_NR(a)		(sizeof(a) / sizeof((a)[0]))
#define HV_KMSG_RECORD_MAX	8192	/* a read shorter than its record fails with EINVAL */
#define HV_KMSG_RECORDS_MAX	(1 << 20)	/* a log that never ends is cut here */

/* A line is kept when it holds one of these, in any case. */
static const char *const hv_kmsg_words[] = {
	"hypervisor", "paravirt", "running under", "kvm-clock", "kvm-guest", "kvm setup",
	"pv spinlock", "pv sched yield", "pv ipi", "async pf", "stealtime", "pvm", "xen",
	"hyper-v", "vmware", "bhyve", "switched to clocksource",
};

/* Kernel wording, as written, and the paravirtual feature it reports. */
static const struct {
	const char *words, *feature;
} hv_kmsg_features[] = {
	{ "kvm-clock: Using msrs", "kvm-clock" },
	{ "pv remote TLB flush", "pv-tlb-flush" },
	{ "remote TLB flushes via", "pv-tlb-flush" },
	{ "hypercall for remote TLB flush", "pv-tlb-flush" },
	{ "PV spinlocks enabled", "pv-spinlocks" },
	{ "PV sched yield", "pv-sched-yield" },
	{ "PV IPIs", "pv-send-ipi" },
	{ "IPI hypercalls", "pv-send-ipi" },
	{ "async PF", "async-pf" },
	{ "stealtime", "steal-time" },
	{ "eoi() replaced", "pv-eoi" },
	{ "via hypercalls", "pv-privileged-ops" },	/* PVM: CR3 loads, HLT, MSR writes */
	{ "callback vector", "xen-callback-vector" },
	{ "FIFO-based ABI", "xen-evtchn-fifo" },
	{ "vcpu_info placement", "xen-vcpu-info-placement" },
};

void hv_kmsg_init(struct hv_kmsg *k)
{
	memset(k, 0, sizeof(*k));
	k->complete = -1;
}

/*
 * The message of a record: after "pri,seq,ts,flags;" (its seq in *seq) or
 * "[ ts] ", up to the end of its first line, in buf.  /dev/kmsg escapes
 * unprintable bytes itself; a file may not, and JSON wants UTF-8, so any
 * left become '?'.
 */
static void hv_kmsg_message(const char *rec, char *buf, size_t len, long long *seq)
{
	const char *semi = strchr(rec, ';'), *nl;
	unsigned int pri;
	int n = 0;

	*seq = -1;
	if (semi && sscanf(rec, "%u,%lld,%*u,%n", &pri, seq, &n) == 2 && n && rec + n <= semi) {
		rec = semi + 1;
	} else {
		*seq = -1;
		if (rec[0] == '[' && strchr(rec, ']'))
			rec = strchr(rec, ']') + 1;
		rec += strspn(rec, " ");
	}
	nl = strchr(rec, '\n');
	snprintf(buf, len, "%.*s", (int)(nl ? nl - rec : (long)strlen(rec)), rec);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
}

/* The rest of line after words, trimmed, into out; false when words is not there. */
static bool hv_kmsg_after(const char *line, const char *words, char *out, size_t len)
{
	const char *p = strstr(line, words);
	size_t n;

	if (!p)
		return false;
	p += strlen(words);
	p += strspn(p, " ");
	n = strlen(p);
	while (n && p[n - 1] == ' ')
		n--;
	snprintf(out, len, "%.*s", (int)n, p);
	return true;
}

void hv_kmsg_feed(struct hv_kmsg *k, const char *record)
{
	char line[1024];
	long long seq;
	bool keep = false;

	hv_kmsg_message(record, line, sizeof(line), &seq);
	/* is the first record read the boot's first? */
	if (k->complete < 0 && seq >= 0)
		k->complete = seq == 0;
	/* the environment records the command line whole; its words (clocksource=) are not news */
	if (!strncmp(line, "Command line: ", 14) || !strncmp(line, "Kernel command line: ", 21))
		return;
	for (size_t i = 0; i < HV_NR(hv_kmsg_words) && !keep; i++)
		keep = strcasestr(line, hv_kmsg_words[i]) != NULL;
	if (!keep)
		return;
	/* the first of each wins: a later line (a hotplugged CPU, a resume) repeats it */
	if (!k->detected[0])
		hv_kmsg_after(line, "Hypervisor detected:", k->detected, sizeof(k->detected));
	if (!k->paravirt_on[0])
		hv_kmsg_after(line, "Booting paravirtualized kernel on", k->paravirt_on,
			      sizeof(k->paravirt_on));
	if (!k->running_under[0])
		hv_kmsg_after(line, "running under", k->running_under, sizeof(k->running_under));
	if (k->nr < HV_KMSG_LINES_MAX)
		snprintf(k->lines[k->nr++], HV_KMSG_LINE_MAX, "%.*s", HV_KMSG_LINE_MAX - 1, line);
	else
		k->dropped++;
}

static void hv_kmsg_read_file(struct hv_kmsg *k, int fd)
{
	FILE *f = fdopen(fd, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f) {
		close(fd);
		return;
	}
	while (getline(&line, &cap, f) > 0)
		if (line[0] != ' ')	/* a /dev/kmsg record's continuation: KEY=value */
			hv_kmsg_feed(k, line);
	free(line);
	fclose(f);
}

/* /dev/kmsg: one record per read(); EPIPE means the next one was overwritten: carry on. */
static void hv_kmsg_read_dev(struct hv_kmsg *k, int fd, const char *path)
{
	char *buf = malloc(HV_KMSG_RECORD_MAX + 1);

	if (!buf) {
		snprintf(k->why, sizeof(k->why), "out of memory");
		k->readable = false;
		close(fd);
		return;
	}
	for (long i = 0; i < HV_KMSG_RECORDS_MAX; i++) {
		ssize_t r = read(fd, buf, HV_KMSG_RECORD_MAX);

		if (r > 0) {
			buf[r] = '\0';
			hv_kmsg_feed(k, buf);
		} else if (r == 0 || errno == EAGAIN) {
			break;
		} else if (errno != EPIPE && errno != EINTR) {
			snprintf(k->why, sizeof(k->why), "%s: %s", path, strerror(errno));
			k->readable = false;
			break;
		}
	}
	free(buf);
	close(fd);
}

void hv_kmsg_read(struct hv_kmsg *k, const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		int err = errno;

		snprintf(k->why, sizeof(k->why), "%s: %s%s", path, strerror(err),
			 err == EPERM || err == EACCES ?
			 " (reading the kernel log needs root, or CAP_SYSLOG where "
			 "kernel.dmesg_restrict=1)" : "");
		return;
	}
	k->readable = true;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		hv_kmsg_read_file(k, fd);
	else
		hv_kmsg_read_dev(k, fd, path);
}

static json_t *hv_kmsg_str(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

/* The features the kept lines report, each named once. */
static json_t *hv_kmsg_features_json(const struct hv_kmsg *k)
{
	json_t *a = json_array();

	for (size_t f = 0; a && f < HV_NR(hv_kmsg_features); f++) {
		const char *name = hv_kmsg_features[f].feature;
		bool seen = false, found = false;
		size_t i;
		json_t *v;

		json_array_foreach(a, i, v)
			seen |= !strcmp(json_string_value(v), name);
		for (unsigned int l = 0; l < k->nr && !found; l++)
			found = strstr(k->lines[l], hv_kmsg_features[f].words) != NULL;
		if (found && !seen && json_array_append_new(a, json_string(name))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *hv_kmsg_json(const struct hv_kmsg *k)
{
	json_t *lines = json_array();
	json_t *o;

	for (unsigned int i = 0; lines && i < k->nr; i++)
		if (json_array_append_new(lines, json_string(k->lines[i]))) {
			json_decref(lines);
			return NULL;
		}
	if (!lines)
		return NULL;
	o = json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
		      "readable", k->readable,
		      "why", k->readable ? json_null() : json_string(k->why),
		      "complete", k->complete < 0 ? json_null() : json_boolean(k->complete),
		      "detected", hv_kmsg_str(k->detected),
		      "paravirt_on", hv_kmsg_str(k->paravirt_on),
		      "running_under", hv_kmsg_str(k->running_under),
		      "pv_features", hv_kmsg_features_json(k),
		      "lines", lines,
		      "lines_dropped", (json_int_t)k->dropped);
	return o;
}
