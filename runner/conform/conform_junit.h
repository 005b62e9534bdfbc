/* SPDX-License-Identifier: MIT */
/*
 * `hvbench conform` as a JUnit XML report, for CI systems that show test
 * results: one <testsuite> per target, one <testcase> per test, classname
 * hvbench.conform.<target>.<area>.  Unexpected results are failures
 * (FAIL, and an unexpected pass: type UNEXPECTED-PASS) or errors (TIMEOUT,
 * CRASH, ERROR, the status as type); skips and known failures are
 * <skipped>, a known failure with its actual result in <system-out>.
 * tests/data/junit.xsd describes what is written.
 */
#ifndef CONFORM_JUNIT_H
#define CONFORM_JUNIT_H

#include "conform.h"

/* Write rep to path atomically (a temporary file renamed over it): 0, or -1 with errno set. */
int conform_junit_write(const char *path, const struct conform_report *rep);

#endif
