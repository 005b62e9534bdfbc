/* SPDX-License-Identifier: MIT */
/*
 * The results file read back (runner/results/results_read.c): what results_write
 * writes, results_load returns with the same figures and the same table
 * rows as the live cells give; what is not a results file of this version
 * is refused with a reason naming the problem; and the summary table's
 * exact layout (runner/results/table.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <unistd.h>

#include "cell.h"
#include "results_read.h"
#include "results_write.h"
#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The samples of each measured cell: p50 120, p99 139.6, CI [100, 140] (n < 6: min, max). */
static const double samples[] = { 130, 100, 140, 110, 120 };

static char dir[] = "/tmp/test_results.XXXXXX";

static void path_in_dir(char *buf, size_t len, const char *name)
{
	assert_true(snprintf(buf, len, "%s/%s", dir, name) < (int)len);
}

static void cell_make(struct cell *c, enum bench_mode mode, const struct target *target,
		      unsigned int cpl)
{
	memset(c, 0, sizeof(*c));
	c->w = workload_find("cpuid");
	assert_non_null(c->w);
	c->mode = mode;
	c->target = target;
	c->cpl = cpl;
}

/* One ok repetition of the known samples; KVM counters only under refvmm, as there. */
static void cell_measured(struct cell *c, enum bench_mode mode, const struct target *target,
			  unsigned int cpl)
{
	struct rep *r = &c->reps[0];

	cell_make(c, mode, target, cpl);
	r->status = REP_OK;
	r->ns = malloc(sizeof(samples));
	assert_non_null(r->ns);
	memcpy(r->ns, samples, sizeof(samples));
	r->n = ARRAY_SIZE(samples);
	r->batch = 8;
	r->ops = 8 * ARRAY_SIZE(samples);
	r->timer_ns = 20;
	r->corr_ns = 20;
	r->seconds = 0.5;
	if (target == &target_refvmm) {
		r->costs.valid = true;
		for (int s = 0; s < BENCH_NR_STATS; s++)
			r->costs.stats[s] = s == 0 ? 1.5 : 0;
		r->costs.stats[2] = -1; /* a counter this KVM lacks: null */
		r->costs.user_exits = 0.25;
		r->costs.vcpu_cpu_ns = 150;
		r->costs.wall_ns = 160;
	}
	c->nr_reps = 1;
	cell_summarize(c);
	assert_true(c->have_summary);
}

static void cell_unavailable(struct cell *c, unsigned int cpl, const char *why)
{
	cell_make(c, MODE_PV, &target_refvmm, cpl);
	rep_fail(&c->reps[0], REP_UNAVAILABLE, "%s", why);
	c->nr_reps = 1;
	cell_summarize(c);
}

/* The doc results_write wrote for cells, loaded back; the path is left in path. */
static json_t *written_and_loaded(struct cell *cells, size_t n, char *path, size_t len)
{
	json_t *env = json_pack("{s:s, s:{s:s}}", "hostname", "testhost", "kvm", "backend", "vmx");
	json_t *doc = results_doc_new("run", "hvbench run --filter cpuid", env, NULL);
	char why[256] = "unset";
	json_t *back;

	path_in_dir(path, len, "run.json");
	assert_int_equal(results_write(doc, cells, n, 1000, true, path), 0);
	json_decref(doc);
	back = results_load(path, why, sizeof(why));
	if (!back)
		fail_msg("results_load refused what results_write wrote: %s", why);
	assert_string_equal(why, "");
	return back;
}

static const json_t *result_at(const json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "results"), i);
}

static char *table_text(const struct table_row *rows, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	table_print(f, rows, n);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_round_trip(void **state)
{
	struct cell cells[4];
	struct table_row *rows, live[3];
	char path[256], *from_file, *from_cells;
	const json_t *r, *sum;
	json_t *doc;
	size_t n;

	(void)state;
	cell_measured(&cells[0], MODE_HVM, &target_refvmm, 0);
	cell_unavailable(&cells[1], 3, "no KVM_CAP_X86_USER_SPACE_MSR here");
	cell_make(&cells[2], MODE_HVM, &target_refvmm, 3); /* not run yet: left out */
	cell_measured(&cells[3], MODE_NATIVE, &target_native, 0);
	doc = written_and_loaded(cells, ARRAY_SIZE(cells), path, sizeof(path));

	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "run");
	assert_true(json_is_true(json_object_get(doc, "complete")));
	assert_int_equal(json_array_size(json_object_get(doc, "results")), 3);

	r = result_at(doc, 0);
	assert_string_equal(json_string_value(json_object_get(r, "workload")), "cpuid");
	assert_string_equal(json_string_value(json_object_get(r, "mode")), "hvm");
	assert_string_equal(json_string_value(json_object_get(r, "target")), "refvmm");
	assert_string_equal(json_string_value(json_object_get(r, "status")), "ok");
	assert_int_equal(json_integer_value(json_object_get(r, "cpl")), 0);
	sum = json_object_get(r, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "n")), 5);
	assert_float_equal(json_number_value(json_object_get(sum, "p50")), 120, 1e-9);
	assert_float_equal(json_number_value(json_object_get(sum, "p99")), 139.6, 1e-9);
	assert_float_equal(json_number_value(json_object_get(sum, "min")), 100, 1e-9);
	assert_float_equal(json_number_value(json_object_get(json_object_get(r, "per_op"),
								 "exits")), 1.5, 1e-9);
	assert_true(json_is_null(json_object_get(json_object_get(r, "per_op"), "mmio_exits")));

	r = result_at(doc, 1);
	assert_string_equal(json_string_value(json_object_get(r, "status")), "unavailable");
	assert_string_equal(json_string_value(json_object_get(r, "reason")),
			    "no KVM_CAP_X86_USER_SPACE_MSR here");
	assert_null(json_object_get(r, "summary"));

	r = result_at(doc, 2);
	assert_string_equal(json_string_value(json_object_get(r, "target")), "native");
	assert_true(json_is_null(json_object_get(r, "cpl")));
	assert_true(json_is_null(json_object_get(r, "per_op")));

	assert_int_equal(results_rows(doc, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].workload, "cpuid");
	assert_string_equal(rows[0].mode, "hvm");
	assert_string_equal(rows[0].target, "refvmm");
	assert_string_equal(rows[0].status, "ok");
	assert_int_equal(rows[0].cpl, 0);
	assert_true(rows[0].measured);
	assert_float_equal(rows[0].p50, 120, 1e-9);
	assert_float_equal(rows[0].p99, 139.6, 1e-9);
	assert_float_equal(rows[0].min, 100, 1e-9);
	/* The range is the repetitions' own p50s, not an interval of the pooled samples. */
	assert_int_equal(rows[0].nr_reps, 1);
	assert_float_equal(rows[0].reps_lo, 120, 1e-9);
	assert_float_equal(rows[0].exits, 1.5, 1e-9);
	assert_float_equal(rows[0].user_exits, 0.25, 1e-9);
	assert_false(rows[1].measured);
	assert_int_equal(rows[1].cpl, 3);
	assert_string_equal(rows[1].status, "unavailable");
	assert_string_equal(rows[1].reason, "no KVM_CAP_X86_USER_SPACE_MSR here");
	assert_int_equal(rows[2].cpl, -1);
	assert_true(rows[2].exits < 0 && rows[2].user_exits < 0);

	/* With one repetition per cell, the file's table is the live one, to the character. */
	cell_table_row(&cells[0], &live[0]);
	cell_table_row(&cells[1], &live[1]);
	cell_table_row(&cells[3], &live[2]);
	from_file = table_text(rows, n);
	from_cells = table_text(live, ARRAY_SIZE(live));
	assert_string_equal(from_file, from_cells);

	free(from_file);
	free(from_cells);
	free(rows);
	json_decref(doc);
	for (size_t i = 0; i < ARRAY_SIZE(cells); i++)
		cell_free(&cells[i]);
	unlink(path);
}

/* A minimal valid document around a results array. */
#define DOC_HEAD(head)                                                                           \
	"{\"schema\": \"hvbench-results\", " head "\"kind\": \"run\", "                         \
	"\"started_at\": \"2026-01-01T00:00:00Z\", \"complete\": false, \"results\": "
#define DOC_WITH(head, results) DOC_HEAD(head) results "}"
#define DOC(results) DOC_WITH("\"schema_version\": 1, ", results)
#define RESULT_WITH(extra)                                                                       \
	"{\"workload\": \"cpuid\", \"mode\": \"hvm\", \"target\": \"refvmm\", \"status\": \"ok\"" \
	extra "}"
#define RESULT_CPL0 RESULT_WITH(", \"cpl\": 0")
#define SUMMARY_WITH(p50)                                                                        \
	"{\"n\": 5, \"min\": 1, \"p50\": " p50 ", \"p90\": 3, \"p99\": 4, \"p99.9\": 5, "         \
	"\"max\": 6, \"mean\": 3, \"stddev\": 1, \"mad\": 1, \"ci95_median\": [1, 4], "           \
	"\"outliers\": {\"low\": 0, \"high\": 0, \"far\": 0}}"

static void assert_refused(const char *text, const char *reason, size_t reason_prefix)
{
	char why[256];
	json_t *doc = results_parse(text, strlen(text), why, sizeof(why));

	if (doc) {
		json_decref(doc);
		fail_msg("accepted: %s", text);
	}
	if (reason_prefix ? strncmp(why, reason, reason_prefix) : strcmp(why, reason))
		fail_msg("refused with \"%s\", not \"%s\"", why, reason);
	assert_null(strchr(why, '\n'));
}

#define REFUSED(text, reason) assert_refused(text, reason, 0)
#define REFUSED_PREFIX(text, reason) assert_refused(text, reason, strlen(reason))

static void test_refused_documents(void **state)
{
	(void)state;
	REFUSED("", "empty file");
	REFUSED_PREFIX("hvbench", "not JSON: ");
	REFUSED_PREFIX(DOC("[" RESULT_CPL0 "]") "}", "not JSON: ");
	REFUSED("[1, 2]", "not a results file: the document is an array, not an object");
	REFUSED("42", "not a results file: the document is an integer, not an object");
	REFUSED("{\"kind\": \"run\"}", "no schema field: not an hvbench results file");
	REFUSED("{\"schema\": \"other-results\", \"schema_version\": 1}",
		"schema is \"other-results\", not \"hvbench-results\"");
	REFUSED("{\"schema\": 1}", "schema is an integer, not a string");
	REFUSED(DOC_WITH("\"schema_version\": 2, ", "[]"),
		"schema_version 2: written by a newer hvbench (this one reads up to 1)");
	REFUSED(DOC_WITH("\"schema_version\": 0, ", "[]"), "schema_version 0 is not a version");
	REFUSED(DOC_WITH("\"schema_version\": \"1\", ", "[]"),
		"schema_version is a string, not an integer");
	REFUSED(DOC_WITH("", "[]"), "schema_version is missing");
	/* Two values for one key could show two readers different files. */
	REFUSED_PREFIX("{\"schema\": \"hvbench-results\", \"schema\": \"hvbench-results\"}",
		       "not JSON: duplicate object key");
	/* A foreign schema name is quoted, but only as printable ASCII. */
	REFUSED("{\"schema\": \"evil\\u001b[2J\\nline\"}",
		"schema is \"evil?[2J?line\", not \"hvbench-results\"");
}

static void test_refused_fields(void **state)
{
	(void)state;
	REFUSED(DOC("{}"), "results is an object, not an array");
	REFUSED(DOC("null"), "results is null, not an array");
	REFUSED("{\"schema\": \"hvbench-results\", \"schema_version\": 1, \"kind\": \"run\", "
		"\"started_at\": \"x\", \"complete\": true}", "results is missing");
	REFUSED("{\"schema\": \"hvbench-results\", \"schema_version\": 1, \"kind\": \"run\", "
		"\"started_at\": \"x\", \"complete\": 1, \"results\": []}",
		"complete is an integer, not a boolean");
	REFUSED("{\"schema\": \"hvbench-results\", \"schema_version\": 1, \"started_at\": \"x\", "
		"\"complete\": true, \"results\": []}", "kind is missing");
	REFUSED(DOC_WITH("\"schema_version\": 1, \"environment\": [], ", "[]"),
		"environment is an array, not an object or null");
	REFUSED(DOC("[" RESULT_CPL0 ", 7]"), "results[1] is an integer, not an object");
	REFUSED(DOC("[{\"workload\": 3}]"), "results[0].workload is an integer, not a string");
	REFUSED(DOC("[{\"workload\": \"\"}]"), "results[0].workload is empty");
	REFUSED(DOC("[" RESULT_WITH("") "]"), "results[0].cpl is missing");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": \"0\"") "]"),
		"results[0].cpl is a string, not an integer or null");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0.0") "]"),
		"results[0].cpl is a real, not an integer or null");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 2147483648") "]"), "results[0].cpl is 2147483648, "
		"not 0..3");
	REFUSED(DOC("[{\"workload\": \"cpuid\", \"mode\": \"hvm\", \"target\": \"refvmm\", "
		    "\"cpl\": 0}]"), "results[0].status is missing");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"reason\": [\"x\"]") "]"),
		"results[0].reason is an array, not a string");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"summary\": [1]") "]"),
		"results[0].summary is an array, not an object");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"summary\": " SUMMARY_WITH("\"2\"")) "]"),
		"results[0].summary.p50 is a string, not a number");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"summary\": {\"n\": 1.5}") "]"),
		"results[0].summary.n is a real, not an integer");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"summary\": {\"n\": 1}") "]"),
		"results[0].summary.min is missing");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"per_op\": [1.5]") "]"),
		"results[0].per_op is an array, not an object or null");
	REFUSED(DOC("[" RESULT_WITH(", \"cpl\": 0, \"per_op\": {\"exits\": \"1\"}") "]"),
		"results[0].per_op.exits is a string, not a number or null");
}

static void test_refused_sizes(void **state)
{
	size_t n = RESULTS_MAX_CELLS + 1, len = 0;
	char path[256], why[256];
	FILE *f;
	char *text = NULL;
	int fd;

	(void)state;
	/* A sparse file just over the cap: refused from its size, never read. */
	path_in_dir(path, sizeof(path), "huge.json");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)RESULTS_MAX_BYTES + 1), 0);
	close(fd);
	assert_null(results_load(path, why, sizeof(why)));
	assert_string_equal(why, "268435457 bytes, more than the 256 MiB a results file may have");
	unlink(path);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs(DOC_HEAD("\"schema_version\": 1, ") "[", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s" RESULT_CPL0, i ? "," : "");
	fputs("]}", f);
	assert_int_equal(fclose(f), 0);
	assert_null(results_parse(text, len, why, sizeof(why)));
	assert_string_equal(why, "65537 results, more than the 65536 a results file may hold");
	free(text);

	assert_null(results_load("/nonexistent/run.json", why, sizeof(why)));
	assert_string_equal(why, "cannot open: No such file or directory");
}

/* A file cut short, as a copy taken mid-write by something other than hvbench would be. */
static void test_refused_truncated(void **state)
{
	struct cell cells[1];
	char path[256], why[256];
	json_t *doc;
	FILE *f;
	long size;

	(void)state;
	cell_measured(&cells[0], MODE_HVM, &target_refvmm, 0);
	doc = written_and_loaded(cells, 1, path, sizeof(path));
	json_decref(doc);
	f = fopen(path, "r+");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	/* Without its last "}\n", then cut in the middle of whatever is there. */
	assert_int_equal(ftruncate(fileno(f), size - 2), 0);
	assert_null(results_load(path, why, sizeof(why)));
	if (strncmp(why, "not JSON: ", 10) || !strstr(why, "end of file"))
		fail_msg("refused with \"%s\"", why);
	assert_int_equal(ftruncate(fileno(f), size / 2), 0);
	assert_null(results_load(path, why, sizeof(why)));
	if (strncmp(why, "not JSON: ", 10))
		fail_msg("refused with \"%s\"", why);
	fclose(f);
	cell_free(&cells[0]);
	unlink(path);
}

/* A pipe (hvbench show /dev/stdin) is read to its end, past any first guess at its size. */
static void test_load_from_pipe(void **state)
{
	static const char head[] =
		DOC_HEAD("\"schema_version\": 1, ") "[" RESULT_CPL0 "], \"pad\": \"";
	const size_t pad = 200 * 1024;
	char path[64], why[256];
	struct table_row *rows;
	json_t *doc;
	char *text;
	size_t len = 0, n;
	int fds[2];

	(void)state;
	/* an unknown field long enough to outgrow any first buffer */
	text = malloc(sizeof(head) + pad + 2);
	assert_non_null(text);
	len = (size_t)sprintf(text, "%s", head);
	memset(text + len, 'x', pad);
	len += pad;
	memcpy(text + len, "\"}", 2);
	len += 2;
	assert_int_equal(pipe(fds), 0);
	assert_true(fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) >= (int)len);
	assert_int_equal(write(fds[1], text, len), (ssize_t)len);
	close(fds[1]);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[0]);
	doc = results_load(path, why, sizeof(why));
	close(fds[0]);
	if (!doc)
		fail_msg("refused: %s", why);
	assert_int_equal(results_rows(doc, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].workload, "cpuid");
	free(rows);
	json_decref(doc);
	free(text);
}

/* Unknown fields and counters are later additions, to be skipped; null counters are unknown. */
static void test_accepted_additions(void **state)
{
	static const char text[] = DOC_WITH(
		"\"schema_version\": 1, \"added_later\": true, ",
		"[" RESULT_WITH(", \"cpl\": null, \"added_in_1_1\": {\"x\": [1]}, "
				"\"summary\": " SUMMARY_WITH("2.5") ", \"per_op\": {\"exits\": "
				"null, \"user_exits\": 3, \"new_counter\": 0.5}")
		", {\"workload\": \"w\", \"mode\": \"pv\", \"target\": \"refvmm\", \"cpl\": 3, "
		"\"status\": \"not-run\", \"per_op\": null}]");
	struct table_row *rows;
	char why[256];
	json_t *doc;
	size_t n;

	(void)state;
	doc = results_parse(text, strlen(text), why, sizeof(why));
	if (!doc)
		fail_msg("refused: %s", why);
	assert_int_equal(results_rows(doc, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_true(rows[0].measured);
	assert_int_equal(rows[0].cpl, -1);
	assert_float_equal(rows[0].p50, 2.5, 0);
	assert_true(rows[0].exits < 0);
	assert_float_equal(rows[0].user_exits, 3, 0);
	assert_false(rows[1].measured);
	assert_string_equal(rows[1].status, "not-run");
	assert_null(rows[1].reason);
	free(rows);
	json_decref(doc);
}

/* What the table prints comes from the file: no control character reaches the terminal. */
static void test_controls_defanged(void **state)
{
	static const char text[] = DOC(
		"[{\"workload\": \"a\\u001b[2Jb\", \"mode\": \"\\u009b31m\", "
		"\"target\": \"t\\u007f\", \"status\": \"error\", \"cpl\": 0, "
		"\"reason\": \"line\\nbreak \\u00e9t\\u00e9\"}]");
	struct table_row *rows;
	char why[256];
	json_t *doc;
	size_t n;

	(void)state;
	doc = results_parse(text, strlen(text), why, sizeof(why));
	if (!doc)
		fail_msg("refused: %s", why);
	assert_int_equal(results_rows(doc, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].workload, "a?[2Jb");
	assert_string_equal(rows[0].mode, "?31m");
	assert_string_equal(rows[0].target, "t?");
	assert_string_equal(rows[0].reason, "line?break \xc3\xa9t\xc3\xa9");
	free(rows);
	json_decref(doc);
}

static void test_table_layout(void **state)
{
	static const char reason[] = "KVM_CAP_IOEVENTFD is missing, so the offload modes cannot "
				     "run here; it would need a newer kernel";
	static const char expected[] =
		"workload                mode         target    cpl       p50 ns      p99 ns  "
		"    min ns      p50 range of the reps  exits/op   user/op  status\n"
		"cpuid                   hvm          refvmm    0         1234.6      2000.0  "
		"    1000.0        [1200.0, 1300.3] x3      1.00      0.50  ok\n"
		"io-lat-64               offload-poll refvmm    3              -           -  "
		"         -                                                 unavailable: KVM_CA"
		"P_IOEVENTFD is missing, so the offload modes cannot run here; it\n"
		"cpuid                   native       native    -           50.0        60.1  "
		"      40.0            [45.0, 55.0] x2                      ok\n"
		"cpuid                   hvm          qemu      3         7000.0      8000.0  "
		"    6500.0                    one rep                      ok\n";
	const struct table_row rows[] = {
		{ .workload = "cpuid", .mode = "hvm", .target = "refvmm", .status = "ok", .cpl = 0,
		  .measured = true, .p50 = 1234.56, .p99 = 2000, .min = 1000.04, .reps_lo = 1200,
		  .reps_hi = 1300.26, .nr_reps = 3, .exits = 1.0, .user_exits = 0.5 },
		{ .workload = "io-lat-64", .mode = "offload-poll", .target = "refvmm",
		  .status = "unavailable", .cpl = 3, .exits = -1, .user_exits = -1,
		  .reason = reason },
		{ .workload = "cpuid", .mode = "native", .target = "native", .status = "ok",
		  .cpl = -1, .measured = true, .p50 = 50, .p99 = 60.06, .min = 40, .reps_lo = 45,
		  .reps_hi = 55, .nr_reps = 2, .exits = -1, .user_exits = -1 },
		/* QEMU has no marks: exits unknown, shown blank */
		{ .workload = "cpuid", .mode = "hvm", .target = "qemu", .status = "ok", .cpl = 3,
		  .measured = true, .p50 = 7000, .p99 = 8000, .min = 6500, .nr_reps = 1,
		  .exits = -1, .user_exits = -1 },
	};
	char *text;

	(void)state;
	text = table_text(rows, ARRAY_SIZE(rows));
	assert_string_equal(text, expected);
	free(text);
}

static int dir_make(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

/* What a failed test left behind goes too. */
static int dir_remove(void **state)
{
	static const char *const left[] = { "run.json", "huge.json" };
	char path[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(left); i++) {
		path_in_dir(path, sizeof(path), left[i]);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused_documents),
		cmocka_unit_test(test_refused_fields),
		cmocka_unit_test(test_refused_sizes),
		cmocka_unit_test(test_refused_truncated),
		cmocka_unit_test(test_load_from_pipe),
		cmocka_unit_test(test_accepted_additions),
		cmocka_unit_test(test_controls_defanged),
		cmocka_unit_test(test_table_layout),
	};

	return cmocka_run_group_tests(tests, dir_make, dir_remove);
}
