/* SPDX-License-Identifier: MIT */
/*
 * Expectations: a target's known failures on a class of host (like
 * kvm-unit-tests' errata).  One line each:
 *
 *     ID-GLOB  STATUS[,STATUS...]  REASON
 *
 * STATUS is FAIL, TIMEOUT, CRASH or ERROR: the test is expected to end that
 * way, for REASON.  '#' starts a comment.  A listed test that passes is an
 * unexpected pass; one that fails otherwise than listed is an unexpected
 * failure, so a test that used to fail and now hangs is noticed.
 */
#ifndef CONFORM_EXPECT_H
#define CONFORM_EXPECT_H

#include <limits.h>

#include "conform.h"

struct conform_expect_entry {
	char glob[128];
	unsigned int statuses;	/* bit (1 << CONFORM_*) */
	char reason[256];
	unsigned int line;
};

struct conform_expect {
	char path[PATH_MAX];
	struct conform_expect_entry *entries;
	size_t nr;
};

/* 0, or -1 with a one-line error ("FILE:LINE: what") in err. */
int conform_expect_load(struct conform_expect *x, const char *path, char *err, size_t len);
/* Parse expectations from text (the fuzz target's entry point); x->path names it in errors. */
int conform_expect_parse(struct conform_expect *x, const char *text, size_t size, char *err,
			 size_t len);
void conform_expect_free(struct conform_expect *x);

/* Set r->verdict (and r->expect_reason) for test id; x may be NULL (nothing expected). */
void conform_expect_judge(const struct conform_expect *x, const char *id, struct conform_result *r);

#endif
