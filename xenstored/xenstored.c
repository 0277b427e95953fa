/*
 * xenstored.c - the xenstore daemon: options, start-up and the event loop.
 *
 * One poll() loop serves the listening socket, every socket client, the
 * event channel device (domain rings and VIRQ_DOM_EXC) and watch event
 * expiry.  No threads: each request runs to completion before the next.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "libctrl.h"
#include "strnum.h"
#include "xsd.h"

#define DEFAULT_SOCKET "/run/xenstored/socket"
#define DEFAULT_STATE_DIR "/var/lib/xenstored"
/* Set in the environment of the binary a planned restart execs: the
 * listening socket's descriptor, kept open across exec(). */
#define LISTEN_FD_ENV "XENSTORED_LISTEN_FD"

static volatile sig_atomic_t stop, dump_wanted, restart_wanted;
static const char *dump_file;

static void on_usr2(int sig)
{
	restart_wanted = 1;
}

static void on_signal(int sig)
{
	stop = sig;
}

static void on_usr1(int sig)
{
	dump_wanted = 1;
}

static void dump_state(void)
{
	dump_wanted = 0;
	if (dump_file && xsd_dump_state(dump_file) < 0)
		xsd_log("cannot write state to %s", dump_file);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: xenstored [options]\n"
"  -D, --no-domain-init      no Xen: do not serve domain rings (socket only)\n"
"  -F, --pid-file FILE       write the daemon's pid to FILE\n"
"  -H, --help                show this help\n"
"  -N, --no-fork             stay in the foreground, log to stderr\n"
"  -P, --output-pid          print the daemon's pid on stdout\n"
"  -T, --trace-file FILE     trace requests to FILE\n"
"  -E, --entry-nb NB         nodes per domain (1000)\n"
"  -S, --entry-size SIZE     bytes per node (2048)\n"
"  -W, --watch-nb NB         watches per domain (128)\n"
"  -t, --transaction NB      transactions per domain (10)\n"
"  -A, --perm-nb NB          permissions per node (5)\n"
"  -M, --path-max CHARS      path length below a domain's home (2048)\n"
"  -Q, --quota WHAT=NB       transaction-nodes (1024), memory (2621440),\n"
"                            outstanding (20), pending-events (65536),\n"
"                            connections (socket clients, 0 = no limit)\n"
"  -q, --quota-soft WHAT=NB  memory (2097152)\n"
"  -w, --timeout WHAT=SECS   watch-event (20), request (socket client's\n"
"                            half-sent request, 0 = never; default 0)\n"
"  -p, --priv-domid DOMID    domain with dom0's privileges\n"
"  -V, --verbose             trace requests to the log\n"
"  -s, --socket PATH         socket path (" DEFAULT_SOCKET ")\n"
"      --dump-state FILE     write the state as JSON to FILE on SIGUSR1 and exit\n"
"  -K, --keep-orphans        give a gone domain's nodes to dom0, do not delete\n"
"  -R, --no-recovery         CONTROL check reports problems, does not repair\n"
"  -I, --internal-db[=on]    keep the store in memory (the only choice;\n"
"                            \"off\", a database on disk, is refused)\n"
"      --state-dir DIR|none  journal and snapshot for a restart (default\n"
"                            " DEFAULT_STATE_DIR " when serving Xen domains,\n"
"                            none without Xen or with -D)\n"
"SIGUSR2 restarts the daemon in place (exec), nothing lost.\n");
}

/*
 * -I/--internal-db [on|off]: upstream 4.17 keeps the store in memory by
 * default and writes a TDB file with "off".  Ours always lives in memory,
 * so "on" (or no value) is what we do anyway, and "off" must be refused
 * rather than silently ignored.
 */
static void internal_db(const char *arg)
{
	if (!arg || strcmp(arg, "on") == 0)
		return;
	if (strcmp(arg, "off") == 0)
		errx(1, "--internal-db=off (a database on disk) is not supported: "
		     "the store is kept in memory");
	errx(1, "invalid value \"%s\" for --internal-db (expected on or off)",
	     arg);
}

/* An option's number: decimal in [min, max] (common/strnum.h), or exit
 * with a one-line error naming the option. */
static int parse_num(const char *opt, const char *s, long min, long max)
{
	int64_t v;

	if (strnum_i64(s, 10, min, max, &v) < 0)
		errx(1, "invalid value \"%s\" for %s (expected %ld..%ld)", s, opt,
		     min, max);
	return (int)v;
}

/* "-Q name=value" and "-q name=value", as upstream 4.17. */
static void set_quota(const char *arg, bool soft)
{
	const char *eq = strchr(arg, '=');
	size_t nlen;
	int val;

	if (!eq)
		errx(1, "quotas must be given as <what>=<nb>: \"%s\"", arg);
	nlen = (size_t)(eq - arg);
	val = parse_num("quota", eq + 1, 0, INT_MAX);
	if (!soft && nlen == 11 && strncmp(arg, "outstanding", nlen) == 0)
		xsd_quota.outstanding = val;
	else if (!soft && nlen == 17 && strncmp(arg, "transaction-nodes", nlen) == 0)
		xsd_quota.trans_nodes = val;
	else if (!soft && nlen == 14 && strncmp(arg, "pending-events", nlen) == 0)
		xsd_quota.pending_events = val;
	else if (!soft && nlen == 11 && strncmp(arg, "connections", nlen) == 0)
		xsd_quota.conn_max = val;
	else if (nlen == 6 && strncmp(arg, "memory", nlen) == 0) {
		if (soft)
			xsd_quota.memory_soft = val;
		else
			xsd_quota.memory_hard = val;
	} else
		errx(1, "unknown %squota \"%.*s\"", soft ? "soft " : "", (int)nlen, arg);
}

static void set_timeout(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq)
		errx(1, "timeouts must be given as <what>=<seconds>: \"%s\"", arg);
	if ((size_t)(eq - arg) == 11 && strncmp(arg, "watch-event", 11) == 0)
		xsd_quota.watch_event_timeout_ms =
			parse_num("timeout", eq + 1, 0, INT_MAX / 1000) * 1000;
	else if ((size_t)(eq - arg) == 7 && strncmp(arg, "request", 7) == 0)
		xsd_quota.conn_timeout_ms =
			parse_num("timeout", eq + 1, 0, INT_MAX / 1000) * 1000;
	else
		errx(1, "unknown timeout \"%.*s\"", (int)(eq - arg), arg);
}

/* daemon() changes to "/": make paths given relative to the caller's
 * directory absolute first. */
static const char *absolute(const char *path)
{
	static char bufs[3][4096];
	static int next;
	char cwd[2048], *b;

	if (!path || path[0] == '/')
		return path;
	if (!getcwd(cwd, sizeof(cwd)))
		err(1, "getcwd");
	b = bufs[next++ % 3];
	if ((size_t)snprintf(b, sizeof(bufs[0]), "%s/%s", cwd, path) >= sizeof(bufs[0]))
		errx(1, "path too long: %s", path);
	return b;
}

static int open_socket(const char *path)
{
	struct sockaddr_un sun;
	char dir[sizeof(sun.sun_path)], *slash;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		errx(1, "socket path too long: %s", path);
	/* Make the directory like upstream does for /run/xenstored. */
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0755);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		err(1, "socket");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		err(1, "bind %s", path);
	/* Privilege comes from the socket's permissions: root only. */
	if (chmod(path, 0600) < 0)
		err(1, "chmod %s", path);
	if (listen(fd, 128) < 0)
		err(1, "listen %s", path);
	return fd;
}

static void write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		err(1, "%s", path);
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0)
		err(1, "%s", path);
}

/*
 * Out of file descriptors, accept() fails and leaves the connection in the
 * backlog, so poll() would report the listener ready forever and the loop
 * would spin.  One descriptor is kept in reserve for that case: it is
 * closed, the waiting connection accepted and closed at once (the client
 * sees EOF, not a hang), and the reserve taken again.  If even that fails
 * the listener is left out of poll() for a second.
 */
static int reserve_fd = -1;
static uint64_t listen_paused_until;

static void reserve_take(void)
{
	if (reserve_fd < 0)
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* One line per second at most: a flood of clients must not flood the log. */
static void refuse_log(const char *why)
{
	static uint64_t last_log;
	uint64_t now = xsd_now_ms();

	if (!last_log || now - last_log >= 1000) {
		xsd_log("refusing a client: %s", why);
		last_log = now;
	}
}

static void refuse_one(int lsock, const char *why)
{
	uint64_t now = xsd_now_ms();
	int fd;

	if (reserve_fd >= 0) {
		close(reserve_fd);
		reserve_fd = -1;
	}
	fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	else
		listen_paused_until = now + 1000;
	reserve_take();
	refuse_log(why);
}

static unsigned int socket_clients(void)
{
	struct conn *c;
	unsigned int n = 0;

	for (c = xsd_conns; c; c = c->next)
		if (c->fd >= 0 && !c->dead)
			n++;
	return n;
}

static void accept_clients(int lsock)
{
	struct conn *c;
	int fd;

	for (;;) {
		if (xsd_quota.conn_max &&
		    socket_clients() >= (unsigned)xsd_quota.conn_max) {
			/* Over the cap: take it off the backlog and close it. */
			fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (fd < 0)
				break;
			close(fd);
			refuse_log("too many connections (-Q connections)");
			continue;
		}
		fd = accept4(lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				refuse_one(lsock, strerror(errno));
			break;
		}
		/* Socket clients are tools in dom0: privileged, domid 0. */
		c = conn_new(&socket_ops, fd, 0);
		if (!c) {
			xsd_log("out of memory for a new client");
			close(fd);
		}
	}
}

/* Close connections marked dead while requests ran. */
static void sweep_dead(void)
{
	struct conn *c, *next;

	for (c = xsd_conns; c; c = next) {
		next = c->next;
		if (c->dead)
			conn_free(c);
	}
	domain_sweep();
}

static void serve(int lsock)
{
	struct pollfd *pfd = NULL;
	struct conn **pconn = NULL;
	size_t cap = 0, n, i;
	struct conn *c;
	int evfd = domain_evtchn_fd(), timeout, r;
	uint64_t now, next, deadline;

	while (!stop && !restart_wanted) {
		if (dump_wanted)
			dump_state();
		/* Room for the listener, the evtchn fd and every connection. */
		n = 2;
		for (c = xsd_conns; c; c = c->next)
			n++;
		if (n > cap) {
			cap = n * 2;
			pfd = realloc(pfd, cap * sizeof(*pfd));
			pconn = realloc(pconn, cap * sizeof(*pconn));
			if (!pfd || !pconn)
				errx(1, "out of memory");
		}
		now = xsd_now_ms();
		n = 0;
		pfd[n].fd = listen_paused_until > now ? -1 : lsock;
		pfd[n].events = POLLIN;
		pconn[n++] = NULL;
		if (evfd >= 0) {
			pfd[n].fd = evfd;
			pfd[n].events = POLLIN;
			pconn[n++] = NULL;
		}
		timeout = -1;
		deadline = listen_paused_until > now ? listen_paused_until : 0;
		for (c = xsd_conns; c; c = c->next) {
			next = conn_expire_events(c, now);
			if (next && (!deadline || next < deadline))
				deadline = next;
			next = conn_wrl_next(c, now);
			if (next && (!deadline || next < deadline))
				deadline = next;
			if (c->fd < 0)
				continue;
			next = conn_check_stalled(c, now);
			if (next && (!deadline || next < deadline))
				deadline = next;
			if (c->dead) {
				timeout = 0;    /* to be closed right away */
				continue;
			}
			pfd[n].fd = c->fd;
			pfd[n].events = (conn_may_read(c) ? POLLIN : 0) |
			                (c->out_head ? POLLOUT : 0);
			if (conn_input_ready(c))
				timeout = 0;
			pconn[n++] = c;
		}
		if (domain_rings_busy())
			timeout = 0;
		if (deadline && timeout != 0)
			timeout = deadline > now ? (int)(deadline - now) : 0;

		r = poll(pfd, n, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[0].revents & POLLIN)
			accept_clients(lsock);
		if (evfd >= 0 && (pfd[1].revents & POLLIN))
			domain_handle_evtchn();

		for (i = 0; i < n; i++) {
			c = pconn[i];
			if (!c || c->dead)
				continue;
			if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) ||
			    conn_input_ready(c)) {
				if (conn_handle_input(c) < 0) {
					/* Peer gone or broken framing: what it
					 * may still read goes out first. */
					conn_flush(c);
					c->dead = true;
					continue;
				}
			} else if (pfd[i].revents & POLLNVAL) {
				c->dead = true;
				continue;
			}
		}
		domain_poll_rings();
		/* Requests above may have queued events anywhere: send now. */
		for (c = xsd_conns; c; c = c->next) {
			if (c->fd >= 0 && c->out_head && !c->dead && conn_flush(c) < 0)
				c->dead = true;
		}
		domain_poll_rings();
		/* What rings hold half done, and changes made outside any
		 * request (a domain's death), go to the journal. */
		journal_rings();
		sweep_dead();
	}
	free(pfd);
	free(pconn);
}

/*
 * Planned restart (SIGUSR2): nothing more is read; the replies socket
 * clients are owed go out (for at most two seconds), then they are closed
 * (xsclient reconnects, re-registers its watches and sends again a request
 * it got no answer to).  Domain rings need nothing: what they hold half
 * read or unsent goes into the snapshot, which the new binary, exec'd with
 * the listening socket kept open, loads as after a crash.  If the exec
 * fails, the daemon goes on serving.
 */
static void planned_restart(int lsock, char **argv, const char *self)
{
	uint64_t until = xsd_now_ms() + 2000;
	struct pollfd pfd;
	struct conn *c;
	bool pending;
	char fdstr[16];
	int flags;

	restart_wanted = 0;
	do {
		pending = false;
		for (c = xsd_conns; c; c = c->next) {
			if (c->fd < 0 || c->dead || !c->out_head)
				continue;
			if (conn_flush(c) < 0) {
				c->dead = true;
				continue;
			}
			if (c->out_head) {
				pending = true;
				pfd.fd = c->fd;
				pfd.events = POLLOUT;
				poll(&pfd, 1, 10);
			}
		}
	} while (pending && xsd_now_ms() < until);
	if (journal_snapshot() < 0) {
		xsd_log("planned restart: cannot write the state, not restarting");
		return;
	}
	for (c = xsd_conns; c; c = c->next)
		if (c->fd >= 0)
			c->dead = true;
	sweep_dead();
	flags = fcntl(lsock, F_GETFD);
	snprintf(fdstr, sizeof(fdstr), "%d", lsock);
	if (flags < 0 || fcntl(lsock, F_SETFD, flags & ~FD_CLOEXEC) < 0 ||
	    setenv(LISTEN_FD_ENV, fdstr, 1) < 0) {
		xsd_log("planned restart: %s", strerror(errno));
		return;
	}
	xsd_log("planned restart: exec %s", self);
	execv(self, argv);
	xsd_log("planned restart: exec %s: %s; going on", self, strerror(errno));
	fcntl(lsock, F_SETFD, flags);
	unsetenv(LISTEN_FD_ENV);
}

/* The listening socket a planned restart handed over, or -1. */
static int inherited_socket(void)
{
	const char *s = getenv(LISTEN_FD_ENV);
	int64_t v;
	int flags;

	if (!s)
		return -1;
	unsetenv(LISTEN_FD_ENV);
	if (strnum_i64(s, 10, 0, INT_MAX, &v) < 0 ||
	    (flags = fcntl((int)v, F_GETFD)) < 0)
		errx(1, "bad %s=\"%s\"", LISTEN_FD_ENV, s);
	fcntl((int)v, F_SETFD, flags | FD_CLOEXEC);
	fcntl((int)v, F_SETFL, fcntl((int)v, F_GETFL) | O_NONBLOCK);
	return (int)v;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "no-domain-init", no_argument, NULL, 'D' },
		{ "entry-nb", required_argument, NULL, 'E' },
		{ "pid-file", required_argument, NULL, 'F' },
		{ "event", required_argument, NULL, 'e' },
		{ "master-domid", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'H' },
		{ "no-fork", no_argument, NULL, 'N' },
		{ "priv-domid", required_argument, NULL, 'p' },
		{ "output-pid", no_argument, NULL, 'P' },
		{ "entry-size", required_argument, NULL, 'S' },
		{ "trace-file", required_argument, NULL, 'T' },
		{ "transaction", required_argument, NULL, 't' },
		{ "perm-nb", required_argument, NULL, 'A' },
		{ "path-max", required_argument, NULL, 'M' },
		{ "quota", required_argument, NULL, 'Q' },
		{ "quota-soft", required_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "no-recovery", no_argument, NULL, 'R' },
		{ "internal-db", optional_argument, NULL, 'I' },
		{ "keep-orphans", no_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "watch-nb", required_argument, NULL, 'W' },
		{ "socket", required_argument, NULL, 's' },
		{ "dump-state", required_argument, NULL, 1 },
		{ "state-dir", required_argument, NULL, 2 },
		{ NULL, 0, NULL, 0 }
	};
	const char *pidfile = NULL, *tracefile = NULL, *sockpath = DEFAULT_SOCKET;
	bool dofork = true, outputpid = false, domain_init = true;
	const char *state_dir = NULL;
	char self[PATH_MAX], why[512];
	ssize_t slen;
	int opt, lsock, restored = 0, restarted;

	while ((opt = getopt_long(argc, argv, "DE:F:HI::KNPS:t:A:M:Q:q:T:RVW:w:p:s:e:m:",
	                          longopts, NULL)) != -1) {
		switch (opt) {
		case 'D': domain_init = false; break;
		case 'E': xsd_quota.nodes = parse_num("--entry-nb", optarg, 0, INT_MAX); break;
		case 'F': pidfile = optarg; break;
		case 'H': usage(stdout); return 0;
		case 'N': dofork = false; break;
		case 'P': outputpid = true; break;
		case 'S': xsd_quota.node_size = parse_num("--entry-size", optarg, 0, INT_MAX); break;
		case 't': xsd_quota.transactions = parse_num("--transaction", optarg, 0, INT_MAX); break;
		case 'T': tracefile = optarg; break;
		case 'W': xsd_quota.watches = parse_num("--watch-nb", optarg, 0, INT_MAX); break;
		case 'A': xsd_quota.perms = parse_num("--perm-nb", optarg, 0, INT_MAX); break;
		case 'M':
			xsd_quota.path_max = parse_num("--path-max", optarg, 0, INT_MAX);
			if (xsd_quota.path_max > XENSTORE_REL_PATH_MAX)
				xsd_quota.path_max = XENSTORE_REL_PATH_MAX;
			break;
		case 'Q': set_quota(optarg, false); break;
		case 'q': set_quota(optarg, true); break;
		case 'w': set_timeout(optarg); break;
		case 'p': xsd_priv_domid = (uint32_t)parse_num("--priv-domid", optarg, 0, 0x7FEF); break;
		case 's': sockpath = optarg; break;
		case 1: dump_file = optarg; break;
		case 2: state_dir = optarg; break;
		case 'V': xsd_trace = true; break;
		case 'e': case 'm':
			errx(1, "-%c (stubdom xenstore) is not supported", opt);
		case 'K': xsd_keep_orphans = true; break;
		case 'R': xsd_recovery = false; break;
		case 'I': internal_db(optarg); break;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc)
		errx(1, "unexpected argument \"%s\"", argv[optind]);
	sockpath = absolute(sockpath);
	pidfile = absolute(pidfile);
	dump_file = absolute(dump_file);
	/* Persistence is for domains' sake: on by default where they are
	 * served, off for a socket-only daemon (tests) unless asked for. */
	if (!state_dir)
		state_dir = domain_init && ctrl_xen_present() ? DEFAULT_STATE_DIR
		                                              : "none";
	state_dir = strcmp(state_dir, "none") == 0 ? NULL : absolute(state_dir);
	slen = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (slen < 0)
		snprintf(self, sizeof(self), "%s", argv[0]);
	else
		self[slen] = 0;

	if (tracefile) {
		xsd_trace_fp = fopen(tracefile, "a");
		if (!xsd_trace_fp)
			err(1, "%s", tracefile);
		xsd_trace = true;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Upstream reopens its log on SIGHUP; ours is opened in append mode
	 * and needs nothing, but the signal must not kill the daemon. */
	signal(SIGHUP, SIG_IGN);
	if (tree_init() < 0)
		err(1, "initial tree");
	if (state_dir) {
		restored = journal_open(state_dir, why, sizeof(why));
		if (restored < 0)
			errx(1, "cannot restore the state: %s (move it away, or "
			     "start with --state-dir none)", why);
	}
	lsock = inherited_socket();
	restarted = lsock >= 0;
	if (!restarted)
		lsock = open_socket(sockpath);
	reserve_take();

	/* A planned restart is the same process: already a daemon. */
	if (restarted)
		dofork = outputpid = false;
	if (dofork) {
		openlog("xenstored", LOG_PID, LOG_DAEMON);
		xsd_log_stderr = false;
		if (daemon(0, 0) < 0)
			err(1, "daemon");
	}
	if (pidfile)
		write_pidfile(pidfile);

	/* Xen is optional: without it, or with -D, the socket still works. */
	if (!domain_init || !domain_xen_init(ctrl_is_control_domain()))
		xsd_log("no Xen domain support: serving %s only", sockpath);
	if (restored > 0) {
		int gone = journal_restore_domains();

		domain_restore_done();
		xsd_log("restart: domains served again; %d died meanwhile", gone);
	}
	/* Everything restored (or the initial tree) is the first snapshot. */
	if (state_dir && journal_snapshot() < 0)
		errx(1, "cannot write the state in %s", state_dir);
	if (outputpid) {
		printf("%ld\n", (long)getpid());
		fflush(stdout);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_usr1);
	signal(SIGUSR2, on_usr2);

	for (;;) {
		serve(lsock);
		if (!restart_wanted || !state_dir) {
			if (restart_wanted && !state_dir) {
				xsd_log("SIGUSR2 ignored: no state directory");
				restart_wanted = 0;
				continue;
			}
			break;
		}
		planned_restart(lsock, argv, self);
	}
	journal_close();
	dump_state();

	close(lsock);
	unlink(sockpath);
	if (pidfile)
		unlink(pidfile);
	return 0;
}
