/* SPDX-License-Identifier: MIT */
/*
 * The guest console: bytes from any console device (the UART, the
 * paravirtual console) are cut into lines here and handed to the VM's sink,
 * so every device produces the same output.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <pthread.h>
#include <stddef.h>

#define CONSOLE_LINE_MAX 4096

struct vm;

struct console {
	pthread_mutex_t lock;
	char line[CONSOLE_LINE_MAX];
	size_t len;
};

void console_init(struct console *c);
void console_destroy(struct console *c);
/* Append n bytes; complete lines (and overlong ones) go to the sink. */
void console_write(struct vm *vm, const char *buf, size_t n);
/* Hand a final unterminated line to the sink. */
void console_flush(struct vm *vm);

#endif
