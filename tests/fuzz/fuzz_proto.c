/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness for the @hvb record parser (built by scripts/fuzz proto).
 *
 * The input is console text: it is split at '\n' and every line goes to
 * proto_line (a last line without '\n' too, as console_flush hands it
 * over), then proto_finish.  Each line is an exact-size heap copy with no
 * NUL after it, so ASan sees any read past its end.  Beyond "no crash, no
 * sanitizer report" it checks what proto.h promises, after every line and
 * at the end, and abort()s on any violation:
 *  - at most the declared samples, never more than HVB_SAMPLES_MAX, and a
 *    sample array whenever there are samples;
 *  - every string NUL-terminated in its array, at most PROTO_NOTES_MAX notes;
 *  - the first error is kept: once set it never changes;
 *  - a begin record is only accepted with its fields in range;
 *  - proto_finish is 0 only for an unavailable record or a complete set,
 *    and -1 with an error otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hvbench/bench.h"
#include "proto.h"
#include "fuzz_check.h"

#define terminated(s) (memchr((s), '\0', sizeof(s)) != NULL)

static void check_result(const struct proto_result *p, const char *first_error)
{
	check(p->nr <= p->declared, "%zu samples of %llu declared", p->nr,
	      (unsigned long long)p->declared);
	check(p->nr <= HVB_SAMPLES_MAX, "%zu samples", p->nr);
	check(!p->nr || p->samples, "%zu samples and no array", p->nr);
	check(terminated(p->error), "error not terminated");
	check(terminated(p->name) && terminated(p->mode) && terminated(p->why) &&
		      terminated(p->last_other), "a string not terminated");
	check(p->nr_notes <= PROTO_NOTES_MAX, "%u notes", p->nr_notes);
	for (unsigned int i = 0; i < p->nr_notes; i++)
		check(terminated(p->notes[i]), "note %u not terminated", i);
	/* The first violation is the one reported. */
	check(!first_error[0] || !strcmp(p->error, first_error), "error \"%s\" became \"%s\"",
	      first_error, p->error);
	if (p->begun) {
		check(p->cpl <= 3 && p->batch && p->tsc_khz && p->declared <= HVB_SAMPLES_MAX,
		      "begin accepted with cpl %u batch %llu tsc_khz %llu samples %llu", p->cpl,
		      (unsigned long long)p->batch, (unsigned long long)p->tsc_khz,
		      (unsigned long long)p->declared);
	}
	check(!p->ended || p->begun, "ended without begun");
}

static void feed_line(struct proto_result *p, const uint8_t *line, size_t len, char *first_error)
{
	char *copy = malloc(len ? len : 1);

	check(copy, "out of memory");
	memcpy(copy, line, len);
	proto_line(p, copy, len);
	free(copy);
	check_result(p, first_error);
	if (!first_error[0])
		memcpy(first_error, p->error, sizeof(p->error));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char first_error[sizeof(((struct proto_result *)0)->error)] = "";
	const uint8_t *end = data + size;
	struct proto_result p;
	int r;

	proto_init(&p);
	while (data < end) {
		const uint8_t *nl = memchr(data, '\n', (size_t)(end - data));
		size_t len = (size_t)((nl ? nl : end) - data);

		feed_line(&p, data, len, first_error);
		data += len + (nl != NULL);
	}
	r = proto_finish(&p);
	check_result(&p, first_error);
	if (r) {
		check(r == -1, "proto_finish returned %d", r);
		check(p.error[0], "proto_finish failed without an error");
	} else {
		check(!p.error[0], "proto_finish succeeded with an error: %s", p.error);
		check(p.unavailable || (p.begun && p.ended && p.nr == p.declared),
		      "proto_finish succeeded with begun %d ended %d, %zu samples of %llu",
		      p.begun, p.ended, p.nr, (unsigned long long)p.declared);
	}
	proto_free(&p);
	check(!p.samples, "samples left after proto_free");
	return 0;
}
