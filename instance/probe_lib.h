/* SPDX-License-Identifier: MIT */
/*
 * What the instance suite's operations share, and nothing outside this
 * folder uses: the one-line refusal, bounded reads of kernel files, and
 * huge-page regions that are checked to really be huge.  The runner has
 * its own smaps reader (runner/host/mem_backing.c); the operations cannot
 * call up into the runner, which links them, so they keep this small one.
 */
#ifndef INSTANCE_PROBE_LIB_H
#define INSTANCE_PROBE_LIB_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_HUGE_SIZE	(UINT64_C(2) << 20)

/* vsnprintf into why[0..len); nothing when why is NULL or len 0.  Always returns -1. */
int probe_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * The first line of a small kernel file (sysfs, procfs), newline dropped,
 * into buf[0..len): 0, or -1 with errno (ENOENT, EACCES, EIO; EOVERFLOW
 * when the line does not fit, since a clipped number would read as a
 * smaller one).
 */
int probe_read_line(const char *path, char *buf, size_t len);

/*
 * len bytes of fresh anonymous memory at a 2 MiB boundary, advised
 * MADV_HUGEPAGE (hugepage) or MADV_NOHUGEPAGE, not yet touched: the
 * pointer, or NULL with why[0..why_len) said.  len is a multiple of 2 MiB
 * when hugepage.  munmap(p, len) frees it.
 */
void *probe_map(size_t len, int hugepage, char *why, size_t why_len);

/*
 * KiB of [p, p + len) in anonymous transparent huge pages, from
 * /proc/self/smaps: 0, or -1 with errno.
 */
int probe_huge_kib(const void *p, size_t len, uint64_t *kib);

/*
 * 0 when all of [p, p + len) (touched) is in huge pages, else -1 with
 * why[0..why_len) saying how much was and what the kernel's THP settings
 * are, since they are the usual reason.
 */
int probe_huge_check(const void *p, size_t len, char *why, size_t why_len);

/*
 * 0 if transparent huge pages can back an MADV_HUGEPAGE region at all, else
 * -1 with why said ("THP is 'never' in ...", no THP in this kernel).
 */
int probe_thp_usable(char *why, size_t why_len);

#endif
