/*
 * control.c - XS_CONTROL, upstream's "xenstore-control" commands.
 *
 * A CONTROL payload is a command name and its arguments, each a
 * NUL-terminated string.  Each command is one function in ctl_cmds[],
 * which is also what "help" prints; only privileged connections get here
 * (decode.c's table says so).
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "xsd.h"

/* Set by CONTROL log on|off. */
bool xsd_trace;

static int ctl_check(struct conn *c, const char **v, unsigned int n)
{
	char msg[256];

	if (n)
		return EINVAL;
	if (tree_check(msg, sizeof(msg)) < 0)
		syslog(LOG_ERR, "store check: %s", msg);
	send_ack(c);
	return 0;
}

static int ctl_log(struct conn *c, const char **v, unsigned int n)
{
	if (n != 1)
		return EINVAL;
	if (strcmp(v[0], "on") == 0)
		xsd_trace = true;
	else if (strcmp(v[0], "off") == 0)
		xsd_trace = false;
	else
		return EINVAL;
	send_ack(c);
	return 0;
}

/* Trace to a (new) file, as upstream's "logfile". */
static int ctl_logfile(struct conn *c, const char **v, unsigned int n)
{
	FILE *f;

	if (n != 1)
		return EINVAL;
	f = fopen(v[0], "a");
	if (!f)
		return errno == ENOENT ? ENOENT : EACCES;
	if (xsd_trace_fp)
		fclose(xsd_trace_fp);
	xsd_trace_fp = f;
	xsd_trace = true;
	send_ack(c);
	return 0;
}

static int ctl_print(struct conn *c, const char **v, unsigned int n)
{
	if (n != 1)
		return EINVAL;
	xsd_log("control print: %s", v[0]);
	send_ack(c);
	return 0;
}

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

static int ctl_quota(struct conn *c, const char **v, unsigned int n)
{
	if (n == 0)
		return quota_show(c, hard_quotas);
	if (strcmp(v[0], "set") == 0)
		return quota_set(c, v + 1, n - 1, hard_quotas);
	if (n != 1)
		return EINVAL;
	return quota_domain(c, v[0]);
}

static int ctl_quota_soft(struct conn *c, const char **v, unsigned int n)
{
	if (n == 0)
		return quota_show(c, soft_quotas);
	if (strcmp(v[0], "set") == 0)
		return quota_set(c, v + 1, n - 1, soft_quotas);
	return EINVAL;
}

static int ctl_memreport(struct conn *c, const char **v, unsigned int n)
{
	char buf[256];
	unsigned int nconn = 0;
	struct conn *i;

	if (n > 1)
		return EINVAL;
	for (i = xsd_conns; i; i = i->next)
		nconn++;
	snprintf(buf, sizeof(buf), "nodes: %zu\nconnections: %u\ngeneration: %"
	         PRIu64 "\n", xsd_db.count, nconn, xsd_generation);
	send_reply(c, XS_CONTROL, buf, strlen(buf) + 1);
	return 0;
}

static int ctl_help(struct conn *c, const char **v, unsigned int n);

static const struct ctl_cmd {
	const char *name;
	int (*fn)(struct conn *c, const char **v, unsigned int n);
	const char *pars;
} ctl_cmds[] = {
	{ "check", ctl_check, "" },
	{ "log", ctl_log, "on|off" },
	{ "logfile", ctl_logfile, "<file>" },
	{ "memreport", ctl_memreport, "[<file>]" },
	{ "print", ctl_print, "<string>" },
	{ "quota", ctl_quota, "[set <name> <val>|<domid>]" },
	{ "quota-soft", ctl_quota_soft, "[set <name> <val>]" },
	{ "help", ctl_help, "" },
};
#define NCTL (sizeof(ctl_cmds) / sizeof(ctl_cmds[0]))

static int ctl_help(struct conn *c, const char **v, unsigned int n)
{
	char buf[1024];
	size_t used = 0, i;

	if (n)
		return EINVAL;
	buf[0] = 0;
	for (i = 0; i < NCTL; i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\t%s\n",
		                         ctl_cmds[i].name, ctl_cmds[i].pars);
	send_reply(c, XS_CONTROL, buf, strlen(buf) + 1);
	return 0;
}

/* <command>|<args>|* */
int do_control(struct conn *c, const char *p, unsigned int len)
{
	const char *vec[16];
	unsigned int n, i;

	if (!len || !memchr(p, 0, len))
		return EINVAL;
	for (i = 0; i < NCTL; i++)
		if (strcmp(p, ctl_cmds[i].name) == 0)
			break;
	if (i == NCTL)
		return EINVAL;
	n = get_strings(p, len, vec, 16);
	if (n > 16)
		return EINVAL;
	return ctl_cmds[i].fn(c, vec + 1, n - 1);
}
