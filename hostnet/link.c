/*
 * Links: look one up, wait for netback to create it, rename, up/down,
 * MTU, and the per-interface IPv4 sysctls (proxy_arp, forwarding).
 *
 * Every lookup asks the kernel afresh (rtnl_link_get_kernel) rather than
 * keeping a cache: the links we manage come and go under us (netback, the
 * guest, other toolstack processes), and each call is one round trip.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/route/link.h>

#include "hn_internal.h"

int
hn_link_get(struct hn_ctx *ctx, const char *ifname, struct rtnl_link **out)
{
	int rc;

	*out = NULL;
	if (!hn_ifname_ok(ifname))
		return hn_fail(ctx, EINVAL, "invalid interface name '%s'",
		    ifname ? ifname : "");
	rc = rtnl_link_get_kernel(ctx->sk, 0, ifname, out);
	if (rc == 0)
		return 0;
	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV)
		return hn_fail(ctx, ENOENT, "interface %s does not exist", ifname);
	return hn_fail(ctx, hn_nl_errno(rc), "interface %s: %s", ifname,
	    nl_geterror(rc));
}

int
hn_link_exists(struct hn_ctx *ctx, const char *ifname)
{
	struct rtnl_link *link;

	if (hn_link_get(ctx, ifname, &link) == 0) {
		rtnl_link_put(link);
		return 1;
	}
	return errno == ENOENT ? 0 : -1;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Netback registers vifD.N as soon as it sees the backend directory, but
 * asynchronously to us; polling every 10 ms is cheap and keeps the wait a
 * plain loop with a deadline.
 */
int
hn_link_wait(struct hn_ctx *ctx, const char *ifname, int timeout_ms)
{
	long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int rc;

	for (;;) {
		if ((rc = hn_link_exists(ctx, ifname)) != 0)
			return rc > 0 ? 0 : -1;
		if (now_ms() >= deadline)
			return hn_fail(ctx, ETIMEDOUT,
			    "interface %s did not appear within %d ms", ifname,
			    timeout_ms);
		nanosleep(&tick, NULL);
	}
}

/* Apply `changes` to the link named ifname. */
static int
link_change(struct hn_ctx *ctx, const char *ifname, struct rtnl_link *changes,
    const char *what)
{
	struct rtnl_link *link = NULL;
	int rc;

	if (hn_link_get(ctx, ifname, &link) < 0)
		return -1;
	rc = rtnl_link_change(ctx->sk, link, changes, 0);
	rtnl_link_put(link);
	if (rc < 0)
		return hn_fail(ctx, hn_nl_errno(rc), "cannot %s %s: %s", what,
		    ifname, nl_geterror(rc));
	return 0;
}

int
hn_link_set_up(struct hn_ctx *ctx, const char *ifname, bool up)
{
	struct rtnl_link *changes;
	int rc;

	if ((changes = rtnl_link_alloc()) == NULL)
		return hn_fail(ctx, ENOMEM, "out of memory");
	if (up)
		rtnl_link_set_flags(changes, IFF_UP);
	else
		rtnl_link_unset_flags(changes, IFF_UP);
	rc = link_change(ctx, ifname, changes, up ? "bring up" : "bring down");
	rtnl_link_put(changes);
	return rc;
}

int
hn_link_set_mtu(struct hn_ctx *ctx, const char *ifname, unsigned mtu)
{
	struct rtnl_link *changes;
	char what[32];
	int rc;

	if (mtu < 68 || mtu > 65535)
		return hn_fail(ctx, EINVAL, "mtu %u out of range 68-65535", mtu);
	if ((changes = rtnl_link_alloc()) == NULL)
		return hn_fail(ctx, ENOMEM, "out of memory");
	rtnl_link_set_mtu(changes, mtu);
	snprintf(what, sizeof(what), "set mtu %u on", mtu);
	rc = link_change(ctx, ifname, changes, what);
	rtnl_link_put(changes);
	return rc;
}

int
hn_link_get_mtu(struct hn_ctx *ctx, const char *ifname, unsigned *mtu)
{
	struct rtnl_link *link;

	if (hn_link_get(ctx, ifname, &link) < 0)
		return -1;
	*mtu = rtnl_link_get_mtu(link);
	rtnl_link_put(link);
	return 0;
}

/* The kernel refuses to rename a running link, so take it down first;
 * the mode's attach brings it up again. */
int
hn_link_rename(struct hn_ctx *ctx, const char *from, const char *to)
{
	struct rtnl_link *changes;
	int rc;

	if (!hn_ifname_ok(to))
		return hn_fail(ctx, EINVAL, "invalid interface name '%s'", to);
	if (strcmp(from, to) == 0)
		return 0;
	if ((rc = hn_link_exists(ctx, to)) != 0)
		return rc < 0 ? -1 : hn_fail(ctx, EEXIST,
		    "cannot rename %s to %s: %s already exists", from, to, to);
	if (hn_link_set_up(ctx, from, false) < 0)
		return -1;
	if ((changes = rtnl_link_alloc()) == NULL)
		return hn_fail(ctx, ENOMEM, "out of memory");
	rtnl_link_set_name(changes, to);
	rc = link_change(ctx, from, changes, "rename");
	rtnl_link_put(changes);
	return rc;
}

int
hn_sysctl_conf(struct hn_ctx *ctx, const char *ifname, const char *key,
    const char *val)
{
	char path[128];
	ssize_t n;
	int fd, rc = -1;

	if (!hn_ifname_ok(ifname))
		return hn_fail(ctx, EINVAL, "invalid interface name '%s'", ifname);
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", ifname,
	    key);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return hn_fail(ctx, errno, "%s: %s", path, strerror(errno));
	n = write(fd, val, strlen(val));
	if (n != (ssize_t)strlen(val)) {
		hn_fail(ctx, n < 0 ? errno : EIO, "%s: %s", path,
		    strerror(n < 0 ? errno : EIO));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int
hn_tun_check(char *err, size_t errlen)
{
	int e;

	if (access("/dev/net/tun", R_OK | W_OK) == 0)
		return 0;
	e = errno;
	snprintf(err, errlen, "/dev/net/tun: %s (is the tun module loaded? "
	    "modprobe tun)", strerror(e));
	errno = e;
	return -1;
}
