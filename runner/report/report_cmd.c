/* SPDX-License-Identifier: MIT */
/*
 * `hvbench report FILE... -o OUT`: options, labels, loading the files
 * (results_load: any that cannot be used ends the command, naming it), and
 * writing the report (report_page.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hvbench.h"
#include "labels.h"
#include "report.h"
#include "report_page.h"
#include "report_plot.h"
#include "results_read.h"

/* Files one report takes at most: each is a column of its tables. */
#define REPORT_MAX_FILES 64
/* Problems repeated on stderr; the report lists them all. */
#define STDERR_PROBLEMS 10

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hvbench report FILE.json [MORE.json ...] -o REPORT.html [options]\n"
		"Write one self-contained HTML page (inline SVG plots by gnuplot, no script)\n"
		"from results files of hvbench run and hvbench conform, mixed as wanted:\n"
		"latency distributions, medians, overhead over native, exits per operation,\n"
		"eBPF probe histograms, the conformance matrix, environments compared.\n\n"
		"  -o, --out FILE     the HTML file to write (atomically)\n"
		"  --labels A,B,...   a name per file, in order (default: each file's name\n"
		"                     without .json, made unique)\n"
		"  --title TEXT       the page's title (default: hvbench report: LABELS)\n\n"
		"Without gnuplot in PATH the page is still written, with a note where each plot\n"
		"would be; the tables carry every figure.\n\n"
		"Exit status: 0 written; 64 usage; 66 a file cannot be read or is not a valid\n"
		"results file (one line on stderr says which and why); 70 out of memory;\n"
		"73 the report cannot be written.\n");
}

/* Each file's label (labels.h).  0, -1 (usage, said) or -ENOMEM. */
static int labels_make(struct report *r, const char *arg)
{
	char (*l)[LABEL_MAX] = calloc(r->nfiles, sizeof(*l));
	const char **paths = calloc(r->nfiles, sizeof(*paths));
	char why[160];
	int ret = -ENOMEM;

	if (!l || !paths)
		goto out;
	for (size_t i = 0; i < r->nfiles; i++)
		paths[i] = r->files[i].path;
	if (labels_assign(l, paths, r->nfiles, arg, why, sizeof(why))) {
		fprintf(stderr, "hvbench report: %s\n", why);
		ret = -1;
		goto out;
	}
	ret = 0;
	for (size_t i = 0; i < r->nfiles && !ret; i++)
		if (!(r->files[i].label = strdup(l[i])))
			ret = -ENOMEM;
out:
	free(l);
	free(paths);
	return ret;
}

/* Writing the report over one of its inputs would lose the results. */
static bool report_out_is_input(const struct report *r, const char *out)
{
	const char *paths[REPORT_MAX_FILES];

	for (size_t i = 0; i < r->nfiles; i++)
		paths[i] = r->files[i].path;
	return path_is_one_of(out, paths, r->nfiles);
}

struct report_opts {
	const char *out, *labels;
};

static int opts_parse(int argc, char **argv, struct report *r, struct report_opts *o)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "labels", required_argument, NULL, 'l' },
		{ "title", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'l':
			o->labels = optarg;
			break;
		case 't':
			r->title = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (!o->out || !*o->out) {
		fprintf(stderr, "hvbench report: -o FILE is needed (where to write the report)\n");
		return -1;
	}
	if (optind == argc) {
		fprintf(stderr, "hvbench report: no results file given\n");
		return -1;
	}
	if (argc - optind > REPORT_MAX_FILES) {
		fprintf(stderr, "hvbench report: %d files, more than the %d one report takes\n",
			argc - optind, REPORT_MAX_FILES);
		return -1;
	}
	return 0;
}

static int files_load(struct report *r, char **paths, size_t n)
{
	char why[256];

	r->files = calloc(n, sizeof(*r->files));
	if (!r->files)
		return EXIT_NO_MEMORY;
	r->nfiles = n;
	for (size_t i = 0; i < n; i++) {
		struct report_file *f = &r->files[i];

		f->path = paths[i];
		f->doc = results_load(f->path, why, sizeof(why));
		if (!f->doc) {
			fprintf(stderr, "hvbench report: %s: %s\n", f->path, why);
			return EXIT_BAD_RESULTS;
		}
		f->conform = !strcmp(json_string_value(json_object_get(f->doc, "kind")), "conform");
	}
	return 0;
}

static void problems_print(const struct report *r)
{
	size_t n = r->nproblems + r->problems_dropped;

	for (size_t i = 0; i < r->nproblems && i < STDERR_PROBLEMS; i++)
		fprintf(stderr, "hvbench report: warning: %.400s\n", r->problems[i]);
	if (n > STDERR_PROBLEMS)
		fprintf(stderr, "hvbench report: warning: %zu more problems, listed in the report\n",
			n - STDERR_PROBLEMS);
}

static int report_run(struct report *r, int argc, char **argv)
{
	struct report_opts o = { 0 };
	int e = opts_parse(argc, argv, r, &o);

	if (e)
		return e > 0 ? 0 : EXIT_USAGE;
	e = files_load(r, argv + optind, (size_t)(argc - optind));
	if (e)
		return e;
	if (report_out_is_input(r, o.out)) {
		fprintf(stderr, "hvbench report: %s is one of the results files: not overwritten\n",
			o.out);
		return EXIT_USAGE;
	}
	e = labels_make(r, o.labels);
	if (e)
		return e == -1 ? EXIT_USAGE : EXIT_NO_MEMORY;
	r->plots = plots_new();
	if (!r->plots || report_model(r)) {
		fprintf(stderr, "hvbench report: out of memory\n");
		return EXIT_NO_MEMORY;
	}
	problems_print(r);
	e = report_write(r, o.out);
	if (e == -ENOMEM) {
		fprintf(stderr, "hvbench report: out of memory\n");
		return EXIT_NO_MEMORY;
	}
	if (e) {
		fprintf(stderr, "hvbench report: %s: cannot write: %s\n", o.out, strerror(-e));
		return EXIT_OUTPUT;
	}
	if (plots_problem(r->plots))
		fprintf(stderr, "hvbench report: warning: plots not drawn: %s\n",
			plots_problem(r->plots));
	printf("hvbench report: wrote %s (%zu file%s, %zu plot%s)\n", o.out, r->nfiles,
	       r->nfiles == 1 ? "" : "s", plots_count(r->plots),
	       plots_count(r->plots) == 1 ? "" : "s");
	return 0;
}

int report_main(int argc, char **argv)
{
	struct report r = { 0 };
	int e = report_run(&r, argc, argv);

	plots_free(r.plots);
	report_free(&r);
	return e;
}
