/*
 * test-monitor-lock.c - "exactly one monitor daemon" (monitor_daemon.c):
 * the pidfile lock is exclusive, dies with its holder (a crashed daemon
 * leaves a file, never a stale lock), and light_monitor_daemon_start runs
 * the daemon only when nobody holds it, reporting a daemon that fails.
 * Also lightmond itself: with the lock held it exits 0 at once without
 * touching Xen.  No Xen needed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "liblight.h"

static char dir[] = "/tmp/test-monitor-lock.XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	setenv("LIGHTSTACK_RUN_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char p[256];

	(void)state;
	snprintf(p, sizeof(p), "%s/lightmond.pid", dir);
	unlink(p);
	rmdir(dir);
	return 0;
}

static void test_pidfile_path(void **state)
{
	char p[256], want[256];

	(void)state;
	assert_int_equal(light_monitor_pidfile(p, sizeof(p)), 0);
	snprintf(want, sizeof(want), "%s/lightmond.pid", dir);
	assert_string_equal(p, want);
	assert_int_equal(light_monitor_pidfile(p, 8), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void test_lock_is_exclusive(void **state)
{
	int fd, fd2;

	(void)state;
	assert_int_equal(light_monitor_daemon_running(), 0);
	fd = light_monitor_lock();
	assert_true(fd >= 0);
	assert_int_equal(light_monitor_daemon_running(), 1);
	fd2 = light_monitor_lock();
	assert_int_equal(fd2, -1);
	assert_int_equal(errno, EBUSY);
	close(fd);
	assert_int_equal(light_monitor_daemon_running(), 0);
}

/* A holder that dies (as a crashed daemon would) frees the lock. */
static void test_lock_dies_with_holder(void **state)
{
	int go[2], st;
	char b;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = light_monitor_lock();

		b = fd >= 0 ? 'y' : 'n';
		if (write(go[1], &b, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(go[0], &b, 1), 1);
	assert_int_equal(b, 'y');
	assert_int_equal(light_monitor_daemon_running(), 1);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	assert_int_equal(light_monitor_daemon_running(), 0);
	close(go[0]);
	close(go[1]);
}

static struct light_ctx *ctx(void)
{
	char err[256];
	struct light_ctx *c = light_open(LIGHT_OPEN_NO_CTRL | LIGHT_OPEN_NO_XS,
	                                 err, sizeof(err));

	if (!c)
		fail_msg("light_open: %s", err);
	return c;
}

static void test_start(void **state)
{
	struct light_ctx *c = ctx();
	int fd;

	(void)state;
	/* No such program: refused, naming it. */
	setenv("LIGHTSTACK_LIGHTMOND", "/nonexistent/lightmond", 1);
	assert_int_equal(light_monitor_daemon_start(c), -1);
	assert_non_null(strstr(light_errmsg(c), "/nonexistent/lightmond"));
	/* A daemon that fails to start is reported. */
	setenv("LIGHTSTACK_LIGHTMOND", "/bin/false", 1);
	assert_int_equal(light_monitor_daemon_start(c), -1);
	assert_non_null(strstr(light_errmsg(c), "did not start"));
	/* One runs (we hold the lock): nothing is run, success. */
	fd = light_monitor_lock();
	assert_true(fd >= 0);
	assert_int_equal(light_monitor_daemon_start(c), 0);
	close(fd);
	/* A daemon that starts (here: one that just says so). */
	setenv("LIGHTSTACK_LIGHTMOND", "/bin/true", 1);
	assert_int_equal(light_monitor_daemon_start(c), 0);
	light_close(c);
}

/* lightmond with the lock held exits 0 at once: a second daemon never
 * runs, and whoever started it is told one runs. */
static void test_lightmond_second_instance(void **state)
{
	char cmd[512];
	const char *mond = getenv("LIGHTMOND");
	int fd;

	(void)state;
	if (!mond)
		skip();
	fd = light_monitor_lock();
	assert_true(fd >= 0);
	snprintf(cmd, sizeof(cmd), "LIGHTSTACK_RUN_DIR=%s %s", dir, mond);
	assert_int_equal(system(cmd), 0);
	close(fd);
	/* Bad usage: exit 2. */
	snprintf(cmd, sizeof(cmd), "%s -x 2>/dev/null", mond);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
	snprintf(cmd, sizeof(cmd), "%s extra 2>/dev/null", mond);
	assert_int_equal(WEXITSTATUS(system(cmd)), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pidfile_path),
		cmocka_unit_test(test_lock_is_exclusive),
		cmocka_unit_test(test_lock_dies_with_holder),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_lightmond_second_instance),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
