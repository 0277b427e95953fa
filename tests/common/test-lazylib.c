/*
 * test-lazylib.c - libraries loaded on first use: the table is filled,
 * init runs once even with concurrent first callers, and a missing
 * library or symbol is one clear message, kept, never retried.
 * libz.so.1 stands in for a real optional library (every Debian system
 * has it; the test does not link it).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <zlib.h>

#include "lazylib.h"

static int inits;

static void count_init(void)
{
	__atomic_add_fetch(&inits, 1, __ATOMIC_SEQ_CST);
}

/* The table as users define it: zlib's names and prototypes. */
#define Z_FUNCS(F, t) F(t, zlibVersion) F(t, crc32)
LAZYLIB_DEFINE(z, Z_FUNCS, "libz.so.1", "the test", count_init)

static void *first_call(void *arg)
{
	char err[300];

	return (void *)(long)lazylib_load(arg, err, sizeof(err));
}

static void loads_once_and_fills_the_table(void **state)
{
	pthread_t t[8];
	void *rc;
	char err[300];
	int i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, first_call, &z_lib), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &rc), 0);
		assert_int_equal((long)rc, 0);
	}
	assert_int_equal(inits, 1);
	assert_int_equal(lazylib_load(&z_lib, err, sizeof(err)), 0);
	assert_int_equal(inits, 1);
	assert_non_null(z.zlibVersion);
	assert_true(strncmp(z.zlibVersion(), "1.", 2) == 0);
	/* CRC-32 of "a", a known value: the pointer is the real function. */
	assert_int_equal(z.crc32(0, (const Bytef *)"a", 1), 0xe8b7be43ul);
}

static void *nothing;
static const struct lazylib_sym nosyms[] = {
	{ "lightstack_no_such_symbol", &nothing },
	{ NULL, NULL }
};

static void missing_library_is_one_kept_message(void **state)
{
	static struct lazylib l = LAZYLIB_INIT("liblightstack-nope.so.9",
	                                       "the frobnicator", nosyms, NULL);
	char err[300], again[300];

	(void)state;
	errno = 0;
	assert_int_equal(lazylib_load(&l, err, sizeof(err)), -1);
	assert_int_equal(errno, ELIBACC);
	assert_non_null(strstr(err, "the frobnicator needs liblightstack-nope.so.9: "));
	assert_non_null(strstr(err, "cannot open shared object file"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(lazylib_load(&l, again, sizeof(again)), -1);
	assert_string_equal(again, err);
}

static void missing_symbol_loads_nothing(void **state)
{
	static struct lazylib l = LAZYLIB_INIT("libz.so.1", "the test", nosyms,
	                                       count_init);
	char err[300];
	int before = inits;

	(void)state;
	assert_int_equal(lazylib_load(&l, err, sizeof(err)), -1);
	assert_int_equal(errno, ELIBACC);
	assert_string_equal(err, "the test needs libz.so.1: libz.so.1: no symbol "
	                    "lightstack_no_such_symbol");
	assert_null(nothing);
	assert_int_equal(inits, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_once_and_fills_the_table),
		cmocka_unit_test(missing_library_is_one_kept_message),
		cmocka_unit_test(missing_symbol_loads_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
