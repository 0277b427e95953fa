/*
 * Addresses and routes, and vif-route on top of them.
 *
 * vif-route (Xen 4.17, tools/hotplug/Linux/vif-route) puts Dom0's own
 * address (that of netdev, upstream's "gatewaydev") on the vif as a /32,
 * brings the vif up with proxy ARP on, and adds for each of the guest's
 * ip= addresses a route "ADDR dev vif src DOM0IP metric 2".  The guest then
 * sees Dom0 as a neighbour on its link and Dom0 routes the guest's
 * addresses to it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <netlink/errno.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "hn_internal.h"

/* Upstream's metric for routes to a PV vif (tap devices get 1). */
#define ROUTE_METRIC	2
/* Most addresses one ip= list may carry. */
#define MAX_IPS		16

int
hn_ip4_parse(const char *s, struct hn_ip4 *out)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	unsigned long prefix = 32;

	if (s == NULL || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return -1;
		errno = 0;
		prefix = strtoul(slash, &end, 10);
		if (errno != 0 || *end != '\0' || prefix > 32)
			return -1;
	}
	if (inet_pton(AF_INET, buf, &out->addr) != 1)
		return -1;
	out->prefix = prefix;
	return 0;
}

/* The address as libnl wants it, with a prefix length. */
static struct nl_addr *
nl_ip4(struct in_addr a, unsigned prefix)
{
	struct nl_addr *na;

	if ((na = nl_addr_build(AF_INET, &a, sizeof(a))) != NULL)
		nl_addr_set_prefixlen(na, prefix);
	return na;
}

/* ifindex of ifname, or -1 with the context's message. */
static int
ifindex_of(struct hn_ctx *ctx, const char *ifname)
{
	struct rtnl_link *link;
	int idx;

	if (hn_link_get(ctx, ifname, &link) < 0)
		return -1;
	idx = rtnl_link_get_ifindex(link);
	rtnl_link_put(link);
	return idx;
}

int
hn_ip4_of(struct hn_ctx *ctx, const char *ifname, struct in_addr *out)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct nl_addr *local;
	int idx, rc = -1, nlrc;

	if ((idx = ifindex_of(ctx, ifname)) < 0)
		return -1;
	if ((nlrc = rtnl_addr_alloc_cache(ctx->sk, &cache)) < 0)
		return hn_fail(ctx, hn_nl_errno(nlrc), "cannot list addresses: %s",
		    nl_geterror(nlrc));
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;

		if (rtnl_addr_get_ifindex(a) != idx ||
		    rtnl_addr_get_family(a) != AF_INET ||
		    (rtnl_addr_get_flags(a) & IFA_F_SECONDARY))
			continue;
		if ((local = rtnl_addr_get_local(a)) == NULL ||
		    nl_addr_get_len(local) != sizeof(*out))
			continue;
		memcpy(out, nl_addr_get_binary_addr(local), sizeof(*out));
		rc = 0;
		break;
	}
	if (rc < 0)
		hn_fail(ctx, ENOENT, "%s has no IPv4 address", ifname);
	nl_cache_free(cache);
	return rc;
}

int
hn_default_dev(struct hn_ctx *ctx, char *out, size_t len)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	struct rtnl_link *link;
	int idx = 0, nlrc;

	if ((nlrc = rtnl_route_alloc_cache(ctx->sk, AF_INET, 0, &cache)) < 0)
		return hn_fail(ctx, hn_nl_errno(nlrc), "cannot list routes: %s",
		    nl_geterror(nlrc));
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_route *r = (struct rtnl_route *)obj;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		struct rtnl_nexthop *nh;

		if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
		    (dst != NULL && nl_addr_get_prefixlen(dst) != 0) ||
		    rtnl_route_get_nnexthops(r) < 1)
			continue;
		nh = rtnl_route_nexthop_n(r, 0);
		if ((idx = rtnl_route_nh_get_ifindex(nh)) > 0)
			break;
	}
	nl_cache_free(cache);
	if (idx <= 0)
		return hn_fail(ctx, ENOENT, "Dom0 has no IPv4 default route");
	if ((nlrc = rtnl_link_get_kernel(ctx->sk, idx, NULL, &link)) < 0)
		return hn_fail(ctx, hn_nl_errno(nlrc), "default route device: %s",
		    nl_geterror(nlrc));
	snprintf(out, len, "%s", rtnl_link_get_name(link));
	rtnl_link_put(link);
	return 0;
}

/* Add (add=true) or delete ADDR/32 on ifname. */
static int
addr_change(struct hn_ctx *ctx, const char *ifname, struct in_addr a, bool add)
{
	struct rtnl_addr *ra = NULL;
	struct nl_addr *na = NULL;
	char text[INET_ADDRSTRLEN];
	int idx, rc = -1, nlrc;

	inet_ntop(AF_INET, &a, text, sizeof(text));
	if ((idx = ifindex_of(ctx, ifname)) < 0) {
		if (!add && errno == ENOENT)
			rc = 0;		/* the link took its addresses along */
		goto out;
	}
	if ((ra = rtnl_addr_alloc()) == NULL || (na = nl_ip4(a, 32)) == NULL) {
		hn_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	rtnl_addr_set_ifindex(ra, idx);
	rtnl_addr_set_family(ra, AF_INET);
	if ((nlrc = rtnl_addr_set_local(ra, na)) < 0) {
		hn_fail(ctx, hn_nl_errno(nlrc), "address %s: %s", text,
		    nl_geterror(nlrc));
		goto out;
	}
	nlrc = add ? rtnl_addr_add(ctx->sk, ra, 0) : rtnl_addr_delete(ctx->sk, ra, 0);
	if (nlrc == -NLE_EXIST && add)
		nlrc = 0;
	if (!add && (nlrc == -NLE_NOADDR || nlrc == -NLE_OBJ_NOTFOUND ||
	    nlrc == -NLE_NODEV))
		nlrc = 0;
	if (nlrc < 0) {
		hn_fail(ctx, hn_nl_errno(nlrc), "cannot %s address %s %s %s: %s",
		    add ? "add" : "remove", text, add ? "to" : "from", ifname,
		    nl_geterror(nlrc));
		goto out;
	}
	rc = 0;
out:
	if (na != NULL)
		nl_addr_put(na);
	if (ra != NULL)
		rtnl_addr_put(ra);
	return rc;
}

int
hn_addr_add(struct hn_ctx *ctx, const char *ifname, struct in_addr a)
{
	return addr_change(ctx, ifname, a, true);
}

int
hn_addr_del(struct hn_ctx *ctx, const char *ifname, struct in_addr a)
{
	return addr_change(ctx, ifname, a, false);
}

/*
 * One route "DST dev ifname [src SRC] metric M", link scope, main table.
 * The host bits of DST are cleared, as the kernel wants a network.
 */
static int
route_change(struct hn_ctx *ctx, const char *ifname, const struct hn_ip4 *dst,
    const struct in_addr *src, uint32_t metric, bool add)
{
	struct rtnl_route *r = NULL;
	struct rtnl_nexthop *nh;
	struct nl_addr *nd = NULL, *ns = NULL;
	struct in_addr net = dst->addr;
	char text[INET_ADDRSTRLEN];
	int idx, rc = -1, nlrc;

	if (dst->prefix < 32)
		net.s_addr &= htonl(dst->prefix ? ~0u << (32 - dst->prefix) : 0);
	inet_ntop(AF_INET, &net, text, sizeof(text));
	if ((idx = ifindex_of(ctx, ifname)) < 0) {
		if (!add && errno == ENOENT)
			rc = 0;		/* the kernel dropped the route with it */
		goto out;
	}
	if ((r = rtnl_route_alloc()) == NULL ||
	    (nd = nl_ip4(net, dst->prefix)) == NULL ||
	    (src != NULL && (ns = nl_ip4(*src, 32)) == NULL) ||
	    (nh = rtnl_route_nh_alloc()) == NULL) {
		hn_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	rtnl_route_nh_set_ifindex(nh, idx);
	rtnl_route_add_nexthop(r, nh);		/* r owns nh now */
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_scope(r, RT_SCOPE_LINK);
	rtnl_route_set_protocol(r, RTPROT_BOOT);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_priority(r, metric);
	if ((nlrc = rtnl_route_set_dst(r, nd)) < 0 ||
	    (ns != NULL && (nlrc = rtnl_route_set_pref_src(r, ns)) < 0)) {
		hn_fail(ctx, hn_nl_errno(nlrc), "route %s/%u: %s", text,
		    dst->prefix, nl_geterror(nlrc));
		goto out;
	}
	nlrc = add ? rtnl_route_add(ctx->sk, r, 0) : rtnl_route_delete(ctx->sk, r, 0);
	if (add && nlrc == -NLE_EXIST)
		nlrc = 0;
	if (!add && (nlrc == -NLE_OBJ_NOTFOUND || nlrc == -NLE_NODEV))
		nlrc = 0;
	if (nlrc < 0) {
		hn_fail(ctx, hn_nl_errno(nlrc), "cannot %s route %s/%u dev %s: %s",
		    add ? "add" : "remove", text, dst->prefix, ifname,
		    nl_geterror(nlrc));
		goto out;
	}
	rc = 0;
out:
	if (ns != NULL)
		nl_addr_put(ns);
	if (nd != NULL)
		nl_addr_put(nd);
	if (r != NULL)
		rtnl_route_put(r);
	return rc;
}

int
hn_route_add(struct hn_ctx *ctx, const char *ifname, const struct hn_ip4 *dst,
    const struct in_addr *src, uint32_t metric)
{
	return route_change(ctx, ifname, dst, src, metric, true);
}

int
hn_route_del(struct hn_ctx *ctx, const char *ifname, const struct hn_ip4 *dst,
    uint32_t metric)
{
	return route_change(ctx, ifname, dst, NULL, metric, false);
}

/* Split an ip= list (spaces or commas) into at most MAX_IPS addresses. */
static int
parse_ips(struct hn_ctx *ctx, const char *ips, struct hn_ip4 *out, size_t *n)
{
	char buf[512], *tok, *save = NULL;

	*n = 0;
	if (ips == NULL || strlen(ips) >= sizeof(buf))
		return hn_fail(ctx, EINVAL, "invalid ip list '%s'", ips ? ips : "");
	strcpy(buf, ips);
	for (tok = strtok_r(buf, " ,\t", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,\t", &save)) {
		if (*n == MAX_IPS)
			return hn_fail(ctx, E2BIG, "more than %d addresses in ip=",
			    MAX_IPS);
		if (hn_ip4_parse(tok, &out[*n]) < 0)
			return hn_fail(ctx, EINVAL, "invalid IPv4 address '%s'", tok);
		(*n)++;
	}
	return 0;
}

int
hn_ip_list_check(struct hn_ctx *ctx, const char *ips)
{
	struct hn_ip4 list[MAX_IPS];
	size_t n;

	return parse_ips(ctx, ips, list, &n);
}

/* Remove every /32 IPv4 address on ifname: route and NAT mode put exactly
 * those there, and the vif is the guest's alone. */
static int
flush_host_addrs(struct hn_ctx *ctx, const char *ifname)
{
	struct in_addr found[MAX_IPS];
	struct nl_cache *cache = NULL;
	struct nl_object *obj;
	size_t n = 0, i;
	int idx, nlrc;

	if ((idx = ifindex_of(ctx, ifname)) < 0)
		return errno == ENOENT ? 0 : -1;
	if ((nlrc = rtnl_addr_alloc_cache(ctx->sk, &cache)) < 0)
		return hn_fail(ctx, hn_nl_errno(nlrc), "cannot list addresses: %s",
		    nl_geterror(nlrc));
	for (obj = nl_cache_get_first(cache); obj && n < MAX_IPS;
	    obj = nl_cache_get_next(obj)) {
		struct rtnl_addr *a = (struct rtnl_addr *)obj;
		struct nl_addr *local = rtnl_addr_get_local(a);

		if (rtnl_addr_get_ifindex(a) != idx ||
		    rtnl_addr_get_family(a) != AF_INET || local == NULL ||
		    nl_addr_get_prefixlen(local) != 32 ||
		    nl_addr_get_len(local) != sizeof(found[0]))
			continue;
		memcpy(&found[n++], nl_addr_get_binary_addr(local),
		    sizeof(found[0]));
	}
	nl_cache_free(cache);
	for (i = 0; i < n; i++)
		if (hn_addr_del(ctx, ifname, found[i]) < 0)
			return -1;
	return 0;
}

/* Dom0's address for the vif: gatewaydev's, else the default route
 * device's; none at all is fine only when the user named no device. */
static int
dom0_ip(struct hn_ctx *ctx, const char *gatewaydev, struct in_addr *ip,
    bool *have)
{
	char dev[64];

	*have = false;
	if (gatewaydev != NULL && *gatewaydev != '\0') {
		if (hn_ip4_of(ctx, gatewaydev, ip) < 0)
			return -1;
		*have = true;
		return 0;
	}
	if (hn_default_dev(ctx, dev, sizeof(dev)) < 0 ||
	    hn_ip4_of(ctx, dev, ip) < 0)
		return 0;
	*have = true;
	return 0;
}

int
hn_route_attach(struct hn_ctx *ctx, const char *ifname, const char *ips,
    const char *gatewaydev)
{
	struct hn_ip4 list[MAX_IPS];
	struct in_addr main_ip;
	size_t n, i;
	bool have_ip;
	char msg[sizeof(ctx->errmsg)];
	int saved;

	if (parse_ips(ctx, ips, list, &n) < 0)
		return -1;
	if (hn_link_exists(ctx, ifname) != 1)
		return -1;
	if (dom0_ip(ctx, gatewaydev, &main_ip, &have_ip) < 0)
		return -1;
	if (have_ip && hn_addr_add(ctx, ifname, main_ip) < 0)
		goto fail;
	if (hn_link_set_up(ctx, ifname, true) < 0 ||
	    hn_sysctl_conf(ctx, ifname, "proxy_arp", "1") < 0 ||
	    hn_sysctl_conf(ctx, ifname, "forwarding", "1") < 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (hn_route_add(ctx, ifname, &list[i], have_ip ? &main_ip : NULL,
		    ROUTE_METRIC) < 0)
			goto fail;
	return 0;
fail:
	/* Undo all of it, but report the first failure. */
	saved = errno;
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	(void)hn_route_detach(ctx, ifname, ips);
	snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	errno = saved;
	return -1;
}

int
hn_route_detach(struct hn_ctx *ctx, const char *ifname, const char *ips)
{
	struct hn_ip4 list[MAX_IPS];
	size_t n = 0, i;
	int rc = 0, e;

	if (hn_link_exists(ctx, ifname) == 0)
		return 0;	/* gone, and its routes and addresses with it */
	if (parse_ips(ctx, ips, list, &n) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (hn_route_del(ctx, ifname, &list[i], ROUTE_METRIC) < 0)
			rc = -1;
	/* Keep going after a failure: leave as little behind as we can. */
	e = errno;
	if (flush_host_addrs(ctx, ifname) < 0)
		rc = -1, e = errno;
	if (hn_link_set_up(ctx, ifname, false) < 0)
		rc = -1, e = errno;
	if (hn_sysctl_conf(ctx, ifname, "proxy_arp", "0") < 0 && errno != ENOENT)
		rc = -1, e = errno;
	if (hn_sysctl_conf(ctx, ifname, "forwarding", "0") < 0 && errno != ENOENT)
		rc = -1, e = errno;
	errno = e;
	return rc;
}
