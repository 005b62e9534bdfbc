/* SPDX-License-Identifier: MIT */
/*
 * Address-range dispatch for port I/O and MMIO exits.  Devices register the
 * ranges they decode in a table kept sorted and free of overlaps, so adding
 * a device never means editing a switch.  An MMIO exit is routed by binary
 * search over the table.  A port bus (io_bus_init_ports) also keeps a
 * direct map from each of the 65536 ports to its range, so a port exit,
 * the one every hvm-mode device access makes, is routed by one load
 * whatever the number of ranges, and an unassigned port is known as fast.
 * Registration happens before any vCPU runs; lookups take no lock.
 */
#ifndef IO_BUS_H
#define IO_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm_err.h"

#define IO_BUS_PORTS 0x10000u	/* ports 0 to 0xffff */

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
	/*
	 * A port bus only (NULL otherwise): port_map[p] is the range
	 * holding port p, or NULL.  It points into ranges, and is rewritten
	 * wherever registration moves them.
	 */
	const struct io_range **port_map;
};

/*
 * Make an empty bus (all zeroes) a port bus: from then on it takes ranges
 * within ports 0-0xffff only, and keeps the direct map.
 */
int io_bus_init_ports(struct io_bus *bus, struct vmm_err *err);

/*
 * Add [base, base + len) with its handler.  Refused (err says why, the bus
 * unchanged) if the range is empty, wraps, overlaps a registered one, or
 * on a port bus reaches past port 0xffff.
 */
int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn,
		    void *opaque, const char *name, struct vmm_err *err);

/* The range wholly containing [addr, addr + size), or NULL. */
const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, uint32_t size);

/*
 * io_bus_find on a port bus, for the exit path: the range wholly
 * containing [port, port + size), or NULL.
 */
static inline const struct io_range *io_bus_find_port(const struct io_bus *bus, uint16_t port,
						       uint32_t size)
{
	const struct io_range *r = bus->port_map[port];

	/* port - base < len by the map's construction; size must fit the rest. */
	return r && size <= r->len - (port - r->base) ? r : NULL;
}

void io_bus_free(struct io_bus *bus);

#endif
