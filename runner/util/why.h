/* SPDX-License-Identifier: MIT */
/*
 * The one-line reason a parser of outside input gives when it refuses it
 * (results files, thresholds files, command templates).
 */
#ifndef WHY_H
#define WHY_H

#include <stddef.h>

/*
 * why = prefix followed by fmt's text, cut to len, as one line of printable
 * ASCII (anything else from the input it quotes becomes '?', so a message
 * cannot drive a terminal or end in half a character).  Returns -1, so a
 * refusal is `return why_set(...)`; does nothing but that when len is 0.
 */
int why_set(char *why, size_t len, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
