/* SPDX-License-Identifier: MIT */
/*
 * hvbench compare, gate and baseline on made-up results documents: the
 * cells they read out of a file (and the files they refuse), how cells are
 * matched and judged, the thresholds file, and how a baseline merges runs.
 * The statistics themselves are checked in test_compare_stats.c.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "baseline.h"
#include "compare.h"
#include "gate.h"
#include "gate_thresholds.h"
#include "md_text.h"
#include "results_cells.h"
#include "results_read.h"

/* One repetition of n samples base, base + step, ... */
static json_t *rep(double base, double step, size_t n)
{
	json_t *s = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(s, json_real(base + step * (double)i));
	return json_pack("{s:i, s:s, s:o}", "rep", 0, "status", "ok", "samples", s);
}

static json_t *cell(const char *workload, const char *mode, int cpl, const char *status,
		    json_t *reps)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "workload", workload,
			      "mode", mode, "target", "refvmm", "status", status,
			      "cpl", cpl < 0 ? json_null() : json_integer(cpl), "repetitions", reps);

	if (strcmp(status, "ok"))
		json_object_set_new(c, "reason", json_string("the vCPU hung"));
	return c;
}

/* A document as results_parse returns it: validated, strings defanged. */
static json_t *doc_of(const char *kind, json_t *results)
{
	json_t *d = json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:o, s:{s:i}, s:o}",
			      "schema", "hvbench-results", "schema_version", 1, "kind", kind,
			      "command", "hvbench run", "started_at", "2026-11-25T00:00:00Z",
			      "complete", 1, "environment", json_pack("{s:s}", "hostname", "h"),
			      "settings", "debug_pio_delay_ns", 0, "results", results);
	char *text = json_dumps(d, 0), why[256];
	json_t *parsed = results_parse(text, strlen(text), why, sizeof(why));

	if (!parsed)
		fail_msg("results_parse refused the test document: %s", why);
	free(text);
	json_decref(d);
	return parsed;
}

static void set_of(struct results_set *s, json_t *doc)
{
	char why[256];

	memset(s, 0, sizeof(*s));
	s->doc = doc;
	s->path = "test.json";
	if (results_set_from_doc(s, doc, why, sizeof(why)))
		fail_msg("results_set_from_doc: %s", why);
}

static int refusal(json_t *doc, char *why, size_t len)
{
	struct results_set s = { .doc = doc, .path = "x" };
	int r = results_set_from_doc(&s, doc, why, len);

	results_set_free(&s);
	return r;
}

/* Samples pooled in repetition order with their ends; the median over all of them. */
static void test_cells_gather(void **state)
{
	struct results_set s;
	const struct results_cell *c;

	(void)state;
	set_of(&s, doc_of("run", json_pack("[o, o]",
		cell("cpuid", "hvm", 0, "ok", json_pack("[o, o, {s:s}]", rep(10, 1, 3),
							rep(20, 1, 2), "status", "hang")),
		cell("pio-user", "native", -1, "unavailable", json_array()))));
	assert_int_equal(s.nr_cells, 2);
	c = &s.cells[0];
	assert_int_equal(c->n, 5);
	assert_int_equal(c->nr_reps, 2);
	assert_int_equal(c->ends[0], 3);
	assert_int_equal(c->ends[1], 5);
	assert_true(c->samples[3] == 20.0);
	assert_true(c->p50 == 12.0);	/* 10 11 12 20 21 */
	assert_int_equal(s.cells[1].cpl, -1);
	assert_int_equal(s.cells[1].n, 0);
	assert_true(isnan(s.cells[1].p50));
	assert_string_equal(s.cells[1].reason, "the vCPU hung");
	results_set_free(&s);
}

static void test_cells_refused(void **state)
{
	char why[256];
	json_t *bad_sample = rep(1, 1, 3);

	(void)state;
	json_array_set_new(json_object_get(bad_sample, "samples"), 1, json_real(-4));
	assert_int_equal(refusal(doc_of("run", json_pack("[o]", cell("cpuid", "hvm", 0, "ok",
		json_pack("[o]", bad_sample)))), why, sizeof(why)), -1);
	assert_string_equal(why, "results[0].repetitions[0].samples[1] is not a time (a number "
			    "of ns, 0 or more)");

	assert_int_equal(refusal(doc_of("run", json_pack("[o, o]",
		cell("cpuid", "hvm", 0, "ok", json_pack("[o]", rep(1, 1, 2))),
		cell("cpuid", "hvm", 0, "ok", json_pack("[o]", rep(1, 1, 2))))), why,
		sizeof(why)), -1);
	assert_string_equal(why, "results[1] repeats the cell cpuid/hvm/refvmm/0");

	assert_int_equal(refusal(doc_of("run", json_pack("[{s:s, s:s, s:s, s:s, s:i}]",
		"workload", "cpuid", "mode", "hvm", "target", "refvmm", "status", "ok", "cpl", 0)),
		why, sizeof(why)), -1);
	assert_string_equal(why, "results[0].repetitions is missing or not an array");

	assert_int_equal(refusal(doc_of("run", json_pack("[o]", cell("cpuid", "hvm", 0, "ok",
		json_pack("[{s:s, s:s}]", "status", "ok", "samples", "many")))), why,
		sizeof(why)), -1);
	assert_string_equal(why, "results[0].repetitions[0] is ok but has no samples array");

	assert_int_equal(refusal(doc_of("nonsense", json_array()), why, sizeof(why)), -1);
	assert_string_equal(why, "kind \"nonsense\": not benchmark results (run or baseline)");
}

static double ten_pct(const struct results_cell *c, void *ctx)
{
	(void)c;
	(void)ctx;
	return 10.0;
}

static const struct compare_opts opts = {
	.alpha = 0.05, .level = 0.95, .resamples = 500, .seed = 1, .threshold = ten_pct,
};

/*
 * Base: three repetitions around 100. Candidate: the same cells, one twice as
 * slow, one the same, one that now hangs, one only in each file.
 */
static void test_compare_rows(void **state)
{
	struct results_set a, b;
	struct compare_row *rows;
	size_t n;

	(void)state;
	set_of(&a, doc_of("run", json_pack("[o, o, o, o]",
		cell("slow", "hvm", 0, "ok", json_pack("[o, o, o]", rep(95, 0.5, 20),
						       rep(97, 0.5, 20), rep(96, 0.5, 20))),
		cell("same", "hvm", 0, "ok", json_pack("[o, o, o]", rep(95, 0.5, 20),
						       rep(97, 0.5, 20), rep(96, 0.5, 20))),
		cell("broke", "hvm", 3, "ok", json_pack("[o]", rep(50, 1, 10))),
		cell("gone", "pv", 0, "ok", json_pack("[o]", rep(50, 1, 10))))));
	set_of(&b, doc_of("run", json_pack("[o, o, o, o]",
		cell("slow", "hvm", 0, "ok", json_pack("[o, o, o]", rep(190, 1, 20),
						       rep(194, 1, 20), rep(192, 1, 20))),
		cell("same", "hvm", 0, "ok", json_pack("[o, o, o]", rep(96, 0.5, 20),
						       rep(95, 0.5, 20), rep(97, 0.5, 20))),
		cell("broke", "hvm", 3, "hang", json_pack("[{s:s}]", "status", "hang")),
		cell("new", "pv", 0, "ok", json_pack("[o]", rep(50, 1, 10))))));
	assert_int_equal(compare_sets(&a, &b, &opts, &rows, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(rows[0].state, COMPARE_DONE);
	assert_int_equal(rows[0].verdict, CMP_SLOWER);
	assert_true(rows[0].ci.lo > 1.9 && rows[0].ci.hi < 2.1);
	assert_true(rows[0].mwu.p < 1e-6);
	assert_int_equal(rows[1].state, COMPARE_DONE);
	assert_int_equal(rows[1].verdict, CMP_NO_CHANGE);
	assert_int_equal(rows[2].state, COMPARE_NOT_OK);
	assert_true(rows[2].broke);
	assert_string_equal(rows[2].why, "now hang: the vCPU hung");
	assert_int_equal(rows[3].state, COMPARE_ONLY_A);
	assert_int_equal(rows[4].state, COMPARE_ONLY_B);
	assert_string_equal(rows[4].b->workload, "new");

	{
		struct compare_warnings w = { 0 };
		struct gate_result g = { .base = &a, .res = &b, .rows = rows, .n = n,
					 .opts = &opts, .warnings = &w };

		gate_count(&g);
		assert_int_equal(g.regressions, 2);	/* slower, and broke */
		assert_int_equal(g.improvements, 0);
		assert_int_equal(g.compared, 3);
	}
	free(rows);
	results_set_free(&a);
	results_set_free(&b);
}

/*
 * Two repetitions that disagree by 30% on each side, and a candidate whose
 * pooled median is 20% higher: the samples alone say "slower" with certainty,
 * but the bootstrap over repetitions knows a 20% move is within what the
 * boots already differed by, so there is no significant change at 10%.
 */
static void test_compare_noisy_repetitions(void **state)
{
	struct results_set a, b;
	struct compare_row *rows;
	size_t n;

	(void)state;
	set_of(&a, doc_of("run", json_pack("[o]", cell("w", "hvm", 0, "ok",
		json_pack("[o, o]", rep(100, 0.1, 50), rep(130, 0.1, 50))))));
	set_of(&b, doc_of("run", json_pack("[o]", cell("w", "hvm", 0, "ok",
		json_pack("[o, o]", rep(120, 0.1, 50), rep(156, 0.1, 50))))));
	assert_int_equal(compare_sets(&a, &b, &opts, &rows, &n), 0);
	assert_int_equal(rows[0].state, COMPARE_DONE);
	assert_true(rows[0].mwu.p < 1e-6);
	assert_true(rows[0].ci.lo < 1.1);
	assert_int_equal(rows[0].verdict, CMP_NO_CHANGE);
	free(rows);
	results_set_free(&a);
	results_set_free(&b);
}

/*
 * A baseline keeps each repetition's first samples; a run keeps more. The
 * same measurement must then compare as the same: both sides are cut to the
 * first 5 of each repetition here, so the medians agree and p is 1.
 */
static void test_compare_same_stretch(void **state)
{
	struct results_set a, b;
	struct compare_row *rows;
	size_t n;

	(void)state;
	set_of(&a, doc_of("baseline", json_pack("[o]", cell("w", "hvm", 0, "ok",
		json_pack("[o, o]", rep(10, 1, 5), rep(20, 1, 5))))));
	set_of(&b, doc_of("run", json_pack("[o]", cell("w", "hvm", 0, "ok",
		json_pack("[o, o]", rep(10, 1, 9), rep(20, 1, 9))))));
	assert_int_equal(compare_sets(&a, &b, &opts, &rows, &n), 0);
	assert_int_equal(rows[0].state, COMPARE_DONE);
	assert_int_equal(rows[0].per_rep, 5);
	assert_int_equal(rows[0].n_b, 10);
	assert_true(rows[0].a_median == rows[0].b_median);
	assert_true(rows[0].mwu.p == 1.0);
	assert_true(b.cells[0].p50 != rows[0].b_median);	/* all 18 samples say otherwise */
	free(rows);
	results_set_free(&a);
	results_set_free(&b);
}

/* Markdown from a file's names stays text: no link, image, code, HTML or cell break. */
static void test_md_text(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	md_text(f, "![i](http://e/p.png) <b>x</b> a|b `c` *d* _e_ ~f~ &amp; pio-user 1.5\nx\x01");
	fclose(f);
	assert_string_equal(out, "\\!\\[i\\]\\(http://e/p.png\\) \\<b\\>x\\</b\\> a\\|b "
			    "\\`c\\` \\*d\\* \\_e\\_ \\~f\\~ \\&amp; pio-user 1.5 x?");
	free(out);
}

static int parse(struct gate_thresholds *t, const char *text, char *why, size_t len)
{
	memset(t, 0, sizeof(*t));
	t->default_pct = 10;
	return gate_thresholds_parse(t, text, strlen(text), why, len);
}

static double threshold_for(struct gate_thresholds *t, const char *w, const char *mode,
			    const char *target, int cpl)
{
	struct results_cell c = { .workload = w, .mode = mode, .target = target, .cpl = cpl };

	return gate_threshold_of(&c, t);
}

static void test_thresholds(void **state)
{
	struct gate_thresholds t;
	char why[256];

	(void)state;
	assert_int_equal(parse(&t, "# general first\n"
				   "*            25\n"
				   "cpuid        15%   # the workload, anything else\n"
				   "\n"
				   "io-*/offload-poll/*/3  60\n"
				   "*/native/native   ignore\n"
				   "cpuid/hvm/refvmm/0  5\n", why, sizeof(why)), 0);
	assert_int_equal(t.n, 5);
	assert_true(threshold_for(&t, "cpuid", "hvm", "refvmm", 0) == 5);
	assert_true(threshold_for(&t, "cpuid", "hvm", "refvmm", 3) == 15);
	assert_true(isnan(threshold_for(&t, "cpuid", "native", "native", -1)));
	assert_true(threshold_for(&t, "io-lat-64", "offload-poll", "refvmm", 3) == 60);
	assert_true(threshold_for(&t, "io-lat-64", "offload-poll", "refvmm", 0) == 25);
	assert_true(threshold_for(&t, "pio-user", "hvm", "refvmm-np", 0) == 25);
	gate_thresholds_free(&t);

	assert_int_equal(parse(&t, "", why, sizeof(why)), 0);
	assert_true(threshold_for(&t, "cpuid", "hvm", "refvmm", 0) == 10);
	gate_thresholds_free(&t);
}

static void test_thresholds_refused(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "cpuid\n", "1: 'cpuid' has no threshold (PATTERN PCT|ignore)" },
		{ "\n\ncpuid 10 20\n", "3: unexpected '20' after the threshold" },
		{ "cpuid ten\n", "1: threshold 'ten' is not a percentage 0 to 1000 or ignore" },
		{ "cpuid -5\n", "1: threshold '-5' is not a percentage 0 to 1000 or ignore" },
		{ "cpuid 5000\n", "1: threshold '5000' is not a percentage 0 to 1000 or ignore" },
		{ "cpuid nan\n", "1: threshold 'nan' is not a percentage 0 to 1000 or ignore" },
		{ "a/b/c/d/e 5\n", "1: pattern has more than 4 parts (workload/mode/target/cpl)" },
		{ "a//c 5\n", "1: pattern has an empty part" },
		{ "cpuid %\n", "1: threshold '%' is not a percentage 0 to 1000 or ignore" },
	};
	struct gate_thresholds t;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&t, cases[i].text, why, sizeof(why)), -1);
		assert_string_equal(why, cases[i].why);
		gate_thresholds_free(&t);
	}
	{
		char line[GATE_MAX_LINE + 8];

		memset(line, 'a', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\0';
		assert_int_equal(parse(&t, line, why, sizeof(why)), -1);
		assert_string_equal(why, "1: line longer than 512 bytes");
		gate_thresholds_free(&t);
	}
	assert_int_equal(gate_thresholds_parse(&t, "a 1\0b 2\n", 8, why, sizeof(why)), -1);
	assert_string_equal(why, "1: a NUL byte: not a text file");
	gate_thresholds_free(&t);
}

/* Two runs, a cell in both and one in the second only. */
static void test_baseline_merge(void **state)
{
	struct results_set runs[2], base;
	json_t *doc, *reps;
	char why[256];

	(void)state;
	set_of(&runs[0], doc_of("run", json_pack("[o]", cell("cpuid", "hvm", 0, "ok",
		json_pack("[o, o]", rep(10, 1, 4), rep(12, 1, 4))))));
	set_of(&runs[1], doc_of("run", json_pack("[o, o]",
		cell("cpuid", "hvm", 0, "ok", json_pack("[o]", rep(30, 1, 4))),
		cell("rdtsc", "hvm", 3, "ok", json_pack("[o]", rep(5, 1, 4))))));
	doc = baseline_merge(runs, 2, 3, "a note", "hvbench baseline record");
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "baseline");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "baseline"),
							       "note")), "a note");
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "baseline"),
							 "runs")), 2);
	reps = json_object_get(json_array_get(json_object_get(doc, "results"), 0), "repetitions");
	assert_int_equal(json_array_size(reps), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(reps, 2), "run")), 1);
	/* samples cut to 3 per repetition: 10 11 12, 12 13 14, 30 31 32 */
	assert_int_equal(json_array_size(json_object_get(json_array_get(reps, 0), "samples")), 3);

	/* It reads back as results: the summary is over the 9 samples it keeps. */
	{
		char *text = json_dumps(doc, 0);
		json_t *parsed = results_parse(text, strlen(text), why, sizeof(why));
		const json_t *sum;

		assert_non_null(parsed);
		set_of(&base, parsed);
		free(text);
		assert_int_equal(base.nr_cells, 2);
		assert_int_equal(base.cells[0].nr_reps, 3);
		assert_int_equal(base.cells[0].n, 9);
		assert_true(base.cells[0].p50 == 13.0);
		sum = json_object_get(base.cells[0].json, "summary");
		assert_int_equal(json_integer_value(json_object_get(sum, "n")), 9);
		assert_true(json_number_value(json_object_get(sum, "p50")) == 13.0);
		assert_string_equal(base.cells[1].workload, "rdtsc");
		results_set_free(&base);
	}
	json_decref(doc);
	results_set_free(&runs[0]);
	results_set_free(&runs[1]);
}

static void test_labels(void **state)
{
	struct results_set s[4] = { { .path = "a/run.json" }, { .path = "b/run.json" },
				    { .path = "run-2.json" }, { .path = "x\x01\xc3\xa9" } };
	char why[160];

	(void)state;
	assert_int_equal(results_sets_label(s, 4, NULL, why, sizeof(why)), 0);
	assert_string_equal(s[0].label, "run");
	assert_string_equal(s[1].label, "run-2");
	assert_string_equal(s[2].label, "run-2-2");
	assert_string_equal(s[3].label, "x???");
	assert_int_equal(results_sets_label(s, 2, "base,new", why, sizeof(why)), 0);
	assert_string_equal(s[1].label, "new");
	assert_int_equal(results_sets_label(s, 2, "base", why, sizeof(why)), -1);
	assert_string_equal(why, "--labels takes 2 non-empty names under 64 bytes, separated by "
			    "commas, one per file");
	assert_int_equal(results_sets_label(s, 2, "base,new,more", why, sizeof(why)), -1);
	assert_int_equal(results_sets_label(s, 2, "base,", why, sizeof(why)), -1);
	assert_int_equal(results_sets_label(s, 2, "same,same", why, sizeof(why)), -1);
	assert_string_equal(why, "--labels names 'same' twice");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells_gather),
		cmocka_unit_test(test_cells_refused),
		cmocka_unit_test(test_compare_rows),
		cmocka_unit_test(test_compare_noisy_repetitions),
		cmocka_unit_test(test_compare_same_stretch),
		cmocka_unit_test(test_md_text),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_thresholds_refused),
		cmocka_unit_test(test_baseline_merge),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
