/*
 * XSA-353 (oxenstored): the root node, having no parent, was special-cased
 * in every operation and only READ checked its permissions: a guest could
 * chmod "/", write nodes under it, remove almost the whole tree, or list
 * it.
 * Here the root goes through the same permission check as every node;
 * the test tries each of those operations on "/" from a guest.
 */
#include "config.h"

#include "xsa.h"

static void test_root_is_checked(void **state)
{
	uint32_t t;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_SET_PERMS, &t, "/", "n5", NULL), "EACCES");
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_SET_PERMS, &t, "/", "b0", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_RM, &t, "/", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_RM, &t, "/local", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "/evil", "x", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_MKDIR, &t, "/evil", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_DIRECTORY, &t, "/", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_GET_PERMS, &t, "/", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, &t, "/", NULL), "EACCES");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_DIRECTORY_PART, &t, "/", "0", NULL), "EACCES");
	/* Nothing changed. */
	assert_string_equal(xsa_d0(XS_GET_PERMS, "/", NULL), "n0");
	assert_string_equal(xsa_d0(XS_READ, "/evil", NULL), "ENOENT");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/6/alive", NULL), "yes");
	/* Dom0 itself may not remove the root. */
	assert_string_equal(xsa_d0(XS_RM, "/", NULL), "EINVAL");
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_root_is_checked, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
