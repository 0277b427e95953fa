/*
 * domain.c - Xen domains: the ring transport, INTRODUCE/RELEASE and friends,
 * and domain death through VIRQ_DOM_EXC.
 *
 * Each introduced domain has one connection whose transport is the shared
 * xenstore page (struct xenstore_domain_interface: a request ring the guest
 * produces into and a response ring we produce into, 1 KiB each, with free
 * running 32-bit indexes) plus an event channel to kick the other side.
 * Dom0's own page comes from /proc/xen/xsd_kva; guests' pages are mapped
 * by libctrl's ctrl_ring_map (the reserved xenstore grant ref, or failing
 * that the frame INTRODUCE names).  Without Xen every domain request fails
 * and the daemon serves its socket alone.
 */
#include "config.h"

#define __XEN_TOOLS__ 1
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/grant_table.h>

#include "libctrl.h"
#include "xsd.h"

struct domain {
	struct domain *next;
	uint32_t domid;
	struct xenstore_domain_interface *intf;  /* ring.page, or borrowed */
	struct ctrl_ring ring;  /* how intf was mapped; zero when borrowed */
	int port;               /* our local port, -1 when unbound */
	uint64_t mfn;           /* frame INTRODUCE named (for a restart) */
	uint32_t remote_port;   /* the guest's end of the event channel */
	struct conn *conn;
	bool shutdown;          /* seen shut down; @releaseDomain fired */
	bool borrowed;          /* intf belongs to the caller (tests) */
	bool gone;              /* released: freed by domain_sweep() */
};

static struct ctrl_evtchn *xce;
static struct ctrl_handle *ctrl;    /* domain info and ring maps */
static int virq_port = -1;
static struct domain *domains;

bool domain_xen_active(void)
{
	return xce != NULL;
}

int domain_evtchn_fd(void)
{
	return xce ? ctrl_evtchn_fd(xce) : -1;
}

static struct domain *domain_find(uint32_t domid)
{
	struct domain *d;

	for (d = domains; d; d = d->next)
		if (d->domid == domid && !d->gone)
			return d;
	return NULL;
}

/* ---- Ring transport ------------------------------------------------------ */

static void full_barrier(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void domain_notify(struct conn *c)
{
	struct domain *d = c->priv;

	if (d && d->port >= 0)
		ctrl_evtchn_notify(xce, (uint32_t)d->port);
}

static ssize_t ring_read(struct conn *c, void *buf, size_t len)
{
	struct domain *d = c->priv;
	struct xenstore_domain_interface *intf;
	XENSTORE_RING_IDX cons, prod;
	size_t avail, done = 0, chunk;

	if (!d || !d->intf)
		return -1;
	intf = d->intf;
	/* Read the indexes once, then check them: the guest may change them. */
	cons = __atomic_load_n(&intf->req_cons, __ATOMIC_RELAXED);
	prod = __atomic_load_n(&intf->req_prod, __ATOMIC_RELAXED);
	full_barrier();
	if (prod - cons > XENSTORE_RING_SIZE) {
		intf->error = XENSTORE_ERROR_RINGIDX;
		return -1;
	}
	avail = prod - cons;
	if (avail > len)
		avail = len;
	while (done < avail) {
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons + done);
		if (chunk > avail - done)
			chunk = avail - done;
		memcpy((char *)buf + done, intf->req + MASK_XENSTORE_IDX(cons + done),
		       chunk);
		done += chunk;
	}
	if (done) {
		full_barrier();
		__atomic_store_n(&intf->req_cons, cons + (XENSTORE_RING_IDX)done,
		                 __ATOMIC_RELAXED);
		domain_notify(c);
	}
	return (ssize_t)done;
}

static ssize_t ring_write(struct conn *c, const void *buf, size_t len)
{
	struct domain *d = c->priv;
	struct xenstore_domain_interface *intf;
	XENSTORE_RING_IDX cons, prod;
	size_t space, done = 0, chunk;

	if (!d || !d->intf)
		return -1;
	intf = d->intf;
	cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_RELAXED);
	prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_RELAXED);
	full_barrier();
	if (prod - cons > XENSTORE_RING_SIZE) {
		intf->error = XENSTORE_ERROR_RINGIDX;
		return -1;
	}
	space = XENSTORE_RING_SIZE - (prod - cons);
	if (space > len)
		space = len;
	while (done < space) {
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod + done);
		if (chunk > space - done)
			chunk = space - done;
		memcpy(intf->rsp + MASK_XENSTORE_IDX(prod + done),
		       (const char *)buf + done, chunk);
		done += chunk;
	}
	if (done) {
		full_barrier();
		__atomic_store_n(&intf->rsp_prod, prod + (XENSTORE_RING_IDX)done,
		                 __ATOMIC_RELAXED);
		domain_notify(c);
	}
	return (ssize_t)done;
}

static bool ring_can_read(struct conn *c)
{
	struct domain *d = c->priv;

	return d && d->intf && d->intf->req_cons != d->intf->req_prod;
}

static bool ring_can_write(struct conn *c)
{
	struct domain *d = c->priv;

	return d && d->intf &&
	       d->intf->rsp_prod - d->intf->rsp_cons != XENSTORE_RING_SIZE;
}

static const struct conn_ops ring_ops = {
	.name = "ring",
	.read = ring_read,
	.write = ring_write,
	.can_read = ring_can_read,
};

/* A misbehaving guest: stop serving it, keep the domain for RELEASE. */
static void ring_ignore(struct conn *c, uint32_t err)
{
	struct domain *d = c->priv;

	xsd_log("domain %u: protocol error %u, connection ignored", c->id, err);
	if (d && d->intf && !d->intf->error)
		d->intf->error = err;
	c->ignored = true;
	journal_mark_conn(c);
	watch_free_all(c);
	c->txn = NULL;
	txn_free_all(c);
	conn_out_drop_all(c);
	c->in_used = 0;
}

void domain_poll_rings(void)
{
	struct domain *d;
	struct conn *c;
	int guard;

	for (d = domains; d; d = d->next) {
		c = d->conn;
		if (d->gone || !c || c->dead || c->ignored || !d->intf)
			continue;
		/* A few rounds: replies free ring space for more requests. */
		for (guard = 0; guard < 8; guard++) {
			size_t before = c->in_used;
			bool more;

			if (c->out_head && ring_can_write(c) && conn_flush(c) < 0) {
				ring_ignore(c, XENSTORE_ERROR_RINGIDX);
				break;
			}
			if (!(ring_can_read(c) && conn_may_read(c)) &&
			    !conn_input_ready(c))
				break;
			if (conn_handle_input(c) < 0) {
				ring_ignore(c, c->in_used >= XSD_HDR ?
				            XENSTORE_ERROR_PROTO : XENSTORE_ERROR_RINGIDX);
				break;
			}
			/* A request may have released this very domain. */
			if (d->gone || c->dead)
				break;
			if (c->out_head && conn_flush(c) < 0) {
				ring_ignore(c, XENSTORE_ERROR_RINGIDX);
				break;
			}
			more = c->in_used != before || ring_can_read(c);
			if (!more)
				break;
		}
	}
	domain_sweep();
}

bool domain_rings_busy(void)
{
	struct domain *d;
	struct conn *c;

	for (d = domains; d; d = d->next) {
		c = d->conn;
		if (d->gone || !c || c->dead || c->ignored || !d->intf)
			continue;
		if ((ring_can_read(c) && conn_may_read(c)) || conn_input_ready(c))
			return true;
		if (c->out_head && ring_can_write(c))
			return true;
	}
	return false;
}

/* ---- Domain information --------------------------------------------------- */

/*
 * Ask Xen about exactly `domid` (through libctrl, which copes with 4.17
 * answering for the next domain at or above the one asked for).
 * Returns 1 and the raw XEN_DOMINF_* flags when it exists, 0 when it is
 * gone, -1 when we cannot tell (no Xen, or the hypercall failed otherwise).
 */
static int dominfo(uint32_t domid, uint32_t *flags)
{
	struct ctrl_dominfo info;

	if (!ctrl)
		return -1;
	if (ctrl_domain_getinfo(ctrl, domid, &info) < 0)
		return errno == ESRCH ? 0 : -1;
	*flags = info.flags;
	return 1;
}

bool domain_exists(uint32_t domid)
{
	uint32_t flags;

	if (!xce || domid == 0 || domain_find(domid))
		return true;
	return dominfo(domid, &flags) != 0;
}

/* ---- Introduce / release ------------------------------------------------- */

static void domain_unbind(struct domain *d)
{
	if (d->port >= 0)
		ctrl_evtchn_unbind(xce, (uint32_t)d->port);
	d->port = -1;
}

/*
 * Liblight keeps a name index, /tool/lightstack/names/<name> = "<domid>",
 * as a cache of /local/domain/<domid>/name.  A domain destroyed by another
 * tool (upstream's xl, libvirt) would leave its entry behind for good; this
 * daemon sees every domain's release first, so it drops the entries that
 * name the released domain.  The paths are collected before any removal,
 * which changes the child list being walked.
 */
#define NAME_INDEX "/tool/lightstack/names"

static void drop_name_entries(uint32_t domid)
{
	struct node *dir = nodetab_get(&xsd_db, NAME_INDEX), *n;
	char want[16], **paths = NULL, **p;
	size_t np = 0, i, wlen;
	unsigned int off;
	const char *base;

	if (!dir)
		return;
	wlen = (size_t)snprintf(want, sizeof(want), "%u", (unsigned)domid);
	for (off = 0; off < dir->childlen; off += strlen(base) + 1) {
		char path[XENSTORE_ABS_PATH_MAX + 1];

		base = dir->children + off;
		if (snprintf(path, sizeof(path), "%s/%s", NAME_INDEX, base) >=
		    (int)sizeof(path))
			continue;
		n = nodetab_get(&xsd_db, path);
		if (!n || n->datalen != wlen || memcmp(n->data, want, wlen) != 0)
			continue;
		p = realloc(paths, (np + 1) * sizeof(*paths));
		if (!p)
			break;
		paths = p;
		if (!(paths[np] = strdup(path)))
			break;
		np++;
	}
	for (i = 0; i < np; i++) {
		if (tree_rm(NULL, paths[i]) < 0)
			syslog(LOG_ERR, "cannot remove stale name entry %s",
			       paths[i]);
		free(paths[i]);
	}
	free(paths);
}

/*
 * Release a domain: its connection stops at once (the main loop frees it),
 * its nodes go, its ring and event channel are given back.  The structure
 * itself stays in the list, marked gone, until domain_sweep(): a request
 * being processed for one domain may release another (or itself) while a
 * loop over the list is under way.
 */
static void domain_destroy(struct domain *d, bool fire)
{
	struct conn *c = d->conn;

	d->gone = true;
	journal_mark_domains();
	if (c) {
		c->dead = true;
		c->priv = NULL;
		c->dom = NULL;
		d->conn = NULL;
	}
	tree_remove_domain_nodes(d->domid);
	tree_forget_domain_perms(d->domid);
	drop_name_entries(d->domid);
	special_forget_domain(d->domid);
	domain_unbind(d);
	if (d->intf && !d->borrowed)
		ctrl_ring_unmap(ctrl, &d->ring);
	d->intf = NULL;
	if (fire)
		fire_special("@releaseDomain");
}

void domain_sweep(void)
{
	struct domain **pp = &domains, *d;

	while ((d = *pp)) {
		if (d->gone) {
			*pp = d->next;
			free(d);
		} else {
			pp = &d->next;
		}
	}
}

/* Forget the connection's state and start the rings afresh (INTRODUCE). */
static void domain_conn_reset(struct domain *d)
{
	struct conn *c = d->conn;

	journal_mark_conn(c);
	watch_free_all(c);
	c->txn = NULL;
	txn_free_all(c);
	conn_out_drop_all(c);
	c->in_used = 0;
	c->ignored = false;
	d->intf->req_cons = d->intf->req_prod = 0;
	d->intf->rsp_cons = d->intf->rsp_prod = 0;
	full_barrier();
}

/* A domain served over `ring` (mapped by the caller, which unmaps it if
 * this fails). */
static struct domain *domain_new(uint32_t domid, const struct ctrl_ring *ring,
                                 uint32_t remote_port)
{
	struct domain *d = calloc(1, sizeof(*d));
	int port;

	if (!d) {
		errno = ENOMEM;
		return NULL;
	}
	d->domid = domid;
	d->ring = *ring;
	d->intf = ring->page;
	d->remote_port = remote_port;
	journal_mark_domains();
	port = ctrl_evtchn_bind_interdomain(xce, domid, remote_port);
	if (port < 0) {
		xsd_log("domain %u: binding event channel %u: %s", domid,
		        remote_port, ctrl_evtchn_errmsg(xce));
		free(d);
		return NULL;
	}
	d->port = port;
	d->conn = conn_new(&ring_ops, -1, domid);
	if (!d->conn) {
		ctrl_evtchn_unbind(xce, (uint32_t)port);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	d->conn->priv = d;
	d->conn->dom = d;
	d->conn->is_domain = true;
	d->next = domains;
	domains = d;
	return d;
}

int domain_introduce(uint32_t domid, uint64_t mfn, uint32_t port)
{
	struct domain *d;
	struct ctrl_ring ring;
	int p;

	if (!xce) {
		errno = ENOSYS;     /* socket-only: no rings to talk over */
		return -1;
	}
	d = domain_find(domid);
	if (d) {
		/* Known domain: new event channel, fresh connection state. */
		domain_unbind(d);
		p = ctrl_evtchn_bind_interdomain(xce, domid, port);
		d->port = p < 0 ? -1 : p;
		d->remote_port = port;
		journal_mark_domains();
	} else {
		if (!ctrl || ctrl_ring_map(ctrl, domid, GNTTAB_RESERVED_XENSTORE,
		                           mfn, 0, &ring) < 0) {
			xsd_log("domain %u: cannot map its xenstore ring: %s",
			        domid, ctrl ? ctrl_errmsg(ctrl) : "no libctrl");
			errno = EINVAL;
			return -1;
		}
		d = domain_new(domid, &ring, port);
		if (!d) {
			int err = errno ? errno : EINVAL;

			ctrl_ring_unmap(ctrl, &ring);
			errno = err;
			return -1;
		}
		d->mfn = mfn;
		fire_special("@introduceDomain");
	}
	domain_conn_reset(d);
	if (d->intf->connection == XENSTORE_RECONNECT) {
		d->intf->connection = XENSTORE_CONNECTED;
		domain_notify(d->conn);
	}
	return 0;
}

int domain_release(uint32_t domid)
{
	struct domain *d = domain_find(domid);

	if (!d) {
		errno = ENOENT;
		return -1;
	}
	if (!d->conn) {
		errno = EINVAL;
		return -1;
	}
	domain_destroy(d, true);
	return 0;
}

bool domain_is_introduced(uint32_t domid)
{
	return domain_find(domid) != NULL;
}

int domain_resume(uint32_t domid)
{
	struct domain *d = domain_find(domid);

	if (!d) {
		errno = ENOENT;
		return -1;
	}
	d->shutdown = false;
	journal_mark_domains();
	return 0;
}

int domain_set_target(uint32_t domid, uint32_t target)
{
	struct domain *d = domain_find(domid), *t = domain_find(target);

	if (!d || !t) {
		errno = ENOENT;
		return -1;
	}
	if (!d->conn || !t->conn) {
		errno = EINVAL;
		return -1;
	}
	d->conn->has_target = true;
	d->conn->target = target;
	journal_mark_domains();
	return 0;
}

/*
 * Domains found dying (not yet gone) when the daemon came back after a
 * restart.  Whoever destroyed them could not tell the toolstack through
 * xenstore, and the toolstack's monitor tidies what a domain left only
 * once it has vanished: so @releaseDomain fires again when it does.
 */
static uint32_t *zombies;
static size_t nzombies;

static void check_zombies(void)
{
	uint32_t flags;
	size_t i = 0;
	bool gone = false;

	while (i < nzombies) {
		if (dominfo(zombies[i], &flags) == 0) {
			zombies[i] = zombies[--nzombies];
			gone = true;
		} else {
			i++;
		}
	}
	if (gone)
		fire_special("@releaseDomain");
}

/* VIRQ_DOM_EXC: some domain changed state.  Like upstream, look at all. */
static void check_domains(void)
{
	struct domain *d, *next;
	uint32_t flags;
	bool notify = false;
	int r;

	if (nzombies)
		check_zombies();

	for (d = domains; d; d = next) {
		next = d->next;
		if (d->gone || d->domid == 0)
			continue;
		r = dominfo(d->domid, &flags);
		if (r < 0)
			continue;
		if (r == 1 && (flags & XEN_DOMINF_shutdown) && !d->shutdown) {
			d->shutdown = true;
			notify = true;
			journal_mark_domains();
		}
		if (r == 1 && !(flags & XEN_DOMINF_dying))
			continue;
		/* Gone or dying: drop it; that fires @releaseDomain itself. */
		domain_destroy(d, true);
		notify = false;
	}
	if (notify)
		fire_special("@releaseDomain");
}

void domain_handle_evtchn(void)
{
	int port;

	while ((port = ctrl_evtchn_pending(xce)) >= 0) {
		if (port == virq_port)
			check_domains();
		ctrl_evtchn_unmask(xce, (uint32_t)port);
	}
}

struct conn *domain_attach_ring(uint32_t domid,
                                struct xenstore_domain_interface *intf)
{
	struct domain *d;

	if (domain_find(domid)) {
		errno = EEXIST;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->intf = intf;
	d->borrowed = true;
	d->port = -1;
	d->conn = conn_new(&ring_ops, -1, domid);
	if (!d->conn) {
		free(d);
		return NULL;
	}
	d->conn->priv = d;
	d->conn->dom = d;
	d->conn->is_domain = true;
	d->next = domains;
	domains = d;
	return d->conn;
}

/* ---- Restart (journal.c) ------------------------------------------------ */

size_t domain_records(struct xsd_domrec **out)
{
	struct domain *d;
	size_t n = 0;

	*out = NULL;
	for (d = domains; d; d = d->next)
		if (!d->gone && !d->borrowed && d->conn)
			n++;
	if (!n || !(*out = calloc(n, sizeof(**out))))
		return 0;
	n = 0;
	for (d = domains; d; d = d->next) {
		if (d->gone || d->borrowed || !d->conn)
			continue;
		(*out)[n].domid = d->domid;
		(*out)[n].mfn = d->mfn;
		(*out)[n].remote_port = d->remote_port;
		(*out)[n].shutdown = d->shutdown;
		(*out)[n].has_target = d->conn->has_target;
		(*out)[n].target = d->conn->target;
		n++;
	}
	return n;
}

/* A domain that died while the daemon was down: what domain_destroy()
 * would have done, for a domain that has no structure. */
static void domain_gone_meanwhile(uint32_t domid)
{
	xsd_log("domain %u died while xenstored was down: removing its nodes",
	        domid);
	tree_remove_domain_nodes(domid);
	drop_name_entries(domid);
	special_forget_domain(domid);
	fire_special("@releaseDomain");
}

int domain_restore(const struct xsd_domrec *r)
{
	struct ctrl_ring ring;
	struct domain *d;
	uint32_t flags = 0;
	int alive;

	if (!xce) {
		xsd_log("domain %u: no Xen now, not served", r->domid);
		return -1;
	}
	alive = dominfo(r->domid, &flags);
	if (alive == 0 || (alive == 1 && (flags & XEN_DOMINF_dying))) {
		uint32_t *z;

		if (alive == 1 && (z = realloc(zombies, (nzombies + 1) *
		                                         sizeof(*z)))) {
			zombies = z;
			zombies[nzombies++] = r->domid;
		}
		domain_gone_meanwhile(r->domid);
		return 1;
	}
	if (!ctrl || ctrl_ring_map(ctrl, r->domid, GNTTAB_RESERVED_XENSTORE,
	                           r->mfn, 0, &ring) < 0) {
		xsd_log("domain %u: cannot map its xenstore ring again: %s",
		        r->domid, ctrl ? ctrl_errmsg(ctrl) : "no libctrl");
		return -1;
	}
	d = domain_new(r->domid, &ring, r->remote_port);
	if (!d) {
		ctrl_ring_unmap(ctrl, &ring);
		return -1;
	}
	d->mfn = r->mfn;
	d->shutdown = r->shutdown;
	d->conn->has_target = r->has_target;
	d->conn->target = r->target;
	journal_restore_conn(d->conn);
	/* The guest may be waiting for an answer or for ring space. */
	domain_notify(d->conn);
	return 0;
}

void domain_restore_done(void)
{
	if (xce)
		check_domains();
}

/* ---- Start-up ---------------------------------------------------------- */

static bool dom0_init(void)
{
	struct domain *d;
	struct ctrl_ring ring;
	int port = ctrl_dom0_xenstore_port();

	if (port < 0) {
		xsd_log("no xenstore event channel for dom0 (/proc/xen/xsd_port)");
		return false;
	}
	if (ctrl_ring_dom0_xenstore(&ring) < 0) {
		xsd_log("cannot map dom0's xenstore page (/proc/xen/xsd_kva)");
		return false;
	}
	d = domain_new(0, &ring, (uint32_t)port);
	if (!d) {
		ctrl_ring_unmap(NULL, &ring);
		return false;
	}
	/* After a restart: dom0's kernel keeps its watches and whatever it
	 * had under way on the ring. */
	journal_restore_conn(d->conn);
	domain_notify(d->conn);
	return true;
}

bool domain_xen_init(bool dom0_ring)
{
	if (!ctrl_xen_present())
		return false;
	xce = ctrl_evtchn_open();
	if (!xce) {
		xsd_log("cannot open event channels: running socket-only");
		return false;
	}
	ctrl = ctrl_open();
	if (!ctrl)
		xsd_log("cannot open libctrl: %s: no guest rings, dying domains "
		        "go unnoticed", strerror(errno));
	virq_port = ctrl_evtchn_bind_virq(xce, VIRQ_DOM_EXC);
	if (virq_port < 0)
		xsd_log("cannot bind VIRQ_DOM_EXC: %s", ctrl_evtchn_errmsg(xce));
	if (dom0_ring)
		dom0_init();
	return true;
}
