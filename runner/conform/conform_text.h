/* SPDX-License-Identifier: MIT */
/*
 * The guest's text in the conformance reports.  Fail records, skip reasons
 * and hang reports are whatever bytes the guest (or a VMM) printed: each
 * output format walks them a character at a time and writes each one in a
 * form its syntax can hold, so no content can break the file.
 */
#ifndef CONFORM_TEXT_H
#define CONFORM_TEXT_H

#include <math.h>
#include <stddef.h>
#include <string.h>

/* The length of a string held in a fixed array, even one the guest filled without a NUL. */
#define CONFORM_TEXT_LEN(arr) strnlen((arr), sizeof(arr))

/* A wall time as the reports write it: a number whatever the clock did. */
static inline double conform_seconds(double s)
{
	return isfinite(s) && s > 0 ? s : 0;
}

#endif
