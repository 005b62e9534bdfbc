/* SPDX-License-Identifier: MIT */
/*
 * KVM binary statistics (KVM_GET_STATS_FD): the named counters KVM keeps per
 * VM and per vCPU (exits, io_exits, halt_exits, irq_injections, ...).  The
 * descriptors are read once; each snapshot is one pread of the data block.
 */
#ifndef KVM_STATS_H
#define KVM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "vmm_err.h"

struct kvm_stat_desc {
	char name[64];
	uint32_t flags;		/* KVM_STATS_TYPE_*, _UNIT_*, _BASE_* */
	int16_t exponent;
	uint16_t size;		/* number of u64 values (histograms have several) */
	uint32_t offset;	/* byte offset in the data block */
};

struct kvm_stats {
	int fd;
	struct kvm_stat_desc *descs;
	size_t nr;
	uint64_t data_offset;
	size_t data_bytes;
	uint64_t *data;		/* the last snapshot */
};

/* fd is a VM or vCPU file descriptor. -1 with err set if unsupported. */
int kvm_stats_open(struct kvm_stats *st, int fd, struct vmm_err *err);
void kvm_stats_close(struct kvm_stats *st);

/* Take a snapshot of every counter. */
int kvm_stats_read(struct kvm_stats *st);

/* Index of the named counter, or -1. */
int kvm_stats_find(const struct kvm_stats *st, const char *name);

/* First value of counter idx in the last snapshot. */
uint64_t kvm_stats_value(const struct kvm_stats *st, int idx);

#endif
