/*
 * loop.c - the daemon's main loop.
 *
 * One ppoll over the xenstore connection, the event channel device and
 * every pty master that has something to do (room in the guest's input
 * ring: read; backlog: write).  Signals are blocked except inside ppoll,
 * so a signal can never slip in between checking got_term/got_hup and
 * going to sleep.  A guest whose ring still holds output after its share
 * (PUMP_ROUNDS) makes the loop poll without sleeping until it is drained.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "xcd.h"

static void
reopen_logs(struct daemon *d)
{
	struct guest *g;

	for (g = d->guests; g != NULL; g = g->next)
		if (g->log_open && cons_log_reopen(&g->log) == -1)
			say(LOG_ERR, "domain %" PRIu32 ": reopen %s: %s",
			    g->domid, g->log.path, strerror(errno));
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The main loop: one ppoll over xenstore, the event channel device and
 * every pty master.  Signals are blocked except inside ppoll, so a signal
 * can never slip in between checking the flags and going to sleep. */
void
run(struct daemon *d, const sigset_t *waitmask)
{
	struct pollfd *pfd = NULL;
	struct guest **who = NULL;
	size_t cap = 0, nfd, i;
	int64_t next_scan = now_ms() + RESCAN_MS;

	while (!got_term) {
		struct guest *g;
		struct timespec ts;
		int64_t left;
		size_t need = 2;
		bool busy = false;
		int r;

		if (got_hup) {
			got_hup = 0;
			reopen_logs(d);
		}
		/* Events the library already read from the socket would
		 * not wake poll: handle them first. */
		if (xsc_watch_pending(d->xs)) {
			handle_watches(d);
			continue;
		}
		for (g = d->guests; g != NULL; g = g->next) {
			need++;
			if (g->more_output)
				g->more_output = pump_output(d, g);
			busy = busy || g->more_output;
		}
		if (need > cap) {
			struct pollfd *np = realloc(pfd, need * sizeof(*pfd));
			struct guest **nw;

			if (np == NULL)
				break;
			pfd = np;
			nw = realloc(who, need * sizeof(*who));
			if (nw == NULL)
				break;
			who = nw;
			cap = need;
		}
		pfd[0] = (struct pollfd){ .fd = xsc_fileno(d->xs),
		    .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ctrl_evtchn_fd(d->evtchn),
		    .events = POLLIN };
		nfd = 2;
		for (g = d->guests; g != NULL; g = g->next) {
			short ev = 0;

			if (g->master_fd == -1)
				continue;
			if (g->intf != NULL && cons_ring_in_space(g->intf) > 0)
				ev |= POLLIN;
			if (g->obuf.len > 0)
				ev |= POLLOUT;
			if (ev == 0)
				continue;
			pfd[nfd] = (struct pollfd){ .fd = g->master_fd,
			    .events = ev };
			who[nfd] = g;
			nfd++;
		}

		left = next_scan - now_ms();
		if (left < 0 || busy)
			left = 0;	/* a ring still has output: just look */
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		r = ppoll(pfd, nfd, &ts, waitmask);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			say(LOG_ERR, "ppoll: %s", strerror(errno));
			break;
		}
		/* Guests first: the array points at them, and only the
		 * xenstore handler below can free a guest. */
		for (i = 2; i < nfd; i++) {
			g = who[i];
			if (pfd[i].revents & POLLOUT)
				pty_write(g);
			if (pfd[i].revents & POLLIN)
				pty_read(d, g);
		}
		if (pfd[1].revents & POLLIN)
			handle_events(d);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			handle_watches(d);
		if (now_ms() >= next_scan) {
			scan_domains(d);
			next_scan = now_ms() + RESCAN_MS;
		}
	}
	free(pfd);
	free(who);
}
