/* SPDX-License-Identifier: MIT */
/*
 * `hvbench info`: env_print's record of this host, then what it can run.
 * With --json, one object {"environment": ..., "capabilities": ...} for
 * scripts that inventory a fleet.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "env.h"
#include "hvbench.h"
#include "info.h"

#define INFO_LABEL_W	29	/* env_print's label column, so the values line up */

static void info_usage(FILE *f)
{
	fprintf(f, "usage: hvbench info [--json]\n"
		   "The environment every result is recorded with (docs/environment.md), then\n"
		   "what this host can run: each target and probe \"yes\", or \"no: WHY\",\n"
		   "found by trying it (docs/info.md).\n\n"
		   "  --json   one JSON object {\"environment\": ..., \"capabilities\": ...}\n\n"
		   "Exit status: 0; 64 usage; 70 out of memory; 73 standard output cannot be\n"
		   "written.\n");
}

/* A line of the capability: "yes", "yes: DETAIL" or "no: WHY". */
static void info_print_cap(FILE *f, const char *name, const json_t *cap)
{
	const json_t *avail = json_object_get(cap, "available");
	const char *why = json_string_value(json_object_get(cap, "why"));
	const char *detail = json_string_value(json_object_get(cap, "detail"));
	const json_t *notes = json_object_get(cap, "notes");
	const json_t *note;
	size_t i;

	fprintf(f, "%-*s ", INFO_LABEL_W - 1, name);
	if (json_is_true(avail))
		fprintf(f, "yes%s%s\n", detail ? ": " : "", detail ? detail : "");
	else if (json_is_false(avail))
		fprintf(f, "no: %s\n", why ? why : "(no reason recorded)");
	else
		fprintf(f, "unknown (no \"available\" member)\n");
	json_array_foreach(notes, i, note)
		if (json_is_string(note))
			fprintf(f, "%-*s%s\n", INFO_LABEL_W, "", json_string_value(note));
}

void info_print(FILE *f, const json_t *caps)
{
	const char *name;
	json_t *cap;

	fprintf(f, "\nWhat this host can run\n");
	json_object_foreach((json_t *)caps, name, cap)
		info_print_cap(f, name, cap);
}

static int info_args(int argc, char **argv, bool *json)
{
	*json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			*json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			info_usage(stdout);
			return 1;
		} else {
			fprintf(stderr, "hvbench info: unexpected argument '%s' (hvbench info "
				"--help)\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

int info_main(int argc, char **argv)
{
	json_t *env, *caps, *doc;
	bool json;
	int r = info_args(argc, argv, &json);

	if (r)
		return r < 0 ? EXIT_USAGE : 0;
	env = env_capture();
	caps = env ? info_capabilities(env) : NULL;
	if (!caps) {
		json_decref(env);
		fprintf(stderr, "hvbench info: out of memory\n");
		return EXIT_NO_MEMORY;
	}
	if (json) {
		doc = json_pack("{s:o, s:o}", "environment", env, "capabilities", caps);
		if (!doc) {
			fprintf(stderr, "hvbench info: out of memory\n");
			return EXIT_NO_MEMORY;
		}
		r = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		json_decref(doc);
		if (r || putchar('\n') == EOF || fflush(stdout)) {
			fprintf(stderr, "hvbench info: cannot write to standard output\n");
			return EXIT_OUTPUT;
		}
		return 0;
	}
	env_print(stdout, env);
	info_print(stdout, caps);
	json_decref(env);
	json_decref(caps);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "hvbench info: cannot write to standard output\n");
		return EXIT_OUTPUT;
	}
	return 0;
}
