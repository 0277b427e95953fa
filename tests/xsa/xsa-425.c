/*
 * XSA-425: a rewrite of upstream's main loop kept a pointer to the next
 * connection while handling the current one; when handling one request
 * freed another connection (a privileged domain releasing a domain, or a
 * domain going away), the loop went on through freed memory.
 * Here a released domain's connection is only marked (freed by the loop
 * after the pass) and its domain record stays until domain_sweep(), so a
 * pass over the rings never touches freed memory.  Tested: in one pass, a
 * privileged guest (--priv-domid) releases the guests served before and
 * after it, and itself, each with requests waiting on their rings; the
 * remaining guest and dom0 are served.  (Run under ASan by the fuzzers,
 * fuzz-xsring releases a guest mid-stream the same way.)
 */
#include "config.h"

#include "xsa.h"

static struct xenstore_domain_interface ring7, ring8;

static void test_release_neighbours_in_one_pass(void **state)
{
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct conn *c8;

	(void)state;
	xsa_guest(7, &ring7);
	c8 = xsa_guest(8, &ring8);
	/* List order is 8, 7, 6, 5: 6 releases 7 (before it) and 5 (after). */
	xsd_priv_domid = 6;
	assert_true(xsa_send(&ring7, XS_WRITE, 1, "a\0x", 3));
	assert_true(xsa_send(&xsa_ring5, XS_WRITE, 1, "a\0x", 3));
	assert_true(xsa_send(&xsa_ring5, XS_WRITE, 2, "b\0x", 3));
	assert_true(xsa_send(&xsa_ring6, XS_RELEASE, 1, "7", 2));
	assert_true(xsa_send(&xsa_ring6, XS_RELEASE, 2, "5", 2));
	assert_true(xsa_send(&ring8, XS_WRITE, 1, "z\0y", 3));
	domain_poll_rings();
	xsa_reap();
	assert_false(domain_is_introduced(7));
	assert_false(domain_is_introduced(5));
	assert_true(domain_is_introduced(8));
	/* 8 was answered in that pass. */
	assert_true(xsa_recv(&ring8, &h, buf));
	assert_int_equal(h.type, XS_WRITE);
	assert_int_equal(c8->id, 8);
	/* 6 releases itself in the middle of its own requests. */
	assert_true(xsa_send(&xsa_ring6, XS_RELEASE, 3, "6", 2));
	assert_true(xsa_send(&xsa_ring6, XS_WRITE, 4, "after\0x", 7));
	assert_true(xsa_send(&ring8, XS_READ, 2, "z", 2));
	domain_poll_rings();
	xsa_reap();
	assert_false(domain_is_introduced(6));
	assert_true(xsa_recv(&ring8, &h, buf));
	assert_string_equal(buf, "y");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/6/after", NULL), "ENOENT");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/8/z", NULL), "y");
	xsd_priv_domid = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_release_neighbours_in_one_pass, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
