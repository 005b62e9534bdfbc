/* SPDX-License-Identifier: MIT */
/*
 * Interrupt and exception dispatch.
 *
 * An exception inside rt_catch() is recorded and the catch returns; any
 * other exception is reported on the console (vector, error code, RIP, CR2,
 * the CPL it came from) and ends the run with GUEST_STATUS_EXCEPTION, so the
 * host always learns what went wrong rather than seeing a silent reset.
 */
#include "internal.h"
#include "layout.h"

static const char *const names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
	"#NP", "#SS", "#GP", "#PF", "RSV", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static struct rt_jmpbuf catch_jb;
static struct rt_exception *catch_ex;
static rt_irq_handler handlers[256];
static rt_fault_fn fault_fns[32];

const char *rt_exception_name(uint8_t vector)
{
	if (vector < 32 && names[vector])
		return names[vector];
	return vector < 32 ? "reserved" : "interrupt";
}

static uint64_t read_cr2(void)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	return cr2;
}

uint64_t rt_catch(rt_fn fn, void *arg, struct rt_exception *ex)
{
	uint64_t ret;

	*ex = (struct rt_exception){ 0 };
	catch_ex = ex;
	if (rt_setjmp(&catch_jb)) {
		catch_ex = NULL;
		return 0;
	}
	ret = fn(arg);
	catch_ex = NULL;
	return ret;
}

void rt_irq_register(uint8_t vector, rt_irq_handler fn)
{
	handlers[vector] = fn;
	rt_idt_set(vector, rt_isr_table[vector], 0, 0);
}

void rt_fault_register(uint8_t vector, rt_fault_fn fn)
{
	if (vector < 32)
		fault_fns[vector] = fn;
}

static void exception(struct rt_frame *f)
{
	uint64_t cr2 = f->vector == 14 ? read_cr2() : 0;

	if (catch_ex) {
		*catch_ex = (struct rt_exception){
			.raised = true,
			.vector = f->vector,
			.error_code = f->error_code,
			.rip = f->rip,
			.cr2 = cr2,
			.cpl = f->cs & 3,
		};
		rt_longjmp(&catch_jb, 1);
	}
	rt_printf("\nrt: unexpected exception %s (vector %lu) error 0x%lx at RIP 0x%lx "
		  "CPL %lu CR2 0x%lx RSP 0x%lx\n",
		  rt_exception_name(f->vector), f->vector, f->error_code, f->rip, f->cs & 3, cr2,
		  f->rsp);
	rt_exit(GUEST_STATUS_EXCEPTION);
}

void rt_interrupt(struct rt_frame *f)
{
	if (f->vector == RT_VEC_UD && rt_user_return(f))
		return;
	if (f->vector < 32) {
		if (fault_fns[f->vector] && fault_fns[f->vector](f->vector, &f->rip))
			return;
		exception(f);
		return;
	}
	if (handlers[f->vector]) {
		handlers[f->vector](f->vector);
		return;
	}
	rt_printf("\nrt: unexpected interrupt vector %lu at RIP 0x%lx\n", f->vector, f->rip);
	rt_exit(GUEST_STATUS_EXCEPTION);
}
