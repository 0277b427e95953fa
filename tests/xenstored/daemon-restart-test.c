/*
 * daemon-restart-test.c - xenstored comes back with nothing lost.
 *
 * The daemon (-N -D, a socket and a --state-dir in a fresh temporary
 * directory) is killed with SIGKILL while a client writes, and started
 * again on the same state: every node and permission is back, the writing
 * client carries on through its reconnection without losing a write, a
 * client's watch is registered again and fires, a transaction open at the
 * crash fails its commit with EAGAIN.  A torn last journal record is
 * ignored; a corrupt snapshot is refused with a message, not a crash.
 * SIGUSR2 restarts the daemon in place under the same load.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "xsclient.h"

#define LOAD_NODES 1500

static char dir[64], sock[100], state[128], errfile[128], bin[1024];
static pid_t daemon_pid = -1;

static void msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static bool can_connect(void)
{
	struct sockaddr_un sa;
	int fd, r;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return r == 0;
}

/* Start the daemon on the test's socket and state; 0 once it answers, or
 * its exit status (+1000) when it exits first. */
static int start_daemon(void)
{
	int status, i;

	unlink(sock);
	daemon_pid = fork();
	assert_true(daemon_pid >= 0);
	if (daemon_pid == 0) {
		int fd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(fd, 2);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execl(bin, bin, "-N", "-D", "--socket", sock, "--state-dir", state,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500; i++) {
		if (can_connect())
			return 0;
		if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
			daemon_pid = -1;
			return 1000 + status;
		}
		msleep(10);
	}
	fail_msg("daemon did not come up");
	return -1;
}

static void kill_daemon(int sig)
{
	assert_true(daemon_pid > 0);
	kill(daemon_pid, sig);
	waitpid(daemon_pid, NULL, 0);
	daemon_pid = -1;
}

static int setup(void **st)
{
	const char *top = getenv("top_builddir");

	snprintf(bin, sizeof(bin), "%s/xenstored/xenstored", top ? top : "../..");
	snprintf(dir, sizeof(dir), "/tmp/xsd-restart.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/socket", dir);
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	setenv("XENSTORED_PATH", sock, 1);
	setenv("XSC_RECONNECT_TIMEOUT", "20", 1);
	return 0;
}

static int teardown(void **st)
{
	char cmd[256];

	if (daemon_pid > 0)
		kill_daemon(SIGKILL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

static struct xsc_handle *client(void)
{
	struct xsc_handle *x = xsc_open(NULL, 0);

	assert_non_null(x);
	return x;
}

/* Everything below `path` as "path=value perms" lines, sorted by the walk
 * order (children in daemon order), appended to *out. */
static void dump(struct xsc_handle *x, const char *path, char **out, size_t *len)
{
	struct xsc_perm *p;
	unsigned n, i, np;
	char **kids, *v, line[4096], child[2048];
	size_t vlen, l;
	int k;

	v = xsc_read(x, XSC_NO_TX, path, &vlen);
	assert_non_null(v);
	p = xsc_get_perms(x, XSC_NO_TX, path, &np);
	assert_non_null(p);
	k = snprintf(line, sizeof(line), "%s=%s", path, v);
	for (i = 0; i < np; i++)
		k += snprintf(line + k, sizeof(line) - (size_t)k, " %c%u", p[i].perm,
		              p[i].domid);
	k += snprintf(line + k, sizeof(line) - (size_t)k, "\n");
	l = (size_t)k;
	*out = realloc(*out, *len + l + 1);
	memcpy(*out + *len, line, l + 1);
	*len += l;
	free(v);
	free(p);
	kids = xsc_directory(x, XSC_NO_TX, path, &n);
	assert_non_null(kids);
	for (i = 0; i < n; i++) {
		snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "",
		         kids[i]);
		dump(x, child, out, len);
	}
	free(kids);
}

static char *dump_all(struct xsc_handle *x)
{
	char *out = NULL;
	size_t len = 0;

	dump(x, "/", &out, &len);
	return out;
}

/* A child that writes /load/<i> = <i> for every i, in order, and exits 0
 * only if every write was answered OK (through any reconnection). */
static pid_t start_load(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct xsc_handle *x = xsc_open(NULL, 0);
		char path[64], val[16];
		int i;

		if (!x)
			_exit(2);
		for (i = 0; i < LOAD_NODES; i++) {
			snprintf(path, sizeof(path), "/load/%d", i);
			snprintf(val, sizeof(val), "%d", i);
			if (xsc_write_str(x, XSC_NO_TX, path, val) < 0) {
				fprintf(stderr, "# load: %s\n", xsc_errmsg(x));
				_exit(1);
			}
		}
		xsc_close(x);
		_exit(0);
	}
	return pid;
}

/* Wait until the load has written at least `n` nodes. */
static void wait_load(struct xsc_handle *x, int n)
{
	char path[64], *v;
	int i;

	snprintf(path, sizeof(path), "/load/%d", n);
	for (i = 0; i < 2000; i++) {
		v = xsc_read(x, XSC_NO_TX, path, NULL);
		if (v) {
			free(v);
			return;
		}
		msleep(5);
	}
	fail_msg("load did not reach %d", n);
}

static void check_load(struct xsc_handle *x, pid_t load)
{
	char path[64], want[16], *v;
	int status, i;

	assert_int_equal(waitpid(load, &status, 0), load);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (i = 0; i < LOAD_NODES; i++) {
		snprintf(path, sizeof(path), "/load/%d", i);
		snprintf(want, sizeof(want), "%d", i);
		v = xsc_read(x, XSC_NO_TX, path, NULL);
		if (!v)
			fail_msg("%s lost: %s", path, xsc_errmsg(x));
		assert_string_equal(v, want);
		free(v);
	}
}

/* Next event on x within a few seconds; its path and token checked. */
static void expect_event(struct xsc_handle *x, const char *path,
                         const char *token)
{
	char *p, *t;
	int i;

	for (i = 0; i < 500; i++) {
		if (xsc_read_watch(x, &p, &t, false) == 0) {
			assert_string_equal(p, path);
			assert_string_equal(t, token);
			free(p);
			free(t);
			return;
		}
		assert_int_equal(errno, EAGAIN);
		msleep(10);
	}
	fail_msg("no event for %s", path);
}

static void test_kill9_mid_load(void **st)
{
	struct xsc_handle *a, *b, *c;
	struct xsc_perm perms[3] = { { 5, 'n' }, { 7, 'r' }, { 9, 'b' } };
	char *before, *after, *v;
	xsc_tx t;
	pid_t load;
	int fd;

	assert_int_equal(start_daemon(), 0);
	a = client();
	b = client();
	c = client();
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/keep/one", "1"), 0);
	assert_int_equal(xsc_write(a, XSC_NO_TX, "/keep/bin", "a\0b", 3), 0);
	assert_int_equal(xsc_mkdir(a, XSC_NO_TX, "/keep/empty"), 0);
	assert_int_equal(xsc_set_perms(a, XSC_NO_TX, "/keep/one", perms, 3), 0);
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/gone/x", "x"), 0);
	assert_int_equal(xsc_rm(a, XSC_NO_TX, "/gone"), 0);
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/w/init", "0"), 0);
	assert_int_equal(xsc_watch(b, "/w", "tok"), 0);
	expect_event(b, "/w", "tok");
	assert_int_equal(xsc_transaction_start(c, &t), 0);
	assert_int_equal(xsc_write_str(c, t, "/txn/before", "lost"), 0);
	fd = xsc_fileno(b);

	load = start_load();
	wait_load(a, LOAD_NODES / 3);
	kill_daemon(SIGKILL);
	assert_int_equal(start_daemon(), 0);
	check_load(a, load);

	/* Nodes and perms: the same tree as before, plus the load. */
	after = dump_all(a);
	assert_non_null(strstr(after, "/keep/one=1 n5 r7 b9\n"));
	assert_non_null(strstr(after, "/keep/empty= n0\n"));
	assert_null(strstr(after, "/gone"));
	v = xsc_read(a, XSC_NO_TX, "/keep/bin", NULL);
	assert_memory_equal(v, "a\0b", 3);
	free(v);

	/* b's watch is back on the same descriptor: its first event, then
	 * one for a change. */
	expect_event(b, "/w", "tok");
	assert_int_equal(xsc_fileno(b), fd);
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/w/new", "1"), 0);
	expect_event(b, "/w/new", "tok");

	/* c's transaction went with the old daemon: usable, commit EAGAIN,
	 * nothing of it visible. */
	assert_int_equal(xsc_write_str(c, t, "/txn/after", "x"), 0);
	assert_int_equal(xsc_transaction_end(c, t, true), -1);
	assert_int_equal(errno, EAGAIN);
	assert_null(xsc_read(a, XSC_NO_TX, "/txn/before", NULL));
	assert_null(xsc_read(a, XSC_NO_TX, "/txn/after", NULL));
	assert_int_equal(xsc_transaction_start(c, &t), 0);
	assert_int_equal(xsc_write_str(c, t, "/txn/again", "y"), 0);
	assert_int_equal(xsc_transaction_end(c, t, true), 0);

	/* A second crash with no load: the tree is exactly the same. */
	before = dump_all(a);
	kill_daemon(SIGKILL);
	assert_int_equal(start_daemon(), 0);
	free(after);
	after = dump_all(a);
	assert_string_equal(before, after);
	free(before);
	free(after);
	xsc_close(a);
	xsc_close(b);
	xsc_close(c);
	kill_daemon(SIGTERM);
}

static off_t file_size(const char *name)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", state, name);
	assert_int_equal(stat(path, &sb), 0);
	return sb.st_size;
}

static void test_torn_journal(void **st)
{
	struct xsc_handle *a;
	char path[256], *v;
	off_t size;

	assert_int_equal(start_daemon(), 0);
	a = client();
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/torn/first", "1"), 0);
	size = file_size("journal");
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/torn/last", "2"), 0);
	assert_true(file_size("journal") > size);
	xsc_close(a);
	kill_daemon(SIGKILL);

	/* A power cut in the middle of the last write: 3 bytes missing. */
	snprintf(path, sizeof(path), "%s/journal", state);
	assert_int_equal(truncate(path, file_size("journal") - 3), 0);
	assert_int_equal(start_daemon(), 0);
	a = client();
	v = xsc_read(a, XSC_NO_TX, "/torn/first", NULL);
	assert_non_null(v);
	assert_string_equal(v, "1");
	free(v);
	assert_null(xsc_read(a, XSC_NO_TX, "/torn/last", NULL));
	assert_int_equal(errno, ENOENT);
	xsc_close(a);
	kill_daemon(SIGKILL);

	/* Garbage after the last good record (a record header promising more
	 * than there is) is a torn tail too. */
	{
		FILE *f = fopen(path, "a");

		assert_non_null(f);
		fwrite("\x40\x00\x00\x00\x02\x00\x00\x00zzzzzz", 1, 14, f);
		fclose(f);
	}
	assert_int_equal(start_daemon(), 0);
	a = client();
	v = xsc_read(a, XSC_NO_TX, "/torn/first", NULL);
	assert_non_null(v);
	free(v);
	xsc_close(a);
	kill_daemon(SIGTERM);
}

static void test_corrupt_snapshot(void **st)
{
	struct xsc_handle *a;
	char path[256], msg[1024];
	int fd, status;
	unsigned char byte;
	FILE *f;

	assert_int_equal(start_daemon(), 0);
	a = client();
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/snap/x", "1"), 0);
	xsc_close(a);
	kill_daemon(SIGTERM);       /* the next start snapshots it all */
	assert_int_equal(start_daemon(), 0);
	kill_daemon(SIGKILL);

	snprintf(path, sizeof(path), "%s/snapshot", state);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, 40), 1);
	byte ^= 0x55;
	assert_int_equal(pwrite(fd, &byte, 1, 40), 1);
	close(fd);

	status = start_daemon();
	assert_true(status >= 1000);
	status -= 1000;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	f = fopen(errfile, "r");
	assert_non_null(f);
	assert_non_null(fgets(msg, sizeof(msg), f));
	fclose(f);
	assert_non_null(strstr(msg, "snapshot"));
	assert_non_null(strstr(msg, "corrupt"));
	assert_false(can_connect());
}

static void test_sigusr2_mid_load(void **st)
{
	struct xsc_handle *a, *b;
	pid_t load, pid;
	char *before, *after;

	assert_int_equal(start_daemon(), 0);
	pid = daemon_pid;
	a = client();
	b = client();
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/u2/x", "1"), 0);
	assert_int_equal(xsc_watch(b, "/u2", "t2"), 0);
	expect_event(b, "/u2", "t2");
	load = start_load();
	wait_load(a, LOAD_NODES / 3);
	kill(daemon_pid, SIGUSR2);
	check_load(a, load);
	/* The same process, still the same tree after one more restart. */
	assert_int_equal(daemon_pid, pid);
	assert_int_equal(kill(pid, 0), 0);
	expect_event(b, "/u2", "t2");
	before = dump_all(a);
	kill(daemon_pid, SIGUSR2);
	after = dump_all(a);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* b finds out at its next read: reconnected, its watch fires once,
	 * then for changes made from then on. */
	expect_event(b, "/u2", "t2");
	assert_int_equal(xsc_write_str(a, XSC_NO_TX, "/u2/y", "1"), 0);
	expect_event(b, "/u2/y", "t2");
	xsc_close(a);
	xsc_close(b);
	kill_daemon(SIGTERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill9_mid_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigusr2_mid_load, setup, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
