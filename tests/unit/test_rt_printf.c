/* SPDX-License-Identifier: MIT */
/*
 * The guest runtime's vsnprintf, built for the host and checked against the
 * C library's snprintf on generated formats: literal runs of every length
 * (the word-at-a-time scan and copy), each conversion with flags, widths and
 * length modifiers, extreme values, and every buffer size from 0 up (the
 * truncation and return value).  Inputs sit in buffers with spare bytes
 * after them, as the guest's identity map guarantees.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"

#define CASES 20000
#define OUT_MAX 512
#define SLACK 8

enum arg_kind { ARG_INT, ARG_UINT, ARG_LONG, ARG_ULONG, ARG_STR, ARG_CHAR };

struct arg {
	enum arg_kind kind;
	long long i;
	unsigned long long u;
	const char *s;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned int pick(unsigned int n)
{
	return (unsigned int)(next() % n);
}

/* Fixed-size rows: each string has the zero slack the formatter may read. */
static const char strings[][64] = { "", "a", "hvbench", "KVMKVMKVM", "0123456789abcdefg",
				    "a rather longer string that spans several words" };

static long long pick_signed(void)
{
	static const long long edge[] = { 0, 1, -1, 9, 10, -10, INT_MAX, INT_MIN, LLONG_MAX,
					   LLONG_MIN, 1234567, -99999 };

	return pick(3) ? edge[pick(sizeof(edge) / sizeof(edge[0]))] : (long long)next();
}

/* Append one random conversion to fmt and record its argument. */
static void add_conversion(char *fmt, struct arg *a)
{
	static const char convs[] = "diuxXsc%";
	char conv = convs[pick(sizeof(convs) - 1)];
	char flags[3] = "";
	char width[8] = "";
	const char *len = "";

	if (conv != '%') {
		if (pick(3) == 0)
			strcat(flags, "-");
		if (pick(3) == 0 && conv != 's' && conv != 'c')
			strcat(flags, "0");
		if (pick(2))
			snprintf(width, sizeof(width), "%u", pick(25));
	}
	switch (conv) {
	case 'd':
	case 'i':
		if (pick(2)) {
			len = pick(2) ? "l" : "ll";
			*a = (struct arg){ .kind = ARG_LONG, .i = pick_signed() };
		} else {
			*a = (struct arg){ .kind = ARG_INT, .i = (int)pick_signed() };
		}
		break;
	case 'u':
	case 'x':
	case 'X':
		if (pick(2)) {
			static const char *const lens[] = { "l", "ll", "z" };

			len = lens[pick(3)];
			*a = (struct arg){ .kind = ARG_ULONG, .u = (unsigned long long)pick_signed() };
		} else {
			*a = (struct arg){ .kind = ARG_UINT, .u = (unsigned int)pick_signed() };
		}
		break;
	case 's':
		*a = (struct arg){ .kind = ARG_STR,
				   .s = pick(10) ? strings[pick(sizeof(strings) / sizeof(strings[0]))]
						 : NULL };
		break;
	case 'c':
		*a = (struct arg){ .kind = ARG_CHAR, .i = 'A' + pick(26) };
		break;
	default:
		a->kind = -1;
		break;
	}
	sprintf(fmt + strlen(fmt), "%%%s%s%s%c", flags, width, len, conv);
}

static void add_literal(char *fmt)
{
	unsigned int n = pick(3) ? pick(12) : pick(40);
	size_t at = strlen(fmt);

	for (unsigned int i = 0; i < n; i++)
		fmt[at + i] = (char)('!' + pick(94)); /* printable; '%' replaced below */
	fmt[at + n] = '\0';
	for (char *p = fmt + at; *p; p++)
		if (*p == '%')
			*p = '#';
}

static void test_literals_only(void **state)
{
	char fmt[OUT_MAX + SLACK], want[OUT_MAX], got[OUT_MAX + SLACK];

	(void)state;
	for (int len = 0; len < 300; len++) {
		memset(fmt, 0, sizeof(fmt));
		for (int i = 0; i < len; i++)
			fmt[i] = (char)('a' + i % 26);
		for (size_t size = 0; size < (size_t)len + 3; size++) {
			int w = snprintf(want, size, "%s", fmt);
			int g;

			memset(got, 0x55, sizeof(got));
			g = rt_snprintf(got, size, fmt, 0);
			assert_int_equal(g, w);
			if (size)
				assert_string_equal(got, want);
		}
	}
}

/*
 * On x86-64 an int, a long long and a pointer each take one 8-byte argument
 * slot and va_arg(ap, int) reads the low half of it, so passing every
 * argument as its 64-bit representation is what a compiler would pass.
 */
static uint64_t arg_raw(const struct arg *a)
{
	switch (a->kind) {
	case ARG_INT:
	case ARG_CHAR:
		return (uint64_t)(int64_t)(int)a->i;
	case ARG_UINT:
		return (unsigned int)a->u;
	case ARG_LONG:
		return (uint64_t)a->i;
	case ARG_ULONG:
		return a->u;
	case ARG_STR:
		return (uintptr_t)a->s;
	default:
		return 0;
	}
}

static void test_generated_formats(void **state)
{
	(void)state;
	for (int c = 0; c < CASES; c++) {
		char fmt[256 + SLACK] = "";
		char want[OUT_MAX], got[OUT_MAX + SLACK];
		struct arg args[3] = { { .kind = -1 }, { .kind = -1 }, { .kind = -1 } };
		int nconv = 1 + pick(3), nargs = 0;
		uint64_t raw[3];
		size_t size;
		int w, g;

		for (int i = 0; i < nconv; i++) {
			struct arg a;

			add_literal(fmt);
			add_conversion(fmt, &a);
			if ((int)a.kind >= 0)
				args[nargs++] = a;
		}
		add_literal(fmt);
		memset(fmt + strlen(fmt), 0, SLACK);
		size = pick(4) ? sizeof(want) : pick(40);
		for (int i = 0; i < 3; i++)
			raw[i] = arg_raw(&args[i]);
		w = snprintf(want, size, fmt, raw[0], raw[1], raw[2]);
		memset(got, 0x55, sizeof(got));
		g = rt_snprintf(got, size, fmt, raw[0], raw[1], raw[2]);
		if (g != w || (size && strcmp(got, want))) {
			print_error("format \"%s\" size %zu: libc %d \"%s\", rt %d \"%s\"\n", fmt,
				    size, w, size ? want : "", g, size ? got : "");
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_literals_only),
		cmocka_unit_test(test_generated_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
