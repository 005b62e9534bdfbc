/* SPDX-License-Identifier: MIT */
/*
 * Console output, a line at a time.
 *
 * Every port access is a VM exit, and KVM emulates `rep outsb` one byte per
 * exit, so where refvmm offers its paravirtual console the whole line goes
 * out in one exit (its guest-physical address in one port write).  Anywhere
 * else (QEMU, Firecracker, ...) the line goes to the COM1 UART: wait for the
 * transmitter to be empty, then `rep outsb`, which is all a polling 16550
 * driver needs.
 *
 * Code at CPL0 may be emulated instruction by instruction (PVM), so text
 * is moved in runs with rep movsb rather than byte by byte.
 */
#include "internal.h"

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

static struct {
	uint32_t len;
	char text[LINE_MAX + 1]; /* + 1: rt_printf formats in place, with a NUL */
} line __attribute__((aligned(8)));
static bool pv;

void rt_console_init(void)
{
	const char *choice = rt_cmdline_get("console");

	if (!(choice && !strcmp(choice, "serial")) && rt_inl(PORT_HVB_CONSOLE) == HVB_CONSOLE_MAGIC) {
		pv = true;
		return;
	}
	rt_outb(PORT_COM1 + UART_IER, 0);
	rt_outb(PORT_COM1 + UART_LCR, UART_LCR_8N1);
	rt_outb(PORT_COM1 + UART_FCR, 0);
	rt_outb(PORT_COM1 + UART_MCR, UART_MCR_DTR_RTS);
}

void rt_flush(void)
{
	const char *p = line.text;
	size_t n = line.len;

	if (!n)
		return;
	if (pv) {
		rt_outl(PORT_HVB_CONSOLE, (uint32_t)(uintptr_t)&line);
	} else {
		for (int i = 0; i < UART_POLL_LIMIT; i++)
			if (rt_inb(PORT_COM1 + UART_LSR) & UART_LSR_TEMT)
				break;
		__asm__ volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(PORT_COM1) : "memory");
	}
	line.len = 0;
}

/*
 * The host cuts the text into lines, so a buffer may hold several; it is
 * sent when a write ends a line or the buffer fills, and nothing scans the
 * text for newlines byte by byte.
 */
void rt_write(const char *s, size_t n)
{
	bool ends_line = n && s[n - 1] == '\n';

	while (n) {
		size_t chunk = LINE_MAX - line.len < n ? LINE_MAX - line.len : n;

		memcpy(line.text + line.len, s, chunk);
		line.len += chunk;
		s += chunk;
		n -= chunk;
		if (line.len == LINE_MAX)
			rt_flush();
	}
	if (ends_line)
		rt_flush();
}

/*
 * Formats straight into the line buffer, saving a copy.  Text too long for
 * the space left is formatted again, once the buffer has been sent, into a
 * larger buffer and written in pieces.
 */
int rt_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(line.text + line.len, LINE_MAX + 1 - line.len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n <= LINE_MAX - line.len) {
		line.len += n;
		if (n && line.text[line.len - 1] == '\n')
			rt_flush();
		return n;
	}
	va_start(ap, fmt);
	n = rt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rt_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
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
