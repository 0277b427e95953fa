/*
 * hn-tool: drive one hostnet call from the command line, so that the
 * shell test can run it inside a network namespace and check the result
 * from the outside with ip(8) and nft(8).  Exit 0 on success; on failure
 * the library's one-line message on stderr and exit 1.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostnet.h"

static unsigned long
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' || v > max)
		errx(2, "bad number '%s'", s);
	return v;
}

/* "-" on the command line means NULL. */
static const char *
opt(int argc, char **argv, int i)
{
	return i < argc && strcmp(argv[i], "-") != 0 ? argv[i] : NULL;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hn-tool exists IF | wait IF MS | rename FROM TO | mtu IF\n"
	    "       bridge-attach BR IF MTU | bridge-detach IF\n"
	    "       route-attach IF IPS [GWDEV] | route-detach IF IPS\n"
	    "       nat-attach IF GUEST [ROUTER [OUTDEV]] | nat-detach IF GUEST [ROUTER]\n"
	    "       nat-has IF | nat-ips DOMID DEVID\n"
	    "       script PATH ACTION MS [NAME=VALUE...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct hn_ctx *ctx = NULL;
	char err[256], buf[64];
	const char *cmd;
	unsigned mtu;
	int rc = -1;

	if (argc < 2)
		usage();
	cmd = argv[1];
	/* The two calls that need no context. */
	if (strcmp(cmd, "script") == 0 && argc >= 5) {
		if (hn_run_script(argv[2], argv[3], argv + 5,
		    (int)number(argv[4], INT_MAX), err, sizeof(err)) < 0)
			errx(1, "%s", err);
		return 0;
	}
	if (strcmp(cmd, "nat-ips") == 0 && argc == 4) {
		char router[64];
		if (hn_nat_guest_ip(number(argv[2], UINT_MAX),
		    number(argv[3], UINT_MAX), buf, sizeof(buf)) < 0 ||
		    hn_nat_router_ip(buf, router, sizeof(router)) < 0)
			errx(1, "nat-ips: %s", strerror(errno));
		printf("%s %s\n", buf, router);
		return 0;
	}
	if (hn_open(&ctx, err, sizeof(err)) < 0)
		errx(1, "%s", err);
	if (strcmp(cmd, "exists") == 0 && argc == 3) {
		rc = hn_link_exists(ctx, argv[2]);
		if (rc >= 0)
			printf("%s\n", rc ? "yes" : "no");
	} else if (strcmp(cmd, "wait") == 0 && argc == 4)
		rc = hn_link_wait(ctx, argv[2], (int)number(argv[3], INT_MAX));
	else if (strcmp(cmd, "rename") == 0 && argc == 4)
		rc = hn_link_rename(ctx, argv[2], argv[3]);
	else if (strcmp(cmd, "mtu") == 0 && argc == 3) {
		if ((rc = hn_link_get_mtu(ctx, argv[2], &mtu)) == 0)
			printf("%u\n", mtu);
	} else if (strcmp(cmd, "bridge-attach") == 0 && argc == 5)
		rc = hn_bridge_attach(ctx, opt(argc, argv, 2), argv[3],
		    (unsigned)number(argv[4], 65535));
	else if (strcmp(cmd, "bridge-detach") == 0 && argc == 3)
		rc = hn_bridge_detach(ctx, argv[2]);
	else if (strcmp(cmd, "route-attach") == 0 && (argc == 4 || argc == 5))
		rc = hn_route_attach(ctx, argv[2], argv[3], opt(argc, argv, 4));
	else if (strcmp(cmd, "route-detach") == 0 && argc == 4)
		rc = hn_route_detach(ctx, argv[2], argv[3]);
	else if (strcmp(cmd, "nat-attach") == 0 && argc >= 4 && argc <= 6)
		rc = hn_nat_attach(ctx, argv[2], argv[3], opt(argc, argv, 4),
		    opt(argc, argv, 5));
	else if (strcmp(cmd, "nat-detach") == 0 && (argc == 4 || argc == 5))
		rc = hn_nat_detach(ctx, argv[2], argv[3], opt(argc, argv, 4));
	else if (strcmp(cmd, "nat-has") == 0 && argc == 3) {
		rc = hn_nat_has_rule(ctx, argv[2]);
		if (rc >= 0)
			printf("%s\n", rc ? "yes" : "no");
	} else
		usage();
	if (rc < 0) {
		fprintf(stderr, "hn-tool: %s\n", hn_errmsg(ctx));
		hn_close(ctx);
		return 1;
	}
	hn_close(ctx);
	return 0;
}
