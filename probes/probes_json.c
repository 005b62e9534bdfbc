/* SPDX-License-Identifier: MIT */
/*
 * A probes reading as the results file's section (docs/probes.md).
 *
 * Tracepoints that never fired although what they trace must have happened
 * (kvm_exit during KVM_RUN calls, on a backend that does not call it) are
 * listed in "not_firing" with the reason, and their figures are left out
 * rather than written as zeros that look like measurements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "probes.h"

#define KVM_ISA_VMX 1
#define KVM_ISA_SVM 2

static const char *const uexit_names[] = {
	[0] = "UNKNOWN", [1] = "EXCEPTION", [2] = "IO", [3] = "HYPERCALL", [4] = "DEBUG",
	[5] = "HLT", [6] = "MMIO", [7] = "IRQ_WINDOW_OPEN", [8] = "SHUTDOWN",
	[9] = "FAIL_ENTRY", [10] = "INTR", [11] = "SET_TPR", [12] = "TPR_ACCESS",
	[16] = "NMI", [17] = "INTERNAL_ERROR", [24] = "SYSTEM_EVENT", [26] = "IOAPIC_EOI",
	[27] = "HYPERV", [29] = "X86_RDMSR", [30] = "X86_WRMSR", [31] = "DIRTY_RING_FULL",
	[32] = "AP_RESET_HOLD", [33] = "X86_BUS_LOCK", [34] = "XEN", [37] = "NOTIFY",
	[39] = "MEMORY_FAULT", [40] = "TDX",
};

/* Basic exit reasons of the Intel SDM (Appendix C), as kvm_exit prints them. */
static const char *const vmx_names[] = {
	[0] = "EXCEPTION_NMI", [1] = "EXTERNAL_INTERRUPT", [2] = "TRIPLE_FAULT",
	[3] = "INIT_SIGNAL", [4] = "SIPI_SIGNAL", [7] = "INTERRUPT_WINDOW", [8] = "NMI_WINDOW",
	[9] = "TASK_SWITCH", [10] = "CPUID", [12] = "HLT", [13] = "INVD", [14] = "INVLPG",
	[15] = "RDPMC", [16] = "RDTSC", [18] = "VMCALL", [19] = "VMCLEAR", [20] = "VMLAUNCH",
	[21] = "VMPTRLD", [22] = "VMPTRST", [23] = "VMREAD", [24] = "VMRESUME", [25] = "VMWRITE",
	[26] = "VMOFF", [27] = "VMON", [28] = "CR_ACCESS", [29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION", [31] = "MSR_READ", [32] = "MSR_WRITE", [33] = "INVALID_STATE",
	[34] = "MSR_LOAD_FAIL", [36] = "MWAIT_INSTRUCTION", [37] = "MONITOR_TRAP_FLAG",
	[39] = "MONITOR_INSTRUCTION", [40] = "PAUSE_INSTRUCTION", [41] = "MCE_DURING_VMENTRY",
	[43] = "TPR_BELOW_THRESHOLD", [44] = "APIC_ACCESS", [45] = "EOI_INDUCED",
	[46] = "GDTR_IDTR", [47] = "LDTR_TR", [48] = "EPT_VIOLATION", [49] = "EPT_MISCONFIG",
	[50] = "INVEPT", [51] = "RDTSCP", [52] = "PREEMPTION_TIMER", [53] = "INVVPID",
	[54] = "WBINVD", [55] = "XSETBV", [56] = "APIC_WRITE", [57] = "RDRAND", [58] = "INVPCID",
	[59] = "VMFUNC", [60] = "ENCLS", [61] = "RDSEED", [62] = "PML_FULL", [63] = "XSAVES",
	[64] = "XRSTORS", [67] = "UMWAIT", [68] = "TPAUSE", [74] = "BUS_LOCK", [75] = "NOTIFY",
};

/* AMD APM vol. 2 exit codes past the CR/DR/exception ranges. */
static const struct {
	__u32 code;
	const char *name;
} svm_names[] = {
	{ 0x60, "interrupt" }, { 0x61, "nmi" }, { 0x62, "smi" }, { 0x63, "init" },
	{ 0x64, "vintr" }, { 0x65, "cr0_sel_write" }, { 0x6e, "rdtsc" }, { 0x6f, "rdpmc" },
	{ 0x70, "pushf" }, { 0x71, "popf" }, { 0x72, "cpuid" }, { 0x73, "rsm" },
	{ 0x74, "iret" }, { 0x75, "swint" }, { 0x76, "invd" }, { 0x77, "pause" },
	{ 0x78, "hlt" }, { 0x79, "invlpg" }, { 0x7a, "invlpga" }, { 0x7b, "io" },
	{ 0x7c, "msr" }, { 0x7d, "task_switch" }, { 0x7e, "ferr_freeze" }, { 0x7f, "shutdown" },
	{ 0x80, "vmrun" }, { 0x81, "hypercall" }, { 0x82, "vmload" }, { 0x83, "vmsave" },
	{ 0x84, "stgi" }, { 0x85, "clgi" }, { 0x86, "skinit" }, { 0x87, "rdtscp" },
	{ 0x88, "icebp" }, { 0x89, "wbinvd" }, { 0x8a, "monitor" }, { 0x8b, "mwait" },
	{ 0x8d, "xsetbv" }, { 0x8f, "write_efer_trap" }, { 0x90, "write_cr0_trap" },
	{ 0x94, "write_cr4_trap" }, { 0x98, "write_cr8_trap" }, { 0xa2, "invpcid" },
	{ 0xa5, "buslock" }, { 0xa6, "idle-halt" }, { 0x400, "npf" },
	{ 0x401, "avic_incomplete_ipi" }, { 0x402, "avic_unaccelerated_access" },
	{ 0x403, "vmgexit" },
};

static const char *const hist_names[HVB_NR_HISTS] = {
	[HVB_H_KVM_RUN] = "kvm_run",
	[HVB_H_USER] = "userspace",
	[HVB_H_PIO] = "pio_completion",
	[HVB_H_MMIO] = "mmio_completion",
	[HVB_H_MSR] = "msr_completion",
	[HVB_H_HYPERCALL] = "hypercall_completion",
	[HVB_H_CPUID] = "cpuid_completion",
	[HVB_H_EXIT] = "exit_to_entry",
	[HVB_H_IRQ_WAKEUP] = "irq_accept_to_wakeup",
	[HVB_H_IRQ_INJECT] = "irq_accept_to_inj_virq",
	[HVB_H_IRQ_EOI] = "irq_accept_to_eoi",
	[HVB_H_RQ_WAIT] = "runqueue_wait",
};

static const char *const lat_names[HVB_NR_LAT] = {
	[HVB_LAT_PIO] = "pio",
	[HVB_LAT_MMIO] = "mmio",
	[HVB_LAT_MSR] = "msr",
	[HVB_LAT_HYPERCALL] = "hypercall",
	[HVB_LAT_CPUID] = "cpuid",
};

static const char *const kind_names[] = {
	[HVB_THREAD_VCPU] = "vcpu",
	[HVB_THREAD_DEVICE] = "device",
	[HVB_THREAD_OTHER] = "other",
};

/* Each tracepoint and the counters that together say how often it fired. */
static const struct {
	const char *name;
	enum hvb_counter c[3];
	int n;
} tracepoints[] = {
	{ "syscalls:sys_enter (KVM_RUN)", { HVB_C_KVM_RUN }, 1 },
	{ "kvm:kvm_userspace_exit", { HVB_C_USERSPACE_EXIT }, 1 },
	{ "kvm:kvm_pio", { HVB_C_PIO_IN, HVB_C_PIO_OUT }, 2 },
	{ "kvm:kvm_mmio", { HVB_C_MMIO_UNSAT_READ, HVB_C_MMIO_READ, HVB_C_MMIO_WRITE }, 3 },
	{ "kvm:kvm_hypercall", { HVB_C_HYPERCALL }, 1 },
	{ "kvm:kvm_msr", { HVB_C_MSR_READ, HVB_C_MSR_WRITE }, 2 },
	{ "kvm:kvm_cpuid", { HVB_C_CPUID }, 1 },
	{ "kvm:kvm_exit", { HVB_C_KVM_EXIT }, 1 },
	{ "kvm:kvm_entry", { HVB_C_KVM_ENTRY }, 1 },
	{ "kvm:kvm_set_irq", { HVB_C_SET_IRQ }, 1 },
	{ "kvm:kvm_msi_set_irq", { HVB_C_MSI_SET_IRQ }, 1 },
	{ "kvm:kvm_apic_accept_irq", { HVB_C_APIC_ACCEPT_IRQ }, 1 },
	{ "kvm:kvm_inj_virq", { HVB_C_INJ_VIRQ }, 1 },
	{ "kvm:kvm_vcpu_wakeup", { HVB_C_VCPU_WAKEUP }, 1 },
	{ "kvm:kvm_eoi", { HVB_C_EOI }, 1 },
	{ "sched:sched_switch", { HVB_C_SWITCH_VOLUNTARY, HVB_C_SWITCH_INVOLUNTARY }, 2 },
	{ "sched:sched_wakeup", { HVB_C_WAKEUP }, 1 },
};

static json_t *u64(__u64 v)
{
	return json_integer((json_int_t)v);
}

static const char *exit_name(__u32 isa, __u32 reason, char *buf, size_t len)
{
	__u32 basic = reason & 0xffff;

	if (isa == KVM_ISA_VMX && basic < sizeof(vmx_names) / sizeof(vmx_names[0]) &&
	    vmx_names[basic])
		return vmx_names[basic];
	if (isa == KVM_ISA_SVM) {
		if (reason < 0x40)
			snprintf(buf, len, "%s_%s%u", reason & 0x10 ? "write" : "read",
				 reason < 0x20 ? "cr" : "dr", reason & 0xf);
		else if (reason < 0x60)
			snprintf(buf, len, "excp_%u", reason - 0x40);
		else
			buf[0] = '\0';
		if (buf[0])
			return buf;
		for (size_t i = 0; i < sizeof(svm_names) / sizeof(svm_names[0]); i++)
			if (svm_names[i].code == reason)
				return svm_names[i].name;
	}
	snprintf(buf, len, "reason_%u", reason);
	return buf;
}

static json_t *hist_json(const struct hvb_hist *h)
{
	json_t *o = json_object(), *buckets = json_array();

	if (!o || !buckets) {
		json_decref(o);
		json_decref(buckets);
		return NULL;
	}
	json_object_set_new(o, "count", u64(h->count));
	if (!h->count) {
		json_decref(buckets);
		return o;
	}
	json_object_set_new(o, "sum_ns", u64(h->sum_ns));
	json_object_set_new(o, "mean_ns", json_real((double)h->sum_ns / (double)h->count));
	json_object_set_new(o, "max_ns", u64(h->max_ns));
	json_object_set_new(o, "p50_ns", json_real(probes_hist_quantile(h, 0.50)));
	json_object_set_new(o, "p90_ns", json_real(probes_hist_quantile(h, 0.90)));
	json_object_set_new(o, "p99_ns", json_real(probes_hist_quantile(h, 0.99)));
	for (unsigned int b = 0; b < HVB_HIST_BUCKETS; b++)
		if (h->bucket[b])
			json_array_append_new(buckets, json_pack("[II]",
								 (json_int_t)hvb_hist_lower(b),
								 (json_int_t)h->bucket[b]));
	json_object_set_new(o, "buckets", buckets);
	return o;
}

static json_t *counts(const struct probes_snapshot *s)
{
	const __u64 *c = s->c.c;
	json_t *reasons = json_object();
	char name[32];

	for (int r = 0; r < HVB_NR_UEXIT; r++) {
		const char *n = (size_t)r < sizeof(uexit_names) / sizeof(uexit_names[0]) ?
					uexit_names[r] : NULL;

		if (!s->c.uexit_reason[r])
			continue;
		if (!n) {
			snprintf(name, sizeof(name), r == HVB_NR_UEXIT - 1 ? "reason_%d_or_more" :
					 "reason_%d", r);
			n = name;
		}
		json_object_set_new(reasons, n, u64(s->c.uexit_reason[r]));
	}
	return json_pack(
		"{s:{s:I,s:I}, s:{s:I,s:I,s:I,s:o}, s:{s:I,s:I,s:I}, s:{s:I,s:I,s:I,s:I},"
		" s:{s:I,s:I,s:I,s:I}, s:{s:I}, s:{s:I}, s:{s:I}, s:{s:I}, s:{s:I}, s:{s:I},"
		" s:{s:I,s:I}, s:{s:I}, s:{s:I}, s:{s:I}, s:{s:I,s:I,s:I}, s:{s:I}}",
		"kvm_run", "calls", (json_int_t)c[HVB_C_KVM_RUN],
		"returned", (json_int_t)c[HVB_C_KVM_RUN_DONE],
		"kvm_userspace_exit", "count", (json_int_t)c[HVB_C_USERSPACE_EXIT],
		"restart", (json_int_t)c[HVB_C_UEXIT_RESTART],
		"error", (json_int_t)c[HVB_C_UEXIT_ERROR], "reasons", reasons,
		"kvm_pio", "count", (json_int_t)(c[HVB_C_PIO_IN] + c[HVB_C_PIO_OUT]),
		"in", (json_int_t)c[HVB_C_PIO_IN], "out", (json_int_t)c[HVB_C_PIO_OUT],
		"kvm_mmio", "count",
		(json_int_t)(c[HVB_C_MMIO_UNSAT_READ] + c[HVB_C_MMIO_READ] + c[HVB_C_MMIO_WRITE]),
		"read_unsatisfied", (json_int_t)c[HVB_C_MMIO_UNSAT_READ],
		"read", (json_int_t)c[HVB_C_MMIO_READ], "write", (json_int_t)c[HVB_C_MMIO_WRITE],
		"kvm_msr", "count", (json_int_t)(c[HVB_C_MSR_READ] + c[HVB_C_MSR_WRITE]),
		"read", (json_int_t)c[HVB_C_MSR_READ], "write", (json_int_t)c[HVB_C_MSR_WRITE],
		"gp", (json_int_t)c[HVB_C_MSR_GP],
		"kvm_hypercall", "count", (json_int_t)c[HVB_C_HYPERCALL],
		"kvm_cpuid", "count", (json_int_t)c[HVB_C_CPUID],
		"kvm_exit", "count", (json_int_t)c[HVB_C_KVM_EXIT],
		"kvm_entry", "count", (json_int_t)c[HVB_C_KVM_ENTRY],
		"kvm_set_irq", "count", (json_int_t)c[HVB_C_SET_IRQ],
		"kvm_msi_set_irq", "count", (json_int_t)c[HVB_C_MSI_SET_IRQ],
		"kvm_apic_accept_irq", "count", (json_int_t)c[HVB_C_APIC_ACCEPT_IRQ],
		"coalesced", (json_int_t)c[HVB_C_IRQ_COALESCED],
		"kvm_inj_virq", "count", (json_int_t)c[HVB_C_INJ_VIRQ],
		"kvm_vcpu_wakeup", "count", (json_int_t)c[HVB_C_VCPU_WAKEUP],
		"kvm_eoi", "count", (json_int_t)c[HVB_C_EOI],
		"sched_switch", "count",
		(json_int_t)(c[HVB_C_SWITCH_VOLUNTARY] + c[HVB_C_SWITCH_INVOLUNTARY]),
		"voluntary", (json_int_t)c[HVB_C_SWITCH_VOLUNTARY],
		"involuntary", (json_int_t)c[HVB_C_SWITCH_INVOLUNTARY],
		"sched_wakeup", "count", (json_int_t)c[HVB_C_WAKEUP]);
}

static bool fired(const struct probes_snapshot *s, int i)
{
	for (int k = 0; k < tracepoints[i].n; k++)
		if (s->c.c[tracepoints[i].c[k]])
			return true;
	return false;
}

static void not_firing_add(json_t *list, const char *tp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void not_firing_add(json_t *list, const char *tp, const char *fmt, ...)
{
	char why[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	json_array_append_new(list, json_pack("{s:s,s:s}", "tracepoint", tp, "why", why));
}

/*
 * The silences that mean "this host does not call it", not "nothing
 * happened": they are the ones whose figures are then left out.
 */
static json_t *not_firing(const struct probes_snapshot *s, bool *exits_silent,
			  bool *inj_silent)
{
	const __u64 *c = s->c.c;
	unsigned long long runs = c[HVB_C_KVM_RUN];
	json_t *list = json_array();
	char be[48];

	*exits_silent = *inj_silent = false;
	if (!list)
		return NULL;
	if (strcmp(s->kvm_backend, "unknown"))
		snprintf(be, sizeof(be), "the %s KVM backend", s->kvm_backend);
	else
		snprintf(be, sizeof(be), "this KVM backend");
	if (s->kvm_exit_unattached[0]) {
		*exits_silent = true;
		not_firing_add(list, "kvm:kvm_exit", "%s", s->kvm_exit_unattached);
	} else if (runs && !c[HVB_C_KVM_EXIT]) {
		*exits_silent = true;
		not_firing_add(list, "kvm:kvm_exit",
			       "never fired during %llu KVM_RUN calls: %s does not call it "
			       "(only vmx and svm do); no exit reasons", runs, be);
	}
	if (runs && !c[HVB_C_KVM_ENTRY]) {
		*exits_silent = true;
		not_firing_add(list, "kvm:kvm_entry",
			       "never fired during %llu KVM_RUN calls: %s does not call it "
			       "(only vmx and svm do); exit events the kernel completes itself "
			       "are counted, not timed", runs, be);
	}
	if (c[HVB_C_APIC_ACCEPT_IRQ] && !c[HVB_C_INJ_VIRQ] &&
	    (c[HVB_C_VCPU_WAKEUP] || c[HVB_C_EOI])) {
		*inj_silent = true;
		not_firing_add(list, "kvm:kvm_inj_virq",
			       "never fired while %llu interrupts were accepted and handled: "
			       "%s injects without it; delivery is timed at kvm_vcpu_wakeup and "
			       "at the guest's EOI instead",
			       (unsigned long long)c[HVB_C_APIC_ACCEPT_IRQ], be);
	}
	return list;
}

static json_t *completion(const struct probes_snapshot *s)
{
	json_t *o = json_object();

	for (int k = 0; o && k < HVB_NR_LAT; k++)
		json_object_set_new(o, lat_names[k],
				    json_pack("{s:I,s:I,s:I}",
					      "to_userspace", (json_int_t)s->c.lat_to_user[k],
					      "to_entry", (json_int_t)s->c.lat_to_entry[k],
					      "unmatched", (json_int_t)s->c.lat_unmatched[k]));
	return o;
}

static json_t *exit_reasons(const struct probes_snapshot *s)
{
	json_t *a = json_array();
	char buf[32];

	for (unsigned int i = 0; a && i < s->nr_exit_reasons; i++) {
		const struct probes_exit_reason *r = &s->exit_reasons[i];

		json_array_append_new(a, json_pack("{s:s,s:I,s:s,s:I,s:I,s:f,s:I}",
			"isa", r->isa == KVM_ISA_VMX ? "vmx" : r->isa == KVM_ISA_SVM ? "svm" : "?",
			"reason", (json_int_t)r->reason,
			"name", exit_name(r->isa, r->reason, buf, sizeof(buf)),
			"count", (json_int_t)r->st.count,
			"timed", (json_int_t)r->st.done,
			"mean_to_entry_ns", r->st.done ? (double)r->st.sum_ns / r->st.done : 0.0,
			"max_to_entry_ns", (json_int_t)r->st.max_ns));
	}
	return a;
}

static json_t *threads(const struct probes_snapshot *s, bool *preempted)
{
	json_t *a = json_array();

	*preempted = false;
	for (unsigned int i = 0; a && i < s->nr_threads; i++) {
		const struct probes_thread_stats *t = &s->threads[i];

		if (t->st.switch_involuntary)
			*preempted = true;
		json_array_append_new(a, json_pack(
			"{s:i,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"tid", (int)t->tid,
			"kind", (unsigned int)t->kind < 3 ? kind_names[t->kind] : "?",
			"index", (int)t->index,
			"kvm_run_calls", (json_int_t)t->st.kvm_run_calls,
			"kvm_run_ns", (json_int_t)t->st.kvm_run_ns,
			"userspace_ns", (json_int_t)t->st.user_ns,
			"switches_voluntary", (json_int_t)t->st.switch_voluntary,
			"switches_involuntary", (json_int_t)t->st.switch_involuntary,
			"wakeups", (json_int_t)t->st.wakeups,
			"runqueue_waits", (json_int_t)t->st.rq_waits,
			"runqueue_wait_ns", (json_int_t)t->st.rq_wait_ns,
			"runqueue_wait_max_ns", (json_int_t)t->st.rq_wait_max_ns));
	}
	return a;
}

json_t *probes_snapshot_json(const struct probes_snapshot *s)
{
	json_t *o = json_object(), *fired_o = json_object(), *hists = json_object();
	bool exits_silent, inj_silent, preempted;
	json_t *nf = not_firing(s, &exits_silent, &inj_silent);

	if (!o || !fired_o || !hists || !nf) {
		json_decref(o);
		json_decref(fired_o);
		json_decref(hists);
		json_decref(nf);
		return NULL;
	}
	json_object_set_new(o, "source", json_string("ebpf"));
	json_object_set_new(o, "kvm_backend", json_string(s->kvm_backend));
	json_object_set_new(o, "bucket_scheme",
			    json_pack("{s:s,s:i,s:i}", "kind", "log2-linear",
				      "sub_buckets", HVB_HIST_SUB, "max_log2", HVB_HIST_MAX_LOG2));
	json_object_set_new(o, "events", counts(s));
	/* A tracepoint this backend never calls has no count, not a zero: not_firing says why. */
	if (exits_silent) {
		json_object_set_new(json_object_get(o, "events"), "kvm_exit", json_null());
		json_object_set_new(json_object_get(o, "events"), "kvm_entry", json_null());
	}
	if (inj_silent)
		json_object_set_new(json_object_get(o, "events"), "kvm_inj_virq", json_null());
	for (size_t i = 0; i < sizeof(tracepoints) / sizeof(tracepoints[0]); i++)
		json_object_set_new(fired_o, tracepoints[i].name, json_boolean(fired(s, i)));
	json_object_set_new(o, "fired", fired_o);
	json_object_set_new(o, "not_firing", nf);
	for (int h = 0; h < HVB_NR_HISTS; h++) {
		if ((h == HVB_H_EXIT && exits_silent) || (h == HVB_H_IRQ_INJECT && inj_silent))
			continue;
		json_object_set_new(hists, hist_names[h], hist_json(&s->hist[h]));
	}
	json_object_set_new(o, "histograms", hists);
	json_object_set_new(o, "exit_completion", completion(s));
	if (!exits_silent)
		json_object_set_new(o, "exit_reasons", exit_reasons(s));
	json_object_set_new(o, "threads", threads(s, &preempted));
	json_object_set_new(o, "preempted", json_boolean(preempted));
	return o;
}
