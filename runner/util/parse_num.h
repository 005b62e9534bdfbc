/* SPDX-License-Identifier: MIT */
/*
 * Numbers from the command line and the thresholds file: the whole string,
 * in range, or nothing.
 */
#ifndef PARSE_NUM_H
#define PARSE_NUM_H

#include <stdbool.h>
#include <stdint.h>

/* x in [lo, hi] (lo excluded when lo_open), finite; 0, or -1. */
int parse_double(const char *s, double lo, double hi, bool lo_open, double *out);

/* A decimal whole number up to max; 0, or -1. */
int parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
