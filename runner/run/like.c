/* SPDX-License-Identifier: MIT */
/*
 * hvbench run --like FILE: the recipe an earlier results file recorded,
 * turned back into the options that made it, so the next machine runs
 * exactly what the last one ran (as an image reproduces an instance).
 * The options go through run's own parser, so a recipe is checked as a
 * command line is.  The file is untrusted: every field is type-checked,
 * every list bounded, every string length-limited.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "like.h"
#include "results_read.h"

/* More than any recipe has: a hostile file stops here. */
#define LIKE_LIST_MAX 64
#define LIKE_TEXT_MAX 4096

struct like_build {
	char **argv;
	int argc, cap;
	char *why;
	size_t why_len;
};

static int arg_add(struct like_build *b, const char *s)
{
	if (b->argc + 1 >= b->cap) {
		int cap = b->cap ? 2 * b->cap : 32;
		char **v = realloc(b->argv, cap * sizeof(*v));

		if (!v)
			return -1;
		b->argv = v;
		b->cap = cap;
	}
	b->argv[b->argc] = strdup(s);
	if (!b->argv[b->argc])
		return -1;
	b->argv[++b->argc] = NULL;
	return 0;
}

static int opt_add(struct like_build *b, const char *opt, const char *value)
{
	return arg_add(b, opt) || (value && arg_add(b, value)) ? -1 : 0;
}

static int fail(struct like_build *b, const char *field, const char *what)
{
	snprintf(b->why, b->why_len, "settings.%s %s", field, what);
	return -1;
}

/* A string setting, or absent/null: then no option. */
static int text_opt(struct like_build *b, const json_t *set, const char *field, const char *opt)
{
	const json_t *v = json_object_get(set, field);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > LIKE_TEXT_MAX)
		return fail(b, field, "is not a string of at most 4096 bytes");
	return opt_add(b, opt, json_string_value(v));
}

/* A whole-number setting as an option; absent: no option. */
static int int_opt(struct like_build *b, const json_t *set, const char *field, const char *opt)
{
	const json_t *v = json_object_get(set, field);
	char buf[32];

	if (!v)
		return 0;
	if (!json_is_integer(v) && !(json_is_real(v) && json_real_value(v) ==
				     (double)(long long)json_real_value(v)))
		return fail(b, field, "is not a whole number");
	snprintf(buf, sizeof(buf), "%lld", (long long)json_number_value(v));
	return opt_add(b, opt, buf);
}

/* A list of strings or numbers as one comma-separated option; absent or empty: none. */
static int list_opt(struct like_build *b, const json_t *set, const char *field, const char *opt)
{
	const json_t *v = json_object_get(set, field), *e;
	char buf[1024] = "";
	size_t i, used = 0;

	if (!v || !json_array_size(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) > LIKE_LIST_MAX)
		return fail(b, field, "is not a list of at most 64 entries");
	json_array_foreach(v, i, e) {
		int n;

		if (json_is_string(e) && json_string_length(e) < 64)
			n = snprintf(buf + used, sizeof(buf) - used, "%s%s", i ? "," : "",
				     json_string_value(e));
		else if (json_is_integer(e))
			n = snprintf(buf + used, sizeof(buf) - used, "%s%lld", i ? "," : "",
				     (long long)json_integer_value(e));
		else
			return fail(b, field, "holds an entry that is not a short name or number");
		if (n < 0 || (size_t)n >= sizeof(buf) - used)
			return fail(b, field, "is too long");
		used += (size_t)n;
	}
	return opt_add(b, opt, buf);
}

static int number_opt(struct like_build *b, const json_t *set, const char *field,
		      const char *opt)
{
	const json_t *v = json_object_get(set, field);
	char buf[64];

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return fail(b, field, "is not a number");
	snprintf(buf, sizeof(buf), "%.17g", json_number_value(v));
	return opt_add(b, opt, buf);
}

/* A switch: the option when the setting is `when`; absent: none. */
static int flag_opt(struct like_build *b, const json_t *v, const char *field, bool when,
		    const char *opt)
{
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(b, field, "is not true or false");
	return json_is_true(v) == when ? opt_add(b, opt, NULL) : 0;
}

static int recipe_build(struct like_build *b, const json_t *set, char sha[SHA256_HEX_LEN])
{
	const json_t *probes = json_object_get(set, "probes");
	const json_t *payload = json_object_get(set, "payload");
	const json_t *v;

	if (text_opt(b, set, "suite", "--suite") || text_opt(b, set, "filter", "--filter") ||
	    list_opt(b, set, "modes", "--modes") || list_opt(b, set, "cpls", "--cpl") ||
	    list_opt(b, set, "targets", "--target") || text_opt(b, set, "vmm_cmd", "--vmm-cmd") ||
	    int_opt(b, set, "repetitions", "--repetitions") ||
	    number_opt(b, set, "target_ms", "--target-ms") ||
	    int_opt(b, set, "max_samples", "--max-samples") ||
	    int_opt(b, set, "keep_samples", "--keep-samples") ||
	    number_opt(b, set, "spread_minutes", "--spread") ||
	    flag_opt(b, json_object_get(set, "pin"), "pin", false, "--no-pin") ||
	    flag_opt(b, json_object_get(set, "probes_asked"), "probes_asked", false,
		     "--no-probes") ||
	    flag_opt(b, json_object_get(set, "probe_overhead"), "probe_overhead", true,
		     "--probe-overhead") ||
	    list_opt(b, probes, "perf_events", "--perf-events"))
		return -1;
	v = json_object_get(set, "debug_pio_delay_ns");
	if (v && json_is_integer(v) && json_integer_value(v) &&
	    int_opt(b, set, "debug_pio_delay_ns", "--debug-pio-delay-ns"))
		return -1;
	sha[0] = '\0';
	v = json_object_get(payload, "sha256");
	if (payload && !json_is_null(payload)) {
		if (!json_is_string(v) || json_string_length(v) != SHA256_HEX_LEN - 1)
			return fail(b, "payload.sha256", "is not 64 hex digits");
		memcpy(sha, json_string_value(v), SHA256_HEX_LEN);
	}
	return 0;
}

void like_free(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int like_recipe(const char *path, int *argc, char ***argv, char sha[SHA256_HEX_LEN],
		char *why, size_t why_len)
{
	struct like_build b = { .why = why, .why_len = why_len };
	char err[400];
	json_t *doc = results_load(path, err, sizeof(err));
	const json_t *set;
	int rc = -1;

	if (!doc) {
		snprintf(why, why_len, "%s", err);
		return -1;
	}
	set = json_object_get(doc, "settings");
	if (strcmp(json_string_value(json_object_get(doc, "kind")) ?: "", "run"))
		snprintf(why, why_len, "not a run's results file (kind run): its recipe is not one "
			 "hvbench run can repeat");
	else if (!json_is_object(set))
		snprintf(why, why_len, "no settings recorded");
	else if (!json_object_get(set, "suite"))
		snprintf(why, why_len, "settings.suite is not recorded");
	else if (!recipe_build(&b, set, sha))
		rc = 0;
	json_decref(doc);
	if (rc) {
		like_free(b.argc, b.argv);
		return -1;
	}
	*argc = b.argc;
	*argv = b.argv;
	return 0;
}
