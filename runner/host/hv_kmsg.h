/* SPDX-License-Identifier: MIT */
/*
 * The kernel's own words about the hypervisor it runs on: the lines of
 * its log that speak of virtualisation ("Hypervisor detected: KVM",
 * "Booting paravirtualized kernel on Xen HVM", "pvm-pv: running under PVM
 * (pv-lite)", "kvm-guest: PV spinlocks enabled", ...), read from /dev/kmsg
 * without blocking.  The lines kept are bounded in number and length, and
 * the three naming lines are picked out.  Records are fed one at a time,
 * so the matching is tested on text.
 */
#ifndef HV_KMSG_H
#define HV_KMSG_H

#include <jansson.h>
#include <stdbool.h>

#define HV_KMSG_LINES_MAX	48	/* lines kept; more are counted, not kept */
#define HV_KMSG_LINE_MAX	200	/* bytes kept of a line, its NUL included */

struct hv_kmsg {
	char lines[HV_KMSG_LINES_MAX][HV_KMSG_LINE_MAX];
	unsigned int nr, dropped;
	char detected[64];	/* after "Hypervisor detected: " */
	char paravirt_on[64];	/* after "Booting paravirtualized kernel on " */
	char running_under[96];	/* after "running under " */
	bool readable;
	int complete;		/* 1: the log starts at boot; 0: it wrapped; -1: unknown */
	char why[192];		/* why the log could not be read */
};

/* An empty account: nothing read yet. */
void hv_kmsg_init(struct hv_kmsg *k);

/*
 * One record: a /dev/kmsg record ("6,12,0,-;Hypervisor detected: PVM",
 * continuation lines after the first newline ignored) or a line of
 * dmesg's output ("[    0.000000] Hypervisor detected: KVM").  Kept when
 * it speaks of virtualisation.
 */
void hv_kmsg_feed(struct hv_kmsg *k, const char *record);

/*
 * Feed every record of path: the character device /dev/kmsg, read with
 * O_NONBLOCK until EAGAIN (it needs root or CAP_SYSLOG where
 * kernel.dmesg_restrict is 1), or a regular file of dmesg lines (tests).
 * When it cannot be read, readable stays false and why says why.
 */
void hv_kmsg_read(struct hv_kmsg *k, const char *path);

/*
 * The account as JSON; NULL only when out of memory:
 *
 *   { "readable": bool, "why": str | null, "complete": bool | null,
 *     "detected": str | null, "paravirt_on": str | null, "running_under": str | null,
 *     "pv_features": [ "kvm-clock", "pv-tlb-flush", ... ],
 *     "lines": [ str ], "lines_dropped": int }
 *
 * pv_features are named from the lines kept, by the kernel's wording.
 */
json_t *hv_kmsg_json(const struct hv_kmsg *k);

#endif
