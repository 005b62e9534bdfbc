/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 of a buffer, as 64 lowercase hex digits (OpenSSL's libcrypto):
 * how a results file names the payload it ran, so a rerun can tell the
 * same payload from a different one (hvbench run --like).
 */
#ifndef SHA256_H
#define SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN 65	/* 64 digits and the terminator */

/* 0, or -1 (libcrypto failed: out of memory). */
int sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN]);

#endif
