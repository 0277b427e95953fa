/*
 * test-escape.c - the client's Ctrl-] detection and ESC replacement.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "escape.h"

static void
test_no_escape_forwards_all(void **state)
{
	size_t fwd = 99;

	assert_false(xcon_scan_input("echo hi\n", 8, &fwd));
	assert_int_equal(fwd, 8);
	assert_false(xcon_scan_input("", 0, &fwd));
	assert_int_equal(fwd, 0);
}

static void
test_lone_escape(void **state)
{
	size_t fwd = 99;

	assert_true(xcon_scan_input("\x1d", 1, &fwd));
	assert_int_equal(fwd, 0);
}

static void
test_escape_after_piped_text(void **state)
{
	/* A script's last line and Ctrl-] arrive in one read: the line
	 * still goes to the guest, then we detach. */
	const char in[] = "echo hello-42\n\x1dignored";
	size_t fwd = 0;

	assert_true(xcon_scan_input(in, sizeof(in) - 1, &fwd));
	assert_int_equal(fwd, 14);
	assert_memory_equal(in, "echo hello-42\n", fwd);
}

static void
test_nul_and_other_controls_pass(void **state)
{
	const char in[] = { 'a', 0, 0x1b, 0x1c, 0x1e, 0x03 };
	size_t fwd = 0;

	assert_false(xcon_scan_input(in, sizeof(in), &fwd));
	assert_int_equal(fwd, sizeof(in));
}

static void
test_replace_escape(void **state)
{
	char out[] = "\x1b[2J\x1b[Hok\x1d";

	xcon_replace_escape(out, sizeof(out) - 1);
	assert_string_equal(out, ".[2J.[Hok\x1d");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_escape_forwards_all),
		cmocka_unit_test(test_lone_escape),
		cmocka_unit_test(test_escape_after_piped_text),
		cmocka_unit_test(test_nul_and_other_controls_pass),
		cmocka_unit_test(test_replace_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
