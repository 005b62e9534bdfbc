/* SPDX-License-Identifier: MIT */
/*
 * What CPUID says about the hypervisor underneath: the hypervisor bit
 * (leaf 1 ECX[31]), every vendor signature from 0x40000000 to 0x4000ff00
 * in 0x100 steps (a second one is Xen behind its Hyper-V "viridian"
 * leaves, KVM behind its Hyper-V emulation, or a nested hypervisor), and
 * the vendor leaves of KVM, Xen and Hyper-V decoded by name.  The
 * instruction sits behind a function pointer so that the decoding is
 * tested on tables of real machines' values.
 */
#ifndef HV_CPUID_H
#define HV_CPUID_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define HV_CPUID_BASE	0x40000000u	/* the first hypervisor leaf */
#define HV_CPUID_STEP	0x100u		/* where a further vendor's leaves may start */
#define HV_CPUID_END	0x40010000u	/* the scan stops before this leaf */

struct hv_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* CPUID leaf (subleaf 0) into r.  arg is the caller's (a table, in tests). */
typedef void hv_cpuid_fn(uint32_t leaf, struct hv_regs *r, void *arg);

#if defined(__x86_64__) || defined(__i386__)
/* The instruction itself, in this process. */
void hv_cpuid_native(uint32_t leaf, struct hv_regs *r, void *arg);
#define HV_CPUID_HERE	hv_cpuid_native
#else
#define HV_CPUID_HERE	NULL	/* no CPUID on this architecture */
#endif

/*
 * The signature at 0x40000000 (EBX, ECX, EDX; trailing NULs dropped, as in
 * "KVMKVMKVM").  False, sig empty, when the hypervisor bit is clear.
 */
bool hv_cpuid_signature(hv_cpuid_fn *fn, void *arg, char sig[13]);

/* The hypervisor a signature names ("bhyve bhyve " -> "bhyve"), or NULL. */
const char *hv_cpuid_name(const char *sig);

/*
 * CPUID's account as JSON; NULL only when out of memory:
 *
 *   { "hypervisor_bit": bool, "max_basic_leaf": "0xd",
 *     "leaves": [ { "base": "0x40000000", "max_leaf": "0x40000001",
 *                   "signature": "KVMKVMKVM", "name": "KVM" | null,
 *                   and by vendor:
 *                   KVM:     "kvm_features": [ "clocksource2", ... ], "kvm_features_raw": "0x...",
 *                            "kvm_hints": [ "realtime" ]
 *                   Xen:     "xen_version": "4.17", "xen_hvm_features": [ ... ]
 *                   Hyper-V: "hyperv_interface": "Hv#1", "hyperv_version": "10.0.20348",
 *                            "hyperv_privileges": [ ... ], "hyperv_privileges_raw": "0x...",
 *                            "hyperv_recommendations": [ ... ] } ] }
 *
 * Leaves are listed in CPUID order; none when the bit is clear.  Raw values
 * keep the bits that have no name here.
 */
json_t *hv_cpuid_json(hv_cpuid_fn *fn, void *arg);

#endif
