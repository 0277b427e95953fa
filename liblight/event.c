/*
 * event.c - the orchestrators' event source (light_event.h).
 *
 * Xenstore watches say only "something under this path changed".  Turning
 * that into "domain 7 crashed" needs memory of what was true before, so
 * the handle keeps a small table of the domains and backends it knows,
 * compares each change against it, and queues an event for every
 * difference.  The caller drains the queue with light_events_next().
 *
 * One epoll fd is what the caller polls: it holds the xenstore connection
 * and a timerfd that ticks only while a memory target is pending, since
 * nothing in xenstore changes when a balloon driver reaches its target:
 * that can only be seen by asking Xen how many pages the domain has now.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/sched.h>

#include "strnum.h"
#include "light_internal.h"
#include "light_event.h"

#define EV_TOKEN        "light-events"
#define BACKEND_PREFIX  "/local/domain/0/backend"
#define MEM_POLL_MS     250     /* memory check interval while pending */
#define XS_STATE_CONNECTED 4    /* XenbusStateConnected */
#define PAGE_KB         4       /* x86 pages: tot_pages counts 4 KiB */

/* A domain as last seen. */
struct ev_dom {
	uint32_t domid;
	char name[LIGHT_EVENT_NAME_MAX];
	bool shutdown;          /* its shutdown was reported */
	uint64_t last_target;   /* memory/target as last read (0: none) */
	uint64_t target_kb;     /* pending memory target ... */
	int mem_dir;            /* ... -1 shrinking, +1 growing, 0 none */
	struct ev_dom *next;
};

/* A backend as last seen (only those that ever reached Connected). */
struct ev_dev {
	char kind[16];
	uint32_t domid, devid;
	bool connected;
	struct ev_dev *next;
};

struct light_events {
	struct light_ctx *c;        /* for the hypervisor handle */
	struct xsc_handle *xs;      /* our own connection, with the watches */
	int epfd, timerfd;
	bool timer_armed;
	unsigned xs_gen;            /* xsc_reconnects() when added to epfd */
	struct ev_dom *doms;
	struct ev_dev *devs;
	struct light_event *q;      /* FIFO: q[head..len) are pending */
	size_t head, len, cap;
	char err[256];
};

static int ev_fail(struct light_events *ev, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int ev_fail(struct light_events *ev, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	va_start(ap, fmt);
	vsnprintf(ev->err, sizeof(ev->err), fmt, ap);
	va_end(ap);
	used = strlen(ev->err);
	if (errnum && used < sizeof(ev->err))
		snprintf(ev->err + used, sizeof(ev->err) - used, ": %s",
		         strerror(errnum));
	errno = errnum ? errnum : EIO;
	return -1;
}

const char *light_event_type_name(enum light_event_type t)
{
	switch (t) {
	case LIGHT_EVENT_DOMAIN_CREATED: return "domain-created";
	case LIGHT_EVENT_DOMAIN_SHUTDOWN: return "domain-shutdown";
	case LIGHT_EVENT_DOMAIN_CRASHED: return "domain-crashed";
	case LIGHT_EVENT_DOMAIN_DESTROYED: return "domain-destroyed";
	case LIGHT_EVENT_DEVICE_CONNECTED: return "device-connected";
	case LIGHT_EVENT_DEVICE_DISCONNECTED: return "device-disconnected";
	case LIGHT_EVENT_MEMORY_TARGET_REACHED: return "memory-target-reached";
	}
	return "unknown";
}

/* ---- The queue ----------------------------------------------------- */

/* Append an event; the caller fills it.  NULL when out of memory (the
 * event is lost: there is no better answer inside a watch handler). */
static struct light_event *push(struct light_events *ev,
                                enum light_event_type type, uint32_t domid)
{
	struct light_event *e, *nq;

	if (ev->head == ev->len)
		ev->head = ev->len = 0;
	if (ev->len == ev->cap) {
		size_t nc = ev->cap ? ev->cap * 2 : 16;

		nq = realloc(ev->q, nc * sizeof(*nq));
		if (!nq)
			return NULL;
		ev->q = nq;
		ev->cap = nc;
	}
	e = &ev->q[ev->len++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->domid = domid;
	e->reason = -1;
	return e;
}

static void push_dom(struct light_events *ev, enum light_event_type type,
                     const struct ev_dom *d)
{
	struct light_event *e = push(ev, type, d->domid);

	if (e)
		snprintf(e->name, sizeof(e->name), "%s", d->name);
}

/* ---- Domains --------------------------------------------------------- */

static struct ev_dom *dom_find(struct light_events *ev, uint32_t domid)
{
	struct ev_dom *d;

	for (d = ev->doms; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

/* memory/target of domid in KiB, 0 if absent or malformed. */
static uint64_t read_target(struct light_events *ev, uint32_t domid)
{
	char path[64], *v;
	uint64_t target = 0;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	v = xsc_read(ev->xs, XSC_NO_TX, path, NULL);
	if (v && strnum_u64(v, 10, 0, UINT64_MAX / 2, &target) < 0)
		target = 0;
	free(v);
	return target;
}

/* Start tracking domid if it has a name; true if it is new. */
static bool dom_add(struct light_events *ev, uint32_t domid)
{
	struct ev_dom *d;
	char *name;
	char path[64];

	if (dom_find(ev, domid))
		return false;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	name = xsc_read(ev->xs, XSC_NO_TX, path, NULL);
	if (!name)
		return false;   /* not named yet: its name's write comes later */
	d = calloc(1, sizeof(*d));
	if (!d) {
		free(name);
		return false;
	}
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	free(name);
	/* The target it was created with is its starting state, not news
	 * (create writes it in the same transaction as the name). */
	d->last_target = read_target(ev, domid);
	d->next = ev->doms;
	ev->doms = d;
	return true;
}

static void dev_drop_domain(struct light_events *ev, uint32_t domid);

/* The domain is gone: report its connected devices, then itself. */
static void dom_gone(struct light_events *ev, struct ev_dom *gone)
{
	struct ev_dom **pp;

	dev_drop_domain(ev, gone->domid);
	push_dom(ev, LIGHT_EVENT_DOMAIN_DESTROYED, gone);
	for (pp = &ev->doms; *pp; pp = &(*pp)->next) {
		if (*pp == gone) {
			*pp = gone->next;
			free(gone);
			return;
		}
	}
}

static bool home_exists(struct light_events *ev, uint32_t domid)
{
	char path[64], *v;

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	v = xsc_read(ev->xs, XSC_NO_TX, path, NULL);
	if (v) {
		free(v);
		return true;
	}
	return errno != ENOENT;     /* an I/O error proves nothing */
}

/*
 * Compare one domain with what Xen says (or, without a hypervisor
 * handle, with whether its xenstore home still exists).  May free d.
 */
static void dom_check(struct light_events *ev, struct ev_dom *d)
{
	struct ctrl_dominfo info;
	struct light_event *e;

	if (d->domid == 0)
		return;
	if (!ev->c->ctrl) {
		if (!home_exists(ev, d->domid))
			dom_gone(ev, d);
		return;
	}
	if (ctrl_domain_getinfo(ev->c->ctrl, d->domid, &info) < 0) {
		if (errno == ESRCH)
			dom_gone(ev, d);
		return;
	}
	if (info.dying) {
		dom_gone(ev, d);
		return;
	}
	if (info.shutdown && !d->shutdown) {
		d->shutdown = true;
		e = push(ev, info.shutdown_reason == SHUTDOWN_crash ?
		         LIGHT_EVENT_DOMAIN_CRASHED : LIGHT_EVENT_DOMAIN_SHUTDOWN,
		         d->domid);
		if (e) {
			snprintf(e->name, sizeof(e->name), "%s", d->name);
			e->reason = (int)info.shutdown_reason;
		}
	} else if (!info.shutdown) {
		d->shutdown = false;    /* resumed: a later shutdown is news */
	}
}

static void dom_check_all(struct light_events *ev)
{
	struct ev_dom *d, *next;

	for (d = ev->doms; d; d = next) {
		next = d->next;
		dom_check(ev, d);
	}
}

/* Every domain with a home and a name that is not in the table yet. */
static void dom_scan(struct light_events *ev, bool report)
{
	char **ids;
	unsigned i, n;
	uint64_t id;

	ids = xsc_directory(ev->xs, XSC_NO_TX, "/local/domain", &n);
	if (!ids)
		return;
	for (i = 0; i < n; i++) {
		if (strnum_u64(ids[i], 10, 0, DOMID_FIRST_RESERVED - 1, &id) < 0)
			continue;
		if (dom_add(ev, id) && report)
			push_dom(ev, LIGHT_EVENT_DOMAIN_CREATED,
			         dom_find(ev, id));
	}
	free(ids);
}

/* ---- Memory targets ------------------------------------------------ */

static int timer_set(struct light_events *ev, bool on)
{
	struct itimerspec its = { 0 };

	if (on == ev->timer_armed)
		return 0;
	if (on) {
		its.it_value.tv_nsec = MEM_POLL_MS * 1000000L;
		its.it_interval.tv_nsec = MEM_POLL_MS * 1000000L;
	}
	if (timerfd_settime(ev->timerfd, 0, &its, NULL) < 0)
		return -1;
	ev->timer_armed = on;
	return 0;
}

/* Has d reached its pending target?  Clears it when it has (or when the
 * domain cannot be asked any more). */
static void mem_check(struct light_events *ev, struct ev_dom *d)
{
	struct ctrl_dominfo info;
	struct light_event *e;
	uint64_t cur;

	if (!d->mem_dir)
		return;
	if (ctrl_domain_getinfo(ev->c->ctrl, d->domid, &info) < 0) {
		d->mem_dir = 0;
		return;
	}
	cur = info.tot_pages * PAGE_KB;
	if ((d->mem_dir < 0 && cur > d->target_kb) ||
	    (d->mem_dir > 0 && cur < d->target_kb))
		return;
	d->mem_dir = 0;
	e = push(ev, LIGHT_EVENT_MEMORY_TARGET_REACHED, d->domid);
	if (e) {
		snprintf(e->name, sizeof(e->name), "%s", d->name);
		e->memkb = d->target_kb;
	}
}

static void mem_check_all(struct light_events *ev)
{
	struct ev_dom *d;
	bool pending = false;

	for (d = ev->doms; d; d = d->next) {
		mem_check(ev, d);
		pending = pending || d->mem_dir;
	}
	(void)timer_set(ev, pending);
}

/* memory/target of d was written: remember which way it has to go. */
static void mem_target_changed(struct light_events *ev, struct ev_dom *d)
{
	struct ctrl_dominfo info;
	uint64_t target, cur;

	target = read_target(ev, d->domid);
	if (!target || target == d->last_target)
		return;         /* rewritten with the same value: no news */
	d->last_target = target;
	if (!ev->c->ctrl ||
	    ctrl_domain_getinfo(ev->c->ctrl, d->domid, &info) < 0)
		return;
	cur = info.tot_pages * PAGE_KB;
	d->target_kb = target;
	d->mem_dir = cur > target ? -1 : 1;
	mem_check_all(ev);
}

/* ---- Paths ---------------------------------------------------------- */

/*
 * Take the next component of a path ("/abc/..." at *p) into buf (size
 * bytes); *p moves past it.  0, or -1 if there is none or it is too long.
 */
static int component(const char **p, char *buf, size_t size)
{
	const char *s = *p, *e;

	if (*s != '/')
		return -1;
	s++;
	e = strchr(s, '/');
	if (!e)
		e = s + strlen(s);
	if (e == s || (size_t)(e - s) >= size)
		return -1;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	*p = e;
	return 0;
}

/* The same for a decimal number (strictly: digits only, in range). */
static int component_id(const char **p, uint64_t max, uint32_t *out)
{
	char buf[16];
	uint64_t v;

	if (component(p, buf, sizeof(buf)) < 0 ||
	    strnum_u64(buf, 10, 0, max, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* ---- Backends -------------------------------------------------------- */

static struct ev_dev *dev_find(struct light_events *ev, const char *kind,
                               uint32_t domid, uint32_t devid)
{
	struct ev_dev *v;

	for (v = ev->devs; v; v = v->next)
		if (v->domid == domid && v->devid == devid &&
		    strcmp(v->kind, kind) == 0)
			return v;
	return NULL;
}

static void push_dev(struct light_events *ev, enum light_event_type type,
                     const struct ev_dev *v)
{
	struct ev_dom *d = dom_find(ev, v->domid);
	struct light_event *e = push(ev, type, v->domid);

	if (!e)
		return;
	snprintf(e->kind, sizeof(e->kind), "%s", v->kind);
	e->devid = v->devid;
	if (d)
		snprintf(e->name, sizeof(e->name), "%s", d->name);
}

static void dev_forget(struct light_events *ev, struct ev_dev *gone)
{
	struct ev_dev **pp;

	for (pp = &ev->devs; *pp; pp = &(*pp)->next) {
		if (*pp == gone) {
			*pp = gone->next;
			free(gone);
			return;
		}
	}
}

static void dev_drop_domain(struct light_events *ev, uint32_t domid)
{
	struct ev_dev *v, *next;

	for (v = ev->devs; v; v = next) {
		next = v->next;
		if (v->domid != domid)
			continue;
		if (v->connected)
			push_dev(ev, LIGHT_EVENT_DEVICE_DISCONNECTED, v);
		dev_forget(ev, v);
	}
}

/* Read one backend's state and report a change against the table. */
static void dev_check(struct light_events *ev, const char *kind,
                      uint32_t domid, uint32_t devid, bool report)
{
	char path[256], *s;
	uint64_t state = 0;
	struct ev_dev *v = dev_find(ev, kind, domid, devid);
	bool now;

	snprintf(path, sizeof(path), BACKEND_PREFIX "/%s/%u/%u/state", kind,
	         domid, devid);
	s = xsc_read(ev->xs, XSC_NO_TX, path, NULL);
	if (s && strnum_u64(s, 10, 0, 100, &state) < 0)
		state = 0;
	now = s && state == XS_STATE_CONNECTED;
	free(s);
	if (!v && now) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return;
		snprintf(v->kind, sizeof(v->kind), "%s", kind);
		v->domid = domid;
		v->devid = devid;
		v->connected = true;
		v->next = ev->devs;
		ev->devs = v;
		if (report)
			push_dev(ev, LIGHT_EVENT_DEVICE_CONNECTED, v);
		return;
	}
	if (!v)
		return;
	if (now && !v->connected && report)
		push_dev(ev, LIGHT_EVENT_DEVICE_CONNECTED, v);
	if (!now && v->connected && report)
		push_dev(ev, LIGHT_EVENT_DEVICE_DISCONNECTED, v);
	v->connected = now;
	if (!s)
		dev_forget(ev, v);      /* removed */
}

/* Every backend of every kind (at open: the starting state). */
static void dev_scan(struct light_events *ev)
{
	char **kinds, **doms, **devs, path[256];
	unsigned nk, nd, nv, k, d, v;
	uint64_t domid, devid;

	kinds = xsc_directory(ev->xs, XSC_NO_TX, BACKEND_PREFIX, &nk);
	for (k = 0; kinds && k < nk; k++) {
		if (strlen(kinds[k]) >= sizeof(((struct ev_dev *)0)->kind))
			continue;
		snprintf(path, sizeof(path), BACKEND_PREFIX "/%s", kinds[k]);
		doms = xsc_directory(ev->xs, XSC_NO_TX, path, &nd);
		for (d = 0; doms && d < nd; d++) {
			if (strnum_u64(doms[d], 10, 0, UINT32_MAX, &domid) < 0)
				continue;
			snprintf(path, sizeof(path), BACKEND_PREFIX "/%s/%s",
			         kinds[k], doms[d]);
			devs = xsc_directory(ev->xs, XSC_NO_TX, path, &nv);
			for (v = 0; devs && v < nv; v++)
				if (strnum_u64(devs[v], 10, 0, UINT32_MAX,
				               &devid) == 0)
					dev_check(ev, kinds[k], (uint32_t)domid,
					          (uint32_t)devid, false);
			free(devs);
		}
		free(doms);
	}
	free(kinds);
}

/*
 * A change at or below BACKEND_PREFIX; `rest` is what follows it
 * ("", "/vbd", "/vbd/7", "/vbd/7/51712", "/vbd/7/51712/state", ...).
 * Only a state node or a removed directory can change a device's state,
 * so other nodes (params, mode, ...) cost no read.
 */
static void backend_changed(struct light_events *ev, const char *rest)
{
	char kind[16];
	uint32_t domid = 0, devid;
	struct ev_dev *v, *next;
	int n = 0;

	if (component(&rest, kind, sizeof(kind)) == 0) {
		n = 1;
		if (component_id(&rest, UINT32_MAX, &domid) == 0) {
			n = 2;
			if (component_id(&rest, UINT32_MAX, &devid) == 0) {
				/* rest is now "" or "/<node>..." */
				if (*rest == '\0' || strcmp(rest, "/state") == 0)
					dev_check(ev, kind, domid, devid, true);
				return;
			}
		}
	}
	if (*rest && n < 2)
		return;         /* not a path of the backend layout */
	/* A directory above the devices: recheck the devices under it. */
	for (v = ev->devs; v; v = next) {
		next = v->next;
		if ((n >= 1 && strcmp(v->kind, kind) != 0) ||
		    (n == 2 && v->domid != domid))
			continue;
		dev_check(ev, v->kind, v->domid, v->devid, true);
	}
}

/* ---- Dispatch -------------------------------------------------------- */

static void path_changed(struct light_events *ev, const char *path)
{
	const char *p, *end;
	uint32_t id;
	struct ev_dom *d;

	if (strcmp(path, "@releaseDomain") == 0 ||
	    strcmp(path, "@introduceDomain") == 0) {
		dom_scan(ev, true);
		dom_check_all(ev);
		return;
	}
	if (strncmp(path, BACKEND_PREFIX, strlen(BACKEND_PREFIX)) == 0 &&
	    (path[strlen(BACKEND_PREFIX)] == '\0' ||
	     path[strlen(BACKEND_PREFIX)] == '/')) {
		backend_changed(ev, path + strlen(BACKEND_PREFIX));
		return;
	}
	if (strncmp(path, "/local/domain/", 13) != 0)
		return;
	p = path + 13;
	if (component_id(&p, DOMID_FIRST_RESERVED - 1, &id) < 0)
		return;
	end = p;
	d = dom_find(ev, id);
	if (*end == '\0') {
		/* The home itself: written (a new domain) or removed. */
		if (d && !home_exists(ev, d->domid))
			dom_gone(ev, d);
		else if (!d && dom_add(ev, id))
			push_dom(ev, LIGHT_EVENT_DOMAIN_CREATED,
			         dom_find(ev, id));
		return;
	}
	if (strcmp(end, "/name") == 0) {
		if (!d) {
			if (dom_add(ev, id))
				push_dom(ev, LIGHT_EVENT_DOMAIN_CREATED,
				         dom_find(ev, id));
		} else {
			char *name = xsc_read(ev->xs, XSC_NO_TX, path, NULL);

			if (name)       /* renamed */
				snprintf(d->name, sizeof(d->name), "%s", name);
			free(name);
		}
		return;
	}
	if (d && strcmp(end, "/memory/target") == 0)
		mem_target_changed(ev, d);
}

/* ---- The public calls ---------------------------------------------- */

struct light_events *light_events_open(struct light_ctx *c)
{
	static const char *const watches[] = {
		"@introduceDomain", "@releaseDomain", "/local/domain",
	};
	struct light_events *ev;
	struct epoll_event ee = { .events = EPOLLIN };
	size_t i;

	if (light_need_xs(c) < 0)
		return NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		light_error(c, ENOMEM, "events");
		return NULL;
	}
	ev->c = c;
	ev->epfd = ev->timerfd = -1;
	ev->xs = xsc_open(NULL, XSC_OPEN_XENBUS_FALLBACK);
	if (!ev->xs) {
		light_error(c, errno, "events: cannot connect to xenstored");
		goto fail;
	}
	ev->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ev->epfd < 0 || ev->timerfd < 0) {
		light_error(c, errno, "events: epoll/timerfd");
		goto fail;
	}
	ee.data.fd = xsc_fileno(ev->xs);
	if (epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ee.data.fd, &ee) < 0)
		goto fail_epoll;
	ee.data.fd = ev->timerfd;
	if (epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ee.data.fd, &ee) < 0)
		goto fail_epoll;
	/* Watch first, then look: a change between the two is then seen
	 * twice (harmless, the table makes it no news) rather than never. */
	for (i = 0; i < sizeof(watches) / sizeof(watches[0]); i++) {
		if (xsc_watch(ev->xs, watches[i], EV_TOKEN) < 0) {
			light_error(c, errno, "events: watch %s: %s", watches[i],
			            xsc_errmsg(ev->xs));
			goto fail;
		}
	}
	dom_scan(ev, false);
	dom_check_all(ev);
	ev->head = ev->len = 0;     /* the starting state is no news */
	dev_scan(ev);
	return ev;
fail_epoll:
	light_error(c, errno, "events: epoll_ctl");
fail:
	light_events_close(ev);
	return NULL;
}

int light_events_fd(const struct light_events *ev)
{
	return ev->epfd;
}

const char *light_events_errmsg(const struct light_events *ev)
{
	return ev->err;
}

/* xenstored restarted and the handle reconnected: the new socket sits on
 * the same descriptor number, but epoll knew the old one only. */
static void xs_epoll_again(struct light_events *ev)
{
	struct epoll_event ee = { .events = EPOLLIN };

	if (xsc_reconnects(ev->xs) == ev->xs_gen)
		return;
	ev->xs_gen = xsc_reconnects(ev->xs);
	ee.data.fd = xsc_fileno(ev->xs);
	if (epoll_ctl(ev->epfd, EPOLL_CTL_ADD, ee.data.fd, &ee) < 0 &&
	    errno == EEXIST)
		epoll_ctl(ev->epfd, EPOLL_CTL_MOD, ee.data.fd, &ee);
}

int light_events_next(struct light_events *ev, struct light_event *out)
{
	uint64_t ticks;
	char *path, *token;

	for (;;) {
		if (ev->head < ev->len) {
			*out = ev->q[ev->head++];
			return 1;
		}
		if (read(ev->timerfd, &ticks, sizeof(ticks)) == sizeof(ticks))
			mem_check_all(ev);
		if (ev->head < ev->len)
			continue;
		if (xsc_read_watch(ev->xs, &path, &token, false) < 0) {
			if (errno == EAGAIN) {
				xs_epoll_again(ev);
				return 0;
			}
			return ev_fail(ev, errno, "xenstore watch: %s",
			               xsc_errmsg(ev->xs));
		}
		if (strcmp(token, EV_TOKEN) == 0)
			path_changed(ev, path);
		free(path);
		free(token);
	}
}

void light_events_close(struct light_events *ev)
{
	struct ev_dom *d;
	struct ev_dev *v;

	if (!ev)
		return;
	if (ev->xs)
		xsc_close(ev->xs);  /* the daemon drops a closed client's watches */
	if (ev->epfd >= 0)
		close(ev->epfd);
	if (ev->timerfd >= 0)
		close(ev->timerfd);
	while ((d = ev->doms)) {
		ev->doms = d->next;
		free(d);
	}
	while ((v = ev->devs)) {
		ev->devs = v->next;
		free(v);
	}
	free(ev->q);
	free(ev);
}
