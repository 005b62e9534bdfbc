/* SPDX-License-Identifier: MIT */
/*
 * hvbench gate --baseline BASE.json RESULTS.json: exit 1 when a cell of
 * RESULTS is significantly slower than the baseline's beyond its threshold,
 * or no longer runs; 0 when none is; 2 when the input cannot be used.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gate.h"
#include "hvbench.h"
#include "parse_num.h"
#include "results_cells.h"

#define GATE_DEFAULT_PCT 10.0

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvbench gate --baseline BASE.json [options] RESULTS.json\n"
		"Fail when a benchmark cell of RESULTS is slower than the baseline's: a\n"
		"regression needs both a Mann-Whitney U p below --alpha on the raw samples and\n"
		"the bootstrap interval of the ratio of medians (over repetitions) wholly\n"
		"beyond the cell's threshold. A cell that was ok and now hangs, crashes or\n"
		"fails is a regression too (docs/gate.md).\n\n"
		"  --baseline FILE      results or a baseline (hvbench baseline record)\n"
		"  --threshold PCT      threshold of every cell without a rule (default %g, for\n"
		"                       a quiet machine; calibrate noisy ones: baselines/thresholds)\n"
		"  --thresholds FILE    per-cell thresholds (PATTERN PCT|ignore per line)\n"
		"  --alpha A            significance level (default %g)\n"
		"  --level L            confidence level of the interval (default %g)\n"
		"  --resamples N        bootstrap resamples per cell (default %u)\n"
		"  --seed S             bootstrap seed (default %u)\n"
		"  --junit FILE         JUnit XML, one test case per cell\n"
		"  --summary FILE       Markdown summary for a CI job summary or PR comment\n"
		"  --quiet              print only the final line\n"
		"  --across-machines    gate files from different machines (CPU, size, the\n"
		"                       hypervisor under them, DMI instance type), which is\n"
		"                       otherwise refused: that is hvbench compare's question\n\n"
		"Exit status: 0 no regression; 1 a regression (each is listed); 2 usage, an\n"
		"unreadable or unusable file, files from different machines, or no cell in\n"
		"common with the baseline.\n",
		GATE_DEFAULT_PCT, COMPARE_ALPHA, COMPARE_LEVEL, COMPARE_RESAMPLES, COMPARE_SEED);
}

struct gate_args {
	const char *baseline, *results, *thresholds, *junit, *summary;
	struct compare_opts opts;
	double pct;
	bool quiet;
	bool across_machines;	/* --across-machines: gate files from different machines */
};

/* args_parse's answer to --help: not an exit status. */
#define GATE_HELP (-1)

/* 0, GATE_HELP, or the exit status of a usage error. */
static int args_parse(int argc, char **argv, struct gate_args *a)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "threshold", required_argument, NULL, 't' },
		{ "thresholds", required_argument, NULL, 'T' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "level", required_argument, NULL, 'L' },
		{ "resamples", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "junit", required_argument, NULL, 'j' },
		{ "summary", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "across-machines", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t u;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			a->baseline = optarg;
			break;
		case 't':
			if (parse_double(optarg, 0, 1000, false, &a->pct))
				return cli_usage_error("gate", "--threshold takes a percentage, "
							   "0 to 1000");
			break;
		case 'T':
			a->thresholds = optarg;
			break;
		case 'a':
			if (parse_double(optarg, 0, 1, true, &a->opts.alpha))
				return cli_usage_error("gate", "--alpha takes a number in (0, 1]");
			break;
		case 'L':
			if (parse_double(optarg, 0, 1, true, &a->opts.level) ||
			    a->opts.level == 1)
				return cli_usage_error("gate", "--level takes a number in (0, 1)");
			break;
		case 'r':
			if (parse_u64(optarg, 1000000, &u) || !u)
				return cli_usage_error("gate", "--resamples takes 1 to 1000000");
			a->opts.resamples = (unsigned)u;
			break;
		case 's':
			if (parse_u64(optarg, INT64_MAX, &a->opts.seed))
				return cli_usage_error("gate", "--seed takes a whole number up "
							   "to 2^63 - 1");
			break;
		case 'j':
			a->junit = optarg;
			break;
		case 'm':
			a->summary = optarg;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'X':
			a->across_machines = true;
			break;
		case 'h':
			usage(stdout);
			return GATE_HELP;
		default:
			return cli_usage_error("gate", NULL);
		}
	}
	if (!a->baseline)
		return cli_usage_error("gate", "--baseline FILE is required");
	if (argc - optind != 1)
		return cli_usage_error("gate", "give one results file to check");
	a->results = argv[optind];
	return 0;
}

static int reports_write(const struct gate_args *a, const struct gate_result *g)
{
	int e;

	if (a->junit && (e = gate_junit_write(a->junit, g))) {
		fprintf(stderr, "hvbench gate: %s: cannot write: %s\n", a->junit, strerror(-e));
		return -1;
	}
	if (a->summary && (e = gate_summary_write(a->summary, g))) {
		fprintf(stderr, "hvbench gate: %s: cannot write: %s\n", a->summary, strerror(-e));
		return -1;
	}
	return 0;
}

int gate_main(int argc, char **argv)
{
	struct gate_args a = {
		.opts = { .alpha = COMPARE_ALPHA, .level = COMPARE_LEVEL,
			  .resamples = COMPARE_RESAMPLES, .seed = COMPARE_SEED,
			  .threshold = gate_threshold_of },
		.pct = GATE_DEFAULT_PCT,
	};
	struct results_set sets[2] = { 0 };
	struct gate_thresholds th = { 0 };
	struct compare_warnings warnings = { 0 };
	struct gate_result g = { 0 };
	char *paths[2], why[512];
	int ret = COMPARE_EXIT_INPUT, r;

	r = args_parse(argc, argv, &a);
	if (r)
		return r == GATE_HELP ? 0 : r;
	th.default_pct = a.pct;
	a.opts.threshold_ctx = &th;
	if (a.thresholds && gate_thresholds_load(&th, a.thresholds, why, sizeof(why))) {
		fprintf(stderr, "hvbench gate: %s\n", why);
		goto out;
	}
	paths[0] = (char *)a.baseline;
	paths[1] = (char *)a.results;
	if ((a.junit && cli_output_clash("gate", a.junit, paths, 2)) ||
	    (a.summary && cli_output_clash("gate", a.summary, paths, 2)))
		goto out;
	if (results_sets_load(sets, paths, 2, NULL, "gate"))
		goto out;
	if (!a.across_machines &&
	    compare_machines_differ(sets[0].doc, sets[1].doc, why, sizeof(why))) {
		fprintf(stderr, "hvbench gate: %s and %s come from different machines (%s): that is "
			"a comparison of instance types, not a regression; use hvbench compare, or "
			"--across-machines to gate anyway\n", a.baseline, a.results, why);
		goto out;
	}
	if (compare_timing_warn(&warnings, sets[0].doc, sets[0].label) ||
	    compare_timing_warn(&warnings, sets[1].doc, sets[1].label) ||
	    compare_env_warn(&warnings, sets[0].doc, sets[0].label, sets[1].doc, sets[1].label) ||
	    compare_cells_warn(&warnings, &sets[0], &sets[1]) ||
	    compare_sets(&sets[0], &sets[1], &a.opts, &g.rows, &g.n)) {
		fprintf(stderr, "hvbench gate: out of memory\n");
		goto out;
	}
	g.base = &sets[0];
	g.res = &sets[1];
	g.opts = &a.opts;
	g.warnings = &warnings;
	g.thresholds_path = a.thresholds;
	g.default_pct = a.pct;
	gate_count(&g);
	if (!g.compared) {
		fprintf(stderr, "hvbench gate: %s: no cell could be compared with the baseline %s "
			"(none in common that both ran ok with samples to compare)\n", a.results, a.baseline);
		goto out;
	}
	if (reports_write(&a, &g))
		goto out;
	if (a.quiet)
		printf("gate: %s: %zu regression(s), %zu improvement(s) in %zu cell(s)\n",
		       g.regressions ? "FAIL" : "pass", g.regressions, g.improvements, g.compared);
	else
		gate_print(stdout, &g);
	ret = g.regressions ? GATE_EXIT_REGRESSION : 0;
out:
	free(g.rows);
	results_set_free(&sets[0]);
	results_set_free(&sets[1]);
	gate_thresholds_free(&th);
	compare_warnings_free(&warnings);
	return ret;
}
