/* SPDX-License-Identifier: MIT */
/*
 * Address-range dispatch for port I/O and MMIO exits.  Devices register the
 * ranges they decode; an exit is routed by binary search over a table kept
 * sorted and free of overlaps, so adding a device never means editing a
 * switch.  Registration happens before any vCPU runs; lookups take no lock.
 */
#ifndef IO_BUS_H
#define IO_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm_err.h"

struct vcpu;

/* One access of size bytes at addr; data is the exit's buffer. */
struct io_access {
	uint64_t addr;
	uint8_t *data;
	uint32_t size;
	bool write;
};

typedef void (*io_handler_fn)(void *opaque, struct vcpu *vcpu, struct io_access *a);

struct io_range {
	uint64_t base, len;
	io_handler_fn fn;
	void *opaque;
	const char *name;
};

struct io_bus {
	struct io_range *ranges;
	size_t nr, cap;
};

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn,
		    void *opaque, const char *name, struct vmm_err *err);

/* The range wholly containing [addr, addr + size), or NULL. */
const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, uint32_t size);

void io_bus_free(struct io_bus *bus);

#endif
