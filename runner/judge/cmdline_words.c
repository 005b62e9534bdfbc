/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline_words.h"

static const char *cmdline_of(const json_t *doc)
{
	return json_string_value(json_object_get(
		json_object_get(json_object_get(doc, "environment"), "kernel"), "cmdline"));
}

/* The words of line, split on blanks, at most CMDLINE_WORDS_MAX; the copy is *buf. */
static size_t words_split(const char *line, char **buf, char **words)
{
	size_t n = 0;
	char *save = NULL;

	*buf = strdup(line ? line : "");
	if (!*buf)
		return 0;
	for (char *t = strtok_r(*buf, " \t\n", &save); t && n < CMDLINE_WORDS_MAX;
	     t = strtok_r(NULL, " \t\n", &save))
		words[n++] = t;
	return n;
}

void cmdline_words_take(struct cmdline_words *cl, const json_t *a, const json_t *b)
{
	const char *line[2] = { cmdline_of(a), cmdline_of(b) };

	memset(cl, 0, sizeof(*cl));
	cl->both = line[0] && line[1];
	for (int side = 0; side < 2; side++)
		cl->n[side] = words_split(line[side], &cl->buf[side], cl->words[side]);
}

void cmdline_words_free(struct cmdline_words *cl)
{
	free(cl->buf[0]);
	free(cl->buf[1]);
	memset(cl, 0, sizeof(*cl));
}

bool cmdline_words_only(const struct cmdline_words *cl, int side, size_t i)
{
	for (size_t k = 0; k < cl->n[!side]; k++)
		if (!strcmp(cl->words[side][i], cl->words[!side][k]))
			return false;
	return true;
}

char *cmdline_words_diff(const struct cmdline_words *cl, const char *la, const char *lb)
{
	const char *label[2] = { la, lb };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (int side = 0; cl->both && side < 2; side++) {
		bool any = false;

		for (size_t i = 0; i < cl->n[side]; i++) {
			if (!cmdline_words_only(cl, side, i))
				continue;
			if (!any)
				fprintf(f, "%sonly in %s:", ftell(f) > 0 ? "; " : "", label[side]);
			fprintf(f, " %s", cl->words[side][i]);
			any = true;
		}
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
