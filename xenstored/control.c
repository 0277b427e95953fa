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
