/* SPDX-License-Identifier: MIT */
/*
 * hvbench compare's instance view (compare_instance.c): printed before the
 * table when a file is an instance-suite run, for the question "how does
 * this machine differ from that one, and why".
 */
#ifndef COMPARE_INSTANCE_H
#define COMPARE_INSTANCE_H

#include <stdbool.h>
#include <stdio.h>

#include "compare_out.h"

/* Whether any of the compared files is a run of the instance suite. */
bool compare_instance_wanted(const struct comparison *c);

/* Each file against the first: mechanisms that moved, load, environment differences. */
void compare_instance_print(FILE *f, const struct comparison *c);

#endif
