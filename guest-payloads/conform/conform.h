/* SPDX-License-Identifier: MIT */
/*
 * The conformance payload's test interface.  A test is a function that makes
 * checks; each failed check prints a fail record saying what was expected
 * and what came back, so the host can show the evidence.  The list of tests
 * is include/hvbench/conform_tests.def.
 */
#ifndef CONFORM_H
#define CONFORM_H

#include "hvbench/conform.h"
#include "rt.h"

struct ct {
	const char *id;
	unsigned int checks, failed;
	bool skipped;
};

#define CONFORM_TEST(fn, id, area, vcpus, spec, desc) void fn(struct ct *t);
#include "hvbench/conform_tests.def"
#undef CONFORM_TEST

/* Count a check; if !ok, print a fail record with the formatted text.  Returns ok. */
bool ct_check(struct ct *t, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The test cannot run here (a feature is missing): print why; the test is a skip. */
void ct_skip(struct ct *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* got == want, printed in hex on failure. */
#define CT_EQ(t, what, got, want)                                                       \
	ct_check((t), (uint64_t)(got) == (uint64_t)(want), "%s: expected 0x%lx, got 0x%lx", \
		 (what), (uint64_t)(want), (uint64_t)(got))

/*
 * Run fn(arg) expecting the exception vector (with error_code, unless it is
 * CT_ANY_ERROR); a check each for "raised", the vector and the error code.
 * *ex describes what happened.  Returns true if all held.
 */
#define CT_ANY_ERROR (~0ull)
bool ct_expect_exception(struct ct *t, const char *what, rt_fn fn, void *arg, uint8_t vector,
			 uint64_t error_code, struct rt_exception *ex);
/*
 * rt_catch and ct_expect_exception run CPL0 code; ct_call_user(c) runs
 * c->fn(c->arg) at CPL3 under them.
 */
struct ct_user_call {
	rt_fn fn;
	void *arg;
};

uint64_t ct_call_user(void *c);

/* Run fn(arg) expecting no exception; a failed check names the one raised. */
bool ct_expect_no_exception(struct ct *t, const char *what, rt_fn fn, void *arg);

/* Control registers some tests change (and put back). */
static inline uint64_t ct_cr0_read(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void ct_cr0_write(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t ct_cr4_read(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void ct_cr4_write(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* The hypervisor signature is "KVMKVMKVM": the KVM ABI applies. */
bool ct_is_kvm(void);
bool ct_cpu_is_amd(void);

/* The guest TSC rate the host states (tsc_khz= on the command line), 0 if not given. */
uint64_t ct_tsc_khz(void);
/* Microseconds to TSC cycles at ct_tsc_khz (a 1 GHz guess when not given). */
uint64_t ct_us_to_cycles(uint64_t us);
/* Busy-wait up to timeout_us for *flag to become non-zero, interrupts as they are; true if it did. */
bool ct_wait_flag(volatile uint32_t *flag, uint64_t timeout_us);
/* Busy-wait with interrupts enabled, then disable them again. */
void ct_delay_irq_on(uint64_t us);

/* refvmm's control device (hvbench/conform.h): present, and one command. */
bool ct_ctl_present(void);
uint32_t ct_ctl(enum conform_ctl_cmd cmd, uint32_t arg);

/*
 * A scratch page mapped at a test address with the given PTE flags, for
 * page-fault tests: ct_page_map() maps the 4 KiB page at CT_PAGE_VA (one of
 * CT_PAGE_SLOTS, index slot) to physical page pa with flags (PTE_* bits,
 * including the NX bit 63 and reserved bits if a test wants them) and
 * flushes the TLB entry.  The rest of the runtime's identity map is not
 * touched.
 */
#define CT_PAGE_VA(slot) (0x100000000ull + ((uint64_t)(slot) << 12)) /* just above 4 GiB */
#define CT_PAGE_SLOTS 16
#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_US (1ull << 2)
#define PTE_NX (1ull << 63)
void ct_page_map(unsigned int slot, uint64_t pa, uint64_t flags);
/* A zeroed, page-aligned physical page for slot's use (identity-mapped too). */
uint64_t ct_page_phys(unsigned int slot);

#endif
