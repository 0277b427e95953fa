/*
 * xenconsole.c - attach the user's terminal to a guest's console.
 *
 * NAME
 *     xenconsole - connect to a Xen guest's console pty
 *
 * SYNOPSIS
 *     xenconsole [-ir] [--type pv|serial|vuart] [--num N]
 *                [--start-notify-fd FD] [--timeout SECONDS] DOMID
 *
 * DESCRIPTION
 *     Reads the pty path that the console daemon published in
 *     /local/domain/DOMID/console/tty (for --num N > 0:
 *     device/console/N/tty; --type serial: serial/N/tty, falling back to
 *     the PV console when absent; --type vuart: vuart/N/tty), waiting up to
 *     --timeout seconds (default 5) for it to appear, opens it and copies
 *     bytes both ways until the user types Ctrl-] (0x1d), which detaches
 *     and exits 0.  `xl console` runs this program.
 *
 *     When stdin and stdout are terminals, the terminal is put in raw mode
 *     (restored on exit), so keys reach the guest unchanged.  Otherwise
 *     (input piped from a script) no terminal modes are touched; input is
 *     still forwarded, a 0x1d in it still detaches, and end of input stops
 *     only the input direction: output keeps flowing until Ctrl-], a
 *     signal, or the console going away.
 *
 *     ESC characters in guest output are shown as '.' unless -r is given
 *     (or XEN_CONSOLE_REPLACE_ESCAPE=0), as upstream, so a guest cannot
 *     drive the user's terminal.
 *
 *     Only one client may attach to a domain at a time: the lock is
 *     /var/lock/xenconsole.DOMID, as upstream.
 *
 * OPTIONS
 *     --type T            pv (default), serial or vuart
 *     -n, --num N         console number, 0..255 (default 0)
 *     --start-notify-fd FD  write one 0x00 byte to FD once attached, then
 *                         close it (used by `xl create -c`)
 *     -i, --interactive   accepted for compatibility (input is always read)
 *     -r, --no-replace-escape  pass ESC in guest output through
 *     --timeout S         seconds to wait for the pty (default 5)
 *
 * EXIT STATUS
 *     0 after Ctrl-], end of the console or a signal; 1 on errors (bad
 *     arguments, no xenstore, no pty within the timeout, lock held).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "xsclient.h"
#include "escape.h"
#include "opts.h"

#define PROG "xenconsole"
#define LOCK_DIR "/var/lock"
#define FALLBACK_LOCK_DIR "/run/lock"

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = 1;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read the tty node and open the pty it names.  Returns the fd, or -1 if
 * the node is missing, empty, or names nothing we can open.  `name` gets
 * the path. */
static int
open_tty(struct xsc_handle *xs, const char *node, char *name, size_t len)
{
	char *v;
	int fd;

	v = xsc_read(xs, XSC_NO_TX, node, NULL);
	if (v == NULL || v[0] == '\0') {
		free(v);
		return -1;
	}
	snprintf(name, len, "%s", v);
	free(v);
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	return fd;
}

/* Wait until the tty node names a pty we can open, at most `secs`.  The
 * watch on the node wakes us when the daemon writes it. */
static int
wait_tty(struct xsc_handle *xs, const char *node, unsigned secs, char *name,
    size_t len)
{
	struct timespec t0, now;
	char *p, *tok;
	int fd, left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		fd = open_tty(xs, node, name, len);
		if (fd != -1)
			return fd;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (int)secs * 1000 - (int)((now.tv_sec - t0.tv_sec) * 1000 +
		    (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || got_signal)
			return -1;
		/* Recheck at least every 200 ms: a node that exists but
		 * names a pty not yet openable raises no new event. */
		if (left > 200)
			left = 200;
		if (!xsc_watch_pending(xs)) {
			struct pollfd pfd = { .fd = xsc_fileno(xs),
			    .events = POLLIN };

			(void)poll(&pfd, 1, left);
		}
		while (xsc_read_watch(xs, &p, &tok, false) == 0) {
			free(p);
			free(tok);
		}
	}
}

/* One upstream-compatible lock per domain, in /var/lock as upstream.  A
 * minimal Dom0 (tmpfs /run, /var/lock -> /run/lock) may lack the directory:
 * then /run/lock is created and used, so the lock still works.  Returns
 * the fd, -1 if another client holds it (reported), or -2 when locking is
 * impossible here: then we go on without it. */
static int
lock_console(uint32_t domid, char *path, size_t len)
{
	int fd;

	snprintf(path, len, LOCK_DIR "/xenconsole.%" PRIu32, domid);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 && errno == ENOENT) {
		(void)mkdir(FALLBACK_LOCK_DIR, 01777);
		snprintf(path, len, FALLBACK_LOCK_DIR "/xenconsole.%" PRIu32,
		    domid);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	}
	if (fd == -1)
		return -2;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			fprintf(stderr, PROG ": domain %" PRIu32 ": console "
			    "already attached (lock %s)\n", domid, path);
		else
			fprintf(stderr, PROG ": %s: %s\n", path,
			    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
set_raw(int fd, struct termios *saved)
{
	struct termios t;

	if (tcgetattr(fd, saved) == -1)
		return;
	t = *saved;
	cfmakeraw(&t);
	(void)tcsetattr(fd, TCSANOW, &t);
}

/* After a watch event on the tty node: 1 if the console is still where it
 * was (or moved, and *pty was reopened: a restarted daemon), 0 if it went
 * away (node removed: the domain is gone) or xenstored did. */
static int
recheck_tty(struct xsc_handle *xs, const char *node, int *pty, char *tty,
    size_t ttylen)
{
	char *p, *tok, now[64];
	int fd;

	while (xsc_read_watch(xs, &p, &tok, false) == 0) {
		free(p);
		free(tok);
	}
	if (errno != EAGAIN)
		return 0;
	fd = open_tty(xs, node, now, sizeof(now));
	if (fd == -1)
		return 0;
	if (strcmp(now, tty) == 0) {
		close(fd);
		return 1;
	}
	close(*pty);
	*pty = fd;
	snprintf(tty, ttylen, "%s", now);
	return 1;
}

/* Copy both ways until detach.  Returns 0 on a normal end, -1 on error. */
static int
console_loop(struct xsc_handle *xs, const char *node, int *pty,
    char *tty, size_t ttylen, bool replace_escape, const sigset_t *waitmask)
{
	bool in_open = true;
	char buf[4096];

	while (!got_signal) {
		struct pollfd pfd[3];
		size_t fwd;
		ssize_t n;
		bool esc;
		int r;

		/* Events already queued in the library would not wake poll. */
		if (xsc_watch_pending(xs)) {
			if (!recheck_tty(xs, node, pty, tty, ttylen))
				return 0;
			continue;
		}
		pfd[0] = (struct pollfd){ .fd = *pty, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = xsc_fileno(xs), .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = in_open ? STDIN_FILENO : -1,
		    .events = POLLIN };
		r = ppoll(pfd, 3, NULL, waitmask);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
			return -1;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(*pty, buf, sizeof(buf));
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return 0;	/* daemon closed the console */
			if (replace_escape)
				xcon_replace_escape(buf, (size_t)n);
			if (write_all(STDOUT_FILENO, buf, (size_t)n) == -1) {
				fprintf(stderr, PROG ": write stdout: %s\n",
				    strerror(errno));
				return -1;
			}
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				in_open = false;	/* keep showing output */
				continue;
			}
			esc = xcon_scan_input(buf, (size_t)n, &fwd);
			if (fwd > 0 && write_all(*pty, buf, fwd) == -1)
				return 0;	/* console went away */
			if (esc)
				return 0;	/* Ctrl-]: detach */
		}
		if ((pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    !recheck_tty(xs, node, pty, tty, ttylen))
			return 0;
	}
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [-ir] [--type pv|serial|vuart] [--num N] "
	    "[--start-notify-fd FD]\n"
	    "                  [--timeout SECONDS] DOMID\n"
	    "Ctrl-] detaches.\n");
}

int
main(int argc, char **argv)
{
	struct xcon_opts o;
	struct xsc_handle *xs = NULL;
	struct termios pty_saved, in_saved;
	struct sigaction sa;
	sigset_t block, waitmask;
	char err[256], node[96], tty[64], lockpath[64];
	const char *env;
	bool stdin_raw = false;
	int pty = -1, lockfd = -1, rc = 1, r;

	r = xcon_parse_opts(argc, argv, &o, err, sizeof(err));
	if (r == 1) {
		usage(stdout);
		return 0;
	}
	if (r == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		usage(stderr);
		return 1;
	}
	env = getenv("XEN_CONSOLE_REPLACE_ESCAPE");
	if (env != NULL && strcmp(env, "0") == 0)
		o.replace_escape = false;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGHUP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	xs = xsc_open(NULL, XSC_OPEN_XENBUS_FALLBACK);
	if (xs == NULL) {
		fprintf(stderr, PROG ": cannot connect to xenstore: %s\n",
		    strerror(errno));
		goto out;
	}
	if (o.type == XCON_SERIAL) {
		/* As upstream: no serial pty means use the PV console. */
		char *v;

		(void)xcon_tty_path(&o, node, sizeof(node));
		v = xsc_read(xs, XSC_NO_TX, node, NULL);
		if (v == NULL)
			o.type = XCON_PV;
		free(v);
	}
	if (xcon_tty_path(&o, node, sizeof(node)) == -1) {
		fprintf(stderr, PROG ": console path too long\n");
		goto out;
	}
	lockfd = lock_console(o.domid, lockpath, sizeof(lockpath));
	if (lockfd == -1)
		goto out;
	if (xsc_watch(xs, node, "tty") == -1) {
		fprintf(stderr, PROG ": watch %s: %s\n", node, xsc_errmsg(xs));
		goto out;
	}
	pty = wait_tty(xs, node, o.timeout, tty, sizeof(tty));
	if (pty == -1) {
		if (!got_signal)
			fprintf(stderr, PROG ": domain %" PRIu32 ": no console "
			    "pty in %s after %u s\n", o.domid, node, o.timeout);
		goto out;
	}
	set_raw(pty, &pty_saved);
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (tcgetattr(STDIN_FILENO, &in_saved) == 0) {
			set_raw(STDIN_FILENO, &in_saved);
			stdin_raw = true;
		}
	}
	if (o.notify_fd != -1) {
		/* Tell the parent (xl create -c) we are attached. */
		ssize_t w;

		do
			w = write(o.notify_fd, "", 1);
		while (w == -1 && errno == EINTR);
		if (w != 1) {
			fprintf(stderr, PROG ": --start-notify-fd %d: %s\n",
			    o.notify_fd, strerror(errno));
			goto out;
		}
		close(o.notify_fd);
	}
	rc = console_loop(xs, node, &pty, tty, sizeof(tty), o.replace_escape,
	    &waitmask) == 0 ? 0 : 1;
out:
	if (stdin_raw)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &in_saved);
	if (pty != -1)
		close(pty);
	if (lockfd >= 0) {
		(void)unlink(lockpath);
		close(lockfd);
	}
	if (xs != NULL)
		xsc_close(xs);
	return rc;
}
