/* SPDX-License-Identifier: MIT */
/*
 * Exceptions: each test makes the CPU raise one and compares what the
 * handler saw (vector, error code, saved RIP, CR2, the CPL it came from)
 * with the SDM.  The faulting instructions carry global labels so the
 * saved RIP can be compared with the exact instruction (a fault) or the
 * one after it (a trap).
 */
#include "conform.h"

#define VEC_DE 0
#define VEC_DB 1
#define VEC_BP 3
#define VEC_UD 6
#define VEC_GP 13
#define VEC_PF 14

/* Page-fault error code (SDM Vol. 3A, Figure 4-12). */
#define PF_P (1u << 0)
#define PF_W (1u << 1)
#define PF_U (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_ID (1u << 4)
#define PF_LOW_BITS 0x1ful

#define DR6_BS (1ull << 14)
#define DR6_INIT 0xffff0ff0ull /* DR6 with no debug condition recorded */
#define RFLAGS_TF (1ull << 8)
#define CR0_WP (1ull << 16)
#define MSR_EFER 0xc0000080
#define EFER_NXE (1ull << 11)

#define SCRATCH_MAGIC 0x5343524154434821ull /* what a scratch page holds at offset 0 */
#define WRITE_PATTERN 0x7772697465212121ull /* what the write tests try to store */

/* The faulting instructions, labelled in the functions below. */
extern const char ct_de_insn[], ct_ud_insn[], ct_bp_next[], ct_ss_insn[], ct_ss_next[];
extern const char ct_nc_insn[], ct_sel_insn[], ct_read_insn[], ct_write_insn[], ct_intn_insn[];

static uint64_t div_zero(void *arg)
{
	(void)arg;
	__asm__ volatile("xor %%ecx, %%ecx\n\t"
			 "mov $1, %%eax\n\t"
			 "xor %%edx, %%edx\n\t"
			 ".globl ct_de_insn\n"
			 "ct_de_insn: div %%ecx"
			 : : : "rax", "rcx", "rdx", "cc");
	return 0;
}

void exception_de(struct ct *t)
{
	struct rt_exception ex;

	if (ct_expect_exception(t, "div by zero", div_zero, NULL, VEC_DE, CT_ANY_ERROR, &ex))
		CT_EQ(t, "#DE saved RIP (a fault: the div itself)", ex.rip, (uintptr_t)ct_de_insn);
}

static uint64_t ud2(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl ct_ud_insn\n"
			 "ct_ud_insn: ud2");
	return 0;
}

void exception_ud(struct ct *t)
{
	struct rt_exception ex;

	if (ct_expect_exception(t, "ud2", ud2, NULL, VEC_UD, CT_ANY_ERROR, &ex))
		CT_EQ(t, "#UD saved RIP (a fault: the ud2 itself)", ex.rip, (uintptr_t)ct_ud_insn);
}

static uint64_t int3(void *arg)
{
	(void)arg;
	__asm__ volatile("int3\n"
			 ".globl ct_bp_next\n"
			 "ct_bp_next: nop");
	return 0;
}

void exception_bp(struct ct *t)
{
	struct rt_exception ex;

	if (ct_expect_exception(t, "int3", int3, NULL, VEC_BP, CT_ANY_ERROR, &ex))
		CT_EQ(t, "#BP saved RIP (a trap: the instruction after int3)", ex.rip,
		      (uintptr_t)ct_bp_next);
}

static uint64_t read_dr6(void)
{
	uint64_t v;

	__asm__ volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void write_dr6(uint64_t v)
{
	__asm__ volatile("mov %0, %%dr6" : : "r"(v));
}

/* Incremented by each instruction that runs once TF is set. */
static volatile uint32_t steps;

/*
 * popfq sets TF; the instruction after it runs, then the single-step trap
 * comes (a popf that sets TF is not itself followed by one).  If no #DB
 * comes, the last popfq clears TF so the payload can go on to report it.
 */
static uint64_t single_step(void *arg)
{
	(void)arg;
	__asm__ volatile("pushfq\n\t"
			 "orq %1, (%%rsp)\n\t"
			 "popfq\n"
			 ".globl ct_ss_insn\n"
			 "ct_ss_insn: incl %0\n"
			 ".globl ct_ss_next\n"
			 "ct_ss_next: incl %0\n\t"
			 "pushfq\n\t"
			 "andq %2, (%%rsp)\n\t"
			 "popfq"
			 : "+m"(steps)
			 : "i"(RFLAGS_TF), "i"(~RFLAGS_TF)
			 : "memory", "cc");
	return 0;
}

void exception_db_single_step(struct ct *t)
{
	struct rt_exception ex;
	uint64_t dr6;

	/* DR6 bits are sticky: start from a DR6 with BS clear. */
	write_dr6(DR6_INIT);
	steps = 0;
	/*
	 * rt_catch abandons single_step at the #DB and restores the RFLAGS it
	 * saved before, with TF clear, so nothing else is single-stepped.
	 */
	if (ct_expect_exception(t, "one instruction with TF set", single_step, NULL, VEC_DB,
				CT_ANY_ERROR, &ex)) {
		CT_EQ(t, "#DB saved RIP (a trap after the instruction following popf)", ex.rip,
		      (uintptr_t)ct_ss_next);
		CT_EQ(t, "instructions run with TF set before the #DB", steps, 1);
		dr6 = read_dr6();
		ct_check(t, dr6 & DR6_BS, "DR6.BS (bit 14) after a single-step #DB: expected set, DR6 = 0x%lx",
			 dr6);
	}
	write_dr6(DR6_INIT);
}

static uint64_t load_noncanonical(void *arg)
{
	uint64_t v;

	__asm__ volatile(".globl ct_nc_insn\n"
			 "ct_nc_insn: mov (%1), %0"
			 : "=r"(v)
			 : "r"(arg)
			 : "memory");
	return v;
}

void exception_gp_noncanonical(struct ct *t)
{
	struct rt_exception ex;
	/* Bit 63 set and bits 62:47 clear: non-canonical with 48-bit and with 57-bit addresses. */
	void *addr = (void *)(uintptr_t)0x8000000000000000ull;

	/* Through RAX, not RSP/RBP: those would make it a stack access, #SS. */
	if (ct_expect_exception(t, "load from 0x8000000000000000", load_noncanonical, addr, VEC_GP,
				0, &ex))
		CT_EQ(t, "#GP saved RIP (the load)", ex.rip, (uintptr_t)ct_nc_insn);
}

struct table_desc {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

static uint64_t load_ds(void *arg)
{
	__asm__ volatile(".globl ct_sel_insn\n"
			 "ct_sel_insn: movw %w0, %%ds"
			 : : "r"((uint32_t)(uintptr_t)arg) : "memory");
	return 0;
}

void exception_gp_selector(struct ct *t)
{
	struct table_desc gdtr;
	struct rt_exception ex;
	uint16_t ds;
	uint32_t sel;

	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	/* The first index whose 8-byte descriptor does not fit under the limit. */
	sel = ((uint32_t)gdtr.limit | 7) + 1;
	if (sel > 0xfff8) {
		ct_skip(t, "the GDT limit is 0x%x: every selector is within it", gdtr.limit);
		return;
	}
	/*
	 * RPL 3 in the selector: the error code carries the index and TI, with
	 * EXT and IDT (bits 0-1) in place of the RPL, so it must read sel.
	 */
	if (ct_expect_exception(t, "mov to DS of a selector beyond the GDT limit", load_ds,
				(void *)(uintptr_t)(sel | 3), VEC_GP, sel, &ex))
		CT_EQ(t, "#GP saved RIP (the mov to DS)", ex.rip, (uintptr_t)ct_sel_insn);
	__asm__ volatile("movw %w0, %%ds" : : "r"((uint32_t)ds) : "memory");
}

static uint64_t page_read(void *addr)
{
	uint64_t v;

	__asm__ volatile(".globl ct_read_insn\n"
			 "ct_read_insn: mov (%1), %0"
			 : "=r"(v)
			 : "r"(addr)
			 : "memory");
	return v;
}

static uint64_t page_write(void *addr)
{
	__asm__ volatile(".globl ct_write_insn\n"
			 "ct_write_insn: movq %1, (%0)"
			 : : "r"(addr), "r"(WRITE_PATTERN) : "memory");
	return 0;
}

/*
 * Scratch page slot, holding SCRATCH_MAGIC, mapped present and writable
 * first so a read through it proves the mapping works (a later fault is
 * then due to the flags under test, not to the scratch page table), then
 * mapped with flags.  Returns its address, or NULL if the control failed.
 */
static void *scratch_page(struct ct *t, unsigned int slot, uint64_t flags)
{
	uint64_t pa = ct_page_phys(slot);
	void *va = (void *)(uintptr_t)CT_PAGE_VA(slot);
	struct rt_exception ex;
	uint64_t v;

	*(volatile uint64_t *)(uintptr_t)pa = SCRATCH_MAGIC;
	ct_page_map(slot, pa, PTE_P | PTE_RW);
	v = rt_catch(page_read, va, &ex);
	if (!ct_check(t, !ex.raised,
		      "control: read of the scratch page at 0x%lx mapped P|RW: %s error 0x%lx",
		      (uint64_t)(uintptr_t)va, rt_exception_name(ex.vector), ex.error_code) ||
	    !CT_EQ(t, "control: scratch page read through its mapping", v, SCRATCH_MAGIC))
		return NULL;
	ct_page_map(slot, pa, flags);
	return va;
}

/*
 * fn(arg) must raise #PF for an access to addr by insn, with error code
 * bits 4:0 equal to want.  Higher bits (protection keys, shadow stack,
 * SGX, AMD's RMP) belong to features this payload never enables; any set
 * are shown in the failure text and noted on the console.
 */
static bool expect_pf(struct ct *t, const char *what, rt_fn fn, void *arg, void *addr,
		      uint64_t want, const char *insn, struct rt_exception *ex)
{
	if (!ct_expect_exception(t, what, fn, arg, VEC_PF, CT_ANY_ERROR, ex))
		return false;
	ct_check(t, (ex->error_code & PF_LOW_BITS) == want,
		 "%s: #PF error code bits 4:0 (P W U RSVD I/D): expected 0x%lx, got 0x%lx (full 0x%lx)",
		 what, want, ex->error_code & PF_LOW_BITS, ex->error_code);
	if (ex->error_code & ~PF_LOW_BITS)
		rt_printf("conform: note: %s: #PF error code 0x%lx has bits above 4 set\n", what,
			  ex->error_code);
	CT_EQ(t, "CR2 (the faulting address)", ex->cr2, (uintptr_t)addr);
	CT_EQ(t, "#PF saved RIP (the access)", ex->rip, (uintptr_t)insn);
	return true;
}

void exception_pf_not_present(struct ct *t)
{
	struct rt_exception ex;
	void *va = scratch_page(t, 0, 0);

	if (va)
		expect_pf(t, "CPL0 read of a not-present page", page_read, va, va, 0, ct_read_insn, &ex);
}

void exception_pf_write_not_present(struct ct *t)
{
	struct rt_exception ex;
	void *va = scratch_page(t, 1, 0);

	if (va)
		expect_pf(t, "CPL0 write to a not-present page", page_write, va, va, PF_W,
			  ct_write_insn, &ex);
}

void exception_pf_write_protect(struct ct *t)
{
	struct rt_exception ex;
	uint64_t cr0 = ct_cr0_read();
	void *va = scratch_page(t, 2, PTE_P);

	if (!va)
		return;
	ct_cr0_write(cr0 | CR0_WP);
	expect_pf(t, "CPL0 write to a read-only page, CR0.WP=1", page_write, va, va, PF_P | PF_W,
		  ct_write_insn, &ex);
	ct_cr0_write(cr0);
	CT_EQ(t, "the read-only page after the faulting write",
	      *(volatile uint64_t *)(uintptr_t)ct_page_phys(2), SCRATCH_MAGIC);
}

void exception_pf_user(struct ct *t)
{
	struct rt_exception ex;
	struct ct_user_call c;
	uint64_t v;
	void *va = scratch_page(t, 3, PTE_P | PTE_RW | PTE_US);

	if (!va)
		return;
	/* Control: the same read at CPL3 works while the page is a user page. */
	c = (struct ct_user_call){ page_read, va };
	v = rt_catch(ct_call_user, &c, &ex);
	if (!ct_check(t, !ex.raised, "control: CPL3 read of a user page: %s error 0x%lx at 0x%lx",
		      rt_exception_name(ex.vector), ex.error_code, ex.rip) ||
	    !CT_EQ(t, "control: CPL3 read of a user page", v, SCRATCH_MAGIC))
		return;
	ct_page_map(3, ct_page_phys(3), PTE_P | PTE_RW);
	if (expect_pf(t, "CPL3 read of a supervisor page", ct_call_user, &c, va, PF_P | PF_U,
		      ct_read_insn, &ex))
		CT_EQ(t, "CPL the #PF came from", ex.cpl, 3);
}

void exception_pf_reserved_bit(struct ct *t)
{
	struct rt_exception ex;
	unsigned int maxphy;
	void *va;

	if (rt_cpuid(0x80000000, 0).eax < 0x80000008) {
		ct_skip(t, "no CPUID leaf 0x80000008: MAXPHYADDR unknown");
		return;
	}
	maxphy = rt_cpuid(0x80000008, 0).eax & 0xff;
	if (maxphy >= 52) {
		ct_skip(t, "MAXPHYADDR is %u: no reserved address bit below bit 52", maxphy);
		return;
	}
	va = scratch_page(t, 4, PTE_P | PTE_RW | (1ull << maxphy));
	if (va)
		expect_pf(t, "CPL0 read through a PTE with bit MAXPHYADDR set", page_read, va, va,
			  PF_P | PF_RSVD, ct_read_insn, &ex);
}

static uint64_t call_page(void *va)
{
	return ((rt_fn)(uintptr_t)va)(NULL);
}

void exception_pf_nx_fetch(struct ct *t)
{
	struct rt_exception ex;
	uint64_t efer;
	void *va;

	if (rt_cpuid(0x80000000, 0).eax < 0x80000001 || !(rt_cpuid(0x80000001, 0).edx & (1u << 20))) {
		ct_skip(t, "CPUID.80000001H:EDX.NX[20] is clear: no execute-disable");
		return;
	}
	va = scratch_page(t, 5, PTE_P | PTE_RW);
	if (!va)
		return;
	*(volatile uint8_t *)(uintptr_t)ct_page_phys(5) = 0xc3; /* ret */
	efer = rt_rdmsr(MSR_EFER);
	rt_wrmsr(MSR_EFER, efer | EFER_NXE);
	/* Control: the page runs while it is executable. */
	rt_catch(call_page, va, &ex);
	if (ct_check(t, !ex.raised,
		     "control: call to a ret in an executable page: %s error 0x%lx at 0x%lx",
		     rt_exception_name(ex.vector), ex.error_code, ex.rip)) {
		ct_page_map(5, ct_page_phys(5), PTE_P | PTE_RW | PTE_NX);
		expect_pf(t, "CPL0 call into an NX page", call_page, va, va, PF_P | PF_ID, va, &ex);
	}
	ct_page_map(5, ct_page_phys(5), 0);
	rt_wrmsr(MSR_EFER, efer);
}

#define INT_DPL_VECTOR 0x41

static volatile uint32_t int_dpl_delivered;

static void int_dpl_handler(uint8_t vector)
{
	(void)vector;
	int_dpl_delivered = 1;
}

static uint64_t int_n(void *arg)
{
	(void)arg;
	__asm__ volatile(".globl ct_intn_insn\n"
			 "ct_intn_insn: int %0"
			 : : "i"(INT_DPL_VECTOR) : "memory");
	return 0;
}

void exception_int_dpl(struct ct *t)
{
	struct ct_user_call c = { int_n, NULL };
	struct rt_exception ex;

	/* A present gate with DPL 0: int n from CPL3 fails the gate's DPL check. */
	rt_irq_register(INT_DPL_VECTOR, int_dpl_handler);
	int_dpl_delivered = 0;
	if (ct_expect_exception(t, "int $0x41 at CPL3 through a DPL0 gate", ct_call_user, &c, VEC_GP,
				(INT_DPL_VECTOR << 3) | 2, &ex)) {
		CT_EQ(t, "#GP saved RIP (the int)", ex.rip, (uintptr_t)ct_intn_insn);
		CT_EQ(t, "CPL the #GP came from", ex.cpl, 3);
	}
	CT_EQ(t, "times the DPL0 handler ran for int $0x41 from CPL3", int_dpl_delivered, 0);
	rt_irq_register(INT_DPL_VECTOR, NULL);
}
