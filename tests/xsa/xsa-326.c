/*
 * XSA-326: a guest could make the daemon use unbounded memory: requests
 * whose replies it never reads, watch events piling up for a watcher
 * that never reads (or that the guest itself causes faster than they go
 * out), huge transactions, big nodes.
 * Stopped by upstream 4.17's quotas, each tested here from the ring: the
 * outstanding requests, the events a request caused counting as
 * outstanding until sent, the pending events per connection, the nodes
 * a transaction may touch, the node size and the per-domain memory.
 */
#include "config.h"

#include "xsa.h"

/* Bytes queued for c (replies and events not yet sent). */
static size_t queued(const struct conn *c)
{
	size_t n = 0;
	const struct outmsg *m;

	for (m = c->out_head; m; m = m->next)
		n += m->len - m->off;
	return n;
}

static void test_unread_replies_bounded(void **state)
{
	char val[2001];
	int i;

	(void)state;
	memset(val, 'v', 2000);
	val[2000] = 0;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "big", val, NULL), "OK");
	/* 400 READs of 2000 bytes each, never reading the replies. */
	for (i = 0; i < 400; i++) {
		if (!xsa_send(&xsa_ring5, XS_READ, (uint32_t)i, "big", 4))
			break;
		domain_poll_rings();
	}
	assert_true(xsa_g5->outstanding <= (unsigned)xsd_quota.outstanding);
	assert_true(queued(xsa_g5) <=
	            (size_t)xsd_quota.outstanding * (XSD_HDR + XENSTORE_PAYLOAD_MAX));
	xsa_others_served();
}

static void test_events_hold_the_guest(void **state)
{
	int i;
	unsigned int q;

	(void)state;
	/* Guest 6 watches its home and never reads; 5 may write there. */
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/local/domain/6", "n6", "w5",
	                           NULL), "OK");
	assert_true(xsa_send(&xsa_ring6, XS_WATCH, 1, "/local/domain/6\0w\0", 18));
	domain_poll_rings();
	/* Guest 5 writes as fast as it can. */
	for (i = 0; i < 500; i++) {
		char req[40];
		int n = snprintf(req, sizeof(req), "/local/domain/6/n%d", i % 10);

		req[n] = 0;
		if (!xsa_send(&xsa_ring5, XS_WRITE, (uint32_t)i, req, (size_t)n + 2))
			break;
		domain_poll_rings();
		xsa_ring5.rsp_cons = xsa_ring5.rsp_prod;  /* 5 reads its replies */
	}
	/* 5 is held: its requests whose events 6 has not taken count. */
	q = xsa_g5->outstanding + xsa_g5->held;
	assert_true(q <= (unsigned)xsd_quota.outstanding + 1);
	assert_true(xsa_g6->nevents <= (unsigned)xsd_quota.pending_events);
	/* Dom0 is never held, and answers. */
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/6/alive", NULL), "yes");
	/* Once 6 reads, 5 goes on. */
	xsa_gevents(&xsa_ring6, NULL);
	domain_poll_rings();
	assert_true(q > 0);
	assert_true(xsa_g5->outstanding + xsa_g5->held < q);
}

static void test_pending_events_capped(void **state)
{
	int i;

	(void)state;
	xsd_quota.pending_events = 50;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WATCH, NULL, "/local/domain/5",
	                             "t", NULL), "OK");
	xsa_gevents(&xsa_ring5, NULL);
	/* Dom0 causes events; the guest never reads its ring. */
	for (i = 0; i < 300; i++)
		xsa_dom0_write("/local/domain/5/x", i % 2 ? "a" : "b");
	domain_poll_rings();
	assert_true(xsa_g5->nevents <= 50);
	xsa_others_served();
}

static void test_transaction_nodes_capped(void **state)
{
	const char *id;
	char path[32];
	uint32_t t;
	int i, refused = 0;
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, 0 };

	(void)state;
	xsd_quota.trans_nodes = 30;
	/* Many writes in transactions: XSA-206's write rate limit (its own
	 * test) is off here so that it does not pace this one. */
	xsd_quota.write_rate = 0;
	xsd_quota.nodes = 1000;
	id = xsa_greq(&xsa_ring5, XS_TRANSACTION_START, &t, "", NULL);
	assert_int_equal(t, XS_TRANSACTION_START);
	h.tx_id = (uint32_t)strtoul(id, NULL, 10);
	for (i = 0; i < 60; i++) {
		struct xsd_sockmsg r;
		char buf[XENSTORE_PAYLOAD_MAX + 1];
		int n = snprintf(path, sizeof(path), "t%d", i);

		h.len = (uint32_t)n + 2;
		h.req_id = (uint32_t)i;
		assert_true(xsa_put(&xsa_ring5, &h, sizeof(h)));
		assert_true(xsa_put(&xsa_ring5, path, (size_t)n + 1));
		assert_true(xsa_put(&xsa_ring5, "v", 1));
		do
			assert_true(xsa_recv(&xsa_ring5, &r, buf));
		while (r.type == XS_WATCH_EVENT);
		if (r.type == XS_ERROR) {
			assert_string_equal(buf, "ENOSPC");
			refused++;
		}
	}
	assert_true(refused >= 30);
	assert_true(xsa_g5->txns->ov.count <= 31);
	xsa_others_served();
}

static void test_node_size_and_memory(void **state)
{
	char *val = malloc(3000);
	uint32_t t;
	int i;
	const char *r = "OK";

	(void)state;
	memset(val, 'm', 2999);
	val[2999] = 0;
	/* Over the node-size quota (2048). */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "huge", val, NULL), "ENOSPC");
	/* Memory: many nodes of 1.5 KiB up to the domain's bytes quota. */
	xsd_quota.memory_hard = 64 * 1024;
	val[1500] = 0;
	for (i = 0; i < 200 && strcmp(r, "OK") == 0; i++) {
		char p[16];

		snprintf(p, sizeof(p), "m%d", i);
		r = xsa_greq(&xsa_ring5, XS_WRITE, &t, p, val, NULL);
	}
	assert_true(i < 200);
	assert_true(dacct_get(5)->memory <= 64 * 1024 + 4096);
	free(val);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unread_replies_bounded, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_events_hold_the_guest, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_pending_events_capped, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_transaction_nodes_capped, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_node_size_and_memory, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
