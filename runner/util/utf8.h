/* SPDX-License-Identifier: MIT */
/* Strict UTF-8 decoding, a character at a time (utf8.c). */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The UTF-8 character at s, of which n bytes remain: its length in bytes,
 * its code point in *cp.  0 when the bytes there are not well-formed UTF-8
 * (a stray continuation byte, a truncated or overlong sequence, a
 * surrogate, a code point past U+10FFFF): the caller takes that one byte
 * as an invalid character and goes on with the next.
 */
size_t utf8_char(const char *s, size_t n, uint32_t *cp);

#endif
