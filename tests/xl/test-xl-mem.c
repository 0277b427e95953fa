/*
 * test-xl-mem.c - the sizes `xl mem-set` and `xl mem-max` take, as
 * upstream's parse_mem_size_kb reads them (no letter: MiB; b k m g t in
 * either case), and the ones refused.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "cmds.h"

static void expect_kb(const char *s, uint64_t want)
{
	uint64_t got = 12345;

	if (xl_parse_mem_size_kb(s, &got) != 0)
		fail_msg("`%s' refused, wanted %llu KiB", s,
		    (unsigned long long)want);
	if (got != want)
		fail_msg("`%s': got %llu KiB, wanted %llu", s,
		    (unsigned long long)got, (unsigned long long)want);
}

static void test_units(void **state)
{
	(void)state;
	expect_kb("256", 262144);
	expect_kb("256m", 262144);
	expect_kb("256M", 262144);
	expect_kb("131072k", 131072);
	expect_kb("131072K", 131072);
	expect_kb("2g", 2097152);
	expect_kb("2G", 2097152);
	expect_kb("1t", 1073741824);
	expect_kb("1T", 1073741824);
	expect_kb("1048576b", 1024);
	expect_kb("1048575b", 1023);       /* bytes round down */
	expect_kb("1023B", 0);
	expect_kb("0", 0);
	expect_kb("007", 7168);             /* decimal, not octal */
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "m", "-1", "+5", " 5", "5 ", "5mb", "5x", "0x10", "1.5g",
		"5m5", "abc", "9223372036854775808k", "9007199254740992g",
		"8796093022208t", "99999999999999999999999",
	};
	uint64_t kb;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kb = 42;
		errno = 0;
		if (xl_parse_mem_size_kb(bad[i], &kb) != -1)
			fail_msg("`%s' accepted as %llu KiB", bad[i],
			    (unsigned long long)kb);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(kb, 42);
	}
	assert_int_equal(xl_parse_mem_size_kb(NULL, &kb), -1);
	/* The largest KiB count an int64 holds is still fine. */
	expect_kb("9223372036854775807k", 9223372036854775807ULL);
	expect_kb("8589934591t", 8589934591ULL << 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
