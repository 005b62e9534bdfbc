/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "dev_debug_exit.h"
#include "hvbench/ports.h"

static void debug_exit_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	uint32_t v = 0;

	(void)opaque;
	if (!a->write) {
		memset(a->data, 0xff, a->size);
		return;
	}
	memcpy(&v, a->data, a->size < sizeof(v) ? a->size : sizeof(v));
	vm_finish(vcpu->vm, VM_RESULT_EXITED, vcpu->id, v, "guest wrote status %u to port 0x%x", v,
		  (unsigned int)a->addr);
}

int dev_debug_exit_create(struct vm *vm, uint16_t base, struct vmm_err *err)
{
	return io_bus_register(&vm->pio, base, PORT_DEBUG_EXIT_LEN, debug_exit_io, NULL,
			       "debug-exit", err);
}
