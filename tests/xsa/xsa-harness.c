/*
 * xsa-harness.c - see xsa.h.
 */
#include "config.h"

#include "xsa.h"

struct xenstore_domain_interface xsa_ring5, xsa_ring6;
struct conn *xsa_dom0, *xsa_g5, *xsa_g6;

static ssize_t null_read(struct conn *c, void *buf, size_t len)
{
	(void)c; (void)buf; (void)len;
	return 0;
}

static ssize_t null_write(struct conn *c, const void *buf, size_t len)
{
	(void)c; (void)buf;
	return (ssize_t)len;
}

static const struct conn_ops null_ops = { "null", null_read, null_write, NULL };

static struct xsd_quota quota_defaults;
static bool have_defaults;

/* A payload from NUL-terminated strings; `raw_last`: the last without NUL. */
static size_t build(char *buf, size_t cap, bool raw_last, va_list ap)
{
	const char *s, *next;
	size_t len = 0, l;

	s = va_arg(ap, const char *);
	while (s) {
		next = va_arg(ap, const char *);
		l = strlen(s) + (raw_last && !next ? 0 : 1);
		assert_true(len + l <= cap);
		memcpy(buf + len, s, l);
		len += l;
		s = next;
	}
	return len;
}

bool xsa_put(struct xenstore_domain_interface *r, const void *p, size_t len)
{
	size_t i;

	if (XENSTORE_RING_SIZE - (r->req_prod - r->req_cons) < len)
		return false;
	for (i = 0; i < len; i++)
		r->req[MASK_XENSTORE_IDX(r->req_prod + i)] = ((const char *)p)[i];
	r->req_prod += (XENSTORE_RING_IDX)len;
	return true;
}

/* A request longer than the free ring space goes in pieces, the daemon
 * served in between, as a guest kernel's xenbus does. */
bool xsa_send(struct xenstore_domain_interface *r, uint32_t type,
              uint32_t id, const void *p, size_t len)
{
	struct xsd_sockmsg hdr = { type, id, 0, (uint32_t)len };
	char msg[XSD_HDR + XENSTORE_PAYLOAD_MAX + 64];
	size_t total = sizeof(hdr) + len, done = 0, room;
	int stuck = 0;

	if (total > sizeof(msg))
		return false;
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), p, len);
	while (done < total) {
		room = XENSTORE_RING_SIZE - (r->req_prod - r->req_cons);
		if (room > total - done)
			room = total - done;
		if (room == 0) {
			if (++stuck > 4)
				return false;
			domain_poll_rings();
			continue;
		}
		stuck = 0;
		xsa_put(r, msg + done, room);
		done += room;
		if (done < total)
			domain_poll_rings();
	}
	return true;
}

static bool get(struct xenstore_domain_interface *r, void *p, size_t len)
{
	size_t i;

	if (r->rsp_prod - r->rsp_cons < len)
		return false;
	for (i = 0; i < len; i++)
		((char *)p)[i] = r->rsp[MASK_XENSTORE_IDX(r->rsp_cons + i)];
	r->rsp_cons += (XENSTORE_RING_IDX)len;
	return true;
}

/* What the guest has taken of a message longer than the ring: a message
 * of up to 4 KiB is read in pieces, each pass of the daemon writing more. */
static struct rx {
	struct xenstore_domain_interface *r;
	size_t have;
	char buf[XSD_HDR + XENSTORE_PAYLOAD_MAX];
} rxs[8];

static struct rx *rx_of(struct xenstore_domain_interface *r)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (rxs[i].r == r)
			return &rxs[i];
	for (i = 0; i < 8; i++)
		if (!rxs[i].r) {
			rxs[i].r = r;
			rxs[i].have = 0;
			return &rxs[i];
		}
	fail_msg("too many rings");
	return NULL;
}

static void rx_forget_all(void)
{
	memset(rxs, 0, sizeof(rxs));
}

bool xsa_recv(struct xenstore_domain_interface *r, struct xsd_sockmsg *hdr,
              char *buf)
{
	struct rx *x = rx_of(r);
	size_t want, avail;
	int pass;

	for (pass = 0; pass < 8; pass++) {
		domain_poll_rings();
		xsa_reap();
		for (;;) {
			want = XSD_HDR;
			if (x->have >= XSD_HDR) {
				memcpy(hdr, x->buf, XSD_HDR);
				if (hdr->len > XENSTORE_PAYLOAD_MAX)
					fail_msg("reply of %u bytes", hdr->len);
				want = XSD_HDR + hdr->len;
			}
			if (x->have == want && want > XSD_HDR - 1 &&
			    x->have >= XSD_HDR)
				break;
			avail = r->rsp_prod - r->rsp_cons;
			if (avail == 0)
				break;
			if (avail > want - x->have)
				avail = want - x->have;
			assert_true(get(r, x->buf + x->have, avail));
			x->have += avail;
		}
		if (x->have >= XSD_HDR && x->have == XSD_HDR + hdr->len) {
			memcpy(buf, x->buf + XSD_HDR, hdr->len);
			buf[hdr->len] = 0;
			x->have = 0;
			return true;
		}
		if (r->rsp_prod == r->rsp_cons && pass > 0 &&
		    x->have == 0)
			return false;
	}
	return false;
}

/* Events xsa_greq passed over on its way to a reply: xsa_gevents counts
 * them.  (One attacker ring at a time uses this.) */
static int skipped;
static char skipped_path[512];

const char *xsa_greq(struct xenstore_domain_interface *r, uint32_t type,
                     uint32_t *rtype, ...)
{
	static char buf[XENSTORE_PAYLOAD_MAX + 1];
	static uint32_t id;
	char p[XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr;
	size_t len;
	va_list ap;

	va_start(ap, rtype);
	len = build(p, sizeof(p), type == XS_WRITE, ap);
	va_end(ap);
	assert_true(xsa_send(r, type, ++id, p, len));
	for (;;) {
		assert_true(xsa_recv(r, &hdr, buf));
		if (hdr.type != XS_WATCH_EVENT)
			break;
		skipped++;
		snprintf(skipped_path, sizeof(skipped_path), "%.500s", buf);
	}
	if (rtype)
		*rtype = hdr.type;
	return buf;
}

int xsa_gevents(struct xenstore_domain_interface *r, char *path)
{
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr;
	int n = skipped;

	if (n && path)
		snprintf(path, 512, "%s", skipped_path);
	skipped = 0;
	rx_forget_all();

	while (xsa_recv(r, &hdr, buf)) {
		if (hdr.type == XS_WATCH_EVENT) {
			n++;
			if (path)
				snprintf(path, 512, "%.500s", buf);
		}
	}
	return n;
}

const char *xsa_d0(uint32_t type, ...)
{
	static char last[XENSTORE_PAYLOAD_MAX + 1];
	char p[XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = { type, 1, 0, 0 };
	struct outmsg *m;
	va_list ap;

	va_start(ap, type);
	hdr.len = (uint32_t)build(p, sizeof(p), type == XS_WRITE, ap);
	va_end(ap);
	process_request(xsa_dom0, &hdr, p);
	last[0] = 0;
	while ((m = conn_out_pop(xsa_dom0))) {
		struct xsd_sockmsg h;

		memcpy(&h, m->buf, XSD_HDR);
		if (h.type != XS_WATCH_EVENT) {
			memcpy(last, m->buf + XSD_HDR, h.len);
			last[h.len] = 0;
		}
		free(m);
	}
	return last;
}

void xsa_dom0_write(const char *path, const char *value)
{
	assert_string_equal(xsa_d0(XS_WRITE, path, value, NULL), "OK");
}

int xsa_conn_events(struct conn *c)
{
	struct outmsg *m;
	struct xsd_sockmsg h;
	int n = 0;

	while ((m = conn_out_pop(c))) {
		memcpy(&h, m->buf, XSD_HDR);
		if (h.type == XS_WATCH_EVENT)
			n++;
		free(m);
	}
	return n;
}

void xsa_reap(void)
{
	struct conn *c, *next;

	for (c = xsd_conns; c; c = next) {
		next = c->next;
		if (c->dead && c != xsa_dom0) {
			if (c == xsa_g5)
				xsa_g5 = NULL;
			if (c == xsa_g6)
				xsa_g6 = NULL;
			conn_free(c);
		}
	}
}

void xsa_release(uint32_t domid)
{
	char id[12];

	snprintf(id, sizeof(id), "%u", domid);
	assert_string_equal(xsa_d0(XS_RELEASE, id, NULL), "OK");
	xsa_reap();
	domain_sweep();
}

struct conn *xsa_guest(uint32_t domid, struct xenstore_domain_interface *ring)
{
	char home[32], owner[16];
	struct conn *c;

	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	snprintf(owner, sizeof(owner), "n%u", domid);
	assert_string_equal(xsa_d0(XS_MKDIR, home, NULL), "OK");
	assert_string_equal(xsa_d0(XS_SET_PERMS, home, owner, NULL), "OK");
	memset(ring, 0, sizeof(*ring));
	c = domain_attach_ring(domid, ring);
	assert_non_null(c);
	return c;
}

int xsa_setup(void **state)
{
	(void)state;
	if (!have_defaults) {
		quota_defaults = xsd_quota;
		have_defaults = true;
	}
	xsd_quota = quota_defaults;
	if (!xsd_trace_fp)
		xsd_trace_fp = fopen("/dev/null", "w");
	if (tree_init() < 0)
		return -1;
	xsa_dom0 = conn_new(&null_ops, -1, 0);
	if (!xsa_dom0)
		return -1;
	xsa_g5 = xsa_guest(5, &xsa_ring5);
	xsa_g6 = xsa_guest(6, &xsa_ring6);
	xsa_dom0_write("/local/domain/6/alive", "yes");
	return 0;
}

int xsa_teardown(void **state)
{
	(void)state;
	xsd_priv_domid = 0;
	xsd_keep_orphans = false;
	for (uint32_t id = 1; id < 64; id++)
		if (domain_is_introduced(id))
			domain_release(id);
	domain_sweep();
	while (xsd_conns)
		conn_free(xsd_conns);
	xsa_dom0 = xsa_g5 = xsa_g6 = NULL;
	skipped = 0;
	rx_forget_all();
	tree_fini();
	return 0;
}

void xsa_others_served(void)
{
	struct xsd_sockmsg hdr;
	char buf[XENSTORE_PAYLOAD_MAX + 1], msg[256];
	static uint32_t id = 1000;

	/* Guest 6: its reply is on its ring after one pass. */
	if (xsa_g6) {
		xsa_ring6.rsp_cons = xsa_ring6.rsp_prod;
		assert_true(xsa_send(&xsa_ring6, XS_READ, ++id,
		                     "/local/domain/6/alive", 22));
		assert_true(xsa_recv(&xsa_ring6, &hdr, buf));
		assert_int_equal(hdr.type, XS_READ);
		assert_int_equal(hdr.req_id, id);
		assert_string_equal(buf, "yes");
	}
	/* Dom0 at once. */
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/6/alive", NULL), "yes");
	xsa_dom0_write("/tool/xsa-probe", "1");
	assert_string_equal(xsa_d0(XS_READ, "/tool/xsa-probe", NULL), "1");
	if (tree_check(msg, sizeof(msg)) < 0)
		fail_msg("tree inconsistent: %s", msg);
}

unsigned int xsa_owned(uint32_t domid)
{
	unsigned int n = 0;
	size_t i;
	struct node *nd;

	for (i = 0; i < xsd_db.nbuckets; i++)
		for (nd = xsd_db.b[i]; nd; nd = nd->hnext)
			if (nd->nperms && nd->perms[0].id == domid)
				n++;
	return n;
}
