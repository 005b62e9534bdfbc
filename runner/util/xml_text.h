/* SPDX-License-Identifier: MIT */
/*
 * Text from guests and results files written into XML (the JUnit reports of
 * conform and gate) so that any bytes give a well-formed document.
 */
#ifndef XML_TEXT_H
#define XML_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * n bytes of s as XML 1.0 character data, in an attribute value (attr) or an
 * element (details in xml_text.c).
 */
void xml_text(FILE *f, const char *s, size_t n, bool attr);

/* ' name="s"', s escaped as an attribute value. */
void xml_attr(FILE *f, const char *name, const char *s, size_t n);

#endif
