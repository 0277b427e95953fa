/*
 * proto.c - the request handlers for nodes, transactions and domains.
 *
 * One function per xs_wire message type (READ, WRITE, DIRECTORY, ...,
 * INTRODUCE, SET_TARGET), called by process_request (decode.c) with the
 * payload and c->txn set.  Handlers check the arguments, call the
 * database (tree.c), transactions (txn.c) or domains (domain.c), and
 * queue the reply; they return 0, or an errno value that decode.c sends
 * as XS_ERROR.  Watches have their handlers in watch.c, CONTROL in
 * control.c.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"



/* ---- Handlers ------------------------------------------------------------ */

/* Resolve the request's path argument and fetch the node with `perm`. */
static struct node *get_node(struct conn *c, const char *arg, unsigned int perm,
                             char **canon)
{
	char *path;
	struct node *n;

	*canon = NULL;
	if (!arg) {
		errno = EINVAL;
		return NULL;
	}
	path = path_canonical(c, arg);
	if (!path) {
		errno = ENOMEM;
		return NULL;
	}
	n = tree_get(c, path, perm);
	*canon = path;
	return n;
}

int do_read(struct conn *c, const char *p, unsigned int len)
{
	char *path;
	struct node *n = get_node(c, onearg(p, len), XSD_PERM_READ, &path);
	int ret = n ? 0 : errno;

	if (n)
		send_reply(c, XS_READ, n->data, n->datalen);
	free(path);
	return ret;
}

int do_directory(struct conn *c, const char *p, unsigned int len)
{
	char *path;
	struct node *n = get_node(c, onearg(p, len), XSD_PERM_READ, &path);
	int ret = n ? 0 : errno;

	if (n)
		send_reply(c, XS_DIRECTORY, n->children, n->childlen);
	free(path);
	return ret;
}

/* <path>|<offset>| -> <generation>|<children from offset>... with a final
 * empty string once the list is complete. */
int do_directory_part(struct conn *c, const char *p, unsigned int len)
{
	char gen[24], *data = NULL, *path = NULL, *child;
	unsigned int genlen, maxlen, clen = 0;
	unsigned long off;
	struct node *n;
	const char *vec[2];
	int ret;

	if (count_strings(p, len) != 2)
		return EINVAL;
	get_strings(p, len, vec, 2);
	n = get_node(c, vec[0], XSD_PERM_READ, &path);
	if (!n) {
		ret = errno;
		goto out;
	}
	if (parse_uint(vec[1], UINT_MAX, &off) < 0) {
		ret = EINVAL;
		goto out;
	}
	genlen = (unsigned)snprintf(gen, sizeof(gen), "%" PRIu64, n->gen) + 1;
	if (off >= n->childlen) {
		char reply[sizeof(gen) + 1];

		memcpy(reply, gen, genlen);
		reply[genlen] = 0;
		send_reply(c, XS_DIRECTORY_PART, reply, genlen + 1);
		ret = 0;
		goto out;
	}
	maxlen = XENSTORE_PAYLOAD_MAX - genlen - 1;
	child = n->children + off;
	while (clen + strlen(child) < maxlen) {
		clen += strlen(child) + 1;
		child += strlen(child) + 1;
		if (off + clen == n->childlen)
			break;
	}
	data = malloc(genlen + clen + 1);
	if (!data) {
		ret = ENOMEM;
		goto out;
	}
	memcpy(data, gen, genlen);
	memcpy(data + genlen, n->children + off, clen);
	if (off + clen == n->childlen)
		data[genlen + clen++] = 0;
	send_reply(c, XS_DIRECTORY_PART, data, genlen + clen);
	ret = 0;
out:
	free(data);
	free(path);
	return ret;
}

/* <path>|<value> (the value may hold anything, NULs included) */
int do_write(struct conn *c, const char *p, unsigned int len)
{
	const char *vec[1];
	char *path;
	unsigned int off;
	int ret = 0;

	if (get_strings(p, len, vec, 1) < 1)
		return EINVAL;
	off = (unsigned int)strlen(vec[0]) + 1;
	path = path_canonical(c, vec[0]);
	if (!path)
		return ENOMEM;
	if (tree_write(c, path, p + off, len - off, false) < 0)
		ret = errno;
	else
		send_ack(c);
	free(path);
	return ret;
}

int do_mkdir(struct conn *c, const char *p, unsigned int len)
{
	const char *arg = onearg(p, len);
	char *path;
	int ret = 0;

	if (!arg)
		return EINVAL;
	path = path_canonical(c, arg);
	if (!path)
		return ENOMEM;
	if (tree_write(c, path, NULL, 0, true) < 0)
		ret = errno;
	else
		send_ack(c);
	free(path);
	return ret;
}

int do_rm(struct conn *c, const char *p, unsigned int len)
{
	const char *arg = onearg(p, len);
	char *path;
	int ret = 0;

	if (!arg)
		return EINVAL;
	path = path_canonical(c, arg);
	if (!path)
		return ENOMEM;
	if (tree_rm(c, path) < 0)
		ret = errno;
	else
		send_ack(c);
	free(path);
	return ret;
}

int do_get_perms(struct conn *c, const char *p, unsigned int len)
{
	char *path, *buf = NULL;
	struct node *n = get_node(c, onearg(p, len), XSD_PERM_READ, &path);
	size_t used = 0;
	int ret = 0;

	if (!n) {
		ret = errno;
		goto out;
	}
	buf = perm_format(n->perms, n->nperms, &used);
	if (!buf) {
		ret = ENOMEM;
		goto out;
	}
	send_reply(c, XS_GET_PERMS, buf, used);
out:
	free(buf);
	free(path);
	return ret;
}

/* <path>|<perm>|+ */
int do_set_perms(struct conn *c, const char *p, unsigned int len)
{
	unsigned int num = count_strings(p, len), i;
	struct xsd_perm *perms = NULL;
	const char *s;
	char *path = NULL;
	int ret = 0;

	if (num < 2)
		return EINVAL;
	num--;
	if (!conn_privileged(c) && num > (unsigned)xsd_quota.perms)
		return ENOSPC;
	perms = calloc(num, sizeof(*perms));
	if (!perms)
		return ENOMEM;
	s = p + strlen(p) + 1;
	for (i = 0; i < num; i++, s += strlen(s) + 1) {
		if (perm_parse(s, &perms[i]) < 0) {
			ret = EINVAL;
			goto out;
		}
		if (!domain_exists(perms[i].id))
			perms[i].perms |= XSD_PERM_IGNORE;
	}
	if (perms[0].perms & XSD_PERM_IGNORE) {
		ret = ENOENT;
		goto out;
	}
	if (p[0] == '@') {
		ret = special_set_perms(c, p, perms, num);
		if (ret == 0) {
			perms = NULL;       /* the special node has them now */
			send_ack(c);
		}
		goto out;
	}
	path = path_canonical(c, p);
	if (!path) {
		ret = ENOMEM;
		goto out;
	}
	if (tree_set_perms(c, path, perms, num) < 0)
		ret = errno;
	else
		send_ack(c);
out:
	free(path);
	free(perms);
	return ret;
}

int do_transaction_start(struct conn *c, const char *p, unsigned int len)
{
	struct txn *t;
	char id[16];

	/* No nesting: tx_id must be 0 here. */
	if (c->txn)
		return EBUSY;
	if (!conn_privileged(c) && c->ntxns > (unsigned)xsd_quota.transactions)
		return ENOSPC;
	t = txn_new(c);
	if (!t)
		return ENOMEM;
	snprintf(id, sizeof(id), "%u", t->id);
	send_reply(c, XS_TRANSACTION_START, id, strlen(id) + 1);
	return 0;
}

int do_transaction_end(struct conn *c, const char *p, unsigned int len)
{
	const char *arg = onearg(p, len);
	struct txn *t = c->txn;
	int ret;

	if (!arg || (strcmp(arg, "T") != 0 && strcmp(arg, "F") != 0))
		return EINVAL;
	if (!t)
		return ENOENT;
	/* Events queued in t must now go out for real. */
	c->txn = NULL;
	ret = txn_end(c, t, arg[0] == 'T');
	if (ret)
		return ret;
	send_ack(c);
	return 0;
}

/* <domid>|<mfn>|<evtchn>| */
int do_introduce(struct conn *c, const char *p, unsigned int len)
{
	const char *vec[3];
	unsigned long mfn, port;
	uint32_t domid;

	if (get_strings(p, len, vec, 3) < 3)
		return EINVAL;
	if (parse_domid(vec[0], &domid) < 0 ||
	    parse_uint(vec[1], ULONG_MAX, &mfn) < 0 ||
	    parse_uint(vec[2], UINT32_MAX, &port) < 0 || port == 0)
		return EINVAL;
	if (domain_introduce(domid, mfn, (uint32_t)port) < 0)
		return errno;
	send_ack(c);
	return 0;
}

static int onearg_domid(const char *p, unsigned int len, uint32_t *domid)
{
	const char *arg = onearg(p, len);

	if (!arg || parse_domid(arg, domid) < 0)
		return EINVAL;
	return 0;
}

int do_release(struct conn *c, const char *p, unsigned int len)
{
	uint32_t domid;

	if (onearg_domid(p, len, &domid) || domid == 0)
		return EINVAL;
	if (domain_release(domid) < 0)
		return errno;
	send_ack(c);
	return 0;
}

int do_resume(struct conn *c, const char *p, unsigned int len)
{
	uint32_t domid;

	if (onearg_domid(p, len, &domid) || domid == 0)
		return EINVAL;
	if (domain_resume(domid) < 0)
		return errno;
	send_ack(c);
	return 0;
}

int do_get_domain_path(struct conn *c, const char *p, unsigned int len)
{
	char path[32];
	uint32_t domid;

	if (onearg_domid(p, len, &domid))
		return EINVAL;
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	send_reply(c, XS_GET_DOMAIN_PATH, path, strlen(path) + 1);
	return 0;
}

int do_is_domain_introduced(struct conn *c, const char *p,
                                   unsigned int len)
{
	uint32_t domid;
	bool yes;

	if (onearg_domid(p, len, &domid))
		return EINVAL;
	yes = domid == 0x7FF0 /* DOMID_SELF */ || domain_is_introduced(domid);
	send_reply(c, XS_IS_DOMAIN_INTRODUCED, yes ? "T" : "F", 2);
	return 0;
}

int do_set_target(struct conn *c, const char *p, unsigned int len)
{
	const char *vec[2];
	uint32_t domid, tdomid;

	if (get_strings(p, len, vec, 2) < 2)
		return EINVAL;
	if (parse_domid(vec[0], &domid) < 0 || parse_domid(vec[1], &tdomid) < 0)
		return EINVAL;
	if (domain_set_target(domid, tdomid) < 0)
		return errno;
	send_ack(c);
	return 0;
}
