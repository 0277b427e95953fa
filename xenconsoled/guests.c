/*
 * guests.c - which guests have a console: every domain but Dom0.
 *
 * The list (struct daemon.guests) follows the hypervisor's domain list
 * (libctrl's ctrl_domain_list), re-read on every @introduceDomain or
 * @releaseDomain event and every RESCAN_MS as a safety net.  A guest is
 * added before its console nodes exist (we watch its console/ directory
 * and connect when they appear) and removed, after a last drain of its
 * ring, once its domain is dying or gone.  Watch events and event channel
 * notifications are routed to their guest here.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "strnum.h"
#include "xcd.h"

static struct guest *
guest_find(struct daemon *d, uint32_t domid)
{
	struct guest *g;

	for (g = d->guests; g != NULL; g = g->next)
		if (g->domid == domid)
			return g;
	return NULL;
}

static void
guest_add(struct daemon *d, uint32_t domid)
{
	struct guest *g;

	g = calloc(1, sizeof(*g));
	if (g == NULL || cons_obuf_init(&g->obuf, d->opts.buffer_size) == -1) {
		say(LOG_ERR, "domain %" PRIu32 ": out of memory", domid);
		free(g);
		return;
	}
	g->domid = domid;
	g->local_port = -1;
	g->master_fd = g->slave_fd = -1;
	snprintf(g->conspath, sizeof(g->conspath),
	    "/local/domain/%" PRIu32 "/console", domid);
	snprintf(g->token, sizeof(g->token), "dom%" PRIu32, domid);
	g->next = d->guests;
	d->guests = g;
	if (d->opts.verbose)
		say(LOG_INFO, "domain %" PRIu32 ": new", domid);
	/* The watch fires once at once, which connects if the nodes are
	 * there; connect now anyway so we do not depend on that. */
	if (xsc_watch(d->xs, g->conspath, g->token) == 0)
		g->watched = true;
	else
		say(LOG_WARNING, "domain %" PRIu32 ": watch %s: %s", domid,
		    g->conspath, xsc_errmsg(d->xs));
	guest_connect(d, g);
}

/* Drain, flush, and release everything of one guest, and free it. */
void
guest_remove(struct daemon *d, struct guest *g)
{
	struct guest **pp;
	unsigned i;

	/* Last words: what the guest printed before dying goes to the log,
	 * and to an attached client if it can take it right now.  A dead
	 * guest writes no more, so this ends; the bound is for a live one
	 * (daemon shutdown) that keeps printing. */
	for (i = 0; i < 64 && pump_output(d, g); i++)
		;
	if (g->master_fd != -1)
		pty_write(g);
	if (g->watched)
		(void)xsc_unwatch(d->xs, g->conspath, g->token);
	unmap_ring(d, g);
	unbind_port(d, g);
	if (g->master_fd != -1)
		close(g->master_fd);
	if (g->slave_fd != -1)
		close(g->slave_fd);
	if (g->log_open)
		cons_log_close(&g->log);
	cons_obuf_free(&g->obuf);
	if (g->connected)
		say(LOG_INFO, "domain %" PRIu32 ": console closed", g->domid);
	for (pp = &d->guests; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	}
	free(g);
}

/* Compare our guests with the hypervisor's domain list: add the new ones,
 * drop the dying and the vanished ones.  Shut-down but not yet destroyed
 * domains keep their console (the toolstack may still want the output). */
void
scan_domains(struct daemon *d)
{
	struct ctrl_dominfo *list = NULL;
	struct guest *g, *next;
	size_t n = 0, i;

	if (ctrl_domain_list(d->ctrl, &list, &n) == -1) {
		say(LOG_ERR, "listing domains: %s", ctrl_errmsg(d->ctrl));
		return;
	}
	for (g = d->guests; g != NULL; g = g->next)
		g->reap = true;
	for (i = 0; i < n; i++) {
		if (list[i].domid == 0 || list[i].dying)
			continue;
		g = guest_find(d, list[i].domid);
		if (g != NULL)
			g->reap = false;
		else
			guest_add(d, list[i].domid);
	}
	for (g = d->guests; g != NULL; g = next) {
		next = g->next;
		if (g->reap)
			guest_remove(d, g);
	}
	free(list);
}

/* Handle every queued watch event. */
void
handle_watches(struct daemon *d)
{
	char *path, *token;
	bool rescan = false;
	uint64_t id;
	struct guest *g;

	while (xsc_read_watch(d->xs, &path, &token, false) == 0) {
		if (strcmp(token, "domlist") == 0)
			rescan = true;
		else if (strncmp(token, "dom", 3) == 0 &&
		    strnum_u64(token + 3, 10, 1, UINT32_MAX, &id) == 0 &&
		    (g = guest_find(d, (uint32_t)id)) != NULL)
			guest_connect(d, g);
		free(path);
		free(token);
	}
	if (errno != EAGAIN) {
		say(LOG_ERR, "xenstore connection: %s", xsc_errmsg(d->xs));
		got_term = 1;	/* nothing works without xenstore */
	}
	if (rescan)
		scan_domains(d);
}

/* Handle every pending event channel port. */
void
handle_events(struct daemon *d)
{
	struct guest *g;
	int port;

	while ((port = ctrl_evtchn_pending(d->evtchn)) >= 0) {
		for (g = d->guests; g != NULL; g = g->next) {
			if (g->local_port == port) {
				g->more_output = pump_output(d, g);
				break;
			}
		}
		(void)ctrl_evtchn_unmask(d->evtchn, (uint32_t)port);
	}
}
