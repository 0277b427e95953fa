/*
 * pty.c - the pseudo-terminal of a guest's console.
 *
 * Each guest gets one pty for its whole life (struct guest: master_fd,
 * slave_fd, tty).  We keep the slave open ourselves so that the master
 * never reports EIO between two clients (Linux hangs a pty up when the
 * last slave fd goes away); clients (xenconsole, `xl console`) open the
 * slave by the path we publish in console/tty.  Output waits in the
 * guest's backlog (struct cons_obuf) until the pty has room; what is
 * typed goes straight into the ring's "in" half.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "xcd.h"

/* A pty in raw mode, master non-blocking; both ends stay open. */
int
open_pty(struct guest *g)
{
	struct termios t;
	int saved;

	g->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (g->master_fd == -1)
		goto fail;
	if (grantpt(g->master_fd) == -1 || unlockpt(g->master_fd) == -1 ||
	    ptsname_r(g->master_fd, g->tty, sizeof(g->tty)) != 0)
		goto fail;
	g->slave_fd = open(g->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (g->slave_fd == -1)
		goto fail;
	/* Raw: the guest's own tty layer does echo and line editing. */
	if (tcgetattr(g->slave_fd, &t) == -1)
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(g->slave_fd, TCSANOW, &t) == -1)
		goto fail;
	if (fcntl(g->master_fd, F_SETFL, O_NONBLOCK) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (g->slave_fd != -1)
		close(g->slave_fd);
	if (g->master_fd != -1)
		close(g->master_fd);
	g->master_fd = g->slave_fd = -1;
	g->tty[0] = '\0';
	errno = saved;
	return -1;
}

/* Publish the pty path in console/tty, but only while the console
 * directory still exists: a transaction that first reads ring-ref keeps us
 * from re-creating a tree the toolstack has just removed. */
int
publish_tty(struct daemon *d, struct guest *g)
{
	char tty_path[96], ref_path[96];
	char *v;
	xsc_tx t;
	int tries;

	snprintf(tty_path, sizeof(tty_path), "%s/tty", g->conspath);
	snprintf(ref_path, sizeof(ref_path), "%s/ring-ref", g->conspath);
	for (tries = 0; tries < 8; tries++) {
		if (xsc_transaction_start(d->xs, &t) == -1)
			return -1;
		v = xsc_read(d->xs, t, tty_path, NULL);
		if (v != NULL && strcmp(v, g->tty) == 0) {
			free(v);
			(void)xsc_transaction_end(d->xs, t, false);
			return 0;	/* already there */
		}
		free(v);
		v = xsc_read(d->xs, t, ref_path, NULL);
		if (v == NULL) {
			(void)xsc_transaction_end(d->xs, t, false);
			errno = ENOENT;
			return -1;
		}
		free(v);
		if (xsc_write_str(d->xs, t, tty_path, g->tty) == -1) {
			(void)xsc_transaction_end(d->xs, t, false);
			return -1;
		}
		if (xsc_transaction_end(d->xs, t, true) == 0)
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Write pending output to the pty master; a full pty just waits. */
void
pty_write(struct guest *g)
{
	const char *p;
	size_t len;
	ssize_t w;

	while ((len = cons_obuf_peek(&g->obuf, &p)) > 0) {
		w = write(g->master_fd, p, len);
		if (w <= 0)
			break;	/* EAGAIN: pty full; EIO cannot happen while
				 * we hold the slave; retry on POLLOUT */
		cons_obuf_consume(&g->obuf, (size_t)w);
	}
}

/* Move what was typed into the pty to the guest's input ring. */
void
pty_read(struct daemon *d, struct guest *g)
{
	char buf[sizeof(g->intf->in)];
	size_t space;
	ssize_t n;

	if (g->intf == NULL)
		return;
	space = cons_ring_in_space(g->intf);
	if (space == 0)
		return;
	if (space > sizeof(buf))
		space = sizeof(buf);
	n = read(g->master_fd, buf, space);
	if (n <= 0)
		return;
	(void)cons_ring_write_in(g->intf, buf, (size_t)n);
	notify_guest(d, g);
}
