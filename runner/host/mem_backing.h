/* SPDX-License-Identifier: MIT */
#ifndef HVBENCH_MEM_BACKING_H
#define HVBENCH_MEM_BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct workload;

/*
 * How much of a process's memory is in huge pages (transparent or
 * hugetlbfs), from /proc/PID/smaps: the figure that decides what a first
 * write to a guest page costs, since a VMM whose guest RAM is in 2 MiB
 * pages faults once per 2 MiB.
 */
struct mem_backing {
	uint64_t mapped_kib;	/* of the mappings counted */
	uint64_t huge_kib;	/* of those, in huge pages */
	unsigned int mappings;	/* how many were counted */
};

/*
 * Which mappings count: those overlapping [lo, hi) when lo < hi; else, when
 * min_kib is set, the writable, non-executable ones of at least min_kib
 * (an external VMM's guest RAM: not its code, nor a JIT buffer like TCG's,
 * nor the small heaps and stacks around it); else all.
 */
struct mem_backing_select {
	uintptr_t lo, hi;
	uint64_t min_kib;
};

/*
 * The mappings of PID (0: this process) that sel selects, from its smaps.
 * 0, or -1 with errno (no such process, no permission, smaps unreadable).
 */
int mem_backing_read(pid_t pid, const struct mem_backing_select *sel, struct mem_backing *out);

/*
 * The note a repetition of w carries when w's cost depends on the backing
 * (workload.memory_backing), else "": whose memory it is (e.g. "QEMU's
 * guest RAM"), what was read, and what it means for the figure.
 */
void mem_backing_note(const struct workload *w, const char *whose, const struct mem_backing *b,
		      int read_errno, char *buf, size_t len);

#endif
