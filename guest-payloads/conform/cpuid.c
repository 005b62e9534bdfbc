/* SPDX-License-Identifier: MIT */
/*
 * CPUID: what the hypervisor tells the guest about the CPU and about
 * itself.  Every test runs at CPL0, where a KVM guest's cpuid is answered
 * by KVM (under PVM a CPL3 cpuid reaches the hypervisor underneath instead).
 */
#include "conform.h"

#define CPUID_1_ECX_XSAVE (1u << 26)
#define CPUID_1_ECX_OSXSAVE (1u << 27)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_1_EDX_APIC (1u << 9)

#define CR4_OSXSAVE (1ull << 18)

#define KVM_SIG_EBX 0x4b4d564b /* "KVMK" */
#define KVM_SIG_ECX 0x564b4d56 /* "VMKV" */
#define KVM_SIG_EDX 0x0000004d /* "M\0\0\0" */
#define KVM_CPUID_FEATURES 0x40000001
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
/*
 * The KVM_CPUID_FEATURES EAX bits cpuid.rst defines: 0-7, 9-17 and 24
 * (CLOCKSOURCE_STABLE_BIT).  Bit 8 and 18-23, 25-31 have no meaning.
 */
#define KVM_FEATURES_DEFINED 0x0103feffu

/* The legacy region and the XSAVE header: the smallest XSAVE area there is. */
#define XSAVE_LEGACY_AND_HEADER 576
#define XCR0_X87 (1ull << 0)
#define XCR0_SSE (1ull << 1)

static uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

static bool printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

void cpuid_hypervisor_bit(struct ct *t)
{
	ct_check(t, rt_cpuid(1, 0).ecx & CPUID_1_ECX_HYPERVISOR,
		 "CPUID.1:ECX[31] (hypervisor present) is clear");
}

void cpuid_kvm_signature(struct ct *t)
{
	struct rt_cpuid r = rt_cpuid(0x40000000, 0);
	struct rt_hypervisor hv;

	rt_hypervisor_detect(&hv);
	ct_check(t, r.ebx == KVM_SIG_EBX && r.ecx == KVM_SIG_ECX && r.edx == KVM_SIG_EDX,
		 "expected \"KVMKVMKVM\\0\\0\\0\" (ebx 0x%x ecx 0x%x edx 0x%x), got \"%s\" "
		 "(ebx 0x%x ecx 0x%x edx 0x%x), hypervisor bit %s",
		 KVM_SIG_EBX, KVM_SIG_ECX, KVM_SIG_EDX, hv.signature, r.ebx, r.ecx, r.edx,
		 hv.present ? "set" : "clear");
}

/* EAX of KVM_CPUID_SIGNATURE; cpuid.rst: "old hosts set eax to 0x0", read as 0x40000001. */
static uint32_t kvm_max_leaf(void)
{
	uint32_t eax = rt_cpuid(0x40000000, 0).eax;

	return eax ? eax : KVM_CPUID_FEATURES;
}

void cpuid_hv_max_leaf(struct ct *t)
{
	uint32_t max;

	if (!ct_is_kvm()) {
		ct_skip(t, "the hypervisor signature is not KVMKVMKVM: the KVM CPUID ABI does not apply");
		return;
	}
	max = kvm_max_leaf();
	ct_check(t, max >= KVM_CPUID_FEATURES && max < 0x40000100,
		 "CPUID 0x40000000 EAX: expected 0x40000001..0x400000ff (or 0 on old hosts), got 0x%x",
		 rt_cpuid(0x40000000, 0).eax);
}

void cpuid_kvm_features(struct ct *t)
{
	uint32_t eax;

	if (!ct_is_kvm()) {
		ct_skip(t, "the hypervisor signature is not KVMKVMKVM: the KVM CPUID ABI does not apply");
		return;
	}
	if (!ct_check(t, kvm_max_leaf() >= KVM_CPUID_FEATURES,
		      "CPUID 0x40000000 EAX 0x%x does not cover KVM_CPUID_FEATURES",
		      rt_cpuid(0x40000000, 0).eax))
		return;
	eax = rt_cpuid(KVM_CPUID_FEATURES, 0).eax;
	ct_check(t, eax & KVM_FEATURE_CLOCKSOURCE2,
		 "KVM_CPUID_FEATURES EAX 0x%x: KVM_FEATURE_CLOCKSOURCE2 (bit 3) is clear", eax);
	ct_check(t, !(eax & ~KVM_FEATURES_DEFINED),
		 "KVM_CPUID_FEATURES EAX 0x%x sets bits 0x%x that cpuid.rst does not define", eax,
		 eax & ~KVM_FEATURES_DEFINED);
}

void cpuid_max_basic_leaf(struct ct *t)
{
	struct rt_cpuid r = rt_cpuid(0, 0);
	char vendor[13];

	/* 0xd (XSAVE state): reached by every x86-64 CPU model since Nehalem and Bulldozer. */
	ct_check(t, r.eax >= 0xd && r.eax <= 0xff,
		 "CPUID 0 EAX (max basic leaf): expected 0xd..0xff, got 0x%x", r.eax);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = 0;
	for (int i = 0; i < 12; i++) {
		if (!ct_check(t, printable(vendor[i]),
			      "vendor string byte %d is 0x%x, not printable ASCII (ebx 0x%x edx 0x%x ecx 0x%x)",
			      i, (uint8_t)vendor[i], r.ebx, r.edx, r.ecx))
			return;
	}
}

void cpuid_max_ext_leaf(struct ct *t)
{
	uint32_t eax = rt_cpuid(0x80000000, 0).eax;

	/* 0x80000008 (address sizes) is needed by any 64-bit OS; the range ends at 0x800000ff. */
	ct_check(t, eax >= 0x80000008 && eax <= 0x800000ff,
		 "CPUID 0x80000000 EAX: expected 0x80000008..0x800000ff, got 0x%x", eax);
}

void cpuid_brand_string(struct ct *t)
{
	char brand[48];
	size_t len;

	if (rt_cpuid(0x80000000, 0).eax < 0x80000004) {
		ct_skip(t, "max extended leaf 0x%x: no brand string leaves",
			rt_cpuid(0x80000000, 0).eax);
		return;
	}
	for (uint32_t i = 0; i < 3; i++) {
		struct rt_cpuid r = rt_cpuid(0x80000002 + i, 0);

		memcpy(brand + 16 * i, &r, 16);
	}
	for (len = 0; len < sizeof(brand) && brand[len]; len++)
		if (!ct_check(t, printable(brand[len]),
			      "brand string byte %lu is 0x%x, not printable ASCII", len, (uint8_t)brand[len]))
			return;
	if (!ct_check(t, len < sizeof(brand), "the 48-byte brand string has no NUL terminator"))
		return;
	ct_check(t, len > 0, "the brand string is empty (leaves 0x80000002-0x80000004 are zero)");
}

void cpuid_long_mode(struct ct *t)
{
	uint32_t edx;

	if (!ct_check(t, rt_cpuid(0x80000000, 0).eax >= 0x80000001,
		      "max extended leaf 0x%x: leaf 0x80000001 is missing", rt_cpuid(0x80000000, 0).eax))
		return;
	edx = rt_cpuid(0x80000001, 0).edx;
	ct_check(t, edx & (1u << 29), "CPUID 0x80000001 EDX 0x%x: LM (bit 29) is clear", edx);
	ct_check(t, edx & (1u << 20), "CPUID 0x80000001 EDX 0x%x: NX (bit 20) is clear", edx);
	/* Intel reports SYSCALL only in 64-bit mode, which is where this runs. */
	ct_check(t, edx & (1u << 11), "CPUID 0x80000001 EDX 0x%x: SYSCALL (bit 11) is clear", edx);
}

/*
 * The size of a standard-format (non-compacted) XSAVE area holding the
 * user state components in mask: the legacy region and header, extended to
 * the end of the furthest component (leaf 0xd sub-leaf i: EAX size, EBX
 * offset).  This is what leaf 0xd sub-leaf 0 EBX (for XCR0) and ECX (for
 * every supported component) must report.
 */
static uint32_t xsave_size(uint64_t mask)
{
	uint32_t size = XSAVE_LEGACY_AND_HEADER;

	for (uint32_t i = 2; i < 63; i++) {
		struct rt_cpuid r;

		if (!(mask & (1ull << i)))
			continue;
		r = rt_cpuid(0xd, i);
		if (r.ebx + r.eax > size)
			size = r.ebx + r.eax;
	}
	return size;
}

static uint64_t xgetbv0_store(void *xcr0)
{
	*(uint64_t *)xcr0 = xgetbv(0);
	return 0;
}

/* Under rt_catch, so a #UD is a failed check rather than the end of the run. */
static uint64_t xgetbv0_at_cpl3(void *xcr0)
{
	return rt_run_user(xgetbv0_store, xcr0);
}

void cpuid_xsave_xcr0(struct ct *t)
{
	struct rt_cpuid r;
	uint64_t cr4, supported, xcr0 = 0;
	bool read;

	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
		ct_skip(t, "CPUID.1:ECX.XSAVE is clear");
		return;
	}
	r = rt_cpuid(0xd, 0);
	supported = ((uint64_t)r.edx << 32) | r.eax;
	/*
	 * xgetbv raises #UD unless CR4.OSXSAVE is set.  It is legal at any
	 * CPL and is run at CPL3: at CPL0 a PVM guest's instructions are
	 * emulated, and KVM's emulator fails on xgetbv (KVM internal error),
	 * as it does on xsetbv, which this test never uses.
	 */
	cr4 = ct_cr4_read();
	ct_cr4_write(cr4 | CR4_OSXSAVE);
	read = ct_expect_no_exception(t, "xgetbv(0) at CPL3 with CR4.OSXSAVE set", xgetbv0_at_cpl3,
				      &xcr0);
	ct_cr4_write(cr4);
	if (!read)
		return;

	ct_check(t, (supported & (XCR0_X87 | XCR0_SSE)) == (XCR0_X87 | XCR0_SSE),
		 "leaf 0xd supported XCR0 mask 0x%lx lacks x87 or SSE state", supported);
	ct_check(t, xcr0 & XCR0_X87, "XCR0 0x%lx: bit 0 (x87) is clear, which xsetbv never allows", xcr0);
	ct_check(t, !(xcr0 & ~supported), "XCR0 0x%lx enables bits 0x%lx outside leaf 0xd's mask 0x%lx",
		 xcr0, xcr0 & ~supported, supported);
	ct_check(t, r.ebx == xsave_size(xcr0),
		 "leaf 0xd EBX (XSAVE size for XCR0 0x%lx, read at CPL3): expected %u from the "
		 "components' offsets, got %u",
		 xcr0, xsave_size(xcr0), r.ebx);
	ct_check(t, r.ecx == xsave_size(supported),
		 "leaf 0xd ECX (XSAVE size for all of 0x%lx): expected %u from the components' "
		 "offsets, got %u",
		 supported, xsave_size(supported), r.ecx);
}

void cpuid_osxsave_mirror(struct ct *t)
{
	uint64_t cr4;

	if (!(rt_cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE)) {
		ct_skip(t, "CPUID.1:ECX.XSAVE is clear: CR4.OSXSAVE cannot be set");
		return;
	}
	cr4 = ct_cr4_read();
	ct_cr4_write(cr4 | CR4_OSXSAVE);
	ct_check(t, rt_cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE,
		 "CR4.OSXSAVE set, CPUID.1:ECX.OSXSAVE (bit 27) reads 0");
	ct_cr4_write(cr4 & ~CR4_OSXSAVE);
	ct_check(t, !(rt_cpuid(1, 0).ecx & CPUID_1_ECX_OSXSAVE),
		 "CR4.OSXSAVE clear, CPUID.1:ECX.OSXSAVE (bit 27) reads 1");
	ct_cr4_write(cr4);
}

void cpuid_apic_id(struct ct *t)
{
	uint32_t initial = rt_cpuid(1, 0).ebx >> 24, id;

	if (!(rt_cpuid(1, 0).edx & CPUID_1_EDX_APIC)) {
		ct_skip(t, "CPUID.1:EDX.APIC is clear: no local APIC");
		return;
	}
	rt_apic_enable();
	id = rt_apic_id();
	/* The leaf has 8 bits: an x2APIC ID above 255 shows its low byte there. */
	ct_check(t, initial == (id & 0xff),
		 "CPUID.1:EBX[31:24] initial APIC ID 0x%x, local APIC ID register (%s) 0x%x", initial,
		 rt_apic_is_x2apic() ? "x2APIC" : "xAPIC", id);
}

void cpuid_topology_leaf(struct ct *t)
{
	struct rt_cpuid r;
	uint32_t x2apic_id, id;

	if (rt_cpuid(0, 0).eax < 0xb) {
		ct_skip(t, "max basic leaf 0x%x: no leaf 0xb", rt_cpuid(0, 0).eax);
		return;
	}
	r = rt_cpuid(0xb, 0);
	if (!r.ebx) {
		ct_skip(t, "CPUID 0xb sub-leaf 0 EBX is 0: leaf 0xb is not supported (SDM)");
		return;
	}
	if (!(rt_cpuid(1, 0).edx & CPUID_1_EDX_APIC)) {
		ct_skip(t, "CPUID.1:EDX.APIC is clear: no local APIC to compare with");
		return;
	}
	x2apic_id = r.edx;
	rt_apic_enable();
	id = rt_apic_id();
	ct_check(t, x2apic_id == id, "CPUID 0xb EDX (x2APIC ID) 0x%x, local APIC ID register (%s) 0x%x",
		 x2apic_id, rt_apic_is_x2apic() ? "x2APIC" : "xAPIC", id);
	/*
	 * Each sub-leaf echoes its number in ECX[7:0] and reports the same
	 * x2APIC ID in EDX, up to and including the first invalid level
	 * (level type ECX[15:8] = 0).
	 */
	for (uint32_t n = 0; n < 8; n++) {
		r = rt_cpuid(0xb, n);
		ct_check(t, (r.ecx & 0xff) == n, "CPUID 0xb sub-leaf %u ECX[7:0]: expected %u, got %u", n,
			 n, r.ecx & 0xff);
		ct_check(t, r.edx == x2apic_id, "CPUID 0xb sub-leaf %u EDX: expected x2APIC ID 0x%x, got 0x%x",
			 n, x2apic_id, r.edx);
		if (!((r.ecx >> 8) & 0xff))
			break;
	}
}
