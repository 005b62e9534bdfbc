/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "dev_debug_exit.h"
#include "hvbench/ports.h"

static void debug_exit_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	uint32_t v = 0;
	char why[64];

	(void)opaque;
	if (!a->write) {
		memset(a->data, 0xff, a->size);
		return;
	}
	memcpy(&v, a->data, a->size < sizeof(v) ? a->size : sizeof(v));
	snprintf(why, sizeof(why), "guest wrote status %u to port 0x%x", v, (unsigned int)a->addr);
	dev_guest_exit(vcpu, v, why);
}

static int debug_exit_create(const struct dev_host *host, void **priv, struct vmm_err *err)
{
	(void)priv;
	return io_bus_register(host->pio, PORT_DEBUG_EXIT, PORT_DEBUG_EXIT_LEN, debug_exit_io, NULL,
			       "debug-exit", err);
}

const struct dev_type dev_debug_exit = {
	.name = "debug-exit",
	.create = debug_exit_create,
};
