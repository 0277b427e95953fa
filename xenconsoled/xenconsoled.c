/*
 * xenconsoled.c - Lightstack's console backend daemon.
 *
 * NAME
 *     xenconsoled - serve the PV consoles of Xen guests
 *
 * SYNOPSIS
 *     xenconsoled [-iv] [--pid-file=FILE] [--log=none|guest]
 *                 [--log-dir=DIR] [--log-max-size=SIZE] [--log-keep=N]
 *                 [--timestamp[=none|guest|hv|all]] [--buffer-size=SIZE]
 *
 * DESCRIPTION
 *     For every guest (every domain but Dom0) whose xenstore directory
 *     /local/domain/<id>/console holds a "ring-ref" (the frame of the
 *     console ring page) and a "port" (the guest's end of an unbound event
 *     channel), xenconsoled maps that page (libctrl's ctrl_ring_map: grant
 *     reference 0, GNTTAB_RESERVED_CONSOLE, through gntdev; if that fails,
 *     the frame itself through a foreign mapping), binds the event
 *     channel, and then
 *
 *       - copies what the guest prints (the ring's "out" half) to the log
 *         file <log-dir>/guest-<name>.log and to a pseudo-terminal;
 *       - copies what is typed into the pseudo-terminal to the ring's "in"
 *         half, and notifies the guest.
 *
 *     The pty's slave path is written to /local/domain/<id>/console/tty,
 *     where `xenconsole` (and upstream's client, and `xl console`) find it.
 *     A console whose "type" node exists and is not "xenconsoled" belongs
 *     to someone else (a device model) and is left alone.
 *
 *     Guests are found by watching @introduceDomain and @releaseDomain and
 *     listing domains (libctrl's ctrl_domain_list), as upstream does.
 *     When a domain is dying or gone, its console is drained one last
 *     time, unmapped, unbound and its pty closed.  Nothing is removed from
 *     xenstore: the toolstack owns the domain's tree (and may remove it
 *     before we notice the death, which is fine).
 *
 *     Bad xenstore data (a missing port, a ring-ref that does not map, a
 *     port that does not bind, garbage) produces one line in the log and
 *     that domain is skipped until its console nodes change.
 *
 * LOGGING
 *     Unlike upstream, guest logging is on by default: a guest's output is
 *     never lost because nobody was attached.  Files are bounded: when one
 *     reaches --log-max-size (default 1M) it is renamed to .1 (older ones
 *     shift up to .N, N = --log-keep, default 3) and a new one started.
 *     SIGHUP reopens all logs (after an external logrotate).  The pty keeps
 *     only the newest --buffer-size bytes (default 64K) for a reader that
 *     is not there; older pty output is dropped, never the log's.
 *
 * OPTIONS
 *     -i, --interactive  stay in the foreground, messages to stderr
 *     -v, --verbose      also report domains coming and going
 *     --pid-file=FILE    write our pid there (locked while we run)
 *     --log=none|guest   guest log files or none (hv/all: not supported)
 *     --log-dir=DIR      default /var/log/xen/console
 *     --log-max-size=SZ  bytes per file before rotation, K/M/G suffixes
 *     --log-keep=N       rotated files kept, 0..100
 *     --timestamp[=W]    prefix guest log lines with [YYYY-MM-DD HH:MM:SS]
 *     --buffer-size=SZ   pty backlog per guest, 4K..64M
 *
 *     XENSTORED_PATH in the environment names the xenstored socket.
 *
 * SIGNALS
 *     SIGTERM, SIGINT: drain every console, close everything, exit 0.
 *     SIGHUP: reopen log files.
 *
 * EXIT STATUS
 *     0 after a signal; 1 when startup fails (the parent of a daemonised
 *     xenconsoled waits for the child's startup and reports its failure).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "xcd.h"

volatile sig_atomic_t got_term, got_hup;
bool use_syslog;

/* Our own messages: stderr in the foreground, syslog as a daemon. */
void
say(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (use_syslog)
		vsyslog(prio, fmt, ap);
	else {
		fprintf(stderr, PROG ": ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

/* Create and lock the pid file; a locked file means another daemon. */
static int
write_pid_file(struct daemon *d)
{
	char buf[32];
	int n;

	d->pid_fd = open(d->opts.pid_file, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (d->pid_fd == -1) {
		say(LOG_ERR, "%s: %s", d->opts.pid_file, strerror(errno));
		return -1;
	}
	if (flock(d->pid_fd, LOCK_EX | LOCK_NB) == -1) {
		say(LOG_ERR, "%s: %s", d->opts.pid_file, errno == EWOULDBLOCK ?
		    "locked: another xenconsoled is running" : strerror(errno));
		close(d->pid_fd);
		d->pid_fd = -1;
		return -1;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(d->pid_fd, 0) == -1 || write(d->pid_fd, buf, (size_t)n) != n) {
		say(LOG_ERR, "%s: %s", d->opts.pid_file, strerror(errno));
		return -1;
	}
	return 0;
}

/* mkdir -p for the log directory; failures show up when a log opens. */
static void
make_log_dir(const char *dir)
{
	char path[4096];
	size_t i;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return;
	for (i = 1; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		(void)mkdir(path, 0755);
		path[i] = '/';
	}
	(void)mkdir(path, 0755);
}

/* Fork into the background.  The parent waits on a pipe until the child
 * reports that startup worked (one byte) or failed (EOF), so that an init
 * script sees startup errors in our exit status.  Returns the pipe's
 * write end in the child. */
static int
daemonize(void)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) == -1) {
		say(LOG_ERR, "pipe: %s", strerror(errno));
		exit(1);
	}
	pid = fork();
	if (pid == -1) {
		say(LOG_ERR, "fork: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1)
		say(LOG_WARNING, "setsid: %s", strerror(errno));
	if (chdir("/") == -1)
		say(LOG_WARNING, "chdir /: %s", strerror(errno));
	umask(022);
	return p[1];
}

static void
detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd == -1)
		return;
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: " PROG " [-iv] [--pid-file=FILE] [--log=none|guest] "
	    "[--log-dir=DIR]\n"
	    "           [--log-max-size=SIZE] [--log-keep=N] "
	    "[--timestamp[=none|guest|hv|all]]\n"
	    "           [--buffer-size=SIZE]\n");
}

int
main(int argc, char **argv)
{
	struct daemon d;
	struct sigaction sa;
	sigset_t block, waitmask;
	char err[256];
	int ready_fd = -1, rc = 1, r;
	struct guest *g;

	memset(&d, 0, sizeof(d));
	d.pid_fd = -1;
	r = cd_parse_opts(argc, argv, &d.opts, err, sizeof(err));
	if (r == 1) {
		usage(stdout);
		return 0;
	}
	if (r == -1) {
		fprintf(stderr, PROG ": %s\n", err);
		usage(stderr);
		return 1;
	}

	if (!d.opts.interactive) {
		openlog(PROG, LOG_PID, LOG_DAEMON);
		ready_fd = daemonize();
	}

	/* Block the signals we handle; ppoll unblocks them while asleep. */
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

	if (d.opts.pid_file != NULL && write_pid_file(&d) == -1)
		goto out;
	d.xs = xsc_open(NULL, XSC_OPEN_DEFAULT);
	if (d.xs == NULL) {
		say(LOG_ERR, "cannot connect to xenstored: %s",
		    strerror(errno));
		goto out;
	}
	d.ctrl = ctrl_open_err(err, sizeof(err));
	if (d.ctrl == NULL) {
		say(LOG_ERR, "%s", err);
		goto out;
	}
	d.evtchn = ctrl_evtchn_open();
	if (d.evtchn == NULL) {
		say(LOG_ERR, "cannot open the event channel device: %s",
		    strerror(errno));
		goto out;
	}
	if (d.opts.log_guest)
		make_log_dir(d.opts.log_dir);
	if (xsc_watch(d.xs, "@introduceDomain", "domlist") == -1 ||
	    xsc_watch(d.xs, "@releaseDomain", "domlist") == -1) {
		say(LOG_ERR, "cannot watch domains: %s", xsc_errmsg(d.xs));
		goto out;
	}

	if (ready_fd != -1) {
		/* Startup worked: let the parent exit 0, leave the tty. */
		(void)write(ready_fd, "", 1);
		close(ready_fd);
		ready_fd = -1;
		use_syslog = true;
		detach_stdio();
	}
	scan_domains(&d);
	run(&d, &waitmask);
	rc = 0;
out:
	while ((g = d.guests) != NULL)
		guest_remove(&d, g);
	if (d.evtchn != NULL)
		ctrl_evtchn_close(d.evtchn);
	if (d.ctrl != NULL)
		ctrl_close(d.ctrl);
	if (d.xs != NULL)
		xsc_close(d.xs);
	if (d.pid_fd != -1) {
		(void)unlink(d.opts.pid_file);
		close(d.pid_fd);
	}
	return rc;
}
