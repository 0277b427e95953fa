/*
 * daemon-test.c - xenstored's request handling, in process.
 *
 * Each test builds connections on a null transport (dom0 tools: privileged;
 * "guests": is_domain with their domid), feeds requests to process_request()
 * exactly as the framing code does, and checks the queued replies and watch
 * events.  The whole database is reset between tests.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "xsd.h"

static ssize_t null_read(struct conn *c, void *buf, size_t len)
{
	return 0;
}

static ssize_t null_write(struct conn *c, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static const struct conn_ops null_ops = { "null", null_read, null_write, NULL };

static struct conn *mkconn(uint32_t domid, bool guest)
{
	struct conn *c = conn_new(&null_ops, -1, domid);

	assert_non_null(c);
	c->is_domain = guest;
	return c;
}

static uint32_t next_req_id;

/* Send one request whose payload is `len` bytes. */
static void req(struct conn *c, uint32_t type, uint32_t tx, const void *p,
                size_t len)
{
	struct xsd_sockmsg hdr = { type, ++next_req_id, tx, (uint32_t)len };

	process_request(c, &hdr, p);
}

/* Payload from NUL-separated pieces: reqs(c, XS_WRITE, 0, "/a", "v", NULL)
 * gives "/a\0v\0"; the last piece of a WRITE is sent without its NUL by
 * passing it through reqw(). */
static void reqs(struct conn *c, uint32_t type, uint32_t tx, ...)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = 0;
	const char *s;
	va_list ap;

	va_start(ap, tx);
	while ((s = va_arg(ap, const char *))) {
		size_t l = strlen(s) + 1;

		assert_true(len + l <= sizeof(buf));
		memcpy(buf + len, s, l);
		len += l;
	}
	va_end(ap);
	req(c, type, tx, buf, len);
}

static void reqw(struct conn *c, uint32_t tx, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(val);

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	req(c, XS_WRITE, tx, buf, pl + vl);
}

struct msg {
	uint32_t type, req_id, tx_id, len;
	char data[XENSTORE_PAYLOAD_MAX + 1];
};

/* Take the next queued message; false if none. */
static bool pop(struct conn *c, struct msg *m)
{
	struct outmsg *o = conn_out_pop(c);
	struct xsd_sockmsg hdr;

	if (!o)
		return false;
	memcpy(&hdr, o->buf, XSD_HDR);
	m->type = hdr.type;
	m->req_id = hdr.req_id;
	m->tx_id = hdr.tx_id;
	m->len = hdr.len;
	memcpy(m->data, o->buf + XSD_HDR, hdr.len);
	m->data[hdr.len] = 0;
	free(o);
	return true;
}

/* The next reply (watch events before it are skipped) */
static struct msg *reply(struct conn *c)
{
	static struct msg m;

	for (;;) {
		assert_true(pop(c, &m));
		if (m.type != XS_WATCH_EVENT)
			return &m;
	}
}

static void expect_ok(struct conn *c)
{
	struct msg *m = reply(c);

	if (m->type == XS_ERROR)
		fail_msg("expected OK, got error %s", m->data);
	assert_string_equal(m->data, "OK");
}

static void expect_err(struct conn *c, const char *err)
{
	struct msg *m = reply(c);

	assert_int_equal(m->type, XS_ERROR);
	assert_string_equal(m->data, err);
}

static void expect_read(struct conn *c, const char *val)
{
	struct msg *m = reply(c);

	if (m->type == XS_ERROR)
		fail_msg("expected \"%s\", got error %s", val, m->data);
	assert_int_equal(m->type, XS_READ);
	assert_int_equal(m->len, strlen(val));
	assert_memory_equal(m->data, val, m->len);
}

/* Next watch event must be path/token; other messages are skipped. */
static void expect_event(struct conn *c, const char *path, const char *token)
{
	struct msg m;

	for (;;) {
		if (!pop(c, &m))
			fail_msg("no watch event %s %s", path, token);
		if (m.type == XS_WATCH_EVENT)
			break;
	}
	assert_string_equal(m.data, path);
	assert_string_equal(m.data + strlen(m.data) + 1, token);
}

static void expect_no_event(struct conn *c)
{
	struct msg m;

	while (pop(c, &m))
		if (m.type == XS_WATCH_EVENT)
			fail_msg("unexpected watch event %s", m.data);
}

static void drain(struct conn *c)
{
	struct msg m;

	while (pop(c, &m))
		;
}

static int setup(void **state)
{
	struct xsd_quota defaults = {
		.nodes = 1000, .watches = 128, .transactions = 10, .outstanding = 20,
		.trans_nodes = 1024, .memory_hard = 2 * 1024 * 1024 + 512 * 1024,
		.memory_soft = 2 * 1024 * 1024, .node_size = 2048,
		.path_max = XENSTORE_REL_PATH_MAX, .perms = 5,
		.watch_event_timeout_ms = 20000, .pending_events = 65536,
	};

	xsd_quota = defaults;
	xsd_recovery = true;
	return tree_init();
}

static int teardown(void **state)
{
	while (xsd_conns)
		conn_free(xsd_conns);
	tree_fini();
	return 0;
}

/* dom0 makes /local/domain/<id> owned by the guest, as the toolstack does. */
static void make_home(struct conn *d0, unsigned id)
{
	char path[64], perm[16];

	snprintf(path, sizeof(path), "/local/domain/%u", id);
	snprintf(perm, sizeof(perm), "n%u", id);
	reqs(d0, XS_MKDIR, 0, path, NULL);
	expect_ok(d0);
	reqs(d0, XS_SET_PERMS, 0, path, perm, NULL);
	expect_ok(d0);
}

/* ---- Tree ---------------------------------------------------------------- */

static void test_initial_tree(void **state)
{
	struct conn *c = mkconn(0, false);
	struct msg *m;

	reqs(c, XS_DIRECTORY, 0, "/", NULL);
	m = reply(c);
	assert_int_equal(m->type, XS_DIRECTORY);
	assert_int_equal(m->len, 5);
	assert_memory_equal(m->data, "tool\0", 5);
	reqs(c, XS_READ, 0, "/tool/xenstored", NULL);
	expect_read(c, "");
	reqs(c, XS_GET_PERMS, 0, "/", NULL);
	m = reply(c);
	assert_int_equal(m->type, XS_GET_PERMS);
	assert_memory_equal(m->data, "n0\0", 3);
}

static void test_write_read_parents(void **state)
{
	struct conn *c = mkconn(0, false);
	struct msg *m;

	reqw(c, 0, "/a/b/c", "hello");
	expect_ok(c);
	reqs(c, XS_READ, 0, "/a/b/c", NULL);
	expect_read(c, "hello");
	reqs(c, XS_READ, 0, "/a/b", NULL);
	expect_read(c, "");
	reqs(c, XS_DIRECTORY, 0, "/a", NULL);
	m = reply(c);
	assert_int_equal(m->len, 2);
	assert_memory_equal(m->data, "b\0", 2);
	/* Binary value with a NUL inside survives. */
	req(c, XS_WRITE, 0, "/bin\0x\0y", 8);
	expect_ok(c);
	reqs(c, XS_READ, 0, "/bin", NULL);
	m = reply(c);
	assert_int_equal(m->len, 3);
	assert_memory_equal(m->data, "x\0y", 3);
	/* Relative paths of dom0 tools live under /local/domain/0. */
	reqw(c, 0, "rel", "1");
	expect_ok(c);
	reqs(c, XS_READ, 0, "/local/domain/0/rel", NULL);
	expect_read(c, "1");
	/* Reply carries the request id. */
	reqs(c, XS_READ, 0, "/a/b/c", NULL);
	m = reply(c);
	assert_int_equal(m->req_id, next_req_id);
}

static void test_mkdir_rm(void **state)
{
	struct conn *c = mkconn(0, false);

	reqs(c, XS_MKDIR, 0, "/m/n", NULL);
	expect_ok(c);
	reqw(c, 0, "/m/n", "keep");
	expect_ok(c);
	reqs(c, XS_MKDIR, 0, "/m/n", NULL);     /* exists: fine, unchanged */
	expect_ok(c);
	reqs(c, XS_READ, 0, "/m/n", NULL);
	expect_read(c, "keep");
	reqs(c, XS_RM, 0, "/m/none", NULL);     /* missing, parent exists */
	expect_ok(c);
	reqs(c, XS_RM, 0, "/none/none", NULL);  /* missing parent */
	expect_err(c, "ENOENT");
	reqs(c, XS_RM, 0, "/", NULL);
	expect_err(c, "EINVAL");
	reqs(c, XS_RM, 0, "/m", NULL);
	expect_ok(c);
	reqs(c, XS_READ, 0, "/m/n", NULL);
	expect_err(c, "ENOENT");
	reqs(c, XS_DIRECTORY, 0, "/", NULL);
	assert_memory_equal(reply(c)->data, "tool\0", 5);
}

static void test_invalid_paths(void **state)
{
	struct conn *c = mkconn(0, false);
	static const char *bad[] = { "/a//b", "/a/", "/a b", "/a\\b", "", "@x" };
	char longp[2100];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reqw(c, 0, bad[i], "v");
		expect_err(c, "EINVAL");
	}
	/* Not NUL-terminated argument. */
	req(c, XS_READ, 0, "/tool", 5);
	expect_err(c, "EINVAL");
	/* Two arguments where one is expected. */
	req(c, XS_READ, 0, "/tool\0/x\0", 9);
	expect_err(c, "EINVAL");
	/* Longer than the path-max quota outside a domain's home. */
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = 0;
	reqw(c, 0, longp, "v");
	expect_err(c, "EINVAL");
}

/* ---- Permissions ------------------------------------------------------ */

static void test_perms(void **state)
{
	struct conn *d0 = mkconn(0, false);
	struct conn *g5 = mkconn(5, true);
	struct conn *g6 = mkconn(6, true);
	struct msg *m;

	make_home(d0, 5);
	make_home(d0, 6);
	/* A guest writes in its home by relative path and owns the result. */
	reqw(g5, 0, "data/x", "five");
	expect_ok(g5);
	reqs(d0, XS_GET_PERMS, 0, "/local/domain/5/data/x", NULL);
	m = reply(d0);
	assert_memory_equal(m->data, "n5\0", 3);
	/* Another guest sees nothing, and cannot tell missing from forbidden. */
	reqs(g6, XS_READ, 0, "/local/domain/5/data/x", NULL);
	expect_err(g6, "EACCES");
	reqs(g6, XS_READ, 0, "/local/domain/5/data/none", NULL);
	expect_err(g6, "EACCES");
	reqw(g6, 0, "/local/domain/5/data/y", "no");
	expect_err(g6, "EACCES");
	/* In its own home a missing node is just missing. */
	reqs(g6, XS_READ, 0, "none", NULL);
	expect_err(g6, "ENOENT");
	/* Owner grants read to 6. */
	reqs(g5, XS_SET_PERMS, 0, "data/x", "n5", "r6", NULL);
	expect_ok(g5);
	reqs(g6, XS_READ, 0, "/local/domain/5/data/x", NULL);
	expect_read(g6, "five");
	reqw(g6, 0, "/local/domain/5/data/x", "no");
	expect_err(g6, "EACCES");
	/* A guest may not give its node away, nor touch dom0's nodes. */
	reqs(g5, XS_SET_PERMS, 0, "data/x", "n6", NULL);
	expect_err(g5, "EPERM");
	reqs(g5, XS_SET_PERMS, 0, "/tool", "b5", NULL);
	expect_err(g5, "EACCES");
	reqw(g5, 0, "/tool/x", "no");
	expect_err(g5, "EACCES");
	/* Children inherit the parent's ACL with the creator as owner. */
	reqs(d0, XS_SET_PERMS, 0, "/local/domain/5/data", "n5", "b6", NULL);
	expect_ok(d0);
	reqw(g6, 0, "/local/domain/5/data/new/leaf", "6");
	expect_ok(g6);
	reqs(d0, XS_GET_PERMS, 0, "/local/domain/5/data/new/leaf", NULL);
	m = reply(d0);
	assert_int_equal(m->len, 6);
	assert_memory_equal(m->data, "n6\0b6\0", 6);
	/* Bad permission strings. */
	reqs(d0, XS_SET_PERMS, 0, "/tool", "x0", NULL);
	expect_err(d0, "EINVAL");
	reqs(d0, XS_SET_PERMS, 0, "/tool", "r", NULL);
	expect_err(d0, "EINVAL");
	reqs(d0, XS_SET_PERMS, 0, "/tool", NULL);
	expect_err(d0, "EINVAL");
	/* Privileged-only requests. */
	reqs(g5, XS_INTRODUCE, 0, "7", "1", "2", NULL);
	expect_err(g5, "EACCES");
	reqs(g5, XS_CONTROL, 0, "help", NULL);
	expect_err(g5, "EACCES");
}

/* ---- Transactions ------------------------------------------------------- */

static uint32_t tx_start(struct conn *c)
{
	struct msg *m;

	reqs(c, XS_TRANSACTION_START, 0, "", NULL);
	m = reply(c);
	assert_int_equal(m->type, XS_TRANSACTION_START);
	return (uint32_t)strtoul(m->data, NULL, 10);
}

static void test_txn_commit(void **state)
{
	struct conn *a = mkconn(0, false), *b = mkconn(0, false);
	uint32_t t = tx_start(a);

	assert_int_not_equal(t, 0);
	reqw(a, t, "/t/x", "1");
	expect_ok(a);
	/* Invisible outside until commit. */
	reqs(b, XS_READ, 0, "/t/x", NULL);
	expect_err(b, "ENOENT");
	reqs(a, XS_READ, t, "/t/x", NULL);
	expect_read(a, "1");
	reqs(a, XS_TRANSACTION_END, t, "T", NULL);
	expect_ok(a);
	reqs(b, XS_READ, 0, "/t/x", NULL);
	expect_read(b, "1");
	/* The id is gone now. */
	reqs(a, XS_READ, t, "/t/x", NULL);
	expect_err(a, "ENOENT");
	/* Abort discards. */
	t = tx_start(a);
	reqw(a, t, "/t/y", "2");
	expect_ok(a);
	reqs(a, XS_RM, t, "/t/x", NULL);
	expect_ok(a);
	reqs(a, XS_TRANSACTION_END, t, "F", NULL);
	expect_ok(a);
	reqs(b, XS_READ, 0, "/t/y", NULL);
	expect_err(b, "ENOENT");
	reqs(b, XS_READ, 0, "/t/x", NULL);
	expect_read(b, "1");
	/* Bad endings. */
	t = tx_start(a);
	reqs(a, XS_TRANSACTION_END, t, "X", NULL);
	expect_err(a, "EINVAL");
	reqs(a, XS_TRANSACTION_END, 0, "T", NULL);
	expect_err(a, "ENOENT");
	reqs(a, XS_TRANSACTION_START, t, "", NULL);
	expect_err(a, "EBUSY");
	reqs(a, XS_READ, 4242, "/t/x", NULL);
	expect_err(a, "ENOENT");
	/* Changes by others to unrelated nodes do not conflict. */
	reqs(a, XS_READ, t, "/t/x", NULL);
	expect_read(a, "1");
	reqw(b, 0, "/other", "o");
	expect_ok(b);
	reqs(a, XS_TRANSACTION_END, t, "T", NULL);
	expect_ok(a);
}

static void test_txn_conflict(void **state)
{
	struct conn *a = mkconn(0, false), *b = mkconn(0, false);
	uint32_t t;

	reqw(a, 0, "/c/x", "0");
	expect_ok(a);
	/* Read in the transaction, changed outside: EAGAIN. */
	t = tx_start(a);
	reqs(a, XS_READ, t, "/c/x", NULL);
	expect_read(a, "0");
	reqw(b, 0, "/c/x", "b");
	expect_ok(b);
	/* The transaction keeps seeing what it first read (upstream's
	 * test-xenstore "ta err"), its directory listing too. */
	reqs(a, XS_READ, t, "/c/x", NULL);
	expect_read(a, "0");
	reqw(b, 0, "/c/late", "b");
	expect_ok(b);
	reqw(a, t, "/c/y", "a");
	expect_ok(a);
	reqs(a, XS_READ, t, "/c/x", NULL);
	expect_read(a, "0");
	reqs(a, XS_TRANSACTION_END, t, "T", NULL);
	expect_err(a, "EAGAIN");
	reqs(b, XS_READ, 0, "/c/y", NULL);
	expect_err(b, "ENOENT");
	reqs(b, XS_READ, 0, "/c/x", NULL);
	expect_read(b, "b");
	/* Looked for a missing node that someone then created: EAGAIN, and
	 * inside, the node stays missing. */
	t = tx_start(a);
	reqs(a, XS_READ, t, "/c/new", NULL);
	expect_err(a, "ENOENT");
	reqw(b, 0, "/c/new", "b");
	expect_ok(b);
	reqs(a, XS_READ, t, "/c/new", NULL);
	expect_err(a, "ENOENT");
	reqw(b, 0, "/c/x", "c");
	expect_ok(b);
	/* A write after the change builds on the first-seen node. */
	reqs(a, XS_READ, t, "/c", NULL);
	expect_read(a, "");
	reqs(a, XS_RM, t, "/c/x", NULL);
	expect_ok(a);
	reqs(a, XS_READ, t, "/c/x", NULL);
	expect_err(a, "ENOENT");
	reqs(a, XS_TRANSACTION_END, t, "T", NULL);
	expect_err(a, "EAGAIN");
	/* Removed under a transaction's feet: EAGAIN. */
	t = tx_start(a);
	reqw(a, t, "/c/x", "a");
	expect_ok(a);
	reqs(b, XS_RM, 0, "/c/x", NULL);
	expect_ok(b);
	reqs(a, XS_TRANSACTION_END, t, "T", NULL);
	expect_err(a, "EAGAIN");
	/* Two transactions writing the same node: second commit loses. */
	{
		uint32_t t1 = tx_start(a), t2 = tx_start(b);

		reqw(a, t1, "/c/z", "1");
		expect_ok(a);
		reqw(b, t2, "/c/z", "2");
		expect_ok(b);
		reqs(a, XS_TRANSACTION_END, t1, "T", NULL);
		expect_ok(a);
		reqs(b, XS_TRANSACTION_END, t2, "T", NULL);
		expect_err(b, "EAGAIN");
		reqs(b, XS_READ, 0, "/c/z", NULL);
		expect_read(b, "1");
	}
}

static void test_txn_rm_subtree(void **state)
{
	struct conn *a = mkconn(0, false);
	uint32_t t;

	reqw(a, 0, "/r/a/b", "1");
	expect_ok(a);
	reqw(a, 0, "/r/a/c", "2");
	expect_ok(a);
	t = tx_start(a);
	reqs(a, XS_RM, t, "/r/a", NULL);
	expect_ok(a);
	reqs(a, XS_READ, t, "/r/a/b", NULL);
	expect_err(a, "ENOENT");
	reqs(a, XS_READ, 0, "/r/a/b", NULL);
	expect_read(a, "1");
	reqs(a, XS_TRANSACTION_END, t, "T", NULL);
	expect_ok(a);
	reqs(a, XS_READ, 0, "/r/a/c", NULL);
	expect_err(a, "ENOENT");
	reqs(a, XS_DIRECTORY, 0, "/r", NULL);
	assert_int_equal(reply(a)->len, 0);
	assert_int_equal(tree_check((char[128]){0}, 128), 0);
}

/* ---- Watches ---------------------------------------------------------------- */

static void test_watch_rules(void **state)
{
	struct conn *w = mkconn(0, false), *c = mkconn(0, false);
	uint32_t t;

	reqs(w, XS_WATCH, 0, "/w", "tok", NULL);
	expect_ok(w);
	expect_event(w, "/w", "tok");       /* fires once when set */
	reqs(w, XS_WATCH, 0, "/w", "tok", NULL);
	expect_err(w, "EEXIST");
	reqw(c, 0, "/w/a/b", "1");          /* descendant */
	expect_ok(c);
	expect_event(w, "/w/a/b", "tok");
	reqw(c, 0, "/wx", "1");             /* not below /w */
	expect_ok(c);
	expect_no_event(w);
	reqs(c, XS_MKDIR, 0, "/w/a", NULL); /* no change, no event */
	expect_ok(c);
	expect_no_event(w);
	/* Removal: a watch on a child hears about its node going. */
	reqs(w, XS_WATCH, 0, "/w/a/b", "child", NULL);
	expect_ok(w);
	expect_event(w, "/w/a/b", "child");
	reqs(c, XS_RM, 0, "/w/a", NULL);
	expect_ok(c);
	expect_event(w, "/w/a/b", "child");
	expect_event(w, "/w/a", "tok");
	expect_no_event(w);
	/* Transactions: events only after a successful commit. */
	t = tx_start(c);
	reqw(c, t, "/w/t", "1");
	expect_ok(c);
	expect_no_event(w);
	reqs(c, XS_TRANSACTION_END, t, "T", NULL);
	expect_ok(c);
	expect_event(w, "/w/t", "tok");
	t = tx_start(c);
	reqw(c, t, "/w/t", "2");
	expect_ok(c);
	reqs(c, XS_TRANSACTION_END, t, "F", NULL);
	expect_ok(c);
	expect_no_event(w);
	/* Unwatch and reset. */
	reqs(w, XS_UNWATCH, 0, "/w", "tok", NULL);
	expect_ok(w);
	reqs(w, XS_UNWATCH, 0, "/w", "tok", NULL);
	expect_err(w, "ENOENT");
	reqw(c, 0, "/w/t", "3");
	expect_ok(c);
	expect_no_event(w);
	reqs(w, XS_WATCH, 0, "/", "root", NULL);
	expect_ok(w);
	drain(w);
	reqs(w, XS_RESET_WATCHES, 0, "", NULL);
	expect_ok(w);
	reqw(c, 0, "/w/t", "4");
	expect_ok(c);
	expect_no_event(w);
	/* Perm changes fire too. */
	reqs(w, XS_WATCH, 0, "/w/t", "p", NULL);
	expect_ok(w);
	drain(w);
	reqs(c, XS_SET_PERMS, 0, "/w/t", "r0", NULL);
	expect_ok(c);
	expect_event(w, "/w/t", "p");
}

static void test_watch_perms_relative(void **state)
{
	struct conn *d0 = mkconn(0, false);
	struct conn *g5 = mkconn(5, true), *g6 = mkconn(6, true);

	make_home(d0, 5);
	make_home(d0, 6);
	/* 6 watches 5's home: the initial event comes, changes do not. */
	reqs(g6, XS_WATCH, 0, "/local/domain/5", "spy", NULL);
	expect_ok(g6);
	expect_event(g6, "/local/domain/5", "spy");
	reqw(g5, 0, "secret", "x");
	expect_ok(g5);
	expect_no_event(g6);
	/* Relative watches report relative paths. */
	reqs(g5, XS_WATCH, 0, "dev", "rel", NULL);
	expect_ok(g5);
	expect_event(g5, "dev", "rel");
	reqw(d0, 0, "/local/domain/5/dev/vif", "1");
	expect_ok(d0);
	expect_event(g5, "dev/vif", "rel");
	/* Special watches: guests do not hear @releaseDomain by default. */
	reqs(g6, XS_WATCH, 0, "@releaseDomain", "rel", NULL);
	expect_ok(g6);
	expect_event(g6, "@releaseDomain", "rel");
	reqs(d0, XS_WATCH, 0, "@releaseDomain", "d0", NULL);
	expect_ok(d0);
	expect_event(d0, "@releaseDomain", "d0");
	fire_special("@releaseDomain");
	expect_event(d0, "@releaseDomain", "d0");
	expect_no_event(g6);
	/* After dom0 grants read on it, the guest hears it. */
	reqs(d0, XS_SET_PERMS, 0, "@releaseDomain", "n0", "r6", NULL);
	expect_ok(d0);
	fire_special("@releaseDomain");
	expect_event(g6, "@releaseDomain", "rel");
	reqs(d0, XS_SET_PERMS, 0, "@bogus", "n0", NULL);
	expect_err(d0, "EINVAL");
}

/* ---- Quotas ---------------------------------------------------------------- */

/*
 * Watchers that never read.  Queueing an event never looks at the queue,
 * so N writes each cost the same; what the test can assert is the bound:
 * an unprivileged watcher keeps pending-events events and loses the
 * rest, a privileged socket client that lets them pile up is dropped, and
 * a guest's requests whose events are undelivered count against its
 * outstanding quota (upstream's rule) until sent, read or expired.
 */
static void test_event_queue_bound(void **state)
{
	struct conn *d0 = mkconn(0, false), *g, *w, *tool;
	struct msg m;
	char path[64];
	unsigned int i, n;
	uint32_t t;

	xsd_quota.pending_events = 100;
	make_home(d0, 5);
	g = mkconn(5, true);        /* the writer, a guest */
	w = mkconn(5, true);        /* the same guest's lazy watcher */
	tool = mkconn(0, false);    /* a Dom0 tool that never reads */
	reqs(w, XS_WATCH, 0, "/local/domain/5", "w", NULL);
	expect_ok(w);
	expect_event(w, "/local/domain/5", "w");
	reqs(tool, XS_WATCH, 0, "/local/domain/5", "t", NULL);
	expect_ok(tool);
	expect_event(tool, "/local/domain/5", "t");

	/* Dom0 writes 1000 times: privileged writers are never held. */
	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/d%u", i % 7);
		reqw(d0, 0, path, "x");
		expect_ok(d0);
	}
	assert_int_equal(d0->held, 0);
	assert_int_equal(w->nevents, 100);
	assert_false(w->dead);
	/* The tool went over the bound and is to be closed by the loop. */
	assert_true(tool->dead);
	assert_true(tool->nevents <= 100);
	/* The watcher kept the first 100, in order. */
	for (n = 0; pop(w, &m); n++) {
		assert_int_equal(m.type, XS_WATCH_EVENT);
		snprintf(path, sizeof(path), "/local/domain/5/d%u", n % 7);
		assert_string_equal(m.data, path);
	}
	assert_int_equal(n, 100);
	assert_int_equal(w->nevents, 0);
	conn_free(tool);

	/* The guest's own writes stay outstanding while w has their events. */
	xsd_quota.outstanding = 20;
	for (i = 0; i < 19; i++) {
		reqw(g, 0, "/local/domain/5/g", "y");
		expect_ok(g);
	}
	assert_int_equal(g->held, 19);
	assert_true(conn_may_read(g));
	reqw(g, 0, "/local/domain/5/g", "y");
	expect_ok(g);
	assert_int_equal(g->held, 20);
	assert_false(conn_may_read(g));     /* no more requests taken */
	/* One transaction firing many events is one held request. */
	drain(w);
	assert_int_equal(g->held, 0);
	t = tx_start(g);
	for (i = 0; i < 50; i++) {
		snprintf(path, sizeof(path), "/local/domain/5/t%u", i);
		reqw(g, t, path, "z");
		expect_ok(g);
	}
	reqs(g, XS_TRANSACTION_END, t, "T", NULL);
	expect_ok(g);
	assert_int_equal(g->held, 1);
	assert_int_equal(w->nevents, 50);
	/* Expiry (unprivileged watcher) releases it as reading would. */
	assert_true(conn_expire_events(w, xsd_now_ms() + 1000) > 0);
	assert_int_equal(w->nevents, 50);
	assert_int_equal(conn_expire_events(w, xsd_now_ms() + 30000), 0);
	assert_int_equal(w->nevents, 0);
	assert_int_equal(g->held, 0);
	assert_true(conn_may_read(g));
	/* The writer going away leaves the watcher's events intact. */
	reqw(g, 0, "/local/domain/5/g", "late");
	expect_ok(g);
	assert_int_equal(g->held, 1);
	conn_free(g);
	expect_event(w, "/local/domain/5/g", "w");
	expect_no_event(w);
}

static void test_quotas(void **state)
{
	struct conn *d0 = mkconn(0, false), *g5 = mkconn(5, true);
	char big[3000], name[64];
	int i;

	make_home(d0, 5);
	/* Node size: guests limited, dom0 not. */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	reqw(g5, 0, "big", big);
	expect_err(g5, "ENOSPC");
	reqw(d0, 0, "/local/domain/5/big", big);
	expect_ok(d0);
	big[1900] = 0;
	reqw(g5, 0, "medium", big);
	expect_ok(g5);
	/* Permissions per node. */
	reqs(g5, XS_SET_PERMS, 0, "medium", "n5", "r1", "r2", "r3", "r4", "r6", NULL);
	expect_err(g5, "ENOSPC");
	reqs(g5, XS_SET_PERMS, 0, "medium", "n5", "r1", "r2", "r3", "r4", NULL);
	expect_ok(g5);
	/* Nodes per domain. */
	xsd_quota.nodes = 6;    /* 5 owns home, big (inherited) and medium */
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		reqw(g5, 0, name, "x");
		if (reply(g5)->type == XS_ERROR)
			break;
	}
	assert_int_equal(dacct_get(5)->nodes, 6);
	assert_int_equal(i, 3);
	/* Transactions per domain: upstream refuses above the limit. */
	xsd_quota.transactions = 2;
	for (i = 0; i < 5; i++) {
		reqs(g5, XS_TRANSACTION_START, 0, "", NULL);
		if (reply(g5)->type == XS_ERROR)
			break;
	}
	assert_int_equal(i, 3);
	/* Watches per domain (ring connections). */
	xsd_quota.watches = 3;
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "w%d", i);
		reqs(g5, XS_WATCH, 0, name, "t", NULL);
		if (reply(g5)->type == XS_ERROR)
			break;
	}
	assert_int_equal(i, 4);
	/* Transaction nodes. */
	xsd_quota.trans_nodes = 3;
	{
		struct conn *g7 = mkconn(7, true);
		uint32_t t;

		make_home(d0, 7);
		t = tx_start(g7);
		for (i = 0; i < 10; i++) {
			snprintf(name, sizeof(name), "x%d", i);
			reqs(g7, XS_READ, t, name, NULL);
			if (strcmp(reply(g7)->data, "ENOSPC") == 0)
				break;
		}
		assert_true(i < 4);
	}
	/* A reply larger than the payload limit becomes E2BIG. */
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "/e2big/child-with-a-long-name-%03d", i);
		reqs(d0, XS_MKDIR, 0, name, NULL);
		expect_ok(d0);
	}
	reqs(d0, XS_DIRECTORY, 0, "/e2big", NULL);
	expect_err(d0, "E2BIG");
}

/* ---- DIRECTORY_PART --------------------------------------------------------- */

static void test_directory_part(void **state)
{
	struct conn *c = mkconn(0, false);
	char name[64], expect[16384], got[16384], off[16], gen[24] = "";
	size_t elen = 0, glen = 0;
	struct msg *m;
	int i, rounds = 0;

	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "/dp/entry-number-%04d-padding-padding", i);
		reqs(c, XS_MKDIR, 0, name, NULL);
		expect_ok(c);
		elen += (size_t)sprintf(expect + elen, "entry-number-%04d-padding-padding", i) + 1;
	}
	for (;;) {
		size_t gl, dl;

		snprintf(off, sizeof(off), "%zu", glen);
		reqs(c, XS_DIRECTORY_PART, 0, "/dp", off, NULL);
		m = reply(c);
		assert_int_equal(m->type, XS_DIRECTORY_PART);
		assert_true(m->len <= XENSTORE_PAYLOAD_MAX);
		gl = strlen(m->data) + 1;
		if (rounds++ == 0)
			strcpy(gen, m->data);
		else
			assert_string_equal(gen, m->data);  /* unchanged node */
		dl = m->len - gl;
		if (dl && m->data[m->len - 1] == 0 && m->data[m->len - 2] == 0) {
			memcpy(got + glen, m->data + gl, dl - 1);
			glen += dl - 1;
			break;
		}
		if (dl == 1)    /* just the terminating empty string */
			break;
		memcpy(got + glen, m->data + gl, dl);
		glen += dl;
		assert_true(rounds < 20);
	}
	assert_true(rounds > 1);
	assert_int_equal(glen, elen);
	assert_memory_equal(got, expect, elen);
	/* Offset past the end: generation and an empty list. */
	reqs(c, XS_DIRECTORY_PART, 0, "/dp", "99999", NULL);
	m = reply(c);
	assert_int_equal(m->len, strlen(gen) + 2);
	/* Adding a child changes the generation. */
	reqs(c, XS_MKDIR, 0, "/dp/new", NULL);
	expect_ok(c);
	reqs(c, XS_DIRECTORY_PART, 0, "/dp", "0", NULL);
	assert_string_not_equal(reply(c)->data, gen);
	reqs(c, XS_DIRECTORY_PART, 0, "/dp", NULL);
	expect_err(c, "EINVAL");
	reqs(c, XS_DIRECTORY_PART, 0, "/dp", "x", NULL);
	expect_err(c, "EINVAL");
}

/* ---- Misc ------------------------------------------------------------------ */

static void test_misc(void **state)
{
	struct conn *c = mkconn(0, false);
	struct msg *m;

	req(c, 99, 0, "", 0);
	expect_err(c, "ENOSYS");
	req(c, XS_WATCH_EVENT, 0, "", 0);
	expect_err(c, "ENOSYS");
	req(c, XS_ERROR, 0, "", 0);
	expect_err(c, "ENOSYS");
	reqs(c, XS_GET_DOMAIN_PATH, 0, "7", NULL);
	m = reply(c);
	assert_string_equal(m->data, "/local/domain/7");
	reqs(c, XS_GET_DOMAIN_PATH, 0, "x", NULL);
	expect_err(c, "EINVAL");
	reqs(c, XS_IS_DOMAIN_INTRODUCED, 0, "3", NULL);
	assert_string_equal(reply(c)->data, "F");
	reqs(c, XS_RELEASE, 0, "3", NULL);
	expect_err(c, "ENOENT");
	reqs(c, XS_RELEASE, 0, "0", NULL);
	expect_err(c, "EINVAL");
	/* No Xen in this process: introducing cannot work. */
	reqs(c, XS_INTRODUCE, 0, "3", "1234", "5", NULL);
	expect_err(c, "ENOSYS");
	reqs(c, XS_CONTROL, 0, "quota", NULL);
	m = reply(c);
	assert_int_equal(m->type, XS_CONTROL);
	assert_non_null(strstr(m->data, "transaction-nodes:     1024"));
	reqs(c, XS_CONTROL, 0, "quota", "set", "nodes", "77", NULL);
	expect_ok(c);
	assert_int_equal(xsd_quota.nodes, 77);
	reqs(c, XS_CONTROL, 0, "quota", "set", "nodes", "x", NULL);
	expect_err(c, "EINVAL");
	reqs(c, XS_CONTROL, 0, "nonsense", NULL);
	expect_err(c, "EINVAL");
	reqs(c, XS_CONTROL, 0, "check", NULL);
	expect_ok(c);
	reqs(c, XS_CONTROL, 0, "quota", "0", NULL);
	m = reply(c);
	assert_non_null(strstr(m->data, "Domain 0:"));
}

/* ---- CONTROL check and memreport ---------------------------------------- */

/* Break the store behind the protocol's back (only a daemon bug could),
 * then CONTROL check: with recovery (the default) it repairs, with -R
 * (xsd_recovery false) it only reports. */
static void test_check_recovery(void **state)
{
	struct conn *c = mkconn(0, false);
	char msg[128];
	struct msg *m;

	reqs(c, XS_MKDIR, 0, "/a/b", NULL);
	expect_ok(c);
	reqs(c, XS_MKDIR, 0, "/x/y", NULL);
	expect_ok(c);
	assert_int_equal(tree_check(msg, sizeof(msg)), 0);
	db_remove("/a/b");              /* /a lists a child that is gone */
	db_remove("/x");                /* / lists x; /x/y has no parent */
	assert_int_equal(tree_check(msg, sizeof(msg)), -1);

	xsd_recovery = false;
	reqs(c, XS_CONTROL, 0, "check", NULL);
	expect_ok(c);
	assert_int_equal(tree_check(msg, sizeof(msg)), -1);
	reqs(c, XS_DIRECTORY, 0, "/a", NULL);
	m = reply(c);
	assert_int_equal(m->type, XS_DIRECTORY);
	assert_int_equal(m->len, 2);    /* still "b\0" */
	assert_string_equal(m->data, "b");

	xsd_recovery = true;
	reqs(c, XS_CONTROL, 0, "check", NULL);
	expect_ok(c);
	if (tree_check(msg, sizeof(msg)) != 0)
		fail_msg("still inconsistent: %s", msg);
	reqs(c, XS_DIRECTORY, 0, "/a", NULL);
	m = reply(c);
	assert_int_equal(m->type, XS_DIRECTORY);
	assert_int_equal(m->len, 0);
	reqs(c, XS_READ, 0, "/x/y", NULL);
	expect_err(c, "ENOENT");
	/* The rest of the tree is untouched. */
	reqs(c, XS_READ, 0, "/tool/xenstored", NULL);
	expect_read(c, "");
}

/* Read a whole (small) file into buf. */
static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
}

/* memreport FILE appends the report to FILE; without FILE it goes to the
 * trace file, and with neither it fails; the reply is OK either way. */
static void test_memreport(void **state)
{
	struct conn *c = mkconn(0, false);
	char file[] = "/tmp/xsd-memreport-XXXXXX", trace[] = "/tmp/xsd-trace-XXXXXX";
	char buf[4096];
	int fd;

	fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	reqs(c, XS_CONTROL, 0, "memreport", file, NULL);
	expect_ok(c);
	slurp(file, buf, sizeof(buf));
	assert_non_null(strstr(buf, "xenstored memory report\n"));
	assert_non_null(strstr(buf, "nodes: 3\n"));
	assert_non_null(strstr(buf, "connections: 1\n"));
	assert_non_null(strstr(buf, "domain 0: nodes 3 "));
	/* Appended, not overwritten. */
	reqs(c, XS_CONTROL, 0, "memreport", file, NULL);
	expect_ok(c);
	slurp(file, buf, sizeof(buf));
	assert_non_null(strstr(strstr(buf, "memory report") + 1,
	                       "xenstored memory report"));
	unlink(file);

	reqs(c, XS_CONTROL, 0, "memreport", "/nonexistent-dir/report", NULL);
	expect_err(c, "EINVAL");
	reqs(c, XS_CONTROL, 0, "memreport", file, "extra", NULL);
	expect_err(c, "EINVAL");

	/* No FILE: the trace file, if there is one. */
	assert_null(xsd_trace_fp);
	reqs(c, XS_CONTROL, 0, "memreport", NULL);
	expect_err(c, "EINVAL");
	fd = mkstemp(trace);
	assert_true(fd >= 0);
	xsd_trace_fp = fdopen(fd, "a");
	assert_non_null(xsd_trace_fp);
	reqs(c, XS_CONTROL, 0, "memreport", NULL);
	expect_ok(c);
	fclose(xsd_trace_fp);
	xsd_trace_fp = NULL;
	slurp(trace, buf, sizeof(buf));
	unlink(trace);
	assert_non_null(strstr(buf, "xenstored memory report\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_initial_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_read_parents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_rm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_perms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_conflict, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn_rm_subtree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_perms_relative, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_queue_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memreport, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
