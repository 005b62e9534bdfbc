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

#include "catalog.h"
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
static bool smaps_header(const char *line, uintptr_t *lo, uintptr_t *hi, char perms[5])
{
	unsigned long long a, b;
	int end = 0;

	if (sscanf(line, "%llx-%llx %4s %n", &a, &b, perms, &end) != 3 || !end || b < a)
		return false;
	*lo = (uintptr_t)a;
	*hi = (uintptr_t)b;
	return true;
}

/* One mapping, as far as its lines have been read. */
struct mapping {
	bool open;
	uintptr_t lo, hi;
	char perms[5];
	struct mem_backing m;
};

static bool selected(const struct mapping *g, const struct mem_backing_select *sel)
{
	if (sel->lo < sel->hi)
		return g->lo < sel->hi && sel->lo < g->hi;
	if (sel->min_kib)
		return g->perms[1] == 'w' && g->perms[2] != 'x' && g->m.mapped_kib >= sel->min_kib;
	return true;
}

static void mapping_close(struct mapping *g, const struct mem_backing_select *sel,
			  struct mem_backing *out)
{
	if (g->open && selected(g, sel)) {
		out->mapped_kib += g->m.mapped_kib;
		out->huge_kib += g->m.huge_kib;
		out->mappings++;
	}
	g->open = false;
}

int mem_backing_read(pid_t pid, const struct mem_backing_select *sel, struct mem_backing *out)
{
	char path[64], *line = NULL;
	struct mapping g = { 0 };
	size_t cap = 0;
	bool failed;
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
		char perms[5];

		if (smaps_header(line, &a, &b, perms)) {
			mapping_close(&g, sel, out);
			g = (struct mapping){ .open = true, .lo = a, .hi = b };
			memcpy(g.perms, perms, sizeof(perms));
			continue;
		}
		/*
		 * Size is the mapping's; the rest are its huge pages: anonymous
		 * THP, shmem and file THP (memfd or shm guest RAM), hugetlbfs.
		 */
		if (!g.open || smaps_kib(line, "Size", &g.m.mapped_kib))
			continue;
		if (smaps_kib(line, "AnonHugePages", &g.m.huge_kib) ||
		    smaps_kib(line, "ShmemPmdMapped", &g.m.huge_kib) ||
		    smaps_kib(line, "FilePmdMapped", &g.m.huge_kib) ||
		    smaps_kib(line, "Private_Hugetlb", &g.m.huge_kib))
			continue;
		smaps_kib(line, "Shared_Hugetlb", &g.m.huge_kib);
	}
	mapping_close(&g, sel, out);
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
	double huge_mib = (double)b->huge_kib / 1024.0, mib = (double)b->mapped_kib / 1024.0;

	buf[0] = '\0';
	if (!w->memory_backing)
		return;
	if (read_errno)
		snprintf(buf, len, "memory backing: %s is unknown (smaps: %s)", whose,
			 strerror(read_errno));
	else if (!b->mappings)
		snprintf(buf, len, "memory backing: %s is unknown (no such mapping in smaps)", whose);
	else if (b->huge_kib)
		snprintf(buf, len, "memory backing: %.0f of %.0f MiB of %s in huge pages at the "
			 "end of the window: one first write backs a whole 2 MiB page, so most "
			 "first writes fault no host page", huge_mib, mib, whose);
	else
		snprintf(buf, len, "memory backing: %s (%.0f MiB) in 4 KiB pages at the end of "
			 "the window: every first write faults a host page", whose, mib);
}
