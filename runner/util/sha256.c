/* SPDX-License-Identifier: MIT */
#include <openssl/evp.h>
#include <stdio.h>

#include "sha256.h"

int sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}
