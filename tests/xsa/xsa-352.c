/*
 * XSA-352 (oxenstored; fixed in the C daemon in 2006): a guest could give
 * its nodes to another domain with SET_PERMS, charging them to that
 * domain's quota (or to dom0's, which has none: unbounded memory).
 * Stopped: only the privileged may change a node's owner; the guest keeps
 * its nodes and its own quota counts them.
 */
#include "config.h"

#include "xsa.h"

static void test_guest_cannot_give_nodes_away(void **state)
{
	uint32_t t;
	unsigned int before;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "gift", "x", NULL), "OK");
	before = dacct_get(5)->nodes;
	/* To dom0 (no quota) and to the other guest. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_SET_PERMS, &t, "gift", "n0", NULL),
	                    "EPERM");
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_SET_PERMS, &t, "gift", "b6", NULL),
	                    "EPERM");
	assert_string_equal(xsa_d0(XS_GET_PERMS, "/local/domain/5/gift", NULL), "n5");
	assert_int_equal(dacct_get(5)->nodes, before);
	/* Its own perms it may change, the owner staying itself. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_SET_PERMS, NULL, "gift", "n5",
	                             "r6", NULL), "OK");
	/* Quota is not escaped by filling up and giving away: still counted. */
	xsd_quota.nodes = (int)before + 1;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "one", "x", NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_SET_PERMS, &t, "one", "n6", NULL), "EPERM");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "two", "x", NULL), "ENOSPC");
	/* Dom0 may hand nodes over. */
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/local/domain/5/gift", "n6", NULL), "OK");
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_guest_cannot_give_nodes_away, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
