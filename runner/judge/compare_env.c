/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int compare_env_warn(struct compare_warnings *w, const json_t *a, const char *la,
		     const json_t *b, const char *lb)
{
	for (size_t i = 0; i < sizeof(env_fields) / sizeof(env_fields[0]); i++) {
		const json_t *va = path_get(a, env_fields[i]), *vb = path_get(b, env_fields[i]);
		char ta[96], tb[96];

		if ((!va && !vb) || (va && vb && json_same(va, vb)))
			continue;
		value_text(va, ta, sizeof(ta));
		value_text(vb, tb, sizeof(tb));
		if (warning_add(w, env_fields[i], ta, la, tb, lb))
			return -1;
	}
	return 0;
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

void compare_warnings_free(struct compare_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->lines[i]);
	free(w->lines);
	w->lines = NULL;
	w->n = 0;
}
