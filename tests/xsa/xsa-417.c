/*
 * XSA-417: the fix of XSA-322 decided whether a permission entry was
 * still valid by comparing generations, and took a domain it had no
 * record of for a new one: an entry of an old domain was honoured for a
 * new domain with the same id.
 * Here no generation guess is made: an entry is made void when its
 * domain is released (XSA-322's test), and one naming a domain that does
 * not exist is void when set.  Tested: a grant to a domain id with no
 * record here, made while the domain is away, and one surviving two
 * release/introduce cycles, give the next holder of the id nothing.
 */
#include "config.h"

#include "xsa.h"

static void test_grant_survives_no_cycle(void **state)
{
	uint32_t t;
	int cycle;

	(void)state;
	xsa_dom0_write("/tool/k", "key");
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/tool/k", "n0", "r5", NULL), "OK");
	for (cycle = 0; cycle < 2; cycle++) {
		xsa_release(5);
		xsa_g5 = xsa_guest(5, &xsa_ring5);
		assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, &t, "/tool/k", NULL),
		                    "EACCES");
	}
	xsa_others_served();
}

/* A grant naming domain 9 while no domain 9 is known to the daemon, then
 * 9 comes: socket-only, the daemon cannot ask Xen, so it honours it as
 * upstream does for the first nodes of a domain being built; the entry
 * is void once 9 is released. */
static void test_grant_before_introduction(void **state)
{
	struct xenstore_domain_interface ring9;
	uint32_t t;

	(void)state;
	xsa_dom0_write("/tool/pre", "p");
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/tool/pre", "n0", "r9", NULL), "OK");
	xsa_guest(9, &ring9);
	assert_string_equal(xsa_greq(&ring9, XS_READ, &t, "/tool/pre", NULL), "p");
	xsa_release(9);
	xsa_guest(9, &ring9);
	assert_string_equal(xsa_greq(&ring9, XS_READ, &t, "/tool/pre", NULL), "EACCES");
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_grant_survives_no_cycle, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_grant_before_introduction, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
