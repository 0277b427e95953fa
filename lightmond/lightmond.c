/*
 * lightmond - the one monitor for every domain: when a guest powers off,
 * reboots, crashes, trips its watchdog or soft-resets, apply its on_*
 * action (destroy, restart, preserve, rename-restart, coredump-*) as its
 * stored configuration says.  One process for 1000 guests, where upstream's
 * xl keeps one per guest.
 *
 * The work is liblight's (light_monitor_next, light_domain.h); this file
 * is the process around it: one instance (the pidfile lock), daemonizing
 * only once the lock and the watches are in place (so `xl create`, which
 * waits for us, knows a monitor is there), a log, and never dying of what
 * a guest or xenstore does: every failure is logged and the loop goes on,
 * reconnecting when the connection itself is lost.
 *
 * Usage: lightmond [-F]   (-F: stay in the foreground, log to stderr)
 * Log: $LIGHTSTACK_LOG_DIR/lightmond.log (default /var/log/lightstack).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "liblight.h"

#define LOG_DIR_DEFAULT "/var/log/lightstack"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line with a timestamp on stderr (the log file once daemonized). */
static void logmsg(const char *fmt, ...)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s lightmond[%ld]: ", stamp, (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void log_event(const struct light_monitor_event *ev)
{
	const char *act = light_action_name(ev->action);
	const char *sep = ev->detail[0] ? "; " : "";

	switch (ev->what) {
	case LIGHT_MON_GONE:
		logmsg("domain %u is gone", ev->domid);
		break;
	case LIGHT_MON_DESTROYED:
		logmsg("domain %u shut down (reason %d): destroyed (%s)%s%s",
		       ev->domid, ev->reason, act, sep, ev->detail);
		break;
	case LIGHT_MON_RESTARTED:
		logmsg("domain %u shut down (reason %d): restarted as domain %u (%s)%s%s",
		       ev->domid, ev->reason, ev->new_domid, act, sep, ev->detail);
		break;
	case LIGHT_MON_PRESERVED:
		logmsg("domain %u shut down (reason %d): preserved (%s)%s%s",
		       ev->domid, ev->reason, act, sep, ev->detail);
		break;
	case LIGHT_MON_FAILED:
		logmsg("domain %u shut down (reason %d): %s failed: %s",
		       ev->domid, ev->reason, act, ev->detail);
		break;
	case LIGHT_MON_ABANDONED:
	case LIGHT_MON_DM_DIED:
		logmsg("domain %u: %s", ev->domid, ev->detail);
		break;
	}
}

/* The log file as stderr (and stdout); /dev/null if it cannot be opened. */
static void open_log(void)
{
	const char *dir = getenv("LIGHTSTACK_LOG_DIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = LOG_DIR_DEFAULT;
	(void)mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/lightmond.log", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* Our pid into the locked pidfile, for people and scripts (the lock, not
 * this number, is what says we run). */
static void write_pid(int lockfd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(lockfd, 0) < 0 || pwrite(lockfd, buf, (size_t)n, 0) != n)
		logmsg("cannot write the pidfile: %s", strerror(errno));
}

/*
 * Open liblight and the monitor; on failure log once per kind of failure
 * and return NULL (the caller retries).
 */
static struct light_monitor *connect_monitor(struct light_ctx **cp)
{
	char err[256];
	struct light_ctx *c;
	struct light_monitor *m;

	*cp = NULL;
	c = light_open(0, err, sizeof(err));
	if (!c) {
		logmsg("cannot open liblight: %s", err);
		return NULL;
	}
	m = light_monitor_open(c);
	if (!m) {
		logmsg("cannot start monitoring: %s", light_errmsg(c));
		light_close(c);
		return NULL;
	}
	*cp = c;
	return m;
}

static void usage(void)
{
	fprintf(stderr, "usage: lightmond [-F]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct light_monitor_event ev;
	struct light_monitor *m;
	struct light_ctx *c;
	struct sigaction sa;
	bool foreground = false;
	int lockfd, ready[2] = { -1, -1 }, opt, r;
	char byte;
	pid_t pid;

	while ((opt = getopt(argc, argv, "F")) != -1) {
		switch (opt) {
		case 'F': foreground = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	/* Whatever else the starter had open (a pipe a script reads to its
	 * end, xl's own connections) must not be held open by a daemon that
	 * lives on. */
	close_range(STDERR_FILENO + 1, ~0U, 0);

	lockfd = light_monitor_lock();
	if (lockfd < 0) {
		if (errno == EBUSY)
			return 0;       /* one runs already: that is what was asked */
		fprintf(stderr, "lightmond: cannot take the pidfile lock: %s\n",
		        strerror(errno));
		return 1;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (!foreground) {
		/* The parent returns when the child is ready, so whoever ran
		 * us knows the monitor is in place.  The child inherits the
		 * lock (one open file, shared): the parent's exit keeps it. */
		if (pipe(ready) < 0) {
			fprintf(stderr, "lightmond: pipe: %s\n", strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "lightmond: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid > 0) {
			close(ready[1]);
			return read(ready[0], &byte, 1) == 1 ? 0 : 1;
		}
		close(ready[0]);
		setsid();
		if (chdir("/") < 0)
			_exit(1);
		r = open("/dev/null", O_RDONLY);
		if (r >= 0) {
			dup2(r, STDIN_FILENO);
			close(r);
		}
		open_log();
	}
	write_pid(lockfd);

	m = connect_monitor(&c);
	if (!m) {
		logmsg("exiting: no connection to Xen and xenstore");
		return 1;
	}
	logmsg("monitoring every domain");
	if (ready[1] >= 0) {
		byte = 1;
		if (write(ready[1], &byte, 1) != 1)
			logmsg("cannot tell the starter we are ready");
		close(ready[1]);
	}

	while (!stop) {
		if (!m) {
			sleep(1);
			m = connect_monitor(&c);
			if (m)
				logmsg("reconnected");
			continue;
		}
		r = light_monitor_next(m, &ev, 1000);
		if (r > 0) {
			log_event(&ev);
		} else if (r < 0) {
			/* Xen or xenstored did not answer: start over with a
			 * fresh connection rather than spin on a dead one. */
			logmsg("%s; reconnecting", light_errmsg(c));
			light_monitor_close(m);
			light_close(c);
			m = NULL;
		}
	}
	logmsg("stopping (signal)");
	light_monitor_close(m);
	if (c)
		light_close(c);
	return 0;
}
