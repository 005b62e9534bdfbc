/* SPDX-License-Identifier: MIT */
/*
 * Huge pages in a VMM's memory.  page-touch times a guest's first write to
 * a page; if the VMM's guest RAM is in transparent huge pages (QEMU
 * advises them on all its RAM), one host fault backs 2 MiB and the next
 * 511 first writes find their page already there, so the same workload
 * costs ~100 ns under one VMM and ~6 us under another.  The repetition
 * says which it measured, from what the kernel reports for the process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "mem_backing.h"

/* One "KEY:   N kB" line of smaps, into *kib; false if it is another key. */
static bool smaps_kib(const char *line, const char *key, uint64_t *kib)
{
	size_t n = strlen(key);
	unsigned long long v;

	if (strncmp(line, key, n) || line[n] != ':')
		return false;
	if (sscanf(line + n + 1, " %llu kB", &v) != 1)
		return false;
	*kib += v;
	return true;
}

/* A mapping's header line, "lo-hi perms offset dev inode [path]". */
static bool smaps_range(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	unsigned long long a, b;
	int end = 0;

	if (sscanf(line, "%llx-%llx %*4s %n", &a, &b, &end) != 2 || !end || b < a)
		return false;
	*lo = (uintptr_t)a;
	*hi = (uintptr_t)b;
	return true;
}

int mem_backing_read(pid_t pid, uintptr_t lo, uintptr_t hi, struct mem_backing *out)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool counted = false, failed;
	FILE *f;

	*out = (struct mem_backing){ 0 };
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/smaps");
	f = fopen(path, "re");
	if (!f)
		return -1;
	/* getline: a mapping's path may be longer than any fixed line. */
	while (getline(&line, &cap, f) > 0) {
		uintptr_t a, b;

		if (smaps_range(line, &a, &b)) {
			counted = lo == hi || (a < hi && lo < b);
			continue;
		}
		if (!counted)
			continue;
		/* Size is the mapping's; the other three are its huge pages. */
		if (smaps_kib(line, "Size", &out->mapped_kib) ||
		    smaps_kib(line, "AnonHugePages", &out->huge_kib) ||
		    smaps_kib(line, "Private_Hugetlb", &out->huge_kib))
			continue;
		smaps_kib(line, "Shared_Hugetlb", &out->huge_kib);
	}
	failed = ferror(f);
	free(line);
	fclose(f);
	if (failed) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void mem_backing_note(const struct workload *w, const char *whose, const struct mem_backing *b,
		      int read_errno, char *buf, size_t len)
{
	double huge_mib = (double)b->huge_kib / 1024.0;

	buf[0] = '\0';
	if (!w->memory_backing)
		return;
	if (read_errno)
		snprintf(buf, len, "memory backing: %s is unknown (smaps: %s)", whose,
			 strerror(read_errno));
	else if (b->huge_kib)
		snprintf(buf, len, "memory backing: %.0f MiB of %s in huge pages at the end "
			 "of the window: one first write backs a whole 2 MiB page, so most first "
			 "writes fault no host page", huge_mib, whose);
	else
		snprintf(buf, len, "memory backing: %s in 4 KiB pages (no huge pages at the "
			 "end of the window): every first write faults a host page", whose);
}
