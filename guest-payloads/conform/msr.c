/* SPDX-License-Identifier: MIT */
/*
 * Model-specific registers: the architectural ones a hypervisor must
 * emulate (TSC, APIC base, TSC deadline, EFER, PAT), the #GP it owes for
 * anything else, and KVM's paravirtual clock MSRs.
 */
#include "conform.h"

#define MSR_TSC 0x10
#define MSR_APIC_BASE 0x1b
#define MSR_PAT 0x277
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_EFER 0xc0000080
#define MSR_KVM_WALL_CLOCK_NEW 0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01

/*
 * No vendor or hypervisor defines an MSR at 0x3fffffff: Intel's (SDM Vol. 4)
 * lie below 0x2000, AMD's at 0xc0000000 and up, and hypervisors keep to
 * 0x40000000 and up (0x40000000-0x400000ff, which the SDM reserves for
 * them, and KVM's 0x4b564d00-0x4b564dff).
 */
#define MSR_UNIMPLEMENTED 0x3fffffff

#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_EXTD (1ull << 10)
#define APIC_BASE_EN (1ull << 11)
#define APIC_BASE_RESERVED_LOW 0x2ffull /* bits 0-7 and 9 */
#define APIC_DEFAULT_BASE 0xfee00000ul

#define EFER_RESERVED_BIT (1ull << 2) /* bits 1-7 are reserved on Intel and AMD alike */

#define APIC_LVT_TIMER 0x320
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_ONESHOT (0u << 17)
#define LVT_TIMER_TSC_DEADLINE (2u << 17)
#define LVT_TIMER_MODE (3u << 17)
#define LVT_TEST_VECTOR 0x40 /* never delivered: the entry stays masked */

#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_EDX_APIC (1u << 9)

#define KVM_CPUID_FEATURES 0x40000001
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)

#define VEC_GP 13

/* The two accesses an exception test runs under rt_catch. */
struct msr_access {
	uint32_t index;
	uint64_t value;
};

static uint64_t msr_read_fn(void *arg)
{
	return rt_rdmsr(((struct msr_access *)arg)->index);
}

static uint64_t msr_write_fn(void *arg)
{
	struct msr_access *a = arg;

	rt_wrmsr(a->index, a->value);
	return 0;
}

static bool expect_wrmsr_gp(struct ct *t, const char *what, uint32_t index, uint64_t value)
{
	struct msr_access a = { index, value };
	struct rt_exception ex;
	char text[96];

	rt_snprintf(text, sizeof(text), "wrmsr 0x%x <- 0x%lx (%s)", index, value, what);
	return ct_expect_exception(t, text, msr_write_fn, &a, VEC_GP, 0, &ex);
}

static bool have_apic(struct ct *t)
{
	if (rt_cpuid(1, 0).edx & CPUID_1_EDX_APIC)
		return true;
	ct_skip(t, "CPUID.1:EDX.APIC is clear: no local APIC");
	return false;
}

/* MAXPHYADDR (CPUID 0x80000008 EAX[7:0]; 36 when the leaf is missing, SDM Vol. 3A 4.1.4). */
static unsigned int phys_bits(void)
{
	if (rt_cpuid(0x80000000, 0).eax < 0x80000008)
		return 36;
	return rt_cpuid(0x80000008, 0).eax & 0xff;
}

#define TSC_SAMPLES 1000

void msr_tsc_monotonic(struct ct *t)
{
	uint64_t prev = 0, before, msr, after;
	uint64_t back_prev = 0, back_got = 0, bad_msr = 0, bad_lo = 0, bad_hi = 0;
	unsigned int back = 0, disagree = 0, back_at = 0, bad_at = 0;

	/*
	 * The fences of rt_rdtsc_begin keep the rdmsr between the two rdtsc
	 * reads, so its value must lie between theirs.
	 */
	for (unsigned int i = 0; i < TSC_SAMPLES; i++) {
		before = rt_rdtsc_begin();
		msr = rt_rdmsr(MSR_TSC);
		after = rt_rdtsc_begin();
		if (before < prev && !back++) {
			back_at = i;
			back_prev = prev;
			back_got = before;
		}
		if ((msr < before || msr > after) && !disagree++) {
			bad_at = i;
			bad_msr = msr;
			bad_lo = before;
			bad_hi = after;
		}
		prev = after;
	}
	ct_check(t, !back,
		 "rdtsc went backwards %u times in %u samples; first at sample %u: 0x%lx after 0x%lx",
		 back, TSC_SAMPLES, back_at, back_got, back_prev);
	ct_check(t, !disagree,
		 "rdmsr(IA32_TIME_STAMP_COUNTER) outside the rdtsc reads around it %u times in %u samples; "
		 "first at sample %u: 0x%lx not in [0x%lx, 0x%lx]",
		 disagree, TSC_SAMPLES, bad_at, bad_msr, bad_lo, bad_hi);
}

/*
 * 2^36 cycles (tens of seconds): far enough from the TSC's natural value
 * that the write cannot be mistaken for it, and beyond the one second
 * within which KVM takes a TSC write for an attempt to synchronise vCPUs
 * and keeps the TSC where it was.
 */
#define TSC_JUMP (1ull << 36)
#define TSC_WRITE_SLACK_US 10000

void msr_tsc_write(struct ct *t)
{
	uint64_t slack = ct_us_to_cycles(TSC_WRITE_SLACK_US);
	uint64_t before, target, got, msr, restore;

	before = rt_rdtsc_begin();
	target = before + TSC_JUMP;
	rt_wrmsr(MSR_TSC, target);
	got = rt_rdtsc_begin();
	msr = rt_rdmsr(MSR_TSC);
	ct_check(t, got >= target && got - target < slack,
		 "wrote IA32_TIME_STAMP_COUNTER 0x%lx (was 0x%lx), rdtsc then read 0x%lx: expected "
		 "0x%lx..0x%lx (within %u ms)",
		 target, before, got, target, target + slack, TSC_WRITE_SLACK_US / 1000);
	ct_check(t, msr >= target && msr - target < slack,
		 "wrote IA32_TIME_STAMP_COUNTER 0x%lx (was 0x%lx), rdmsr then read 0x%lx: expected "
		 "0x%lx..0x%lx (within %u ms)",
		 target, before, msr, target, target + slack, TSC_WRITE_SLACK_US / 1000);
	if (got < target)
		return; /* the TSC did not move: nothing to undo */
	/*
	 * Put the TSC back where it would be had it not been written: the old
	 * value plus the time since (overstated by the slack at most).  This
	 * is a backwards write, which must take just the same.
	 */
	restore = before + (rt_rdtsc_begin() - target);
	rt_wrmsr(MSR_TSC, restore);
	got = rt_rdtsc_begin();
	ct_check(t, got >= restore && got - restore < slack,
		 "wrote IA32_TIME_STAMP_COUNTER back to 0x%lx, rdtsc then read 0x%lx: expected "
		 "0x%lx..0x%lx (within %u ms)",
		 restore, got, restore, restore + slack, TSC_WRITE_SLACK_US / 1000);
}

void msr_apic_base(struct ct *t)
{
	unsigned int maxphys = phys_bits();
	uint64_t v, addr_mask, reserved;

	if (!have_apic(t))
		return;
	v = rt_rdmsr(MSR_APIC_BASE);
	addr_mask = ((1ull << maxphys) - 1) & ~0xfffull;
	reserved = APIC_BASE_RESERVED_LOW | ~((1ull << maxphys) - 1);
	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC))
		reserved |= APIC_BASE_EXTD;
	ct_check(t, v & APIC_BASE_BSP, "IA32_APIC_BASE 0x%lx: BSP (bit 8) is clear on the boot CPU", v);
	ct_check(t, v & APIC_BASE_EN, "IA32_APIC_BASE 0x%lx: global enable (bit 11) is clear", v);
	ct_check(t, (v & addr_mask) == APIC_DEFAULT_BASE,
		 "IA32_APIC_BASE 0x%lx: base expected 0x%lx, got 0x%lx", v, APIC_DEFAULT_BASE, v & addr_mask);
	ct_check(t, !(v & reserved), "IA32_APIC_BASE 0x%lx sets reserved bits 0x%lx (MAXPHYADDR %u)", v,
		 v & reserved, maxphys);
}

void msr_apic_base_reserved(struct ct *t)
{
	unsigned int maxphys = phys_bits();
	uint64_t old, now;

	if (!have_apic(t))
		return;
	old = rt_rdmsr(MSR_APIC_BASE);
	expect_wrmsr_gp(t, "reserved bit 9", MSR_APIC_BASE, old | (1ull << 9));
	expect_wrmsr_gp(t, "the first bit above MAXPHYADDR", MSR_APIC_BASE, old | (1ull << maxphys));
	now = rt_rdmsr(MSR_APIC_BASE);
	CT_EQ(t, "IA32_APIC_BASE after the refused writes", now, old);
	if (now != old)
		rt_wrmsr(MSR_APIC_BASE, old);
}

void msr_tsc_deadline(struct ct *t)
{
	uint32_t lvt;
	uint64_t deadline;

	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_TSC_DEADLINE)) {
		ct_skip(t, "CPUID.1:ECX.TSC_DEADLINE (bit 24) is clear");
		return;
	}
	if (!have_apic(t))
		return;
	rt_apic_enable();
	lvt = rt_apic_read(APIC_LVT_TIMER);
	rt_apic_write(APIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_TSC_DEADLINE | LVT_TEST_VECTOR);
	/* SDM 11.5.4.1: in xAPIC mode, order the LVT's MMIO write before the deadline's wrmsr. */
	__asm__ volatile("mfence" : : : "memory");
	if (!CT_EQ(t, "LVT timer mode (bits 18:17) after selecting TSC-deadline",
		   rt_apic_read(APIC_LVT_TIMER) & LVT_TIMER_MODE, LVT_TIMER_TSC_DEADLINE))
		goto out;

	/* An hour ahead: it cannot expire (and clear itself) during the test. */
	deadline = rt_rdtsc_begin() + ct_us_to_cycles(3600ull * 1000000);
	rt_wrmsr(MSR_TSC_DEADLINE, deadline);
	CT_EQ(t, "IA32_TSC_DEADLINE after arming", rt_rdmsr(MSR_TSC_DEADLINE), deadline);
	rt_wrmsr(MSR_TSC_DEADLINE, 0);
	CT_EQ(t, "IA32_TSC_DEADLINE after writing 0 (disarmed)", rt_rdmsr(MSR_TSC_DEADLINE), 0);

	/* "A write to the LVT Timer Register that changes the timer mode disarms the timer." */
	rt_wrmsr(MSR_TSC_DEADLINE, deadline);
	rt_apic_write(APIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | LVT_TEST_VECTOR);
	rt_apic_write(APIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_TSC_DEADLINE | LVT_TEST_VECTOR);
	__asm__ volatile("mfence" : : : "memory");
	CT_EQ(t, "IA32_TSC_DEADLINE after leaving TSC-deadline mode and coming back (disarmed)",
	      rt_rdmsr(MSR_TSC_DEADLINE), 0);
	rt_wrmsr(MSR_TSC_DEADLINE, 0);
out:
	rt_apic_write(APIC_LVT_TIMER, lvt);
}

void msr_unknown_gp(struct ct *t)
{
	struct msr_access a = { MSR_UNIMPLEMENTED, 0 };
	struct rt_exception ex;

	ct_expect_exception(t, "rdmsr 0x3fffffff (unimplemented)", msr_read_fn, &a, VEC_GP, 0, &ex);
	ct_expect_exception(t, "wrmsr 0x3fffffff <- 0 (unimplemented)", msr_write_fn, &a, VEC_GP, 0, &ex);
}

void msr_efer_reserved(struct ct *t)
{
	uint64_t old = rt_rdmsr(MSR_EFER), now;

	expect_wrmsr_gp(t, "reserved bit 2", MSR_EFER, old | EFER_RESERVED_BIT);
	expect_wrmsr_gp(t, "reserved bit 63", MSR_EFER, old | (1ull << 63));
	now = rt_rdmsr(MSR_EFER);
	CT_EQ(t, "IA32_EFER after the refused writes", now, old);
	if (now != old)
		rt_wrmsr(MSR_EFER, old);
}

/* IA32_PAT memory types (SDM Vol. 3A, Table 12-10); 2 and 3 are reserved. */
#define PAT_UC 0x0ull
#define PAT_WC 0x1ull
#define PAT_WB 0x6ull
/*
 * Entry 7 (PAT, PCD and PWT all set) is the one the test changes: no page
 * of the runtime's identity map selects it (its 2 MiB pages leave the PAT
 * bit clear), so no mapping the payload runs on changes type.
 */
#define PAT_ENTRY7_SHIFT 56
#define PAT_ENTRY7(pat, type) \
	(((pat) & ~(0xffull << PAT_ENTRY7_SHIFT)) | ((type) << PAT_ENTRY7_SHIFT))

void msr_pat(struct ct *t)
{
	struct msr_access a = { MSR_PAT, 0 };
	uint64_t old = rt_rdmsr(MSR_PAT), valid;

	valid = PAT_ENTRY7(old, (old >> PAT_ENTRY7_SHIFT) == PAT_WC ? PAT_UC : PAT_WC);
	a.value = valid;
	if (ct_expect_no_exception(t, "wrmsr IA32_PAT with entry 7 changed to another valid type",
				   msr_write_fn, &a))
		CT_EQ(t, "IA32_PAT read back", rt_rdmsr(MSR_PAT), valid);
	valid = rt_rdmsr(MSR_PAT);
	expect_wrmsr_gp(t, "entry 7 = 2, a reserved type", MSR_PAT, PAT_ENTRY7(valid, 0x2ull));
	expect_wrmsr_gp(t, "entry 7 = 3, a reserved type", MSR_PAT, PAT_ENTRY7(valid, 0x3ull));
	expect_wrmsr_gp(t, "entry 7 = WB with reserved bit 3", MSR_PAT,
			PAT_ENTRY7(valid, 0x8ull | PAT_WB));
	CT_EQ(t, "IA32_PAT after the refused writes", rt_rdmsr(MSR_PAT), valid);
	rt_wrmsr(MSR_PAT, old);
}

/* kvmclock (KVM msr.rst): the KVM ABI, and CLOCKSOURCE2 offered in KVM_CPUID_FEATURES. */
static bool kvmclock_offered(struct ct *t)
{
	if (!ct_is_kvm()) {
		ct_skip(t, "the hypervisor signature is not KVMKVMKVM: no kvmclock MSRs");
		return false;
	}
	if (!(rt_cpuid(KVM_CPUID_FEATURES, 0).eax & KVM_FEATURE_CLOCKSOURCE2)) {
		ct_skip(t, "KVM_CPUID_FEATURES does not offer KVM_FEATURE_CLOCKSOURCE2");
		return false;
	}
	return true;
}

struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __attribute__((packed));

static struct pvclock_wall_clock wall __attribute__((aligned(16)));

#define EPOCH_2020 1577836800ul
#define EPOCH_2100 4102444800ul

void msr_kvmclock_wall(struct ct *t)
{
	volatile struct pvclock_wall_clock *w = &wall;
	uint32_t version, sec, nsec;

	if (!kvmclock_offered(t))
		return;
	memset(&wall, 0, sizeof(wall));
	/* The write fills the structure before it returns (msr.rst). */
	rt_wrmsr(MSR_KVM_WALL_CLOCK_NEW, (uintptr_t)&wall);
	version = w->version;
	sec = w->sec;
	nsec = w->nsec;
	ct_check(t, !(version & 1), "wall clock version %u is odd (an update in progress)", version);
	ct_check(t, sec > EPOCH_2020 && sec < EPOCH_2100,
		 "wall clock at boot: %u s since 1970, expected between 2020 and 2100 (%lu..%lu)", sec,
		 EPOCH_2020, EPOCH_2100);
	ct_check(t, nsec < 1000000000u, "wall clock nsec %u is not below 10^9", nsec);
}

/* struct pvclock_vcpu_time_info, msr.rst (MSR_KVM_SYSTEM_TIME_NEW). */
struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

/* Page-aligned: the structure may not cross a page boundary. */
static struct pvclock_vcpu_time_info pvti __attribute__((aligned(4096)));

struct pvclock_sample {
	uint32_t version, mul;
	int8_t shift;
	uint64_t tsc; /* the TSC read */
	uint64_t ns;  /* kvmclock system time at that TSC */
};

/* msr.rst: ns = ((tsc delta) shifted by tsc_shift) * tsc_to_system_mul >> 32. */
static uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/*
 * Read the system time the way msr.rst says: retry while the version is odd
 * (an update in progress) or changed across the read.  x86 keeps loads in
 * order, so only the compiler needs a barrier; the lfence in
 * rt_rdtsc_begin keeps the rdtsc after the loads before it.
 */
static bool pvclock_read(struct pvclock_sample *s)
{
	volatile struct pvclock_vcpu_time_info *p = &pvti;

	for (int tries = 0; tries < 100; tries++) {
		uint32_t version = p->version;
		uint64_t tsc_timestamp, system_time;

		__asm__ volatile("" : : : "memory");
		tsc_timestamp = p->tsc_timestamp;
		system_time = p->system_time;
		s->mul = p->tsc_to_system_mul;
		s->shift = p->tsc_shift;
		s->tsc = rt_rdtsc_begin();
		__asm__ volatile("" : : : "memory");
		if ((version & 1) || version != p->version)
			continue;
		s->version = version;
		s->ns = system_time + pvclock_scale(s->tsc - tsc_timestamp, s->mul, s->shift);
		return true;
	}
	return false;
}

#define PPM_TOLERANCE 1000 /* 0.1% */
#define ADVANCE_WAIT_US 10000
/* Slack for an update between the two reads (it re-anchors system_time to the host clock). */
#define ADVANCE_SLACK_NS 10000

static uint64_t absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

void msr_kvmclock_system_time(struct ct *t)
{
	struct msr_access a = { MSR_KVM_SYSTEM_TIME_NEW, 0 };
	struct pvclock_sample s1, s2;
	uint64_t khz = ct_tsc_khz(), ns, want, got;

	if (!kvmclock_offered(t))
		return;
	if (!khz) {
		ct_skip(t, "no tsc_khz= on the command line: nothing to compare kvmclock's rate with");
		return;
	}
	memset(&pvti, 0, sizeof(pvti));
	a.value = (uintptr_t)&pvti | 1; /* bit 0: enable */
	if (!ct_expect_no_exception(t, "wrmsr MSR_KVM_SYSTEM_TIME_NEW (enable)", msr_write_fn, &a))
		return;
	if (!ct_check(t, pvclock_read(&s1), "pvclock version odd or changing in 100 reads (0x%x)",
		      pvti.version))
		goto out;
	if (!ct_check(t, s1.version && s1.mul,
		      "the time structure was not filled in after enabling (version %u, mul 0x%x)",
		      s1.version, s1.mul))
		goto out;

	/* One second of TSC at the stated rate must scale to 10^9 ns. */
	ns = pvclock_scale(khz * 1000, s1.mul, s1.shift);
	ct_check(t, absdiff(ns, 1000000000) <= 1000000000 / 1000000 * PPM_TOLERANCE,
		 "mul 0x%x shift %d: %lu TSC cycles (1 s at tsc_khz=%lu) scale to %lu ns, implying "
		 "%lu kHz: off by more than %u ppm",
		 s1.mul, s1.shift, khz * 1000, khz, ns, khz * 1000000000 / (ns ? ns : 1), PPM_TOLERANCE);

	/* The clock advances at that rate: two reads ~10 ms apart by the TSC. */
	while (rt_rdtsc_begin() - s1.tsc < ct_us_to_cycles(ADVANCE_WAIT_US))
		__asm__ volatile("pause");
	if (!ct_check(t, pvclock_read(&s2), "pvclock version odd or changing in 100 reads (0x%x)",
		      pvti.version))
		goto out;
	want = (s2.tsc - s1.tsc) * 1000000 / khz;
	got = s2.ns - s1.ns;
	ct_check(t, s2.ns > s1.ns &&
			    absdiff(got, want) <= want * PPM_TOLERANCE / 1000000 + ADVANCE_SLACK_NS,
		 "system time advanced %lu ns (from %lu to %lu) over %lu TSC cycles, expected %lu ns "
		 "within %u ppm + %u ns",
		 got, s1.ns, s2.ns, s2.tsc - s1.tsc, want, PPM_TOLERANCE, ADVANCE_SLACK_NS);
out:
	rt_wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
}
