/* SPDX-License-Identifier: MIT */
/* Configure-time probe: can clang link a libFuzzer + ASan + UBSan program? */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
