/* SPDX-License-Identifier: MIT */
/*
 * A guest payload of the build read whole, for the cmocka tests that boot
 * one themselves (include after cmocka.h: a file that cannot be read fails
 * the test).
 */
#ifndef PAYLOAD_FILE_H
#define PAYLOAD_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* dir/name, malloc'ed; its size in *size. */
static inline uint8_t *payload_file_read(const char *dir, const char *name, size_t *size)
{
	char path[4096];
	uint8_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*size = n;
	return buf;
}

#endif
