/* SPDX-License-Identifier: MIT */
/*
 * The scaffolding every reader of the guest's @hvb records shares: the
 * benchmark records (run/proto.c) and the conformance records
 * (conform/conform_proto.c).  A console line is untrusted text: it is
 * matched against a record prefix, cut into space-separated words, and
 * numbers and guest text are taken out of it only whole and bounded.  A
 * reader keeps the first violation it meets as its error (record_violation).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What is left of a line: [s, end). */
struct record_cursor {
	const char *s, *end;
};

/* If line (len bytes) starts with prefix, true with c on the rest of it. */
bool record_match(const char *line, size_t len, const char *prefix, struct record_cursor *c);

/*
 * The next word of c (up to a space or the end), c moved past it and one
 * space.  False, with nothing moved, when c is empty.  Words are never
 * empty except between two spaces in a row.
 */
bool record_word(struct record_cursor *c, const char **w, size_t *n);

/* The word at w (n bytes) is lit. */
bool record_is(const char *w, size_t n, const char *lit);

/* The word at w (n bytes) as a decimal number up to max, all of it digits: 0, or -1. */
int record_u64(const char *w, size_t n, uint64_t max, uint64_t *out);

/*
 * Guest text s (n bytes) into dst (cap bytes, cap > 0), cut to fit and
 * NUL-terminated, printable ASCII only (the rest becomes '?'), so nothing a
 * guest prints can drive the terminal or a report it is copied into.
 */
void record_text(char *dst, size_t cap, const char *s, size_t n);

/*
 * Keep the first violation: format it into err (cap bytes) unless err
 * already holds one.
 */
void record_violation(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
