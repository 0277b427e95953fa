/*
 * daemon-ring-test.c - the ring transport without Xen.
 *
 * A zeroed struct xenstore_domain_interface in this process plays a guest's
 * xenstore page: the test writes requests into req[] and advances req_prod
 * like a guest kernel, runs domain_poll_rings(), and reads replies from
 * rsp[].  Checks framing across the ring's wrap-around, relative paths and
 * guest permissions, the outstanding-requests quota, a guest scribbling
 * over its indexes or lengths being cut off alone, and RELEASE.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xsd.h"

static struct xenstore_domain_interface ring5, ring6;

/* Guest side: put bytes into the request ring; false if no room. */
static bool guest_put(struct xenstore_domain_interface *r, const void *p,
                      size_t len)
{
	size_t i;

	if (XENSTORE_RING_SIZE - (r->req_prod - r->req_cons) < len)
		return false;
	for (i = 0; i < len; i++)
		r->req[MASK_XENSTORE_IDX(r->req_prod + i)] = ((const char *)p)[i];
	r->req_prod += (XENSTORE_RING_IDX)len;
	return true;
}

static bool guest_send(struct xenstore_domain_interface *r, uint32_t type,
                       uint32_t id, const void *p, size_t len)
{
	struct xsd_sockmsg hdr = { type, id, 0, (uint32_t)len };

	if (XENSTORE_RING_SIZE - (r->req_prod - r->req_cons) < sizeof(hdr) + len)
		return false;
	return guest_put(r, &hdr, sizeof(hdr)) && guest_put(r, p, len);
}

static bool guest_get(struct xenstore_domain_interface *r, void *p, size_t len)
{
	size_t i;

	if (r->rsp_prod - r->rsp_cons < len)
		return false;
	for (i = 0; i < len; i++)
		((char *)p)[i] = r->rsp[MASK_XENSTORE_IDX(r->rsp_cons + i)];
	r->rsp_cons += (XENSTORE_RING_IDX)len;
	return true;
}

/* Next message from the response ring (after running the daemon). */
static bool guest_recv(struct xenstore_domain_interface *r,
                       struct xsd_sockmsg *hdr, char *buf)
{
	XENSTORE_RING_IDX save = r->rsp_cons;

	domain_poll_rings();
	if (!guest_get(r, hdr, sizeof(*hdr)))
		return false;
	if (!guest_get(r, buf, hdr->len)) {
		r->rsp_cons = save;
		return false;
	}
	buf[hdr->len] = 0;
	return true;
}

static ssize_t null_read(struct conn *c, void *buf, size_t len) { return 0; }
static ssize_t null_write(struct conn *c, const void *b, size_t len) { return (ssize_t)len; }
static const struct conn_ops null_ops = { "null", null_read, null_write, NULL };

static struct conn *dom0, *c5;

static void dom0_req(uint32_t type, const char *a, const char *b)
{
	char buf[256];
	size_t la = strlen(a) + 1, lb = b ? strlen(b) + 1 : 0;
	struct xsd_sockmsg hdr = { type, 1, 0, (uint32_t)(la + lb) };

	memcpy(buf, a, la);
	if (b)
		memcpy(buf + la, b, lb);
	process_request(dom0, &hdr, buf);
}

/* The last reply queued for dom0, as a string. */
static const char *dom0_reply(void)
{
	static char last[4200];
	struct outmsg *m;
	struct xsd_sockmsg hdr;

	last[0] = 0;
	while ((m = dom0->out_head)) {
		memcpy(&hdr, m->buf, XSD_HDR);
		if (hdr.type != XS_WATCH_EVENT) {
			memcpy(last, m->buf + XSD_HDR, hdr.len);
			last[hdr.len] = 0;
		}
		conn_flush(dom0);
	}
	return last;
}

static int setup(void **state)
{
	memset(&ring5, 0, sizeof(ring5));
	memset(&ring6, 0, sizeof(ring6));
	xsd_quota.outstanding = 20;
	if (tree_init() < 0)
		return -1;
	dom0 = conn_new(&null_ops, -1, 0);
	dom0_req(XS_MKDIR, "/local/domain/5", NULL);
	dom0_req(XS_SET_PERMS, "/local/domain/5", "n5");
	dom0_req(XS_MKDIR, "/local/domain/6", NULL);
	dom0_req(XS_SET_PERMS, "/local/domain/6", "n6");
	dom0_reply();
	c5 = domain_attach_ring(5, &ring5);
	assert_non_null(c5);
	assert_non_null(domain_attach_ring(6, &ring6));
	return 0;
}

static int teardown(void **state)
{
	if (domain_is_introduced(5))
		domain_release(5);
	if (domain_is_introduced(6))
		domain_release(6);
	domain_sweep();
	while (xsd_conns)
		conn_free(xsd_conns);
	tree_fini();
	return 0;
}

static void test_ring_basic(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[4200];

	assert_true(guest_send(&ring5, XS_WRITE, 1, "x\0hello", 7));
	assert_true(guest_recv(&ring5, &hdr, buf));
	assert_int_equal(hdr.type, XS_WRITE);
	assert_int_equal(hdr.req_id, 1);
	dom0_req(XS_READ, "/local/domain/5/x", NULL);
	assert_string_equal(dom0_reply(), "hello");
	dom0_req(XS_GET_PERMS, "/local/domain/5/x", NULL);
	assert_string_equal(dom0_reply(), "n5");
	/* The guest is not privileged. */
	assert_true(guest_send(&ring5, XS_READ, 2, "/local/domain/6\0", 16));
	assert_true(guest_recv(&ring5, &hdr, buf));
	assert_int_equal(hdr.type, XS_ERROR);
	assert_string_equal(buf, "EACCES");
	dom0_req(XS_IS_DOMAIN_INTRODUCED, "5", NULL);
	assert_string_equal(dom0_reply(), "T");
}

/* Many round trips move the free-running indexes across the ring's end
 * at every possible offset. */
static void test_ring_wrap(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[4200], val[64];
	int i;

	for (i = 0; i < 400; i++) {
		/* "v" NUL "value-<i>": path then value. */
		int n = snprintf(val, sizeof(val), "v_value-%d", i);

		val[1] = 0;
		assert_true(guest_send(&ring5, XS_WRITE, (uint32_t)i, val, (size_t)n));
		assert_true(guest_recv(&ring5, &hdr, buf));
		assert_int_equal(hdr.req_id, i);
		assert_true(guest_send(&ring5, XS_READ, (uint32_t)i, "v\0", 2));
		assert_true(guest_recv(&ring5, &hdr, buf));
		assert_int_equal(hdr.type, XS_READ);
		assert_string_equal(buf, val + 2);
	}
	assert_true(ring5.req_prod > 3 * XENSTORE_RING_SIZE);
}

/* A guest that never reads its replies stops being served after
 * `outstanding` of them; reading them lets it continue. */
static void test_outstanding_quota(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[4200];
	int sent = 0, got = 0;

	xsd_quota.outstanding = 3;
	/* Replies bigger than the response ring can hold at once. */
	dom0_req(XS_WRITE, "/local/domain/5/big", NULL);
	{
		static char w[1100];
		struct xsd_sockmsg h = { XS_WRITE, 1, 0, 0 };

		memcpy(w, "/local/domain/5/big", 20);
		memset(w + 20, 'b', 1000);
		h.len = 1020;
		process_request(dom0, &h, w);
		dom0_reply();
	}
	while (sent < 10 && guest_send(&ring5, XS_READ, (uint32_t)sent, "big\0", 4))
		sent++;
	domain_poll_rings();
	domain_poll_rings();
	/* Only `outstanding` requests were answered; the rest wait. */
	assert_int_equal(c5->outstanding, 3);
	assert_true(c5->in_used > 0 || ring5.req_cons != ring5.req_prod);
	while (got < sent && guest_recv(&ring5, &hdr, buf)) {
		assert_int_equal(hdr.req_id, got);
		assert_int_equal(hdr.len, 1000);
		got++;
	}
	assert_int_equal(got, sent);
	assert_true(ring5.req_cons == ring5.req_prod);
}

static void test_bad_guest_cut_off(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[4200];

	/* Indexes further apart than the ring is long. */
	ring5.req_prod = ring5.req_cons + XENSTORE_RING_SIZE + 100;
	domain_poll_rings();
	assert_int_equal(ring5.error, XENSTORE_ERROR_RINGIDX);
	/* Guest 6 is fine. */
	assert_true(guest_send(&ring6, XS_WRITE, 9, "ok\0yes", 6));
	assert_true(guest_recv(&ring6, &hdr, buf));
	assert_int_equal(hdr.type, XS_WRITE);
	/* Oversized length from 6: cut off too, and 5 stays ignored. */
	{
		struct xsd_sockmsg h = { XS_READ, 1, 0, 100000 };

		assert_true(guest_put(&ring6, &h, sizeof(h)));
	}
	domain_poll_rings();
	assert_int_equal(ring6.error, XENSTORE_ERROR_PROTO);
	assert_false(guest_recv(&ring6, &hdr, buf));
	/* The socket side still works. */
	dom0_req(XS_READ, "/local/domain/6/ok", NULL);
	assert_string_equal(dom0_reply(), "yes");
	/* Dom0 can still release the broken guests. */
	dom0_req(XS_RELEASE, "5", NULL);
	assert_string_equal(dom0_reply(), "OK");
}

static void test_release(void **state)
{
	struct conn *w = conn_new(&null_ops, -1, 0);
	struct xsd_sockmsg hdr, wh = { XS_WATCH, 1, 0, 19 };
	struct outmsg *m;
	char buf[4200];
	int events = 0;

	process_request(w, &wh, "@releaseDomain\0tok\0");
	assert_true(guest_send(&ring5, XS_WRITE, 1, "mine\0x", 6));
	assert_true(guest_recv(&ring5, &hdr, buf));
	dom0_req(XS_RELEASE, "5", NULL);
	assert_string_equal(dom0_reply(), "OK");
	/* Nodes the guest owned are gone, the domain is unknown. */
	dom0_req(XS_READ, "/local/domain/5/mine", NULL);
	assert_string_equal(dom0_reply(), "ENOENT");
	dom0_req(XS_IS_DOMAIN_INTRODUCED, "5", NULL);
	assert_string_equal(dom0_reply(), "F");
	dom0_req(XS_RELEASE, "5", NULL);
	assert_string_equal(dom0_reply(), "ENOENT");
	for (m = w->out_head; m; m = m->next) {
		memcpy(&hdr, m->buf, XSD_HDR);
		if (hdr.type == XS_WATCH_EVENT)
			events++;
	}
	assert_int_equal(events, 2);    /* the initial one and the release */
}

/* dom0 writes path = value (XS_WRITE carries the value without a NUL). */
static void dom0_write(const char *path, const char *value)
{
	char buf[256];
	size_t lp = strlen(path) + 1, lv = strlen(value);
	struct xsd_sockmsg hdr = { XS_WRITE, 1, 0, (uint32_t)(lp + lv) };

	memcpy(buf, path, lp);
	memcpy(buf + lp, value, lv);
	process_request(dom0, &hdr, buf);
	assert_string_equal(dom0_reply(), "OK");
}

/* Releasing a domain drops liblight's name index entries naming it, and
 * only those (whoever destroyed the domain, the entry must not stay). */
static void test_release_drops_name_entries(void **state)
{
	dom0_write("/tool/lightstack/names/web", "5");
	dom0_write("/tool/lightstack/names/web@2e2", "5");
	dom0_write("/tool/lightstack/names/db", "6");
	dom0_write("/tool/lightstack/names/big", "55");
	dom0_write("/tool/lightstack/names/Domain-0", "0");
	dom0_req(XS_RELEASE, "5", NULL);
	assert_string_equal(dom0_reply(), "OK");
	dom0_req(XS_READ, "/tool/lightstack/names/web", NULL);
	assert_string_equal(dom0_reply(), "ENOENT");
	dom0_req(XS_READ, "/tool/lightstack/names/web@2e2", NULL);
	assert_string_equal(dom0_reply(), "ENOENT");
	dom0_req(XS_READ, "/tool/lightstack/names/db", NULL);
	assert_string_equal(dom0_reply(), "6");
	dom0_req(XS_READ, "/tool/lightstack/names/big", NULL);
	assert_string_equal(dom0_reply(), "55");
	dom0_req(XS_READ, "/tool/lightstack/names/Domain-0", NULL);
	assert_string_equal(dom0_reply(), "0");
	/* Without an index directory a release is as before. */
	dom0_req(XS_RM, "/tool/lightstack", NULL);
	assert_string_equal(dom0_reply(), "OK");
	dom0_req(XS_RELEASE, "6", NULL);
	assert_string_equal(dom0_reply(), "OK");
}

/* A privileged guest (--priv-domid) releases another guest, and then
 * itself is released by dom0, while rings are being served. */
static void test_release_from_ring(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[4200];

	xsd_priv_domid = 6;
	assert_true(guest_send(&ring5, XS_WRITE, 1, "a\0x", 3));
	assert_true(guest_send(&ring6, XS_RELEASE, 2, "5\0", 2));
	assert_true(guest_send(&ring6, XS_IS_DOMAIN_INTRODUCED, 3, "5\0", 2));
	assert_true(guest_recv(&ring6, &hdr, buf));
	assert_int_equal(hdr.type, XS_RELEASE);
	assert_true(guest_recv(&ring6, &hdr, buf));
	assert_string_equal(buf, "F");
	assert_true(guest_send(&ring5, XS_WRITE, 4, "b\0x", 3));
	domain_poll_rings();
	dom0_req(XS_RELEASE, "6", NULL);
	assert_string_equal(dom0_reply(), "OK");
	domain_poll_rings();
	xsd_priv_domid = 0;
	assert_false(domain_is_introduced(5));
	assert_false(domain_is_introduced(6));
}

/* -K: a released guest's nodes stay, owned by dom0. */
static void test_keep_orphans(void **state)
{
	struct xsd_sockmsg hdr;
	char buf[4200];

	xsd_keep_orphans = true;
	assert_true(guest_send(&ring5, XS_WRITE, 1, "kept/deep\0x", 11));
	assert_true(guest_recv(&ring5, &hdr, buf));
	assert_int_equal(hdr.type, XS_WRITE);
	dom0_req(XS_RELEASE, "5", NULL);
	assert_string_equal(dom0_reply(), "OK");
	xsd_keep_orphans = false;
	dom0_req(XS_READ, "/local/domain/5/kept/deep", NULL);
	assert_string_equal(dom0_reply(), "x");
	dom0_req(XS_GET_PERMS, "/local/domain/5/kept/deep", NULL);
	assert_string_equal(dom0_reply(), "n0");
	dom0_req(XS_GET_PERMS, "/local/domain/5", NULL);
	assert_string_equal(dom0_reply(), "n0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ring_basic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outstanding_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_guest_cut_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_drops_name_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_orphans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_from_ring, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
