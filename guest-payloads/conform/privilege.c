/* SPDX-License-Identifier: MIT */
/*
 * Privilege: code run at CPL3 (rt_run_user) under rt_catch, checking that
 * the instructions the SDM reserves for CPL0 (or for CPL <= IOPL) raise
 * #GP(0) there, at the instruction, and that what CPL3 may do it can.
 */
#include "conform.h"

#define VEC_GP 13
#define RFLAGS_IOPL_SHIFT 12
#define RFLAGS_IOPL (3ull << RFLAGS_IOPL_SHIFT)
#define CR4_TSD (1ull << 2)
#define MSR_EFER 0xc0000080
#define ECHO_BYTE 0x5a

/* The instructions under test, labelled in the functions below. */
extern const char ct_hlt_insn[], ct_mov_cr3_insn[], ct_rdmsr_insn[], ct_in_denied_insn[];
extern const char ct_iopl_out_insn[], ct_iopl_in_insn[], ct_iopl_cli_insn[], ct_iopl_sti_insn[];
extern const char ct_cli_insn[], ct_rdtsc_insn[];

static uint64_t rflags_read(void)
{
	uint64_t f;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(f));
	return f;
}

static void rflags_write(uint64_t f)
{
	__asm__ volatile("pushq %0\n\tpopfq" : : "r"(f) : "memory", "cc");
}

/* Set RFLAGS.IOPL at CPL0; rt_run_user's iretq to CPL3 carries the current RFLAGS. */
static void iopl_set(unsigned int iopl)
{
	rflags_write((rflags_read() & ~RFLAGS_IOPL) | ((uint64_t)iopl << RFLAGS_IOPL_SHIFT));
}

static unsigned int iopl_get(void)
{
	return (rflags_read() & RFLAGS_IOPL) >> RFLAGS_IOPL_SHIFT;
}

/*
 * fn at CPL3 must raise #GP(0) at insn: the exception, its error code,
 * that it came from CPL3 and that the saved RIP is the instruction itself.
 */
static void expect_user_gp(struct ct *t, const char *what, rt_fn fn, const char *insn)
{
	struct ct_user_call c = { fn, NULL };
	struct rt_exception ex;

	if (!ct_expect_exception(t, what, ct_call_user, &c, VEC_GP, 0, &ex))
		return;
	CT_EQ(t, "CPL the #GP came from", ex.cpl, 3);
	CT_EQ(t, "#GP saved RIP (the instruction itself)", ex.rip, (uintptr_t)insn);
}

static uint16_t cs_read(void)
{
	uint16_t cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs;
}

static uint16_t user_cs, user_ss;

static uint64_t user_identity(void *arg)
{
	user_cs = cs_read();
	__asm__ volatile("mov %%ss, %0" : "=r"(user_ss));
	return ~(uint64_t)(uintptr_t)arg;
}

void privilege_cpl3_roundtrip(struct ct *t)
{
	const uint64_t arg = 0x0123456789abcdefull;
	struct ct_user_call c = { user_identity, (void *)(uintptr_t)arg };
	struct rt_exception ex;
	uint64_t v;

	user_cs = user_ss = 0xffff;
	v = rt_catch(ct_call_user, &c, &ex);
	if (!ct_check(t, !ex.raised, "CPL3 function: unexpected %s error 0x%lx at 0x%lx CPL %u",
		      rt_exception_name(ex.vector), ex.error_code, ex.rip, ex.cpl))
		return;
	CT_EQ(t, "CS.RPL (CPL) inside the CPL3 function", user_cs & 3, 3);
	CT_EQ(t, "SS.RPL inside the CPL3 function", user_ss & 3, 3);
	CT_EQ(t, "the CPL3 function's result at CPL0", v, ~arg);
	CT_EQ(t, "CS.RPL (CPL) after the return", cs_read() & 3, 0);
}

static uint64_t user_hlt(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl ct_hlt_insn\n"
			 "ct_hlt_insn: hlt");
	return 0;
}

/* Were hlt allowed at CPL3 (interrupts off), the vCPU would sleep: the watchdog reports it. */
void privilege_hlt_gp(struct ct *t)
{
	expect_user_gp(t, "hlt at CPL3", user_hlt, ct_hlt_insn);
}

static uint64_t user_mov_cr3(void *arg)
{
	uint64_t v;

	(void)arg;
	__asm__ volatile(".globl ct_mov_cr3_insn\n"
			 "ct_mov_cr3_insn: mov %%cr3, %0"
			 : "=r"(v));
	return v;
}

void privilege_cr_access_gp(struct ct *t)
{
	expect_user_gp(t, "mov from CR3 at CPL3", user_mov_cr3, ct_mov_cr3_insn);
}

static uint64_t user_rdmsr(void *arg)
{
	uint32_t lo, hi;

	(void)arg;
	__asm__ volatile(".globl ct_rdmsr_insn\n"
			 "ct_rdmsr_insn: rdmsr"
			 : "=a"(lo), "=d"(hi)
			 : "c"(MSR_EFER));
	return ((uint64_t)hi << 32) | lo;
}

void privilege_rdmsr_gp(struct ct *t)
{
	/* EFER exists on every long-mode CPU: only the CPL can make this fault. */
	expect_user_gp(t, "rdmsr of EFER at CPL3", user_rdmsr, ct_rdmsr_insn);
}

static uint64_t user_in_denied(void *arg)
{
	uint8_t v;

	(void)arg;
	__asm__ volatile(".globl ct_in_denied_insn\n"
			 "ct_in_denied_insn: inb %1, %0"
			 : "=a"(v)
			 : "i"(TESTDEV_PORT_DATA));
	return v;
}

void privilege_io_gp(struct ct *t)
{
	iopl_set(0);
	/* The runtime's TSS bitmap opens ports 0x540-0x5ff only. */
	expect_user_gp(t, "inb from port 0xe0 at CPL3, IOPL=0, bitmap denies", user_in_denied,
		       ct_in_denied_insn);
}

static uint64_t user_in_ctl(void *arg)
{
	(void)arg;
	return rt_inl(CONFORM_CTL_ID);
}

void privilege_io_bitmap(struct ct *t)
{
	struct ct_user_call c = { user_in_ctl, NULL };
	struct rt_exception ex;
	uint32_t want, got;

	iopl_set(0);
	/*
	 * Port 0x5c0 (refvmm's control device; under another VMM unassigned,
	 * reading all-ones) is open in the bitmap: CPL3 must read what CPL0 reads.
	 */
	want = rt_inl(CONFORM_CTL_ID);
	got = rt_catch(ct_call_user, &c, &ex);
	if (ct_check(t, !ex.raised,
		     "inl from port 0x5c0 at CPL3, bitmap allows: unexpected %s error 0x%lx at 0x%lx",
		     rt_exception_name(ex.vector), ex.error_code, ex.rip))
		CT_EQ(t, "port 0x5c0 read at CPL3 against the same read at CPL0", got, want);
}

static unsigned int user_iopl;

static uint64_t user_iopl_echo(void *arg)
{
	uint8_t v;

	(void)arg;
	user_iopl = iopl_get();
	__asm__ volatile(".globl ct_iopl_out_insn\n"
			 "ct_iopl_out_insn: outb %b1, %2\n"
			 ".globl ct_iopl_in_insn\n"
			 "ct_iopl_in_insn: inb %2, %0"
			 : "=a"(v)
			 : "a"(ECHO_BYTE), "i"(TESTDEV_PORT_DATA));
	return v;
}

/* sti then cli: sti's interrupt shadow covers the cli, so no interrupt can come in between. */
static uint64_t user_iopl_cli_sti(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl ct_iopl_cli_insn\n"
			 "ct_iopl_cli_insn: cli\n"
			 ".globl ct_iopl_sti_insn\n"
			 "ct_iopl_sti_insn: sti\n\t"
			 "cli"
			 : : : "memory");
	return 0;
}

static const char *iopl_insn_name(uint64_t rip)
{
	if (rip == (uintptr_t)ct_iopl_out_insn)
		return "outb to 0xe0";
	if (rip == (uintptr_t)ct_iopl_in_insn)
		return "inb from 0xe0";
	if (rip == (uintptr_t)ct_iopl_cli_insn)
		return "cli";
	if (rip == (uintptr_t)ct_iopl_sti_insn)
		return "sti";
	return "an unexpected instruction";
}

void privilege_iopl3(struct ct *t)
{
	struct ct_user_call echo = { user_iopl_echo, NULL };
	struct ct_user_call cli_sti = { user_iopl_cli_sti, NULL };
	struct rt_exception ex;
	uint64_t flags = rflags_read();
	uint64_t v;

	iopl_set(3);
	if (!CT_EQ(t, "RFLAGS.IOPL at CPL0 after popf set it to 3", iopl_get(), 3))
		goto out;
	/* Port 0xe0 (the pc-testdev echo) is closed in the TSS bitmap: only IOPL 3 lets CPL3 in. */
	user_iopl = 0xff;
	v = rt_catch(ct_call_user, &echo, &ex);
	if (ct_check(t, !ex.raised,
		     "IOPL=3 (CPL3 read IOPL %u): CPL3 %s raised %s(0x%lx) at 0x%lx: the hypervisor does not honour IOPL for port access (SDM Vol. 1, 19.5.1)",
		     user_iopl, iopl_insn_name(ex.rip), rt_exception_name(ex.vector), ex.error_code,
		     ex.rip))
		CT_EQ(t, "echo byte read back at CPL3 with IOPL=3", v, ECHO_BYTE);
	rt_catch(ct_call_user, &cli_sti, &ex);
	ct_check(t, !ex.raised,
		 "IOPL=3 (CPL3 read IOPL %u): CPL3 %s raised %s(0x%lx) at 0x%lx: the hypervisor does not honour IOPL for cli/sti (SDM Vol. 2A, CLI/STI)",
		 user_iopl, iopl_insn_name(ex.rip), rt_exception_name(ex.vector), ex.error_code,
		 ex.rip);
out:
	/* IOPL back to what it was, interrupts as they were. */
	rflags_write(flags);
}

static uint64_t user_cli(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl ct_cli_insn\n"
			 "ct_cli_insn: cli"
			 : : : "memory");
	return 0;
}

void privilege_cli_gp(struct ct *t)
{
	iopl_set(0);
	expect_user_gp(t, "cli at CPL3, IOPL=0", user_cli, ct_cli_insn);
}

static uint64_t do_rdtsc(void *arg)
{
	uint32_t lo, hi;

	(void)arg;
	__asm__ volatile(".globl ct_rdtsc_insn\n"
			 "ct_rdtsc_insn: rdtsc"
			 : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void privilege_tsd(struct ct *t)
{
	uint64_t cr4 = ct_cr4_read();

	ct_cr4_write(cr4 | CR4_TSD);
	if (CT_EQ(t, "CR4.TSD read back after setting it", ct_cr4_read() & CR4_TSD, CR4_TSD)) {
		expect_user_gp(t, "rdtsc at CPL3 with CR4.TSD=1", do_rdtsc, ct_rdtsc_insn);
		ct_expect_no_exception(t, "rdtsc at CPL0 with CR4.TSD=1", do_rdtsc, NULL);
	}
	ct_cr4_write(cr4);
}
