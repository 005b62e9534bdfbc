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

#include "atomic_file.h"
#include "cell.h"
#include "env.h"
#include "env_notes.h"
#include "env_timing.h"
#include "hvbench.h"
#include "kvm.h"
#include "like.h"
#include "parse_num.h"
#include "payload.h"
#include "pin.h"
#include "rep_probes.h"
#include "results_write.h"
#include "table.h"
#include "target.h"
#include "vmm_template.h"

#define KEEP_SAMPLES_DEFAULT 1000

/* --suite: which cells, and how long each repetition runs by default. */
enum run_suite { SUITE_QUICK, SUITE_FULL, SUITE_INSTANCE, NR_SUITES };

static const struct {
	const char *name;
	unsigned int reps;
	double target_ms;
	size_t max_samples;
} suites[NR_SUITES] = {
	[SUITE_QUICK] = { "quick", 3, 30, 2000 },
	[SUITE_FULL] = { "full", 5, 150, 20000 },
	/*
	 * Nothing but a process's own operations, so longer repetitions cost
	 * little: five of them, so the spread between them is worth reading.
	 */
	[SUITE_INSTANCE] = { "instance", 5, 100, 20000 },
};

struct run_opts {
	enum run_suite suite;
	bool targets_set;	/* --target given: else the suite's default targets */
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
	double spread_min;	/* --spread: the rounds of repetitions span this many minutes */
	const char *like;	/* --like FILE: its recipe, not these options */
	bool recipe_given;	/* an option --like would set was given */
	char like_sha[SHA256_HEX_LEN];	/* the payload --like's file ran, or "" */
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
		"  --suite quick|full|instance\n"
		"                       quick: the core workloads, short repetitions (default);\n"
		"                       full: every workload, longer repetitions;\n"
		"                       instance: what the hypervisor underneath costs this\n"
		"                       machine's processes (no /dev/kvm needed; target native)\n"
		"  --filter GLOB[,GLOB] only workloads whose name matches\n"
		"  --modes LIST         hvm,pv,offload,offload-poll,native (default: all)\n"
		"  --cpl LIST           0,3 (default: both where the workload allows)\n"
		"  --target LIST        where to measure (docs/targets.md), comma-separated;\n"
		"                       default refvmm,native (--suite instance: native):\n");
	for (size_t i = 0; i < nr_targets; i++)
		fprintf(f, "                         %-9s %s\n", targets[i]->name, targets[i]->what);
	fprintf(f,
		"                       What a target cannot run is listed as not applicable\n"
		"  --vmm-cmd TEMPLATE   the vmm-cmd target's command: {payload} {cmdline}\n"
		"                       {mem_mib} {cpus} (docs/vmm-cmd.md)\n"
		"  --repetitions N      repetitions per cell, interleaved (quick 3, full and\n"
		"                       instance 5)\n"
		"  --target-ms MS       time the samples of one repetition take (quick 30,\n"
		"                       full 150, instance 100)\n"
		"  --max-samples N      samples per repetition at most (quick 2000, full and\n"
		"                       instance 20000)\n"
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
		"  --spread MINUTES     start the rounds of repetitions evenly over this long,\n"
		"                       so they sample the machine's load at different times\n"
		"                       (the spread between them is then worth reading)\n"
		"  --like FILE          repeat the recipe FILE recorded (suite, filter, modes,\n"
		"                       CPLs, targets, repetitions, sample times, spread,\n"
		"                       pinning, probes) and refuse a payload other than the\n"
		"                       one it ran; only --out, --csv, --payload and --quiet\n"
		"                       may be given with it\n"
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
		{ "spread", required_argument, NULL, 'S' },
		{ "like", required_argument, NULL, 'L' },
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
		/* What --like leaves to the command line: where the output goes, and the payload. */
		if (!strchr("oCpqLh?", c))
			o->recipe_given = true;
		switch (c) {
		case 's':
			for (o->suite = 0; o->suite < NR_SUITES; o->suite++)
				if (!strcmp(optarg, suites[o->suite].name))
					break;
			if (o->suite == NR_SUITES)
				return fprintf(stderr, "hvbench run: --suite is quick, full or instance, "
					       "not '%s'\n", optarg), -1;
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
			o->targets_set = true;
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
		case 'L':
			o->like = optarg;
			break;
		case 'S':
			if (parse_double(optarg, 0, 1440, true, &o->spread_min))
				return fprintf(stderr, "hvbench run: --spread is minutes, above 0 and "
					       "up to 1440, not '%s'\n", optarg), -1;
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
	/* The instance suite's cells run on the native target only. */
	if (o->suite == SUITE_INSTANCE && !o->targets_set)
		o->targets = target_bit(&target_native);
	o->reps = reps ? reps : suites[o->suite].reps;
	o->target_ms = target ? (double)target : suites[o->suite].target_ms;
	o->max_samples = max_samples ? max_samples : suites[o->suite].max_samples;
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

/* quick: the core workloads; full: every workload; instance: its own cells only. */
static bool suite_has(enum run_suite s, const struct workload *w)
{
	if (s == SUITE_INSTANCE || w->instance)
		return s == SUITE_INSTANCE && w->instance;
	return s == SUITE_FULL || w->quick;
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

		if (!suite_has(o->suite, w) || !filter_match(o->filter, w->name))
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
	bool kvm_asked;		/* a chosen target boots VMs, so /dev/kvm was tried */
	bool kvm;
	char kvm_why[512];
	uint32_t tsc_khz;		/* KVM's guest TSC rate, for external VMMs */
	struct rep_probes *probes;	/* host-side probes, shared by every repetition */
	double deadline_scale;		/* env_timing_deadline_scale(): 5 on an emulated CPU */
	int nr_cpus;			/* cpus_usable() at the start */
	double start_s;			/* CLOCK_MONOTONIC when the first repetition began */
	char payload_sha[SHA256_HEX_LEN];	/* the payload's SHA-256, "" when none is loaded */
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
			suites[o->suite].name, "filter", o->filter, "modes", modes, "cpls",
			cpls, "repetitions", (json_int_t)o->reps, "target_ms", o->target_ms,
			"max_samples", (json_int_t)o->max_samples, "pinning",
			plans_json(pins), "kvm_available", kvm,
			"kvm_unavailable_why", kvm_why, "debug_pio_delay_ns",
			(json_int_t)o->pio_delay_ns);
	json_object_set_new(set, "targets", chosen);
	json_object_set_new(set, "spread_minutes", o->spread_min > 0 ? json_real(o->spread_min) :
										 json_null());
	json_object_set_new(set, "keep_samples", json_integer((json_int_t)o->max_raw));
	json_object_set_new(set, "pin", json_boolean(o->pin));
	json_object_set_new(set, "probes_asked", json_boolean(o->probes));
	json_object_set_new(set, "probe_overhead", json_boolean(o->probe_overhead));
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
	struct load_snap l0, l1;
	char why[sizeof(r->why)] = "";

	load_snap_take(&l0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Later repetitions reuse the first one's batch, so all time the same work. */
	if (c->nr_reps && c->reps[0].status == REP_OK && !c->w->host_timed)
		ro.batch = c->reps[0].batch;
	if (c->target->native) {
		rep_probes_suspend(x->probes);
		rep_run_native(c->w, &ro, r);
		rep_probes_resume(x->probes);
	}
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
	load_snap_take(&l1);
	load_window_make(&l0, &l1, &r->load);
	r->at_s = l0.mono_s - x->start_s;
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

/*
 * The results file's directory, before anything is measured: the default
 * results/ is made where it is missing; any other directory named with
 * --out must exist.  0, or -1 having said why.
 */
static int outdir_make(const char *path)
{
	char why[512];

	if (!atomic_file_dir_ready(path, "results", why, sizeof(why)))
		return 0;
	fprintf(stderr, "hvbench run: cannot write %s: %s\n", path, why);
	return -1;
}

/*
 * --spread: round `rep` starts no earlier than rep/(reps-1) of the spread
 * after the first, so the repetitions of every cell meet the machine at
 * different times (a neighbour's batch job, a quiet hour) instead of in
 * one burst.  Sleeps in one-second steps so an interrupt ends it.
 */
static void spread_wait(const struct run_opts *o, unsigned int rep)
{
	static struct timespec start;
	struct timespec now;
	double due;

	if (!rep)
		clock_gettime(CLOCK_MONOTONIC, &start);
	if (!rep || o->spread_min <= 0 || o->reps < 2)
		return;
	due = o->spread_min * 60.0 * rep / (o->reps - 1);
	for (;;) {
		const struct timespec step = { 1, 0 };
		double left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = due - ((now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9);
		if (left <= 0 || interrupted)
			return;
		if (!o->quiet && isatty(STDERR_FILENO))
			fprintf(stderr, "\r\033[K--spread: round %u of %u starts in %.0f s", rep + 1,
				o->reps, left);
		if (left < 1)
			nanosleep(&(struct timespec){ 0, (long)(left * 1e9) }, NULL);
		else
			nanosleep(&step, NULL);
	}
}

static int run_cells(struct cell *cells, size_t n, const struct run_ctx *x)
{
	const struct run_opts *o = x->o;
	json_t *doc = x->doc;
	size_t done = 0, total = n * o->reps;
	int e;

	for (unsigned int rep = 0; rep < o->reps && !interrupted; rep++) {
		spread_wait(o, rep);
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

/* Whether a chosen target boots VMs: only then are /dev/kvm and the payload needed. */
static bool vms_chosen(const struct run_opts *o)
{
	for (size_t ti = 0; ti < nr_targets; ti++)
		if (target_chosen(o, targets[ti]) && !targets[ti]->native)
			return true;
	return false;
}

/* Whether /dev/kvm works, asked only when a chosen target boots VMs. */
static void kvm_probe(struct run_ctx *x)
{
	struct vmm_err err = { 0 };
	int fd;

	if (!vms_chosen(x->o))
		return;
	x->kvm_asked = true;
	fd = kvm_open(&err);

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

/*
 * The bench payload, where a chosen target boots VMs, and its SHA-256 for
 * the results file: a --like run refuses one other than its file ran.
 * 0, or -1 having said why (and nothing left loaded).
 */
static int payload_check(struct run_ctx *x, const struct run_opts *o)
{
	if (payload_load(&x->payload, o->payload, "HVBENCH_PAYLOAD", "../workloads/bench.elf",
			 "hvbench run"))
		return -1;
	if (sha256_hex(x->payload.data, x->payload.size, x->payload_sha)) {
		fprintf(stderr, "hvbench run: cannot hash the payload: out of memory\n");
		payload_free(&x->payload);
		return -1;
	}
	if (o->like_sha[0] && strcmp(o->like_sha, x->payload_sha)) {
		fprintf(stderr, "hvbench run: --like %s: the payload %s (sha256 %.12s...) is not the "
			"one that run used (sha256 %.12s...): build the same version, or give "
			"--payload the same bench.elf\n", o->like, x->payload.path, x->payload_sha,
			o->like_sha);
		payload_free(&x->payload);
		return -1;
	}
	if (o->like && !o->like_sha[0] && !o->quiet)
		fprintf(stderr, "hvbench run: --like %s recorded no payload hash (an older file): "
			"the payload cannot be checked\n", o->like);
	return 0;
}

/*
 * --like: the options FILE's recipe gives, appended to the command line
 * (which may only say where the output goes), parsed again by opts_parse
 * as if typed.  *argv_out and *recipe (like_free) live as long as o.
 */
static int like_apply(struct run_opts *o, int argc, char **argv, int *nr_recipe,
		      char ***recipe, char ***argv_out)
{
	char why[512], **all;
	int n;

	if (o->recipe_given) {
		fprintf(stderr, "hvbench run: --like takes the whole recipe from %s: give only "
			"--out, --csv, --payload or --quiet with it\n", o->like);
		return EXIT_USAGE;
	}
	if (like_recipe(o->like, nr_recipe, recipe, o->like_sha, why, sizeof(why))) {
		fprintf(stderr, "hvbench run: --like %s: %s\n", o->like, why);
		return EXIT_BAD_RESULTS;
	}
	all = calloc((size_t)(argc + *nr_recipe + 1), sizeof(*all));
	if (!all) {
		fprintf(stderr, "hvbench run: out of memory\n");
		return EXIT_NO_MEMORY;
	}
	memcpy(all, argv, (size_t)argc * sizeof(*all));
	memcpy(all + argc, *recipe, (size_t)*nr_recipe * sizeof(*all));
	n = argc + *nr_recipe;
	{
		const char *path = o->like;
		char sha[SHA256_HEX_LEN];

		/* opts_parse starts from the defaults: the recipe's payload hash is put back. */
		memcpy(sha, o->like_sha, sizeof(sha));
		if (opts_parse(n, all, o)) {
			free(all);
			fprintf(stderr, "hvbench run: --like %s: its recipe is not one this version "
				"takes (above)\n", path);
			return EXIT_BAD_RESULTS;
		}
		memcpy(o->like_sha, sha, sizeof(sha));
	}
	if (!o->quiet) {
		fprintf(stderr, "hvbench run: --like %s:", o->like);
		for (int i = 0; i < *nr_recipe; i++)
			fprintf(stderr, " %s", (*recipe)[i]);
		fputc('\n', stderr);
	}
	*argv_out = all;
	return 0;
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
	json_t *na = NULL;
	size_t n;
	int rc, failed = 0, nr_recipe = 0;
	char **recipe = NULL, **recipe_argv = NULL;
	json_t *env, *settings;

	if (opts_parse(argc, argv, &o))
		return EXIT_USAGE;
	if (o.like) {
		rc = like_apply(&o, argc, argv, &nr_recipe, &recipe, &recipe_argv);
		if (rc) {
			like_free(nr_recipe, recipe);
			return rc;
		}
	}
	if (o.pio_delay_ns && !o.quiet)
		fprintf(stderr, "hvbench run: --debug-pio-delay-ns %u: refvmm's port I/O exits are "
			"slowed on purpose (the results file says so)\n", o.pio_delay_ns);
	na = json_array();
	rc = EXIT_USAGE;
	if (o.vmm_cmd && vmm_cmd_prepare(&vmm_cmd, o.vmm_cmd))
		goto out_plan;
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
	if (vms_chosen(&o) && payload_check(&x, &o))
		goto out_plan;
	cells = calloc(n, sizeof(*cells));
	rc = EXIT_OUTPUT;
	if (!cells || outdir_make(o.out)) {
		if (!cells)
			fprintf(stderr, "hvbench run: out of memory\n");
		goto out_cells;
	}
	plan_make(&o, cells, n, NULL);
	rc = EXIT_USAGE;
	/* Only a VM's threads are watched: a native-only run loads no probes at all. */
	if (rep_probes_init(&probes, o.probes && vms_chosen(&o), o.perf_events))
		goto out_cells;
	if (o.probes && !vms_chosen(&o)) {
		snprintf(probes.ebpf_why, sizeof(probes.ebpf_why), "no target boots a VM");
		snprintf(probes.perf_why, sizeof(probes.perf_why), "no target boots a VM");
	}
	kvm_probe(&x);
	x.nr_cpus = cpus_usable();
	/* Before the runner pins itself: the CPUs it may use, not the one it chose. */
	env = env_capture();
	/* What the figures are measured on top of: every source's name for the hypervisor. */
	if (!o.quiet)
		env_print_hypervisor(stdout, env);
	if (o.pin && !pin_plan_make(&plans[PLAN_ONE_VCPU], 1, true) &&
	    !pin_plan_make(&plans[PLAN_TWO_VCPUS], 2, false)) {
		x.pins = plans;
		pin_thread(pthread_self(), plans[PLAN_ONE_VCPU].runner_cpu);
	}
	settings = settings_json(&o, x.pins, x.kvm, x.kvm || !x.kvm_asked ? NULL : x.kvm_why);
	if (!x.kvm_asked)
		json_object_set_new(settings, "kvm_available", json_null());
	{
		char meaning[512];

		/* Native figures on a host that is itself a guest include the hypervisor underneath. */
		env_native_meaning(env, meaning, sizeof(meaning));
		json_object_set_new(settings, "native_baseline", results_json_text(meaning));
	}
	json_object_set_new(settings, "probes", rep_probes_settings(&probes));
	json_object_set_new(settings, "payload", !x.payload_sha[0] ? json_null() :
			    json_pack("{s:o, s:s, s:I}", "file", results_json_text(x.payload.path),
				      "sha256", x.payload_sha, "bytes", (json_int_t)x.payload.size));
	x.doc = results_doc_new("run", command, env, settings);
	json_object_set_new(x.doc, "not_applicable", na);
	na = NULL;	/* the document's now */
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	{
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		x.start_s = now.tv_sec + now.tv_nsec / 1e9;
	}
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
	like_free(nr_recipe, recipe);
	free(recipe_argv);
	return rc;
}
