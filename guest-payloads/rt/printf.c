/* SPDX-License-Identifier: MIT */
/*
 * A small vsnprintf: %d %i %u %x %X %p %s %c %%, with the l, ll and z
 * length modifiers, a field width, and the '0' and '-' flags.  Output is
 * always NUL-terminated and truncated to size; the return value is the
 * length the full output would have had, as in C99.
 *
 * Literal text and %s strings are scanned and copied eight bytes per step,
 * because where CPL0 code is emulated the cost is per instruction, not per
 * byte: a zero-byte test finds a NUL or '%' in a word, and its lowest flag
 * gives the position.  So the format and %s strings may be read up to seven
 * bytes past their NUL, which is always mapped in the guest (the runtime
 * maps all of the first 4 GiB); the formatter's own sources (digits, %c)
 * have that slack built in.  Copies may store up to seven bytes of the
 * source past the output's end, still inside buf.
 * tests/unit builds this file for the host and checks it against the C
 * library's snprintf.
 */
#include "rt.h"

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define PERCENTS (ONES * '%')

struct out {
	char *buf;
	size_t size;
	size_t len;
};

/*
 * A flag in the top bit of each zero byte of v.  Bytes above the first zero
 * may be flagged falsely (borrow), so only the lowest flag is meaningful.
 */
static inline uint64_t zero_bytes(uint64_t v)
{
	return (v - ONES) & ~v & HIGHS;
}

static inline uint64_t load8(const char *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline void store8(char *p, uint64_t v)
{
	__builtin_memcpy(p, &v, 8);
}

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* Append n bytes; only what fits (leaving room for the NUL) is stored. */
static void out_bytes(struct out *o, const char *s, size_t n)
{
	size_t room = o->len + 1 < o->size ? o->size - 1 - o->len : 0;
	size_t k = n < room ? n : room, i = 0;
	char *d = o->buf + o->len;

	/* Whole words while the last one still lands inside buf (room + NUL). */
	for (; i < k && room - i >= 8; i += 8)
		store8(d + i, load8(s + i));
	for (; i < k; i++)
		d[i] = s[i];
	o->len += n;
}

static void out_fill(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Length of s up to the first NUL, or the first byte of stop_word if nonzero. */
static size_t span_until(const char *s, uint64_t stop_word)
{
	for (size_t n = 0;; n += 8) {
		uint64_t v = load8(s + n);
		uint64_t m = zero_bytes(v) | (stop_word ? zero_bytes(v ^ stop_word) : 0);

		if (m)
			return n + (__builtin_ctzll(m) >> 3);
	}
}

static void out_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		out_fill(o, pad, fill);
	out_bytes(o, s, n);
	if (left)
		out_fill(o, ' ', fill);
}

static void out_number(struct out *o, uint64_t v, bool negative, unsigned base, bool upper,
		       int width, bool left, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24 + 7]; /* 7: out_bytes may read a word from the last digit */
	int i = 24;

	do {
		tmp[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (negative) {
		if (pad == '0') {
			out_char(o, '-');
			width--;
		} else {
			tmp[--i] = '-';
		}
	}
	out_padded(o, tmp + i, 24 - i, width, left, pad);
}

int rt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (;;) {
		size_t lit = span_until(fmt, PERCENTS);
		bool left = false;
		char pad = ' ';
		int width = 0, longs = 0;

		out_bytes(&o, fmt, lit);
		fmt += lit;
		if (!*fmt)
			break;
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l')
				longs++;
			else if (*fmt == 'z')
				longs = 2;
			else
				break;
		}
		if (left)
			pad = ' ';

		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);

			out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, width,
				   left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);

			out_number(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left,
				   pad);
			break;
		}
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_number(&o, (uintptr_t)va_arg(ap, void *), false, 16, false, width, left,
				   pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			static const char null_str[16] = "(null)";

			if (!s)
				s = null_str;
			out_padded(&o, s, span_until(s, 0), width, left, ' ');
			break;
		}
		case 'c': {
			char c[8] = { (char)va_arg(ap, int) };

			out_padded(&o, c, 1, width, left, ' ');
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
		fmt++;
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = rt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
