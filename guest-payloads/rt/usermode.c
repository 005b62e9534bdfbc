/* SPDX-License-Identifier: MIT */
/*
 * Running a function at CPL3.  The function runs on its own stack with the
 * runtime's (user-accessible) identity mapping; when it returns, a DPL3
 * interrupt gate brings its result back to CPL0, where rt_run_user resumes.
 */
#include "internal.h"
#include "layout.h"

void rt_enter_user(rt_fn fn, void *arg, void *stack_top) __attribute__((noreturn));

static uint8_t user_stack[RT_STACK_SIZE] __attribute__((aligned(16)));
static struct rt_jmpbuf user_jb;
static uint64_t user_result;

uint64_t rt_run_user(rt_fn fn, void *arg)
{
	if (!rt_setjmp(&user_jb))
		rt_enter_user(fn, arg, user_stack + sizeof(user_stack));
	return user_result;
}

/* The return gate: only a trap from CPL3 (code rt_run_user started) counts. */
bool rt_user_return(struct rt_frame *f)
{
	if ((f->cs & 3) != 3)
		return false;
	user_result = f->rdi;
	rt_longjmp(&user_jb, 1);
}
