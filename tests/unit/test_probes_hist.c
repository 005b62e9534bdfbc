/* SPDX-License-Identifier: MIT */
/*
 * The probes' arithmetic and report, without BPF: the histogram bucket
 * scheme the BPF programs and the host share (every bucket boundary, the
 * bounded relative width), quantiles read back from buckets, and the JSON
 * section: silent tracepoints are explained and their figures left out,
 * exit reasons are named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes.h"

static void test_ilog2(void **state)
{
	uint64_t x = 88172645463325252ull;

	(void)state;
	for (int k = 0; k < 64; k++) {
		assert_int_equal(hvb_ilog2(1ull << k), k);
		if (k)
			assert_int_equal(hvb_ilog2((1ull << k) - 1), k - 1);
	}
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x)
			assert_int_equal(hvb_ilog2(x), 63 - __builtin_clzll(x));
	}
}

static void test_bucket_boundaries(void **state)
{
	(void)state;
	for (uint64_t v = 0; v < HVB_HIST_SUB * 2; v++)
		assert_int_equal(hvb_hist_bucket(v), v);
	assert_int_equal(hvb_hist_lower(0), 0);
	for (unsigned int b = 1; b < HVB_HIST_BUCKETS; b++) {
		uint64_t lo = hvb_hist_lower(b), prev = hvb_hist_lower(b - 1);

		assert_true(lo > prev);
		assert_int_equal(hvb_hist_bucket(lo), b);
		assert_int_equal(hvb_hist_bucket(lo - 1), b - 1);
		/* Width at most 1/8 of the lower bound above the exact range. */
		if (b > HVB_HIST_SUB)
			assert_true((lo - prev) * HVB_HIST_SUB <= prev);
	}
	/* Documented examples (docs/probes.md). */
	assert_int_equal(hvb_hist_lower(16), 16);
	assert_int_equal(hvb_hist_lower(17), 18);
	assert_int_equal(hvb_hist_bucket(10000), 89);
	assert_int_equal(hvb_hist_lower(89), 9216);
	assert_int_equal(hvb_hist_lower(90), 10240);
	assert_int_equal(hvb_hist_lower(HVB_HIST_BUCKETS - 1), 15ull << 36);
	/* Everything from 2^40 ns up shares the last bucket. */
	assert_int_equal(hvb_hist_bucket(1ull << 40), HVB_HIST_BUCKETS - 1);
	assert_int_equal(hvb_hist_bucket(UINT64_MAX), HVB_HIST_BUCKETS - 1);
}

static void hist_add(struct hvb_hist *h, uint64_t v)
{
	h->count++;
	h->sum_ns += v;
	if (v > h->max_ns)
		h->max_ns = v;
	h->bucket[hvb_hist_bucket(v)]++;
}

static void test_quantiles(void **state)
{
	struct hvb_hist *h = calloc(1, sizeof(*h));

	(void)state;
	assert_non_null(h);
	assert_true(probes_hist_quantile(h, 0.5) == 0);

	/* One value: every quantile is in its bucket and never above it. */
	hist_add(h, 10000);
	for (double q = 0.01; q <= 1.0; q += 0.01) {
		double v = probes_hist_quantile(h, q);

		assert_true(v >= 9216 && v <= 10000);
	}

	/* 1..100000 uniformly: within a bucket's width of the truth. */
	memset(h, 0, sizeof(*h));
	for (uint64_t v = 1; v <= 100000; v++)
		hist_add(h, v);
	assert_true(fabs(probes_hist_quantile(h, 0.5) - 50000) <= 50000 / 8.0);
	assert_true(fabs(probes_hist_quantile(h, 0.9) - 90000) <= 90000 / 8.0);
	assert_true(fabs(probes_hist_quantile(h, 0.99) - 99000) <= 99000 / 8.0);
	assert_true(probes_hist_quantile(h, 1.0) <= 100000);
	assert_true(probes_hist_quantile(h, 0.5) <= probes_hist_quantile(h, 0.9));
	free(h);
}

static bool listed(json_t *j, const char *tp, const char *needle)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(j, "not_firing"), i, e)
		if (!strcmp(json_string_value(json_object_get(e, "tracepoint")), tp))
			return strstr(json_string_value(json_object_get(e, "why")), needle);
	return false;
}

/* A PVM host: KVM_RUN calls, port exits, no kvm_exit/kvm_entry/kvm_inj_virq. */
static void test_json_silent(void **state)
{
	struct probes_snapshot *s = calloc(1, sizeof(*s));
	json_t *j, *h;

	(void)state;
	assert_non_null(s);
	strcpy(s->kvm_backend, "pvm");
	s->c.c[HVB_C_KVM_RUN] = s->c.c[HVB_C_KVM_RUN_DONE] = 1001;
	s->c.c[HVB_C_PIO_OUT] = 1001;
	s->c.c[HVB_C_APIC_ACCEPT_IRQ] = 3;
	s->c.c[HVB_C_EOI] = 3;
	s->c.uexit_reason[2] = 1000;
	s->c.uexit_reason[HVB_NR_UEXIT - 1] = 1;
	hist_add(&s->hist[HVB_H_KVM_RUN], 10000);
	s->nr_threads = 1;
	s->threads[0] = (struct probes_thread_stats){ .tid = 42, .kind = HVB_THREAD_VCPU };
	s->threads[0].st.switch_involuntary = 2;

	j = probes_snapshot_json(s);
	assert_non_null(j);
	assert_true(listed(j, "kvm:kvm_exit", "never fired during 1001 KVM_RUN calls: the pvm KVM backend"));
	assert_true(listed(j, "kvm:kvm_entry", "1001 KVM_RUN calls"));
	assert_true(listed(j, "kvm:kvm_inj_virq", "3 interrupts"));
	assert_null(json_object_get(j, "exit_reasons"));
	h = json_object_get(j, "histograms");
	assert_null(json_object_get(h, "exit_to_entry"));
	assert_null(json_object_get(h, "irq_accept_to_inj_virq"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "kvm_run"), "count")), 1);
	assert_true(json_real_value(json_object_get(json_object_get(h, "kvm_run"), "p50_ns")) > 9000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "kvm_run"), "max_ns")), 10000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(h, "userspace"), "count")), 0);
	assert_true(json_is_false(json_object_get(json_object_get(j, "fired"), "kvm:kvm_exit")));
	assert_true(json_is_true(json_object_get(json_object_get(j, "fired"), "kvm:kvm_pio")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_object_get(
		json_object_get(j, "events"), "kvm_userspace_exit"), "reasons"), "IO")), 1000);
	assert_non_null(json_object_get(json_object_get(json_object_get(
		json_object_get(j, "events"), "kvm_userspace_exit"), "reasons"), "reason_63_or_more"));
	assert_true(json_is_true(json_object_get(j, "preempted")));
	json_decref(j);

	/* No KVM_RUN at all: silence is no news. */
	memset(s, 0, sizeof(*s));
	strcpy(s->kvm_backend, "unknown");
	j = probes_snapshot_json(s);
	assert_int_equal(json_array_size(json_object_get(j, "not_firing")), 0);
	assert_true(json_is_false(json_object_get(j, "preempted")));
	json_decref(j);

	/* kvm_exit not attached: its reason, whatever the counts. */
	strcpy(s->kvm_exit_unattached, "cannot attach kvm:kvm_exit: No such file or directory");
	j = probes_snapshot_json(s);
	assert_true(listed(j, "kvm:kvm_exit", "cannot attach"));
	json_decref(j);
	free(s);
}

/* A VMX or SVM host: exits fire, reasons are named. */
static void test_json_exit_reasons(void **state)
{
	struct probes_snapshot *s = calloc(1, sizeof(*s));
	json_t *j, *a;

	(void)state;
	assert_non_null(s);
	strcpy(s->kvm_backend, "vmx");
	s->c.c[HVB_C_KVM_RUN] = 10;
	s->c.c[HVB_C_KVM_EXIT] = s->c.c[HVB_C_KVM_ENTRY] = 12;
	s->nr_exit_reasons = 3;
	s->exit_reasons[0] = (struct probes_exit_reason){ .isa = 1, .reason = 30,
		.st = { .count = 10, .done = 10, .sum_ns = 50000, .max_ns = 9000 } };
	s->exit_reasons[1] = (struct probes_exit_reason){ .isa = 2, .reason = 0x7b,
		.st = { .count = 1, .done = 1, .sum_ns = 100, .max_ns = 100 } };
	s->exit_reasons[2] = (struct probes_exit_reason){ .isa = 2, .reason = 0x13,
		.st = { .count = 1 } };
	hist_add(&s->hist[HVB_H_EXIT], 5000);

	j = probes_snapshot_json(s);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "not_firing")), 0);
	assert_non_null(json_object_get(json_object_get(j, "histograms"), "exit_to_entry"));
	a = json_object_get(j, "exit_reasons");
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "name")),
			    "IO_INSTRUCTION");
	assert_true(json_real_value(json_object_get(json_array_get(a, 0), "mean_to_entry_ns")) == 5000);
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 1), "name")), "io");
	assert_string_equal(json_string_value(json_object_get(json_array_get(a, 2), "name")),
			    "write_cr3");
	json_decref(j);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ilog2),
		cmocka_unit_test(test_bucket_boundaries),
		cmocka_unit_test(test_quantiles),
		cmocka_unit_test(test_json_silent),
		cmocka_unit_test(test_json_exit_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
