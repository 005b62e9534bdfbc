/* SPDX-License-Identifier: MIT */
/*
 * Regions for the operations that compare 4 KiB pages with transparent
 * huge pages (page-fault-2m-thp, tlb-chase-*).  MADV_HUGEPAGE is a wish:
 * the kernel gives 4 KiB pages when THP is off, when defrag forbids the
 * compaction a huge page needs, or when memory is fragmented, and a "2 MiB"
 * figure from 4 KiB pages would be a wrong answer that looks right.  So
 * each huge region is checked in /proc/self/smaps after it is touched,
 * and the refusal quotes the THP settings, the usual reason.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "probe_lib.h"

#define THP_DIR		"/sys/kernel/mm/transparent_hugepage/"
/* No operation here maps more than this at once: bounds len + alignment slack. */
#define PROBE_MAP_MAX	(UINT64_C(1) << 30)

void *probe_map(size_t len, int hugepage, char *why, size_t why_len)
{
	size_t slack = hugepage ? PROBE_HUGE_SIZE : 0;
	char *p, *a;

	if (!len || len > PROBE_MAP_MAX || (hugepage && len % PROBE_HUGE_SIZE)) {
		probe_why(why, why_len, "cannot map %zu bytes: none, over 1 GiB, or not whole "
			  "2 MiB pages", len);
		return NULL;
	}
	/* No MAP_POPULATE: the caller decides when the pages are faulted in. */
	p = mmap(NULL, len + slack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		probe_why(why, why_len, "mmap of %zu MiB failed: %s", len >> 20, strerror(errno));
		return NULL;
	}
	/* A huge page backs only a 2 MiB-aligned 2 MiB: trim the slack to get there. */
	a = p;
	if (slack) {
		a = (char *)(((uintptr_t)p + slack - 1) & ~(uintptr_t)(slack - 1));
		if (a > p)
			munmap(p, (size_t)(a - p));
		munmap(a + len, (size_t)(p + slack - a));
	}
	/* EINVAL: a kernel without THP, which MADV_NOHUGEPAGE wants anyway. */
	if (madvise(a, len, hugepage ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) &&
	    (hugepage || errno != EINVAL)) {
		int err = errno;

		munmap(a, len);
		if (err == EINVAL)
			probe_why(why, why_len, "madvise(MADV_HUGEPAGE): this kernel has no "
				  "transparent huge pages");
		else
			probe_why(why, why_len, "madvise failed: %s", strerror(err));
		return NULL;
	}
	return a;
}

/* "lo-hi perms ..." of an smaps mapping header. */
static bool smaps_header(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	unsigned long long a, b;

	if (sscanf(line, "%llx-%llx ", &a, &b) != 2 || b < a || !strchr(line, ' '))
		return false;
	*lo = (uintptr_t)a;
	*hi = (uintptr_t)b;
	return true;
}

int probe_huge_kib(const void *p, size_t len, uint64_t *kib)
{
	uintptr_t lo = (uintptr_t)p, hi = lo + len, vlo = 0, vhi = 0;
	unsigned long long v;
	char *line = NULL;
	size_t cap = 0;
	bool failed;
	FILE *f;

	*kib = 0;
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	/* getline: a mapping's path may be longer than any fixed line, and a clipped one misreads. */
	while (getline(&line, &cap, f) > 0) {
		uintptr_t a, b;

		if (smaps_header(line, &a, &b)) {
			vlo = a;
			vhi = b;
			continue;
		}
		if (vhi <= lo || hi <= vlo || sscanf(line, "AnonHugePages: %llu kB", &v) != 1)
			continue;
		/*
		 * A mapping merged with a neighbour may hold huge pages outside
		 * ours: count at most its overlap with our range.
		 */
		a = vlo > lo ? vlo : lo;
		b = vhi < hi ? vhi : hi;
		*kib += v < (b - a) / 1024 ? v : (b - a) / 1024;
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

/* The bracketed choice of a THP setting ("always [madvise] never"), or "?" into buf. */
static void thp_setting(const char *file, char *buf, size_t len)
{
	char path[128], line[128], *l, *r;

	snprintf(path, sizeof(path), THP_DIR "%s", file);
	snprintf(buf, len, "?");
	if (probe_read_line(path, line, sizeof(line)))
		return;
	l = strchr(line, '[');
	r = l ? strchr(l, ']') : NULL;
	if (!r || r - l - 1 > 31)
		return;
	*r = '\0';
	snprintf(buf, len, "%s", l + 1);
}

int probe_thp_usable(char *why, size_t why_len)
{
	char mode[32];

	if (access(THP_DIR "enabled", F_OK))
		return probe_why(why, why_len, "no transparent huge pages: " THP_DIR
				 "enabled does not exist");
	thp_setting("enabled", mode, sizeof(mode));
	if (!strcmp(mode, "never"))
		return probe_why(why, why_len, "THP is 'never' in " THP_DIR "enabled");
	/* A parent's prctl, inherited across fork and exec: MADV_HUGEPAGE is then ignored. */
	if (prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1)
		return probe_why(why, why_len, "THP is disabled for this process "
				 "(prctl PR_SET_THP_DISABLE, inherited from its parent)");
	return 0;
}

int probe_huge_check(const void *p, size_t len, char *why, size_t why_len)
{
	char enabled[32], defrag[32];
	uint64_t kib;

	if (probe_huge_kib(p, len, &kib))
		return probe_why(why, why_len, "cannot tell huge pages from 4 KiB ones: "
				 "/proc/self/smaps: %s", strerror(errno));
	if (kib >= len / 1024)
		return 0;
	thp_setting("enabled", enabled, sizeof(enabled));
	thp_setting("defrag", defrag, sizeof(defrag));
	return probe_why(why, why_len, "the kernel backed only %llu of %zu KiB with huge pages "
			 "(THP enabled '%s', defrag '%s'; memory may be fragmented)",
			 (unsigned long long)kib, len / 1024, enabled, defrag);
}
