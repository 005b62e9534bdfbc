/* SPDX-License-Identifier: MIT */
/*
 * hvbench baseline record -o BASE.json RUN.json [RUN.json ...]: one
 * baseline from several runs on one machine. Each cell keeps the
 * repetitions of every run, tagged with the run they came from, so the
 * gate's bootstrap over repetitions sees how much runs differ, not only how
 * much the boots of one run do.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "baseline.h"
#include "cli.h"
#include "compare_env.h"
#include "histogram.h"
#include "hvbench.h"
#include "parse_num.h"
#include "results_cells.h"
#include "results_doc.h"
#include "stats.h"

#define MAX_RUNS 32

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvbench baseline record -o BASE.json [options] RUN.json [RUN.json ...]\n"
		"Merge complete runs of hvbench run made on one machine into a baseline for\n"
		"hvbench gate and compare (docs/gate.md). Runs made at different times give\n"
		"the gate the run-to-run spread of each cell.\n\n"
		"  -o, --out FILE       the baseline to write\n"
		"  --note TEXT          what the baseline is (machine, build, why), kept in it\n"
		"  --keep-samples N     raw samples kept per repetition (default: all the run kept)\n\n"
		"Refused: an incomplete run, a run slowed with --debug-pio-delay-ns, runs from\n"
		"different CPUs, kernels or KVM backends.\n"
		"Exit status: 0 written; 2 usage, or a run unreadable or refused.\n");
}

/* Differences in these make runs of different machines: never one baseline. */
static const char *const machine_fields[] = {
	"environment.cpu.model_name",
	"environment.kernel.release",
	"environment.kvm.backend",
};

static int runs_check(struct results_set *runs, size_t n)
{
	struct compare_warnings w = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		const json_t *d = runs[i].doc, *delay;

		delay = json_object_get(json_object_get(d, "settings"), "debug_pio_delay_ns");
		if (strcmp(runs[i].kind, "run")) {
			fprintf(stderr, "hvbench baseline: %s: kind %s: a baseline is recorded from "
				"runs of hvbench run\n", runs[i].path, runs[i].kind);
			ret = -1;
		} else if (!json_is_true(json_object_get(d, "complete"))) {
			fprintf(stderr, "hvbench baseline: %s: an incomplete run (interrupted or "
				"stopped): not a baseline\n", runs[i].path);
			ret = -1;
		} else if (json_integer_value(delay) != 0) {
			fprintf(stderr, "hvbench baseline: %s: made with --debug-pio-delay-ns %lld "
				"(slowed on purpose): not a baseline\n", runs[i].path,
				json_integer_value(delay));
			ret = -1;
		}
	}
	for (size_t i = 0; i < n && !ret; i++) {
		if (compare_timing_warn(&w, runs[i].doc, runs[i].label) ||
		    (i && compare_env_warn(&w, runs[0].doc, runs[0].label, runs[i].doc,
					   runs[i].label))) {
			fprintf(stderr, "hvbench baseline: out of memory\n");
			ret = -1;
		}
	}
	for (size_t i = 0; i < w.n && !ret; i++) {
		for (size_t k = 0; k < sizeof(machine_fields) / sizeof(machine_fields[0]); k++) {
			size_t len = strlen(machine_fields[k]);

			if (!strncmp(w.lines[i], machine_fields[k], len) && w.lines[i][len] == ' ') {
				fprintf(stderr, "hvbench baseline: runs of different machines: %s\n",
					w.lines[i]);
				ret = -1;
			}
		}
		if (!ret)
			fprintf(stderr, "hvbench baseline: warning: %s\n", w.lines[i]);
	}
	compare_warnings_free(&w);
	return ret;
}

/*
 * A repetition as the baseline keeps it: its run, its first keep samples, no
 * probes. Its median and histogram are made again from the samples it
 * keeps, as the cell's summary is (cell_resummarize): a baseline describes
 * the samples it holds, so a report of it cannot show one median in a
 * table and another in a plot.
 */
static json_t *rep_copy(const json_t *rep, size_t run, size_t keep)
{
	json_t *r = json_deep_copy(rep), *samples, *x;
	double *v;
	size_t n, i;

	if (!r)
		return NULL;
	json_object_set_new(r, "run", json_integer((json_int_t)run));
	json_object_del(r, "probes");
	samples = json_object_get(r, "samples");
	if (!json_is_array(samples))
		return r;
	while (json_array_size(samples) > keep)
		json_array_remove(samples, json_array_size(samples) - 1);
	n = json_array_size(samples);
	json_object_set_new(r, "samples_kept", json_integer((json_int_t)n));
	if (!n)
		return r;
	v = malloc(n * sizeof(*v));
	if (!v) {
		json_decref(r);
		return NULL;
	}
	json_array_foreach(samples, i, x)
		v[i] = json_number_value(x);
	json_object_set_new(r, "histogram", histogram_json(v, n));
	json_object_set_new(r, "p50", json_real(stats_median_inplace(v, n)));
	free(v);
	return r;
}

/* The mean of each per-operation figure over the runs that have it. */
static json_t *per_op_merge(const json_t *const *cells, size_t n)
{
	json_t *out = NULL;
	const char *key;
	json_t *v;

	for (size_t i = 0; i < n; i++) {
		const json_t *p = cells[i] ? json_object_get(cells[i], "per_op") : NULL;

		if (json_is_object(p) && !out)
			out = json_deep_copy(p);
	}
	if (!out)
		return json_null();
	json_object_foreach(out, key, v) {
		double sum = 0;
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			const json_t *x = cells[i] ?
				json_object_get(json_object_get(cells[i], "per_op"), key) : NULL;

			if (json_is_number(x)) {
				sum += json_number_value(x);
				k++;
			}
		}
		json_object_set_new(out, key, k ? json_real(sum / k) : json_null());
	}
	return out;
}

/* Summary and timer_ns of the merged cell, from the samples and timers it keeps. */
static int cell_resummarize(json_t *cell)
{
	const json_t *reps = json_object_get(cell, "repetitions"), *rep, *x;
	size_t total = 0, k = 0, nt = 0, i, j;
	double *all, *timers;
	struct stats_summary s;

	json_array_foreach(reps, i, rep)
		if (!strcmp(json_string_value(json_object_get(rep, "status")), "ok"))
			total += json_array_size(json_object_get(rep, "samples"));
	json_object_del(cell, "summary");
	json_object_del(cell, "timer_ns");
	if (!total)
		return 0;
	all = malloc(total * sizeof(*all));
	timers = malloc((json_array_size(reps) + 1) * sizeof(*timers));
	if (!all || !timers) {
		free(all);
		free(timers);
		return -1;
	}
	json_array_foreach(reps, i, rep) {
		if (strcmp(json_string_value(json_object_get(rep, "status")), "ok"))
			continue;
		json_array_foreach(json_object_get(rep, "samples"), j, x)
			all[k++] = json_number_value(x);
		if (json_is_number(json_object_get(rep, "timer_ns")))
			timers[nt++] = json_number_value(json_object_get(rep, "timer_ns"));
	}
	if (!stats_summarize(all, total, &s))
		json_object_set_new(cell, "summary", results_summary_json(&s));
	if (nt)
		json_object_set_new(cell, "timer_ns", json_real(stats_median_inplace(timers, nt)));
	free(all);
	free(timers);
	return 0;
}

/* The cell of key c merged over every run that has it. */
static json_t *cell_merge(struct results_set *runs, size_t n, const struct results_cell *c,
			  size_t keep)
{
	const json_t *cells[MAX_RUNS];
	json_t *out = NULL, *reps = json_array();
	const json_t *first_ok = NULL, *first = NULL, *rep;
	size_t i;

	for (size_t r = 0; r < n; r++) {
		const struct results_cell *rc = results_set_find(&runs[r], c);

		cells[r] = rc ? rc->json : NULL;
		if (!rc)
			continue;
		first = first ? first : rc->json;
		if (!first_ok && !strcmp(rc->status, "ok"))
			first_ok = rc->json;
		json_array_foreach(json_object_get(rc->json, "repetitions"), i, rep)
			json_array_append_new(reps, rep_copy(rep, r, keep));
	}
	out = json_deep_copy(first_ok ? first_ok : first);
	if (!out || !reps)
		goto fail;
	json_object_set(out, "repetitions", reps);
	/* By today's name: an old run's "qemu" is written as "qemu-kvm". */
	json_object_set_new(out, "target", json_string(c->target));
	json_object_set_new(out, "per_op", per_op_merge(cells, n));
	if (cell_resummarize(out))
		goto fail;
	json_decref(reps);
	return out;
fail:
	json_decref(out);
	json_decref(reps);
	return NULL;
}

static json_t *run_info(const struct results_set *r)
{
	const json_t *d = r->doc;

	return json_pack("{s:o, s:O?, s:O?, s:O?, s:O?}", "file", results_json_text(r->path),
			 "command", json_object_get(d, "command"),
			 "started_at", json_object_get(d, "started_at"),
			 "updated_at", json_object_get(d, "updated_at"),
			 "hostname", json_object_get(json_object_get(d, "environment"), "hostname"));
}

json_t *baseline_merge(struct results_set *runs, size_t n, size_t keep, const char *note,
		       const char *command)
{
	const json_t *d0 = runs[0].doc;
	json_t *doc = results_doc_new("baseline", command,
				      json_deep_copy(json_object_get(d0, "environment")),
				      json_deep_copy(json_object_get(d0, "settings")));
	json_t *results = json_array(), *info = json_array();

	if (!doc || !results || !info)
		goto fail;
	for (size_t r = 0; r < n; r++) {
		for (size_t i = 0; i < runs[r].nr_cells; i++) {
			const struct results_cell *c = &runs[r].cells[i];
			bool seen = false;

			for (size_t q = 0; q < r && !seen; q++)
				seen = results_set_find(&runs[q], c) != NULL;
			if (seen)
				continue;
			if (json_array_append_new(results, cell_merge(runs, n, c, keep)))
				goto fail;
		}
		if (json_array_append_new(info, run_info(&runs[r])))
			goto fail;
	}
	json_object_set(doc, "started_at", json_object_get(d0, "started_at"));
	json_object_set_new(doc, "updated_at", results_now_iso());
	json_object_set_new(doc, "complete", json_true());
	json_object_set_new(doc, "baseline",
			    json_pack("{s:o, s:o?, s:O}", "recorded_at", results_now_iso(), "note",
				      note ? results_json_text(note) : NULL, "runs", info));
	json_object_set(doc, "results", results);
	json_decref(results);
	json_decref(info);
	return doc;
fail:
	json_decref(doc);
	json_decref(results);
	json_decref(info);
	return NULL;
}

static int record_main(int argc, char **argv, const char *command)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "note", required_argument, NULL, 'n' },
		{ "keep-samples", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct results_set runs[MAX_RUNS] = { 0 };
	const char *out = NULL, *note = NULL;
	uint64_t keep = SIZE_MAX;
	size_t n = 0;
	int c, ret = COMPARE_EXIT_INPUT, e;
	json_t *doc = NULL;
	char *text;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case 'k':
			if (parse_u64(optarg, 1000000000, &keep))
				return cli_usage_error("baseline", "--keep-samples takes a whole "
							   "number");
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("baseline", NULL);
		}
	}
	if (!out)
		return cli_usage_error("baseline", "-o BASE.json is required");
	n = (size_t)(argc - optind);
	if (n < 1 || n > MAX_RUNS)
		return cli_usage_error("baseline", "give 1 to 32 results files of hvbench run");
	if (cli_output_clash("baseline", out, argv + optind, n))
		return COMPARE_EXIT_INPUT;
	if (results_sets_load(runs, argv + optind, n, NULL, "baseline") || runs_check(runs, n))
		goto out;
	doc = baseline_merge(runs, n, (size_t)keep, note, command);
	/* Compact: a baseline is kept in a repository, and half its size is indentation. */
	text = doc ? json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(10)) :
		     NULL;
	if (!text) {
		fprintf(stderr, "hvbench baseline: out of memory\n");
		goto out;
	}
	e = atomic_file_write(out, text, strlen(text));
	free(text);
	if (e) {
		fprintf(stderr, "hvbench baseline: %s: cannot write: %s\n", out, strerror(-e));
		goto out;
	}
	printf("baseline: %s: %zu cell(s) from %zu run(s)\n", out,
	       json_array_size(json_object_get(doc, "results")), n);
	ret = 0;
out:
	json_decref(doc);
	for (size_t i = 0; i < n && i < MAX_RUNS; i++)
		results_set_free(&runs[i]);
	return ret;
}

int baseline_main(int argc, char **argv, const char *command)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "record"))
		return cli_usage_error("baseline", "the command is hvbench baseline record");
	return record_main(argc - 1, argv + 1, command);
}
