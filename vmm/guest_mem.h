/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: one anonymous mapping, guest-physical 0 to size.  Every host
 * access to it through a guest-supplied address goes through guest_mem_ptr,
 * which refuses ranges that are not wholly inside.
 */
#ifndef GUEST_MEM_H
#define GUEST_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm_err.h"

struct guest_mem {
	uint8_t *host;
	uint64_t size;
	bool hugepages;	/* backed by hugetlbfs pages (else 4 KiB, THP advised) */
};

int guest_mem_alloc(struct guest_mem *m, uint64_t size, bool hugepages, struct vmm_err *err);
void guest_mem_free(struct guest_mem *m);

/* Host pointer for [gpa, gpa + len), or NULL if any of it is outside RAM. */
void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Bytes of guest RAM the host has actually backed (touched) so far. */
uint64_t guest_mem_resident(const struct guest_mem *m);

#endif
