/*
 * hostnet: Dom0's network plumbing for guest network interfaces.
 *
 * When xen-netback creates vifD.N for a guest, somebody must hook it into
 * Dom0's network: enslave it to a bridge, route the guest's addresses to
 * it, or put it behind NAT.  Upstream does that in the shell scripts
 * vif-bridge, vif-route and vif-nat (tools/hotplug/Linux), run by udev or
 * libxl.  This library does the same in C, through netlink (libnl-route-3)
 * for links, addresses and routes, /proc/sys/net/ipv4/conf/IF/ for
 * proxy_arp and forwarding, and libnftables for NAT.
 *
 * It sits below liblight, beside libctrl, as an OS service: it knows
 * nothing about Xen or xenstore.  Names are Linux interface names.
 *
 * Conventions: functions return 0 on success, -1 with errno set and a
 * one-line message kept in the context (hn_errmsg()).  Nothing prints,
 * nothing exits.  Every *_attach has a *_detach that removes exactly what
 * the attach added and nothing else; a detach of something already gone
 * succeeds, so teardown after a half-done attach is always safe.
 *
 * Threads: a context is used by one thread at a time; different contexts
 * may be used in different threads at once.
 *
 * NAT rules live in nftables table "ip lightstack" (chain "postrouting",
 * type nat, hook postrouting).  Each rule carries the comment
 * "lightstack:IFNAME" so that detach deletes exactly that interface's rule;
 * the table is deleted when its last rule goes.  No other table is ever
 * read or written.
 */
#ifndef HOSTNET_H
#define HOSTNET_H

#include <stdbool.h>
#include <stddef.h>

/* nftables objects owned by Lightstack (see above). */
#define HN_NFT_TABLE "lightstack"
#define HN_NFT_CHAIN "postrouting"

/* Upstream's default bridge for vif-bridge. */
#define HN_DEFAULT_BRIDGE "xenbr0"

struct hn_ctx;

/* Open a netlink route socket (and, lazily, an nftables context). */
int hn_open(struct hn_ctx **out, char *err, size_t errlen);
void hn_close(struct hn_ctx *ctx);

/* The message of the last failure on this context ("" if none). */
const char *hn_errmsg(const struct hn_ctx *ctx);

/* 1 if the interface exists, 0 if not, -1 on error. */
int hn_link_exists(struct hn_ctx *ctx, const char *ifname);

/*
 * Wait until the interface exists (xen-netback creates vifD.N when the
 * backend directory appears).  Polls netlink; ETIMEDOUT after timeout_ms.
 */
int hn_link_wait(struct hn_ctx *ctx, const char *ifname, int timeout_ms);

/* Whether tap devices can be made (/dev/net/tun, which QEMU opens for an
 * emulated NIC's tap): 0, or -1 with errno and a message saying to load
 * the tun module.  No context needed: nothing is opened. */
int hn_tun_check(char *err, size_t errlen);

/* Rename a link (vifname=).  The link is set down first, as the kernel
 * refuses to rename a running interface.  EEXIST if `to` is taken. */
int hn_link_rename(struct hn_ctx *ctx, const char *from, const char *to);

/* Administrative state and MTU of a link. */
int hn_link_set_up(struct hn_ctx *ctx, const char *ifname, bool up);
int hn_link_set_mtu(struct hn_ctx *ctx, const char *ifname, unsigned mtu);
int hn_link_get_mtu(struct hn_ctx *ctx, const char *ifname, unsigned *mtu);

/*
 * vif-bridge: give ifname the MTU `mtu` (0: the bridge's own MTU),
 * enslave it to `bridge`, bring it up.  ENOENT with "bridge xenbr0 does
 * not exist" if there is no such link, ENOTDIR-like EINVAL if the link is
 * not a bridge.
 */
int hn_bridge_attach(struct hn_ctx *ctx, const char *bridge, const char *ifname,
    unsigned mtu);
/* 0 if `bridge` exists and is a bridge; else ENOENT "bridge xenbr0 does
 * not exist" or EINVAL "eth0 is not a bridge".  For checking early. */
int hn_bridge_check(struct hn_ctx *ctx, const char *bridge);
/* Release ifname from its bridge and set it down. */
int hn_bridge_detach(struct hn_ctx *ctx, const char *ifname);
/* 1 if ifname is enslaved to bridge, 0 if not. */
int hn_bridge_has_port(struct hn_ctx *ctx, const char *bridge,
    const char *ifname);

/*
 * vif-route: bring ifname up, turn on proxy_arp and forwarding for it, and
 * add a host route "ADDR dev ifname [src DOM0IP]" for each address in
 * `ips` (IPv4, separated by spaces or commas, optionally ADDR/PREFIX).
 * DOM0IP is the first IPv4 address of `gatewaydev` (upstream's netdev);
 * NULL means the device of the default route, and no src if there is none.
 * Upstream also puts DOM0IP/32 on the vif so the guest has a neighbour to
 * ARP for; so do we.
 */
int hn_route_attach(struct hn_ctx *ctx, const char *ifname, const char *ips,
    const char *gatewaydev);
/* 0 if `ips` is a valid ip= list for hn_route_attach, else EINVAL
 * naming the bad address. */
int hn_ip_list_check(struct hn_ctx *ctx, const char *ips);
/* Remove those routes and the vif's /32 addresses, set the link down,
 * proxy_arp and forwarding back off. */
int hn_route_detach(struct hn_ctx *ctx, const char *ifname, const char *ips);

/*
 * vif-nat: a private link per vif.  Puts router_ip/32 on ifname, routes
 * guest_ip to it (src router_ip), turns proxy_arp and forwarding on, and
 * adds "ip saddr GUEST oifname OUTDEV masquerade" to Lightstack's own nft
 * table.  outdev NULL: the device of the default route (forwarding is
 * turned on for it too, and left on, as upstream's network-nat does).
 * router_ip NULL: derived as upstream does (hn_nat_router_ip()).
 */
int hn_nat_attach(struct hn_ctx *ctx, const char *ifname, const char *guest_ip,
    const char *router_ip, const char *outdev);
int hn_nat_detach(struct hn_ctx *ctx, const char *ifname, const char *guest_ip,
    const char *router_ip);

/* Upstream vif-nat's addresses: the guest's default "10.D/256.D%256.N+1"
 * and the router "same with the last octet + 127". */
int hn_nat_guest_ip(unsigned domid, unsigned devid, char *out, size_t len);
int hn_nat_router_ip(const char *guest_ip, char *out, size_t len);

/* 1 if ifname has a NAT rule in Lightstack's table, 0 if not. */
int hn_nat_has_rule(struct hn_ctx *ctx, const char *ifname);

/*
 * Run a user's hotplug script (script=/path) the way libxl does:
 * argv = { script, action } with action "online" or "offline", env =
 * `env` (NULL-terminated "NAME=value" strings, e.g. script=, XENBUS_TYPE=,
 * XENBUS_PATH=, XENBUS_BASE_PATH=, vif=, netdev=) added to a minimal
 * PATH.  Waits at most timeout_ms, then kills it.  A non-zero exit is an
 * error whose message carries the script's last line of stderr.
 */
int hn_run_script(const char *script, const char *action, char *const env[],
    int timeout_ms, char *err, size_t errlen);

/*
 * The same for any hotplug script, with its whole argv: argv[0] the
 * script (absolute), argv[1] the action the messages name.  Disks use it
 * for script= too (libxl runs a block script as "SCRIPT add|remove").
 */
int hn_run_hotplug(const char *const argv[], char *const env[],
    int timeout_ms, char *err, size_t errlen);

#endif /* HOSTNET_H */
