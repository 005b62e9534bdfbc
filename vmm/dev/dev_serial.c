/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "console.h"
#include "dev_serial.h"
#include "hvbench/ports.h"

#define UART_RBR_THR 0
#define UART_IER 1
#define UART_IIR_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_LCR_DLAB 0x80
#define UART_IIR_NO_INT 0x01
#define UART_IIR_FIFO 0xc0
#define UART_FCR_FE 0x01
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_MSR_CTS_DSR_DCD 0xb0

struct serial {
	pthread_mutex_t lock;	/* vCPUs access it concurrently */
	struct vm *vm;		/* whose console the bytes go to */
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
};

static uint8_t serial_read(const struct serial *s, unsigned int reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		return dlab ? s->dll : 0; /* no input */
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR_FCR:
		return UART_IIR_NO_INT | ((s->fcr & UART_FCR_FE) ? UART_IIR_FIFO : 0);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		return UART_MSR_CTS_DSR_DCD;
	default:
		return s->scr;
	}
}

static void serial_write(struct serial *s, unsigned int reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RBR_THR:
		if (dlab)
			s->dll = v;
		else
			console_write(s->vm, (const char *)&v, 1);
		break;
	case UART_IER:
		if (dlab)
			s->dlm = v;
		else
			s->ier = v & 0x0f;
		break;
	case UART_IIR_FCR:
		s->fcr = v;
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

static void serial_io(void *opaque, struct vcpu *vcpu, struct io_access *a)
{
	struct serial *s = opaque;
	unsigned int reg = a->addr & 7;

	(void)vcpu;
	pthread_mutex_lock(&s->lock);
	/* Wider accesses reach consecutive registers, as on an ISA bus. */
	for (uint32_t i = 0; i < a->size && reg + i < 8; i++) {
		if (a->write)
			serial_write(s, reg + i, a->data[i]);
		else
			a->data[i] = serial_read(s, reg + i);
	}
	pthread_mutex_unlock(&s->lock);
}

static int serial_create(const struct dev_host *host, void **priv, struct vmm_err *err)
{
	struct serial *s = calloc(1, sizeof(*s));

	if (!s)
		return vmm_err_set(err, VMM_ERR_INTERNAL, "out of memory");
	pthread_mutex_init(&s->lock, NULL);
	s->vm = host->vm;
	*priv = s;
	return io_bus_register(host->pio, PORT_COM1, PORT_COM1_LEN, serial_io, s, "serial", err);
}

static void serial_destroy(void *priv)
{
	struct serial *s = priv;

	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const struct dev_type dev_serial = {
	.name = "serial",
	.create = serial_create,
	.destroy = serial_destroy,
};
