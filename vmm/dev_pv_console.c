/* SPDX-License-Identifier: MIT */
/*
 * The line descriptor lives in guest memory, so its address and length are
 * untrusted: both are checked against guest RAM and the line limit, and a
 * bad descriptor is reported and dropped rather than followed.
 */
#include <string.h>

#include "console.h"
#include "dev_pv_console.h"
#include "hvbench/ports.h"
#include "vcpu.h"

static void pv_console_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	struct vm *vm = vcpu->vm;
	uint32_t gpa = 0, len;
	const void *hdr, *text;

	(void)opaque;
	if (!a->write) {
		uint32_t magic = HVB_CONSOLE_MAGIC;

		memcpy(a->data, &magic, a->size < 4 ? a->size : 4);
		return;
	}
	if (a->size != 4) {
		vcpu_warn(vcpu, "PV console: %u-byte write ignored (a 4-byte address is expected)",
			  a->size);
		return;
	}
	memcpy(&gpa, a->data, 4);
	hdr = guest_mem_ptr(&vm->mem, gpa, sizeof(struct hvb_console_line));
	if (!hdr) {
		vcpu_warn(vcpu, "PV console: line at 0x%x is outside guest memory", gpa);
		return;
	}
	memcpy(&len, hdr, sizeof(len));
	text = guest_mem_ptr(&vm->mem, (uint64_t)gpa + sizeof(struct hvb_console_line), len);
	if (len > HVB_CONSOLE_LINE_MAX || !text) {
		vcpu_warn(vcpu, "PV console: line at 0x%x claims %u bytes (at most %d, inside "
			  "guest memory)", gpa, len, HVB_CONSOLE_LINE_MAX);
		return;
	}
	console_write(vm, text, len);
}

int dev_pv_console_create(struct vm *vm, uint16_t base, struct vmm_err *err)
{
	return io_bus_register(&vm->pio, base, PORT_HVB_CONSOLE_LEN, pv_console_io, NULL,
			       "pv-console", err);
}
