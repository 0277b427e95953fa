/*
 * hostnet's private state and helpers, shared by its source files:
 * ctx.c (context, errors, names), link.c (links and sysctls), bridge.c,
 * route.c (addresses and routes, vif-route), nat.c (vif-nat, nftables)
 * and script.c (user hotplug scripts).
 */
#ifndef HN_INTERNAL_H
#define HN_INTERNAL_H

#include <stdint.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "hostnet.h"

struct nft_ctx;

struct hn_ctx {
	struct nl_sock	*sk;		/* NETLINK_ROUTE, connected */
	struct nft_ctx	*nft;		/* opened on first NAT call */
	char		 errmsg[256];	/* last failure, one line */
};

/* Record a one-line message, set errno to `err`, return -1. */
int hn_fail(struct hn_ctx *ctx, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* nat.c: close the context's nftables handle, if it has one. */
void hn_nat_close(struct hn_ctx *ctx);
/* A libnl error code (negative NLE_*) as the closest errno. */
int hn_nl_errno(int nlerr);
/* Interface names go into nft commands and /proc paths, so accept only
 * what a vif, bridge or netdev name really looks like. */
bool hn_ifname_ok(const char *name);

/* The link named `ifname` fresh from the kernel; ENOENT names it. */
int hn_link_get(struct hn_ctx *ctx, const char *ifname, struct rtnl_link **out);
/* Write "1"/"0" to /proc/sys/net/ipv4/conf/IF/KEY. */
int hn_sysctl_conf(struct hn_ctx *ctx, const char *ifname, const char *key,
    const char *val);

/* One IPv4 address with an optional prefix (32 when absent). */
struct hn_ip4 {
	struct in_addr	addr;
	unsigned	prefix;
};
/* Strictly parse "A.B.C.D" or "A.B.C.D/N". */
int hn_ip4_parse(const char *s, struct hn_ip4 *out);
/* First IPv4 address on ifname into *out; ENOENT if it has none. */
int hn_ip4_of(struct hn_ctx *ctx, const char *ifname, struct in_addr *out);
/* Name of the device that carries the IPv4 default route. */
int hn_default_dev(struct hn_ctx *ctx, char *out, size_t len);
/* Add or remove ADDR/32 on ifname; removing an absent one succeeds. */
int hn_addr_add(struct hn_ctx *ctx, const char *ifname, struct in_addr a);
int hn_addr_del(struct hn_ctx *ctx, const char *ifname, struct in_addr a);
/* Add or remove "DST dev ifname [src SRC] metric M" in the main table;
 * src may be NULL.  Removing an absent route succeeds. */
int hn_route_add(struct hn_ctx *ctx, const char *ifname,
    const struct hn_ip4 *dst, const struct in_addr *src, uint32_t metric);
int hn_route_del(struct hn_ctx *ctx, const char *ifname,
    const struct hn_ip4 *dst, uint32_t metric);

#endif
