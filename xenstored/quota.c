/*
 * quota.c - the per-domain limits and CONTROL's quota commands.
 *
 * xsd_quota (xsd.h) holds upstream 4.17's defaults; the checks against
 * them sit where the resource is taken (tree.c, watch.c, proto.c, conn.c),
 * the counts in accounting.c.  "quota" and "quota-soft" show and set the
 * limits by upstream's names, and "quota <domid>" shows one domain's use.
 * Each name maps to its field through quota_desc tables below.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "xsd.h"

struct xsd_quota xsd_quota = {
	.nodes = 1000,
	.watches = 128,
	.transactions = 10,
	.outstanding = 20,
	.trans_nodes = 1024,
	.memory_hard = 2 * 1024 * 1024 + 512 * 1024,
	.memory_soft = 2 * 1024 * 1024,
	.node_size = 2048,
	.path_max = XENSTORE_REL_PATH_MAX,
	.perms = 5,
	.watch_event_timeout_ms = 20000,
	.pending_events = 65536,
	.conn_max = 0,
	.conn_timeout_ms = 0,
	.write_rate = 200,
	.write_burst = 10,
};

/* A quota's CONTROL name, its field and "quota"'s description of it. */
struct quota_desc {
	const char *name;
	int *val;
	const char *descr;
};

static const struct quota_desc hard_quotas[] = {
	{ "nodes", &xsd_quota.nodes, "Nodes per domain" },
	{ "watches", &xsd_quota.watches, "Watches per domain" },
	{ "transactions", &xsd_quota.transactions, "Transactions per domain" },
	{ "outstanding", &xsd_quota.outstanding, "Outstanding requests per domain" },
	{ "transaction-nodes", &xsd_quota.trans_nodes,
	  "Max. number of accessed nodes per transaction" },
	{ "memory", &xsd_quota.memory_hard,
	  "Total Xenstore memory per domain (error level)" },
	{ "node-size", &xsd_quota.node_size, "Max. size of a node" },
	{ "path-max", &xsd_quota.path_max, "Max. length of a node path" },
	{ "permissions", &xsd_quota.perms, "Max. number of permissions per node" },
	{ "pending-events", &xsd_quota.pending_events,
	  "Max. number of unread watch events per connection" },
	{ NULL, NULL, NULL }
};

static const struct quota_desc soft_quotas[] = {
	{ "memory", &xsd_quota.memory_soft,
	  "Total Xenstore memory per domain (warning level)" },
	{ NULL, NULL, NULL }
};

static int quota_show(struct conn *c, const struct quota_desc *q)
{
	char buf[2048];
	size_t used;

	used = (size_t)snprintf(buf, sizeof(buf), "Quota settings:\n");
	for (; q->name && used < sizeof(buf); q++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used,
		                         "%-17s: %8d %s\n", q->name, *q->val, q->descr);
	send_reply(c, XS_CONTROL, buf, strlen(buf) + 1);
	return 0;
}

static int quota_set(struct conn *c, const char **v, unsigned int n,
                     const struct quota_desc *q)
{
	unsigned long val;

	if (n != 2 || parse_uint(v[1], INT_MAX, &val) < 0 || val < 1)
		return EINVAL;
	for (; q->name; q++) {
		if (strcmp(v[0], q->name) == 0) {
			*q->val = (int)val;
			if (q->val == &xsd_quota.path_max &&
			    xsd_quota.path_max > XENSTORE_REL_PATH_MAX)
				xsd_quota.path_max = XENSTORE_REL_PATH_MAX;
			send_ack(c);
			return 0;
		}
	}
	return EINVAL;
}

static int quota_domain(struct conn *c, const char *arg)
{
	char buf[512];
	uint32_t domid;
	struct dacct *d;
	struct conn *i;
	unsigned int ntx = 0, nout = 0;

	if (parse_domid(arg, &domid) < 0)
		return EINVAL;
	d = dacct_get(domid);
	if (!d || (domid != 0 && !domain_is_introduced(domid) && d->nodes == 0))
		return ENOENT;
	for (i = xsd_conns; i; i = i->next) {
		if (i->is_domain && i->id == domid) {
			ntx = i->ntxns;
			nout = i->outstanding;
		}
	}
	snprintf(buf, sizeof(buf),
	         "Domain %u:\n%-16s: %8u\n%-16s: %8u\n%-16s: %8u\n%-16s: %8u\n"
	         "%-16s: %8ld\n", domid, "nodes", d->nodes, "watches", d->watches,
	         "transactions", ntx, "outstanding", nout, "memory", d->memory);
	send_reply(c, XS_CONTROL, buf, strlen(buf) + 1);
	return 0;
}

int ctl_quota(struct conn *c, const char **v, unsigned int n)
{
	if (n == 0)
		return quota_show(c, hard_quotas);
	if (strcmp(v[0], "set") == 0)
		return quota_set(c, v + 1, n - 1, hard_quotas);
	if (n != 1)
		return EINVAL;
	return quota_domain(c, v[0]);
}

int ctl_quota_soft(struct conn *c, const char **v, unsigned int n)
{
	if (n == 0)
		return quota_show(c, soft_quotas);
	if (strcmp(v[0], "set") == 0)
		return quota_set(c, v + 1, n - 1, soft_quotas);
	return EINVAL;
}
