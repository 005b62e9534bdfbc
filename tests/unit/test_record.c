/* SPDX-License-Identifier: MIT */
/*
 * The record scaffolding both @hvb readers stand on (runner/util/record.c):
 * words cut exactly as the protocol says (one space ends a word, so two in
 * a row make an empty one), numbers taken only whole and in range up to
 * UINT64_MAX, guest text cut to fit and never passed on unprintable, and
 * the first violation kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "record.h"

static void test_match_and_words(void **state)
{
	static const char line[] = "@hvb begin a=1  b ";
	struct record_cursor c;
	const char *w;
	size_t n;

	(void)state;
	assert_false(record_match(line, 4, "@hvb ", &c));
	assert_false(record_match("@HVB begin", 10, "@hvb ", &c));
	assert_true(record_match(line, sizeof(line) - 1, "@hvb ", &c));
	assert_true(record_word(&c, &w, &n));
	assert_true(record_is(w, n, "begin"));
	assert_true(record_word(&c, &w, &n));
	assert_true(record_is(w, n, "a=1"));
	assert_true(record_word(&c, &w, &n));
	assert_int_equal(n, 0);	/* the second of two spaces */
	assert_true(record_word(&c, &w, &n));
	assert_true(record_is(w, n, "b"));
	assert_false(record_word(&c, &w, &n));	/* a trailing space ends it */
	assert_false(record_is("be", 2, "begin"));
	assert_false(record_is("beginx", 6, "begin"));
}

static void test_u64(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(record_u64("0", 1, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(record_u64("18446744073709551615", 20, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	v = 7;
	assert_int_equal(record_u64("18446744073709551616", 20, UINT64_MAX, &v), -1);
	assert_int_equal(record_u64("1000001", 7, 1000000, &v), -1);
	assert_int_equal(record_u64("1000000", 7, 1000000, &v), 0);
	assert_int_equal(v, 1000000);
	v = 7;
	assert_int_equal(record_u64("", 0, 10, &v), -1);
	assert_int_equal(record_u64("+1", 2, 10, &v), -1);
	assert_int_equal(record_u64("-1", 2, 10, &v), -1);
	assert_int_equal(record_u64("1 ", 2, 10, &v), -1);
	assert_int_equal(record_u64("0x1", 3, 10, &v), -1);
	assert_int_equal(record_u64("12", 1, 10, &v), 0);	/* only the n bytes given */
	assert_int_equal(v, 1);
}

static void test_text(void **state)
{
	char dst[6];

	(void)state;
	record_text(dst, sizeof(dst), "ab\tc\0\x80\x7f", 7);
	assert_string_equal(dst, "ab?c?");	/* cut to fit, unprintables '?' */
	record_text(dst, sizeof(dst), "xyz", 0);
	assert_string_equal(dst, "");
	record_text(dst, 1, "xyz", 3);
	assert_string_equal(dst, "");
}

static void test_violation(void **state)
{
	char err[16] = "";

	(void)state;
	record_violation(err, sizeof(err), "first %d", 1);
	record_violation(err, sizeof(err), "second");
	assert_string_equal(err, "first 1");
	err[0] = '\0';
	record_violation(err, sizeof(err), "a violation longer than the room");
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_and_words),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_violation),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
