/*
 * XSA-115: watch events lacking permission checks.  Any guest could watch
 * "/" and so log every change anywhere in the store, and watch
 * @introduceDomain/@releaseDomain to learn about other guests; guests
 * could also ask XS_IS_DOMAIN_INTRODUCED about any domain.
 * Stopped: a guest hears only about nodes it may read (also when it
 * loses access by the change), special watches fire for privileged
 * connections (or those the special node's perms name), and
 * IS_DOMAIN_INTRODUCED is for the privileged only.
 */
#include "config.h"

#include "xsa.h"

static void test_watch_root_sees_only_own(void **state)
{
	char path[512];

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, NULL, "/", "spy", NULL), "OK");
	xsa_gevents(&xsa_ring5, NULL);          /* the registration's event */
	/* Other guests' and the tools' changes stay unseen. */
	assert_string_equal(xsa_greq(&xsa_ring6, XS_WRITE, NULL, "secret", "42", NULL), "OK");
	xsa_dom0_write("/tool/private", "x");
	xsa_dom0_write("/local/domain/6/device/vbd", "1");
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 0);
	/* Its own home is seen. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "mine", "1", NULL), "OK");
	assert_int_equal(xsa_gevents(&xsa_ring5, path), 1);
	assert_string_equal(path, "/local/domain/5/mine");
	xsa_others_served();
}

static void test_losing_access_is_heard(void **state)
{
	(void)state;
	xsa_dom0_write("/local/domain/6/shared", "v");
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/local/domain/6/shared",
	                             "n6", "r5", NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, NULL,
	                             "/local/domain/6/shared", "t", NULL), "OK");
	xsa_gevents(&xsa_ring5, NULL);
	/* Readable: the change is heard. */
	xsa_dom0_write("/local/domain/6/shared", "w");
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 1);
	/* Access withdrawn: that change is still heard (the old perms). */
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/local/domain/6/shared",
	                             "n6", NULL), "OK");
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 1);
	/* After that nothing more. */
	xsa_dom0_write("/local/domain/6/shared", "z");
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 0);
	xsa_others_served();
}

static void test_special_watches_privileged(void **state)
{
	struct xenstore_domain_interface ring7;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, NULL,
	                             "@introduceDomain", "i", NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, NULL,
	                             "@releaseDomain", "r", NULL), "OK");
	xsa_gevents(&xsa_ring5, NULL);
	xsa_guest(7, &ring7);
	fire_special("@introduceDomain");
	xsa_release(7);
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 0);
	/* Named in the special node's perms, it hears them (disaggregation). */
	assert_string_equal(xsa_d0(XS_SET_PERMS, "@releaseDomain", "n0", "r5",
	                             NULL), "OK");
	xsa_guest(7, &ring7);
	xsa_release(7);
	assert_int_equal(xsa_gevents(&xsa_ring5, NULL), 1);
	xsa_others_served();
}

static void test_is_domain_introduced_privileged(void **state)
{
	uint32_t t;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_IS_DOMAIN_INTRODUCED, &t,
	                             "6", NULL), "EACCES");
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_d0(XS_IS_DOMAIN_INTRODUCED, "6", NULL), "T");
	xsa_others_served();
}

/* Upstream's documentation: WATCH and UNWATCH ignore the transaction id
 * (checking it let a guest's stale id fail its watches). */
static void test_watch_ignores_txid(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg w = { XS_WATCH, 77, 12345, 5 };

	(void)state;
	assert_true(xsa_put(&xsa_ring5, &w, sizeof(w)));
	assert_true(xsa_put(&xsa_ring5, "x\0tk\0", 5));
	do
		assert_true(xsa_recv(&xsa_ring5, &hdr, buf));
	while (hdr.type == XS_WATCH_EVENT);
	assert_int_equal(hdr.type, XS_WATCH);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_watch_root_sees_only_own, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_losing_access_is_heard, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_special_watches_privileged, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_is_domain_introduced_privileged, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_watch_ignores_txid, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
