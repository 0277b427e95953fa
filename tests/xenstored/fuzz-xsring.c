/*
 * fuzz-xsring.c - libFuzzer target for guest ring input to xenstored: the
 * ring transport's index checks, the framing of requests that arrive in
 * pieces, requests split across the ring's end, replies the guest is slow
 * to take, and a guest releasing and coming back.
 *
 * Guest 5 is the attacker: the input is a sequence of operations on its
 * shared page (in this process, as daemon-ring-test does), each an opcode
 * byte and its arguments:
 *   0 n bytes...      raw bytes into req[] (as much as fits), then serve
 *   1 t l l k bytes   a header (type t, length l) and k payload bytes
 *   2 k               the guest takes k*32 bytes of its responses
 *   3                 serve the rings
 *   4 b               dom0 writes /local/domain/5/<b> (fires 5's watches)
 *   5 w d             the guest moves an index by d (w: which one)
 *   6                 dom0 releases guest 5 and attaches it afresh
 *   7                 guest 6 asks for its node, which must be answered
 * Guest 6 is the witness: whatever 5 did, 6's READ is answered in the
 * same pass (else abort), the tree stays consistent (tree_check), and no
 * open-transaction count outlives the connections.
 * Seeds: tests/xenstored/seeds/fuzz-xsring.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

static struct xenstore_domain_interface ring5, ring6;

static ssize_t null_read(struct conn *c, void *buf, size_t len) { return 0; }
static ssize_t null_write(struct conn *c, const void *b, size_t len) { return (ssize_t)len; }
static const struct conn_ops null_ops = { "null", null_read, null_write, NULL };

static struct conn *dom0;

static void put(struct xenstore_domain_interface *r, const uint8_t *p,
                size_t len)
{
	size_t i, room = XENSTORE_RING_SIZE - (r->req_prod - r->req_cons);

	/* A guest that moved its own indexes may see no sane room. */
	if (room > XENSTORE_RING_SIZE)
		return;
	if (len > room)
		len = room;
	for (i = 0; i < len; i++)
		r->req[MASK_XENSTORE_IDX(r->req_prod + i)] = (char)p[i];
	r->req_prod += (XENSTORE_RING_IDX)len;
}

static void dom0_req(uint32_t type, const char *p, size_t len)
{
	struct xsd_sockmsg hdr = { type, 1, 0, (uint32_t)len };

	process_request(dom0, &hdr, p);
	conn_out_drop_all(dom0);
}

static void add_home(const char *path, const char *owner)
{
	char buf[64];
	size_t l = strlen(path) + 1;

	dom0_req(XS_MKDIR, path, l);
	memcpy(buf, path, l);
	memcpy(buf + l, owner, strlen(owner) + 1);
	dom0_req(XS_SET_PERMS, buf, l + strlen(owner) + 1);
}

/* The loop's job in xenstored.c: connections marked dead are freed. */
static void reap(void)
{
	struct conn *c, *next;

	for (c = xsd_conns; c; c = next) {
		next = c->next;
		if (c->dead && c != dom0)
			conn_free(c);
	}
}

static void serve(void)
{
	domain_poll_rings();
	reap();
}

/* Guest 6 reads its node; the answer must be on its ring at once. */
static void witness(void)
{
	static const char req[] = "/local/domain/6/w";
	struct xsd_sockmsg hdr = { XS_READ, 7, 0, sizeof(req) };
	struct xsd_sockmsg got;
	size_t i;

	put(&ring6, (const uint8_t *)&hdr, sizeof(hdr));
	put(&ring6, (const uint8_t *)req, sizeof(req));
	serve();
	if (ring6.rsp_prod - ring6.rsp_cons < sizeof(got))
		abort();        /* guest 5 kept guest 6 from being served */
	for (i = 0; i < sizeof(got); i++)
		((char *)&got)[i] = ring6.rsp[MASK_XENSTORE_IDX(ring6.rsp_cons + i)];
	if (got.type != XS_READ || got.req_id != 7 || got.len != 2)
		abort();
	ring6.rsp_cons = ring6.rsp_prod;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[256], path[40];
	size_t i = 0, n;
	struct xsd_sockmsg hdr;

	if (tree_init() < 0)
		return 0;
	if (!xsd_trace_fp)
		xsd_trace_fp = fopen("/dev/null", "w");
	memset(&ring5, 0, sizeof(ring5));
	memset(&ring6, 0, sizeof(ring6));
	dom0 = conn_new(&null_ops, -1, 0);
	if (!dom0)
		goto out;
	add_home("/local/domain/5", "n5");
	add_home("/local/domain/6", "n6");
	dom0_req(XS_WRITE, "/local/domain/6/w\0ok", 20);
	domain_attach_ring(5, &ring5);
	domain_attach_ring(6, &ring6);
	while (i < size) {
		uint8_t op = data[i++] % 8;

		switch (op) {
		case 0:
			if (i >= size)
				break;
			n = (size_t)data[i++] + 1;
			if (n > size - i)
				n = size - i;
			put(&ring5, data + i, n);
			i += n;
			serve();
			break;
		case 1:
			if (size - i < 4)
				goto done;
			hdr.type = data[i];
			hdr.req_id = (uint32_t)i;
			hdr.tx_id = 0;
			hdr.len = (uint32_t)data[i + 1] << 8 | data[i + 2];
			n = data[i + 3];
			i += 4;
			if (n > size - i)
				n = size - i;
			put(&ring5, (const uint8_t *)&hdr, sizeof(hdr));
			put(&ring5, data + i, n);
			i += n;
			serve();
			break;
		case 2:
			if (i >= size)
				break;
			n = (size_t)data[i++] * 32;
			if (ring5.rsp_prod - ring5.rsp_cons <= XENSTORE_RING_SIZE) {
				if (n > ring5.rsp_prod - ring5.rsp_cons)
					n = ring5.rsp_prod - ring5.rsp_cons;
				ring5.rsp_cons += (XENSTORE_RING_IDX)n;
			}
			serve();
			break;
		case 3:
			serve();
			break;
		case 4:
			if (i >= size)
				break;
			n = (size_t)snprintf(path, sizeof(path),
			                     "/local/domain/5/%u", data[i++]);
			dom0_req(XS_WRITE, path, n + 1);
			serve();
			break;
		case 5:
			if (size - i < 2)
				goto done;
			if (data[i] & 1)
				ring5.req_prod += (XENSTORE_RING_IDX)(int8_t)data[i + 1];
			else
				ring5.rsp_cons += (XENSTORE_RING_IDX)(int8_t)data[i + 1];
			i += 2;
			serve();
			break;
		case 6:
			dom0_req(XS_RELEASE, "5", 2);
			reap();
			domain_sweep();
			memset(&ring5, 0, sizeof(ring5));
			add_home("/local/domain/5", "n5");
			domain_attach_ring(5, &ring5);
			break;
		case 7:
			witness();
			break;
		}
	}
done:
	witness();
	if (tree_check(msg, sizeof(msg)) < 0)
		abort();        /* an inconsistent tree is a bug */
out:
	if (domain_is_introduced(5))
		domain_release(5);
	if (domain_is_introduced(6))
		domain_release(6);
	domain_sweep();
	while (xsd_conns)
		conn_free(xsd_conns);
	/* The write rate limit counts open transactions: none may outlive
	 * its connection, or every guest would stay limited. */
	if (xsd_open_txns)
		abort();
	dom0 = NULL;
	tree_fini();
	return 0;
}
