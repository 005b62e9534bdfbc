/* SPDX-License-Identifier: MIT */
/*
 * The instance view of hvbench compare: two machines' native cells, file
 * against file, the way someone choosing between instance types asks.
 * What is dearer and what is cheaper, by mechanism, each with its ratio and
 * interval; load-sensitive cells apart, with the load each file ran under;
 * then every environment difference whole (the kernel command line word by
 * word), and which command-line words point at a mechanism that moved.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline_words.h"
#include "compare_instance.h"

/* Environment fields that always differ and say nothing about the figures. */
static const char *const env_skip[] = {
	"captured_at", "hostname", "why_unknown", "cmdline",
};

/*
 * Kernel command-line words that move a mechanism, and why: a difference in
 * one of them is where a moved mechanism points.  Matched on the word's
 * name, before any '='.
 */
static const struct {
	const char *word;
	const char *mechanisms;	/* the instance cells' mechanisms, comma-separated */
	const char *why;
} cmdline_hints[] = {
	{ "pti", "kernel entry,page fault,signal",
	  "page-table isolation switches page tables on every kernel entry and exit" },
	{ "nopti", "kernel entry,page fault,signal", "page-table isolation off" },
	{ "mitigations", "kernel entry,page fault,signal,context switch",
	  "the CPU-bug mitigations, several on the kernel entry path" },
	{ "spectre_v2", "kernel entry,context switch", "indirect-branch mitigations" },
	{ "retbleed", "kernel entry", "return-stack mitigations" },
	{ "clocksource", "clock", "which clock the vDSO may read from user space" },
	{ "tsc", "clock", "whether the TSC is trusted as a clocksource" },
	{ "idle", "idle wake-up", "how an idle CPU waits (hlt exits, or polling)" },
	{ "cpuidle_haltpoll.force", "idle wake-up", "guest-side halt polling" },
	{ "haltpoll.guest_halt_poll_ns", "idle wake-up", "guest-side halt polling" },
	{ "transparent_hugepage", "huge page fault,page walk", "THP policy" },
	{ "nohz", "timer,idle wake-up", "the tick on idle CPUs" },
	{ "nohz_full", "timer,context switch", "the tick on busy CPUs" },
	{ "isolcpus", "context switch,cross-CPU wake-up", "CPUs kept from the scheduler" },
};

/* Printable ASCII only: strings from a file may hold control characters. */
static void ascii_put(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', f);
}

static const char *suite_of(const json_t *doc)
{
	return json_string_value(json_object_get(json_object_get(doc, "settings"), "suite"));
}

bool compare_instance_wanted(const struct comparison *c)
{
	for (size_t i = 0; i < c->nr_sets; i++) {
		const char *suite = suite_of(c->sets[i].doc);

		if (suite && !strcmp(suite, "instance"))
			return true;
	}
	return false;
}

/* A native row's instance cell, whichever side holds it; NULL if neither does. */
static const json_t *instance_json(const struct compare_row *r)
{
	if (r->b && r->b->stands_for)
		return r->b->json;
	if (r->a && json_object_get(r->a->json, "stands_for"))
		return r->a->json;
	if (r->b && json_object_get(r->b->json, "stands_for"))
		return r->b->json;
	return NULL;
}

/* What a row's difference is a difference in: the cell's mechanism, else its name. */
static const char *row_mechanism(const struct compare_row *r)
{
	const char *m = json_string_value(json_object_get(instance_json(r), "mechanism"));

	return m ? m : compare_row_workload(r);
}

static bool row_load_sensitive(const struct compare_row *r)
{
	return json_is_true(json_object_get(instance_json(r), "load_sensitive"));
}

static bool row_native(const struct compare_row *r)
{
	const struct results_cell *k = compare_row_cell(r);

	return !strcmp(k->mode, "native") && !strcmp(k->target, "native");
}

enum group { G_DEARER, G_CHEAPER, G_SAME, G_LOAD, NR_GROUPS };

static const char *const group_title[NR_GROUPS] = {
	[G_DEARER] = "dearer", [G_CHEAPER] = "cheaper", [G_SAME] = "no clear change",
	[G_LOAD] = "load-sensitive, read with the load",
};

static enum group row_group(const struct compare_row *r)
{
	if (row_load_sensitive(r))
		return G_LOAD;
	if (r->verdict == CMP_SLOWER)
		return G_DEARER;
	return r->verdict == CMP_FASTER ? G_CHEAPER : G_SAME;
}

/*
 * "3.13x dearer [3.00, 3.23]", "4.69x cheaper [4.27, 4.91]": both as how
 * many times, as people say them; a change not shown, as the plain ratio.
 */
static void ratio_put(FILE *f, const struct compare_row *r)
{
	const struct cmp_ratio *k = &r->ci;

	if (r->verdict == CMP_FASTER && k->ratio > 0 && k->lo > 0)
		fprintf(f, "%.2fx cheaper [%.2f, %.2f]", 1 / k->ratio, 1 / k->hi, 1 / k->lo);
	else if (r->verdict == CMP_SLOWER)
		fprintf(f, "%.2fx dearer [%.2f, %.2f]", k->ratio, k->lo, k->hi);
	else
		fprintf(f, "ratio %.2f [%.2f, %.2f]", k->ratio, k->lo, k->hi);
}

static void groups_print(FILE *f, const struct compare_row *rows, size_t n)
{
	for (enum group g = 0; g < NR_GROUPS; g++) {
		bool any = false;

		for (size_t i = 0; i < n; i++) {
			const struct compare_row *r = &rows[i];

			if (r->state != COMPARE_DONE || !row_native(r) || row_group(r) != g)
				continue;
			fprintf(f, any ? "\n    " : "  %s:\n    ", group_title[g]);
			ascii_put(f, row_mechanism(r));
			fputs(" ", f);
			ratio_put(f, r);
			fputs(" (", f);
			ascii_put(f, compare_row_workload(r));
			fputs(")", f);
			any = true;
		}
		if (any)
			fputc('\n', f);
	}
}

/* The words only one side has, each side on its own line. */
static void cmdline_diff(FILE *f, const struct cmdline_words *cl, const char *const label[2])
{
	if (!cl->both) {
		if (cl->n[0] || cl->n[1])
			fprintf(f, "    kernel command line: recorded only in %s\n",
				cl->n[0] ? label[0] : label[1]);
		return;
	}
	for (int side = 0; side < 2; side++) {
		bool any = false;

		for (size_t i = 0; i < cl->n[side]; i++) {
			if (!cmdline_words_only(cl, side, i))
				continue;
			if (!any)
				fprintf(f, "    kernel command line, only in %s:", label[side]);
			fputc(' ', f);
			ascii_put(f, cl->words[side][i]);
			any = true;
		}
		if (any)
			fputc('\n', f);
	}
}

/* Whether the comma-separated list holds item whole ("page fault" is not "huge page fault"). */
static bool list_has(const char *list, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, item, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/*
 * One command-line word's line, if a mechanism it moves moved (outside the
 * load-sensitive cells): "points at: pti=on (only in b; why) for the dearer
 * kernel entry and page fault".
 */
static void hint_print(FILE *f, const char *word, const char *label, const char *mechanisms,
		       const char *why, const struct compare_row *rows, size_t nrows)
{
	size_t shown = 0;

	for (size_t k = 0; k < nrows; k++) {
		const struct compare_row *r = &rows[k];
		const char *m = row_mechanism(r);

		if (r->state != COMPARE_DONE || !row_native(r) || r->verdict == CMP_NO_CHANGE ||
		    row_load_sensitive(r) || !list_has(mechanisms, m))
			continue;
		if (!shown++) {
			fputs("  points at: ", f);
			ascii_put(f, word);
			fprintf(f, " (only in %s; %s) for the", label, why);
		} else {
			fputs(",", f);
		}
		fprintf(f, " %s ", r->verdict == CMP_SLOWER ? "dearer" : "cheaper");
		ascii_put(f, m);
	}
	if (shown)
		fputc('\n', f);
}

/* The words one side only has that move a mechanism which moved: where a difference points. */
static void cmdline_hints_print(FILE *f, const struct cmdline_words *cl, const char *const label[2],
				const struct compare_row *rows, size_t nrows)
{
	for (int side = 0; cl->both && side < 2; side++) {
		for (size_t i = 0; i < cl->n[side]; i++) {
			const char *w = cl->words[side][i];
			size_t key = strcspn(w, "=");

			if (!cmdline_words_only(cl, side, i))
				continue;
			for (size_t h = 0; h < sizeof(cmdline_hints) / sizeof(cmdline_hints[0]); h++) {
				if (strlen(cmdline_hints[h].word) != key ||
				    strncmp(w, cmdline_hints[h].word, key))
					continue;
				hint_print(f, w, label[side], cmdline_hints[h].mechanisms,
					   cmdline_hints[h].why, rows, nrows);
			}
		}
	}
}

static bool skipped(const char *key)
{
	for (size_t i = 0; i < sizeof(env_skip) / sizeof(env_skip[0]); i++)
		if (!strcmp(key, env_skip[i]))
			return true;
	return false;
}

/* Every leaf of two environments that differs, whole, one line each (depth-bounded). */
static void env_diff(FILE *f, const char *path, const json_t *x, const json_t *y,
		     const char *la, const char *lb, int depth)
{
	const char *key;
	const json_t *v;

	if (x && y && json_equal(x, y))
		return;
	if (depth < 4 && json_is_object(x) && json_is_object(y)) {
		json_object_foreach((json_t *)x, key, v) {
			char sub[256];

			if (skipped(key))
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			env_diff(f, sub, v, json_object_get(y, key), la, lb, depth + 1);
		}
		json_object_foreach((json_t *)y, key, v) {
			char sub[256];

			if (skipped(key) || json_object_get(x, key))
				continue;
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
			env_diff(f, sub, NULL, v, la, lb, depth + 1);
		}
		return;
	}
	{
		char *tx = x ? json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;
		char *ty = y ? json_dumps(y, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS) : NULL;

		fputs("    ", f);
		ascii_put(f, path);
		fputs(": ", f);
		ascii_put(f, tx ? tx : "(not recorded)");
		fprintf(f, " in %s, ", la);
		ascii_put(f, ty ? ty : "(not recorded)");
		fprintf(f, " in %s\n", lb);
		free(tx);
		free(ty);
	}
}

static void load_line(FILE *f, const struct results_set *s)
{
	struct compare_load l;

	if (compare_load_of(s->doc, &l) || !l.nr_reps)
		fprintf(f, "    %s: not recorded\n", s->label);
	else
		fprintf(f, "    %s: other processes %.2f CPUs, steal %.1f%% (medians of %zu "
			"repetitions)\n", s->label, l.others_cpus, l.steal_pct, l.nr_reps);
}

static void view_print(FILE *f, const struct comparison *c, size_t s)
{
	const struct results_set *a = &c->sets[0], *b = &c->sets[s];
	const char *const label[2] = { a->label, b->label };
	const struct compare_row *rows = c->rows[s - 1];
	size_t n = c->nr_rows[s - 1], only = 0;
	struct cmdline_words cl;

	fprintf(f, "instance view: %s against %s, native cells matched by what they time; "
		"ratio %s / %s with its %g%% interval over repetitions\n", b->label, a->label,
		b->label, a->label, c->opts->level * 100);
	groups_print(f, rows, n);
	cmdline_words_take(&cl, a->doc, b->doc);
	cmdline_hints_print(f, &cl, label, rows, n);
	for (size_t i = 0; i < n; i++)
		only += rows[i].state == COMPARE_ONLY_A || rows[i].state == COMPARE_ONLY_B;
	if (only)
		fprintf(f, "  in one file only: %zu cells (VM cells have no counterpart in an "
			"instance-suite file)\n", only);
	fputs("  load the repetitions ran under:\n", f);
	load_line(f, a);
	load_line(f, b);
	fputs("  environment differences, whole:\n", f);
	cmdline_diff(f, &cl, label);
	cmdline_words_free(&cl);
	env_diff(f, "", json_object_get(a->doc, "environment"),
		 json_object_get(b->doc, "environment"), a->label, b->label, 0);
	fputc('\n', f);
}

void compare_instance_print(FILE *f, const struct comparison *c)
{
	for (size_t s = 1; s < c->nr_sets; s++)
		view_print(f, c, s);
}
