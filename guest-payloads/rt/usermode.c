/* SPDX-License-Identifier: MIT */
/*
 * Running a function at CPL3.  The function runs on its own stack with the
 * runtime's (user-accessible) identity mapping; when it returns, the #UD
 * raised at rt_user_return_insn (context.S) brings its result back to CPL0,
 * where rt_run_user resumes.
 */
#include "internal.h"
#include "layout.h"

void rt_enter_user(rt_fn fn, void *arg, void *stack_top) __attribute__((noreturn));
extern const char rt_user_return_insn[];

static uint8_t user_stack[RT_STACK_SIZE] __attribute__((aligned(16)));
static struct rt_jmpbuf user_jb;
static uint64_t user_result;

uint64_t rt_run_user(rt_fn fn, void *arg)
{
	if (!rt_setjmp(&user_jb))
		rt_enter_user(fn, arg, user_stack + sizeof(user_stack));
	return user_result;
}

/* The return: only the #UD at rt_user_return_insn, from CPL3, counts. */
bool rt_user_return(struct rt_frame *f)
{
	if ((f->cs & 3) != 3 || f->rip != (uintptr_t)rt_user_return_insn)
		return false;
	user_result = f->rdi;
	rt_longjmp(&user_jb, 1);
}
