/*
 * daemon-spawn-test.c - the xenstored binary over its socket: bad input
 * never stops it, pipelined requests are answered in order, many clients
 * are served, options are checked strictly, -F writes a pid file.
 *
 * The daemon is started from $top_builddir/xenstored/xenstored with -N -D
 * on a socket in a fresh temporary directory.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <xen/io/xs_wire.h>

static char dir[64], sockpath[128], daemon_bin[1024];
static pid_t daemon_pid = -1;
static rlim_t daemon_nofile;    /* RLIMIT_NOFILE for the daemon, 0 = as ours */

static void find_binary(void)
{
	const char *top = getenv("top_builddir");

	snprintf(daemon_bin, sizeof(daemon_bin), "%s/xenstored/xenstored",
	         top ? top : "../..");
}

/* Run the daemon with extra args; returns its exit status (for option
 * checks) or, with wait_sock, leaves it running once the socket answers. */
static int run_daemon(bool wait_sock, ...)
{
	const char *argv[32];
	int argc = 0, status, i, fd;
	va_list ap;
	pid_t pid;

	argv[argc++] = daemon_bin;
	va_start(ap, wait_sock);
	while ((argv[argc] = va_arg(ap, const char *)) && argc < 30)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* Never hold the test's stdout: the TAP driver waits for EOF. */
		dup2(null, 1);
		dup2(null, 2);
		close(null);
		if (daemon_nofile) {
			struct rlimit rl = { daemon_nofile, daemon_nofile };

			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				_exit(126);
		}
		execv(daemon_bin, (char *const *)argv);
		_exit(127);
	}
	if (!wait_sock) {
		assert_int_equal(waitpid(pid, &status, 0), pid);
		return status;
	}
	daemon_pid = pid;
	for (i = 0; i < 500; i++) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		strcpy(sun.sun_path, sockpath);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(fd);
			return 0;
		}
		close(fd);
		usleep(10000);
	}
	fail_msg("daemon did not come up");
	return -1;
}

static int xconnect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sun.sun_path, sockpath);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static void xsend(int fd, uint32_t type, uint32_t req_id, const void *p,
                  uint32_t len)
{
	struct xsd_sockmsg hdr = { type, req_id, 0, len };
	char buf[sizeof(hdr) + 8192];

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), p, len);
	assert_int_equal(write(fd, buf, sizeof(hdr) + len), (ssize_t)(sizeof(hdr) + len));
}

/* Read exactly n bytes; 0 at EOF, -1 on timeout. */
static int readn(int fd, void *buf, size_t n)
{
	size_t got = 0;
	struct pollfd p = { fd, POLLIN, 0 };
	ssize_t r;

	while (got < n) {
		if (poll(&p, 1, 5000) != 1)
			return -1;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return 0;
		got += (size_t)r;
	}
	return 1;
}

/* Next message; returns 1, 0 on EOF, -1 on timeout. */
static int xrecv(int fd, struct xsd_sockmsg *hdr, char *buf)
{
	int r = readn(fd, hdr, sizeof(*hdr));

	if (r != 1)
		return r;
	assert_true(hdr->len <= XENSTORE_PAYLOAD_MAX);
	r = readn(fd, buf, hdr->len);
	buf[hdr->len] = 0;
	return hdr->len ? r : 1;
}

static void write_read_ok(int fd, const char *path, const char *val)
{
	char buf[4200];
	struct xsd_sockmsg hdr;
	size_t pl = strlen(path) + 1;

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, strlen(val));
	xsend(fd, XS_WRITE, 1, buf, (uint32_t)(pl + strlen(val)));
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_WRITE);
	xsend(fd, XS_READ, 2, path, (uint32_t)pl);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_READ);
	assert_string_equal(buf, val);
}

static int setup(void **state)
{
	find_binary();
	strcpy(dir, "/tmp/xsd-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/sock", dir);
	return run_daemon(true, "-N", "-D", "--socket", sockpath, (char *)NULL);
}

/* The same daemon with extra options (and daemon_nofile). */
static int setup_with(const char *a, const char *b)
{
	find_binary();
	strcpy(dir, "/tmp/xsd-test-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/sock", dir);
	return run_daemon(true, "-N", "-D", "--socket", sockpath, a, b,
	                  (char *)NULL);
}

/* 24 descriptors: stdio, the listener, the reserve, /dev/null leftovers;
 * well under 20 clients exhaust it. */
static int setup_nofile(void **state)
{
	daemon_nofile = 24;
	return setup_with("-Q", "outstanding=20");
}

static int setup_conn_cap(void **state)
{
	return setup_with("-Q", "connections=4");
}

static int setup_request_timeout(void **state)
{
	return setup_with("-w", "request=1");
}

static int teardown(void **state)
{
	int status;

	if (daemon_pid > 0) {
		/* Still alive after everything we threw at it? */
		assert_int_equal(waitpid(daemon_pid, &status, WNOHANG), 0);
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, &status, 0);
		daemon_pid = -1;
	}
	unlink(sockpath);
	rmdir(dir);
	daemon_nofile = 0;
	return 0;
}

static void test_oversized_len(void **state)
{
	int bad = xconnect(), good = xconnect();
	struct xsd_sockmsg hdr = { XS_READ, 1, 0, 0xFFFFFFFF }, r;
	char buf[4200];

	write_read_ok(good, "/before", "1");
	assert_int_equal(write(bad, &hdr, sizeof(hdr)), sizeof(hdr));
	/* The offender is dropped ... */
	assert_int_equal(xrecv(bad, &r, buf), 0);
	/* ... the others go on. */
	write_read_ok(good, "/after", "2");
	close(bad);
	close(good);
}

static void test_garbage_and_unknown(void **state)
{
	int fd = xconnect(), other = xconnect();
	struct xsd_sockmsg hdr;
	char buf[4200], junk[4096];
	unsigned i;

	xsend(fd, 1234, 7, "", 0);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_ERROR);
	assert_int_equal(hdr.req_id, 7);
	assert_string_equal(buf, "ENOSYS");
	/* Unterminated and invalid paths. */
	xsend(fd, XS_READ, 8, "/tool", 5);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_string_equal(buf, "EINVAL");
	xsend(fd, XS_WRITE, 9, "/a b\0x", 6);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_string_equal(buf, "EINVAL");
	/* A full-size payload of junk as a READ. */
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 1);
	xsend(fd, XS_READ, 10, junk, sizeof(junk));
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_ERROR);
	/* Half a message, then hang up. */
	{
		int half = xconnect();
		struct xsd_sockmsg h = { XS_WRITE, 1, 0, 100 };

		assert_int_equal(write(half, &h, sizeof(h)), sizeof(h));
		assert_int_equal(write(half, "/x", 2), 2);
		close(half);
	}
	write_read_ok(other, "/still", "here");
	write_read_ok(fd, "/fd/too", "yes");
	close(fd);
	close(other);
}

static void test_pipelined_order(void **state)
{
	int fd = xconnect();
	static char out[600 * 64];
	size_t len = 0;
	struct xsd_sockmsg hdr;
	char buf[4200];
	uint32_t i;

	/* 300 writes and 300 reads in one go. */
	for (i = 0; i < 300; i++) {
		char p[48];
		int pl = snprintf(p, sizeof(p), "/pipe/%u", i) + 1;
		struct xsd_sockmsg w = { XS_WRITE, 2 * i, 0, (uint32_t)pl + 1 };
		struct xsd_sockmsg r = { XS_READ, 2 * i + 1, 0, (uint32_t)pl };

		memcpy(out + len, &w, sizeof(w));
		len += sizeof(w);
		memcpy(out + len, p, (size_t)pl);
		len += (size_t)pl;
		out[len++] = (char)('a' + i % 26);
		memcpy(out + len, &r, sizeof(r));
		len += sizeof(r);
		memcpy(out + len, p, (size_t)pl);
		len += (size_t)pl;
	}
	assert_int_equal(write(fd, out, len), (ssize_t)len);
	for (i = 0; i < 600; i++) {
		assert_int_equal(xrecv(fd, &hdr, buf), 1);
		assert_int_equal(hdr.req_id, i);
		if (i % 2) {
			assert_int_equal(hdr.type, XS_READ);
			assert_int_equal(buf[0], 'a' + (i / 2) % 26);
		} else {
			assert_int_equal(hdr.type, XS_WRITE);
		}
	}
	close(fd);
}

static void test_many_clients(void **state)
{
	int fds[64], i;
	char path[32], val[16];

	for (i = 0; i < 64; i++)
		fds[i] = xconnect();
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/many/%d", i);
		snprintf(val, sizeof(val), "v%d", i);
		write_read_ok(fds[(i * 7) % 64], path, val);
	}
	for (i = 0; i < 64; i++)
		close(fds[i]);
}

static void test_watch_across_clients(void **state)
{
	int w = xconnect(), c = xconnect();
	struct xsd_sockmsg hdr;
	char buf[4200];

	xsend(w, XS_WATCH, 1, "/ev\0tok", 8);
	assert_int_equal(xrecv(w, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_WATCH);
	assert_int_equal(xrecv(w, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_WATCH_EVENT);
	write_read_ok(c, "/ev/x", "1");
	assert_int_equal(xrecv(w, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_WATCH_EVENT);
	assert_string_equal(buf, "/ev/x");
	assert_string_equal(buf + 6, "tok");
	close(w);
	close(c);
}

static void test_bad_options(void **state)
{
	int st;

	st = run_daemon(false, "-N", "-D", "--socket", "/tmp/unused.sock", "-E", "12x",
	                (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	st = run_daemon(false, "-N", "-D", "--socket", "/tmp/unused.sock", "-Q",
	                "bogus=1", (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	st = run_daemon(false, "-N", "-D", "--socket", "/tmp/unused.sock", "-w",
	                "watch-event=-1", (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	st = run_daemon(false, "-N", "-D", "extra", (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	st = run_daemon(false, "--help", (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	/* -I off asks for a database on disk, which we do not have. */
	st = run_daemon(false, "-N", "-D", "--socket", "/tmp/unused.sock", "-Ioff",
	                (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
	st = run_daemon(false, "-N", "-D", "--socket", "/tmp/unused.sock",
	                "--internal-db=bogus", (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 0);
}

/* SET_PERMS path|perm|...: the reply, "OK" or the error name, in buf. */
static uint32_t set_perms(int fd, char *buf, const char *path, ...)
{
	char msg[512];
	size_t len = 0, l;
	const char *s;
	struct xsd_sockmsg hdr;
	va_list ap;

	l = strlen(path) + 1;
	memcpy(msg, path, l);
	len = l;
	va_start(ap, path);
	while ((s = va_arg(ap, const char *))) {
		l = strlen(s) + 1;
		assert_true(len + l <= sizeof(msg));
		memcpy(msg + len, s, l);
		len += l;
	}
	va_end(ap);
	xsend(fd, XS_SET_PERMS, 7, msg, (uint32_t)len);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	return hdr.type;
}

/* Permission strings: "<n|r|w|b><domid>", the domid decimal 0..65535.
 * Junk, overflow, signs, hex and blanks are refused with EINVAL and leave
 * the node's permissions as they were. */
static void test_bad_perms(void **state)
{
	static const char *bad[] = {
		"rjunk", "r", "r12x", "r-1", "r+1", "r 1", "r1 ", "r0x10", "r65536",
		"r4294967297", "r99999999999999999999999", "x0", "",
	};
	struct xsd_sockmsg hdr;
	char buf[4200];
	size_t i;
	int fd = xconnect();

	write_read_ok(fd, "/perm/node", "v");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* As owner entry and as a later entry. */
		assert_int_equal(set_perms(fd, buf, "/perm/node", bad[i], NULL),
		                 XS_ERROR);
		if (strcmp(buf, "EINVAL") != 0)
			fail_msg("\"%s\": %s", bad[i], buf);
		assert_int_equal(set_perms(fd, buf, "/perm/node", "n0", bad[i],
		                           NULL), XS_ERROR);
		if (strcmp(buf, "EINVAL") != 0)
			fail_msg("n0 \"%s\": %s", bad[i], buf);
	}
	xsend(fd, XS_GET_PERMS, 8, "/perm/node", 11);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_GET_PERMS);
	assert_int_equal(hdr.len, 3);
	assert_string_equal(buf, "n0");

	/* The edges of the range, and leading zeros, are fine. */
	assert_int_equal(set_perms(fd, buf, "/perm/node", "n0", "r65535", "b007",
	                           NULL), XS_SET_PERMS);
	assert_string_equal(buf, "OK");
	xsend(fd, XS_GET_PERMS, 9, "/perm/node", 11);
	assert_int_equal(xrecv(fd, &hdr, buf), 1);
	assert_int_equal(hdr.type, XS_GET_PERMS);
	assert_int_equal(hdr.len, 3 + 7 + 3);
	assert_string_equal(buf, "n0");
	assert_string_equal(buf + 3, "r65535");
	assert_string_equal(buf + 10, "b7");
	close(fd);
}

/* -R and -I (in memory) are upstream options we honour: the daemon runs. */
static void test_recovery_and_internal_db(void **state)
{
	char sock2[160], keep_path[128];
	pid_t keep = daemon_pid;
	int fd, round;
	const char *opts[][2] = {
		{ "-R", NULL }, { "-I", NULL }, { "--internal-db=on", "--no-recovery" },
	};

	snprintf(sock2, sizeof(sock2), "%s/sock2", dir);
	strcpy(keep_path, sockpath);
	strcpy(sockpath, sock2);
	for (round = 0; round < 3; round++) {
		run_daemon(true, "-N", "-D", "--socket", sock2, opts[round][0],
		           opts[round][1], (char *)NULL);
		fd = xconnect();
		write_read_ok(fd, "/opt/ok", "yes");
		close(fd);
		kill(daemon_pid, SIGTERM);
		waitpid(daemon_pid, NULL, 0);
		unlink(sock2);
	}
	daemon_pid = keep;
	strcpy(sockpath, keep_path);
}

/* Forking mode with a pid file, as an init script starts it. */
static void test_fork_pidfile(void **state)
{
	char pidfile[160], sock2[160], line[32];
	FILE *f;
	long pid;
	int st, i;

	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	snprintf(sock2, sizeof(sock2), "%s/sock2", dir);
	st = run_daemon(false, "-D", "--socket", sock2, "-F", pidfile, (char *)NULL);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (i = 0; i < 200 && access(pidfile, R_OK) != 0; i++)
		usleep(10000);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	pid = strtol(line, NULL, 10);
	assert_true(pid > 1);
	assert_int_equal(kill((pid_t)pid, 0), 0);
	assert_int_equal(kill((pid_t)pid, SIGTERM), 0);
	for (i = 0; i < 200 && kill((pid_t)pid, 0) == 0; i++)
		usleep(10000);
	assert_int_not_equal(kill((pid_t)pid, 0), 0);
	unlink(pidfile);
}

/* --dump-state: SIGUSR1 writes the tree as JSON. */
static void test_dump_state(void **state)
{
	char file[160], sock2[160], buf[65536];
	FILE *f;
	size_t n;
	int fd, i;
	pid_t keep = daemon_pid;

	snprintf(file, sizeof(file), "%s/state.json", dir);
	snprintf(sock2, sizeof(sock2), "%s/sock2", dir);
	strcpy(buf, sockpath);
	strcpy(sockpath, sock2);
	run_daemon(true, "-N", "-D", "--socket", sock2, "--dump-state", file,
	           (char *)NULL);
	fd = xconnect();
	write_read_ok(fd, "/dump/me", "value-42");
	close(fd);
	kill(daemon_pid, SIGUSR1);
	for (i = 0; i < 200 && access(file, R_OK) != 0; i++)
		usleep(10000);
	/* Stop this second daemon before any assertion can end the test. */
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = keep;
	snprintf(sockpath, sizeof(sockpath), "%s/sock", dir);
	unlink(sock2);
	f = fopen(file, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	unlink(file);
	assert_non_null(strstr(buf, "\"path\":\"/dump/me\""));
	assert_non_null(strstr(buf, "\"value\":\"value-42\""));
	assert_non_null(strstr(buf, "\"path\":\"/tool/xenstored\""));
}

/* Is the peer's side closed (EOF within 5 s)? */
static bool closed_by_peer(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	return poll(&p, 1, 5000) == 1 && read(fd, &c, 1) == 0;
}

/* CPU time the daemon used so far, in ms (/proc/PID/schedstat). */
static long daemon_cpu_ms(void)
{
	char path[64];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/schedstat", (long)daemon_pid);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu", &ns), 1);
	fclose(f);
	return (long)(ns / 1000000);
}

/*
 * Out of descriptors: clients beyond the limit are closed at once (EOF,
 * not a hang in the backlog), the daemon does not spin while they wait,
 * and once some clients leave new ones are served again.
 */
static void test_out_of_fds(void **state)
{
	int fds[64], n = 0, i, extra;
	bool refused = false;
	long cpu0, cpu1;
	char path[32];

	while (n < 64 && !refused) {
		fds[n] = xconnect();
		snprintf(path, sizeof(path), "/fd/%d", n);
		{
			char buf[64];
			struct xsd_sockmsg hdr;
			size_t pl = strlen(path) + 1;

			memcpy(buf, path, pl);
			buf[pl] = 'v';
			xsend(fds[n], XS_WRITE, 1, buf, (uint32_t)(pl + 1));
			if (xrecv(fds[n], &hdr, buf) != 1)
				refused = true;     /* EOF: closed by the daemon */
			else
				assert_int_equal(hdr.type, XS_WRITE);
		}
		n++;
	}
	assert_true(refused);
	assert_true(n > 5 && n < 24);
	/* One more waits in the backlog no more: it is closed too. */
	extra = xconnect();
	assert_true(closed_by_peer(extra));
	close(extra);
	/* Several refused clients left open on our side; the daemon must
	 * sleep meanwhile (a spinning loop uses a whole CPU's share). */
	for (i = 0; i < 4; i++)
		fds[n++] = xconnect();
	cpu0 = daemon_cpu_ms();
	sleep(2);
	cpu1 = daemon_cpu_ms();
	assert_true(cpu1 - cpu0 < 500);
	/* Room again: a new client is served. */
	for (i = 0; i < n; i++)
		close(fds[i]);
	usleep(200000);
	extra = xconnect();
	write_read_ok(extra, "/fd/again", "yes");
	close(extra);
}

/* -Q connections=4: the fifth simultaneous client is closed at once. */
static void test_conn_cap(void **state)
{
	int fds[5], i;

	for (i = 0; i < 4; i++) {
		fds[i] = xconnect();
		write_read_ok(fds[i], "/cap/x", "1");
	}
	fds[4] = xconnect();
	assert_true(closed_by_peer(fds[4]));
	close(fds[4]);
	/* One leaves: the next one is served. */
	close(fds[0]);
	usleep(200000);
	fds[0] = xconnect();
	write_read_ok(fds[0], "/cap/y", "2");
	for (i = 0; i < 4; i++)
		close(fds[i]);
}

/* -w request=1: half a header, or a header and half a payload, and then
 * nothing: dropped after the timeout; a client that finishes its request
 * in time and one that is just idle between requests are not. */
static void test_half_request_dropped(void **state)
{
	struct xsd_sockmsg hdr = { XS_WRITE, 1, 0, 10 };
	int half_hdr = xconnect(), half_body = xconnect(), idle = xconnect();

	write_read_ok(idle, "/idle", "1");
	assert_int_equal(write(half_hdr, &hdr, 7), 7);
	assert_int_equal(write(half_body, &hdr, sizeof(hdr)), (ssize_t)sizeof(hdr));
	assert_int_equal(write(half_body, "/half", 5), 5);
	assert_true(closed_by_peer(half_hdr));
	assert_true(closed_by_peer(half_body));
	sleep(1);
	write_read_ok(idle, "/idle", "2");
	close(half_hdr);
	close(half_body);
	close(idle);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_oversized_len, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_across_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_perms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_and_internal_db, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_fork_pidfile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_fds, setup_nofile, teardown),
		cmocka_unit_test_setup_teardown(test_conn_cap, setup_conn_cap, teardown),
		cmocka_unit_test_setup_teardown(test_half_request_dropped,
		                                setup_request_timeout, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
