/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline_words.h"
#include "compare_env.h"
#include "env_timing.h"
#include "results_cells.h"

/*
 * The fields that change what a figure means, as paths from the document's
 * root. Hostname, capture times and the like are left out: they always
 * differ and mean nothing.
 */
static const char *const env_fields[] = {
	"environment.cpu.vendor",
	"environment.cpu.model_name",
	"environment.cpu.family",
	"environment.cpu.model",
	"environment.cpu.stepping",
	"environment.cpu.microcode",
	"environment.cpu.nr_online_cpus",
	"environment.kernel.release",
	"environment.kvm.backend",
	"environment.kvm.backend_parameters",
	"environment.kvm.kvm_parameters.halt_poll_ns",
	"environment.kvm.kvm_parameters.tdp_mmu",
	"environment.host_is_guest.signature",
	"environment.hypervisor.verdict",
	"environment.hypervisor.guest_pv",
	"environment.mitigations",
	"environment.power.scaling_governor",
	"environment.power.boost",
	"settings.suite",
	"settings.target_ms",
	"settings.max_samples",
	"settings.pinning",
	"settings.probes.ebpf",
	"settings.debug_pio_delay_ns",
};

/*
 * What makes a machine the machine it is, rather than the same machine
 * later: its CPU, its size, the hypervisor under it and the instance type
 * DMI names.  A kernel, microcode or setting changes over time on one
 * machine; these do not.
 */
static const char *const machine_fields[] = {
	"environment.cpu.vendor",
	"environment.cpu.model_name",
	"environment.cpu.family",
	"environment.cpu.model",
	"environment.cpu.nr_online_cpus",
	"environment.host_is_guest.signature",
	"environment.dmi.sys_vendor",
	"environment.dmi.product_name",
};

static const json_t *path_get(const json_t *doc, const char *path)
{
	char part[64];

	while (doc && *path) {
		size_t n = strcspn(path, ".");

		snprintf(part, sizeof(part), "%.*s", (int)n, path);
		doc = json_object_get(doc, part);
		path += n + (path[n] == '.');
	}
	return doc;
}

/*
 * json_equal, but numbers by value: 30 and 30.0 are one setting (whole
 * numbers may be written without a fraction, docs/results.md).
 */
static bool json_same(const json_t *a, const json_t *b)
{
	const char *key;
	const json_t *v;
	size_t i;

	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_is_object(a) && json_is_object(b)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, key, v)
			if (!json_object_get(b, key) || !json_same(v, json_object_get(b, key)))
				return false;
		return true;
	}
	if (json_is_array(a) && json_is_array(b)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		json_array_foreach(a, i, v)
			if (!json_same(v, json_array_get(b, i)))
				return false;
		return true;
	}
	return json_equal(a, b);
}

/* Printable ASCII only: a string from a file may hold control characters or cut UTF-8. */
static void ascii_only(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* A value as one short printable line. */
static void value_text(const json_t *v, char *buf, size_t len)
{
	char *s;

	if (!v) {
		snprintf(buf, len, "(not recorded)");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	snprintf(buf, len, "%.80s%s", s ? s : "?", s && strlen(s) > 80 ? "..." : "");
	free(s);
	ascii_only(buf);	/* also no character cut in half at 80 bytes */
}

static int line_add(struct compare_warnings *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int line_add(struct compare_warnings *w, const char *fmt, ...)
{
	char **lines = realloc(w->lines, (w->n + 1) * sizeof(*lines));
	va_list ap;
	int n;

	if (!lines)
		return -1;
	w->lines = lines;
	va_start(ap, fmt);
	n = vasprintf(&w->lines[w->n], fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	w->n++;
	return 0;
}

static int warning_add(struct compare_warnings *w, const char *field, const char *ta,
		       const char *la, const char *tb, const char *lb)
{
	return line_add(w, "%s differs: %s in %s, %s in %s", field, ta, la, tb, lb);
}

bool compare_machines_differ(const json_t *a, const json_t *b, char *why, size_t len)
{
	size_t used = 0;

	why[0] = '\0';
	for (size_t i = 0; i < sizeof(machine_fields) / sizeof(machine_fields[0]); i++) {
		const json_t *va = path_get(a, machine_fields[i]), *vb = path_get(b, machine_fields[i]);
		char ta[96], tb[96];
		int n;

		/* A field only one file records (an older version) says nothing either way. */
		if (!va || !vb || json_same(va, vb))
			continue;
		value_text(va, ta, sizeof(ta));
		value_text(vb, tb, sizeof(tb));
		n = snprintf(why + used, len - used, "%s%s %s against %s", used ? ", " : "",
			     machine_fields[i] + strlen("environment."), ta, tb);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return used > 0;
}

int compare_timing_warn(struct compare_warnings *w, const json_t *doc, const char *label)
{
	const char *why = env_timing_caveat(doc);
	char text[320];

	if (!why)
		return 0;
	snprintf(text, sizeof(text), "%.300s", why);
	ascii_only(text);	/* the reason comes from the file */
	return line_add(w, "%s: not performance figures: %s", label, text);
}

/* One line per differing value; an object's differing keys one line each, so none is cut off. */
static int field_warn(struct compare_warnings *w, const char *field, const json_t *va,
		      const char *la, const json_t *vb, const char *lb)
{
	char ta[96], tb[96];

	if ((!va && !vb) || (va && vb && json_same(va, vb)))
		return 0;
	if (json_is_object(va) && json_is_object(vb)) {
		const char *key;
		const json_t *v;

		json_object_foreach((json_t *)va, key, v) {
			char sub[192];

			snprintf(sub, sizeof(sub), "%s.%.64s", field, key);
			ascii_only(sub);
			if (field_warn(w, sub, v, la, json_object_get(vb, key), lb))
				return -1;
		}
		json_object_foreach((json_t *)vb, key, v) {
			char sub[192];

			if (json_object_get(va, key))
				continue;
			snprintf(sub, sizeof(sub), "%s.%.64s", field, key);
			ascii_only(sub);
			if (field_warn(w, sub, NULL, la, v, lb))
				return -1;
		}
		return 0;
	}
	value_text(va, ta, sizeof(ta));
	value_text(vb, tb, sizeof(tb));
	return warning_add(w, field, ta, la, tb, lb);
}

/* The kernel command lines, as the words only one has: whole, never cut off. */
static int cmdline_warn(struct compare_warnings *w, const json_t *a, const char *la,
			const json_t *b, const char *lb)
{
	struct cmdline_words cl;
	char *diff;
	int ret = 0;

	cmdline_words_take(&cl, a, b);
	diff = cmdline_words_diff(&cl, la, lb);
	cmdline_words_free(&cl);
	if (!diff)
		return -1;
	if (diff[0]) {
		ascii_only(diff);
		ret = line_add(w, "kernel command line differs: %s", diff);
	}
	free(diff);
	return ret;
}

int compare_env_warn(struct compare_warnings *w, const json_t *a, const char *la,
		     const json_t *b, const char *lb)
{
	for (size_t i = 0; i < sizeof(env_fields) / sizeof(env_fields[0]); i++)
		if (field_warn(w, env_fields[i], path_get(a, env_fields[i]), la,
			       path_get(b, env_fields[i]), lb))
			return -1;
	return cmdline_warn(w, a, la, b, lb);
}

int compare_cells_warn(struct compare_warnings *w, const struct results_set *a,
		       const struct results_set *b)
{
	for (size_t i = 0; i < b->nr_cells; i++) {
		const struct results_cell *cb = &b->cells[i], *ca = results_set_find(a, cb);
		const json_t *va, *vb;
		char name[160], field[200], ta[96], tb[96];

		if (!ca)
			continue;
		va = json_object_get(ca->json, "what");
		vb = json_object_get(cb->json, "what");
		if (!json_is_string(va) || !json_is_string(vb) || json_equal(va, vb))
			continue;
		results_cell_name(cb, name, sizeof(name));
		ascii_only(name);	/* names come from the file */
		snprintf(field, sizeof(field), "%s: what it measures", name);
		value_text(va, ta, sizeof(ta));
		value_text(vb, tb, sizeof(tb));
		if (warning_add(w, field, ta, a->label, tb, b->label))
			return -1;
	}
	return 0;
}

static int double_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* The median of n values, sorting them; NaN for none. */
static double median_of(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), double_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int compare_load_of(const json_t *doc, struct compare_load *l)
{
	const json_t *cell, *rep;
	size_t i, j, n = 0, cap = 0;
	double *others = NULL, *steal = NULL;

	*l = (struct compare_load){ .others_cpus = NAN, .steal_pct = NAN };
	json_array_foreach(json_object_get(doc, "results"), i, cell)
		cap += json_array_size(json_object_get(cell, "repetitions"));
	if (!cap)
		return 0;
	others = malloc(cap * sizeof(*others));
	steal = malloc(cap * sizeof(*steal));
	if (!others || !steal) {
		free(others);
		free(steal);
		return -1;
	}
	json_array_foreach(json_object_get(doc, "results"), i, cell)
		json_array_foreach(json_object_get(cell, "repetitions"), j, rep) {
			const json_t *load = json_object_get(rep, "load");
			const json_t *o = json_object_get(load, "others_cpus");
			const json_t *st = json_object_get(load, "steal_pct");

			/* Bounded by the array sizes counted above; a file's numbers are checked. */
			if (n < cap && json_is_number(o) && json_is_number(st) &&
			    isfinite(json_number_value(o)) && isfinite(json_number_value(st))) {
				others[n] = json_number_value(o);
				steal[n++] = json_number_value(st);
			}
		}
	l->nr_reps = n;
	l->others_cpus = median_of(others, n);
	l->steal_pct = median_of(steal, n);
	free(others);
	free(steal);
	return 0;
}

bool compare_load_differs(const struct compare_load *a, const struct compare_load *b)
{
	return a->nr_reps && b->nr_reps &&
	       (fabs(a->others_cpus - b->others_cpus) >= COMPARE_LOAD_CPUS ||
		fabs(a->steal_pct - b->steal_pct) >= COMPARE_LOAD_STEAL_PCT);
}

int compare_load_warn(struct compare_warnings *w, const json_t *a, const char *la,
		      const json_t *b, const char *lb)
{
	struct compare_load x, y;

	if (compare_load_of(a, &x) || compare_load_of(b, &y))
		return -1;
	if (!x.nr_reps != !y.nr_reps)
		return line_add(w, "only %s recorded the load its repetitions ran under (an older "
				"file lacks it): a difference in load-sensitive cells may be load",
				x.nr_reps ? la : lb);
	if (!compare_load_differs(&x, &y))
		return 0;
	return line_add(w, "the files ran under different load: other processes used %.2f CPUs "
			"in %s and %.2f in %s, steal %.1f%% and %.1f%% (medians per repetition); "
			"load-sensitive cells (wake-ups, timers, context switches, I/O) may differ for "
			"that alone", x.others_cpus, la, y.others_cpus, lb, x.steal_pct, y.steal_pct);
}

void compare_warnings_free(struct compare_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->lines[i]);
	free(w->lines);
	w->lines = NULL;
	w->n = 0;
}
