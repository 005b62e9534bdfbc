/* SPDX-License-Identifier: MIT */
/*
 * Guest-virtual to guest-physical translation by walking the guest's own
 * page tables in guest memory, for reports (the instruction bytes at RIP).
 * The tables are guest data: every entry read is bounds-checked.
 */
#ifndef GVA_H
#define GVA_H

#include <linux/kvm.h>
#include <stdint.h>

#include "guest_mem.h"

/* 0 and *gpa set, or -1 if unmapped or the tables lie outside RAM. */
int gva_translate(const struct guest_mem *m, const struct kvm_sregs *s, uint64_t gva,
		  uint64_t *gpa);

/* Copy up to len bytes from linear address gva; returns how many were read. */
unsigned int gva_read(const struct guest_mem *m, const struct kvm_sregs *s, uint64_t gva,
		      void *buf, unsigned int len);

#endif
