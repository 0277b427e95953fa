/*
 * XSA-330 (oxenstored): RESET_WATCHES dropped a guest's watches from one
 * structure and left them in another, so set/reset/set again grew memory
 * past the watch quota until the daemon ran out.
 * Applies to the OCaml daemon's second index only; this daemon keeps a
 * connection's watches in one list.  Nearest behaviour, tested: after any
 * number of set/reset rounds the guest's watch count and memory charge are
 * what its live watches need, and the quota holds each round.
 */
#include "config.h"

#include "xsa.h"

static void test_reset_rounds_do_not_leak(void **state)
{
	char path[32], tok[16];
	uint32_t t;
	long mem0;
	int round, i;

	(void)state;
	xsd_quota.watches = 20;
	mem0 = dacct_get(5)->memory;
	for (round = 0; round < 50; round++) {
		/* Upstream's check lets the count reach quota + 1 (it compares
		 * the watches already set); so does this daemon's. */
		for (i = 0; i < 21; i++) {
			snprintf(path, sizeof(path), "w%d", i);
			snprintf(tok, sizeof(tok), "t%d", round);
			assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, &t, path, tok,
			                             NULL), "OK");
		}
		assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, &t, "over", "x",
		                             NULL), "E2BIG");
		assert_int_equal(xsa_g5->nwatches, 21);
		assert_string_equal(xsa_greq(&xsa_ring5, XS_RESET_WATCHES, &t, "", NULL),
		                    "OK");
		assert_int_equal(xsa_g5->nwatches, 0);
		assert_int_equal(dacct_get(5)->watches, 0);
		assert_int_equal(dacct_get(5)->memory, mem0);
		xsa_gevents(&xsa_ring5, NULL);
	}
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_rounds_do_not_leak, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
