/*
 * XSA-414: creating a node also creates its missing parents; when that
 * failed half way (a quota hit), the undo path freed memory through the
 * wrong owner and could crash the daemon or corrupt its accounting.
 * Here the quotas are checked before anything is created, and a failure
 * leaves nothing: the test makes deep creations fail on the node quota
 * and on the node size, and checks no parent is left, the guest's count
 * is what it owns, and the tree is consistent.
 */
#include "config.h"

#include "xsa.h"

static void test_failed_deep_create_leaves_nothing(void **state)
{
	uint32_t t;
	unsigned int owned;

	(void)state;
	xsd_quota.nodes = 5;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "a", "1", NULL), "OK");
	owned = xsa_owned(5);
	assert_int_equal(dacct_get(5)->nodes, owned);
	/* Eight levels do not fit in what is left. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "b/c/d/e/f/g/h/i", "x",
	                             NULL), "ENOSPC");
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/b", NULL), "ENOENT");
	assert_int_equal(xsa_owned(5), owned);
	assert_int_equal(dacct_get(5)->nodes, owned);
	/* What fits still works, up to the quota exactly. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "b/c", "x", NULL), "OK");
	assert_int_equal(dacct_get(5)->nodes, xsa_owned(5));
	xsa_others_served();
}

static void test_failed_size_leaves_nothing(void **state)
{
	uint32_t t;
	char *val = malloc(2100);

	(void)state;
	memset(val, 'z', 2099);
	val[2099] = 0;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "p/q/r", val, NULL), "ENOSPC");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/p", NULL), "ENOENT");
	assert_int_equal(dacct_get(5)->nodes, xsa_owned(5));
	free(val);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failed_deep_create_leaves_nothing, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_failed_size_leaves_nothing, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
