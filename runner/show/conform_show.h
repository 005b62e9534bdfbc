/* SPDX-License-Identifier: MIT */
#ifndef CONFORM_SHOW_H
#define CONFORM_SHOW_H

#include <jansson.h>
#include <stdio.h>

/* Print a validated conformance results document (kind "conform"). */
void conform_show(FILE *f, const json_t *doc);

#endif
