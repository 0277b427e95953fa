/*
 * XSA-325: a guest that broke the ring protocol had its connection killed,
 * and with it the daemon's record of the domain: @releaseDomain fired
 * while the domain still ran, and when it really died nobody was told, so
 * backends kept their mappings and the domain stayed a zombie.
 * Stopped: a misbehaving guest's connection is only ignored; the domain
 * stays introduced, no @releaseDomain fires until dom0 releases it, and
 * then it fires once.
 */
#include "config.h"

#include "xsa.h"

static struct conn *watcher(void)
{
	struct xsd_sockmsg h = { XS_WATCH, 1, 0, 17 };
	struct conn *w = conn_new(xsa_dom0->ops, -1, 0);

	assert_non_null(w);
	process_request(w, &h, "@releaseDomain\0r\0");
	xsa_conn_events(w);             /* the registration's event */
	return w;
}

static void check_kept_then_released(struct conn *w)
{
	assert_true(xsa_ring5.error != 0);
	assert_true(domain_is_introduced(5));
	assert_string_equal(xsa_d0(XS_IS_DOMAIN_INTRODUCED, "5", NULL), "T");
	assert_int_equal(xsa_conn_events(w), 0);
	/* Its nodes are still there for the tools. */
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/before", NULL), "1");
	xsa_others_served();
	xsa_release(5);
	assert_int_equal(xsa_conn_events(w), 1);
	assert_false(domain_is_introduced(5));
}

static void test_bad_indexes(void **state)
{
	struct conn *w = watcher();

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "before", "1", NULL), "OK");
	xsa_ring5.req_prod = xsa_ring5.req_cons + XENSTORE_RING_SIZE + 1;
	domain_poll_rings();
	xsa_reap();
	check_kept_then_released(w);
}

static void test_bad_length(void **state)
{
	struct conn *w = watcher();
	struct xsd_sockmsg h = { XS_READ, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "before", "1", NULL), "OK");
	assert_true(xsa_put(&xsa_ring5, &h, sizeof(h)));
	domain_poll_rings();
	xsa_reap();
	check_kept_then_released(w);
}

static void test_bad_response_index(void **state)
{
	struct conn *w = watcher();

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "before", "1", NULL), "OK");
	/* The guest claims to have consumed replies never written. */
	xsa_ring5.rsp_cons = xsa_ring5.rsp_prod + 5000;
	assert_true(xsa_send(&xsa_ring5, XS_READ, 2, "before", 7));
	domain_poll_rings();
	xsa_reap();
	check_kept_then_released(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bad_indexes, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_bad_length, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_bad_response_index, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
