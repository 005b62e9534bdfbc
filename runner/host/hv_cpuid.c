/* SPDX-License-Identifier: MIT */
/*
 * CPUID's account of the hypervisor underneath (hv_cpuid.h): signatures
 * found by scanning the hypervisor range, and the vendor leaves of KVM
 * (Documentation/virt/kvm/x86/cpuid.rst), Xen (public/arch-x86/cpuid.h)
 * and Hyper-V (the TLFS) decoded into names.  Only documented bits get a
 * name; the raw register is kept beside them for the rest.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "hv_cpuid.h"

#define HV_NR(a)	(sizeof(a) / sizeof((a)[0]))

struct hv_bit {
	unsigned int bit;
	const char *name;
};

/* KVM_CPUID_FEATURES (base + 1) EAX. */
static const struct hv_bit hv_kvm_features[] = {
	{ 0, "clocksource" }, { 1, "nop-io-delay" }, { 2, "mmu-op" }, { 3, "clocksource2" },
	{ 4, "async-pf" }, { 5, "steal-time" }, { 6, "pv-eoi" }, { 7, "pv-unhalt" },
	{ 9, "pv-tlb-flush" }, { 10, "async-pf-vmexit" }, { 11, "pv-send-ipi" },
	{ 12, "poll-control" }, { 13, "pv-sched-yield" }, { 14, "async-pf-int" },
	{ 15, "msi-ext-dest-id" }, { 16, "hc-map-gpa-range" }, { 17, "migration-control" },
	{ 24, "clocksource-stable" },
};

/* KVM_CPUID_FEATURES (base + 1) EDX: hints. */
static const struct hv_bit hv_kvm_hints[] = {
	{ 0, "realtime" },
};

/* Xen's HVM leaf (base + 4) EAX. */
static const struct hv_bit hv_xen_hvm[] = {
	{ 0, "apic-access-virt" }, { 1, "x2apic-virt" }, { 2, "iommu-mappings" },
	{ 3, "vcpu-id-present" }, { 4, "domid-present" }, { 5, "ext-dest-id" },
	{ 6, "upcall-vector" },
};

/* Hyper-V's partition privileges (base + 3) EAX: which synthetic MSRs exist. */
static const struct hv_bit hv_hyperv_privileges[] = {
	{ 0, "vp-runtime" }, { 1, "time-ref-count" }, { 2, "synic" },
	{ 3, "synthetic-timers" }, { 4, "apic-msrs" }, { 5, "hypercall-msrs" },
	{ 6, "vp-index" }, { 7, "reset-msr" }, { 8, "stats-msr" }, { 9, "reference-tsc" },
	{ 10, "guest-idle-msr" }, { 11, "frequency-msrs" }, { 12, "debug-msrs" },
	{ 13, "reenlightenment" },
};

/* Hyper-V's recommendations (base + 4) EAX: what the guest should do by hypercall. */
static const struct hv_bit hv_hyperv_recommendations[] = {
	{ 0, "as-switch-hypercall" }, { 1, "local-tlb-flush-hypercall" },
	{ 2, "remote-tlb-flush-hypercall" }, { 3, "apic-msrs" }, { 4, "reset-msr" },
	{ 5, "relaxed-timing" }, { 9, "deprecating-aeoi" }, { 10, "cluster-ipi" },
	{ 11, "ex-processor-masks" }, { 14, "enlightened-vmcs" },
};

/* Signatures and the hypervisor each names. */
static const struct {
	const char *sig, *name;
} hv_signatures[] = {
	{ "KVMKVMKVM", "KVM" },
	{ "XenVMMXenVMM", "Xen" },
	{ "Microsoft Hv", "Hyper-V" },
	{ "Linux KVM Hv", "Hyper-V" },		/* KVM's Hyper-V emulation */
	{ "VMwareVMware", "VMware" },
	{ "VBoxVBoxVBox", "VirtualBox" },
	{ "bhyve bhyve ", "bhyve" },
	{ "TCGTCGTCGTCG", "TCG" },		/* QEMU without acceleration */
	{ "ACRNACRNACRN", "ACRN" },
	{ "Jailhouse", "Jailhouse" },
	{ " lrpepyh  vr", "Parallels" },
};

#if defined(__x86_64__) || defined(__i386__)
void hv_cpuid_native(uint32_t leaf, struct hv_regs *r, void *arg)
{
	(void)arg;
	__cpuid_count(leaf, 0, r->eax, r->ebx, r->ecx, r->edx);
}
#endif

/* EBX, ECX, EDX as text; trailing NULs (KVMKVMKVM has three) end it. */
static void hv_sig_text(const struct hv_regs *r, char sig[13])
{
	memcpy(sig, &r->ebx, 4);
	memcpy(sig + 4, &r->ecx, 4);
	memcpy(sig + 8, &r->edx, 4);
	sig[12] = '\0';
}

static bool hv_bit_set(hv_cpuid_fn *fn, void *arg)
{
	struct hv_regs r;

	fn(1, &r, arg);
	return r.ecx & (1u << 31);
}

bool hv_cpuid_signature(hv_cpuid_fn *fn, void *arg, char sig[13])
{
	struct hv_regs r;

	sig[0] = '\0';
	if (!hv_bit_set(fn, arg))
		return false;
	fn(HV_CPUID_BASE, &r, arg);
	hv_sig_text(&r, sig);
	return true;
}

const char *hv_cpuid_name(const char *sig)
{
	for (size_t i = 0; i < HV_NR(hv_signatures); i++)
		if (!strcmp(sig, hv_signatures[i].sig))
			return hv_signatures[i].name;
	return NULL;
}

/*
 * Do the registers look like a signature: at least four printable bytes,
 * NULs only at the end, not all spaces?  Hardware without a hypervisor
 * there, or a hypervisor without a second vendor, answers zeros or the
 * registers of another leaf.
 */
static bool hv_sig_plausible(const struct hv_regs *r)
{
	char raw[12];
	size_t len, spaces = 0;

	memcpy(raw, &r->ebx, 4);
	memcpy(raw + 4, &r->ecx, 4);
	memcpy(raw + 8, &r->edx, 4);
	for (len = 0; len < sizeof(raw) && raw[len]; len++) {
		if (!isprint((unsigned char)raw[len]))
			return false;
		spaces += raw[len] == ' ';
	}
	for (size_t i = len; i < sizeof(raw); i++)
		if (raw[i])
			return false;
	return len >= 4 && spaces < len;
}

/*
 * A vendor block at base other than the first counts only with a max leaf
 * inside its own block (or 0, KVM's old "base + 1"), so a hypervisor that
 * answers every leaf with the same registers is not counted twice.
 */
static bool hv_block_valid(uint32_t base, const struct hv_regs *r, const char *sig,
			   const char *first_sig)
{
	if (!hv_sig_plausible(r))
		return false;
	if (base == HV_CPUID_BASE)
		return true;
	if (r->eax == 0)
		return strcmp(sig, first_sig) != 0;
	return r->eax >= base && r->eax < base + HV_CPUID_STEP;
}

static json_t *hv_hex(uint32_t v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%#x", v);
	return json_string(buf);
}

/* The names of the set bits of v. */
static json_t *hv_bits(uint32_t v, const struct hv_bit *bits, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		if (!(v & (1u << bits[i].bit)))
			continue;
		if (json_array_append_new(a, json_string(bits[i].name))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* obj[key] = val; false once anything failed (val NULL: out of memory). */
static bool hv_put(json_t *obj, const char *key, json_t *val)
{
	return val && !json_object_set_new(obj, key, val);
}

static bool hv_kvm_decode(json_t *o, uint32_t base, uint32_t max, hv_cpuid_fn *fn, void *arg)
{
	struct hv_regs r;

	if (max && max < base + 1)
		return true;
	fn(base + 1, &r, arg);
	return hv_put(o, "kvm_features", hv_bits(r.eax, hv_kvm_features, HV_NR(hv_kvm_features))) &&
	       hv_put(o, "kvm_features_raw", hv_hex(r.eax)) &&
	       hv_put(o, "kvm_hints", hv_bits(r.edx, hv_kvm_hints, HV_NR(hv_kvm_hints)));
}

static bool hv_xen_decode(json_t *o, uint32_t base, uint32_t max, hv_cpuid_fn *fn, void *arg)
{
	struct hv_regs r;
	char ver[24];

	if (max < base + 1)
		return true;
	fn(base + 1, &r, arg);
	snprintf(ver, sizeof(ver), "%u.%u", r.eax >> 16, r.eax & 0xffff);
	if (!hv_put(o, "xen_version", json_string(ver)))
		return false;
	if (max < base + 4)
		return true;	/* no HVM leaf: a PV guest, or an old Xen */
	fn(base + 4, &r, arg);
	return hv_put(o, "xen_hvm_features", hv_bits(r.eax, hv_xen_hvm, HV_NR(hv_xen_hvm)));
}

static bool hv_hyperv_decode(json_t *o, uint32_t base, uint32_t max, hv_cpuid_fn *fn,
			     void *arg)
{
	struct hv_regs r;
	char text[32];

	if (max < base + 2)
		return true;
	fn(base + 1, &r, arg);
	memcpy(text, &r.eax, 4);
	text[4] = '\0';
	if (!hv_put(o, "hyperv_interface", json_string(isprint((unsigned char)text[0]) ?
						       text : "")))
		return false;
	fn(base + 2, &r, arg);
	snprintf(text, sizeof(text), "%u.%u.%u", r.ebx >> 16, r.ebx & 0xffff, r.eax);
	if (!hv_put(o, "hyperv_version", json_string(text)))
		return false;
	if (max < base + 3)
		return true;
	fn(base + 3, &r, arg);
	if (!hv_put(o, "hyperv_privileges", hv_bits(r.eax, hv_hyperv_privileges,
						    HV_NR(hv_hyperv_privileges))) ||
	    !hv_put(o, "hyperv_privileges_raw", hv_hex(r.eax)))
		return false;
	if (max < base + 4)
		return true;
	fn(base + 4, &r, arg);
	return hv_put(o, "hyperv_recommendations", hv_bits(r.eax, hv_hyperv_recommendations,
							   HV_NR(hv_hyperv_recommendations)));
}

/* One vendor block: its signature, max leaf and, for the vendors known here, its leaves. */
static json_t *hv_block_json(uint32_t base, const struct hv_regs *r, const char *sig,
			     hv_cpuid_fn *fn, void *arg)
{
	const char *name = hv_cpuid_name(sig);
	json_t *o = json_object();
	bool ok;

	ok = o && hv_put(o, "base", hv_hex(base)) && hv_put(o, "max_leaf", hv_hex(r->eax)) &&
	     hv_put(o, "signature", json_string(sig)) &&
	     hv_put(o, "name", name ? json_string(name) : json_null());
	if (ok && name && !strcmp(name, "KVM"))
		ok = hv_kvm_decode(o, base, r->eax, fn, arg);
	else if (ok && name && !strcmp(name, "Xen"))
		ok = hv_xen_decode(o, base, r->eax, fn, arg);
	else if (ok && !strcmp(sig, "Microsoft Hv"))
		ok = hv_hyperv_decode(o, base, r->eax, fn, arg);
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *hv_cpuid_json(hv_cpuid_fn *fn, void *arg)
{
	json_t *o = json_object(), *leaves = json_array();
	char first[13] = "";
	struct hv_regs r;
	bool bit, ok;

	fn(0, &r, arg);
	bit = hv_bit_set(fn, arg);
	ok = o && leaves && hv_put(o, "hypervisor_bit", json_boolean(bit)) &&
	     hv_put(o, "max_basic_leaf", hv_hex(r.eax));
	/* Without the bit, the range belongs to the CPU: its answers mean nothing. */
	for (uint32_t base = HV_CPUID_BASE; ok && bit && base < HV_CPUID_END;
	     base += HV_CPUID_STEP) {
		char sig[13];

		fn(base, &r, arg);
		hv_sig_text(&r, sig);
		if (!hv_block_valid(base, &r, sig, first))
			continue;
		if (!first[0])
			memcpy(first, sig, sizeof(first));
		ok = !json_array_append_new(leaves, hv_block_json(base, &r, sig, fn, arg));
	}
	if (ok && !json_object_set_new(o, "leaves", leaves))
		return o;
	if (!ok)
		json_decref(leaves);
	json_decref(o);
	return NULL;
}
