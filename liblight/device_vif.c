/*
 * device_vif.c - the virtual network interface: a vif= entry served by
 * Dom0's xen-netback to the guest's netfront.
 *
 * The life of one vif (see light_net.h for the modes):
 *
 *   check     script= picks the mode; the bridge, gatewaydev= and a
 *             user's script must exist, ip= must parse; a nic without
 *             mac= gets 00:16:3e plus 23 random bits, as libxl does, and
 *             keeps it in the config so the stored config shows it
 *   write     libxl's backend and frontend nodes, in one transaction,
 *             plus bookkeeping under /libxl/D/device/vif/N saying how the
 *             vif was connected, so any later process can undo it;
 *             hotplug-status = "" makes netback wait for us
 *   plug      netback creates vifD.N on seeing the backend; we wait for
 *             it, rename it (vifname=), connect it (bridge, route, NAT or
 *             the user's script) and write hotplug-status = connected
 *   unplug    the reverse, from the bookkeeping (hostnet's detaches
 *             remove exactly what its attaches added)
 *
 * Upstream does "plug" in a shell script started by udev or libxl; doing
 * it inline saves the fork/exec chain, and lets a failure name its cause.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "hostnet.h"
#include "light_lifecycle.h"
#include "light_device.h"
#include "light_net.h"

/* Where libxl looks for a script= given without a path. */
#define VIF_SCRIPT_DIR      "/etc/xen/scripts"
/* libxl's LIBXL_DEVICE_NIC_MTU_DEFAULT. */
#define VIF_MTU_DEFAULT     1500
/* libxl's bound for a hotplug script (LIBXL_HOTPLUG_TIMEOUT). */
#define VIF_SCRIPT_TIMEOUT_MS 40000

/* How Dom0 connects the vif; names as the bookkeeping spells them. */
enum vif_mode { VIF_BRIDGE, VIF_ROUTE, VIF_NAT, VIF_SCRIPT };

static const char *const mode_names[] = { "bridge", "route", "nat", "script" };

/* One vif being attached: its config entry and what was done for it. */
struct vif_dev {
	struct light_nic *nic;      /* the entry; check fills in its MAC */
	uint32_t devid;
	enum vif_mode mode;
	char script[PATH_MAX];      /* absolute: the backend's "script" */
	char kname[16];             /* netback's name, vifD.N */
	char ifname[16];            /* the name it ends up with (vifname=) */
	char ip[256];               /* route: the ip= list; nat: the guest's */
	char router[16];            /* nat: Dom0's address on the vif */
	bool written;               /* its xenstore nodes exist */
	bool plugged;               /* Dom0's side may be (partly) set up */
};

struct vif_create {
	struct hn_ctx *hn;
	size_t n;                   /* vifs checked so far */
	struct vif_dev dev[];       /* dc->nnics of them */
};

/* ---- small helpers ---------------------------------------------------- */

static int hn_get(struct light_ctx *c, struct hn_ctx **hn)
{
	char err[256];

	if (*hn)
		return 0;
	if (hn_open(hn, err, sizeof(err)) < 0)
		return lc_fail(c, errno, "%s", err);
	return 0;
}

/* Like the framework's backend bound: $LIGHTSTACK_DEVICE_TIMEOUT_MS
 * raises it for slow (emulated) hosts. */
static int link_timeout(void)
{
	const char *e = getenv("LIGHTSTACK_DEVICE_TIMEOUT_MS");
	long long v;

	if (e && light_cfg_parse_int(e, 1, 3600 * 1000, &v) == 0)
		return (int)v;
	return DEV_BACKEND_TIMEOUT_MS;
}

/* libxl's default: Xen's OUI, then random bits with the top one clear. */
static int mac_random(struct light_ctx *c, uint8_t mac[6])
{
	uint8_t r[3];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return light_error(c, errno, "random MAC address");
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = r[0] & 0x7f;
	mac[4] = r[1];
	mac[5] = r[2];
	return 0;
}

/* ---- check ------------------------------------------------------------ */

/* script= -> mode and the absolute path libxl would write.  Upstream's
 * own three scripts, by name or path, are done in C; anything else is
 * the user's and gets run. */
static int vif_mode_of(struct light_ctx *c, struct vif_dev *v)
{
	const char *s = v->nic->script, *base;
	int n;

	if (!s || !*s)
		s = "vif-bridge";
	base = strrchr(s, '/') ? strrchr(s, '/') + 1 : s;
	n = s[0] == '/' ? snprintf(v->script, sizeof(v->script), "%s", s)
	                : snprintf(v->script, sizeof(v->script), "%s/%s",
	                           VIF_SCRIPT_DIR, s);
	if (n < 0 || (size_t)n >= sizeof(v->script))
		return lc_fail(c, ENAMETOOLONG, "vif %u: script path too long",
		               v->devid);
	if (strcmp(base, "vif-bridge") == 0)
		v->mode = VIF_BRIDGE;
	else if (strcmp(base, "vif-route") == 0)
		v->mode = VIF_ROUTE;
	else if (strcmp(base, "vif-nat") == 0)
		v->mode = VIF_NAT;
	else {
		v->mode = VIF_SCRIPT;
		if (access(v->script, X_OK) < 0)
			return light_error(c, errno, "vif %u: script %s", v->devid,
			                   v->script);
	}
	return 0;
}

/*
 * type=: "vif" is netback's interface alone; "ioemu" (libxl's default for
 * an HVM guest created with the vif) adds its emulated twin, a NIC of
 * QEMU's on a tap device in the same bridge, for an OS without PV
 * drivers (devmodel_hvm.c; Linux's PV drivers unplug it).  check writes
 * the choice into the entry, so the stored config says what the guest
 * got.  Only vif-bridge has a tap form here: a routed or NAT vif of an
 * HVM guest with no type= is PV only, and type=ioemu on one is refused.
 */
static int vif_type(struct light_ctx *c, struct vif_dev *v, bool emulable)
{
	struct light_nic *n = v->nic;
	bool want = emulable && (!n->type || strcmp(n->type, "ioemu") == 0);

	if (n->type && strcmp(n->type, "vif") != 0 && strcmp(n->type, "ioemu") != 0)
		return lc_fail(c, EINVAL, "vif %u: type=%s: expected vif or ioemu",
		               v->devid, n->type);
	if (n->type && strcmp(n->type, "ioemu") == 0 && !emulable)
		return lc_fail(c, ENOTSUP, "vif %u: type=ioemu needs an HVM guest's "
		               "device model, when it is created (PV and PVH guests, "
		               "and hot-plugged vifs, use type=vif)", v->devid);
	if (want && v->mode != VIF_BRIDGE) {
		if (n->type)
			return lc_fail(c, ENOTSUP, "vif %u: type=ioemu: the emulated "
			               "NIC is offered on a bridge only (script=%s)",
			               v->devid, v->script);
		want = false;
	}
	if (want && n->vifname && strlen(n->vifname) > 15 - strlen(LIGHT_TAP_SUFFIX))
		return lc_fail(c, EINVAL, "vif %u: vifname=%s: too long for the "
		               "emulated NIC's tap (%s%s)", v->devid, n->vifname,
		               n->vifname, LIGHT_TAP_SUFFIX);
	if (want) {
		char err[160];

		if (hn_tun_check(err, sizeof(err)) < 0)
			return lc_fail(c, errno, "vif %u: the emulated NIC's tap: %s",
			               v->devid, err);
	}
	/* model= goes into QEMU's -device: a device name, nothing more. */
	if (want && n->model && (!*n->model ||
	    strspn(n->model, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                     "0123456789_-") != strlen(n->model)))
		return lc_fail(c, EINVAL, "vif %u: model=%s: not a QEMU NIC model "
		               "(rtl8139, e1000, ...)", v->devid, n->model);
	if (!emulable)
		return 0;
	free(n->type);
	if (!(n->type = strdup(want ? "ioemu" : "vif")))
		return light_error(c, ENOMEM, "vif %u", v->devid);
	if (want && !n->model && !(n->model = strdup(LIGHT_NIC_MODEL_DEFAULT)))
		return light_error(c, ENOMEM, "vif %u", v->devid);
	return 0;
}

/* Everything that can be checked before a domain exists.  `emulable`:
 * the vif of an HVM guest being created, which may have an emulated
 * twin. */
static int vif_check(struct light_ctx *c, struct hn_ctx *hn, struct vif_dev *v,
                     bool emulable)
{
	struct light_nic *n = v->nic;

	if (n->backend && strcmp(n->backend, "0") != 0 &&
	    strcmp(n->backend, "Domain-0") != 0)
		return lc_fail(c, ENOTSUP, "vif %u: backend=%s: only Domain-0 "
		               "serves network interfaces here", v->devid, n->backend);
	if (vif_mode_of(c, v) < 0 || vif_type(c, v, emulable) < 0)
		return -1;
	if (v->mode == VIF_BRIDGE &&
	    hn_bridge_check(hn, n->bridge ? n->bridge : HN_DEFAULT_BRIDGE) < 0)
		return lc_fail(c, errno, "vif %u: %s", v->devid, hn_errmsg(hn));
	if (v->mode == VIF_ROUTE && n->ip && hn_ip_list_check(hn, n->ip) < 0)
		return lc_fail(c, errno, "vif %u: ip=: %s", v->devid, hn_errmsg(hn));
	if (v->mode == VIF_NAT && n->ip) {
		char r[16];
		const char *sp = n->ip + strcspn(n->ip, " ,");
		char first[64];

		snprintf(first, sizeof(first), "%.*s", (int)(sp - n->ip), n->ip);
		first[strcspn(first, "/")] = '\0';
		if (hn_nat_router_ip(first, r, sizeof(r)) < 0)
			return lc_fail(c, EINVAL, "vif %u: ip=%s: not an IPv4 address "
			               "vif-nat can derive a router address from",
			               v->devid, n->ip);
	}
	if (n->gatewaydev && hn_link_exists(hn, n->gatewaydev) != 1)
		return lc_fail(c, ENOENT, "vif %u: gatewaydev: %s", v->devid,
		               hn_errmsg(hn));
	if (n->vifname) {
		int ex = hn_link_exists(hn, n->vifname);
		if (ex < 0 || strlen(n->vifname) >= sizeof(v->ifname))
			return lc_fail(c, EINVAL, "vif %u: vifname=%s: not a valid "
			               "interface name", v->devid, n->vifname);
		if (ex)
			return lc_fail(c, EEXIST, "vif %u: vifname=%s: an interface "
			               "of that name exists already", v->devid,
			               n->vifname);
	}
	if (!n->has_mac) {
		if (mac_random(c, n->mac) < 0)
			return -1;
		n->has_mac = true;
	}
	return 0;
}

/* The names that need the domid: netback's vifD.N, the final name, and
 * vif-nat's addresses (ip= or upstream's 10.x.y.z from the domid). */
static int vif_name(struct light_ctx *c, uint32_t domid, struct vif_dev *v)
{
	const struct light_nic *n = v->nic;

	snprintf(v->kname, sizeof(v->kname), "vif%u.%u", domid, v->devid);
	snprintf(v->ifname, sizeof(v->ifname), "%s",
	         n->vifname && v->mode != VIF_SCRIPT ? n->vifname : v->kname);
	v->ip[0] = v->router[0] = '\0';
	if (v->mode == VIF_ROUTE && n->ip)
		snprintf(v->ip, sizeof(v->ip), "%s", n->ip);
	if (v->mode == VIF_NAT) {
		if (n->ip) {
			size_t len = strcspn(n->ip, " ,/");
			snprintf(v->ip, sizeof(v->ip), "%.*s", (int)len, n->ip);
		} else if (hn_nat_guest_ip(domid, v->devid, v->ip, sizeof(v->ip)) < 0) {
			return lc_fail(c, ERANGE, "vif %u: no default NAT address for "
			               "domain %u", v->devid, domid);
		}
		if (hn_nat_router_ip(v->ip, v->router, sizeof(v->router)) < 0)
			return lc_fail(c, EINVAL, "vif %u: no router address for %s",
			               v->devid, v->ip);
	}
	return 0;
}

/* ---- write ------------------------------------------------------------ */

/* The backend nodes as libxl's libxl__set_xenstore_nic writes them; libxl
 * keeps the same set under the libxl path, and so do we (upstream's
 * `xl network-list` reads the MAC there). */
static int add_backend_nodes(struct dev_nodes *l, const struct vif_dev *v,
                             const char *mac)
{
	const struct light_nic *n = v->nic;

	return dev_nodes_add(l, "script", "%s", v->script) < 0 ||
	       (n->vifname && dev_nodes_add(l, "vifname", "%s", n->vifname) < 0) ||
	       dev_nodes_add(l, "mac", "%s", mac) < 0 ||
	       (n->ip && dev_nodes_add(l, "ip", "%s", n->ip) < 0) ||
	       (n->gatewaydev &&
	        dev_nodes_add(l, "gatewaydev", "%s", n->gatewaydev) < 0) ||
	       (n->rate_interval_usecs &&
	        dev_nodes_add(l, "rate", "%llu,%u",
	                      (unsigned long long)n->rate_bytes_per_interval,
	                      (unsigned)n->rate_interval_usecs) < 0) ||
	       (n->mtu && n->mtu != VIF_MTU_DEFAULT &&
	        dev_nodes_add(l, "mtu", "%u", n->mtu) < 0) ||
	       dev_nodes_add(l, "bridge", "%s",
	                     n->bridge ? n->bridge : HN_DEFAULT_BRIDGE) < 0 ||
	       dev_nodes_add(l, "handle", "%u", v->devid) < 0 ||
	       dev_nodes_add(l, "type", "vif") < 0 ? -1 : 0;
}

static int vif_write(struct light_ctx *c, uint32_t domid, struct vif_dev *v)
{
	struct dev_id id = { "vif", domid, 0, v->devid };
	struct dev_nodes back = { 0 }, front = { 0 }, book = { 0 };
	/* The guest may read its MTU but not change it (libxl's ro_front). */
	const struct xsc_perm ro[2] = { { 0, 'n' }, { domid, 'r' } };
	char mac[LIGHT_MAC_STRLEN], fe[128], path[160];
	int rc = -1;

	light_mac_format(v->nic->mac, mac);
	if (add_backend_nodes(&back, v, mac) < 0 ||
	    /* Netback connects only once this says "connected". */
	    dev_nodes_add(&back, "hotplug-status", "%s", "") < 0 ||
	    dev_nodes_add(&front, "handle", "%u", v->devid) < 0 ||
	    dev_nodes_add(&front, "mac", "%s", mac) < 0 ||
	    dev_nodes_add(&front, "trusted", "1") < 0 ||
	    add_backend_nodes(&book, v, mac) < 0 ||
	    dev_nodes_add(&book, "lightstack-mode", "%s", mode_names[v->mode]) < 0 ||
	    dev_nodes_add(&book, "lightstack-ifname", "%s", v->ifname) < 0 ||
	    dev_nodes_add(&book, "lightstack-ip", "%s", v->ip) < 0 ||
	    dev_nodes_add(&book, "lightstack-router", "%s", v->router) < 0) {
		light_error(c, ENOMEM, "vif %u", v->devid);
		goto out;
	}
	if (dev_write_pair(c, &id, &back, &front, &book) < 0)
		goto out;
	v->written = true;
	if (dev_frontend_path(&id, fe, sizeof(fe)) < 0)
		goto out;
	snprintf(path, sizeof(path), "%s/mtu", fe);
	if (xsc_write_str(c->xs, XSC_NO_TX, path, "") < 0 ||
	    xsc_set_perms(c->xs, XSC_NO_TX, path, ro, 2) < 0) {
		light_error_xs(c, "xenstore write vif mtu");
		goto out;
	}
	snprintf(mac, sizeof(mac), "%u", v->nic->mtu ? v->nic->mtu : VIF_MTU_DEFAULT);
	if (xsc_write_str(c->xs, XSC_NO_TX, path, mac) < 0) {
		light_error_xs(c, "xenstore write vif mtu");
		goto out;
	}
	rc = 0;
out:
	dev_nodes_free(&back);
	dev_nodes_free(&front);
	dev_nodes_free(&book);
	return rc;
}

static void vif_unwrite(struct light_ctx *c, uint32_t domid, struct vif_dev *v)
{
	struct dev_id id = { "vif", domid, 0, v->devid };
	char keep[sizeof(c->err)];
	int e = errno;

	snprintf(keep, sizeof(keep), "%s", c->err);
	if (v->written)
		(void)dev_remove(c, &id, true, 0);
	v->written = false;
	snprintf(c->err, sizeof(c->err), "%s", keep);
	errno = e;
}

/* ---- plug and unplug -------------------------------------------------- */

/* The environment libxl gives a vif's hotplug script (libxl_linux.c). */
static int run_script(struct light_ctx *c, const char *script,
                      const char *action, uint32_t domid, uint32_t devid,
                      const char *gatewaydev)
{
	char e_script[PATH_MAX + 8], e_path[96], e_netdev[64], e_vif[32];
	char *env[] = { e_script, "XENBUS_TYPE=vif", e_path,
	                "XENBUS_BASE_PATH=backend", e_netdev, e_vif, NULL };
	char err[300];

	snprintf(e_script, sizeof(e_script), "script=%s", script);
	snprintf(e_path, sizeof(e_path), "XENBUS_PATH=backend/vif/%u/%u", domid,
	         devid);
	snprintf(e_netdev, sizeof(e_netdev), "netdev=%s",
	         gatewaydev ? gatewaydev : "");
	snprintf(e_vif, sizeof(e_vif), "vif=vif%u.%u", domid, devid);
	if (hn_run_script(script, action, env, VIF_SCRIPT_TIMEOUT_MS, err,
	                  sizeof(err)) < 0)
		return lc_fail(c, errno, "vif %u: %s", devid, err);
	return 0;
}

/*
 * Undo Dom0's side of one vif, whatever of it was done.  The interface
 * may be gone already (netback removes it with the backend): then
 * bridge port, routes and addresses went with it, and only a NAT rule
 * can be left.
 */
static int vif_unplug(struct light_ctx *c, struct hn_ctx *hn, uint32_t domid,
                      uint32_t devid, const char *mode, const char *ifname,
                      const char *ip, const char *router, const char *script,
                      const char *gatewaydev)
{
	int rc = 0;

	if (strcmp(mode, "bridge") == 0)
		rc = hn_bridge_detach(hn, ifname);
	else if (strcmp(mode, "route") == 0)
		rc = hn_route_detach(hn, ifname, ip ? ip : "");
	else if (strcmp(mode, "nat") == 0 && ip && *ip)
		rc = hn_nat_detach(hn, ifname, ip, router && *router ? router : NULL);
	else if (strcmp(mode, "script") == 0 && script && *script)
		return run_script(c, script, "offline", domid, devid, gatewaydev);
	if (rc < 0 && strcmp(mode, "nat") != 0 && hn_link_exists(hn, ifname) == 0)
		rc = 0;     /* it vanished under us: nothing left to undo */
	if (rc < 0)
		return lc_fail(c, errno, "vif %u: %s", devid, hn_errmsg(hn));
	return 0;
}

static int vif_plug(struct light_ctx *c, struct hn_ctx *hn, uint32_t domid,
                    struct vif_dev *v)
{
	const struct light_nic *n = v->nic;
	struct dev_id id = { "vif", domid, 0, v->devid };
	char be[128], path[160];
	int rc;

	if (hn_link_wait(hn, v->kname, link_timeout()) < 0)
		return lc_fail(c, errno, "vif %u: %s (is xen-netback loaded in "
		               "Dom0?)", v->devid, hn_errmsg(hn));
	v->plugged = true;
	if (v->mode == VIF_SCRIPT) {
		if (run_script(c, v->script, "online", domid, v->devid,
		               n->gatewaydev) < 0)
			return -1;
	} else {
		if (strcmp(v->kname, v->ifname) != 0 &&
		    hn_link_rename(hn, v->kname, v->ifname) < 0)
			return lc_fail(c, errno, "vif %u: %s", v->devid, hn_errmsg(hn));
		if (v->mode == VIF_BRIDGE)
			rc = hn_bridge_attach(hn, n->bridge ? n->bridge :
			                      HN_DEFAULT_BRIDGE, v->ifname, n->mtu);
		else {
			rc = n->mtu ? hn_link_set_mtu(hn, v->ifname, n->mtu) : 0;
			if (rc == 0 && v->mode == VIF_ROUTE)
				rc = hn_route_attach(hn, v->ifname, v->ip, n->gatewaydev);
			else if (rc == 0)
				rc = hn_nat_attach(hn, v->ifname, v->ip, v->router,
				                   n->gatewaydev);
		}
		if (rc < 0)
			return lc_fail(c, errno, "vif %u: %s", v->devid, hn_errmsg(hn));
	}
	if (dev_backend_path(&id, be, sizeof(be)) < 0)
		return light_error(c, ENAMETOOLONG, "vif %u", v->devid);
	snprintf(path, sizeof(path), "%s/hotplug-status", be);
	if (xsc_write_str(c->xs, XSC_NO_TX, path, "connected") < 0)
		return light_error_xs(c, "xenstore write hotplug-status");
	return 0;
}

static void vif_unplug_dev(struct light_ctx *c, struct hn_ctx *hn,
                           uint32_t domid, struct vif_dev *v)
{
	char keep[sizeof(c->err)];
	int e = errno;

	snprintf(keep, sizeof(keep), "%s", c->err);
	if (v->plugged) {
		/* A rename that did not happen leaves the kernel's name. */
		const char *name = hn_link_exists(hn, v->ifname) == 1 ? v->ifname
		                                                       : v->kname;
		(void)vif_unplug(c, hn, domid, v->devid, mode_names[v->mode], name,
		                 v->ip, v->router, v->script, v->nic->gatewaydev);
	}
	v->plugged = false;
	snprintf(c->err, sizeof(c->err), "%s", keep);
	errno = e;
}

static int vif_wait(struct light_ctx *c, uint32_t domid, const struct vif_dev *v)
{
	struct dev_id id = { "vif", domid, 0, v->devid };

	return dev_wait_backend_state(c, &id,
	                              DEV_STATE_BIT(DEV_STATE_INITWAIT) |
	                              DEV_STATE_BIT(DEV_STATE_CONNECTED), -1, NULL);
}

/* ---- create's steps --------------------------------------------------- */

int vif_step_check(struct light_devices *d)
{
	size_t i, n = d->dc->nnics;

	if (n == 0)
		return 0;
	if (!d->vif) {
		d->vif = calloc(1, sizeof(*d->vif) + n * sizeof(d->vif->dev[0]));
		if (!d->vif)
			return light_error(d->c, ENOMEM, "vifs");
	}
	if (hn_get(d->c, &d->vif->hn) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct vif_dev *v = &d->vif->dev[i];
		size_t k;

		v->nic = &d->dc->nics[i];
		/* The index in vif=, or the number a stored config kept. */
		v->devid = light_nic_devid(d->dc, i);
		for (k = 0; k < i; k++)
			if (d->vif->dev[k].devid == v->devid)
				return lc_fail(d->c, EINVAL, "vif %u: two vifs have "
				               "that device number", v->devid);
		if (vif_check(d->c, d->vif->hn, v,
		              d->dc->type == LIGHT_DOMAIN_HVM) < 0)
			return -1;
		d->vif->n = i + 1;
	}
	return 0;
}

int vif_step_backend(struct light_devices *d)
{
	size_t i;

	for (i = 0; d->vif && i < d->vif->n; i++)
		if (vif_name(d->c, d->domid, &d->vif->dev[i]) < 0 ||
		    vif_write(d->c, d->domid, &d->vif->dev[i]) < 0)
			return -1;
	return 0;
}

void vif_undo_backend(struct light_devices *d)
{
	size_t i;

	for (i = d->vif ? d->vif->n : 0; i > 0; i--)
		vif_unwrite(d->c, d->domid, &d->vif->dev[i - 1]);
}

int vif_step_hotplug(struct light_devices *d)
{
	size_t i;

	for (i = 0; d->vif && i < d->vif->n; i++)
		if (vif_plug(d->c, d->vif->hn, d->domid, &d->vif->dev[i]) < 0)
			return -1;
	return 0;
}

void vif_undo_hotplug(struct light_devices *d)
{
	size_t i;

	for (i = d->vif ? d->vif->n : 0; i > 0; i--)
		vif_unplug_dev(d->c, d->vif->hn, d->domid, &d->vif->dev[i - 1]);
}

int vif_step_wait(struct light_devices *d)
{
	size_t i;

	for (i = 0; d->vif && i < d->vif->n; i++)
		if (vif_wait(d->c, d->domid, &d->vif->dev[i]) < 0)
			return -1;
	return 0;
}

void vif_create_done(struct light_devices *d)
{
	if (!d->vif)
		return;
	hn_close(d->vif->hn);
	free(d->vif);
	d->vif = NULL;
}

/* ---- the kind ------------------------------------------------------- */

static int vif_release(struct light_ctx *c, const struct dev_id *id,
                       const struct dev_nodes *book)
{
	const char *mode = dev_nodes_get(book, "lightstack-mode");
	const char *ifname = dev_nodes_get(book, "lightstack-ifname");
	struct hn_ctx *hn = NULL;
	int rc;

	if (!mode || !ifname || !*ifname)
		return 0;           /* not set up by us */
	if (hn_get(c, &hn) < 0)
		return -1;
	rc = vif_unplug(c, hn, id->domid, id->devid, mode, ifname,
	                dev_nodes_get(book, "lightstack-ip"),
	                dev_nodes_get(book, "lightstack-router"),
	                dev_nodes_get(book, "script"),
	                dev_nodes_get(book, "gatewaydev"));
	hn_close(hn);
	return rc;
}

const struct dev_ops vif_ops = {
	.kind = "vif",
	.release = vif_release,
};

/* ---- an HVM guest's emulated NICs (light_device.h) ------------------- */

bool light_nic_emulated(const struct light_domain_config *dc, size_t i)
{
	return dc->type == LIGHT_DOMAIN_HVM && dc->nics[i].type &&
	       strcmp(dc->nics[i].type, "ioemu") == 0;
}

int light_nic_tap_name(const struct light_domain_config *dc, size_t i,
                       uint32_t domid, char *buf, size_t len)
{
	const struct light_nic *n = &dc->nics[i];
	int k;

	if (n->vifname)
		k = snprintf(buf, len, "%s%s", n->vifname, LIGHT_TAP_SUFFIX);
	else
		k = snprintf(buf, len, "vif%u.%u%s", domid, light_nic_devid(dc, i),
		             LIGHT_TAP_SUFFIX);
	if (k < 0 || (size_t)k >= len || k > 15) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int light_vif_plug_taps(struct light_ctx *c, uint32_t domid,
                        const struct light_domain_config *dc)
{
	struct hn_ctx *hn = NULL;
	char tap[32];
	size_t i;
	int rc = -1;

	for (i = 0; i < dc->nnics; i++) {
		const struct light_nic *n = &dc->nics[i];

		if (!light_nic_emulated(dc, i))
			continue;
		if (hn_get(c, &hn) < 0)
			goto out;
		if (light_nic_tap_name(dc, i, domid, tap, sizeof(tap)) < 0) {
			lc_fail(c, ENAMETOOLONG, "vif %u: tap name too long",
			        light_nic_devid(dc, i));
			goto out;
		}
		/* QEMU made it before it said "running"; the wait only
		 * bounds a netlink view that lags. */
		if (hn_link_wait(hn, tap, 5000) < 0 ||
		    hn_bridge_attach(hn, n->bridge ? n->bridge : HN_DEFAULT_BRIDGE,
		                     tap, n->mtu) < 0) {
			lc_fail(c, errno, "vif %u: emulated NIC's tap %s: %s",
			        light_nic_devid(dc, i), tap, hn_errmsg(hn));
			goto out;
		}
	}
	rc = 0;
out:
	hn_close(hn);
	return rc;
}

/* ---- hot plug (light_net.h) ------------------------------------------ */

int light_nic_attach(struct light_ctx *c, uint32_t domid,
                     const struct light_nic *nic, uint32_t *devid,
                     uint8_t mac[6])
{
	struct ctrl_dominfo info;
	struct light_nic copy = *nic;   /* check may fill in the MAC */
	struct hn_ctx *hn = NULL;
	struct vif_dev v;
	uint32_t *ids = NULL;
	int n, rc = -1;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (domid == 0)
		return lc_fail(c, EINVAL, "network interfaces cannot be attached "
		               "to domain 0");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0 || info.dying)
		return lc_fail(c, ESRCH, "domain %u does not exist", domid);
	if ((n = dev_list(c, "vif", domid, &ids)) < 0)
		return -1;
	memset(&v, 0, sizeof(v));
	v.nic = &copy;
	v.devid = n > 0 ? ids[n - 1] + 1 : 0;   /* libxl: highest + 1 */
	free(ids);
	if (hn_get(c, &hn) < 0)
		return -1;
	if (vif_check(c, hn, &v, false) < 0 || vif_name(c, domid, &v) < 0)
		goto out;
	if (vif_write(c, domid, &v) < 0)
		goto undo;
	/* Last, the stored config (with the MAC check chose): xl list -l
	 * shows the vif and a restart recreates it; if it cannot be
	 * recorded the attach is undone. */
	if (vif_plug(c, hn, domid, &v) < 0 || vif_wait(c, domid, &v) < 0 ||
	    dev_store_add_nic(c, domid, v.devid, &copy) < 0)
		goto undo;
	if (devid)
		*devid = v.devid;
	if (mac)
		memcpy(mac, copy.mac, 6);
	rc = 0;
	goto out;
undo:
	vif_unplug_dev(c, hn, domid, &v);
	vif_unwrite(c, domid, &v);
out:
	hn_close(hn);
	return rc;
}

int light_nic_detach(struct light_ctx *c, uint32_t domid, uint32_t devid,
                     bool force)
{
	return dev_detach(c, &vif_ops, domid, devid, force);
}

int light_nic_list(struct light_ctx *c, uint32_t domid,
                   struct light_nic_info **out)
{
	struct light_nic_info *list = NULL;
	uint32_t *ids = NULL;
	char fe[128], lx[128], err[128];
	int n, i;

	*out = NULL;
	n = dev_list(c, "vif", domid, &ids);
	if (n <= 0)
		return n;
	list = calloc((size_t)n, sizeof(*list));
	if (!list) {
		free(ids);
		return light_error(c, ENOMEM, "vif list");
	}
	for (i = 0; i < n; i++) {
		struct light_nic_info *l = &list[i];
		struct dev_id id = { "vif", domid, 0, ids[i] };
		struct light_nic parsed;
		char spec[32], *v;

		l->devid = ids[i];
		l->backend_id = 0;
		(void)dev_backend_path(&id, l->backend, sizeof(l->backend));
		(void)dev_frontend_path(&id, fe, sizeof(fe));
		(void)dev_libxl_path(&id, lx, sizeof(lx));
		l->state = dev_read_num(c, fe, "state");
		l->evtchn = dev_read_num(c, fe, "event-channel");
		l->rref_tx = dev_read_num(c, fe, "tx-ring-ref");
		l->rref_rx = dev_read_num(c, fe, "rx-ring-ref");
		if ((v = light_xs_readf(c, XSC_NO_TX, "%s/mac", l->backend)) != NULL) {
			snprintf(spec, sizeof(spec), "mac=%s", v);
			if (light_nic_parse(spec, &parsed, err, sizeof(err)) == 0) {
				memcpy(l->mac, parsed.mac, 6);
				light_nic_dispose(&parsed);
			}
		}
		free(v);
		v = light_xs_readf(c, XSC_NO_TX, "%s/lightstack-ifname", lx);
		snprintf(l->ifname, sizeof(l->ifname), "%s", v ? v : "");
		free(v);
	}
	free(ids);
	*out = list;
	return n;
}

int light_nic_by_mac(struct light_ctx *c, uint32_t domid, const char *mac,
                     uint32_t *devid)
{
	struct light_nic_info *list = NULL;
	struct light_nic want;
	char spec[64], err[128];
	int n, i, rc = -1;

	snprintf(spec, sizeof(spec), "mac=%s", mac);
	if (strchr(mac, ',') || light_nic_parse(spec, &want, err, sizeof(err)) < 0)
		return lc_fail(c, EINVAL, "invalid MAC address `%s'", mac);
	if ((n = light_nic_list(c, domid, &list)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (memcmp(list[i].mac, want.mac, 6) == 0) {
			*devid = list[i].devid;
			rc = 0;
			goto out;
		}
	}
	lc_fail(c, ENOENT, "domain %u has no vif with MAC %s", domid, mac);
out:
	light_nic_dispose(&want);
	free(list);
	return rc;
}
