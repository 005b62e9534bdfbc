/* SPDX-License-Identifier: MIT */
/*
 * The environment (docs/environment.md) and settings of each file, side by
 * side, one row per field flattened to its dotted path; with several
 * files, the rows that differ come first in a table of their own and are
 * highlighted in the full one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_escape.h"
#include "report_html.h"
#include "report_sections.h"

/* Fields and nesting kept per file: a hostile file's millions are cut, and said so. */
#define ENV_MAX_FIELDS 2000
#define ENV_MAX_DEPTH 8
/* A value is shown up to this many bytes. */
#define ENV_VALUE_MAX 400

struct flat {
	json_t *fields;		/* path -> its value as text, in file order */
	bool cut;		/* fields were left out */
};

/* The files a table compares: their indices in the report. */
struct columns {
	size_t *file;
	size_t n;
};

static bool scalar(const json_t *j)
{
	return !json_is_object(j) && !json_is_array(j);
}

static int field_add(struct flat *fl, const char *path, const json_t *v)
{
	char *text;
	int e;

	if (json_object_size(fl->fields) >= ENV_MAX_FIELDS) {
		fl->cut = true;
		return 0;
	}
	if (json_is_string(v))
		return json_object_set(fl->fields, path, (json_t *)v);
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (!text)
		return -ENOMEM;
	e = json_object_set_new(fl->fields, path, json_string(text));
	free(text);
	return e;
}

/* Objects by key, arrays of objects by index; scalars and arrays of scalars are one field. */
static int flatten(struct flat *fl, const char *path, const json_t *v, int depth)
{
	bool flat_array = json_is_array(v);
	char sub[512];
	const char *key;
	json_t *x;
	size_t i;

	json_array_foreach(v, i, x)
		flat_array &= scalar(x);
	if (scalar(v) || flat_array || depth == ENV_MAX_DEPTH)
		return field_add(fl, path, v);
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (flatten(fl, sub, x, depth + 1))
				return -ENOMEM;
		}
		return 0;
	}
	json_object_foreach((json_t *)v, key, x) {
		snprintf(sub, sizeof(sub), "%s%s%.200s", path, *path ? "." : "", key);
		/* ASCII: a key cut at 200 bytes must not end in half a character. */
		for (char *p = sub; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		if (flatten(fl, sub, x, depth + 1))
			return -ENOMEM;
	}
	return 0;
}

/* Are the values of path in every file the same (a missing one differs)? */
static bool same(const struct flat *fl, size_t n, const char *path)
{
	const char *v0 = json_string_value(json_object_get(fl[0].fields, path));

	for (size_t i = 1; i < n; i++) {
		const char *v = json_string_value(json_object_get(fl[i].fields, path));

		if (!v0 || !v || strcmp(v0, v))
			return false;
	}
	return v0 != NULL;
}

static void rows_write(const struct report *r, FILE *f, const struct columns *c,
		       const struct flat *fl, const json_t *order, bool only_diff)
{
	const char *path;
	json_t *x;

	fputs("<table><tr><th>field</th>", f);
	for (size_t i = 0; i < c->n; i++) {
		fputs("<th>", f);
		html_escape(f, r->files[c->file[i]].label, 60);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	json_object_foreach((json_t *)order, path, x) {
		bool differs = c->n > 1 && !same(fl, c->n, path);

		if (only_diff && !differs)
			continue;
		fprintf(f, "<tr%s><td class=\"key\"><code>", differs ? " class=\"diff\"" : "");
		html_escape(f, path, 300);
		fputs("</code></td>", f);
		for (size_t i = 0; i < c->n; i++) {
			const char *v = json_string_value(json_object_get(fl[i].fields, path));

			fputs(v ? "<td class=\"long\">" : "<td class=\"na\">", f);
			html_escape(f, v ? v : "absent", ENV_VALUE_MAX);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* One member (environment or settings) of some files, compared. */
static int compare(struct report *r, FILE *f, const struct columns *c, const char *member,
		   const char *id, const char *title)
{
	struct flat *fl = calloc(c->n, sizeof(*fl));
	json_t *order = json_object();
	size_t ndiff = 0, n;
	const char *path;
	json_t *x;
	int e = -ENOMEM;

	if (!fl || !order)
		goto out;
	for (size_t i = 0; i < c->n; i++) {
		fl[i].fields = json_object();
		if (!fl[i].fields ||
		    flatten(&fl[i], "", json_object_get(r->files[c->file[i]].doc, member), 0) ||
		    json_object_update_missing(order, fl[i].fields))
			goto out;
	}
	e = 0;
	n = json_object_size(order);
	json_object_foreach(order, path, x)
		ndiff += c->n > 1 && !same(fl, c->n, path);
	report_heading(r, f, 3, id, title);
	if (!n) {
		fputs("<p>None recorded.</p>\n", f);
		goto out;
	}
	if (ndiff) {
		fprintf(f, "<p>%zu of %zu fields differ between the files (highlighted):</p>\n",
			ndiff, n);
		rows_write(r, f, c, fl, order, true);
		fputs("<details><summary>Every field</summary>\n", f);
		rows_write(r, f, c, fl, order, false);
		fputs("</details>\n", f);
	} else {
		if (c->n > 1)
			fputs("<p>The same in every file.</p>\n", f);
		rows_write(r, f, c, fl, order, false);
	}
	for (size_t i = 0; i < c->n; i++)
		if (fl[i].cut) {
			fputs("<p class=\"warn\">", f);
			html_escape(f, r->files[c->file[i]].label, 60);
			fprintf(f, ": more than %u fields; the rest are not shown.</p>\n",
				ENV_MAX_FIELDS);
		}
out:
	for (size_t i = 0; fl && i < c->n; i++)
		json_decref(fl[i].fields);
	free(fl);
	json_decref(order);
	return e;
}

/* The files of one kind (conform or not), or all of them. */
static void columns_pick(const struct report *r, struct columns *c, int conform)
{
	c->n = 0;
	for (size_t i = 0; i < r->nfiles; i++)
		if (conform < 0 || r->files[i].conform == (conform > 0))
			c->file[c->n++] = i;
}

void report_env(struct report *r, FILE *f)
{
	struct columns c = { .file = calloc(r->nfiles + 1, sizeof(size_t)) };
	int e = c.file ? 0 : -ENOMEM;

	report_heading(r, f, 2, "environment", "Environment and settings");
	fputs("<p>What each file records of the machine it ran on (docs/environment.md) and the "
	      "options it ran with, one row per field. Settings are compared between files of "
	      "the same kind.</p>\n", f);
	if (!e) {
		columns_pick(r, &c, -1);
		e = compare(r, f, &c, "environment", "env", "Environment");
	}
	if (!e) {
		columns_pick(r, &c, 0);
		if (c.n)
			e = compare(r, f, &c, "settings", "settings", "Settings of the runs");
	}
	if (!e) {
		columns_pick(r, &c, 1);
		if (c.n)
			e = compare(r, f, &c, "settings", "settings-conform",
				    "Settings of the conformance runs");
	}
	if (e)
		fputs("<p class=\"bad\">Out of memory: the rest of this section is left out.</p>\n",
		      f);
	free(c.file);
}
