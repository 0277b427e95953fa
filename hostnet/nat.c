/*
 * vif-nat: the guest sits on a private link (its vif) and reaches the
 * world through Dom0, which masquerades its traffic.
 *
 * Upstream splits this between vif-nat (per vif: vif up, the "router"
 * address on it, a host route to the guest, proxy ARP) and network-nat
 * (once: ip_forward and an iptables MASQUERADE rule).  We do the per-vif
 * half the same way, and put one masquerade rule per vif in an nftables
 * table of our own:
 *
 *	table ip lightstack {
 *		chain postrouting {
 *			type nat hook postrouting priority srcnat; policy accept;
 *			ip saddr GUEST oifname "OUTDEV" masquerade comment "lightstack:VIF"
 *		}
 *	}
 *
 * The comment names the vif, so detach finds and deletes exactly its rule
 * (by handle), and deletes the table with its last rule.  Nothing outside
 * this table is read or written.  Listing and deleting happen under a
 * lock file so that two toolstack processes do not race on the "last
 * rule" decision.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/file.h>
#include <json-c/json.h>
#include <nftables/libnftables.h>

#include "hn_internal.h"
#include "lazylib.h"

#define NAT_LOCK	"/run/lightstack-hostnet-nat.lock"
#define COMMENT_PREFIX	"lightstack:"

/* Most rules of ours we expect in the chain (one per NATed vif). */
#define MAX_RULES	1024

/*
 * libnftables, loaded when a NAT vif first needs it (common/lazylib.h
 * says why): it and the five libraries it brings (libmnl, libnftnl,
 * libxtables, libjansson, libgmp) are not worth mapping into every
 * process that loads liblight.  The table has libnftables' names and
 * its header's prototypes.
 */
#define NFT_FUNCS(F, t) \
	F(t, nft_ctx_new) F(t, nft_ctx_free) F(t, nft_ctx_buffer_output) \
	F(t, nft_ctx_buffer_error) F(t, nft_ctx_output_set_flags) \
	F(t, nft_run_cmd_from_buffer) F(t, nft_ctx_get_error_buffer) \
	F(t, nft_ctx_get_output_buffer)
LAZYLIB_DEFINE(libnft, NFT_FUNCS, "libnftables.so.1", "NAT for vifs (vif-nat)",
               NULL)

/* The nftables context, opened on first use, with output and errors
 * captured in buffers rather than printed. */
static int
nft_get(struct hn_ctx *ctx, struct nft_ctx **out)
{
	char why[320];

	if (ctx->nft == NULL) {
		if (lazylib_load(&libnft_lib, why, sizeof(why)) < 0)
			return hn_fail(ctx, ELIBACC, "%s", why);
		if ((ctx->nft = libnft.nft_ctx_new(NFT_CTX_DEFAULT)) == NULL)
			return hn_fail(ctx, ENOMEM, "cannot open nftables");
		if (libnft.nft_ctx_buffer_output(ctx->nft) < 0 ||
		    libnft.nft_ctx_buffer_error(ctx->nft) < 0) {
			libnft.nft_ctx_free(ctx->nft);
			ctx->nft = NULL;
			return hn_fail(ctx, ENOMEM, "cannot set up nftables buffers");
		}
	}
	*out = ctx->nft;
	return 0;
}

/* Run one nft batch (one transaction).  JSON output with handles when
 * `json`; the output text stays in the context's buffer until the next
 * command.  When enoent is given, "No such file or directory" (table or
 * chain absent) is reported there instead of as a failure.
 *
 * libnftables rewinds a buffer each time it is read, so the error buffer
 * is read exactly once. */
static int
nft_run(struct hn_ctx *ctx, const char *cmd, bool json, const char **output,
    bool *enoent)
{
	struct nft_ctx *nft = NULL;
	const char *e;

	if (enoent != NULL)
		*enoent = false;
	if (nft_get(ctx, &nft) < 0)
		return -1;
	libnft.nft_ctx_output_set_flags(nft, json ?
	    (NFT_CTX_OUTPUT_JSON | NFT_CTX_OUTPUT_HANDLE) : 0);
	if (libnft.nft_run_cmd_from_buffer(nft, cmd) != 0) {
		if ((e = libnft.nft_ctx_get_error_buffer(nft)) == NULL || *e == '\0')
			e = "command failed";
		if (enoent != NULL && strstr(e, "No such file or directory")) {
			*enoent = true;
			errno = ENOENT;
			return -1;
		}
		return hn_fail(ctx, EIO, "nftables: %.*s", (int)strcspn(e, "\n"),
		    e);
	}
	/* Drain the error buffer (warnings) so it starts empty next time. */
	(void)libnft.nft_ctx_get_error_buffer(nft);
	if (output != NULL)
		*output = libnft.nft_ctx_get_output_buffer(nft);
	else
		(void)libnft.nft_ctx_get_output_buffer(nft);
	return 0;
}

/*
 * The handles of the rules in our chain whose comment is "lightstack:IF"
 * (all of ours when ifname is NULL).  *total counts every rule in the
 * chain.  A missing table or chain is an empty list.
 */
static int
nat_rules(struct hn_ctx *ctx, const char *ifname, long *handles, size_t *n,
    size_t *total)
{
	const char *out;
	char want[64];
	json_object *root = NULL, *items;
	size_t i, len;
	bool enoent;
	int rc = -1;

	*n = *total = 0;
	snprintf(want, sizeof(want), COMMENT_PREFIX "%s", ifname ? ifname : "");
	if (nft_run(ctx, "list chain ip " HN_NFT_TABLE " " HN_NFT_CHAIN,
	    true, &out, &enoent) < 0)
		return enoent ? 0 : -1;
	if ((root = json_tokener_parse(out)) == NULL ||
	    !json_object_object_get_ex(root, "nftables", &items) ||
	    !json_object_is_type(items, json_type_array)) {
		hn_fail(ctx, EIO, "nftables: unexpected JSON listing");
		goto out;
	}
	len = json_object_array_length(items);
	for (i = 0; i < len; i++) {
		json_object *item = json_object_array_get_idx(items, i);
		json_object *rule, *comment, *handle;

		if (!json_object_object_get_ex(item, "rule", &rule))
			continue;
		(*total)++;
		if (!json_object_object_get_ex(rule, "comment", &comment) ||
		    !json_object_object_get_ex(rule, "handle", &handle))
			continue;
		if (ifname != NULL ?
		    strcmp(json_object_get_string(comment), want) != 0 :
		    strncmp(json_object_get_string(comment), COMMENT_PREFIX,
		    strlen(COMMENT_PREFIX)) != 0)
			continue;
		if (*n == MAX_RULES) {
			hn_fail(ctx, E2BIG, "too many lightstack NAT rules");
			goto out;
		}
		handles[(*n)++] = (long)json_object_get_int64(handle);
	}
	rc = 0;
out:
	if (root != NULL)
		json_object_put(root);
	return rc;
}

/* Delete ifname's rules; drop the table when nothing else is left in it. */
static int
nat_rule_del(struct hn_ctx *ctx, const char *ifname)
{
	long *handles;
	char *cmd = NULL;
	size_t n, total, i, off = 0, cap;
	int rc = -1;

	if ((handles = calloc(MAX_RULES, sizeof(*handles))) == NULL)
		return hn_fail(ctx, ENOMEM, "out of memory");
	if (nat_rules(ctx, ifname, handles, &n, &total) < 0)
		goto out;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	cap = 128 + n * 96;
	if ((cmd = malloc(cap)) == NULL) {
		hn_fail(ctx, ENOMEM, "out of memory");
		goto out;
	}
	if (n == total) {
		off += snprintf(cmd + off, cap - off,
		    "delete table ip " HN_NFT_TABLE "\n");
	} else {
		for (i = 0; i < n; i++)
			off += snprintf(cmd + off, cap - off,
			    "delete rule ip " HN_NFT_TABLE " " HN_NFT_CHAIN
			    " handle %ld\n", handles[i]);
	}
	if (nft_run(ctx, cmd, false, NULL, NULL) < 0)
		goto out;
	rc = 0;
out:
	free(cmd);
	free(handles);
	return rc;
}

/* A lock against other toolstack processes editing our table. */
static int
nat_lock(struct hn_ctx *ctx)
{
	int fd;

	if ((fd = open(NAT_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return hn_fail(ctx, errno, "%s: %s", NAT_LOCK, strerror(errno));
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return hn_fail(ctx, e, "%s: %s", NAT_LOCK, strerror(e));
	}
	return fd;
}

static void
nat_unlock(int fd)
{
	int e = errno;

	close(fd);	/* releases the flock */
	errno = e;
}

int
hn_nat_has_rule(struct hn_ctx *ctx, const char *ifname)
{
	long *handles;
	size_t n, total;
	int rc;

	if (!hn_ifname_ok(ifname))
		return hn_fail(ctx, EINVAL, "invalid interface name '%s'",
		    ifname ? ifname : "");
	if ((handles = calloc(MAX_RULES, sizeof(*handles))) == NULL)
		return hn_fail(ctx, ENOMEM, "out of memory");
	rc = nat_rules(ctx, ifname, handles, &n, &total);
	free(handles);
	return rc < 0 ? -1 : n > 0;
}

int
hn_nat_guest_ip(unsigned domid, unsigned devid, char *out, size_t len)
{
	if (domid > 0xffff || devid >= 255) {
		errno = ERANGE;
		return -1;
	}
	if ((size_t)snprintf(out, len, "10.%u.%u.%u", domid / 256, domid % 256,
	    devid + 1) >= len) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int
hn_nat_router_ip(const char *guest_ip, char *out, size_t len)
{
	struct hn_ip4 g;
	uint32_t h;

	if (hn_ip4_parse(guest_ip, &g) < 0) {
		errno = EINVAL;
		return -1;
	}
	h = ntohl(g.addr.s_addr);
	if ((h & 0xff) + 127 > 255) {
		errno = ERANGE;	/* upstream would write an invalid octet */
		return -1;
	}
	g.addr.s_addr = htonl(h + 127);
	if (inet_ntop(AF_INET, &g.addr, out, len) == NULL)
		return -1;
	return 0;
}

/* The guest's and the router's addresses, checked. */
static int
nat_addrs(struct hn_ctx *ctx, const char *guest_ip, const char *router_ip,
    struct hn_ip4 *guest, struct in_addr *router)
{
	char rbuf[INET_ADDRSTRLEN];
	struct hn_ip4 r;

	if (hn_ip4_parse(guest_ip, guest) < 0)
		return hn_fail(ctx, EINVAL, "invalid guest IPv4 address '%s'",
		    guest_ip ? guest_ip : "");
	guest->prefix = 32;	/* the host route; upstream drops the /bits */
	if (router_ip == NULL || *router_ip == '\0') {
		if (hn_nat_router_ip(guest_ip, rbuf, sizeof(rbuf)) < 0)
			return hn_fail(ctx, EINVAL,
			    "cannot derive a router address from %s", guest_ip);
		router_ip = rbuf;
	}
	if (hn_ip4_parse(router_ip, &r) < 0)
		return hn_fail(ctx, EINVAL, "invalid router IPv4 address '%s'",
		    router_ip);
	*router = r.addr;
	return 0;
}

int
hn_nat_attach(struct hn_ctx *ctx, const char *ifname, const char *guest_ip,
    const char *router_ip, const char *outdev)
{
	struct hn_ip4 guest;
	struct in_addr router;
	char dev[64], gtext[INET_ADDRSTRLEN], cmd[512], msg[sizeof(ctx->errmsg)];
	int lock = -1, saved;

	if (nat_addrs(ctx, guest_ip, router_ip, &guest, &router) < 0)
		return -1;
	if (hn_link_exists(ctx, ifname) != 1)
		return -1;
	if (outdev == NULL || *outdev == '\0') {
		if (hn_default_dev(ctx, dev, sizeof(dev)) < 0)
			return hn_fail(ctx, ENOENT, "NAT for %s: no outgoing "
			    "device given and Dom0 has no default route", ifname);
		outdev = dev;
	}
	if (hn_link_exists(ctx, outdev) != 1)
		return -1;
	inet_ntop(AF_INET, &guest.addr, gtext, sizeof(gtext));

	if (hn_link_set_up(ctx, ifname, true) < 0 ||
	    hn_addr_add(ctx, ifname, router) < 0 ||
	    hn_route_add(ctx, ifname, &guest, &router, 0) < 0 ||
	    hn_sysctl_conf(ctx, ifname, "proxy_arp", "1") < 0 ||
	    hn_sysctl_conf(ctx, ifname, "forwarding", "1") < 0 ||
	    hn_sysctl_conf(ctx, outdev, "forwarding", "1") < 0)
		goto fail;

	if ((lock = nat_lock(ctx)) < 0)
		goto fail;
	/* A rule left from an earlier life of this vif name goes first. */
	if (nat_rule_del(ctx, ifname) < 0)
		goto fail;
	snprintf(cmd, sizeof(cmd),
	    "add table ip " HN_NFT_TABLE "\n"
	    "add chain ip " HN_NFT_TABLE " " HN_NFT_CHAIN
	    " { type nat hook postrouting priority srcnat; policy accept; }\n"
	    "add rule ip " HN_NFT_TABLE " " HN_NFT_CHAIN
	    " ip saddr %s oifname \"%s\" masquerade comment \""
	    COMMENT_PREFIX "%s\"\n", gtext, outdev, ifname);
	if (nft_run(ctx, cmd, false, NULL, NULL) < 0)
		goto fail;
	nat_unlock(lock);
	return 0;
fail:
	saved = errno;
	snprintf(msg, sizeof(msg), "%s", ctx->errmsg);
	if (lock >= 0)
		nat_unlock(lock);
	(void)hn_nat_detach(ctx, ifname, guest_ip, router_ip);
	snprintf(ctx->errmsg, sizeof(ctx->errmsg), "%s", msg);
	errno = saved;
	return -1;
}

int
hn_nat_detach(struct hn_ctx *ctx, const char *ifname, const char *guest_ip,
    const char *router_ip)
{
	struct hn_ip4 guest;
	struct in_addr router;
	int lock, rc = 0, e = 0;

	if (!hn_ifname_ok(ifname))
		return hn_fail(ctx, EINVAL, "invalid interface name '%s'",
		    ifname ? ifname : "");
	if (nat_addrs(ctx, guest_ip, router_ip, &guest, &router) < 0)
		return -1;
	/* The rule outlives the vif, so it goes whether the vif is there
	 * or not; the rest went away with the link if it is gone. */
	if ((lock = nat_lock(ctx)) < 0)
		return -1;
	if (nat_rule_del(ctx, ifname) < 0)
		rc = -1, e = errno;
	nat_unlock(lock);
	if (hn_link_exists(ctx, ifname) != 1)
		goto out;
	if (hn_route_del(ctx, ifname, &guest, 0) < 0)
		rc = -1, e = errno;
	if (hn_addr_del(ctx, ifname, router) < 0)
		rc = -1, e = errno;
	if (hn_link_set_up(ctx, ifname, false) < 0)
		rc = -1, e = errno;
	if (hn_sysctl_conf(ctx, ifname, "proxy_arp", "0") < 0 && errno != ENOENT)
		rc = -1, e = errno;
	if (hn_sysctl_conf(ctx, ifname, "forwarding", "0") < 0 && errno != ENOENT)
		rc = -1, e = errno;
out:
	if (rc < 0)
		errno = e;
	return rc;
}

/* ctx.c's hn_close: a context only has one once nft_get loaded it. */
void
hn_nat_close(struct hn_ctx *ctx)
{
	if (ctx->nft != NULL)
		libnft.nft_ctx_free(ctx->nft);
	ctx->nft = NULL;
}
