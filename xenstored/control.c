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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "xsd.h"

/* Set by CONTROL log on|off. */
bool xsd_trace;

/* check: look for inconsistencies, repair them unless -R (tree.c). */
static int ctl_check(struct conn *c, const char **v, unsigned int n)
{
	if (n)
		return EINVAL;
	tree_check_store();
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

/* The memory report: what the database and the connections hold, and
 * what each domain is charged for (upstream prints talloc's allocation
 * tree here; ours has no allocator of its own to report on). */
static void write_memreport(FILE *f)
{
	unsigned int nconn = 0, nwatch = 0, ntxn = 0;
	size_t queued = 0;
	struct outmsg *m;
	struct dacct *d;
	struct conn *i;
	uint32_t domid;

	for (i = xsd_conns; i; i = i->next) {
		nconn++;
		nwatch += i->nwatches;
		ntxn += i->ntxns;
		for (m = i->out_head; m; m = m->next)
			queued += m->len;
	}
	fprintf(f, "xenstored memory report\n"
	        "nodes: %zu\nhash buckets: %zu\ngeneration: %" PRIu64 "\n"
	        "connections: %u\nwatches: %u\ntransactions: %u\n"
	        "queued output bytes: %zu\n", xsd_db.count, xsd_db.nbuckets,
	        xsd_generation, nconn, nwatch, ntxn, queued);
	for (domid = 0; domid < 65536; domid++) {
		d = dacct_peek(domid);
		if (d && (d->nodes || d->watches || d->memory))
			fprintf(f, "domain %u: nodes %u watches %u memory %ld\n",
			        domid, d->nodes, d->watches, d->memory);
	}
}

/*
 * memreport [FILE]: as upstream, append the report to FILE, or without
 * one to the trace file (-T, "logfile"); EBADF when there is no trace
 * file or FILE cannot be opened (EBADF has no xs_wire name, so the client
 * sees EINVAL, exactly as from upstream).  The reply is OK, not the report.
 */
static int ctl_memreport(struct conn *c, const char **v, unsigned int n)
{
	FILE *f;
	int bad;

	if (n > 1)
		return EINVAL;
	if (n == 0) {
		if (!xsd_trace_fp)
			return EBADF;
		write_memreport(xsd_trace_fp);
		if (fflush(xsd_trace_fp) != 0)
			return EIO;
		send_ack(c);
		return 0;
	}
	f = fopen(v[0], "a");
	if (!f)
		return EBADF;
	write_memreport(f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return EIO;
	send_ack(c);
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
