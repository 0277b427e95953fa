/*
 * test-strnum.c - the shared strict number parser: what it accepts, what
 * it refuses and with which errno, and that a refusal leaves *out alone.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "strnum.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Sentinel stored in *out before each call that must fail. */
#define UNTOUCHED_U 0x5a5a5a5a5a5a5a5aull
#define UNTOUCHED_I ((int64_t)-0x5a5a5a5a)

struct ucase {
	const char *s;
	int base;
	uint64_t want;
};

static void
u64_accepts_numbers(void **state)
{
	static const struct ucase ok[] = {
		{ "0", 10, 0 },
		{ "7", 10, 7 },
		{ "007", 10, 7 },
		{ "18446744073709551615", 10, UINT64_MAX },
		{ "0x10", 0, 16 },
		{ "0X1f", 0, 31 },
		{ "017", 0, 15 },
		{ "0", 0, 0 },
		{ "15", 0, 15 },
		{ "ff", 16, 255 },
		{ "0xff", 16, 255 },
		{ "FFFFFFFFFFFFFFFF", 16, UINT64_MAX },
		{ "777", 8, 511 },
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++) {
		v = UNTOUCHED_U;
		errno = 1234;
		assert_int_equal(strnum_u64(ok[i].s, ok[i].base, 0, UINT64_MAX,
		    &v), 0);
		assert_true(v == ok[i].want);
		assert_int_equal(errno, 1234);	/* success leaves errno */
	}
}

static void
u64_rejects_junk(void **state)
{
	static const struct ucase bad[] = {
		{ "", 10, 0 }, { " 1", 10, 0 }, { "\t1", 10, 0 },
		{ "1 ", 10, 0 }, { "1\n", 10, 0 }, { "+1", 10, 0 },
		{ "-1", 10, 0 }, { "-0", 10, 0 }, { "1x", 10, 0 },
		{ "x1", 10, 0 }, { "1.5", 10, 0 }, { "0x10", 10, 0 },
		{ "0x", 0, 0 }, { "0x", 16, 0 }, { "08", 0, 0 },
		{ "9", 8, 0 }, { "g", 16, 0 }, { "-ff", 16, 0 },
		{ " ff", 16, 0 }, { "1e3", 10, 0 }, { "\xd9\xa1", 10, 0 },
	};
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		v = UNTOUCHED_U;
		errno = 0;
		assert_int_equal(strnum_u64(bad[i].s, bad[i].base, 0,
		    UINT64_MAX, &v), -1);
		assert_int_equal(errno, EINVAL);
		assert_true(v == UNTOUCHED_U);
	}
}

static void
u64_checks_range(void **state)
{
	uint64_t v = UNTOUCHED_U;

	(void)state;
	assert_int_equal(strnum_u64("10", 10, 10, 20, &v), 0);
	assert_true(v == 10);
	assert_int_equal(strnum_u64("20", 10, 10, 20, &v), 0);
	assert_true(v == 20);

	v = UNTOUCHED_U;
	errno = 0;
	assert_int_equal(strnum_u64("9", 10, 10, 20, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(strnum_u64("21", 10, 10, 20, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(strnum_u64("4294967296", 10, 0, UINT32_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	/* Too big for 64 bits: a number, so ERANGE, not EINVAL. */
	errno = 0;
	assert_int_equal(strnum_u64("18446744073709551616", 10, 0,
	    UINT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(strnum_u64("0x10000000000000000", 0, 0,
	    UINT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_true(v == UNTOUCHED_U);
}

static void
u64_rejects_bad_arguments(void **state)
{
	static const int bases[] = { -1, 1, 2, 9, 17, 36, 37 };
	uint64_t v = UNTOUCHED_U;
	size_t i;

	(void)state;
	errno = 0;
	assert_int_equal(strnum_u64(NULL, 10, 0, 10, &v), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(strnum_u64("1", 10, 0, 10, NULL), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(strnum_u64("5", 10, 10, 0, &v), -1);
	assert_int_equal(errno, EINVAL);
	for (i = 0; i < N(bases); i++) {
		errno = 0;
		assert_int_equal(strnum_u64("1", bases[i], 0, 10, &v), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_true(v == UNTOUCHED_U);
}

struct icase {
	const char *s;
	int base;
	int64_t want;
};

static void
i64_accepts_numbers(void **state)
{
	static const struct icase ok[] = {
		{ "0", 10, 0 }, { "-0", 10, 0 }, { "+5", 10, 5 },
		{ "-5", 10, -5 }, { "42", 10, 42 },
		{ "9223372036854775807", 10, INT64_MAX },
		{ "-9223372036854775808", 10, INT64_MIN },
		{ "-0x10", 0, -16 }, { "010", 0, 8 }, { "-7f", 16, -127 },
		{ "-17", 8, -15 },
	};
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < N(ok); i++) {
		v = UNTOUCHED_I;
		errno = 1234;
		assert_int_equal(strnum_i64(ok[i].s, ok[i].base, INT64_MIN,
		    INT64_MAX, &v), 0);
		assert_true(v == ok[i].want);
		assert_int_equal(errno, 1234);
	}
}

static void
i64_rejects_junk(void **state)
{
	static const struct icase bad[] = {
		{ "", 10, 0 }, { "-", 10, 0 }, { "+", 10, 0 },
		{ " 1", 10, 0 }, { " -1", 10, 0 }, { "- 1", 10, 0 },
		{ "--1", 10, 0 }, { "+-1", 10, 0 }, { "1 ", 10, 0 },
		{ "1-", 10, 0 }, { "0x", 0, 0 }, { "-0x", 0, 0 },
		{ "1.0", 10, 0 }, { "abc", 10, 0 }, { "-g", 16, 0 },
	};
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < N(bad); i++) {
		v = UNTOUCHED_I;
		errno = 0;
		assert_int_equal(strnum_i64(bad[i].s, bad[i].base, INT64_MIN,
		    INT64_MAX, &v), -1);
		assert_int_equal(errno, EINVAL);
		assert_true(v == UNTOUCHED_I);
	}
	errno = 0;
	assert_int_equal(strnum_i64(NULL, 10, 0, 1, &v), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(strnum_i64("1", 10, 0, 1, NULL), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(strnum_i64("1", 2, 0, 1, &v), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(strnum_i64("0", 10, 1, -1, &v), -1);
	assert_int_equal(errno, EINVAL);
}

static void
i64_checks_range(void **state)
{
	int64_t v = UNTOUCHED_I;

	(void)state;
	assert_int_equal(strnum_i64("-1", 10, -1, 1, &v), 0);
	assert_true(v == -1);
	assert_int_equal(strnum_i64("1", 10, -1, 1, &v), 0);
	assert_true(v == 1);

	v = UNTOUCHED_I;
	errno = 0;
	assert_int_equal(strnum_i64("-2", 10, -1, 1, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(strnum_i64("2", 10, -1, 1, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(strnum_i64("9223372036854775808", 10, INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(strnum_i64("-9223372036854775809", 10, INT64_MIN,
	    INT64_MAX, &v), -1);
	assert_int_equal(errno, ERANGE);
	assert_true(v == UNTOUCHED_I);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(u64_accepts_numbers),
		cmocka_unit_test(u64_rejects_junk),
		cmocka_unit_test(u64_checks_range),
		cmocka_unit_test(u64_rejects_bad_arguments),
		cmocka_unit_test(i64_accepts_numbers),
		cmocka_unit_test(i64_rejects_junk),
		cmocka_unit_test(i64_checks_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
