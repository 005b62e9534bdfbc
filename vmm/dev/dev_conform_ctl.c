/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dev_conform_ctl.h"
#include "hvbench/conform.h"
#include "irq.h"
#include "vm_fault.h"

enum { REG_ID_CMD, REG_ARG, REG_RESULT };

struct conform_ctl {
	struct vm *vm;		/* where MSIs are sent */
	uint32_t faults;	/* VM_FAULT_DROP_MSI */
	uint8_t *rom;		/* CONFORM_ROM_SIZE bytes, read-only once filled */
	pthread_mutex_t lock;	/* the log of ROM writes, from any vCPU */
	uint32_t rom_writes, rom_last_len;
	uint64_t rom_last_addr, rom_last_data;
	struct {
		uint32_t arg, result;
	} regs[];		/* one per vCPU, each touched by its own vCPU's thread only */
};

/* Success as the guest sees it: 1 if KVM delivered the MSI to a LAPIC. */
static uint32_t msi_send(struct conform_ctl *c, struct vcpu *vcpu, uint32_t arg)
{
	struct vmm_err err = { 0 };
	int r;

	if (c->faults & VM_FAULT_DROP_MSI)
		return 1;
	r = irq_msi_signal(c->vm, irq_msi_fixed((arg >> 8) & 0xff, arg & 0xff), &err);
	if (r < 0)
		dev_warn(vcpu, "conform-ctl: %s", err.msg);
	return r > 0;
}

static uint32_t command(struct conform_ctl *c, struct vcpu *vcpu, uint32_t cmd, uint32_t arg)
{
	uint32_t r;

	if (cmd == CONFORM_CMD_MSI)
		return msi_send(c, vcpu, arg);
	pthread_mutex_lock(&c->lock);
	switch (cmd) {
	case CONFORM_CMD_ROM_WRITES:
		r = c->rom_writes;
		break;
	case CONFORM_CMD_ROM_LAST_ADDR:
		r = (uint32_t)c->rom_last_addr;
		break;
	case CONFORM_CMD_ROM_LAST_DATA:
		r = (uint32_t)c->rom_last_data;
		break;
	case CONFORM_CMD_ROM_LAST_LEN:
		r = c->rom_last_len;
		break;
	default:
		r = UINT32_MAX;
		dev_warn(vcpu, "conform-ctl: unknown command %u", cmd);
		break;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* Registers are 32 bits wide and taken whole; anything else reads all-ones and is dropped. */
static void ctl_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	struct conform_ctl *c = opaque;
	uint64_t off = a->addr - CONFORM_CTL_ID;
	unsigned int id = dev_vcpu_id(vcpu);
	uint32_t v = 0;

	if (a->size != 4 || off % 4 || off >= CONFORM_CTL_LEN) {
		if (!a->write)
			memset(a->data, 0xff, a->size);
		dev_warn(vcpu, "conform-ctl: %u-byte access at 0x%llx ignored", a->size,
			 (unsigned long long)a->addr);
		return;
	}
	if (!a->write) {
		v = off / 4 == REG_ID_CMD ? CONFORM_CTL_MAGIC
		    : off / 4 == REG_ARG  ? c->regs[id].arg
					  : c->regs[id].result;
		memcpy(a->data, &v, 4);
		return;
	}
	memcpy(&v, a->data, 4);
	if (off / 4 == REG_ID_CMD)
		c->regs[id].result = command(c, vcpu, v, c->regs[id].arg);
	else if (off / 4 == REG_ARG)
		c->regs[id].arg = v;
}

/*
 * Writes to the ROM exit here and change nothing but the log.  Reads exit
 * only where there is no read-only slot.
 */
static void rom_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	struct conform_ctl *c = opaque;
	uint64_t off = a->addr - CONFORM_ROM_BASE, data = 0;

	if (off >= CONFORM_ROM_SIZE || a->size > CONFORM_ROM_SIZE - off || a->size > sizeof(data)) {
		if (!a->write)
			memset(a->data, 0xff, a->size);
		dev_warn(vcpu, "conform-ctl: %u-byte ROM access at 0x%llx ignored", a->size,
			 (unsigned long long)a->addr);
		return;
	}
	if (!a->write) {
		memcpy(a->data, c->rom + off, a->size);
		return;
	}
	memcpy(&data, a->data, a->size);
	pthread_mutex_lock(&c->lock);
	c->rom_writes++;
	c->rom_last_addr = a->addr;
	c->rom_last_data = data;
	c->rom_last_len = a->size;
	pthread_mutex_unlock(&c->lock);
}

static int rom_create(const struct dev_host *host, struct conform_ctl *c, struct vmm_err *err)
{
	uint32_t pattern = CONFORM_ROM_PATTERN;
	void *p = mmap(NULL, CONFORM_ROM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "cannot map the ROM");
	c->rom = p;
	for (uint64_t off = 0; off < CONFORM_ROM_SIZE; off += sizeof(pattern))
		memcpy(c->rom + off, &pattern, sizeof(pattern));
	/* Read-only for refvmm too: nothing but the fill above may change it. */
	if (mprotect(p, CONFORM_ROM_SIZE, PROT_READ))
		return vmm_err_sys(err, VMM_ERR_INTERNAL, "mprotect of the ROM");
	if (dev_rom_map(host->vm, CONFORM_ROM_BASE, p, CONFORM_ROM_SIZE, err) < 0)
		return -1;
	return io_bus_register(host->mmio, CONFORM_ROM_BASE, CONFORM_ROM_SIZE, rom_io, c, "rom",
			       err);
}

static int conform_ctl_create(const struct dev_host *host, void **priv, struct vmm_err *err)
{
	struct conform_ctl *c = calloc(1, sizeof(*c) + host->nr_vcpus * sizeof(c->regs[0]));

	if (!c)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	c->vm = host->vm;
	c->faults = host->faults;
	pthread_mutex_init(&c->lock, NULL);
	*priv = c;
	if (rom_create(host, c, err))
		return -1;
	return io_bus_register(host->pio, CONFORM_CTL_ID, CONFORM_CTL_LEN, ctl_io, c, "conform-ctl",
			       err);
}

static void conform_ctl_destroy(void *priv)
{
	struct conform_ctl *c = priv;

	if (!c)
		return;
	if (c->rom)
		munmap(c->rom, CONFORM_ROM_SIZE);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const struct dev_type dev_conform_ctl = {
	.name = "conform-ctl",
	.faults = VM_FAULT_DROP_MSI,
	.create = conform_ctl_create,
	.destroy = conform_ctl_destroy,
};
