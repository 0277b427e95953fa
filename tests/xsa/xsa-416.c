/*
 * XSA-416: temporary memory of a request was tied to the request's buffer
 * and so lived until the reply had been read; a guest not reading its
 * replies kept all of it, far more than the replies themselves.
 * Applies to upstream's talloc contexts; this daemon frees a request's
 * working memory before the handler returns and keeps only the reply.
 * Nearest behaviour, tested: a guest that never reads, sending requests
 * that need much working memory (DIRECTORY of a big node, GET_PERMS,
 * transactions), holds only its outstanding replies; the bytes the daemon
 * keeps for it are bounded by the outstanding quota times a reply.
 */
#include "config.h"

#include "xsa.h"

static size_t held_bytes(const struct conn *c)
{
	size_t n = c->in_used;
	const struct outmsg *m;

	for (m = c->out_head; m; m = m->next)
		n += sizeof(*m) + m->len;
	return n;
}

static void test_unread_replies_hold_only_replies(void **state)
{
	char name[16];
	int i;
	size_t bound;

	(void)state;
	xsd_quota.nodes = 2000;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "d/c%03d", i);
		assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, name, "", NULL), "OK");
	}
	for (i = 0; i < 2000; i++) {
		if (!xsa_send(&xsa_ring5, i % 2 ? XS_DIRECTORY : XS_GET_PERMS,
		              (uint32_t)i, "d", 2))
			break;
		domain_poll_rings();
	}
	bound = (size_t)(xsd_quota.outstanding + 1) *
	        (sizeof(struct outmsg) + XSD_HDR + XENSTORE_PAYLOAD_MAX) + XSD_INBUF;
	assert_true(held_bytes(xsa_g5) <= bound);
	assert_true(xsa_g5->outstanding <= (unsigned)xsd_quota.outstanding);
	xsa_others_served();
	/* Reading lets it continue, everything answered in order. */
	xsa_ring5.rsp_cons = xsa_ring5.rsp_prod;
	for (i = 0; i < 40; i++) {
		domain_poll_rings();
		xsa_ring5.rsp_cons = xsa_ring5.rsp_prod;
	}
	assert_int_equal(xsa_ring5.req_cons, xsa_ring5.req_prod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unread_replies_hold_only_replies, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
