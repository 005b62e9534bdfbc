/* SPDX-License-Identifier: MIT */
/*
 * Kernel command line: space-separated "key=value" or bare "key" words.
 * The loader's string is copied once (bounded), then looked up on demand.
 */
#include "internal.h"

#define CMDLINE_MAX 4096
#define VALUE_MAX 256

static char cmdline[CMDLINE_MAX];
static char value[VALUE_MAX];

void rt_cmdline_init(const char *src, uint64_t max_len)
{
	size_t n = 0;

	while (n < sizeof(cmdline) - 1 && n < max_len && src[n]) {
		cmdline[n] = src[n];
		n++;
	}
	cmdline[n] = '\0';
}

const char *rt_cmdline(void)
{
	return cmdline;
}

const char *rt_cmdline_get(const char *key)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		const char *word = p;
		size_t wlen = 0, vlen = 0;

		while (word[wlen] && word[wlen] != ' ')
			wlen++;
		p = word + wlen;
		while (*p == ' ')
			p++;
		if (wlen < klen || strncmp(word, key, klen))
			continue;
		if (wlen == klen) {
			value[0] = '\0';
			return value;
		}
		if (word[klen] != '=')
			continue;
		for (const char *v = word + klen + 1; v < word + wlen && vlen < VALUE_MAX - 1; v++)
			value[vlen++] = *v;
		value[vlen] = '\0';
		return value;
	}
	return NULL;
}

uint64_t rt_cmdline_u64(const char *key, uint64_t fallback)
{
	const char *v = rt_cmdline_get(key);
	uint64_t n = 0;
	unsigned base = 10;

	if (!v || !*v)
		return fallback;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	for (; *v; v++) {
		unsigned d;

		if (*v >= '0' && *v <= '9')
			d = *v - '0';
		else if (base == 16 && *v >= 'a' && *v <= 'f')
			d = *v - 'a' + 10;
		else if (base == 16 && *v >= 'A' && *v <= 'F')
			d = *v - 'A' + 10;
		else
			return fallback;
		n = n * base + d;
	}
	return n;
}
