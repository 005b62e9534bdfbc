/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "io_bus.h"

int io_bus_init_ports(struct io_bus *bus, struct vmm_err *err)
{
	/*
	 * 512 KiB of address space, but only the pages holding registered
	 * ports are ever written: the rest stays unbacked (reads of it find
	 * the zero page).
	 */
	bus->port_map = calloc(IO_BUS_PORTS, sizeof(*bus->port_map));
	if (!bus->port_map)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	return 0;
}

/* Point the map's entries for ranges[from] onwards at where those ranges now are. */
static void port_map_fill(struct io_bus *bus, size_t from)
{
	for (size_t i = from; i < bus->nr; i++) {
		const struct io_range *r = &bus->ranges[i];

		for (uint64_t p = r->base; p < r->base + r->len; p++)
			bus->port_map[p] = r;
	}
}

int io_bus_register(struct io_bus *bus, uint64_t base, uint64_t len, io_handler_fn fn,
		    void *opaque, const char *name, struct vmm_err *err)
{
	const struct io_range *clash = NULL;
	size_t pos = 0, moved;

	if (!len || base + len < base)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "%s: empty or wrapping range", name);
	if (bus->port_map && (base >= IO_BUS_PORTS || len > IO_BUS_PORTS - base))
		return vmm_err_set(err, VMM_ERR_INTERNAL,
				   "%s at 0x%llx: %llu ports reach past port 0xffff", name,
				   (unsigned long long)base, (unsigned long long)len);
	while (pos < bus->nr && bus->ranges[pos].base < base)
		pos++;
	if (pos > 0 && bus->ranges[pos - 1].base + bus->ranges[pos - 1].len > base)
		clash = &bus->ranges[pos - 1];
	else if (pos < bus->nr && base + len > bus->ranges[pos].base)
		clash = &bus->ranges[pos];
	if (clash)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "%s at 0x%llx overlaps %s at 0x%llx",
				   name, (unsigned long long)base, clash->name,
				   (unsigned long long)clash->base);
	/* The ranges from pos on move up one; all of them move if the table does. */
	moved = pos;
	if (bus->nr == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 8;
		struct io_range *r = realloc(bus->ranges, cap * sizeof(*r));

		if (!r)
			return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
		bus->ranges = r;
		bus->cap = cap;
		moved = 0;
	}
	memmove(&bus->ranges[pos + 1], &bus->ranges[pos], (bus->nr - pos) * sizeof(*bus->ranges));
	bus->ranges[pos] = (struct io_range){ base, len, fn, opaque, name };
	bus->nr++;
	if (bus->port_map)
		port_map_fill(bus, moved);
	return 0;
}

const struct io_range *io_bus_find(const struct io_bus *bus, uint64_t addr, uint32_t size)
{
	size_t lo = 0, hi = bus->nr;

	if (bus->port_map)
		return addr < IO_BUS_PORTS ? io_bus_find_port(bus, (uint16_t)addr, size) : NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct io_range *r = &bus->ranges[mid];

		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->len)
			lo = mid + 1;
		else
			return size <= r->len - (addr - r->base) ? r : NULL;
	}
	return NULL;
}

void io_bus_free(struct io_bus *bus)
{
	free(bus->ranges);
	free(bus->port_map);
	*bus = (struct io_bus){ 0 };
}
