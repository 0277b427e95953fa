/*
 * fuzz-xenstored.c - libFuzzer target for xenstored's framing, decoder and
 * request handlers, in process (no socket, no Xen).
 *
 * Input format: a sequence of chunks, each [who][n][n bytes].  `who` 0-2
 * picks one of three connections (dom0 tools, guest 5, guest 6 - the guests
 * have homes owned by them and are subject to quotas and permissions); the
 * n bytes are appended to that connection's input as if read from its
 * transport, and every complete message is processed.  `who` 3 scribbles
 * the n bytes over guest 7's shared ring page (at the offset in the first
 * two bytes), indexes included, and lets the ring code serve it.  A connection the
 * daemon would drop is freed and replaced.  Each input starts from a fresh
 * database.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

static const uint8_t *feed;
static size_t feed_len;

static ssize_t mem_read(struct conn *c, void *buf, size_t len)
{
	if (len > feed_len)
		len = feed_len;
	memcpy(buf, feed, len);
	feed += len;
	feed_len -= len;
	return (ssize_t)len;
}

static ssize_t mem_write(struct conn *c, const void *buf, size_t len)
{
	return (ssize_t)len;    /* the peer reads everything at once */
}

static const struct conn_ops mem_ops = { "mem", mem_read, mem_write, NULL };

static struct conn *make(unsigned int who)
{
	static const uint32_t ids[3] = { 0, 5, 6 };
	struct conn *c = conn_new(&mem_ops, -1, ids[who]);

	if (c)
		c->is_domain = who != 0;
	return c;
}

static struct xenstore_domain_interface ring7;

static void add_home(uint32_t id)
{
	char path[32];
	struct xsd_perm p = { id, XSD_PERM_NONE };

	snprintf(path, sizeof(path), "/local/domain/%u", id);
	tree_write(NULL, path, NULL, 0, true);
	tree_set_perms(NULL, path, &p, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conn *conns[3];
	unsigned int i, who;
	size_t n;
	char msg[256];

	if (tree_init() < 0)
		return 0;
	/* Logs go nowhere: syslog per malformed message would dominate. */
	if (!xsd_trace_fp)
		xsd_trace_fp = fopen("/dev/null", "w");
	add_home(5);
	add_home(6);
	add_home(7);
	for (i = 0; i < 3; i++)
		conns[i] = make(i);
	memset(&ring7, 0, sizeof(ring7));
	domain_attach_ring(7, &ring7);
	while (size >= 3) {
		who = data[0] % 4;
		n = (size_t)data[1] << 8 | data[2];
		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		feed = data;
		feed_len = n;
		data += n;
		size -= n;
		if (who == 3) {
			size_t off = n >= 2 ? ((size_t)feed[0] << 8 | feed[1]) % sizeof(ring7) : 0;

			if (n >= 2) {
				feed += 2;
				n -= 2;
			}
			if (n > sizeof(ring7) - off)
				n = sizeof(ring7) - off;
			memcpy((char *)&ring7 + off, feed, n);
			domain_poll_rings();
			continue;
		}
		/* Everything fed must be consumed or buffered, never lost. */
		while (feed_len && conns[who]) {
			if (conn_handle_input(conns[who]) < 0 || conns[who]->dead) {
				conn_free(conns[who]);
				conns[who] = make(who);
				continue;
			}
			conn_flush(conns[who]);
			if (!conn_may_read(conns[who]))
				break;
		}
		for (i = 0; i < 3; i++)
			if (conns[i])
				conn_flush(conns[i]);
	}
	domain_poll_rings();
	if (tree_check(msg, sizeof(msg)) < 0)
		abort();    /* an inconsistent tree is a bug */
	if (domain_is_introduced(7))
		domain_release(7);
	domain_sweep();
	while (xsd_conns)
		conn_free(xsd_conns);
	tree_fini();
	return 0;
}
