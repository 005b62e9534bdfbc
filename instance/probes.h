/* SPDX-License-Identifier: MIT */
/*
 * The instance suite's own operations (instance.def's PROBE(x) is
 * instance_op_x), each a struct native_op whose hooks (workloads/
 * native_impl.h) run on workloads/native.c's one timing path, so they pay
 * the same clock, overhead correction and warm-up as the native
 * baselines.  One file per mechanism.
 */
#ifndef INSTANCE_PROBES_H
#define INSTANCE_PROBES_H

#include "native.h"

/* cpu_insn.c: rdpid, against rdtscp. */
extern const struct native_op instance_op_rdpid;

/* clock.c: the clock read through the vDSO, against the same read as a system call. */
extern const struct native_op instance_op_vdso_clock_gettime;
extern const struct native_op instance_op_syscall_clock_gettime;

/* page_fault.c: a transparent huge page's first-touch fault, against page-fault-4k. */
extern const struct native_op instance_op_page_fault_2m_thp;

/* tlb_chase.c: a TLB-missing pointer chase over 4 KiB pages, against 2 MiB ones. */
extern const struct native_op instance_op_tlb_chase_4k;
extern const struct native_op instance_op_tlb_chase_2m;

/* signal.c: a signal to the calling thread, delivered to a handler. */
extern const struct native_op instance_op_signal_self;

/* msr.c: an MSR read through /dev/cpu/N/msr, against syscall-getppid. */
extern const struct native_op instance_op_msr_read_devcpu;

/* mem_bw.c: memcpy of 1 MiB, memory to memory. */
extern const struct native_op instance_op_mem_copy_1m;

/* disk.c: an O_DIRECT 4 KiB read at queue depth 1. */
extern const struct native_op instance_op_disk_read_4k_qd1;

/*
 * The disk disk-read-4k-qd1 reads, by its name in /sys/block and /dev
 * ("vda", "nvme0n1"), into buf[0..len): 0, or -1 (buf "") when none is
 * visible or its name does not fit (32 bytes always do).  The choice depends on /sys/block alone, so a call before or
 * after a measurement names the disk the measurement read (unless a disk
 * was added or removed in between).
 */
int instance_disk_device(char *buf, size_t len);

#endif
