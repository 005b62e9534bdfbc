/* SPDX-License-Identifier: MIT */
/*
 * `hvbench show FILE`: the summary table of a results file, as `hvbench
 * run` prints it at the end, under one line saying what the file is (and
 * one more if the run was slowed on purpose).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform_show.h"
#include "env_timing.h"
#include "hvbench.h"
#include "results_read.h"
#include "table.h"

static void show_usage(FILE *f)
{
	fprintf(f, "usage: hvbench show FILE\n"
		   "Print the summary table of a results file (hvbench run --out), or the\n"
		   "summary and test x target matrix of a conformance file (conform --out).\n\n"
		   "Exit status: 0 shown; 64 usage; 66 FILE cannot be read or is not a valid\n"
		   "results file (one line on stderr says why).\n");
}

/*
 * What wrote the file, when, whether it finished, and where.  The fields
 * are validated strings, but of any length: bound what one line shows.
 */
static void show_header(FILE *f, const json_t *doc)
{
	const json_t *env = json_object_get(doc, "environment");
	const char *host = json_string_value(json_object_get(env, "hostname"));
	const char *backend =
		json_string_value(json_object_get(json_object_get(env, "kvm"), "backend"));

	fprintf(f, "%.32s started %.32s, %s", json_string_value(json_object_get(doc, "kind")),
		json_string_value(json_object_get(doc, "started_at")),
		json_is_true(json_object_get(doc, "complete")) ?
			"complete" : "incomplete (interrupted or still running)");
	if (host)
		fprintf(f, ", host %.64s", host);
	if (backend)
		fprintf(f, ", kvm %.32s", backend);
	fputc('\n', f);
}

/* A run made slower on purpose (hvbench run --debug-pio-delay-ns) says so above its figures. */
static void show_debug_delay(FILE *f, const json_t *doc)
{
	json_int_t ns = json_integer_value(
		json_object_get(json_object_get(doc, "settings"), "debug_pio_delay_ns"));

	if (ns > 0)
		fprintf(f, "WARNING: slowed on purpose (--debug-pio-delay-ns %lld): every port I/O "
			   "exit refvmm handled took %lld ns longer; not an honest measurement\n",
			(long long)ns, (long long)ns);
}

/* Times measured on an emulated CPU (env_timing.h) say so above the figures. */
static void show_timing(FILE *f, const json_t *doc)
{
	const char *why = env_timing_caveat(doc);

	if (why)
		fprintf(f, "WARNING: not performance figures: %.300s\n", why);
}

int show_main(int argc, char **argv)
{
	struct table_row *rows;
	char why[256];
	json_t *doc;
	size_t n;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		show_usage(stdout);
		return 0;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		show_usage(stderr);
		return EXIT_USAGE;
	}
	doc = results_load(argv[1], why, sizeof(why));
	if (!doc) {
		fprintf(stderr, "hvbench show: %s: %s\n", argv[1], why);
		return EXIT_BAD_RESULTS;
	}
	if (!strcmp(json_string_value(json_object_get(doc, "kind")), "conform")) {
		show_header(stdout, doc);
		conform_show(stdout, doc);
		json_decref(doc);
		return 0;
	}
	if (results_rows(doc, &rows, &n)) {
		fprintf(stderr, "hvbench show: %s: out of memory\n", argv[1]);
		json_decref(doc);
		return EXIT_BAD_RESULTS;
	}
	show_header(stdout, doc);
	show_debug_delay(stdout, doc);
	show_timing(stdout, doc);
	table_print(stdout, rows, n);
	free(rows);
	json_decref(doc);
	return 0;
}
