/*
 * XSA-322: a domain's id outlives it.  Permissions name domains by id, and
 * when a guest went away its grants stayed: the next domain given the
 * same id inherited access to nodes granted to the old one; nodes a guest
 * created outside its home (where it had been let write) stayed, owned by
 * a dead id, and were never removed.
 * Stopped: at release, every permission entry naming the domain stops
 * counting (shown as gone, as upstream flags it), the special nodes drop
 * it, and the nodes it owned anywhere are removed.
 */
#include "config.h"

#include "xsa.h"

static void test_reused_domid_inherits_nothing(void **state)
{
	uint32_t t;

	(void)state;
	xsa_dom0_write("/tool/granted", "secret");
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/tool/granted", "n0", "b5",
	                             NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, NULL, "/tool/granted",
	                             NULL), "secret");
	xsa_release(5);
	/* A new domain 5. */
	xsa_g5 = xsa_guest(5, &xsa_ring5);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, &t, "/tool/granted",
	                             NULL), "EACCES");
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "/tool/granted",
	                             "pwned", NULL), "EACCES");
	assert_string_equal(xsa_d0(XS_READ, "/tool/granted", NULL), "secret");
	/* Granting the new domain again works. */
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/tool/granted", "n0", "r5",
	                             NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, NULL, "/tool/granted",
	                             NULL), "secret");
	xsa_others_served();
}

static void test_nodes_outside_home_removed(void **state)
{
	(void)state;
	xsa_dom0_write("/shared", "");
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/shared", "n0", "w5", NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "/shared/g5",
	                             "mine", NULL), "OK");
	assert_string_equal(xsa_d0(XS_GET_PERMS, "/shared/g5", NULL), "n5");
	xsa_release(5);
	assert_string_equal(xsa_d0(XS_READ, "/shared/g5", NULL), "ENOENT");
	assert_int_equal(xsa_owned(5), 0);
	assert_int_equal(dacct_get(5)->nodes, 0);
	xsa_others_served();
}

static void test_special_node_forgets(void **state)
{
	(void)state;
	assert_string_equal(xsa_d0(XS_SET_PERMS, "@releaseDomain", "n0", "r5",
	                             NULL), "OK");
	xsa_release(5);
	/* The next domain 5 is not told of other domains going. */
	xsa_g5 = xsa_guest(5, &xsa_ring5);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, NULL,
	                             "@releaseDomain", "r", NULL), "OK");
	xsa_gevents(&xsa_ring5, NULL);
	{
		struct xenstore_domain_interface ring7;

		xsa_guest(7, &ring7);
		xsa_release(7);
	}
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 0);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reused_domid_inherits_nothing, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_nodes_outside_home_removed, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_special_node_forgets, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
