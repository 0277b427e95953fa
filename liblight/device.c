/*
 * device.c - the split-driver device framework (see light_device.h):
 * xenstore paths, writing a device's halves, waiting for the backend,
 * removing devices.  Nothing here knows what a disk or a NIC is; the
 * kinds (device_vbd.c, device_vif.c) bring their nodes and their host
 * resources.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "light_lifecycle.h"
#include "light_device.h"

/* How often a wait looks again even without a watch event. */
#define DEV_POLL_MS 200
#define DEV_WATCH_TOKEN "light-dev"

/* The kinds light_devices_remove_all() walks, in removal order. */
static const struct dev_ops *const dev_kinds[] = {
	&vbd_ops,
	&qdisk_ops,
	&vif_ops,
};

const char *dev_frontend_kind(const char *kind)
{
	return strcmp(kind, "qdisk") == 0 ? "vbd" : kind;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- Paths ----------------------------------------------------------- */

static int fit(int n, size_t len)
{
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int dev_frontend_path(const struct dev_id *id, char *buf, size_t len)
{
	return fit(snprintf(buf, len, "/local/domain/%u/device/%s/%u",
	                    id->domid, dev_frontend_kind(id->kind), id->devid), len);
}

int dev_backend_path(const struct dev_id *id, char *buf, size_t len)
{
	return fit(snprintf(buf, len, "/local/domain/%u/backend/%s/%u/%u",
	                    id->backend_domid, id->kind, id->domid, id->devid), len);
}

int dev_libxl_path(const struct dev_id *id, char *buf, size_t len)
{
	return fit(snprintf(buf, len, "/libxl/%u/device/%s/%u",
	                    id->domid, dev_frontend_kind(id->kind), id->devid), len);
}

int dev_backend_error_path(const struct dev_id *id, char *buf, size_t len)
{
	/* xenbus_dev_error writes "error/<nodename>" relative to the backend
	 * domain's home, nodename being "backend/K/D/N". */
	return fit(snprintf(buf, len, "/local/domain/%u/error/backend/%s/%u/%u",
	                    id->backend_domid, id->kind, id->domid, id->devid), len);
}

/* ---- Node lists ------------------------------------------------------ */

int dev_nodes_add(struct dev_nodes *l, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *k = NULL, *v = NULL;
	int n;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct dev_kv *kv = realloc(l->kv, cap * sizeof(*kv));
		if (!kv)
			return -1;
		l->kv = kv;
		l->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	k = strdup(key);
	if (n < 0 || !k) {
		if (n >= 0)
			free(v);
		free(k);
		errno = ENOMEM;
		return -1;
	}
	l->kv[l->n].key = k;
	l->kv[l->n].value = v;
	l->n++;
	return 0;
}

const char *dev_nodes_get(const struct dev_nodes *l, const char *key)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (strcmp(l->kv[i].key, key) == 0)
			return l->kv[i].value;
	return NULL;
}

void dev_nodes_free(struct dev_nodes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->kv[i].key);
		free(l->kv[i].value);
	}
	free(l->kv);
	memset(l, 0, sizeof(*l));
}

int dev_nodes_read(struct light_ctx *c, const char *dir, struct dev_nodes *out)
{
	char **names = NULL, path[512], *v;
	unsigned n = 0, i;
	int rc = -1;

	if (light_need_xs(c) < 0)
		return -1;
	names = xsc_directory(c->xs, XSC_NO_TX, dir, &n);
	if (!names) {
		if (errno != ENOENT)
			light_error_xs(c, "xenstore directory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (fit(snprintf(path, sizeof(path), "%s/%s", dir, names[i]),
		        sizeof(path)) < 0)
			continue;
		v = xsc_read(c->xs, XSC_NO_TX, path, NULL);
		if (!v)
			continue;       /* removed meanwhile */
		if (dev_nodes_add(out, names[i], "%s", v) < 0) {
			free(v);
			light_error(c, ENOMEM, "reading %s", dir);
			goto out;
		}
		free(v);
	}
	rc = 0;
out:
	free(names);
	return rc;
}

/* ---- Writing --------------------------------------------------------- */

/* Write every node of `l` below dir, in transaction t. */
static int write_list(struct light_ctx *c, xsc_tx t, const char *dir,
                      const struct dev_nodes *l)
{
	char path[512];
	size_t i;

	for (i = 0; l && i < l->n; i++) {
		if (fit(snprintf(path, sizeof(path), "%s/%s", dir, l->kv[i].key),
		        sizeof(path)) < 0)
			return light_error(c, ENAMETOOLONG, "xenstore path %s/%s",
			                   dir, l->kv[i].key);
		if (xsc_write_str(c->xs, t, path, l->kv[i].value) < 0)
			return light_error_xs(c, "xenstore write");
	}
	return 0;
}

/* Does path exist (inside t)?  1, 0, or -1 on a failure. */
static int exists(struct light_ctx *c, xsc_tx t, const char *path)
{
	char *v = xsc_read(c->xs, t, path, NULL);

	if (v) {
		free(v);
		return 1;
	}
	if (errno == ENOENT)
		return 0;
	return light_error_xs(c, "xenstore read");
}

/* One attempt at the whole write, inside t. */
static int write_pair_tx(struct light_ctx *c, xsc_tx t, const struct dev_id *id,
                         const char *fe, const char *be, const char *lx,
                         const struct dev_nodes *back,
                         const struct dev_nodes *front,
                         const struct dev_nodes *book)
{
	const struct xsc_perm be_perms[] = {
		{ id->backend_domid, 'n' }, { id->domid, 'r' } };
	const struct xsc_perm fe_perms[] = {
		{ id->domid, 'n' }, { id->backend_domid, 'r' } };
	const struct xsc_perm lx_perms[] = { { 0, 'n' } };
	struct dev_nodes base = { 0 };
	int e, rc = -1;

	if ((e = exists(c, t, fe)) != 0 || (e = exists(c, t, be)) != 0) {
		if (e > 0)
			lc_fail(c, EEXIST, "%s %u already exists in domain %u",
			        id->kind, id->devid, id->domid);
		return -1;
	}

	/* Backend first: its directory and permissions, then the nodes,
	 * which inherit them. */
	if (xsc_write(c->xs, t, be, "", 0) < 0 ||
	    xsc_set_perms(c->xs, t, be, be_perms, 2) < 0) {
		light_error_xs(c, "xenstore mkdir backend");
		goto out;
	}
	if (dev_nodes_add(&base, "frontend", "%s", fe) < 0 ||
	    dev_nodes_add(&base, "frontend-id", "%u", id->domid) < 0 ||
	    dev_nodes_add(&base, "online", "1") < 0 ||
	    dev_nodes_add(&base, "state", "%d", DEV_STATE_INITIALISING) < 0) {
		light_error(c, ENOMEM, "device nodes");
		goto out;
	}
	if (write_list(c, t, be, &base) < 0 || write_list(c, t, be, back) < 0)
		goto out;
	dev_nodes_free(&base);

	if (xsc_write(c->xs, t, fe, "", 0) < 0 ||
	    xsc_set_perms(c->xs, t, fe, fe_perms, 2) < 0) {
		light_error_xs(c, "xenstore mkdir frontend");
		goto out;
	}
	if (dev_nodes_add(&base, "backend", "%s", be) < 0 ||
	    dev_nodes_add(&base, "backend-id", "%u", id->backend_domid) < 0 ||
	    dev_nodes_add(&base, "state", "%d", DEV_STATE_INITIALISING) < 0) {
		light_error(c, ENOMEM, "device nodes");
		goto out;
	}
	if (write_list(c, t, fe, &base) < 0 || write_list(c, t, fe, front) < 0)
		goto out;
	dev_nodes_free(&base);

	if (xsc_write(c->xs, t, lx, "", 0) < 0 ||
	    xsc_set_perms(c->xs, t, lx, lx_perms, 1) < 0) {
		light_error_xs(c, "xenstore mkdir libxl");
		goto out;
	}
	if (dev_nodes_add(&base, "frontend", "%s", fe) < 0 ||
	    dev_nodes_add(&base, "backend", "%s", be) < 0) {
		light_error(c, ENOMEM, "device nodes");
		goto out;
	}
	/* libxl keeps a copy of the backend's nodes there, and upstream's
	 * xl block-list/network-list read them from there. */
	if (write_list(c, t, lx, &base) < 0 || write_list(c, t, lx, back) < 0 ||
	    write_list(c, t, lx, book) < 0)
		goto out;
	rc = 0;
out:
	dev_nodes_free(&base);
	return rc;
}

int dev_write_pair(struct light_ctx *c, const struct dev_id *id,
                   const struct dev_nodes *back, const struct dev_nodes *front,
                   const struct dev_nodes *book)
{
	char fe[256], be[256], lx[256], er[256];
	xsc_tx t;
	int tries, e;

	if (light_need_xs(c) < 0)
		return -1;
	if (dev_frontend_path(id, fe, sizeof(fe)) < 0 ||
	    dev_backend_path(id, be, sizeof(be)) < 0 ||
	    dev_libxl_path(id, lx, sizeof(lx)) < 0 ||
	    dev_backend_error_path(id, er, sizeof(er)) < 0)
		return light_error(c, ENAMETOOLONG, "device path");

	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return light_error_xs(c, "xenstore transaction start");
		/* An error left by an earlier device of that number would be
		 * taken for this one's. */
		(void)xsc_rm(c->xs, t, er);
		if (write_pair_tx(c, t, id, fe, be, lx, back, front, book) < 0) {
			e = errno;
			(void)xsc_transaction_end(c->xs, t, false);
			errno = e;
			return -1;
		}
		if (xsc_transaction_end(c->xs, t, true) == 0)
			return 0;
		if (errno != EAGAIN)
			return light_error_xs(c, "xenstore transaction commit");
	}
	return lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
}

/* ---- Waiting --------------------------------------------------------- */

/* The backend's state, or -1 when the node is missing or unreadable. */
static int read_state(struct light_ctx *c, const char *be)
{
	char *v = light_xs_readf(c, XSC_NO_TX, "%s/state", be);
	long long s;
	int rc = -1;

	if (v && light_cfg_parse_int(v, 0, 255, &s) == 0)
		rc = (int)s;
	free(v);
	return rc;
}

/* The error a driver or hotplug script left for this device, malloc'd,
 * or NULL. */
static char *read_backend_error(struct light_ctx *c, const struct dev_id *id,
                                const char *be)
{
	char er[256], *v;

	v = light_xs_readf(c, XSC_NO_TX, "%s/hotplug-error", be);
	if (v && *v)
		return v;
	free(v);
	if (dev_backend_error_path(id, er, sizeof(er)) == 0) {
		v = light_xs_readf(c, XSC_NO_TX, "%s/error", er);
		if (v && *v)
			return v;
		free(v);
	}
	return NULL;
}

int dev_backend_timeout(int timeout_ms)
{
	const char *e = getenv("LIGHTSTACK_DEVICE_TIMEOUT_MS");
	long long v;

	if (timeout_ms >= 0)
		return timeout_ms;
	if (e && light_cfg_parse_int(e, 1, 3600 * 1000, &v) == 0)
		return (int)v;
	return DEV_BACKEND_TIMEOUT_MS;
}

int dev_wait_backend_state(struct light_ctx *c, const struct dev_id *id,
                           unsigned wanted, int timeout_ms, int *state)
{
	char be[256], sp[300], *err = NULL;
	long long start;
	bool watching;
	int s = -1, rc = -1;

	if (light_need_xs(c) < 0)
		return -1;
	if (dev_backend_path(id, be, sizeof(be)) < 0)
		return light_error(c, ENAMETOOLONG, "device path");
	timeout_ms = dev_backend_timeout(timeout_ms);
	snprintf(sp, sizeof(sp), "%s/state", be);
	watching = xsc_watch(c->xs, sp, DEV_WATCH_TOKEN) == 0;
	start = now_ms();

	for (;;) {
		s = read_state(c, be);
		if (s >= 0 && s < 32 && (wanted & DEV_STATE_BIT(s))) {
			rc = 0;
			break;
		}
		err = read_backend_error(c, id, be);
		if (err) {
			lc_fail(c, EIO, "%s %u of domain %u: backend error: %s",
			        id->kind, id->devid, id->domid, err);
			break;
		}
		if (s == DEV_STATE_CLOSING || s == DEV_STATE_CLOSED) {
			lc_fail(c, EIO, "%s %u of domain %u: backend closed the "
			        "device (state %d) without saying why", id->kind,
			        id->devid, id->domid, s);
			break;
		}
		if (now_ms() - start >= timeout_ms) {
			lc_fail(c, ETIMEDOUT, "%s %u of domain %u: backend still in "
			        "state %d after %d ms (is the %s backend driver "
			        "loaded in dom0?)", id->kind, id->devid, id->domid, s,
			        timeout_ms, strcmp(id->kind, "vbd") == 0 ?
			        "xen-blkback" : strcmp(id->kind, "vif") == 0 ?
			        "xen-netback" : strcmp(id->kind, "qdisk") == 0 ?
			        "QEMU xen-block" : id->kind);
			break;
		}
		light_wait_event(c, DEV_POLL_MS);
	}
	if (watching)
		(void)xsc_unwatch(c->xs, sp, DEV_WATCH_TOKEN);
	if (state)
		*state = s;
	free(err);
	return rc;
}

/* ---- Removing -------------------------------------------------------- */

/* Ask the backend to close: online = 0, state = Closing (unless it is
 * Closed already).  0, or -1 when there is no backend. */
static int ask_close(struct light_ctx *c, const char *be)
{
	char p[300];
	xsc_tx t;
	int tries, s;

	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return light_error_xs(c, "xenstore transaction start");
		snprintf(p, sizeof(p), "%s/state", be);
		s = -1;
		{
			char *v = xsc_read(c->xs, t, p, NULL);
			long long ll;
			if (v && light_cfg_parse_int(v, 0, 255, &ll) == 0)
				s = (int)ll;
			free(v);
		}
		if (s < 0) {
			(void)xsc_transaction_end(c->xs, t, false);
			errno = ENOENT;
			return -1;
		}
		snprintf(p, sizeof(p), "%s/online", be);
		(void)xsc_write_str(c->xs, t, p, "0");
		if (s != DEV_STATE_CLOSED) {
			snprintf(p, sizeof(p), "%s/state", be);
			(void)xsc_write_str(c->xs, t, p, "5");
		}
		if (xsc_transaction_end(c->xs, t, true) == 0)
			return 0;
		if (errno != EAGAIN)
			return light_error_xs(c, "xenstore transaction commit");
	}
	return lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
}

/* Wait, bounded, until the backend is Closed or gone.  true if so. */
static bool wait_closed(struct light_ctx *c, const char *be, int timeout_ms)
{
	char sp[300];
	long long start = now_ms();
	bool watching, closed = false;
	int s;

	snprintf(sp, sizeof(sp), "%s/state", be);
	watching = xsc_watch(c->xs, sp, DEV_WATCH_TOKEN) == 0;
	for (;;) {
		s = read_state(c, be);
		if (s < 0 || s == DEV_STATE_CLOSED) {
			closed = true;
			break;
		}
		if (now_ms() - start >= timeout_ms)
			break;
		light_wait_event(c, DEV_POLL_MS);
	}
	if (watching)
		(void)xsc_unwatch(c->xs, sp, DEV_WATCH_TOKEN);
	return closed;
}

void light_xs_rm_if_empty(struct light_ctx *c, xsc_tx t, const char *path)
{
	char **names;
	unsigned n = 0;

	names = xsc_directory(c->xs, t, path, &n);
	if (names && n == 0)
		(void)xsc_rm(c->xs, t, path);
	free(names);
}

static int remove_nodes(struct light_ctx *c, const struct dev_id *id)
{
	char fe[256], be[256], lx[256], er[256], p[256];
	xsc_tx t;
	int tries;

	if (dev_frontend_path(id, fe, sizeof(fe)) < 0 ||
	    dev_backend_path(id, be, sizeof(be)) < 0 ||
	    dev_libxl_path(id, lx, sizeof(lx)) < 0 ||
	    dev_backend_error_path(id, er, sizeof(er)) < 0)
		return light_error(c, ENAMETOOLONG, "device path");
	for (tries = 0; tries < 16; tries++) {
		if (xsc_transaction_start(c->xs, &t) < 0)
			return light_error_xs(c, "xenstore transaction start");
		(void)xsc_rm(c->xs, t, fe);
		(void)xsc_rm(c->xs, t, be);
		(void)xsc_rm(c->xs, t, er);
		(void)xsc_rm(c->xs, t, lx);
		snprintf(p, sizeof(p), "/local/domain/%u/backend/%s/%u",
		         id->backend_domid, id->kind, id->domid);
		light_xs_rm_if_empty(c, t, p);
		snprintf(p, sizeof(p), "/local/domain/%u/error/backend/%s/%u",
		         id->backend_domid, id->kind, id->domid);
		light_xs_rm_if_empty(c, t, p);
		if (xsc_transaction_end(c->xs, t, true) == 0)
			return 0;
		if (errno != EAGAIN)
			return light_error_xs(c, "xenstore transaction commit");
	}
	return lc_fail(c, EAGAIN, "xenstore transaction kept conflicting");
}

/* dev_remove, with the kind's unplug (if any) between the close and the
 * removal of the nodes. */
static int remove_dev(struct light_ctx *c, const struct dev_id *id, bool force,
                      int timeout_ms, const struct dev_ops *ops,
                      const struct dev_nodes *book)
{
	char be[256], keep[sizeof(c->err)] = "";
	bool closed = true;
	int e = 0;

	if (light_need_xs(c) < 0)
		return -1;
	if (dev_backend_path(id, be, sizeof(be)) < 0)
		return light_error(c, ENAMETOOLONG, "device path");
	if (ask_close(c, be) == 0) {
		if (force)
			closed = false;
		else
			closed = wait_closed(c, be, timeout_ms < 0 ?
			                     DEV_REMOVE_TIMEOUT_MS : timeout_ms);
	} else if (errno != ENOENT) {
		return -1;
	}
	if (ops && ops->unplug && ops->unplug(c, id, book) < 0) {
		e = errno;
		snprintf(keep, sizeof(keep), "%s", c->err);
	}
	if (remove_nodes(c, id) < 0)
		return -1;
	if (e) {
		snprintf(c->err, sizeof(c->err), "%s", keep);
		errno = e;
		return -1;
	}
	return closed ? 0 : 1;
}

int dev_remove(struct light_ctx *c, const struct dev_id *id, bool force,
               int timeout_ms)
{
	return remove_dev(c, id, force, timeout_ms, NULL, NULL);
}

/* ---- Listing ------------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int dev_list(struct light_ctx *c, const char *kind, uint32_t domid,
             uint32_t **ids)
{
	char dir[128], **names;
	unsigned n = 0, i;
	uint32_t *out = NULL;
	size_t k = 0;
	long long v;

	*ids = NULL;
	if (light_need_xs(c) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/local/domain/0/backend/%s/%u", kind, domid);
	names = xsc_directory(c->xs, XSC_NO_TX, dir, &n);
	if (!names) {
		if (errno == ENOENT)
			return 0;
		return light_error_xs(c, "xenstore directory");
	}
	if (n) {
		out = calloc(n, sizeof(*out));
		if (!out) {
			free(names);
			return light_error(c, ENOMEM, "device list");
		}
	}
	for (i = 0; i < n; i++)
		if (light_cfg_parse_int(names[i], 0, UINT32_MAX, &v) == 0 &&
		    names[i][0] >= '0' && names[i][0] <= '9')
			out[k++] = (uint32_t)v;
	free(names);
	if (k == 0) {
		free(out);
		return 0;
	}
	qsort(out, k, sizeof(*out), cmp_u32);
	*ids = out;
	return (int)k;
}

/* Is the backend `be` gone (its nodes removed)? */
static bool gone(struct light_ctx *c, const char *be)
{
	char *v = light_xs_readf(c, XSC_NO_TX, "%s/state", be);

	if (v) {
		free(v);
		return false;
	}
	return errno == ENOENT;
}

int dev_detach(struct light_ctx *c, const struct dev_ops *ops,
               uint32_t domid, uint32_t devid, bool force)
{
	struct dev_id id = { ops->kind, domid, 0, devid };
	char be[256], keep[sizeof(c->err)];
	bool existed;
	int rc, e;

	if (light_need_xs(c) < 0)
		return -1;
	if (dev_backend_path(&id, be, sizeof(be)) < 0)
		return light_error(c, ENAMETOOLONG, "device path");
	existed = !gone(c, be);
	rc = dev_remove_one(c, ops, &id, force, -1);
	/* The device is gone (even if a script's remove failed); so must
	 * its entry be, or a restart would bring it back. */
	if (rc >= 0 || (existed && gone(c, be))) {
		e = errno;
		snprintf(keep, sizeof(keep), "%s", c->err);
		if (dev_store_remove(c, domid, ops->kind, devid) < 0)
			return -1;
		if (rc < 0) {
			snprintf(c->err, sizeof(c->err), "%s", keep);
			errno = e;
		}
	}
	return rc;
}

int dev_read_num(struct light_ctx *c, const char *dir, const char *key)
{
	char *v = light_xs_readf(c, XSC_NO_TX, "%s/%s", dir, key);
	long long n;
	int rc = -1;

	if (v && light_cfg_parse_int(v, 0, INT_MAX, &n) == 0)
		rc = (int)n;
	free(v);
	return rc;
}

int dev_remove_one(struct light_ctx *c, const struct dev_ops *ops,
                   const struct dev_id *id, bool force, int timeout_ms)
{
	struct dev_nodes book = { 0 };
	char be[256], lx[256];
	int rc, e;

	if (light_need_xs(c) < 0)
		return -1;
	if (dev_backend_path(id, be, sizeof(be)) < 0 ||
	    dev_libxl_path(id, lx, sizeof(lx)) < 0)
		return light_error(c, ENAMETOOLONG, "device path");
	if (dev_nodes_read(c, lx, &book) < 0) {
		char *v = light_xs_readf(c, XSC_NO_TX, "%s/state", be);
		if (!v && errno == ENOENT) {
			dev_nodes_free(&book);
			return lc_fail(c, ENOENT, "%s %u does not exist in domain %u",
			               ops->kind, id->devid, id->domid);
		}
		free(v);    /* a backend without bookkeeping: remove it anyway */
	}
	rc = remove_dev(c, id, force, timeout_ms, ops, &book);
	e = errno;
	if (rc < 0 && !gone(c, be)) {
		dev_nodes_free(&book);
		errno = e;
		return -1;
	}
	/* After the nodes: the backend has let go (or been told to).  An
	 * unplug that failed still gets its release. */
	if (ops->release && ops->release(c, id, &book) < 0) {
		rc = -1;
		e = errno;
	}
	dev_nodes_free(&book);
	errno = e;
	return rc;
}

int light_devices_remove_all(struct light_ctx *c, uint32_t domid)
{
	char first[sizeof(c->err)] = "";
	uint32_t *ids;
	size_t k;
	int n, i, rc = 0;

	if (light_need_xs(c) < 0)
		return -1;
	for (k = 0; k < sizeof(dev_kinds) / sizeof(dev_kinds[0]); k++) {
		const struct dev_ops *ops = dev_kinds[k];

		n = dev_list(c, ops->kind, domid, &ids);
		if (n < 0) {
			rc = -1;
			if (!first[0])
				snprintf(first, sizeof(first), "%s", c->err);
			continue;
		}
		for (i = 0; i < n; i++) {
			struct dev_id id = { ops->kind, domid, 0, ids[i] };
			if (dev_remove_one(c, ops, &id, true, 0) < 0) {
				rc = -1;
				if (!first[0])
					snprintf(first, sizeof(first), "%s", c->err);
			}
		}
		free(ids);
	}
	if (rc < 0) {
		snprintf(c->err, sizeof(c->err), "%s", first);
		errno = EIO;
	}
	return rc;
}
