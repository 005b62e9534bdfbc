/* SPDX-License-Identifier: MIT */
/*
 * `hvbench conform`: select tests, run each on each target in a VM of its
 * own, judge the results against the target's expectations, and report:
 * TAP on stdout as results arrive (the summary and the test x target matrix
 * follow as TAP comments, so the stream stays valid TAP), JUnit and results
 * JSON on request.  The JSON is rewritten after every test, so an
 * interrupted run keeps what it measured.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "conform_expect.h"
#include "conform_json.h"
#include "conform_junit.h"
#include "conform_tap.h"
#include "conform_boot.h"
#include "payload.h"
#include "target.h"
#include "env.h"
#include "env_timing.h"
#include "hvbench.h"
#include "vm.h"
#include "vmm_template.h"

#define FILTERS_MAX 32

struct conform_opts {
	const char *targets, *filter, *junit, *out, *expect_dir, *payload;
	const char *vmm_cmd;	/* --vmm-cmd: the vmm-cmd target's command template */
	double timeout_s;
	bool timeout_given;	/* --timeout: taken as it is, not scaled */
	uint32_t faults;
	bool list, verbose, strict, no_expect, quiet;
};

/* "cpuid-signature, pio-echo, ...", for messages. */
static const char *fault_names(void)
{
	static char buf[256];
	size_t n = 0;

	for (int i = 0; i < VM_NR_FAULTS && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "", vm_fault_names[i]);
	return buf;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvbench conform [options]\n\n"
		"Run the conformance tests: does the hypervisor do what the x86 architecture\n"
		"and the KVM ABI promise?  Each test boots in a VM of its own.  TAP version 13\n"
		"goes to stdout, with a summary (and a test x target matrix) as TAP comments.\n\n"
		"options:\n"
		"  --target LIST       targets, comma-separated (default refvmm):\n");
	for (size_t i = 0; i < nr_targets; i++)
		if (targets[i]->boot)
			fprintf(f, "                        %-9s %s\n", targets[i]->name,
				targets[i]->what);
	fprintf(f,
		"  --vmm-cmd TEMPLATE  the vmm-cmd target's command: {payload} {cmdline}\n"
		"                      {mem_mib} {cpus} (docs/vmm-cmd.md)\n"
		"  --filter GLOBS      tests whose id or area matches one of the comma-separated\n"
		"                      globs (e.g. 'apic.*,timer')\n"
		"  --list              list the selected tests and exit (--verbose: with specs)\n"
		"  --junit FILE        also write JUnit XML\n"
		"  --out FILE          results JSON (default results/conform.json, results/ made\n"
		"                      if missing; docs/results.md)\n"
		"  --expect-dir DIR    expectations (known failures): DIR/TARGET-CLASS.expect, else\n"
		"                      DIR/TARGET.expect; CLASS is the KVM backend (pvm, vmx, svm),\n"
		"                      first as BACKEND-tcg (e.g. svm-tcg) when this host runs under\n"
		"                      QEMU's TCG; qemu-tcg's is tcg (default: $HVBENCH_EXPECT_DIR,\n"
		"                      else this build's)\n"
		"  --no-expect         ignore expectations: every failure is unexpected\n"
		"  --strict            an unexpected pass fails the run too\n"
		"  --timeout SEC       per-test deadline (default 3, times 5 on an emulated CPU\n"
		"                      and times 3 under qemu-tcg, as run's deadlines; a given\n"
		"                      SEC is taken as it is)\n"
		"  --payload FILE      the conformance payload (default: conform.elf of this build)\n"
		"  --fault NAME        refvmm answers wrongly on purpose (negative tests), NAME\n"
		"                      one of: %s\n"
		"  --quiet             no progress on stderr\n\n"
		"Exit status: 0 every failure was expected; 1 an unexpected failure (or, with\n"
		"--strict, an unexpected pass); 2 a usage or environment error (bad option, a\n"
		"target that cannot run here, an unreadable payload or expectations file, an\n"
		"output file that cannot be written).\n", fault_names());
}

static bool seconds_parse(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !errno && *s && !*end && *out >= 0.1 && *out <= 3600;
}

static int opts_parse(int argc, char **argv, struct conform_opts *o)
{
	static const struct option longopts[] = {
		{ "target", required_argument, NULL, 'T' },
		{ "targets", required_argument, NULL, 'T' },
		{ "filter", required_argument, NULL, 'f' },
		{ "list", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "junit", required_argument, NULL, 'j' },
		{ "out", required_argument, NULL, 'o' },
		{ "expect-dir", required_argument, NULL, 'e' },
		{ "no-expect", no_argument, NULL, 'N' },
		{ "strict", no_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "payload", required_argument, NULL, 'p' },
		{ "fault", required_argument, NULL, 'F' },
		{ "vmm-cmd", required_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, bit;

	*o = (struct conform_opts){ .targets = "refvmm", .out = "results/conform.json",
				    .timeout_s = 3 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'T': o->targets = optarg; break;
		case 'f': o->filter = optarg; break;
		case 'l': o->list = true; break;
		case 'v': o->verbose = true; break;
		case 'j': o->junit = optarg; break;
		case 'o': o->out = optarg; break;
		case 'e': o->expect_dir = optarg; break;
		case 'N': o->no_expect = true; break;
		case 'S': o->strict = true; break;
		case 'p': o->payload = optarg; break;
		case 'q': o->quiet = true; break;
		case 'V': o->vmm_cmd = optarg; break;
		case 't':
			o->timeout_given = true;
			if (!seconds_parse(optarg, &o->timeout_s)) {
				fprintf(stderr, "hvbench conform: --timeout %s: seconds from 0.1 to 3600\n",
					optarg);
				return -1;
			}
			break;
		case 'F':
			bit = vm_fault_parse(optarg);
			if (bit < 0) {
				fprintf(stderr, "hvbench conform: --fault %s: unknown (one of %s)\n",
					optarg, fault_names());
				return -1;
			}
			o->faults |= (uint32_t)bit;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "hvbench conform: try --help\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hvbench conform: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/* Split s at commas into at most max words (in buf). */
static size_t split(const char *s, char *buf, size_t len, char **words, size_t max)
{
	size_t n = 0;

	snprintf(buf, len, "%s", s);
	for (char *save = NULL, *w = strtok_r(buf, ",", &save); w && n < max;
	     w = strtok_r(NULL, ",", &save))
		words[n++] = w;
	return n;
}

static bool test_selected(const struct conform_test *t, char **globs, size_t nr)
{
	if (!nr)
		return true;
	for (size_t i = 0; i < nr; i++)
		if (!fnmatch(globs[i], t->id, 0) || !fnmatch(globs[i], t->area, 0))
			return true;
	return false;
}

static int tests_select(const struct conform_opts *o, struct conform_report *rep)
{
	char buf[1024], *globs[FILTERS_MAX];
	size_t nr = o->filter ? split(o->filter, buf, sizeof(buf), globs, FILTERS_MAX) : 0;

	rep->sel = calloc(conform_nr_tests, sizeof(*rep->sel));
	if (!rep->sel)
		return -1;
	for (size_t i = 0; i < conform_nr_tests; i++)
		if (test_selected(&conform_tests[i], globs, nr))
			rep->sel[rep->nr_sel++] = &conform_tests[i];
	if (!rep->nr_sel) {
		fprintf(stderr, "hvbench conform: --filter %s selects no test (see --list)\n",
			o->filter);
		return -1;
	}
	return 0;
}

static void tests_list(const struct conform_report *rep, bool verbose)
{
	for (size_t i = 0; i < rep->nr_sel; i++) {
		const struct conform_test *t = rep->sel[i];

		printf("%-32s %-10s %s%s\n", t->id, t->area, t->desc,
		       t->nr_vcpus > 1 ? " [2 vCPUs]" : "");
		if (verbose)
			printf("%-32s %-10s spec: %s\n", "", "", t->spec);
	}
}

#define CLASS_TCG_SUFFIX "-tcg"

/*
 * The classes of host whose expectations apply here, most specific first:
 * the KVM backend (pvm, vmx, svm), preceded by BACKEND-tcg when this host
 * is itself a guest of QEMU's emulator.  There the CPU KVM runs on is
 * TCG's, and it delivers a nested guest's page faults and interrupt gates
 * itself, with no exit to KVM: TCG's mistakes show through any backend.
 * They are not the backend's, and on a real svm host they would be
 * unexpected passes, so they live in TARGET-svm-tcg.expect; the backend's
 * own file is the fallback, its failures hold under TCG too.
 */
static void host_classes(json_t *env, char *buf, size_t len, const char *classes[2])
{
	const char *b = json_string_value(json_object_get(json_object_get(env, "kvm"), "backend"));

	classes[0] = b ? b : "unknown";
	classes[1] = NULL;
	if (b && env_timing_host_is_tcg(env)) {
		snprintf(buf, len, "%s" CLASS_TCG_SUFFIX, b);
		classes[1] = classes[0];
		classes[0] = buf;
	}
}

/* The default expectations directory: $HVBENCH_EXPECT_DIR, else beside this build's runner. */
static void expect_dir_default(char *buf, size_t len)
{
	const char *env = getenv("HVBENCH_EXPECT_DIR");
	char self[4096];
	ssize_t n;

	if (env) {
		snprintf(buf, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s/../conform-expect", dirname(self));
}

/*
 * Load the target's expectations: DIR/TARGET-CLASS.expect for the first
 * class (of at most two) that has one, else DIR/TARGET.expect.  1 if there
 * are none for it, -1 on a bad file.
 */
static int expect_load(const struct conform_opts *o, const char *target,
		       const char *const classes[2], struct conform_expect *x)
{
	char dir[2048], path[4096], err[512];
	int found = -1;

	if (o->no_expect)
		return 1;
	if (o->expect_dir)
		snprintf(dir, sizeof(dir), "%s", o->expect_dir);
	else
		expect_dir_default(dir, sizeof(dir));
	for (int i = 0; i < 2 && classes[i] && found; i++) {
		snprintf(path, sizeof(path), "%s/%s-%s.expect", dir, target, classes[i]);
		found = access(path, F_OK);
	}
	if (found)
		snprintf(path, sizeof(path), "%s/%s.expect", dir, target);
	if (access(path, F_OK))
		return 1;
	if (conform_expect_load(x, path, err, sizeof(err))) {
		fprintf(stderr, "hvbench conform: expectations: %s\n", err);
		return -1;
	}
	return 0;
}

static void progress(const struct conform_opts *o, const char *target, size_t i, size_t n,
		     const struct conform_test *t, const struct conform_result *r)
{
	if (o->quiet || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%s %zu/%zu] %s %s", target, i + 1, n, t->id,
		r ? conform_status_name(r->status) : "...");
	if (r && i + 1 == n)
		fputc('\n', stderr);
}

struct tally {
	unsigned int by_status[CONFORM_ERROR + 1];
	unsigned int by_verdict[CONFORM_UNEXPECTED_PASS + 1];
};

static struct tally tally(const struct conform_report *rep, size_t ti)
{
	struct tally t;

	memset(&t, 0, sizeof(t));

	for (size_t i = 0; rep->targets[ti].available && i < rep->nr_sel; i++) {
		t.by_status[rep->targets[ti].results[i].status]++;
		t.by_verdict[rep->targets[ti].results[i].verdict]++;
	}
	return t;
}

/* One cell of the matrix: the status, '*' if expected, '!' if unexpected either way. */
static void matrix_cell(const struct conform_target_run *tr, size_t i, char *buf, size_t len)
{
	const struct conform_result *r = &tr->results[i];

	if (!tr->available) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%s%s", conform_status_name(r->status),
		 r->verdict == CONFORM_EXPECTED_FAIL ? "*" :
		 r->verdict == CONFORM_OK ? "" : "!");
}

static void summary_print(FILE *f, const struct conform_report *rep)
{
	fprintf(f, "# hvbench conform: %zu tests on %zu target%s in %.1f s\n", rep->nr_sel,
		rep->nr_targets, rep->nr_targets > 1 ? "s" : "", rep->seconds);
	for (size_t ti = 0; ti < rep->nr_targets; ti++) {
		const struct conform_target_run *tr = &rep->targets[ti];
		struct tally t = tally(rep, ti);

		if (!tr->available) {
			fprintf(f, "# %s: not run: %s\n", tr->target, tr->unavailable_why);
			continue;
		}
		fprintf(f, "# %s: %u pass, %u fail, %u skip, %u timeout, %u crash, %u error; "
			"%u expected failures, %u unexpected failures, %u unexpected passes "
			"(expectations: %s)\n", tr->target, t.by_status[CONFORM_PASS],
			t.by_status[CONFORM_FAIL], t.by_status[CONFORM_SKIP],
			t.by_status[CONFORM_TIMEOUT], t.by_status[CONFORM_CRASH],
			t.by_status[CONFORM_ERROR], t.by_verdict[CONFORM_EXPECTED_FAIL],
			t.by_verdict[CONFORM_UNEXPECTED_FAIL], t.by_verdict[CONFORM_UNEXPECTED_PASS],
			tr->expect_file ? tr->expect_file : "none");
		for (size_t i = 0; i < rep->nr_sel; i++) {
			const struct conform_result *r = &tr->results[i];

			if (r->verdict == CONFORM_UNEXPECTED_FAIL)
				fprintf(f, "#   unexpected %s: %s: %s\n", conform_status_name(r->status),
					rep->sel[i]->id, r->reason);
			else if (r->verdict == CONFORM_UNEXPECTED_PASS)
				fprintf(f, "#   unexpected PASS: %s (listed as a known failure: %s)\n",
					rep->sel[i]->id, r->expect_reason);
		}
	}
	if (rep->nr_targets < 2)
		return;
	fprintf(f, "#\n# %-32s", "test");
	for (size_t ti = 0; ti < rep->nr_targets; ti++)
		fprintf(f, " %-10s", rep->targets[ti].target);
	fprintf(f, "\n");
	for (size_t i = 0; i < rep->nr_sel; i++) {
		fprintf(f, "# %-32s", rep->sel[i]->id);
		for (size_t ti = 0; ti < rep->nr_targets; ti++) {
			char cell[16];

			matrix_cell(&rep->targets[ti], i, cell, sizeof(cell));
			fprintf(f, " %-10s", cell);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "# (* a known failure, ! unexpected, - target not run)\n");
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

struct conform_run {
	const struct conform_opts *o;
	struct conform_report rep;
	struct conform_expect *expects;
	struct payload payload;
	json_t *env;
	const char *command;
};

static json_t *settings_json(const struct conform_run *x)
{
	json_t *targets = json_array();

	for (size_t ti = 0; ti < x->rep.nr_targets; ti++)
		json_array_append_new(targets, json_string(x->rep.targets[ti].target));
	return json_pack("{s:o, s:s?, s:f, s:s, s:b, s:I}", "targets", targets, "filter",
			 x->o->filter, "timeout_s", x->o->timeout_s, "payload", x->payload.path,
			 "strict", x->o->strict, "faults", (json_int_t)x->o->faults);
}

/* Rewrite the results JSON; false (with a message) if it cannot be written. */
static bool json_save(struct conform_run *x, bool complete)
{
	json_t *doc;
	int rc;

	if (!x->o->out || !x->o->out[0])
		return true;
	doc = conform_json(&x->rep, x->command, x->env, settings_json(x), complete);
	rc = doc ? conform_json_write(doc, x->o->out) : -1;
	json_decref(doc);
	if (rc)
		fprintf(stderr, "hvbench conform: cannot write %s: %s\n", x->o->out, strerror(errno));
	return !rc;
}

static int targets_prepare(struct conform_run *x)
{
	char buf[256], *names[8], why[256];
	size_t n = split(x->o->targets, buf, sizeof(buf), names, 8);
	/* qemu-tcg is TCG whatever the host runs: one class of its own. */
	const char *host[2], *tcg[2] = { "tcg", NULL };
	char class[64];
	int rc = 0;

	host_classes(x->env, class, sizeof(class), host);
	x->rep.targets = calloc(n ? n : 1, sizeof(*x->rep.targets));
	x->expects = calloc(n ? n : 1, sizeof(*x->expects));
	if (!n || !x->rep.targets || !x->expects) {
		fprintf(stderr, "hvbench conform: --target: name at least one target\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct target *t = target_find(names[i]);
		struct conform_target_run *tr = &x->rep.targets[x->rep.nr_targets];
		int e;

		if (!t || !t->boot) {
			fprintf(stderr, "hvbench conform: --target %s: %s (try --help)\n", names[i],
				t ? "boots no payload: it has no conformance to test" : "unknown");
			return -1;
		}
		for (size_t j = 0; j < x->rep.nr_targets; j++)
			if (!strcmp(x->rep.targets[j].target, t->name)) {
				fprintf(stderr, "hvbench conform: --target %s given twice\n", t->name);
				return -1;
			}
		tr->target = t->name;
		tr->results = calloc(x->rep.nr_sel, sizeof(*tr->results));
		if (!tr->results)
			return -1;
		x->rep.nr_targets++;
		tr->available = !t->probe(t, why, sizeof(why));
		if (!tr->available) {
			snprintf(tr->unavailable_why, sizeof(tr->unavailable_why), "%s", why);
			fprintf(stderr, "hvbench conform: target %s cannot run here: %s\n", t->name,
				why);
			rc = 1;
		}
		if (x->o->faults && strcmp(t->name, "refvmm"))
			fprintf(stderr, "hvbench conform: note: --fault applies to refvmm only, "
				"not to %s\n", t->name);
		e = expect_load(x->o, t->name, strcmp(t->name, "qemu-tcg") ? host : tcg,
				&x->expects[i]);
		if (e < 0)
			return -1;
		if (!e)
			tr->expect_file = x->expects[i].path;
	}
	return rc;
}

/* Run every selected test on every available target; true if any failure was unexpected. */
static bool tests_run(struct conform_run *x, const struct conform_ctx *ctx, bool *write_failed)
{
	size_t number = 0;
	bool bad = false;
	double t0 = now_s();

	conform_tap_plan(stdout, x->rep.nr_sel * x->rep.nr_targets);
	for (size_t ti = 0; ti < x->rep.nr_targets; ti++) {
		struct conform_target_run *tr = &x->rep.targets[ti];
		const struct target *t = target_find(tr->target);

		for (size_t i = 0; i < x->rep.nr_sel; i++) {
			struct conform_result *r = &tr->results[i];

			if (!tr->available) {
				*r = (struct conform_result){ .status = CONFORM_SKIP, .vmm_status = -1 };
				snprintf(r->reason, sizeof(r->reason), "target %s cannot run here: %s",
					 tr->target, tr->unavailable_why);
			} else {
				progress(x->o, tr->target, i, x->rep.nr_sel, x->rep.sel[i], NULL);
				conform_boot(t, ctx, x->rep.sel[i], r);
				progress(x->o, tr->target, i, x->rep.nr_sel, x->rep.sel[i], r);
			}
			conform_expect_judge(tr->expect_file ? &x->expects[ti] : NULL,
					     x->rep.sel[i]->id, r);
			r->done = true;
			bad |= r->verdict == CONFORM_UNEXPECTED_FAIL ||
			       (x->o->strict && r->verdict == CONFORM_UNEXPECTED_PASS);
			conform_tap_result(stdout, ++number, tr->target, x->rep.sel[i], r);
			fflush(stdout);
			x->rep.seconds = now_s() - t0;
			if (!*write_failed && !json_save(x, false))
				*write_failed = true;
		}
	}
	return bad;
}

/* Is name in the comma-separated list? */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] != 0))
		if (strcspn(p, ",") == n && !strncmp(p, name, n))
			return true;
	return false;
}

/*
 * --vmm-cmd: with the vmm-cmd target and only with it, parsed and its
 * program found before any test runs.  0, or -1 having said why.
 */
static int vmm_cmd_prepare(const struct conform_opts *o, struct vmm_template *t)
{
	static char program[4096];
	char why[512];
	bool wanted = list_has(o->targets, "vmm-cmd");

	if (wanted != !!o->vmm_cmd) {
		fprintf(stderr, "hvbench conform: %s\n", wanted ?
			"the vmm-cmd target needs --vmm-cmd TEMPLATE (docs/vmm-cmd.md)" :
			"--vmm-cmd is the vmm-cmd target's: add vmm-cmd to --target");
		return -1;
	}
	if (!wanted)
		return 0;
	if (vmm_template_parse(t, o->vmm_cmd, why, sizeof(why)) ||
	    vmm_template_resolve(t, program, sizeof(program), why, sizeof(why))) {
		fprintf(stderr, "hvbench conform: --vmm-cmd: %s\n", why);
		vmm_template_free(t);
		return -1;
	}
	target_vmm_cmd_set(t, program);
	return 0;
}

/*
 * The outputs' directories, before any test runs, so that a run is never
 * lost at its end: the default results/ is made where it is missing; any
 * other directory named with --out or --junit must exist.  0, or -1 having
 * said why.
 */
static int out_ready(const struct conform_opts *o)
{
	const char *bad = NULL;
	char why[512];

	if (o->out && o->out[0] && atomic_file_dir_ready(o->out, "results", why, sizeof(why)))
		bad = o->out;
	else if (o->junit && atomic_file_dir_ready(o->junit, "results", why, sizeof(why)))
		bad = o->junit;
	if (!bad)
		return 0;
	fprintf(stderr, "hvbench conform: cannot write %s: %s\n", bad, why);
	return -1;
}

int conform_main(int argc, char **argv, const char *command)
{
	struct conform_opts o;
	struct conform_run x = { .o = &o, .command = command };
	struct conform_ctx ctx;
	struct vmm_template vmm_cmd = { 0 };
	bool bad, write_failed = false;
	int rc = opts_parse(argc, argv, &o), env_rc;

	if (rc)
		return rc > 0 ? 0 : CONFORM_EXIT_ENV;
	if (vmm_cmd_prepare(&o, &vmm_cmd))
		return CONFORM_EXIT_ENV;
	if (tests_select(&o, &x.rep)) {
		free(x.rep.sel);
		vmm_template_free(&vmm_cmd);
		return CONFORM_EXIT_ENV;
	}
	if (o.list) {
		tests_list(&x.rep, o.verbose);
		free(x.rep.sel);
		vmm_template_free(&vmm_cmd);
		return 0;
	}
	if (out_ready(&o)) {
		free(x.rep.sel);
		vmm_template_free(&vmm_cmd);
		return CONFORM_EXIT_ENV;
	}
	if (payload_load(&x.payload, o.payload, "HVBENCH_CONFORM_PAYLOAD",
			 "../guest-payloads/conform/conform.elf", "hvbench conform")) {
		free(x.rep.sel);
		vmm_template_free(&vmm_cmd);
		return CONFORM_EXIT_ENV;
	}
	x.env = env_capture();
	env_rc = targets_prepare(&x);
	if (env_rc >= 0) {
		ctx = (struct conform_ctx){ .payload = &x.payload, .timeout_s = o.timeout_s,
					    .timeout_scaled = !o.timeout_given,
					    .faults = o.faults,
					    .tsc_khz = payload_kvm_tsc_khz() };
		bad = tests_run(&x, &ctx, &write_failed);
		summary_print(stdout, &x.rep);
		if (!json_save(&x, true))
			write_failed = true;
		if (o.junit && conform_junit_write(o.junit, &x.rep)) {
			fprintf(stderr, "hvbench conform: cannot write %s: %s\n", o.junit,
				strerror(errno));
			write_failed = true;
		}
		rc = env_rc || write_failed ? CONFORM_EXIT_ENV : bad ? CONFORM_EXIT_UNEXPECTED : 0;
	} else {
		rc = CONFORM_EXIT_ENV;
	}
	for (size_t ti = 0; ti < x.rep.nr_targets; ti++) {
		free(x.rep.targets[ti].results);
		if (x.expects)
			conform_expect_free(&x.expects[ti]);
	}
	free(x.rep.targets);
	free(x.expects);
	free(x.rep.sel);
	json_decref(x.env);
	payload_free(&x.payload);
	vmm_template_free(&vmm_cmd);
	return rc;
}
