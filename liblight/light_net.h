/*
 * light_net.h - a running guest's network interfaces (vif): hot attach,
 * detach and listing, as `xl network-attach/-detach/-list` use them.
 *
 * Interfaces given in vif= are attached by light_domain_create itself;
 * these calls add and remove them while the guest runs (its netfront sees
 * eth1 appear and disappear).
 *
 * How a vif is connected in Dom0 (the same for create and hot attach):
 * Dom0's xen-netback creates the interface vifD.N when the backend's
 * xenstore directory appears; Lightstack then does, in C, what upstream's
 * hotplug script named by script= would do (hostnet/):
 *   vif-bridge (the default)  enslave it to bridge= (default xenbr0) with
 *                             the bridge's MTU or mtu=
 *   vif-route                 host routes to the ip= addresses, Dom0's
 *                             address (gatewaydev=) on the vif, proxy ARP
 *   vif-nat                   a private link, masquerade out of Dom0's
 *                             default (or gatewaydev=) interface
 *   /path/to/own-script       run it as libxl would ("online"/"offline")
 * and writes hotplug-status = connected, which lets netback connect.
 * vifname= renames the interface first.  Removing the vif undoes exactly
 * that.  A missing bridge is an error before anything is created.
 *
 * Attach and detach keep the domain's stored configuration in step (the
 * vif, with its MAC and device number, is added to or removed from its
 * "nics"), so that a restart recreates exactly the vifs it has.
 *
 * Conventions of light_ctx.h: -1 with errno and light_errmsg() on failure.
 *
 * Threads: these calls take a light_ctx and follow its rule (light_ctx.h):
 * one thread per context at a time; different contexts may run at once.
 */
#ifndef LIGHTSTACK_LIGHT_NET_H
#define LIGHTSTACK_LIGHT_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "light_config.h"

struct light_ctx;

/*
 * Attach `nic` (see light_nic_parse) to running domain `domid` as the
 * next free devid, and wait (bounded) until Dom0's side is set up.
 * A nic without a MAC gets a random 00:16:3e:xx:xx:xx; *devid and mac
 * (both may be NULL) receive what was used.  All or nothing: on failure
 * no interface setup, rule or xenstore node is left.
 */
int light_nic_attach(struct light_ctx *c, uint32_t domid,
                     const struct light_nic *nic, uint32_t *devid,
                     uint8_t mac[6]);

/*
 * Remove vif `devid` from domain `domid`: the guest is asked to close it
 * (bounded wait), then its nodes go and Dom0's setup is undone.  `force`
 * skips the wait.  Returns 0 when the guest closed it, 1 when it was
 * removed without that, -1 on failure (ENOENT: no such vif).
 */
int light_nic_detach(struct light_ctx *c, uint32_t domid, uint32_t devid,
                     bool force);

/* One vif of a domain as `xl network-list` prints it (libxl_nicinfo). */
struct light_nic_info {
	uint32_t devid;         /* "Idx" and "handle" */
	uint32_t backend_id;    /* "BE" */
	uint8_t mac[6];         /* "Mac Addr." (backend "mac") */
	int state;              /* the frontend's XenbusState, -1 unknown */
	int evtchn;             /* frontend event-channel, -1 none */
	int rref_tx, rref_rx;   /* frontend tx-/rx-ring-ref, -1 none */
	char backend[128];      /* backend path */
	char ifname[16];        /* Dom0's interface for it */
};

/* The vifs of domain `domid`, ascending devid.  *out is malloc'd (NULL
 * when there are none); returns the count or -1. */
int light_nic_list(struct light_ctx *c, uint32_t domid,
                   struct light_nic_info **out);

/* The devid of the vif with this MAC ("00:16:3e:..", any case), or
 * -1/ENOENT. */
int light_nic_by_mac(struct light_ctx *c, uint32_t domid, const char *mac,
                     uint32_t *devid);

#endif /* LIGHTSTACK_LIGHT_NET_H */
