/*
 * console.c - one guest's console: from its xenstore nodes to a mapped
 * ring, a bound event channel, a log file and the pty backlog.
 *
 * A guest (struct guest, xcd.h) is "connected" once its ring page is
 * mapped (libctrl's ctrl_ring_map: the reserved console grant, else the
 * frame named by console/ring-ref) and its console/port bound.
 * guest_connect() runs on every change below console/ (our own tty write
 * included) and does nothing while the nodes still say what we are
 * connected to; bad values are reported once and the guest skipped until
 * they change.  pump_output() is the one path from the ring's "out" half
 * to the log and the pty.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <xen/grant_table.h>

#include "strnum.h"
#include "xcd.h"

/* Report a problem with one guest once: the same message again (the next
 * watch event with the same bad data) stays quiet. */
void
guest_problem(struct guest *g, const char *fmt, ...)
{
	char msg[sizeof(g->last_err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, g->last_err) == 0)
		return;
	snprintf(g->last_err, sizeof(g->last_err), "%s", msg);
	say(LOG_WARNING, "domain %" PRIu32 ": %s", g->domid, msg);
}

/* Read conspath/<leaf> as a string.  NULL if absent (errno set). */
static char *
cons_read(struct daemon *d, struct guest *g, const char *leaf)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", g->conspath, leaf);
	return xsc_read(d->xs, XSC_NO_TX, path, NULL);
}

/* Log file name from the domain's name; anything that could escape the
 * log directory or confuse a shell becomes '_'. */
static void
log_path(struct daemon *d, struct guest *g, char *buf, size_t len)
{
	char path[64], name[128];
	char *v;
	size_t i;

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/name",
	    g->domid);
	v = xsc_read(d->xs, XSC_NO_TX, path, NULL);
	if (v == NULL || v[0] == '\0')
		snprintf(name, sizeof(name), "dom%" PRIu32, g->domid);
	else
		snprintf(name, sizeof(name), "%s", v);
	free(v);
	for (i = 0; name[i] != '\0'; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '+' || (c == '.' && i > 0)))
			name[i] = '_';
	}
	snprintf(buf, len, "%s/guest-%s.log", d->opts.log_dir, name);
}

void
notify_guest(struct daemon *d, struct guest *g)
{
	if (g->local_port >= 0)
		(void)ctrl_evtchn_notify(d->evtchn, (uint32_t)g->local_port);
}

/* Move what the guest printed to the log and the pty buffer, at most
 * PUMP_ROUNDS ring-fulls.  Returns true when there may be more. */
bool
pump_output(struct daemon *d, struct guest *g)
{
	char buf[sizeof(g->intf->out)];
	bool moved = false, more = false;
	unsigned round;
	long n;

	if (g->intf == NULL)
		return false;
	for (round = 0;; round++) {
		if (round == PUMP_ROUNDS) {
			more = true;
			break;
		}
		n = cons_ring_read_out(g->intf, buf, sizeof(buf));
		if (n < 0) {
			guest_problem(g, "console ring indices are corrupt "
			    "(out_prod - out_cons > %zu); ignoring output",
			    sizeof(g->intf->out));
			break;
		}
		if (n == 0)
			break;
		moved = true;
		if (g->log_open && cons_log_write(&g->log, buf, (size_t)n) == -1) {
			if (!g->log_failed)
				say(LOG_ERR, "domain %" PRIu32 ": write %s: %s",
				    g->domid, g->log.path, strerror(errno));
			g->log_failed = true;
		} else if (g->log_open)
			g->log_failed = false;
		cons_obuf_push(&g->obuf, buf, (size_t)n);
	}
	/* The guest may be waiting for room in the ring. */
	if (moved)
		notify_guest(d, g);
	if (g->obuf.dropped > g->dropped_reported && d->opts.verbose) {
		say(LOG_INFO, "domain %" PRIu32 ": nobody reading the pty, "
		    "dropped %" PRIu64 " bytes of backlog (the log has them)",
		    g->domid, g->obuf.dropped - g->dropped_reported);
	}
	g->dropped_reported = g->obuf.dropped;
	return more;
}

void
unmap_ring(struct daemon *d, struct guest *g)
{
	if (g->intf == NULL)
		return;
	(void)ctrl_ring_unmap(d->ctrl, &g->ring);
	g->intf = NULL;
}

void
unbind_port(struct daemon *d, struct guest *g)
{
	if (g->local_port >= 0)
		(void)ctrl_evtchn_unbind(d->evtchn, (uint32_t)g->local_port);
	g->local_port = -1;
}

/* Map the ring page: the reserved grant first (works for any guest type
 * and needs no knowledge of the guest's physical memory), then the frame
 * itself, which is what a PV guest's "ring-ref" names. */
static int
map_ring(struct daemon *d, struct guest *g, uint64_t ring_ref)
{
	if (ctrl_ring_map(d->ctrl, g->domid, GNTTAB_RESERVED_CONSOLE,
	    ring_ref, 0, &g->ring) == -1)
		return -1;
	g->intf = g->ring.page;
	return 0;
}

/*
 * (Re)read the console nodes and connect.  Called when the guest appears
 * and on every change below conspath (including our own tty write), so it
 * does nothing when the nodes still say what we are connected to.
 */
void
guest_connect(struct daemon *d, struct guest *g)
{
	char *ref_s = NULL, *port_s = NULL, *type = NULL;
	uint64_t ref, port;
	int lp;

	ref_s = cons_read(d, g, "ring-ref");
	port_s = cons_read(d, g, "port");
	if (ref_s == NULL || port_s == NULL) {
		/* Not written yet (domain under construction) or already
		 * removed (domain going away): nothing to do either way. */
		goto out;
	}
	type = cons_read(d, g, "type");
	if (type != NULL && strcmp(type, "xenconsoled") != 0)
		goto out;	/* served by a device model, not by us */

	if (strnum_u64(ref_s, 10, 1, UINT64_MAX, &ref) == -1) {
		guest_problem(g, "%s/ring-ref: bad value \"%.32s\"",
		    g->conspath, ref_s);
		goto out;
	}
	if (strnum_u64(port_s, 10, 1, UINT32_MAX, &port) == -1) {
		guest_problem(g, "%s/port: bad value \"%.32s\"", g->conspath,
		    port_s);
		goto out;
	}
	if (g->connected && ref == g->ring_ref && port == g->remote_port)
		goto out;	/* unchanged (e.g. our own tty write) */

	/* New or changed ring (first start, or a resumed guest). */
	if (g->intf == NULL || ref != g->ring_ref) {
		unmap_ring(d, g);
		if (map_ring(d, g, ref) == -1) {
			guest_problem(g, "cannot map console ring: %s",
			    ctrl_errmsg(d->ctrl));
			goto out;
		}
		g->ring_ref = ref;
	}
	if (g->local_port < 0 || port != g->remote_port) {
		unbind_port(d, g);
		lp = ctrl_evtchn_bind_interdomain(d->evtchn, g->domid,
		    (uint32_t)port);
		if (lp < 0) {
			guest_problem(g, "cannot bind event channel %" PRIu64
			    ": %s", port, ctrl_evtchn_errmsg(d->evtchn));
			goto out;
		}
		g->local_port = lp;
		g->remote_port = (uint32_t)port;
	}
	if (g->master_fd == -1 && open_pty(g) == -1) {
		guest_problem(g, "cannot create a pty: %s", strerror(errno));
		goto out;
	}
	if (publish_tty(d, g) == -1) {
		guest_problem(g, "cannot write %s/tty: %s", g->conspath,
		    xsc_errmsg(d->xs));
		/* The console still works and is logged; keep going. */
	}
	if (d->opts.log_guest && !g->log_open) {
		char lp_path[512];

		log_path(d, g, lp_path, sizeof(lp_path));
		if (cons_log_open(&g->log, lp_path, d->opts.log_max_size,
		    d->opts.log_keep, d->opts.timestamp_guest) == -1)
			say(LOG_ERR, "domain %" PRIu32 ": open %s: %s",
			    g->domid, lp_path, strerror(errno));
		else
			g->log_open = true;
	}
	g->connected = true;
	g->last_err[0] = '\0';
	say(LOG_INFO, "domain %" PRIu32 ": console on %s (%s map)",
	    g->domid, g->tty, g->ring.by_grant ? "grant" : "foreign");
	/* Output written before we bound the port raised no event for us. */
	g->more_output = pump_output(d, g);
	notify_guest(d, g);
out:
	free(ref_s);
	free(port_s);
	free(type);
}
