/*
 * conn.c - connections: request framing, reply queues, the socket transport.
 *
 * A connection is transport-neutral: its conn_ops move bytes (a Unix socket
 * here, a shared ring page in domain.c), everything else is common.  Input
 * is read into a fixed per-connection buffer; every complete message in it
 * is processed in order (pipelining), so replies to one client always come
 * back in request order.  Replies and watch events are queued as separate
 * messages and written out as far as the transport takes them.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "xsd.h"

struct conn *xsd_conns;
static struct conn *conns_tail;

FILE *xsd_trace_fp;
bool xsd_log_stderr = true;

void xsd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (xsd_trace_fp) {
		vfprintf(xsd_trace_fp, fmt, ap);
		fputc('\n', xsd_trace_fp);
		fflush(xsd_trace_fp);
	} else if (xsd_log_stderr) {
		fputs("xenstored: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(LOG_INFO, fmt, ap);
	}
	va_end(ap);
}

uint64_t xsd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *xsd_errname(int err)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EINVAL";    /* upstream's answer for untranslatable errors */
}

static void evsrc_orphan_all(struct conn *c);

/* ---- Lifetime ------------------------------------------------------------- */

struct conn *conn_new(const struct conn_ops *ops, int fd, uint32_t domid)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ops = ops;
	c->fd = fd;
	c->id = domid;
	c->wrl_credit = (int64_t)xsd_quota.write_burst * 1000;
	c->wrl_ms = xsd_now_ms();
	/* Appended: watch events go out in connection creation order. */
	c->prev = conns_tail;
	if (conns_tail)
		conns_tail->next = c;
	else
		xsd_conns = c;
	conns_tail = c;
	return c;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		xsd_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		conns_tail = c->prev;
	watch_free_all(c);
	c->txn = NULL;
	txn_free_all(c);
	conn_out_drop_all(c);
	evsrc_orphan_all(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

bool conn_privileged(const struct conn *c)
{
	return !c || !c->is_domain || c->id == 0 || c->id == xsd_priv_domid;
}

/* ---- Output ---------------------------------------------------------------- */

static struct outmsg *out_new(uint32_t type, uint32_t req_id, uint32_t tx_id,
                              const void *data, size_t len)
{
	struct outmsg *m = malloc(sizeof(*m) + XSD_HDR + len);
	struct xsd_sockmsg hdr = { type, req_id, tx_id, (uint32_t)len };

	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->len = XSD_HDR + len;
	memcpy(m->buf, &hdr, XSD_HDR);
	if (len && data)
		memcpy(m->buf + XSD_HDR, data, len);
	return m;
}

static void out_append(struct conn *c, struct outmsg *m);

int conn_queue_raw(struct conn *c, const void *data, size_t len)
{
	struct outmsg *m = malloc(sizeof(*m) + len);

	if (!m)
		return -1;
	memset(m, 0, sizeof(*m));
	m->len = len;
	memcpy(m->buf, data, len);
	out_append(c, m);
	return 0;
}

static void out_append(struct conn *c, struct outmsg *m)
{
	m->prev = c->out_tail;
	m->next = NULL;
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	if (m->deadline_ms) {
		m->tnext = NULL;
		if (c->timed_tail)
			c->timed_tail->tnext = m;
		else
			c->timed_head = m;
		c->timed_tail = m;
	}
}

/* An event of src's is gone (sent, expired, dropped). */
static void evsrc_put(struct evsrc *src)
{
	struct conn *o = src->conn;

	if (--src->events)
		return;
	/* The request still running keeps it for its next events. */
	if (o && o->cur_src == src)
		return;
	if (o) {
		o->held--;
		if (src->prev)
			src->prev->next = src->next;
		else
			o->srcs = src->next;
		if (src->next)
			src->next->prev = src->prev;
	}
	free(src);
}

/* Unlink m from c's queue (and the deadline list, where only the head can
 * leave: m is either sent from the queue's head or expired from the deadline
 * list's head) and release what it counts for. */
static void out_unlink(struct conn *c, struct outmsg *m)
{
	if (m->prev)
		m->prev->next = m->next;
	else
		c->out_head = m->next;
	if (m->next)
		m->next->prev = m->prev;
	else
		c->out_tail = m->prev;
	if (m->deadline_ms && c->timed_head == m) {
		c->timed_head = m->tnext;
		if (!c->timed_head)
			c->timed_tail = NULL;
	}
	if (m->is_reply)
		c->outstanding--;
	if (m->is_event) {
		c->nevents--;
		if (m->src)
			evsrc_put(m->src);
	}
	m->next = m->prev = m->tnext = NULL;
	m->src = NULL;
}

struct outmsg *conn_out_pop(struct conn *c)
{
	struct outmsg *m = c->out_head;

	if (m)
		out_unlink(c, m);
	return m;
}

void conn_out_drop_all(struct conn *c)
{
	struct outmsg *m;

	while ((m = conn_out_pop(c)))
		free(m);
	c->events_dropped = false;
}

/* The connection goes away: its requests' events stay queued for their
 * watchers but no longer hold anything of it. */
static void evsrc_orphan_all(struct conn *c)
{
	struct evsrc *src, *next;

	for (src = c->srcs; src; src = next) {
		next = src->next;
		src->conn = NULL;
		src->next = src->prev = NULL;
	}
	c->srcs = NULL;
	c->held = 0;
	if (c->cur_src && !c->cur_src->events)
		free(c->cur_src);
	c->cur_src = NULL;
}

void conn_request_done(struct conn *c)
{
	struct evsrc *src = c->cur_src;

	c->cur_src = NULL;
	c->in_request = false;
	if (src && !src->events) {
		src->events = 1;    /* evsrc_put() unlinks and frees it */
		evsrc_put(src);
	}
}

/* The source record of origin's current request, made on its first event.
 * Only the request being processed can be held (a change made on behalf
 * of nobody, such as a domain's removal, holds nothing); privileged
 * connections are never held (upstream's rule too). */
static struct evsrc *evsrc_get(struct conn *origin)
{
	struct evsrc *src;

	if (!origin || !origin->in_request || conn_privileged(origin))
		return NULL;
	if (origin->cur_src)
		return origin->cur_src;
	src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;        /* not held: only a weaker throttle */
	src->conn = origin;
	src->next = origin->srcs;
	if (origin->srcs)
		origin->srcs->prev = src;
	origin->srcs = src;
	origin->held++;
	origin->cur_src = src;
	return src;
}

void send_reply(struct conn *c, uint32_t type, const void *data, size_t len)
{
	struct outmsg *m;

	if (len > XENSTORE_PAYLOAD_MAX) {
		send_error(c, E2BIG);
		return;
	}
	m = out_new(type, c->req.req_id, c->req.tx_id, data, len);
	if (!m) {
		/* Keep the reply stream in step: a short error still fits. */
		xsd_log("out of memory queueing a reply for domain %u", c->id);
		return;
	}
	m->is_reply = true;
	c->outstanding++;
	out_append(c, m);
}

void send_error(struct conn *c, int err)
{
	const char *name = xsd_errname(err);

	send_reply(c, XS_ERROR, name, strlen(name) + 1);
}

void send_ack(struct conn *c)
{
	send_reply(c, c->req.type, "OK", 3);
}

/* Is there room for one more event on c?  If not, apply the rule. */
static bool event_room(struct conn *c)
{
	if (c->nevents < (unsigned)xsd_quota.pending_events) {
		c->events_dropped = false;
		return true;
	}
	if (!c->is_domain) {
		/* A tool (socket client: privileged) that never reads would
		 * cost memory without end; it sees its socket close and may
		 * reconnect.  Rings cannot be closed: they lose events. */
		xsd_log("socket client has %u unread watch events: disconnecting",
		        c->nevents);
		c->dead = true;
	} else if (!c->events_dropped) {
		xsd_log("domain %u has %u unread watch events: dropping new ones",
		        c->id, c->nevents);
		c->events_dropped = true;
	}
	return false;
}

void send_event(struct conn *c, const char *path, const char *token,
                struct conn *origin)
{
	size_t plen = strlen(path) + 1, len = plen + strlen(token) + 1;
	struct outmsg *m;

	if (len > XENSTORE_PAYLOAD_MAX || c->dead || !event_room(c))
		return;
	m = out_new(XS_WATCH_EVENT, 0, 0, NULL, len);
	if (!m)
		return;
	memcpy(m->buf + XSD_HDR, path, plen);
	memcpy(m->buf + XSD_HDR + plen, token, len - plen);
	m->is_event = true;
	if (!conn_privileged(c) && xsd_quota.watch_event_timeout_ms)
		m->deadline_ms = xsd_now_ms() + (uint64_t)xsd_quota.watch_event_timeout_ms;
	m->src = evsrc_get(origin);
	if (m->src)
		m->src->events++;
	c->nevents++;
	out_append(c, m);
}

/* Drop fully sent messages from the head of the queue, `n` bytes written. */
static void out_consume(struct conn *c, size_t n)
{
	struct outmsg *m;

	while ((m = c->out_head) && n) {
		size_t left = m->len - m->off;

		if (n < left) {
			m->off += n;
			return;
		}
		n -= left;
		free(conn_out_pop(c));
	}
}

/* Sockets: one writev for many queued messages (pipelined clients). */
static int socket_flush(struct conn *c)
{
	struct iovec iov[64];
	struct outmsg *m;
	int n;
	ssize_t w;
	size_t total;

	while (c->out_head) {
		total = 0;
		for (n = 0, m = c->out_head; m && n < 64; m = m->next, n++) {
			iov[n].iov_base = m->buf + m->off;
			iov[n].iov_len = m->len - m->off;
			total += iov[n].iov_len;
		}
		do {
			w = writev(c->fd, iov, n);
		} while (w < 0 && errno == EINTR);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		out_consume(c, (size_t)w);
		if ((size_t)w < total)
			break;      /* socket full: wait for POLLOUT */
	}
	return 0;
}

int conn_flush(struct conn *c)
{
	struct outmsg *m;
	ssize_t n;

	if (c->ops == &socket_ops)
		return socket_flush(c);
	while ((m = c->out_head)) {
		n = c->ops->write(c, m->buf + m->off, m->len - m->off);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		m->off += (size_t)n;
		if (m->off < m->len)
			break;
		free(conn_out_pop(c));
	}
	return 0;
}

uint64_t conn_expire_events(struct conn *c, uint64_t now)
{
	struct outmsg *m;
	unsigned int dropped = 0;

	while ((m = c->timed_head) && m->deadline_ms <= now) {
		if (m->off) {
			/* Partly sent (so the queue's head): it must go out
			 * whole.  It leaves the deadline list instead. */
			c->timed_head = m->tnext;
			if (!c->timed_head)
				c->timed_tail = NULL;
			m->tnext = NULL;
			m->deadline_ms = 0;
			continue;
		}
		out_unlink(c, m);
		free(m);
		dropped++;
	}
	if (dropped)
		xsd_log("%u watch event(s) for domain %u timed out", dropped, c->id);
	return m ? m->deadline_ms : 0;
}

/* ---- Input ---------------------------------------------------------------- */

/* Even privileged clients that never read their replies must not make us
 * queue without bound: stop taking their requests at this many replies. */
#define PRIV_MAX_OUTSTANDING 4096

/* Replies not yet sent and requests whose events are not yet delivered
 * both count (the latter only ever for unprivileged connections). */
/*
 * XSA-206: a guest writing as fast as it can makes every transaction that
 * read what it writes fail, and the toolstack's retries can starve.  As
 * upstream 4.17, while any transaction is open an unprivileged domain
 * may write at write_rate per second after a burst of write_burst; one
 * over that is not read until its credit is back above zero.  Only
 * writes cost credit (a held guest's reads wait with its writes, at most
 * one write's time); the privileged are never held.
 */
static bool wrl_applies(const struct conn *c)
{
	return c->is_domain && !conn_privileged(c) && xsd_quota.write_rate > 0;
}

static void wrl_refill(struct conn *c, uint64_t now)
{
	int64_t cap = (int64_t)xsd_quota.write_burst * 1000;

	if (now > c->wrl_ms) {
		/* write_rate writes/s is write_rate thousandths per ms. */
		c->wrl_credit += (int64_t)(now - c->wrl_ms) * xsd_quota.write_rate;
		if (c->wrl_credit > cap)
			c->wrl_credit = cap;
	}
	c->wrl_ms = now;
}

void conn_wrl_charge(struct conn *c)
{
	if (!wrl_applies(c) || !xsd_open_txns)
		return;
	wrl_refill(c, xsd_now_ms());
	c->wrl_credit -= 1000;
}

static bool wrl_held(const struct conn *c)
{
	return wrl_applies(c) && c->wrl_credit < 0 && xsd_open_txns &&
	       (wrl_refill((struct conn *)c, xsd_now_ms()), c->wrl_credit < 0);
}

uint64_t conn_wrl_next(struct conn *c, uint64_t now)
{
	if (!wrl_applies(c) || c->wrl_credit >= 0)
		return 0;
	wrl_refill(c, now);
	if (c->wrl_credit >= 0)
		return 0;
	return now + (uint64_t)(-c->wrl_credit / xsd_quota.write_rate) + 1;
}

static bool outstanding_ok(const struct conn *c)
{
	if (conn_privileged(c))
		return c->outstanding < PRIV_MAX_OUTSTANDING;
	return c->outstanding + c->held < (unsigned)xsd_quota.outstanding &&
	       !wrl_held(c);
}

bool conn_may_read(const struct conn *c)
{
	return !c->dead && !c->ignored && c->in_used < sizeof(c->in) &&
	       outstanding_ok(c);
}

bool conn_input_ready(const struct conn *c)
{
	struct xsd_sockmsg hdr;

	if (c->dead || c->ignored || c->in_used < XSD_HDR || !outstanding_ok(c))
		return false;
	memcpy(&hdr, c->in, XSD_HDR);
	return hdr.len > XENSTORE_PAYLOAD_MAX || c->in_used >= XSD_HDR + hdr.len;
}

/* Process every complete message in the buffer; -1 on a framing error. */
static int conn_process(struct conn *c)
{
	struct xsd_sockmsg hdr;
	size_t off = 0;
	int ret = 0;

	while (c->in_used - off >= XSD_HDR && !c->dead) {
		memcpy(&hdr, c->in + off, XSD_HDR);
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			xsd_log("domain %u sent a message of %u bytes: dropping it",
			        c->id, hdr.len);
			ret = -1;
			break;
		}
		if (c->in_used - off < XSD_HDR + hdr.len || !outstanding_ok(c))
			break;
		process_request(c, &hdr, (const char *)c->in + off + XSD_HDR);
		off += XSD_HDR + hdr.len;
	}
	if (off) {
		memmove(c->in, c->in + off, c->in_used - off);
		c->in_used -= off;
	}
	/* What is left is the start of the next request: its clock starts
	 * now (conn_check_stalled). */
	if (!c->in_used)
		c->in_since_ms = 0;
	else if (off || !c->in_since_ms)
		c->in_since_ms = xsd_now_ms();
	return ret;
}

uint64_t conn_check_stalled(struct conn *c, uint64_t now)
{
	struct xsd_sockmsg hdr;
	uint64_t deadline;

	if (!xsd_quota.conn_timeout_ms || !c->in_since_ms || c->dead)
		return 0;
	/* A whole request waiting for its turn (outstanding quota) is not
	 * a stalled client. */
	if (c->in_used >= XSD_HDR) {
		memcpy(&hdr, c->in, XSD_HDR);
		if (hdr.len <= XENSTORE_PAYLOAD_MAX && c->in_used >= XSD_HDR + hdr.len)
			return 0;
	}
	deadline = c->in_since_ms + (uint64_t)xsd_quota.conn_timeout_ms;
	if (deadline > now)
		return deadline;
	xsd_log("client sent %zu bytes of a request and stopped: dropping it",
	        c->in_used);
	c->dead = true;
	return 0;
}

int conn_handle_input(struct conn *c)
{
	ssize_t n;

	if (conn_may_read(c)) {
		n = c->ops->read(c, c->in + c->in_used, sizeof(c->in) - c->in_used);
		if (n < 0)
			return -1;
		c->in_used += (size_t)n;
	}
	return conn_process(c);
}

/* ---- Socket transport ---------------------------------------------------- */

static ssize_t socket_read(struct conn *c, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(c->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n == 0)
		return -1;      /* peer closed */
	return n;
}

static ssize_t socket_write(struct conn *c, const void *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(c->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return n;
}

const struct conn_ops socket_ops = {
	.name = "socket",
	.read = socket_read,
	.write = socket_write,
	.can_read = NULL,
};
