/* SPDX-License-Identifier: MIT */
/*
 * hvbench compare A.json B.json [C.json ...]: every benchmark cell of each
 * file against the first file's, with the ratio of medians, its interval,
 * a significance test and a verdict.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "cli.h"
#include "compare_env.h"
#include "compare_instance.h"
#include "compare_out.h"
#include "hvbench.h"
#include "labels.h"
#include "parse_num.h"
#include "results_cells.h"
#include "results_read.h"

#define MAX_FILES 16

enum format { FMT_TABLE, FMT_MD, FMT_CSV, FMT_JSON };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvbench compare [options] BASE.json OTHER.json [MORE.json ...]\n"
		"       hvbench compare --by-target[=refvmm,qemu-kvm,...] [options] RUN.json\n"
		"Compare every benchmark cell (workload, mode, target, CPL) of each file with\n"
		"the first file's: medians, ratio to the base with a bootstrap confidence\n"
		"interval over repetitions, a Mann-Whitney U test on the raw samples, and a\n"
		"verdict: faster, slower or no significant change (docs/gate.md).\n\n"
		"  --by-target [LIST]   one FILE: compare its targets with each other (the first\n"
		"                       of LIST, default the file's first, is the base)\n"
		"  --format table|md|csv|json  output (default table)\n"
		"  --labels A,B,...     names of the files in the output (default: file names)\n"
		"  --threshold PCT      a change must be at least this large (default 0)\n"
		"  --alpha A            significance level of the U test (default %g)\n"
		"  --level L            confidence level of the interval (default %g)\n"
		"  --resamples N        bootstrap resamples per cell (default %u)\n"
		"  --seed S             bootstrap seed (default %u): same seed, same intervals\n"
		"  --out FILE           write the output to FILE instead of stdout\n\n"
		"Warnings about differences between the files' environments go to stderr.\n"
		"Exit status: 0 compared; 2 usage, or a file unreadable, not benchmark\n"
		"results, or of another schema version than the first.\n",
		COMPARE_ALPHA, COMPARE_LEVEL, COMPARE_RESAMPLES, COMPARE_SEED);
}

static double flat_threshold(const struct results_cell *c, void *ctx)
{
	(void)c;
	return *(const double *)ctx;
}

static int format_parse(const char *s, enum format *f)
{
	static const char *const names[] = { "table", "md", "csv", "json" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*f = (enum format)i;
			return 0;
		}
	return -1;
}

static int output_write(const struct comparison *c, enum format fmt, FILE *f)
{
	switch (fmt) {
	case FMT_TABLE:
		if (c->native_only)
			compare_instance_print(f, c);
		compare_out_table(f, c);
		break;
	case FMT_MD:
		compare_out_md(f, c);
		break;
	case FMT_CSV:
		compare_out_csv(f, c);
		break;
	case FMT_JSON:
		if (compare_out_json(f, c))
			return -1;
		break;
	}
	return ferror(f) ? -1 : 0;
}

/* The targets of doc's cells, in file order ("refvmm-np" for probe-overhead twins). */
static size_t targets_of(const json_t *doc, const char **names, size_t max)
{
	const json_t *r;
	size_t n = 0, i;

	json_array_foreach(json_object_get(doc, "results"), i, r) {
		const char *t = results_target_of(r);
		size_t k = 0;

		while (k < n && strcmp(names[k], t))
			k++;
		if (k == n && n < max)
			names[n++] = t;
	}
	return n;
}

/*
 * --by-target: the file's cells of each target as a set of its own, labelled
 * by the target, with the target taken out of the key so that cells match
 * across targets by workload, mode and CPL.  0, or -1 having said why.
 */
static int target_sets(struct results_set *sets, size_t *n, const char *path, const char *list)
{
	const char *names[MAX_FILES];
	char why[512], buf[256], *save = NULL;
	json_t *doc = results_load(path, why, sizeof(why));
	size_t nt;

	*n = 0;
	if (!doc) {
		fprintf(stderr, "hvbench compare: %s: %s\n", path, why);
		return -1;
	}
	nt = targets_of(doc, names, MAX_FILES);
	if (list) {
		nt = 0;
		snprintf(buf, sizeof(buf), "%s", list);
		for (char *t = strtok_r(buf, ",", &save); t && nt < MAX_FILES;
		     t = strtok_r(NULL, ",", &save))
			names[nt++] = t;
	}
	for (size_t k = 0; k < nt; k++) {
		json_t *sub = json_deep_copy(doc), *kept = json_array(), *r;
		size_t i;

		json_array_foreach(json_object_get(doc, "results"), i, r) {
			const char *t = results_target_of(r);
			json_t *c;

			if (strcmp(t, names[k]))
				continue;
			c = json_deep_copy(r);
			json_object_set_new(c, "target", json_string("*"));
			json_object_del(c, "probes_off");
			json_array_append_new(kept, c);
		}
		json_object_set_new(sub, "results", kept);
		sets[k].path = path;
		sets[k].doc = sub;
		snprintf(sets[k].label, sizeof(sets[k].label), "%.*s", LABEL_MAX - 1, names[k]);
		*n = k + 1;
		if (!json_array_size(kept)) {
			fprintf(stderr, "hvbench compare: %s: no cell on target '%s'\n", path,
				sets[k].label);
			json_decref(doc);
			return -1;
		}
		if (results_set_from_doc(&sets[k], sub, why, sizeof(why))) {
			fprintf(stderr, "hvbench compare: %s: %s\n", path, why);
			json_decref(doc);
			return -1;
		}
	}
	json_decref(doc);
	if (nt < 2) {
		fprintf(stderr, "hvbench compare: %s: --by-target needs two targets, the file has "
			"%zu\n", path, nt);
		return -1;
	}
	return 0;
}

int compare_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "by-target", optional_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "labels", required_argument, NULL, 'l' },
		{ "threshold", required_argument, NULL, 't' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "level", required_argument, NULL, 'L' },
		{ "resamples", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct compare_opts o = {
		.alpha = COMPARE_ALPHA, .level = COMPARE_LEVEL, .resamples = COMPARE_RESAMPLES,
		.seed = COMPARE_SEED, .threshold = flat_threshold,
	};
	struct results_set sets[MAX_FILES] = { 0 };
	struct compare_row *rows[MAX_FILES] = { 0 };
	size_t nr_rows[MAX_FILES] = { 0 }, n = 0;
	struct compare_warnings warnings = { 0 };
	const char *labels = NULL, *out = NULL, *by_list = NULL;
	bool by_target = false;
	enum format fmt = FMT_TABLE;
	char *text = NULL;
	size_t len = 0;
	double threshold = 0;
	uint64_t u;
	int c, ret = COMPARE_EXIT_INPUT;
	FILE *f = stdout;

	o.threshold_ctx = &threshold;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format_parse(optarg, &fmt))
				return cli_usage_error("compare", "--format takes table, md, csv "
							   "or json");
			break;
		case 'l':
			labels = optarg;
			break;
		case 'b':
			by_target = true;
			by_list = optarg;
			break;
		case 't':
			if (parse_double(optarg, 0, 1000, false, &threshold))
				return cli_usage_error("compare", "--threshold takes a "
							   "percentage, 0 to 1000");
			break;
		case 'a':
			if (parse_double(optarg, 0, 1, true, &o.alpha))
				return cli_usage_error("compare", "--alpha takes a number in "
							   "(0, 1]");
			break;
		case 'L':
			if (parse_double(optarg, 0, 1, true, &o.level) || o.level == 1)
				return cli_usage_error("compare", "--level takes a number in "
							   "(0, 1)");
			break;
		case 'r':
			if (parse_u64(optarg, 1000000, &u) || !u)
				return cli_usage_error("compare", "--resamples takes 1 to "
							   "1000000");
			o.resamples = (unsigned)u;
			break;
		case 's':
			if (parse_u64(optarg, INT64_MAX, &o.seed))
				return cli_usage_error("compare", "--seed takes a whole number "
							   "up to 2^63 - 1");
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("compare", NULL);
		}
	}
	n = (size_t)(argc - optind);
	if (by_target ? n != 1 : n < 2 || n > MAX_FILES)
		return cli_usage_error("compare", by_target ? "--by-target takes one results file" :
					   "give 2 to 16 results files, the base first");
	if (out && cli_output_clash("compare", out, argv + optind, n))
		return COMPARE_EXIT_INPUT;
	if (by_target ? target_sets(sets, &n, argv[optind], by_list) :
			results_sets_load(sets, argv + optind, n, labels, "compare"))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (compare_timing_warn(&warnings, sets[i].doc, sets[i].label)) {
			fprintf(stderr, "hvbench compare: out of memory\n");
			goto out;
		}
	for (size_t i = 1; i < n; i++)
		if (compare_env_warn(&warnings, sets[0].doc, sets[0].label, sets[i].doc,
				     sets[i].label) ||
		    compare_load_warn(&warnings, sets[0].doc, sets[0].label, sets[i].doc,
				      sets[i].label) ||
		    compare_cells_warn(&warnings, &sets[0], &sets[i]) ||
		    compare_sets(&sets[0], &sets[i], &o, &rows[i - 1], &nr_rows[i - 1])) {
			fprintf(stderr, "hvbench compare: out of memory\n");
			goto out;
		}
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "hvbench compare: warning: %s\n", warnings.lines[i]);
	/* --out is written whole or not at all, like every file hvbench writes. */
	if (out && !(f = open_memstream(&text, &len))) {
		fprintf(stderr, "hvbench compare: out of memory\n");
		goto out;
	}
	{
		struct comparison cmp = {
			.sets = sets, .nr_sets = n, .rows = rows, .nr_rows = nr_rows,
			.opts = &o, .threshold_pct = threshold, .warnings = &warnings,
		};

		cmp.native_only = compare_instance_wanted(&cmp);

		ret = output_write(&cmp, fmt, f) ? COMPARE_EXIT_INPUT : 0;
	}
	if (out) {
		int e = atomic_file_write_memstream(f, &text, &len, out);

		if (e && !ret)
			fprintf(stderr, "hvbench compare: %s: cannot write: %s\n", out, strerror(-e));
		ret = ret || e ? COMPARE_EXIT_INPUT : 0;
	} else if (fflush(stdout)) {
		ret = COMPARE_EXIT_INPUT;
	}
	if (ret && !out)
		fprintf(stderr, "hvbench compare: stdout: write failed\n");
out:
	for (size_t i = 0; i < n && i < MAX_FILES; i++) {
		free(rows[i]);
		results_set_free(&sets[i]);
	}
	compare_warnings_free(&warnings);
	return ret;
}
