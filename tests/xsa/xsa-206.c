/*
 * XSA-206: a guest writing to the store as fast as it can makes every
 * transaction that read what it writes fail with EAGAIN, and a toolstack
 * retrying such a transaction could be stalled for as long as the guest
 * went on.
 * Stopped as in upstream 4.17: while any transaction is open, a guest
 * may write in a burst of write_burst (10), then at write_rate (200) per
 * second; a write over that is not read from its ring until its credit
 * is back.  Tested: with dom0's transaction open, a guest's flood of
 * writes is held after the burst, dom0's transaction (which reads the
 * guest's node) commits, the guest goes on once
 * its credit returns, and without an open transaction no limit applies.
 */
#include "config.h"

#include <unistd.h>

#include "xsa.h"

/* Guest 5 queues `n` writes of its node; returns how many were answered
 * after one pass. */
static int flood(int n)
{
	int i, answered = 0;
	struct xsd_sockmsg h;
	char buf[XENSTORE_PAYLOAD_MAX + 1];

	for (i = 0; i < n; i++)
		assert_true(xsa_send(&xsa_ring5, XS_WRITE, (uint32_t)i, "hot\0v", 5));
	domain_poll_rings();
	while (xsa_ring5.rsp_prod != xsa_ring5.rsp_cons) {
		/* Take replies without serving again. */
		XENSTORE_RING_IDX k;

		for (k = 0; k < sizeof(h); k++)
			((char *)&h)[k] = xsa_ring5.rsp[MASK_XENSTORE_IDX(xsa_ring5.rsp_cons + k)];
		xsa_ring5.rsp_cons += (XENSTORE_RING_IDX)(sizeof(h) + h.len);
		if (h.type == XS_WRITE)
			answered++;
	}
	(void)buf;
	return answered;
}

static void test_flood_held_while_transaction_open(void **state)
{
	struct xsd_sockmsg h = { XS_TRANSACTION_START, 1, 0, 1 };
	struct outmsg *m;
	uint32_t tx;
	char id[16];
	int got;

	(void)state;
	xsd_quota.outstanding = 100;
	/* One write a second: no credit comes back while the test runs,
	 * however slow the machine. */
	xsd_quota.write_rate = 1;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "hot", "0", NULL), "OK");
	/* Dom0 opens a transaction and reads the guest's node in it. */
	process_request(xsa_dom0, &h, "");
	m = conn_out_pop(xsa_dom0);
	assert_non_null(m);
	memcpy(id, m->buf + XSD_HDR, m->len - XSD_HDR);
	free(m);
	tx = (uint32_t)strtoul(id, NULL, 10);
	h.type = XS_READ;
	h.tx_id = tx;
	h.len = 20;
	process_request(xsa_dom0, &h, "/local/domain/5/hot");
	free(conn_out_pop(xsa_dom0));
	/* 50 writes at once: the burst passes, the rest wait. */
	got = flood(50);
	assert_true(got >= 1);
	assert_true(got <= xsd_quota.write_burst + 1);
	assert_true(xsa_ring5.req_cons != xsa_ring5.req_prod || xsa_g5->in_used > 0);
	/* Guest 6 and dom0 are served meanwhile. */
	xsa_others_served();
	/* Dom0's transaction conflicts on the node the guest wrote, but its
	 * retry is not starved: the guest is held. */
	h.type = XS_TRANSACTION_END;
	h.len = 2;
	process_request(xsa_dom0, &h, "T");
	m = conn_out_pop(xsa_dom0);
	assert_non_null(m);
	assert_string_equal(m->buf + XSD_HDR, "EAGAIN");
	free(m);
	/* The retry, with no other transaction open, commits. */
	h.type = XS_TRANSACTION_START;
	h.tx_id = 0;
	h.len = 1;
	process_request(xsa_dom0, &h, "");
	m = conn_out_pop(xsa_dom0);
	memcpy(id, m->buf + XSD_HDR, m->len - XSD_HDR);
	free(m);
	tx = (uint32_t)strtoul(id, NULL, 10);
	h.type = XS_READ;
	h.tx_id = tx;
	h.len = 20;
	process_request(xsa_dom0, &h, "/local/domain/5/hot");
	free(conn_out_pop(xsa_dom0));
	domain_poll_rings();        /* the guest is still held: no write */
	h.type = XS_TRANSACTION_END;
	h.len = 2;
	process_request(xsa_dom0, &h, "T");
	m = conn_out_pop(xsa_dom0);
	assert_string_equal(m->buf + XSD_HDR, "OK");
	free(m);
	/* No transaction open now: the guest's backlog goes through. */
	domain_poll_rings();
	while (xsa_ring5.req_cons != xsa_ring5.req_prod) {
		xsa_ring5.rsp_cons = xsa_ring5.rsp_prod;
		domain_poll_rings();
	}
}

static void test_credit_comes_back(void **state)
{
	struct xsd_sockmsg h = { XS_TRANSACTION_START, 1, 0, 1 };
	int got, later;

	(void)state;
	xsd_quota.outstanding = 100;
	process_request(xsa_dom0, &h, "");          /* held open */
	conn_out_drop_all(xsa_dom0);
	xsd_quota.write_rate = 1;
	got = flood(40);
	assert_true(got <= xsd_quota.write_burst + 1);
	xsd_quota.write_rate = 200;
	/* 100 ms at 200 writes/s is 20 writes' credit (at least 5 even on
	 * a loaded machine: it can only be more). */
	usleep(100 * 1000);
	later = flood(0);
	assert_true(later >= 5);
	/* The whole backlog goes through in time (a held guest is not read
	 * at all, as upstream: a read waits at most one write's credit). */
	while (xsa_ring5.req_cons != xsa_ring5.req_prod || xsa_g5->in_used) {
		usleep(20 * 1000);
		flood(0);
	}
	usleep(20 * 1000);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, NULL, "hot", NULL), "v");
}

static void test_no_limit_without_transactions(void **state)
{
	(void)state;
	xsd_quota.outstanding = 100;
	assert_int_equal(flood(50), 50);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flood_held_while_transaction_open, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_credit_comes_back, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_no_limit_without_transactions, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
