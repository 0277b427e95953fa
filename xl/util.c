/*
 * util.c - helpers shared by all xl commands (see xl.h): command lookup,
 * help, option parsing with upstream xl's rules, strict numbers, and the
 * lazily opened liblight context.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "liblight.h"
#include "strnum.h"
#include "xl.h"

/*
 * The lifecycle commands are linked in only when xl/lifecycle_cmds.c is
 * part of the build; a weak reference is NULL when nothing defines it.
 */
extern const struct xl_command xl_lifecycle_commands[] __attribute__((weak));

int xl_verbose;
bool xl_force;
bool xl_dryrun;
bool xl_timestamps;

/*
 * The lock files xend, the toolstack before xl, held while it ran.
 * Upstream xl refused to modify domains while one existed (two
 * toolstacks managing the same domains corrupt each other's state);
 * global -f overrides that refusal.
 */
const char *const xl_xend_locks[] = {
	"/var/lock/subsys/xend",
	"/var/lock/xend",
	NULL,
};

/* Both tables, in the order `xl help` lists them. */
static const struct xl_command *
table(int i)
{
	switch (i) {
	case 0:
		return xl_lifecycle_commands;   /* may be NULL */
	case 1:
		return xl_base_commands;
	default:
		return NULL;
	}
}
#define NTABLES 2

const struct xl_command *
xl_find_command(const char *name)
{
	const struct xl_command *t;
	int i;

	for (i = 0; i < NTABLES; i++) {
		t = table(i);
		for (; t != NULL && t->name != NULL; t++)
			if (strcmp(t->name, name) == 0)
				return t;
	}
	return NULL;
}

void
xl_help(FILE *out, const char *name)
{
	const struct xl_command *t, *cmd;
	int i;

	if (name == NULL || strcmp(name, "help") == 0) {
		fprintf(out, "Usage xl [-vfNT] <subcommand> [args]\n\n");
		fprintf(out, "xl full list of subcommands:\n\n");
		for (i = 0; i < NTABLES; i++) {
			t = table(i);
			for (; t != NULL && t->name != NULL; t++) {
				/* Long names get the text on the next line. */
				fprintf(out, " %-19s ", t->name);
				if (strlen(t->name) > 19)
					fprintf(out, "\n %-19s ", "");
				fprintf(out, "%s\n", t->help);
			}
		}
		return;
	}

	cmd = xl_find_command(name);
	if (cmd == NULL) {
		fprintf(out, "command \"%s\" not implemented\n", name);
		return;
	}
	fprintf(out, "Usage: xl [-vT%s%s] %s %s\n\n%s.\n\n",
	    (cmd->flags & XL_CMD_MODIFIES) ? "f" : "",
	    (cmd->flags & XL_CMD_DRYRUN) ? "N" : "",
	    cmd->name, cmd->usage, cmd->help);
	if (cmd->options != NULL)
		fprintf(out, "Options:\n\n%s\n", cmd->options);
}

int
xl_check_global(const struct xl_command *cmd, const char *const *locks)
{
	int i;

	/* A dry run the command cannot do is refused, as upstream refuses
	 * it: silently running for real would mislead.  -f, by contrast,
	 * only lifts the xend check below, and upstream accepts it on every
	 * command (scripts write `xl -f destroy`), so it is never refused. */
	if (xl_dryrun && !(cmd->flags & XL_CMD_DRYRUN)) {
		fprintf(stderr, "command does not implement -N (dryrun) option\n");
		return -1;
	}
	/* A dry run changes nothing, so it cannot race another toolstack. */
	if (!(cmd->flags & XL_CMD_MODIFIES) || xl_dryrun || xl_force)
		return 0;
	for (i = 0; locks[i] != NULL; i++) {
		if (access(locks[i], F_OK) == 0) {
			xl_warnx("xend is running (%s exists): refusing to run "
			    "'%s' beside it; -f overrides", locks[i], cmd->name);
			return -1;
		}
	}
	return 0;
}

int
xl_getopt_check(int argc, char **argv, const char *opts,
    const struct option *longopts, int nreq, int *badopt)
{
	static const struct option help_only[] = {
		XL_HELP_OPTION,
		{ 0, 0, 0, 0 },
	};
	char optstring[64];
	int opt;

	/* "h" first, then the command's own options. */
	if (snprintf(optstring, sizeof(optstring), "h%s", opts) >=
	    (int)sizeof(optstring))
		abort();        /* a programming error in a command table */
	if (longopts == NULL)
		longopts = help_only;

	opterr = 0;
	opt = getopt_long(argc, argv, optstring, longopts, NULL);
	if (opt == '?') {
		*badopt = optopt;
		return optopt == 'h' ? XL_GETOPT_HELP : XL_GETOPT_BADOPT;
	}
	if (opt == 'h')
		return XL_GETOPT_HELP;
	if (opt != -1)
		return opt;
	if (argc - optind < nreq)
		return XL_GETOPT_MISSING;
	return -1;
}

int
xl_getopt(int argc, char **argv, const char *opts,
    const struct option *longopts, int nreq)
{
	int opt, bad = 0;

	opt = xl_getopt_check(argc, argv, opts, longopts, nreq, &bad);
	switch (opt) {
	case XL_GETOPT_HELP:
		xl_help(stdout, argv[0]);
		exit(0);
	case XL_GETOPT_BADOPT:
		/* A long option has no character: name it as typed. */
		if (bad != 0)
			fprintf(stderr, "option `%c' not supported.\n", bad);
		else
			fprintf(stderr, "option `%s' not supported.\n",
			    argv[optind - 1]);
		exit(2);
	case XL_GETOPT_MISSING:
		fprintf(stderr, "'xl %s' requires at least %d argument%s.\n\n",
		    argv[0], nreq, nreq > 1 ? "s" : "");
		xl_help(stdout, argv[0]);
		exit(2);
	default:
		return opt;
	}
}

int
xl_parse_ulong(const char *s, unsigned long min, unsigned long max,
    unsigned long *out)
{
	uint64_t v;

	/* Decimal digits only: no sign, no spaces, no base prefix. */
	if (strnum_u64(s, 10, min, max, &v) == -1)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

/* ---- The liblight context ------------------------------------------- */

static struct light_ctx *ctx;

static void
close_ctx(void)
{
	light_close(ctx);
	ctx = NULL;
}

struct light_ctx *
xl_ctx(void)
{
	char err[256];

	if (ctx != NULL)
		return ctx;
	ctx = light_open(0, err, sizeof(err));
	if (ctx == NULL) {
		xl_warnx("%s", err);
		exit(EXIT_FAILURE);
	}
	atexit(close_ctx);
	/* xl.conf's autoballoon applies to every create of this run; the
	 * value was checked when xl.conf was read. */
	(void)light_set_autoballoon(ctx, xl_conf()->autoballoon);
	return ctx;
}

uint32_t
xl_find_domain(const char *arg)
{
	uint32_t domid;

	if (light_domain_lookup(xl_ctx(), arg, &domid) == 0)
		return domid;
	/*
	 * Upstream prints libxl's ERROR_INVAL (-6) for a name nobody has;
	 * other failures (xenstore unreachable...) get our own message.
	 */
	if (errno == ENOENT || errno == EINVAL || errno == ERANGE)
		fprintf(stderr, "%s is an invalid domain identifier (rc=-6)\n",
		    arg);
	else
		xl_warnx("%s", light_errmsg(xl_ctx()));
	exit(EXIT_FAILURE);
}

/*
 * Global -T: the date, time zone and pid before each message, as
 * upstream's logger writes them, so messages of several xl processes in
 * one log can be told apart and ordered.
 */
static void
log_stamp(FILE *f)
{
	char when[64];
	struct tm tm;
	time_t now;

	now = time(NULL);
	if (localtime_r(&now, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S %Z", &tm) > 0)
		fprintf(f, "%s ", when);
	fprintf(f, "[%ld] ", (long)getpid());
}

void
xl_warnx(const char *fmt, ...)
{
	va_list ap;

	if (xl_timestamps)
		log_stamp(stderr);
	fputs("xl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
