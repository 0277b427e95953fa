/*
 * decode.c - turning one complete xs_wire message into a handler call.
 *
 * process_request() is the only entry point for client input; it works on
 * a complete message (conn.c frames it) and never touches a socket or
 * ring, so the fuzzer and the unit tests drive it directly.  The table
 * below maps each message type to its handler and says whether it needs a
 * privileged connection and whether its tx_id names a transaction.
 * Handlers return 0 after queueing their reply, or an errno value that
 * becomes an XS_ERROR reply.
 *
 * The payload helpers split a payload into its NUL-terminated strings and
 * parse its numbers strictly, the way every handler needs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "strnum.h"
#include "xsd.h"

/* ---- Payload helpers ------------------------------------------------------ */

/* Number of NUL-terminated strings (upstream counts NULs). */
unsigned int count_strings(const char *p, unsigned int len)
{
	unsigned int i, n = 0;

	for (i = 0; i < len; i++)
		if (p[i] == 0)
			n++;
	return n;
}

/* The payload if it is exactly one string, else NULL. */
const char *onearg(const char *p, unsigned int len)
{
	if (!len || memchr(p, 0, len) != p + len - 1)
		return NULL;
	return p;
}

/* Fill up to num string starts; returns how many strings there are. */
unsigned int get_strings(const char *p, unsigned int len,
                                const char **vec, unsigned int num)
{
	unsigned int off = 0, i = 0;
	const char *nul;

	while (off < len && (nul = memchr(p + off, 0, len - off))) {
		if (i < num)
			vec[i] = p + off;
		i++;
		off = (unsigned int)(nul - p) + 1;
	}
	return i;
}

/* Strict unsigned decimal within [0, max] (common/strnum.h's rules: no
 * sign, no blanks, nothing after the digits). */
int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (strnum_u64(s, 10, 0, max, &v) < 0)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

int parse_domid(const char *s, uint32_t *domid)
{
	unsigned long v;

	if (parse_uint(s, UINT16_MAX, &v) < 0)
		return -1;
	*domid = (uint32_t)v;
	return 0;
}

/* ---- Dispatch ------------------------------------------------------------- */

#define F_NOTID 1   /* the tx_id field is ignored */
#define F_PRIV  2   /* privileged connections only */

static const struct handler {
	const char *name;
	int (*fn)(struct conn *c, const char *p, unsigned int len);
	unsigned int flags;
} handlers[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { "CONTROL", do_control, F_PRIV },
	[XS_DIRECTORY] = { "DIRECTORY", do_directory, 0 },
	[XS_READ] = { "READ", do_read, 0 },
	[XS_GET_PERMS] = { "GET_PERMS", do_get_perms, 0 },
	[XS_WATCH] = { "WATCH", do_watch, F_NOTID },
	[XS_UNWATCH] = { "UNWATCH", do_unwatch, F_NOTID },
	[XS_TRANSACTION_START] = { "TRANSACTION_START", do_transaction_start, 0 },
	[XS_TRANSACTION_END] = { "TRANSACTION_END", do_transaction_end, 0 },
	[XS_INTRODUCE] = { "INTRODUCE", do_introduce, F_PRIV },
	[XS_RELEASE] = { "RELEASE", do_release, F_PRIV },
	[XS_GET_DOMAIN_PATH] = { "GET_DOMAIN_PATH", do_get_domain_path, 0 },
	[XS_WRITE] = { "WRITE", do_write, 0 },
	[XS_MKDIR] = { "MKDIR", do_mkdir, 0 },
	[XS_RM] = { "RM", do_rm, 0 },
	[XS_SET_PERMS] = { "SET_PERMS", do_set_perms, 0 },
	[XS_WATCH_EVENT] = { "WATCH_EVENT", NULL, 0 },
	[XS_ERROR] = { "ERROR", NULL, 0 },
	[XS_IS_DOMAIN_INTRODUCED] = { "IS_DOMAIN_INTRODUCED",
	                              do_is_domain_introduced, F_PRIV },
	[XS_RESUME] = { "RESUME", do_resume, F_PRIV },
	[XS_SET_TARGET] = { "SET_TARGET", do_set_target, F_PRIV },
	[XS_RESET_WATCHES] = { "RESET_WATCHES", do_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { "DIRECTORY_PART", do_directory_part, 0 },
};

void process_request(struct conn *c, const struct xsd_sockmsg *hdr,
                     const char *payload)
{
	/* A private NUL-terminated copy: handlers may use string functions
	 * on the last argument even if the client did not terminate it. */
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	const struct handler *h;
	struct txn *t = NULL;
	int ret;

	c->req = *hdr;
	c->in_request = true;
	memcpy(buf, payload, hdr->len);
	buf[hdr->len] = 0;
	h = hdr->type < XS_TYPE_COUNT ? &handlers[hdr->type] : NULL;
	if (xsd_trace)
		xsd_log("IN  conn %p dom %u %s req %u tx %u len %u", (void *)c,
		        c->id, h && h->name ? h->name : "UNKNOWN", hdr->req_id,
		        hdr->tx_id, hdr->len);
	if (!h || !h->fn) {
		ret = ENOSYS;
		goto out;
	}
	if ((h->flags & F_PRIV) && !conn_privileged(c)) {
		ret = EACCES;
		goto out;
	}
	if (!(h->flags & F_NOTID) && hdr->tx_id) {
		t = txn_find(c, hdr->tx_id);
		if (!t) {
			ret = ENOENT;
			goto out;
		}
	}
	if (hdr->type == XS_WRITE || hdr->type == XS_MKDIR ||
	    hdr->type == XS_RM || hdr->type == XS_SET_PERMS ||
	    (hdr->type == XS_TRANSACTION_END && buf[0] == 'T'))
		conn_wrl_charge(c);
	c->txn = t;
	ret = h->fn(c, buf, hdr->len);
	c->txn = NULL;
out:
	if (ret)
		send_error(c, ret);
	conn_request_done(c);
	/* A ring connection's watches and transactions are state a restart
	 * needs (journal.c); socket clients re-register theirs. */
	if (c->dom && !ret && (hdr->type == XS_WATCH || hdr->type == XS_UNWATCH ||
	                       hdr->type == XS_RESET_WATCHES ||
	                       hdr->type == XS_TRANSACTION_START))
		journal_mark_conn(c);
	if (c->dom && hdr->type == XS_TRANSACTION_END)
		journal_mark_conn(c);
	/* Written before the reply leaves. */
	journal_commit();
}
