/*
 * XSA-420 (oxenstored, 32-bit builds): a header length between 1 and
 * 2 GiB became a negative OCaml integer; the exception it caused left the
 * packet on the ring, so the daemon retried it forever (livelock).
 * Applies to the OCaml daemon only: here the length is an unsigned 32-bit
 * value checked against XENSTORE_PAYLOAD_MAX before anything else.
 * Nearest behaviour, tested: each such length from a guest's ring cuts
 * that guest off at once (ring error set, no further reads of its ring),
 * and the daemon's passes cost nothing more for it afterwards.
 */
#include "config.h"

#include "xsa.h"

static void one_length(uint32_t len)
{
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, len };
	XENSTORE_RING_IDX cons;
	int pass;

	assert_true(xsa_put(&xsa_ring5, &h, sizeof(h)));
	assert_true(xsa_put(&xsa_ring5, "junk", 4));
	domain_poll_rings();
	assert_int_equal(xsa_ring5.error, XENSTORE_ERROR_PROTO);
	assert_true(xsa_g5->ignored);
	/* More input is never read: no livelock, no work spent on it. */
	cons = xsa_ring5.req_cons;
	assert_true(xsa_put(&xsa_ring5, "more", 4));
	for (pass = 0; pass < 100; pass++)
		domain_poll_rings();
	assert_int_equal(xsa_ring5.req_cons, cons);
	assert_false(domain_rings_busy());
	xsa_others_served();
}

static void test_len_2g_minus(void **state) { (void)state; one_length(0x7fffffffu); }
static void test_len_2g(void **state) { (void)state; one_length(0x80000000u); }
static void test_len_1g(void **state) { (void)state; one_length(0x40000000u); }
static void test_len_max(void **state) { (void)state; one_length(0xffffffffu); }
static void test_len_just_over(void **state) { (void)state; one_length(XENSTORE_PAYLOAD_MAX + 1); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_len_2g_minus, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_len_2g, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_len_1g, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_len_max, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_len_just_over, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
