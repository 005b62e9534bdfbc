/* SPDX-License-Identifier: MIT */
/*
 * The offsets and lengths come from exits the guest causes: every access is
 * checked against the register or memory it names before any byte moves,
 * although the I/O bus only routes accesses wholly inside a range here.
 */
#include <stdlib.h>
#include <string.h>

#include "dev_testdev.h"
#include "irq.h"
#include "vm_fault.h"

#define ACCESS_MAX 8 /* the widest MMIO exit (kvm_run.mmio.data) */

static bool in_bounds(uint64_t off, uint32_t size, uint64_t len)
{
	return size >= 1 && size <= ACCESS_MAX && off < len && size <= len - off;
}

/* Copy between the guest's buffer and the device's bytes; fault flips bit 0 of what is read. */
static bool copy_bytes(struct testdev *d, uint8_t *mem, uint64_t len, uint64_t off, uint8_t *buf,
		       uint32_t size, bool write, bool fault)
{
	if (!in_bounds(off, size, len))
		return false;
	pthread_mutex_lock(&d->lock);
	if (write)
		memcpy(mem + off, buf, size);
	else
		memcpy(buf, mem + off, size);
	pthread_mutex_unlock(&d->lock);
	if (!write && fault)
		buf[0] ^= 1;
	return true;
}

bool testdev_data_access(struct testdev *d, uint64_t off, uint8_t *buf, uint32_t size,
			 bool write)
{
	return copy_bytes(d, d->data, sizeof(d->data), off, buf, size, write,
		      d->faults & VM_FAULT_PIO_ECHO);
}

bool testdev_iomem_access(struct testdev *d, uint64_t off, uint8_t *buf, uint32_t size,
			  bool write)
{
	return copy_bytes(d, d->iomem, sizeof(d->iomem), off, buf, size, write,
		      d->faults & VM_FAULT_MMIO_ECHO);
}

struct testdev *testdev_alloc(uint32_t faults)
{
	struct testdev *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->faults = faults;
	pthread_mutex_init(&d->lock, NULL);
	return d;
}

void testdev_free(struct testdev *d)
{
	if (!d)
		return;
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static void refused(struct vcpu *vcpu, const char *what, struct io_access *a)
{
	if (!a->write)
		memset(a->data, 0xff, a->size);
	dev_warn(vcpu, "testdev: %u-byte %s at 0x%llx is outside its %s", a->size,
		 a->write ? "write" : "read", (unsigned long long)a->addr, what);
}

static void data_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	if (!testdev_data_access(opaque, a->addr - TESTDEV_PORT_DATA, a->data, a->size, a->write))
		refused(vcpu, "data register", a);
}

static void iomem_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	if (!testdev_iomem_access(opaque, a->addr - TESTDEV_IOMEM_BASE, a->data, a->size, a->write))
		refused(vcpu, "memory", a);
}

/*
 * A wider write reaches consecutive lines, one byte each, as QEMU's byte-wide
 * IRQ ports do.  KVM_IRQ_LINE needs the in-kernel irqchip: without it the
 * write fails and is reported.
 */
static void irq_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	struct testdev *d = opaque;
	uint64_t line = a->addr - TESTDEV_PORT_IRQ;
	struct vmm_err err = { 0 };

	if (!a->write) {
		memset(a->data, 0, a->size);
		return;
	}
	if (d->faults & VM_FAULT_DROP_IOAPIC)
		return;
	for (uint32_t i = 0; i < a->size && line + i < TESTDEV_IRQ_LINES; i++)
		if (irq_line_set(d->vm, (uint32_t)(line + i), a->data[i] != 0, &err))
			dev_warn(vcpu, "testdev: %s", err.msg);
}

static int testdev_create(const struct dev_host *host, void **priv, struct vmm_err *err)
{
	struct testdev *d = testdev_alloc(host->faults);

	if (!d)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	d->vm = host->vm;
	*priv = d;
	if (io_bus_register(host->pio, TESTDEV_PORT_DATA, TESTDEV_PORT_DATA_LEN, data_io, d,
			    "testdev-data", err) ||
	    io_bus_register(host->pio, TESTDEV_PORT_IRQ, TESTDEV_IRQ_LINES, irq_io, d,
			    "testdev-irq", err) ||
	    io_bus_register(host->mmio, TESTDEV_IOMEM_BASE, TESTDEV_IOMEM_SIZE, iomem_io, d,
			    "testdev-iomem", err))
		return -1;
	return 0;
}

static void testdev_destroy(void *priv)
{
	testdev_free(priv);
}

const struct dev_type dev_testdev = {
	.name = "testdev",
	.faults = VM_FAULT_PIO_ECHO | VM_FAULT_MMIO_ECHO | VM_FAULT_DROP_IOAPIC,
	.create = testdev_create,
	.destroy = testdev_destroy,
};
