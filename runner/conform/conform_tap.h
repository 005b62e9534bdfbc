/* SPDX-License-Identifier: MIT */
/*
 * `hvbench conform` as TAP version 13, streamed: the plan first, then one
 * test point per test and target as its result arrives.  A harness such as
 * prove passes the run when every failure is a known one.
 */
#ifndef CONFORM_TAP_H
#define CONFORM_TAP_H

#include <stddef.h>
#include <stdio.h>

#include "conform.h"

/* "TAP version 13" and the plan, "1..n". */
void conform_tap_plan(FILE *f, size_t n);

/*
 * Test point number, "<target> <id> - <description>", for one result:
 *   PASS                    ok N - ...
 *   SKIP                    ok N - ... # SKIP <reason>
 *   expected failure        not ok N - ... # TODO known failure: <expected reason>
 *   unexpected pass         ok N - ... # TODO known failure: <expected reason>
 *                           (harnesses report it as a TODO that passed)
 *   unexpected failure      not ok N - ...
 * Every "not ok" and every unexpected pass is followed by a YAML block with
 * the details, the guest's failed checks among them.  f is flushed.
 */
void conform_tap_result(FILE *f, size_t number, const char *target, const struct conform_test *t,
			const struct conform_result *r);

#endif
