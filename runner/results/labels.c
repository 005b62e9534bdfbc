/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "labels.h"

static void label_defang(char *label)
{
	for (char *q = label; *q; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f || *q == ',')
			*q = '?';
}

static bool label_taken(char (*labels)[LABEL_MAX], size_t i, const char *label)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(labels[j], label))
			return true;
	return false;
}

static int labels_parse(char (*labels)[LABEL_MAX], size_t n, const char *arg, char *why,
			size_t wl)
{
	const char *p = arg;

	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");

		if (!len || len >= LABEL_MAX || (i + 1 < n && !p[len]) || (i + 1 == n && p[len])) {
			snprintf(why, wl, "--labels takes %zu non-empty names under %d bytes, "
				 "separated by commas, one per file", n, LABEL_MAX);
			return -1;
		}
		snprintf(labels[i], LABEL_MAX, "%.*s", (int)len, p);
		label_defang(labels[i]);
		if (label_taken(labels, i, labels[i])) {
			snprintf(why, wl, "--labels names '%s' twice", labels[i]);
			return -1;
		}
		p += len + 1;
	}
	return 0;
}

int labels_assign(char (*labels)[LABEL_MAX], const char *const *paths, size_t n,
		  const char *arg, char *why, size_t wl)
{
	if (arg)
		return labels_parse(labels, n, arg, why, wl);
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/');
		char stem[LABEL_MAX - 12];
		size_t len;

		base = base && base[1] ? base + 1 : paths[i];
		len = strlen(base);
		if (len > 5 && !strcmp(base + len - 5, ".json"))
			len -= 5;
		snprintf(stem, sizeof(stem), "%.*s", (int)len, base);
		label_defang(stem);
		snprintf(labels[i], LABEL_MAX, "%s", stem);
		for (unsigned int k = 2; label_taken(labels, i, labels[i]); k++)
			snprintf(labels[i], LABEL_MAX, "%s-%u", stem, k);
	}
	return 0;
}
