/* SPDX-License-Identifier: MIT */
/* Checks and their fail records, and the helpers most tests share. */
#include "conform.h"

static void record(const char *kind, const char *fmt, va_list ap)
{
	char text[CONFORM_TEXT_MAX];

	rt_vsnprintf(text, sizeof(text), fmt, ap);
	for (char *c = text; *c; c++) /* one record, one line */
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	rt_printf(CONFORM_RECORD " %s %s\n", kind, text);
}

bool ct_check(struct ct *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	t->checks++;
	if (ok)
		return true;
	t->failed++;
	va_start(ap, fmt);
	record("fail", fmt, ap);
	va_end(ap);
	return false;
}

void ct_skip(struct ct *t, const char *fmt, ...)
{
	va_list ap;

	t->skipped = true;
	va_start(ap, fmt);
	record("skip", fmt, ap);
	va_end(ap);
}

bool ct_expect_exception(struct ct *t, const char *what, rt_fn fn, void *arg, uint8_t vector,
			 uint64_t error_code, struct rt_exception *ex)
{
	bool ok;

	rt_catch(fn, arg, ex);
	if (!ct_check(t, ex->raised, "%s: expected %s, no exception was raised", what,
		      rt_exception_name(vector)))
		return false;
	ok = ct_check(t, ex->vector == vector, "%s: expected %s (vector %u), got %s (vector %u) at 0x%lx",
		      what, rt_exception_name(vector), vector, rt_exception_name(ex->vector),
		      ex->vector, ex->rip);
	if (error_code != CT_ANY_ERROR && ex->vector == vector)
		ok &= ct_check(t, ex->error_code == error_code,
			       "%s: %s error code: expected 0x%lx, got 0x%lx", what,
			       rt_exception_name(vector), error_code, ex->error_code);
	return ok;
}

bool ct_expect_no_exception(struct ct *t, const char *what, rt_fn fn, void *arg)
{
	struct rt_exception ex;

	rt_catch(fn, arg, &ex);
	return ct_check(t, !ex.raised, "%s: unexpected %s (error code 0x%lx) at 0x%lx", what,
			rt_exception_name(ex.vector), ex.error_code, ex.rip);
}

uint64_t ct_call_user(void *p)
{
	struct ct_user_call *c = p;

	return rt_run_user(c->fn, c->arg);
}

bool ct_is_kvm(void)
{
	struct rt_hypervisor hv;

	rt_hypervisor_detect(&hv);
	return hv.present && !memcmp(hv.signature, "KVMKVMKVM\0\0\0", 12);
}

bool ct_cpu_is_amd(void)
{
	struct rt_cpuid r = rt_cpuid(0, 0);

	return r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163; /* AuthenticAMD */
}

uint64_t ct_tsc_khz(void)
{
	return rt_cmdline_u64("tsc_khz", 0);
}

uint64_t ct_us_to_cycles(uint64_t us)
{
	uint64_t khz = ct_tsc_khz();

	return us * (khz ? khz : 1000000) / 1000;
}

bool ct_wait_flag(volatile uint32_t *flag, uint64_t timeout_us)
{
	uint64_t end = rt_rdtsc_begin() + ct_us_to_cycles(timeout_us);

	while (!*flag)
		if (rt_rdtsc_begin() > end)
			return *flag != 0;
	return true;
}

void ct_delay_irq_on(uint64_t us)
{
	uint64_t end = rt_rdtsc_begin() + ct_us_to_cycles(us);

	__asm__ volatile("sti" : : : "memory");
	while (rt_rdtsc_begin() < end)
		__asm__ volatile("pause" : : : "memory");
	rt_irq_disable();
}

bool ct_ctl_present(void)
{
	return rt_inl(CONFORM_CTL_ID) == CONFORM_CTL_MAGIC;
}

uint32_t ct_ctl(enum conform_ctl_cmd cmd, uint32_t arg)
{
	rt_outl(CONFORM_CTL_ARG, arg);
	rt_outl(CONFORM_CTL_CMD, cmd);
	return rt_inl(CONFORM_CTL_RESULT);
}
