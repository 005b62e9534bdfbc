/* SPDX-License-Identifier: MIT */
#include "console.h"
#include "vm.h"

void console_init(struct console *c)
{
	pthread_mutex_init(&c->lock, NULL);
	c->len = 0;
}

void console_destroy(struct console *c)
{
	pthread_mutex_destroy(&c->lock);
}

static void emit(struct vm *vm, struct console *c)
{
	vm->console(vm->console_ctx, c->line, c->len);
	c->len = 0;
}

void console_write(struct vm *vm, const char *buf, size_t n)
{
	struct console *c = &vm->con;

	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			emit(vm, c);
			continue;
		}
		if (buf[i] == '\r')
			continue;
		c->line[c->len++] = buf[i];
		if (c->len == sizeof(c->line))
			emit(vm, c);
	}
	pthread_mutex_unlock(&c->lock);
}

void console_flush(struct vm *vm)
{
	struct console *c = &vm->con;

	pthread_mutex_lock(&c->lock);
	if (c->len)
		emit(vm, c);
	pthread_mutex_unlock(&c->lock);
}
