/* SPDX-License-Identifier: MIT */
/*
 * Guest memory layout at boot:
 *   0x0000-0x0fff  unused (left zero)
 *   0x1000         hvm_start_info, followed by the E820 map at 0x1040
 *   0x2000-0x2fff  kernel command line
 *   0x100000-      the payload's PT_LOAD segments
 * The map offers the classic PC layout (RAM below 640 KiB, a reserved hole
 * to 1 MiB, RAM above) so a payload sees what QEMU would give it.
 */
#include <string.h>
#include <sys/ioctl.h>

#include "boot_pvh.h"
#include "hvbench/pvh.h"

#define LOW_RAM_END 0xa0000ull
#define HIGH_RAM_START 0x100000ull

#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define RFLAGS_FIXED 0x2ull

static void memmap_write(struct vm *vm, struct pvh_start_info *si)
{
	struct pvh_memmap_entry map[BOOT_MEMMAP_MAX];
	uint32_t n = 0;

	map[n++] = (struct pvh_memmap_entry){ 0, LOW_RAM_END, PVH_MEMMAP_RAM, 0 };
	map[n++] = (struct pvh_memmap_entry){ LOW_RAM_END, HIGH_RAM_START - LOW_RAM_END,
					      PVH_MEMMAP_RESERVED, 0 };
	if (vm->mem.size > HIGH_RAM_START)
		map[n++] = (struct pvh_memmap_entry){ HIGH_RAM_START,
						      vm->mem.size - HIGH_RAM_START,
						      PVH_MEMMAP_RAM, 0 };
	memcpy(guest_mem_ptr(&vm->mem, BOOT_MEMMAP_GPA, sizeof(map)), map, n * sizeof(map[0]));
	si->memmap_paddr = BOOT_MEMMAP_GPA;
	si->memmap_entries = n;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.l = 0,
		.g = 1,
	};
}

static int regs_setup(struct vcpu *v, uint64_t entry, struct vmm_err *err)
{
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = entry, .rbx = BOOT_START_INFO_GPA, .rflags = RFLAGS_FIXED };

	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_GET_SREGS");
	/* PVH: flat 4 GiB code (execute/read) and data (read/write) segments. */
	s.cs = flat_segment(0x10, 0xb);
	s.ds = s.es = s.fs = s.gs = s.ss = flat_segment(0x18, 0x3);
	s.tr = (struct kvm_segment){ .limit = 0x67, .selector = 0x20, .type = 0xb, .present = 1 };
	s.cr0 = CR0_PE | CR0_ET;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	if (ioctl(v->fd, KVM_SET_SREGS, &s))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_SREGS");
	if (ioctl(v->fd, KVM_SET_REGS, &r))
		return vmm_err_sys(err, VMM_ERR_KVM, "KVM_SET_REGS");
	return 0;
}

int boot_pvh_setup(struct vm *vm, uint64_t entry, const char *cmdline, struct vmm_err *err)
{
	size_t len = strlen(cmdline);
	struct pvh_start_info si = {
		.magic = PVH_START_MAGIC,
		.version = PVH_START_VERSION,
		.cmdline_paddr = BOOT_CMDLINE_GPA,
	};

	if (len >= BOOT_CMDLINE_MAX)
		return vmm_err_set(err, VMM_ERR_USAGE, "command line is %zu bytes, at most %d", len,
				   BOOT_CMDLINE_MAX - 1);
	memcpy(guest_mem_ptr(&vm->mem, BOOT_CMDLINE_GPA, len + 1), cmdline, len + 1);
	memmap_write(vm, &si);
	memcpy(guest_mem_ptr(&vm->mem, BOOT_START_INFO_GPA, sizeof(si)), &si, sizeof(si));
	return regs_setup(&vm->vcpus[0], entry, err);
}
