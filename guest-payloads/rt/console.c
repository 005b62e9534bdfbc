/* SPDX-License-Identifier: MIT */
/*
 * Serial console on COM1, written a whole line at a time.
 *
 * Every port access is a VM exit, so output is collected in a line buffer
 * and sent with one `rep outsb` when the line ends: one exit per line on
 * refvmm, instead of one per byte.  Before each line the driver waits for
 * the transmitter to be empty, which is all a polling 16550 driver needs.
 */
#include "rt.h"

#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_LSR_TEMT 0x40
#define UART_LCR_8N1 0x03
#define UART_MCR_DTR_RTS 0x03

/* Bounded so a UART that never reports empty cannot hang the payload. */
#define UART_POLL_LIMIT 100000

#define LINE_MAX 256

static char line[LINE_MAX];
static size_t line_len;

void rt_console_init(void)
{
	rt_outb(PORT_COM1 + UART_IER, 0);
	rt_outb(PORT_COM1 + UART_LCR, UART_LCR_8N1);
	rt_outb(PORT_COM1 + UART_FCR, 0);
	rt_outb(PORT_COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

void rt_flush(void)
{
	const char *p = line;
	size_t n = line_len;

	if (!n)
		return;
	for (int i = 0; i < UART_POLL_LIMIT; i++)
		if (rt_inb(PORT_COM1 + UART_LSR) & UART_LSR_TEMT)
			break;
	__asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(PORT_COM1) : "memory");
	line_len = 0;
}

void rt_putc(char c)
{
	line[line_len++] = c;
	if (c == '\n' || line_len == LINE_MAX)
		rt_flush();
}

void rt_puts(const char *s)
{
	while (*s)
		rt_putc(*s++);
}

int rt_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rt_puts(buf);
	return n;
}

__attribute__((noreturn)) void rt_exit(int status)
{
	rt_flush();
	rt_outl(PORT_DEBUG_EXIT, (uint32_t)status);
	/* No debug-exit device: stop here rather than run on. */
	for (;;)
		__asm__ volatile("cli; hlt");
}
