/*
 * XSA-421: a node created and then deleted in the same transaction made
 * the commit stop half way without updating the accounting, so a guest
 * could create any number of nodes; other errors at commit did the same.
 * Tested: transactions that create nodes, delete some of them (and their
 * parents), and commit, a hundred times over: the guest's node count is
 * always what it owns, the quota holds, the tree is consistent.
 */
#include "config.h"

#include "xsa.h"

static const char *txreq(uint32_t tx, uint32_t type, const char *p, size_t len,
                         uint32_t *rtype)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = { type, 9, tx, (uint32_t)len }, r;

	assert_true(xsa_put(&xsa_ring5, &h, sizeof(h)));
	assert_true(xsa_put(&xsa_ring5, p, len));
	do
		assert_true(xsa_recv(&xsa_ring5, &r, buf));
	while (r.type == XS_WATCH_EVENT);
	if (rtype)
		*rtype = r.type;
	return buf;
}

static void test_create_delete_in_txn(void **state)
{
	char p[64], msg[256];
	uint32_t tx, t;
	int round;
	int n;

	(void)state;
	xsd_quota.nodes = 12;
	/* Many writes in transactions: XSA-206's write rate limit (its own
	 * test) is off here so that it does not pace this one. */
	xsd_quota.write_rate = 0;
	for (round = 0; round < 100; round++) {
		const char *id = xsa_greq(&xsa_ring5, XS_TRANSACTION_START, &t, "", NULL);

		assert_int_equal(t, XS_TRANSACTION_START);
		tx = (uint32_t)strtoul(id, NULL, 10);
		n = snprintf(p, sizeof(p), "r%d/a/b", round);
		txreq(tx, XS_WRITE, p, (size_t)n + 1, NULL);
		n = snprintf(p, sizeof(p), "r%d/c", round);
		txreq(tx, XS_WRITE, p, (size_t)n + 1, NULL);
		/* Delete the first one's parent, created in this transaction. */
		n = snprintf(p, sizeof(p), "r%d/a", round);
		txreq(tx, XS_RM, p, (size_t)n + 1, NULL);
		txreq(tx, XS_TRANSACTION_END, "T", 2, &t);
		assert_int_equal(dacct_get(5)->nodes, xsa_owned(5));
		assert_true(xsa_owned(5) <= 12);
		assert_int_equal(tree_check(msg, sizeof(msg)), 0);
	}
	/* The quota was reached along the way and is still in force. */
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, "q/w/e/r/t/y/u/i/o/p/a/s/d", "",
	                             NULL), "ENOSPC");
	xsa_others_served();
}

/* A transaction deleting a node another client changed meanwhile: the
 * commit fails whole (EAGAIN) and changes nothing. */
static void test_commit_conflict_changes_nothing(void **state)
{
	uint32_t tx, t;
	const char *id;
	unsigned int before;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "k", "1", NULL), "OK");
	before = dacct_get(5)->nodes;
	id = xsa_greq(&xsa_ring5, XS_TRANSACTION_START, &t, "", NULL);
	tx = (uint32_t)strtoul(id, NULL, 10);
	txreq(tx, XS_WRITE, "n1\0v", 4, NULL);
	txreq(tx, XS_RM, "k", 2, NULL);
	xsa_dom0_write("/local/domain/5/k", "2");
	assert_string_equal(txreq(tx, XS_TRANSACTION_END, "T", 2, &t), "EAGAIN");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/k", NULL), "2");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/n1", NULL), "ENOENT");
	assert_int_equal(dacct_get(5)->nodes, before);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_delete_in_txn, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_commit_conflict_changes_nothing, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
