/*
 * test-devmodel.c - the PV device model's start and stop (devmodel.c)
 * against our xenstored on a temporary socket, with a shell script in
 * QEMU's place: it is given QEMU's arguments, so /proc/PID/cmdline holds
 * "-xen-domid D" as a real QEMU's does, and it reports "running" the way
 * QEMU does (device-model/D/state) unless told to fail or hang.
 *
 * Checked: the pid node and the wait for "running"; stop ends the process
 * and removes every node; a QEMU that exits at start or never reports is
 * an error naming it, with nothing left; a missing binary names the
 * package; a recorded pid that is not our QEMU is never signalled; the
 * qdisk params table.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../xenstored/client-daemon.h"
#include "light_device.h"

static struct test_daemon daemon_;
static struct light_ctx *c;
static char dir[] = "/tmp/test-devmodel.XXXXXX";
static char fake[sizeof(dir) + 16];

#define DOM 9
#define PIDNODE "/local/domain/0/libxl/9/qdisk-backend-pid"
#define STATENODE "/local/domain/0/device-model/9/state"

/* The stand-in: FAKE_QEMU_MODE=exit fails at once, =hang never reports. */
static const char fake_text[] =
	"#!/bin/sh\n"
	"d=$2\n"
	"case \"$FAKE_QEMU_MODE\" in\n"
	"exit) echo 'fake qemu: cannot open the disk' >&2; exit 1 ;;\n"
	"hang) ;;\n"
	"*) \"$XENSTORE_WRITE\" /local/domain/0/device-model/$d/state running ;;\n"
	"esac\n"
	"while :; do sleep 1; done\n";

static int setup(void **state)
{
	char err[256];
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(fake, sizeof(fake), "%s/qemu", dir);
	if (!(f = fopen(fake, "w")))
		return -1;
	fputs(fake_text, f);
	fclose(f);
	chmod(fake, 0755);
	if (!getenv("XENSTORE_WRITE")) {
		fprintf(stderr, "# XENSTORE_WRITE: not set (make check sets it)\n");
		return -1;
	}
	setenv("LIGHTSTACK_QEMU_XEN", fake, 1);
	setenv("LIGHTSTACK_DM_LOG_DIR", dir, 1);
	if (test_daemon_start(&daemon_) < 0)
		return -1;
	setenv("XENSTORED_PATH", daemon_.sock, 1);
	c = light_open(LIGHT_OPEN_NO_CTRL, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "# light_open: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[sizeof(dir) + 16];

	(void)state;
	light_close(c);
	test_daemon_stop(&daemon_);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	return 0;
}

static char *rd(const char *path)
{
	return xsc_read(c->xs, XSC_NO_TX, path, NULL);
}

static bool exists(const char *path)
{
	char *v = rd(path);

	free(v);
	return v != NULL;
}

static pid_t recorded(void)
{
	char *v = rd(PIDNODE);
	pid_t pid = v ? (pid_t)atol(v) : 0;

	free(v);
	return pid;
}

static void test_params(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(light_qdisk_params(NULL, "/srv/a.img", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "aio:/srv/a.img");
	assert_int_equal(light_qdisk_params("raw", "/a", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "aio:/a");
	assert_int_equal(light_qdisk_params("qcow2", "/b.qcow2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "qcow2:/b.qcow2");
	assert_int_equal(light_qdisk_params("vhd", "/c.vhd", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "vhd:/c.vhd");
	assert_int_equal(light_qdisk_params("raw", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "aio:");
	errno = 0;
	assert_int_equal(light_qdisk_params("vmdk", "/d", buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(light_qdisk_params("raw", "/a/long/path", buf, 8), -1);
	assert_int_equal(errno, ENAMETOOLONG);
}

static void test_start_stop(void **state)
{
	pid_t pid;
	int i;

	(void)state;
	unsetenv("FAKE_QEMU_MODE");
	assert_int_equal(light_devmodel_start(c, DOM, "guest"), 0);
	pid = recorded();
	assert_true(pid > 1);
	assert_int_equal(kill(pid, 0), 0);
	assert_true(light_devmodel_running(c, DOM));
	/* A second start finds it running and starts no other. */
	assert_int_equal(light_devmodel_start(c, DOM, "guest"), 0);
	assert_int_equal(recorded(), pid);

	light_devmodel_stop(c, DOM);
	/* It is not our child (double fork): wait for init to reap it. */
	for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
	assert_int_not_equal(kill(pid, 0), 0);
	assert_false(exists(PIDNODE));
	assert_false(exists("/local/domain/0/device-model/9"));
	assert_false(exists("/local/domain/0/libxl/9"));
	assert_false(light_devmodel_running(c, DOM));
}

static void test_exits_at_start(void **state)
{
	(void)state;
	setenv("FAKE_QEMU_MODE", "exit", 1);
	assert_int_equal(light_devmodel_start(c, DOM, "guest"), -1);
	assert_non_null(strstr(light_errmsg(c), "exited at start"));
	assert_non_null(strstr(light_errmsg(c), "cannot open the disk"));
	assert_false(exists(PIDNODE));
	assert_false(exists("/local/domain/0/device-model/9"));
	unsetenv("FAKE_QEMU_MODE");
}

static void test_never_running(void **state)
{
	(void)state;
	setenv("FAKE_QEMU_MODE", "hang", 1);
	setenv("LIGHTSTACK_DM_TIMEOUT_MS", "400", 1);
	assert_int_equal(light_devmodel_start(c, DOM, "guest"), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_non_null(strstr(light_errmsg(c), "did not report running"));
	assert_false(exists(PIDNODE));
	assert_false(exists(STATENODE));
	unsetenv("LIGHTSTACK_DM_TIMEOUT_MS");
	unsetenv("FAKE_QEMU_MODE");
}

static void test_missing_binary(void **state)
{
	(void)state;
	setenv("LIGHTSTACK_QEMU_XEN", "/nonexistent/qemu", 1);
	assert_int_equal(light_devmodel_start(c, DOM, "guest"), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(light_errmsg(c), "qemu-system-xen"));
	assert_false(exists(PIDNODE));
	setenv("LIGHTSTACK_QEMU_XEN", fake, 1);
}

/* A pid that is not a QEMU for this domain (here: this test) is never
 * taken for one, nor signalled. */
static void test_foreign_pid(void **state)
{
	char pid[16];

	(void)state;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(xsc_write_str(c->xs, XSC_NO_TX, PIDNODE, pid), 0);
	assert_false(light_devmodel_running(c, DOM));
	light_devmodel_stop(c, DOM);       /* would SIGTERM us if it believed it */
	assert_false(exists(PIDNODE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_start_stop),
		cmocka_unit_test(test_exits_at_start),
		cmocka_unit_test(test_never_running),
		cmocka_unit_test(test_missing_binary),
		cmocka_unit_test(test_foreign_pid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
