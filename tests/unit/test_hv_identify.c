/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor from every source (runner/host/hv_identify.c, hv_cpuid.c,
 * hv_kmsg.c) on fixtures of real-looking machines: CPUID tables, kernel
 * logs and sysfs trees written to a temporary root, and the environment
 * record around them.  A KVM guest, a Xen HVM guest with viridian leaves,
 * a Hyper-V guest, a PVM guest whose CPUID says bhyve (this project's own
 * machines), bare metal, and the odd ones: a hidden hypervisor bit, an
 * unreadable log, a hypervisor that repeats its signature in every block.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hv_identify.h"
#include "hv_kmsg.h"

#define NR(a)	(sizeof(a) / sizeof((a)[0]))
#define HV_BIT	(1u << 31)

/* Where the guest's settings live, and the environment's usual PTI states. */
#define CS		"/sys/devices/system/clocksource/clocksource0/"
#define IDLE		"/sys/devices/system/cpu/cpuidle/"
#define THP		"/sys/kernel/mm/transparent_hugepage/"
#define DEFRAG_MADVISE	"always defer defer+madvise [madvise] never\n"
#define ENV_PTI_OFF	"{\"cpu\": {\"flags\": {\"pti\": false}}, " \
			"\"mitigations\": {\"meltdown\": \"Not affected\"},"
#define ENV_PTI_ON	"{\"cpu\": {\"flags\": {\"pti\": true}}, " \
			"\"mitigations\": {\"meltdown\": \"Mitigation: PTI\"},"

/* One CPUID leaf; with sig, EBX:ECX:EDX are its 12 bytes. */
struct fx_leaf {
	uint32_t leaf, eax, ebx, ecx, edx;
	const char *sig;
};

struct fx_file {
	const char *path, *text;
};

struct fixture {
	const struct fx_leaf *leaves;
	size_t nr_leaves;
	const struct fx_file *files;
	size_t nr_files;
	const char *env;	/* the environment record around "hypervisor", as JSON */
};

/* hv_cpuid_fn over a table; leaves not in it read as zeros (what KVM answers). */
static void fx_cpuid(uint32_t leaf, struct hv_regs *r, void *arg)
{
	const struct fixture *fx = arg;

	*r = (struct hv_regs){ 0 };
	for (size_t i = 0; i < fx->nr_leaves; i++) {
		const struct fx_leaf *l = &fx->leaves[i];
		char sig[12] = { 0 };

		if (l->leaf != leaf)
			continue;
		*r = (struct hv_regs){ l->eax, l->ebx, l->ecx, l->edx };
		if (l->sig) {
			memcpy(sig, l->sig, strnlen(l->sig, sizeof(sig)));
			memcpy(&r->ebx, sig, 4);
			memcpy(&r->ecx, sig + 4, 4);
			memcpy(&r->edx, sig + 8, 4);
		}
	}
}

/* mkdir -p of path's directory. */
static void mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
}

static void write_file(const char *root, const char *path, const char *text)
{
	char full[PATH_MAX];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	mkdirs(full);
	f = fopen(full, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void remove_tree(const char *root)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/* The "hypervisor" object of a fixture; *why gets the reasons for unknowns. */
static json_t *identify(const struct fixture *fx, json_t **why)
{
	char root[] = "/tmp/test_hv_identify.XXXXXX";
	json_error_t err;
	json_t *env, *hv;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < fx->nr_files; i++)
		write_file(root, fx->files[i].path, fx->files[i].text);
	env = json_loads(fx->env, 0, &err);
	if (!env)
		fail_msg("fixture env: %s", err.text);
	*why = json_object();
	hv = hv_identify_json(&(struct hv_input){ .root = root, .cpuid = fx_cpuid,
						 .cpuid_arg = (void *)fx, .env = env }, *why);
	assert_non_null(hv);
	json_decref(env);
	remove_tree(root);
	return hv;
}

/* hv[a][b]... as a string (NULL when absent or not a string). */
static const char *str_at(const json_t *v, ...)
{
	va_list ap;
	const char *key;

	va_start(ap, v);
	while ((key = va_arg(ap, const char *)))
		v = json_object_get(v, key);
	va_end(ap);
	return json_string_value(v);
}

static bool array_has(const json_t *a, const char *s)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	return false;
}

static size_t nr_leaves(const json_t *hv)
{
	return json_array_size(json_object_get(json_object_get(hv, "cpuid"), "leaves"));
}

static const json_t *first_leaf(const json_t *hv, size_t i)
{
	return json_array_get(json_object_get(json_object_get(hv, "cpuid"), "leaves"), i);
}

/* ---- a KVM guest (QEMU's firmware), the log as /dev/kmsg records ---- */

static const struct fx_leaf kvm_leaves[] = {
	{ 0, 0x10, 0, 0, 0, NULL },
	{ 1, 0x00a50f00, 0, HV_BIT | 0x7ed8320b, 0, NULL },
	{ 0x40000000, 0x40000001, 0, 0, 0, "KVMKVMKVM" },
	{ 0x40000001, 0x01007afb, 0, 0, 0x1, NULL },
};

static const struct fx_file kvm_files[] = {
	{ "/dev/kmsg",
	  "5,0,0,-;Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org)\n"
	  "6,1,0,-;Command line: BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet\n"
	  "6,12,0,-;Hypervisor detected: KVM\n"
	  "6,13,0,-;kvm-clock: Using msrs 4b564d01 and 4b564d00\n"
	  " SUBSYSTEM=cpu\n"
	  "6,40,1200,-;Booting paravirtualized kernel on KVM\n"
	  "6,41,1300,-;kvm-guest: PV spinlocks enabled\n"
	  "6,42,1301,-;kvm-guest: setup PV sched yield\n"
	  "6,43,1302,-;kvm-guest: KVM setup pv remote TLB flush\n"
	  "6,44,1303,-;kvm-guest: setup PV IPIs\n"
	  "6,90,90000,-;clocksource: Switched to clocksource kvm-clock\n"
	  "6,91,90001,-;EXT4-fs (vda1): mounted filesystem\n" },
	{ CS "current_clocksource", "kvm-clock\n" },
	{ CS "available_clocksource",
	  "kvm-clock tsc acpi_pm \n" },
	{ IDLE "current_driver", "haltpoll\n" },
	{ IDLE "current_governor_ro", "haltpoll\n" },
	{ THP "enabled", "[always] madvise never\n" },
	{ THP "defrag", DEFRAG_MADVISE },
};

static const struct fixture kvm_fx = {
	kvm_leaves, NR(kvm_leaves), kvm_files, NR(kvm_files),
	ENV_PTI_OFF
	" \"dmi\": {\"available\": true, \"sys_vendor\": \"QEMU\","
	" \"product_name\": \"Standard PC (Q35 + ICH9, 2009)\", \"bios_vendor\": \"SeaBIOS\"}}",
};

static void test_kvm(void **state)
{
	json_t *why, *hv = identify(&kvm_fx, &why);
	const json_t *leaf = first_leaf(hv, 0), *feat = json_object_get(leaf, "kvm_features");
	const json_t *log = json_object_get(hv, "kernel_log");
	const json_t *pv = json_object_get(log, "pv_features");

	(void)state;
	assert_true(json_is_true(json_object_get(json_object_get(hv, "cpuid"), "hypervisor_bit")));
	assert_string_equal(str_at(hv, "cpuid", "max_basic_leaf", NULL), "0x10");
	assert_int_equal(nr_leaves(hv), 1);
	assert_string_equal(str_at(leaf, "signature", NULL), "KVMKVMKVM");
	assert_string_equal(str_at(leaf, "name", NULL), "KVM");
	assert_string_equal(str_at(leaf, "kvm_features_raw", NULL), "0x1007afb");
	for (size_t i = 0; i < 12; i++) {
		static const char *const want[] = {
			"clocksource", "nop-io-delay", "clocksource2", "async-pf", "steal-time",
			"pv-eoi", "pv-unhalt", "pv-tlb-flush", "pv-send-ipi", "poll-control",
			"pv-sched-yield", "async-pf-int",
		};

		if (!array_has(feat, want[i]))
			fail_msg("KVM feature %s missing", want[i]);
	}
	assert_true(array_has(feat, "clocksource-stable"));
	assert_false(array_has(feat, "msi-ext-dest-id"));	/* bit 15 clear */
	assert_false(array_has(feat, "mmu-op"));		/* bit 2 clear */
	assert_true(array_has(json_object_get(leaf, "kvm_hints"), "realtime"));

	assert_true(json_is_true(json_object_get(log, "readable")));
	assert_true(json_is_true(json_object_get(log, "complete")));
	assert_string_equal(str_at(log, "detected", NULL), "KVM");
	assert_string_equal(str_at(log, "paravirt_on", NULL), "KVM");
	assert_null(str_at(log, "running_under", NULL));
	assert_true(array_has(pv, "kvm-clock") && array_has(pv, "pv-spinlocks") &&
		    array_has(pv, "pv-sched-yield") && array_has(pv, "pv-tlb-flush") &&
		    array_has(pv, "pv-send-ipi"));
	/* the command line is the environment's, and a file system is not the hypervisor */
	assert_false(array_has(json_object_get(log, "lines"),
			       "Command line: BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro quiet"));
	assert_int_equal(json_array_size(json_object_get(log, "lines")), 8);

	assert_string_equal(str_at(hv, "guest_pv", "clocksource", NULL), "kvm-clock");
	assert_int_equal(json_array_size(json_object_get(json_object_get(hv, "guest_pv"),
							 "available_clocksources")), 3);
	assert_string_equal(str_at(hv, "guest_pv", "cpuidle_driver", NULL), "haltpoll");
	assert_string_equal(str_at(hv, "guest_pv", "cpuidle_governor", NULL), "haltpoll");
	assert_string_equal(str_at(hv, "guest_pv", "thp_enabled", NULL), "always");
	assert_string_equal(str_at(hv, "guest_pv", "thp_defrag", NULL), "madvise");
	assert_string_equal(str_at(hv, "guest_pv", "pti", NULL), "off");

	assert_true(json_is_null(json_object_get(json_object_get(hv, "sysfs"), "type")));
	assert_true(array_has(json_object_get(json_object_get(hv, "verdict"), "cpuid"), "KVM"));
	assert_string_equal(str_at(hv, "verdict", "kernel", NULL), "KVM");
	assert_string_equal(str_at(hv, "verdict", "dmi", NULL), "QEMU");
	assert_true(json_is_null(json_object_get(json_object_get(hv, "verdict"), "disagreement")));
	assert_int_equal(json_object_size(why), 0);
	json_decref(why);
	json_decref(hv);
}

/* ---- a Xen HVM guest with viridian: Hyper-V's leaves first, Xen's at 0x40000100 ---- */

static const struct fx_leaf xen_leaves[] = {
	{ 0, 0xd, 0, 0, 0, NULL },
	{ 1, 0x000306f2, 0, HV_BIT | 0x77fef3ff, 0, NULL },
	{ 0x40000000, 0x40000006, 0, 0, 0, "Microsoft Hv" },
	{ 0x40000001, 0x31237648, 0, 0, 0, NULL },			/* "Hv#1" */
	{ 0x40000002, 0x1db1, 0x00060001, 0, 0, NULL },
	{ 0x40000003, 0x0000026e, 0, 0, 0, NULL },
	{ 0x40000004, 0x00000024, 0, 0, 0, NULL },
	{ 0x40000100, 0x40000105, 0, 0, 0, "XenVMMXenVMM" },
	{ 0x40000101, 0x00040011, 0, 0, 0, NULL },			/* 4.17 */
	{ 0x40000102, 1, 0x40000000, 0, 0, NULL },
	{ 0x40000104, 0x0000001a, 0, 0, 0, NULL },
};

static const struct fx_file xen_files[] = {
	{ "/dev/kmsg",
	  "[    0.000000] Hypervisor detected: Xen HVM\n"
	  "[    0.000000] Xen version 4.17.\n"
	  "[    0.000000] Booting paravirtualized kernel on Xen HVM\n"
	  "[    0.183221] xen:events: Using FIFO-based ABI\n"
	  "[    0.183301] Xen HVM callback vector for event delivery is enabled\n"
	  "[    0.392100] clocksource: Switched to clocksource xen\n" },
	{ "/sys/hypervisor/type", "xen\n" },
	{ "/sys/hypervisor/guest_type", "HVM\n" },
	{ "/sys/hypervisor/version/major", "4\n" },
	{ "/sys/hypervisor/version/minor", "17\n" },
	{ "/sys/hypervisor/version/extra", ".3\n" },
	{ "/sys/hypervisor/properties/capabilities",
	  "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_64\n" },
	{ "/sys/hypervisor/properties/pagesize", "4096\n" },
	{ CS "current_clocksource", "xen\n" },
	{ CS "available_clocksource", "xen tsc hpet acpi_pm\n" },
	{ IDLE "current_driver", "none\n" },
	{ IDLE "current_governor", "menu\n" },
	{ THP "enabled", "always [madvise] never\n" },
	{ THP "defrag", DEFRAG_MADVISE },
};

static const struct fixture xen_fx = {
	xen_leaves, NR(xen_leaves), xen_files, NR(xen_files),
	ENV_PTI_ON
	" \"dmi\": {\"available\": true, \"sys_vendor\": \"Xen\", \"product_name\": \"HVM domU\","
	" \"bios_vendor\": \"Xen\", \"bios_version\": \"4.17.3\"}}",
};

static void test_xen_hvm(void **state)
{
	json_t *why, *hv = identify(&xen_fx, &why);
	const json_t *hyperv = first_leaf(hv, 0), *xen = first_leaf(hv, 1);
	const json_t *sysfs = json_object_get(hv, "sysfs");

	(void)state;
	assert_int_equal(nr_leaves(hv), 2);
	assert_string_equal(str_at(hyperv, "name", NULL), "Hyper-V");
	assert_string_equal(str_at(hyperv, "hyperv_interface", NULL), "Hv#1");
	assert_string_equal(str_at(xen, "base", NULL), "0x40000100");
	assert_string_equal(str_at(xen, "signature", NULL), "XenVMMXenVMM");
	assert_string_equal(str_at(xen, "xen_version", NULL), "4.17");
	assert_true(array_has(json_object_get(xen, "xen_hvm_features"), "x2apic-virt"));
	assert_true(array_has(json_object_get(xen, "xen_hvm_features"), "vcpu-id-present"));
	assert_false(array_has(json_object_get(xen, "xen_hvm_features"), "apic-access-virt"));

	assert_string_equal(str_at(sysfs, "type", NULL), "xen");
	assert_string_equal(str_at(sysfs, "guest_type", NULL), "HVM");
	assert_string_equal(str_at(sysfs, "version", NULL), "4.17.3");
	assert_string_equal(str_at(sysfs, "properties", "pagesize", NULL), "4096");

	/* dmesg's lines carry no sequence numbers: whether the log wrapped is unknown */
	assert_true(json_is_null(json_object_get(json_object_get(hv, "kernel_log"), "complete")));
	assert_string_equal(str_at(hv, "kernel_log", "detected", NULL), "Xen HVM");
	assert_true(array_has(json_object_get(json_object_get(hv, "kernel_log"), "pv_features"),
			      "xen-evtchn-fifo"));
	assert_string_equal(str_at(hv, "guest_pv", "cpuidle_governor", NULL), "menu");
	assert_string_equal(str_at(hv, "guest_pv", "pti", NULL), "on");

	assert_string_equal(str_at(hv, "verdict", "kernel", NULL), "Xen HVM");
	assert_string_equal(str_at(hv, "verdict", "sysfs", NULL), "Xen");
	assert_string_equal(str_at(hv, "verdict", "dmi", NULL), "Xen");
	assert_true(json_is_null(json_object_get(json_object_get(hv, "verdict"), "disagreement")));
	json_decref(why);
	json_decref(hv);
}

/* ---- a Hyper-V guest (an Azure VM) ---- */

static const struct fx_leaf hyperv_leaves[] = {
	{ 0, 0x15, 0, 0, 0, NULL },
	{ 1, 0x00050654, 0, HV_BIT | 0x7ed8320b, 0, NULL },
	{ 0x40000000, 0x4000000c, 0, 0, 0, "Microsoft Hv" },
	{ 0x40000001, 0x31237648, 0, 0, 0, NULL },
	{ 0x40000002, 20348, 0x000a0000, 0, 0, NULL },
	{ 0x40000003, 0x2e7f, 0x3b8030, 0, 0xbed7b2, NULL },
	{ 0x40000004, 0x24e24, 0, 0, 0, NULL },
};

static const struct fx_file hyperv_files[] = {
	{ "/dev/kmsg",
	  "6,0,0,-;Linux version 6.5.0-1025-azure\n"
	  "6,9,0,-;Hypervisor detected: Microsoft Hyper-V\n"
	  "6,10,0,-;Hyper-V: privilege flags low 0x2e7f, high 0x3b8030, hints 0x24e24, "
	  "misc 0xbed7b2\n"
	  "6,11,0,-;Hyper-V: Host Build 10.0.20348.1-1-0\n"
	  "6,30,3000,-;Booting paravirtualized kernel on Hyper-V\n"
	  "6,31,3001,-;Hyper-V: Using hypercall for remote TLB flush\n"
	  "6,99,99000,-;clocksource: Switched to clocksource hyperv_clocksource_tsc_page\n" },
	{ CS "current_clocksource",
	  "hyperv_clocksource_tsc_page\n" },
	{ CS "available_clocksource",
	  "hyperv_clocksource_tsc_page acpi_pm \n" },
	{ IDLE "current_driver", "acpi_idle\n" },
	{ IDLE "current_governor_ro", "menu\n" },
	{ THP "enabled", "always [madvise] never\n" },
	{ THP "defrag", DEFRAG_MADVISE },
};

static const struct fixture hyperv_fx = {
	hyperv_leaves, NR(hyperv_leaves), hyperv_files, NR(hyperv_files),
	ENV_PTI_OFF
	" \"dmi\": {\"available\": true, \"sys_vendor\": \"Microsoft Corporation\","
	" \"product_name\": \"Virtual Machine\", \"chassis_asset_tag\": "
	"\"7783-7084-3265-9085-8269-3286-77\"}}",
};

static void test_hyperv(void **state)
{
	json_t *why, *hv = identify(&hyperv_fx, &why);
	const json_t *leaf = first_leaf(hv, 0), *priv = json_object_get(leaf, "hyperv_privileges");
	const json_t *rec = json_object_get(leaf, "hyperv_recommendations");

	(void)state;
	assert_string_equal(str_at(leaf, "name", NULL), "Hyper-V");
	assert_string_equal(str_at(leaf, "hyperv_version", NULL), "10.0.20348");
	assert_string_equal(str_at(leaf, "hyperv_privileges_raw", NULL), "0x2e7f");
	assert_true(array_has(priv, "synic") && array_has(priv, "reference-tsc") &&
		    array_has(priv, "hypercall-msrs") && array_has(priv, "reenlightenment"));
	assert_false(array_has(priv, "stats-msr"));	/* bit 8 clear */
	assert_true(array_has(rec, "remote-tlb-flush-hypercall") &&
		    array_has(rec, "relaxed-timing") && array_has(rec, "enlightened-vmcs"));
	assert_false(array_has(rec, "local-tlb-flush-hypercall"));
	assert_true(array_has(json_object_get(json_object_get(hv, "kernel_log"), "pv_features"),
			      "pv-tlb-flush"));
	assert_string_equal(str_at(hv, "guest_pv", "clocksource", NULL),
			    "hyperv_clocksource_tsc_page");
	assert_string_equal(str_at(hv, "verdict", "kernel", NULL), "Microsoft Hyper-V");
	assert_string_equal(str_at(hv, "verdict", "dmi", NULL), "Hyper-V");
	assert_true(json_is_null(json_object_get(json_object_get(hv, "verdict"), "disagreement")));
	json_decref(why);
	json_decref(hv);
}

/* ---- a PVM guest whose CPUID says bhyve: this project's own machines ---- */

static const struct fx_leaf pvm_leaves[] = {
	{ 0, 0xd, 0, 0, 0, NULL },
	{ 1, 0x00b00f21, 0, 0xfed83203, 0, NULL },
	{ 0x40000000, 0x40000000, 0, 0, 0, "bhyve bhyve " },
};

static const struct fx_file pvm_files[] = {
	{ "/dev/kmsg",
	  "5,0,0,-;Linux version 6.18.44-fc-v1300 (builder@sandboxing)\n"
	  "6,12,0,-;Hypervisor detected: PVM\n"
	  "6,13,0,-;kvm-clock: Using msrs 4b564d01 and 4b564d00\n"
	  "6,16,19,-;pvm-pv: running under PVM (pv-lite)\n"
	  "6,27,218,-;pvm-pv: CR3 loads, local TLB flushes, HLT and MSR writes via hypercalls\n"
	  "6,28,221,-;pvm-pv: remote TLB flushes via PVM_HC_FLUSH_TLB_MULTI\n"
	  "6,76,62976,-;pvm-pv: APIC: eoi() replaced with pvm_apic_eoi_nop()\n"
	  "6,78,63041,-;Booting paravirtualized kernel on PVM\n"
	  "5,85,70190,-;Kernel command line: pti=on clocksource=kvm-clock\n"
	  "6,228,240104,-;clocksource: Switched to clocksource kvm-clock\n"
	  "6,254,273369,-;kvm-pvm: this kernel is itself a kvm-pvm guest; not binding\n" },
	{ CS "current_clocksource", "kvm-clock\n" },
	{ CS "available_clocksource", "kvm-clock \n" },
	{ IDLE "current_driver", "none\n" },
	{ IDLE "current_governor", "menu\n" },
	{ IDLE "current_governor_ro", "menu\n" },
	{ THP "enabled", "always [madvise] never\n" },
	{ THP "defrag", DEFRAG_MADVISE },
};

static const struct fixture pvm_fx = {
	pvm_leaves, NR(pvm_leaves), pvm_files, NR(pvm_files),
	ENV_PTI_ON
	" \"dmi\": {\"available\": false, \"why\": \"no /sys/class/dmi/id\"}}",
};

static void test_pvm_under_bhyve(void **state)
{
	json_t *why, *hv = identify(&pvm_fx, &why);
	const json_t *log = json_object_get(hv, "kernel_log");
	const json_t *pv = json_object_get(log, "pv_features");

	(void)state;
	assert_string_equal(str_at(first_leaf(hv, 0), "signature", NULL), "bhyve bhyve ");
	assert_string_equal(str_at(first_leaf(hv, 0), "name", NULL), "bhyve");
	assert_null(json_object_get(first_leaf(hv, 0), "kvm_features"));
	assert_string_equal(str_at(log, "detected", NULL), "PVM");
	assert_string_equal(str_at(log, "running_under", NULL), "PVM (pv-lite)");
	assert_string_equal(str_at(log, "paravirt_on", NULL), "PVM");
	assert_true(array_has(pv, "pv-privileged-ops") && array_has(pv, "pv-tlb-flush") &&
		    array_has(pv, "pv-eoi") && array_has(pv, "kvm-clock"));
	assert_string_equal(str_at(hv, "guest_pv", "pti", NULL), "on");
	assert_string_equal(str_at(hv, "guest_pv", "cpuidle_driver", NULL), "none");

	assert_true(array_has(json_object_get(json_object_get(hv, "verdict"), "cpuid"), "bhyve"));
	assert_string_equal(str_at(hv, "verdict", "kernel", NULL), "PVM (pv-lite)");
	assert_true(json_is_null(json_object_get(json_object_get(hv, "verdict"), "dmi")));
	assert_string_equal(str_at(hv, "verdict", "disagreement", NULL),
			    "CPUID says bhyve, the kernel says PVM (pv-lite): the signature is "
			    "what the hypervisor advertises, the kernel line what the guest "
			    "kernel chose to drive");
	json_decref(why);
	json_decref(hv);
}

/* ---- bare metal: no hypervisor bit, so the hypervisor range is never believed ---- */

static const struct fx_leaf metal_leaves[] = {
	{ 0, 0x20, 0, 0, 0, NULL },
	{ 1, 0x000806f8, 0, 0x7ffefbff, 0, NULL },
	/* what Intel hardware answers past its range: the highest basic leaf's registers */
	{ 0x40000000, 0x00000d80, 0, 0, 0, "GenuineIntel" },
};

static const struct fx_file metal_files[] = {
	{ "/dev/kmsg",
	  "[    0.000000] Linux version 6.1.0-27-amd64\n"
	  "[    0.031000] Booting paravirtualized kernel on bare hardware\n"
	  "[    1.200000] clocksource: Switched to clocksource tsc\n" },
	{ CS "current_clocksource", "tsc\n" },
	{ CS "available_clocksource", "tsc hpet acpi_pm \n" },
	{ IDLE "current_driver", "intel_idle\n" },
	{ IDLE "current_governor_ro", "menu\n" },
	{ THP "enabled", "[always] madvise never\n" },
	{ THP "defrag", DEFRAG_MADVISE },
};

static const struct fixture metal_fx = {
	metal_leaves, NR(metal_leaves), metal_files, NR(metal_files),
	ENV_PTI_OFF
	" \"dmi\": {\"available\": true, \"sys_vendor\": \"Dell Inc.\","
	" \"product_name\": \"PowerEdge R650\"}}",
};

static void test_bare_metal(void **state)
{
	json_t *why, *hv = identify(&metal_fx, &why);
	const json_t *verdict = json_object_get(hv, "verdict");
	char sig[13];

	(void)state;
	assert_true(json_is_false(json_object_get(json_object_get(hv, "cpuid"), "hypervisor_bit")));
	assert_int_equal(nr_leaves(hv), 0);
	assert_false(hv_cpuid_signature(fx_cpuid, (void *)&metal_fx, sig));
	assert_string_equal(sig, "");
	assert_null(str_at(hv, "kernel_log", "detected", NULL));
	assert_string_equal(str_at(hv, "kernel_log", "paravirt_on", NULL), "bare hardware");
	assert_string_equal(str_at(hv, "guest_pv", "clocksource", NULL), "tsc");
	assert_int_equal(json_array_size(json_object_get(verdict, "cpuid")), 0);
	/* "bare hardware" is no hypervisor's name, nor is Dell */
	assert_true(json_is_null(json_object_get(verdict, "kernel")));
	assert_true(json_is_null(json_object_get(verdict, "dmi")));
	assert_true(json_is_null(json_object_get(verdict, "disagreement")));
	json_decref(why);
	json_decref(hv);
}

/* ---- the odd ones ---- */

/* A hypervisor that hides its bit (KVM's kvm=off) while the kernel still finds it. */
static void test_hidden_bit(void **state)
{
	static const struct fx_leaf leaves[] = {
		{ 0, 0xd, 0, 0, 0, NULL },
		{ 1, 0x00a50f00, 0, 0x7ed8320b, 0, NULL },
	};
	static const struct fx_file files[] = {
		{ "/dev/kmsg", "6,0,0,-;Linux version 6.1.0\n6,5,0,-;Hypervisor detected: KVM\n" },
	};
	static const struct fixture fx = {
		leaves, NR(leaves), files, NR(files),
		"{\"dmi\": {\"available\": true, \"sys_vendor\": \"QEMU\", "
		"\"product_name\": \"pc\"}}",
	};
	json_t *why, *hv = identify(&fx, &why);
	const char *dis = str_at(hv, "verdict", "disagreement", NULL);

	(void)state;
	assert_non_null(dis);
	assert_non_null(strstr(dis, "CPUID shows no hypervisor (its bit is clear), "
				    "the kernel says KVM"));
	assert_non_null(strstr(dis, "DMI says QEMU"));
	/* nothing here could be read, and each unknown says why, keyed by where */
	assert_string_equal(str_at(hv, "guest_pv", "clocksource", NULL), "unknown");
	assert_non_null(strstr(json_string_value(json_object_get(why,
				"hypervisor.guest_pv.clocksource")), "No such file"));
	assert_string_equal(str_at(hv, "guest_pv", "pti", NULL), "unknown");
	assert_non_null(json_object_get(why, "hypervisor.guest_pv.pti"));
	json_decref(why);
	json_decref(hv);
}

/*
 * No log to read: said, not taken as silence.  And a hypervisor that
 * answers every 0x100 block with its own signature is one hypervisor,
 * where a nested one with a max leaf inside its block is a second.
 */
static void test_no_log_and_blocks(void **state)
{
	static const struct fx_leaf leaves[] = {
		{ 0, 0xd, 0, 0, 0, NULL },
		{ 1, 0, 0, HV_BIT, 0, NULL },
		{ 0x40000000, 0x40000001, 0, 0, 0, "KVMKVMKVM" },
		{ 0x40000100, 0x40000001, 0, 0, 0, "KVMKVMKVM" },	/* a mirror */
		{ 0x40000200, 0x40000001, 0, 0, 0, "KVMKVMKVM" },
		/* a max leaf outside its block: a mirror */
		{ 0x40000300, 0x40000010, 0, 0, 0, "VMwareVMware" },
		{ 0x40000400, 0x40000410, 0, 0, 0, "VMwareVMware" },	/* a nested VMware */
		{ 0x40000500, 0x40000500, 0, 0, 0, "\x01\x02garbage" },	/* not text */
	};
	static const struct fixture fx = {
		leaves, NR(leaves), NULL, 0, "{}",
	};
	json_t *why, *hv = identify(&fx, &why);
	const json_t *log = json_object_get(hv, "kernel_log");
	const json_t *names = json_object_get(json_object_get(hv, "verdict"), "cpuid");

	(void)state;
	assert_true(json_is_false(json_object_get(log, "readable")));
	assert_non_null(strstr(str_at(log, "why", NULL), "/dev/kmsg: No such file"));
	assert_true(json_is_null(json_object_get(json_object_get(hv, "verdict"), "kernel")));
	assert_int_equal(json_array_size(names), 2);
	assert_string_equal(json_string_value(json_array_get(names, 0)), "KVM");
	assert_string_equal(json_string_value(json_array_get(names, 1)), "VMware");
	assert_string_equal(str_at(first_leaf(hv, 1), "base", NULL), "0x40000400");
	assert_true(json_is_null(json_object_get(json_object_get(hv, "verdict"), "disagreement")));
	json_decref(why);
	json_decref(hv);
}

/* The log's lines are bounded in number and length, and non-text becomes '?'. */
static void test_kmsg_bounds(void **state)
{
	struct hv_kmsg *k = malloc(sizeof(*k));
	char rec[600];
	json_t *j;

	(void)state;
	assert_non_null(k);
	hv_kmsg_init(k);
	hv_kmsg_feed(k, "6,3,0,-;not about virtualisation\n");
	assert_int_equal(k->nr, 0);
	/* the first record read was not the boot's first */
	assert_int_equal(k->complete, 0);
	for (int i = 0; i < HV_KMSG_LINES_MAX + 5; i++)
		hv_kmsg_feed(k, "6,9,0,-;kvm-guest: setup PV IPIs\n");
	assert_int_equal(k->nr, HV_KMSG_LINES_MAX);
	assert_int_equal(k->dropped, 5);
	hv_kmsg_init(k);
	memset(rec, 'x', sizeof(rec) - 1);
	rec[sizeof(rec) - 1] = '\0';
	memcpy(rec, "[ 1.0] Xen \xff", 12);
	hv_kmsg_feed(k, rec);
	assert_int_equal(k->nr, 1);
	assert_int_equal(strlen(k->lines[0]), HV_KMSG_LINE_MAX - 1);
	assert_int_equal(strncmp(k->lines[0], "Xen ?", 5), 0);
	j = hv_kmsg_json(k);
	assert_non_null(j);
	assert_true(json_is_null(json_object_get(j, "complete")));
	assert_int_equal(json_integer_value(json_object_get(j, "lines_dropped")), 0);
	json_decref(j);
	free(k);
}

/* This machine, for real: whatever it is, the object is whole and CPUID agrees with itself. */
static void test_this_machine(void **state)
{
	json_t *why = json_object(), *env = json_object(), *hv;
	char sig[13];

	(void)state;
	hv = hv_identify_json(&(struct hv_input){ .root = "", .cpuid = HV_CPUID_HERE, .env = env },
			      why);
	assert_non_null(hv);
	for (const char *const *k = (const char *const[]){ "cpuid", "sysfs", "kernel_log",
							   "guest_pv", "verdict", NULL }; *k; k++)
		if (!json_object_get(hv, *k))
			fail_msg("no %s", *k);
#if defined(__x86_64__) || defined(__i386__)
	if (hv_cpuid_signature(hv_cpuid_native, NULL, sig) && hv_cpuid_name(sig))
		assert_string_equal(str_at(first_leaf(hv, 0), "signature", NULL), sig);
#else
	(void)sig;
#endif
	json_decref(hv);
	json_decref(env);
	json_decref(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvm),
		cmocka_unit_test(test_xen_hvm),
		cmocka_unit_test(test_hyperv),
		cmocka_unit_test(test_pvm_under_bhyve),
		cmocka_unit_test(test_bare_metal),
		cmocka_unit_test(test_hidden_bit),
		cmocka_unit_test(test_no_log_and_blocks),
		cmocka_unit_test(test_kmsg_bounds),
		cmocka_unit_test(test_this_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
