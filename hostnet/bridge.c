/*
 * vif-bridge: enslave a vif to a Linux bridge.
 *
 * Upstream's script gives the vif the bridge's MTU (or the one from
 * mtu=), adds it to the bridge and brings it up; offline takes it out and
 * down.  We do the same through netlink, checking first that the bridge
 * exists and is one, so the user gets "bridge xenbr0 does not exist"
 * instead of a netlink error code.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "hn_internal.h"

/* The bridge named `bridge`, or a clear error. */
static int
bridge_get(struct hn_ctx *ctx, const char *bridge, struct rtnl_link **out)
{
	if (hn_link_get(ctx, bridge, out) < 0) {
		if (errno == ENOENT)
			return hn_fail(ctx, ENOENT, "bridge %s does not exist",
			    bridge);
		return -1;
	}
	if (!rtnl_link_is_bridge(*out)) {
		rtnl_link_put(*out);
		*out = NULL;
		return hn_fail(ctx, EINVAL, "%s is not a bridge", bridge);
	}
	return 0;
}

int
hn_bridge_check(struct hn_ctx *ctx, const char *bridge)
{
	struct rtnl_link *br;

	if (bridge_get(ctx, bridge, &br) < 0)
		return -1;
	rtnl_link_put(br);
	return 0;
}

int
hn_bridge_attach(struct hn_ctx *ctx, const char *bridge, const char *ifname,
    unsigned mtu)
{
	struct rtnl_link *br = NULL, *port = NULL;
	int rc = -1, nlrc;

	if (bridge == NULL || *bridge == '\0')
		bridge = HN_DEFAULT_BRIDGE;
	if (bridge_get(ctx, bridge, &br) < 0)
		goto out;
	if (hn_link_get(ctx, ifname, &port) < 0)
		goto out;
	if (mtu == 0)
		mtu = rtnl_link_get_mtu(br);
	if (hn_link_set_mtu(ctx, ifname, mtu) < 0)
		goto out;
	nlrc = rtnl_link_enslave_ifindex(ctx->sk, rtnl_link_get_ifindex(br),
	    rtnl_link_get_ifindex(port));
	if (nlrc < 0) {
		hn_fail(ctx, hn_nl_errno(nlrc), "cannot add %s to bridge %s: %s",
		    ifname, bridge, nl_geterror(nlrc));
		goto out;
	}
	if (hn_link_set_up(ctx, ifname, true) < 0)
		goto out;
	rc = 0;
out:
	if (port != NULL)
		rtnl_link_put(port);
	if (br != NULL)
		rtnl_link_put(br);
	return rc;
}

/* A vif that is already gone (netback removed it with the backend) has
 * nothing left to undo. */
int
hn_bridge_detach(struct hn_ctx *ctx, const char *ifname)
{
	struct rtnl_link *port = NULL;
	int rc = -1, nlrc;

	if (hn_link_get(ctx, ifname, &port) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (rtnl_link_get_master(port) != 0) {
		nlrc = rtnl_link_release_ifindex(ctx->sk,
		    rtnl_link_get_ifindex(port));
		if (nlrc < 0) {
			hn_fail(ctx, hn_nl_errno(nlrc),
			    "cannot take %s out of its bridge: %s", ifname,
			    nl_geterror(nlrc));
			goto out;
		}
	}
	if (hn_link_set_up(ctx, ifname, false) < 0)
		goto out;
	rc = 0;
out:
	if (port != NULL)
		rtnl_link_put(port);
	return rc;
}

int
hn_bridge_has_port(struct hn_ctx *ctx, const char *bridge, const char *ifname)
{
	struct rtnl_link *br = NULL, *port = NULL;
	int rc = -1;

	if (bridge_get(ctx, bridge, &br) < 0)
		goto out;
	if (hn_link_get(ctx, ifname, &port) < 0) {
		rc = errno == ENOENT ? 0 : -1;
		goto out;
	}
	rc = rtnl_link_get_master(port) == rtnl_link_get_ifindex(br);
out:
	if (port != NULL)
		rtnl_link_put(port);
	if (br != NULL)
		rtnl_link_put(br);
	return rc;
}
