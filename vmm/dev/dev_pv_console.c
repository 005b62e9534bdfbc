/* SPDX-License-Identifier: MIT */
/*
 * The line descriptor lives in guest memory, so its address and length are
 * untrusted: both are checked against guest RAM and the line limit, and a
 * bad descriptor is reported and dropped rather than followed.
 */
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "dev_pv_console.h"
#include "hvbench/ports.h"

struct pv_console {
	struct vm *vm;			/* whose console the lines go to */
	const struct guest_mem *mem;	/* where they are read from */
};

static void pv_console_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	const struct pv_console *c = opaque;
	uint32_t gpa = 0, len;
	const void *hdr, *text;

	if (!a->write) {
		uint32_t magic = HVB_CONSOLE_MAGIC;

		memcpy(a->data, &magic, a->size < 4 ? a->size : 4);
		return;
	}
	if (a->size != 4) {
		dev_warn(vcpu, "PV console: %u-byte write ignored (a 4-byte address is expected)",
			 a->size);
		return;
	}
	memcpy(&gpa, a->data, 4);
	hdr = guest_mem_ptr(c->mem, gpa, sizeof(struct hvb_console_line));
	if (!hdr) {
		dev_warn(vcpu, "PV console: line at 0x%x is outside guest memory", gpa);
		return;
	}
	memcpy(&len, hdr, sizeof(len));
	text = guest_mem_ptr(c->mem, (uint64_t)gpa + sizeof(struct hvb_console_line), len);
	if (len > HVB_CONSOLE_LINE_MAX || !text) {
		dev_warn(vcpu, "PV console: line at 0x%x claims %u bytes (at most %d, inside "
			 "guest memory)", gpa, len, HVB_CONSOLE_LINE_MAX);
		return;
	}
	console_write(c->vm, text, len);
}

static int pv_console_create(const struct dev_host *host, void **priv, struct vmm_err *err)
{
	struct pv_console *c = malloc(sizeof(*c));

	if (!c)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	*c = (struct pv_console){ host->vm, host->mem };
	*priv = c;
	return io_bus_register(host->pio, PORT_HVB_CONSOLE, PORT_HVB_CONSOLE_LEN, pv_console_io, c,
			       "pv-console", err);
}

const struct dev_type dev_pv_console = {
	.name = "pv-console",
	.create = pv_console_create,
	.destroy = free,
};
