/*
 * destroy.c - light_domain_destroy() and the cleanup of what a domain
 * leaves behind, plus the small private helpers of the lifecycle files.
 *
 * Order: pause (so the guest stops touching its rings), remove its
 * devices and its xenstore home, destroy it in Xen, drop it from xenstored
 * (see light_domain_destroy() for why that comes last), forget its stored
 * config.  The xenstore removal comes before the hypercall so
 * that a crash in between leaves a domain without nodes (destroy works
 * again) rather than nodes without a domain (garbage nobody owns); and
 * light_domain_cleanup() removes such garbage anyway.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "light_lifecycle.h"
#include "light_device.h"
#include "strnum.h"

int lc_fail(struct light_ctx *c, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	errno = errnum;
	return -1;
}

int light_parse_domid(const char *s, uint32_t *out)
{
	uint64_t v;

	if (strnum_u64(s, 10, 0, DOMID_FIRST_RESERVED - 1, &v) == -1) {
		errno = EINVAL;
		return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/*
 * A domain that another tool destroyed has no name node left to say which
 * index entry was its own: find the entries that still hold its id and
 * remove them (under another xenstored nobody else does; ours drops them
 * itself on release).  One directory read and one read per entry, only on
 * this cleanup path.  Removed in transaction t, only if still this id.
 */
static void drop_index_entries_of(struct light_ctx *c, xsc_tx t,
                                  uint32_t domid)
{
	char **keys, want[16], path[512], *v;
	unsigned n = 0, i;

	keys = xsc_directory(c->xs, t, LIGHT_NAMES_PATH, &n);
	if (!keys)
		return;
	snprintf(want, sizeof(want), "%u", domid);
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", LIGHT_NAMES_PATH,
		             keys[i]) >= (int)sizeof(path))
			continue;
		v = xsc_read(c->xs, t, path, NULL);
		if (v && strcmp(v, want) == 0)
			(void)xsc_rm(c->xs, t, path);
		free(v);
	}
	free(keys);
}

/*
 * Every backend directory Dom0 still has for domid, whatever its kind:
 * the devices Lightstack made are taken down properly before this (vbd,
 * vif: light_devices_remove_all), but a domain another toolstack made
 * has kinds Lightstack never creates (libxl writes backend/console/<id>
 * for the PV console, and vkbd, vfb, qdisk, 9pfs ...).  Removed in t.
 */
static void drop_backend_dirs_of(struct light_ctx *c, xsc_tx t,
                                 uint32_t domid)
{
	char **kinds, path[512];
	unsigned n = 0, i;

	kinds = xsc_directory(c->xs, t, "/local/domain/0/backend", &n);
	if (!kinds)
		return;
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u",
		             kinds[i], domid) < (int)sizeof(path))
			(void)xsc_rm(c->xs, t, path);
		/* Linux's xenbus reports a backend probe that failed (its
		 * directory went while it probed) under error/<path>. */
		if (snprintf(path, sizeof(path),
		             "/local/domain/0/error/backend/%s/%u", kinds[i],
		             domid) < (int)sizeof(path))
			(void)xsc_rm(c->xs, t, path);
		if (snprintf(path, sizeof(path), "/local/domain/0/error/backend/%s",
		             kinds[i]) < (int)sizeof(path))
			light_xs_rm_if_empty(c, t, path);
	}
	free(kinds);
	/* The directories xenbus made above that error, once nothing is in
	 * them: they were not there before the first failed probe. */
	light_xs_rm_if_empty(c, t, "/local/domain/0/error/backend");
	light_xs_rm_if_empty(c, t, "/local/domain/0/error");
}

int light_remove_domain_nodes(struct light_ctx *c, uint32_t domid,
                              const char *name, const char *uuid)
{
	char dom[64], path[128], *own_name = NULL, *vm = NULL;
	char keep[sizeof(c->err)];
	uint32_t idx_domid;
	xsc_tx t;
	int tries, rc = -1, e = errno;

	if (!c->xs)
		return -1;
	/* A cleanup: the lookups below must not replace the message of the
	 * failure being cleaned up after (a create's undo runs this). */
	snprintf(keep, sizeof(keep), "%s", c->err);
	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	if (!name)
		name = own_name = light_xs_readf(c, XSC_NO_TX, "%s/name", dom);
	if (uuid) {
		if (asprintf(&vm, "/vm/%s", uuid) < 0)
			vm = NULL;
	} else {
		vm = light_xs_readf(c, XSC_NO_TX, "%s/vm", dom);
		/* Only remove what is really a /vm/<uuid> node. */
		if (vm && strncmp(vm, "/vm/", 4) != 0) {
			free(vm);
			vm = NULL;
		}
	}

	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			goto out;
		(void)xsc_rm(c->xs, t, dom);
		if (vm)
			(void)xsc_rm(c->xs, t, vm);
		snprintf(path, sizeof(path), "/libxl/%u", domid);
		(void)xsc_rm(c->xs, t, path);
		if (domid != 0) {
			drop_backend_dirs_of(c, t, domid);
			/* An HVM guest's QEMU directory in Dom0's tree. */
			snprintf(path, sizeof(path),
			         "/local/domain/0/device-model/%u", domid);
			(void)xsc_rm(c->xs, t, path);
		}
		/* The index entry goes only if it is still ours: a new domain
		 * may have taken the name since. */
		if (name && light_domain_by_name(c, name, &idx_domid) == 0 &&
		    idx_domid == domid)
			(void)light_name_index_remove(c, t, name);
		else if (!name && domid != 0)
			drop_index_entries_of(c, t, domid);
		if (xsc_transaction_end(c->xs, t, true) == 0) {
			rc = 0;
			break;
		}
		if (errno != EAGAIN)
			break;
	}
out:
	free(own_name);
	free(vm);
	snprintf(c->err, sizeof(c->err), "%s", keep);
	errno = e;
	return rc;
}

int light_domain_cleanup(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) == 0 && !info.dying)
		return lc_fail(c, EBUSY, "domain %u still exists", domid);
	(void)xsc_release_domain(c->xs, domid);
	(void)light_devices_remove_all(c, domid);
	light_devmodel_stop(c, domid);
	light_remove_domain_nodes(c, domid, NULL, NULL);
	light_config_forget(domid);
	light_wait_released(c, domid);
	return 0;
}

/*
 * Xen keeps a destroyed domain, dying, until the last mapping of its pages
 * goes: xenstored and xenconsoled drop theirs a moment later, when they see
 * it die.  Callers take "destroyed" to mean gone from the domain list, so
 * wait for that, bounded: a domain that some other process keeps mapped
 * stays dying, and that is not a failure of the destroy.
 */
#define RELEASE_WAIT_MS 10000
#define RELEASE_POLL_MS 20

void light_wait_released(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;
	int waited;

	for (waited = 0; waited < RELEASE_WAIT_MS; waited += RELEASE_POLL_MS) {
		if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0)
			return;		/* gone (ESRCH), or we cannot tell */
		usleep(RELEASE_POLL_MS * 1000);
	}
}

int light_domain_destroy(struct light_ctx *c, uint32_t domid)
{
	struct ctrl_dominfo info;

	if (light_need_ctrl(c) < 0 || light_need_xs(c) < 0)
		return -1;
	if (domid == 0)
		return lc_fail(c, EPERM, "domain 0 cannot be destroyed");
	if (ctrl_domain_getinfo(c->ctrl, domid, &info) < 0) {
		int e = errno;
		if (e == ESRCH || e == EINVAL) {
			/* Gone already; its leftovers are ours to remove. */
			light_domain_cleanup(c, domid);
			return lc_fail(c, ESRCH, "domain %u does not exist", domid);
		}
		return light_error_ctrl(c, "domain info");
	}

	/* Stop it first: from here on it must not touch its rings.  A dying
	 * domain cannot be paused; that is fine. */
	(void)ctrl_domain_pause(c->ctrl, domid);
	/* Devices next: the paused guest cannot answer the close handshake,
	 * so their nodes go at once, which makes the backends let go; then
	 * their loop/nbd devices are detached. */
	(void)light_devices_remove_all(c, domid);
	/* QEMU (qdisk disks) maps the guest's grants: it must let go, as
	 * the backends above did, before the domain can go. */
	light_devmodel_stop(c, domid);
	light_remove_domain_nodes(c, domid, NULL, NULL);
	if (ctrl_domain_destroy(c->ctrl, domid) < 0 && errno != ESRCH)
		return light_error_ctrl(c, "cannot destroy the domain");
	/* Release only now that Xen calls it dying: xenstored unmaps its
	 * ring and fires @releaseDomain, and xenconsoled, rescanning on that
	 * event, finds the domain dying and unmaps the console ring, the
	 * last mapping, so Xen drops the domain at once.  Released before
	 * the hypercall, the event came while the domain still looked alive,
	 * xenstored had nothing left to report when it died, and the
	 * console kept the domain until xenconsoled's periodic rescan. */
	(void)xsc_release_domain(c->xs, domid);
	light_config_forget(domid);
	light_wait_released(c, domid);
	return 0;
}
