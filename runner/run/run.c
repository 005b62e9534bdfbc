/* SPDX-License-Identifier: MIT */
/*
 * `hvbench run`: the benchmark runner.
 *
 * A plan is the list of cells the options select (workload x mode x CPL,
 * native once per workload).  Repetitions are interleaved: every cell's
 * first repetition, then every cell's second, ..., so slow drift of the
 * machine (frequency, other tenants, the host's own caches) spreads over
 * all cells instead of biasing whichever ran last.  After each repetition
 * the results file is rewritten atomically: an interrupted run keeps
 * everything it measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <libgen.h>
#include <sched.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cell.h"
#include "env.h"
#include "env_notes.h"
#include "env_timing.h"
#include "hvbench.h"
#include "kvm.h"
#include "payload.h"
#include "pin.h"
#include "rep_probes.h"
#include "results_write.h"
#include "table.h"
#include "target.h"
#include "vmm_template.h"

#define KEEP_SAMPLES_DEFAULT 1000

struct run_opts {
	bool full;
	const char *filter;
	unsigned int modes;	/* MODE_BIT()s */
	unsigned int cpls;	/* bit n: CPL n */
	unsigned int targets;	/* bit per index in targets[] */
	const char *vmm_cmd;	/* --vmm-cmd: the vmm-cmd target's command template */
	unsigned int reps;
	double target_ms;
	size_t max_samples, max_raw;
	const char *out, *csv, *payload;
	const char *perf_events;	/* --perf-events, or NULL */
	uint32_t pio_delay_ns;	/* --debug-pio-delay-ns: refvmm made slower on purpose */
	bool pin, quiet, probes, probe_overhead;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvbench run [options]\n"
		"Measure the workload catalog (hvbench list) on one or more targets.\n\n"
		"  --suite quick|full   quick: the core workloads, short repetitions (default);\n"
		"                       full: every workload, longer repetitions\n"
		"  --filter GLOB[,GLOB] only workloads whose name matches\n"
		"  --modes LIST         hvm,pv,offload,offload-poll,native (default: all)\n"
		"  --cpl LIST           0,3 (default: both where the workload allows)\n"
		"  --target LIST        where to measure (docs/targets.md), comma-separated;\n"
		"                       default refvmm,native:\n");
	for (size_t i = 0; i < nr_targets; i++)
		fprintf(f, "                         %-9s %s\n", targets[i]->name, targets[i]->what);
	fprintf(f,
		"                       What a target cannot run is listed as not applicable\n"
		"  --vmm-cmd TEMPLATE   the vmm-cmd target's command: {payload} {cmdline}\n"
		"                       {mem_mib} {cpus} (docs/vmm-cmd.md)\n"
		"  --repetitions N      repetitions per cell, interleaved (quick 3, full 5)\n"
		"  --target-ms MS       time the samples of one repetition take (quick 30, full 150)\n"
		"  --max-samples N      samples per repetition at most (quick 2000, full 20000)\n"
		"  --keep-samples N     raw samples kept per repetition in the file, in order\n"
		"                       (default 1000; every sample is in its histogram)\n"
		"  --out FILE           results JSON (default results/run.json)\n"
		"  --csv FILE           also write a CSV summary\n"
		"  --payload FILE       the bench payload (default: bench.elf of this build)\n"
		"  --no-pin             leave thread placement to the scheduler\n"
		"  --no-probes          no host-side probes (eBPF and perf counters on the vCPU\n"
		"                       and device threads; on by default where permitted)\n"
		"  --perf-events LIST   perf events to count beyond the defaults (perf names,\n"
		"                       rNNNN raw events, libpfm4 names when built with it)\n"
		"  --probe-overhead     measure every refvmm cell a second time without probes,\n"
		"                       interleaved, and report the difference (probe_overhead)\n"
		"  --quiet              no progress or table\n"
		"  --debug-pio-delay-ns N\n"
		"                       debugging: refvmm busy-waits N ns (0 to 10000000) in\n"
		"                       every port I/O exit it handles, so the run is slower\n"
		"                       for real, to test that regression detection notices;\n"
		"                       recorded in the file's settings, flagged by show\n\n"
		"Exit status: 0 every cell measured or reported unavailable; 1 a cell hung,\n"
		"crashed or failed (the rest is measured and written); 64 usage; 65 unusable\n"
		"payload; 73 the results file cannot be written.\n");
}

static int list_parse(const char *arg, unsigned int *mask, int (*parse)(const char *))
{
	char buf[256], *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return -1;
	*mask = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int v = parse(t);

		if (v < 0)
			return -1;
		*mask |= 1u << v;
	}
	return *mask ? 0 : -1;
}

static unsigned int target_bit(const struct target *t)
{
	return 1u << target_index(t);
}

/* A target's index in targets[] by its name, or -1. */
static int target_parse(const char *name)
{
	const struct target *t = target_find(name);

	return t ? (int)target_index(t) : -1;
}

static int cpl_parse(const char *s)
{
	return !strcmp(s, "0") ? 0 : !strcmp(s, "3") ? 3 : -1;
}

static bool uint_parse(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && *s && !*end && *out >= 1 && *out <= max;
}

static int opts_parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "modes", required_argument, NULL, 'm' },
		{ "cpl", required_argument, NULL, 'c' },
		{ "target", required_argument, NULL, 'T' },
		{ "targets", required_argument, NULL, 'T' },
		{ "vmm-cmd", required_argument, NULL, 'V' },
		{ "repetitions", required_argument, NULL, 'r' },
		{ "target-ms", required_argument, NULL, 't' },
		{ "max-samples", required_argument, NULL, 'n' },
		{ "keep-samples", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "csv", required_argument, NULL, 'C' },
		{ "payload", required_argument, NULL, 'p' },
		{ "no-pin", no_argument, NULL, 'P' },
		{ "no-probes", no_argument, NULL, 'B' },
		{ "perf-events", required_argument, NULL, 'E' },
		{ "probe-overhead", no_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "debug-pio-delay-ns", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long reps = 0, target = 0, max_samples = 0, keep = 0, delay = 0;
	bool keep_set = false;
	int c;

	*o = (struct run_opts){ .modes = (1u << MODE_COUNT) - 1, .cpls = 1u | 8u,
				.targets = target_bit(&target_refvmm) | target_bit(&target_native),
				.pin = true, .probes = true,
				.out = "results/run.json" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (strcmp(optarg, "quick") && strcmp(optarg, "full"))
				return fprintf(stderr, "hvbench run: --suite is quick or full, not '%s'\n",
					       optarg), -1;
			o->full = !strcmp(optarg, "full");
			break;
		case 'f':
			o->filter = optarg;
			break;
		case 'm':
			if (list_parse(optarg, &o->modes, bench_mode_parse))
				return fprintf(stderr, "hvbench run: --modes takes a list of hvm, pv, "
					       "offload, offload-poll, native, not '%s'\n", optarg), -1;
			break;
		case 'c':
			if (list_parse(optarg, &o->cpls, cpl_parse))
				return fprintf(stderr, "hvbench run: --cpl takes 0, 3 or 0,3, not '%s'\n",
					       optarg), -1;
			break;
		case 'T':
			if (list_parse(optarg, &o->targets, target_parse))
				return fprintf(stderr, "hvbench run: --target takes a list of the "
					       "targets --help lists, not '%s'\n", optarg), -1;
			break;
		case 'V':
			o->vmm_cmd = optarg;
			break;
		case 'r':
			if (!uint_parse(optarg, CELL_MAX_REPS, &reps))
				return fprintf(stderr, "hvbench run: --repetitions is 1 to %d\n",
					       CELL_MAX_REPS), -1;
			break;
		case 't':
			if (!uint_parse(optarg, 60000, &target))
				return fprintf(stderr, "hvbench run: --target-ms is 1 to 60000\n"), -1;
			break;
		case 'n':
			if (!uint_parse(optarg, HVB_SAMPLES_MAX, &max_samples) || max_samples < 10)
				return fprintf(stderr, "hvbench run: --max-samples is 10 to %d\n",
					       HVB_SAMPLES_MAX), -1;
			break;
		case 'k':
			if (strcmp(optarg, "0") && !uint_parse(optarg, HVB_SAMPLES_MAX, &keep))
				return fprintf(stderr, "hvbench run: --keep-samples is 0 to %d\n",
					       HVB_SAMPLES_MAX), -1;
			keep_set = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'C':
			o->csv = optarg;
			break;
		case 'p':
			o->payload = optarg;
			break;
		case 'P':
			o->pin = false;
			break;
		case 'B':
			o->probes = false;
			break;
		case 'E':
			o->perf_events = optarg;
			break;
		case 'O':
			o->probe_overhead = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'D':
			if (strcmp(optarg, "0") && !uint_parse(optarg, VM_PIO_DELAY_MAX_NS, &delay))
				return fprintf(stderr, "hvbench run: --debug-pio-delay-ns is 0 to %u\n",
					       VM_PIO_DELAY_MAX_NS), -1;
			o->pio_delay_ns = (uint32_t)delay;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		return fprintf(stderr, "hvbench run: unexpected argument '%s'\n", argv[optind]), -1;
	if (!!(o->targets & target_bit(&target_vmm_cmd)) != !!o->vmm_cmd)
		return fprintf(stderr, "hvbench run: %s\n", o->vmm_cmd ?
			       "--vmm-cmd is the vmm-cmd target's: add vmm-cmd to --target" :
			       "the vmm-cmd target needs --vmm-cmd TEMPLATE (docs/vmm-cmd.md)"), -1;
	o->reps = reps ? reps : o->full ? 5 : 3;
	o->target_ms = target ? (double)target : o->full ? 150 : 30;
	o->max_samples = max_samples ? max_samples : o->full ? 20000 : 2000;
	o->max_raw = keep_set ? keep : KEEP_SAMPLES_DEFAULT;
	return 0;
}

static bool filter_match(const char *filter, const char *name)
{
	char buf[256], *save = NULL;

	if (!filter)
		return true;
	snprintf(buf, sizeof(buf), "%s", filter);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!fnmatch(t, name, 0))
			return true;
	return false;
}

/* A cell, and with --probe-overhead its twin without probes right after it (for refvmm). */
static size_t plan_add(const struct run_opts *o, struct cell *cells, size_t cap, size_t n,
		       const struct workload *w, enum bench_mode m, const struct target *t,
		       unsigned int cpl)
{
	if (n < cap)
		cells[n] = (struct cell){ .w = w, .mode = m, .target = t, .cpl = cpl };
	if (!o->probe_overhead || !o->probes || t != &target_refvmm)
		return n + 1;
	if (n + 1 < cap)
		cells[n + 1] = (struct cell){ .w = w, .mode = m, .target = t, .cpl = cpl,
					      .probes_off = true };
	return n + 2;
}

static bool target_chosen(const struct run_opts *o, const struct target *t)
{
	return o->targets & target_bit(t);
}

/*
 * The cells of the selection, in catalog order: per workload and mode, the
 * targets that can run it, each CPL.  Mode native runs on the native
 * target, the other modes on the VM targets.  What a chosen target cannot
 * run goes to na (when not NULL), with the reason, once per workload, mode
 * and target.  Returns the number of cells, whether cells had room or not.
 */
static size_t plan_make(const struct run_opts *o, struct cell *cells, size_t cap, json_t *na)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_workloads; i++) {
		const struct workload *w = &workloads[i];

		if ((!o->full && !w->quick) || !filter_match(o->filter, w->name))
			continue;
		for (int m = 0; m < MODE_COUNT; m++) {
			if (!(o->modes & MODE_BIT(m)) || (m != MODE_NATIVE && !(w->modes & MODE_BIT(m))))
				continue;
			for (size_t ti = 0; ti < nr_targets; ti++) {
				const struct target *t = targets[ti];
				const char *why;

				if (!target_chosen(o, t) || (m == MODE_NATIVE) != t->native)
					continue;
				why = t->cannot(t, w, m);
				if (why && na)
					json_array_append_new(na, json_pack("{s:s, s:s, s:s, s:s}",
						"workload", w->name, "mode", bench_mode_name(m),
						"target", t->name, "reason", why));
				if (why)
					continue;
				if (t->native) {
					n = plan_add(o, cells, cap, n, w, m, t, 0);
					continue;
				}
				for (unsigned int cpl = 0; cpl <= 3; cpl += 3)
					if (w->cpls & o->cpls & (1u << cpl))
						n = plan_add(o, cells, cap, n, w, m, t, cpl);
			}
		}
	}
	return n;
}

/* What every repetition of a run needs. */
struct run_ctx {
	const struct run_opts *o;
	const struct pin_plan *pins;	/* NULL: not pinned */
	struct payload payload;	/* bench.elf: --payload, $HVBENCH_PAYLOAD, or this build's */
	bool kvm;
	char kvm_why[512];
	uint32_t tsc_khz;		/* KVM's guest TSC rate, for external VMMs */
	struct rep_probes *probes;	/* host-side probes, shared by every repetition */
	double deadline_scale;		/* env_timing_deadline_scale(): 5 on an emulated CPU */
	int nr_cpus;			/* cpus_usable() at the start */
	json_t *doc;
};

/*
 * Two placements: one vCPU with a device thread on another core (offload
 * modes need the side core), and two vCPUs on different cores (ipi).
 */
enum { PLAN_ONE_VCPU, PLAN_TWO_VCPUS, NR_PLANS };

static json_t *plans_json(const struct pin_plan *pins)
{
	if (!pins)
		return json_null();
	return json_pack("{s:o, s:o}", "one_vcpu", pin_plan_json(&pins[PLAN_ONE_VCPU]),
			 "two_vcpus", pin_plan_json(&pins[PLAN_TWO_VCPUS]));
}

static json_t *settings_json(const struct run_opts *o, const struct pin_plan *pins, bool kvm,
			     const char *kvm_why)
{
	json_t *modes = json_array(), *cpls = json_array(), *chosen = json_array(), *set;

	for (size_t ti = 0; ti < nr_targets; ti++)
		if (target_chosen(o, targets[ti]))
			json_array_append_new(chosen, json_string(targets[ti]->name));
	for (int m = 0; m < MODE_COUNT; m++)
		if (o->modes & MODE_BIT(m))
			json_array_append_new(modes, json_string(bench_mode_name(m)));
	for (unsigned int c = 0; c <= 3; c += 3)
		if (o->cpls & (1u << c))
			json_array_append_new(cpls, json_integer(c));
	set = json_pack("{s:s, s:s?, s:o, s:o, s:I, s:f, s:I, s:o, s:b, s:s?, s:I}", "suite",
			o->full ? "full" : "quick", "filter", o->filter, "modes", modes, "cpls",
			cpls, "repetitions", (json_int_t)o->reps, "target_ms", o->target_ms,
			"max_samples", (json_int_t)o->max_samples, "pinning",
			plans_json(pins), "kvm_available", kvm,
			"kvm_unavailable_why", kvm_why, "debug_pio_delay_ns",
			(json_int_t)o->pio_delay_ns);
	json_object_set_new(set, "targets", chosen);
	json_object_set_new(set, "vmm_cmd", o->vmm_cmd ? results_json_text(o->vmm_cmd) :
							 json_null());
	return set;
}

static void progress(const struct run_opts *o, size_t done, size_t total, const struct cell *c,
		     unsigned int rep)
{
	if (o->quiet || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%zu/%zu] %s %s %s", done, total, c->w->name,
		bench_mode_name(c->mode), cell_target_label(c));
	if (c->mode != MODE_NATIVE)
		fprintf(stderr, " cpl%u", c->cpl);
	fprintf(stderr, " rep %u/%u", rep + 1, o->reps);
}

/*
 * offload-poll's device thread polls the ring without pause (the side
 * core).  On a CPU shared with the vCPU, each request waits for a
 * scheduler tick and the figure would time the tick, not the offload: the
 * cell is unavailable where the run may use a single CPU (a one-vCPU VM).
 */
static bool side_core_missing(const struct cell *c, const struct run_ctx *x, char *why,
			      size_t len)
{
	if (c->mode != MODE_OFFLOAD_POLL || x->nr_cpus != 1)
		return false;
	snprintf(why, len, "offload-poll needs a CPU of its own for the polling device thread "
		 "(the side core); this run may use 1 CPU");
	return true;
}

/* The CPUs this process may use, read before the runner pins itself to one; 0 if unknown. */
static int cpus_usable(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) ? 0 : CPU_COUNT(&set);
}

static void rep_measure(struct cell *c, const struct run_ctx *x)
{
	const struct run_opts *o = x->o;
	struct rep *r = &c->reps[c->nr_reps];
	struct rep_opts ro = {
		.target_ms = o->target_ms,
		.max_samples = o->max_samples,
		.timeout_s = (2.0 + o->target_ms * 20 / 1000.0) * x->deadline_scale,
		.pin = x->pins ? &x->pins[c->w->nr_vcpus == 2 ? PLAN_TWO_VCPUS : PLAN_ONE_VCPU] : NULL,
		.payload = &x->payload,
		.probes = c->probes_off ? NULL : x->probes,
		.debug_pio_delay_ns = o->pio_delay_ns,
		.kvm_tsc_khz = x->tsc_khz,
	};

	struct timespec t0, t1;
	char why[sizeof(r->why)] = "";

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Later repetitions reuse the first one's batch, so all time the same work. */
	if (c->nr_reps && c->reps[0].status == REP_OK && !c->w->host_timed)
		ro.batch = c->reps[0].batch;
	if (c->target->native)
		rep_run_native(c->w, &ro, r);
	else if (!x->kvm)
		*r = (struct rep){ .status = REP_UNAVAILABLE };
	else if (side_core_missing(c, x, why, sizeof(why)))
		*r = (struct rep){ .status = REP_UNAVAILABLE };
	else if (c->target->vmm)
		rep_run_external(c->target, c->w, c->cpl, &ro, r);
	else
		rep_run_refvmm(c->target, c->w, c->mode, c->cpl, &ro, r);
	if (!c->target->native && !x->kvm)
		snprintf(r->why, sizeof(r->why), "%s", x->kvm_why);
	else if (why[0])
		snprintf(r->why, sizeof(r->why), "%s", why);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	r->seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	/*
	 * Where the catalog says a hang is the hypervisor's answer (a vmcall
	 * that never returns), the workload is unavailable here, and why.
	 */
	if (r->status == REP_HANG && workload_hang_unavailable(c->w, r->hang_insn)) {
		char why[sizeof(r->why)];

		snprintf(why, sizeof(why), "the hypercall never returned (caught by the watchdog): %s",
			 r->why);
		memcpy(r->why, why, sizeof(why));
		r->status = REP_UNAVAILABLE;
	}
	c->skip = r->status != REP_OK;
	c->nr_reps++;
	cell_summarize(c);
	cell_changed(c);
}

static void table_show(const struct cell *cells, size_t n)
{
	struct table_row *rows = calloc(n ? n : 1, sizeof(*rows));
	size_t k = 0;

	if (!rows)
		return;
	for (size_t i = 0; i < n; i++)
		if (cells[i].nr_reps)
			cell_table_row(&cells[i], &rows[k++]);
	table_print(stdout, rows, k);
	free(rows);
}

static int outdir_make(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	return mkdir(dirname(buf), 0755) && errno != EEXIST ? -1 : 0;
}

static int run_cells(struct cell *cells, size_t n, const struct run_ctx *x)
{
	const struct run_opts *o = x->o;
	json_t *doc = x->doc;
	size_t done = 0, total = n * o->reps;
	int e;

	for (unsigned int rep = 0; rep < o->reps && !interrupted; rep++) {
		for (size_t i = 0; i < n && !interrupted; i++) {
			if (cells[i].skip) {
				total--;
				continue;
			}
			progress(o, ++done, total, &cells[i], rep);
			rep_measure(&cells[i], x);
			e = results_write(doc, cells, n, o->max_raw, false, o->out);
			if (e) {
				fprintf(stderr, "\nhvbench run: cannot write %s: %s\n", o->out,
					strerror(-e));
				return EXIT_OUTPUT;
			}
		}
	}
	if (!o->quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	e = results_write(doc, cells, n, o->max_raw, !interrupted, o->out);
	if (!e && o->csv)
		e = results_csv_write(cells, n, o->csv);
	if (e) {
		fprintf(stderr, "hvbench run: cannot write results: %s\n", strerror(-e));
		return EXIT_OUTPUT;
	}
	return 0;
}

/*
 * --vmm-cmd: parsed, and its program found, before anything runs: a typo
 * should cost a second, not a suite.  0, or -1 having said why.
 */
static int vmm_cmd_prepare(struct vmm_template *t, const char *text)
{
	static char path[4096];
	char why[512];

	if (vmm_template_parse(t, text, why, sizeof(why)) ||
	    vmm_template_resolve(t, path, sizeof(path), why, sizeof(why))) {
		fprintf(stderr, "hvbench run: --vmm-cmd: %s\n", why);
		vmm_template_free(t);
		return -1;
	}
	target_vmm_cmd_set(t, path);
	return 0;
}

/* The (workload, mode, target) the targets cannot run, one line each. */
static void not_applicable_print(FILE *f, const json_t *na)
{
	const json_t *e;
	size_t i;

	json_array_foreach(na, i, e)
		fprintf(f, "not applicable: %s %s on %s: %s\n",
			json_string_value(json_object_get(e, "workload")),
			json_string_value(json_object_get(e, "mode")),
			json_string_value(json_object_get(e, "target")),
			json_string_value(json_object_get(e, "reason")));
}

static void kvm_probe(struct run_ctx *x)
{
	struct vmm_err err = { 0 };
	int fd = kvm_open(&err);

	x->kvm = fd >= 0;
	if (fd >= 0) {
		close(fd);
		for (size_t ti = 0; ti < nr_targets; ti++)
			if (target_chosen(x->o, targets[ti]) && targets[ti]->vmm)
				x->tsc_khz = payload_kvm_tsc_khz();
		return;
	}
	snprintf(x->kvm_why, sizeof(x->kvm_why), "%s", err.msg);
	if (!x->o->quiet)
		fprintf(stderr, "hvbench run: %s; measuring the native baselines only\n", err.msg);
}

int run_main(int argc, char **argv, const char *command)
{
	struct run_opts o;
	struct rep_probes probes;
	struct run_ctx x = { .o = &o, .probes = &probes,
			     .deadline_scale = env_timing_deadline_scale() };
	struct pin_plan plans[NR_PLANS];
	struct vmm_template vmm_cmd = { 0 };
	struct cell *cells = NULL;
	json_t *na;
	size_t n;
	int rc, failed = 0;
	json_t *env, *settings;

	if (opts_parse(argc, argv, &o))
		return EXIT_USAGE;
	if (o.pio_delay_ns && !o.quiet)
		fprintf(stderr, "hvbench run: --debug-pio-delay-ns %u: refvmm's port I/O exits are "
			"slowed on purpose (the results file says so)\n", o.pio_delay_ns);
	if (o.vmm_cmd && vmm_cmd_prepare(&vmm_cmd, o.vmm_cmd))
		return EXIT_USAGE;
	na = json_array();
	n = plan_make(&o, NULL, 0, na);
	if (!n) {
		fprintf(stderr, "hvbench run: nothing to measure: no workload matches (hvbench "
			"list), or the targets can run none of it%s\n",
			json_array_size(na) ? ":" : "");
		not_applicable_print(stderr, na);
		rc = EXIT_USAGE;
		goto out_plan;
	}
	rc = EXIT_PAYLOAD;
	if (payload_load(&x.payload, o.payload, "HVBENCH_PAYLOAD", "../workloads/bench.elf",
			 "hvbench run"))
		goto out_plan;
	cells = calloc(n, sizeof(*cells));
	rc = EXIT_OUTPUT;
	if (!cells || outdir_make(o.out)) {
		fprintf(stderr, "hvbench run: cannot create the directory of %s\n", o.out);
		goto out_cells;
	}
	plan_make(&o, cells, n, NULL);
	rc = EXIT_USAGE;
	if (rep_probes_init(&probes, o.probes, o.perf_events))
		goto out_cells;
	kvm_probe(&x);
	x.nr_cpus = cpus_usable();
	if (o.pin && !pin_plan_make(&plans[PLAN_ONE_VCPU], 1, true) &&
	    !pin_plan_make(&plans[PLAN_TWO_VCPUS], 2, false)) {
		x.pins = plans;
		pin_thread(pthread_self(), plans[PLAN_ONE_VCPU].runner_cpu);
	}
	env = env_capture();
	settings = settings_json(&o, x.pins, x.kvm, x.kvm ? NULL : x.kvm_why);
	{
		char meaning[512];

		/* Native figures on a host that is itself a guest include the hypervisor underneath. */
		env_native_meaning(env, meaning, sizeof(meaning));
		json_object_set_new(settings, "native_baseline", results_json_text(meaning));
	}
	json_object_set_new(settings, "probes", rep_probes_settings(&probes));
	x.doc = results_doc_new("run", command, env, settings);
	json_object_set_new(x.doc, "not_applicable", na);
	na = NULL;	/* the document's now */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rc = run_cells(cells, n, &x);
	if (!o.quiet) {
		const char *caveat = env_timing_caveat(x.doc);

		if (caveat)
			printf("WARNING: not performance figures: %s\n", caveat);
		table_show(cells, n);
		not_applicable_print(stdout, json_object_get(x.doc, "not_applicable"));
	}
	/* Any repetition that hung, crashed or failed fails the run, even in an ok cell. */
	for (size_t i = 0; i < n; i++) {
		for (unsigned int k = 0; k < cells[i].nr_reps; k++)
			failed |= cells[i].reps[k].status >= REP_HANG;
		cell_free(&cells[i]);
	}
	if (!o.quiet)
		printf("results: %s%s\n", o.out, interrupted ? " (interrupted: partial)" : "");
	json_decref(x.doc);
	rep_probes_close(&probes);
	rc = rc ? rc : failed ? EXIT_PARTIAL : 0;
out_cells:
	free(cells);
	payload_free(&x.payload);
out_plan:
	json_decref(na);
	vmm_template_free(&vmm_cmd);
	return rc;
}
