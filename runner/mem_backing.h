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
};

/*
 * The mappings of PID (0: this process) that overlap [lo, hi), or all of
 * its mappings when lo == hi.  0, or -1 with errno (no such process, no
 * permission, smaps unreadable).
 */
int mem_backing_read(pid_t pid, uintptr_t lo, uintptr_t hi, struct mem_backing *out);

/*
 * The note a repetition of w carries when w's cost depends on the backing
 * (workload.memory_backing), else "" : who holds the memory (e.g. "QEMU's
 * memory"), what was read, and what it means for the figure.
 */
void mem_backing_note(const struct workload *w, const char *whose, const struct mem_backing *b,
		      int read_errno, char *buf, size_t len);

#endif
