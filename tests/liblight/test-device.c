/*
 * test-device.c - the device framework (liblight/device.c) against a
 * real xenstored (ours, on a temporary socket): the layout and
 * permissions dev_write_pair leaves, EEXIST for a second write, the
 * backend-state wait (reached, timed out, the backend's own error,
 * closed), removal (handshake done, forced, timed out) leaving no node,
 * listing, and removing all of a domain's devices.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../xenstored/client-daemon.h"
#include "light_device.h"

static struct test_daemon daemon_;
static struct light_ctx *c;

#define DOM 7
#define BE "/local/domain/0/backend/vbd/7"
#define FE "/local/domain/7/device/vbd"

static int setup(void **state)
{
	char err[256];

	(void)state;
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
	(void)state;
	light_close(c);
	test_daemon_stop(&daemon_);
	return 0;
}

static char *rd(const char *path)
{
	return xsc_read(c->xs, XSC_NO_TX, path, NULL);
}

static void expect_node(const char *path, const char *want)
{
	char *v = rd(path);

	if (!v)
		fail_msg("%s: missing (%s)", path, strerror(errno));
	if (strcmp(v, want) != 0)
		fail_msg("%s: `%s', wanted `%s'", path, v, want);
	free(v);
}

static void expect_gone(const char *path)
{
	char *v = rd(path);

	if (v)
		fail_msg("%s: still there (`%s')", path, v);
	assert_int_equal(errno, ENOENT);
}

static void put(const char *path, const char *v)
{
	assert_int_equal(xsc_write_str(c->xs, XSC_NO_TX, path, v), 0);
}

static void expect_perms(const char *path, const char *want)
{
	struct xsc_perm *p;
	unsigned n = 0, i;
	char buf[128] = "", one[16];

	p = xsc_get_perms(c->xs, XSC_NO_TX, path, &n);
	assert_non_null(p);
	for (i = 0; i < n; i++) {
		assert_int_equal(xsc_perm_format(&p[i], one, sizeof(one)), 0);
		strcat(buf, i ? " " : "");
		strcat(buf, one);
	}
	free(p);
	if (strcmp(buf, want) != 0)
		fail_msg("%s: perms `%s', wanted `%s'", path, buf, want);
}

static void add_vbd(uint32_t devid)
{
	struct dev_id id = { "vbd", DOM, 0, devid };
	struct dev_nodes back = { 0 }, front = { 0 }, book = { 0 };

	assert_int_equal(dev_nodes_add(&back, "params", "/img/%u", devid), 0);
	assert_int_equal(dev_nodes_add(&front, "virtual-device", "%u", devid), 0);
	assert_int_equal(dev_nodes_add(&book, "lightstack-host", "none"), 0);
	if (dev_write_pair(c, &id, &back, &front, &book) < 0)
		fail_msg("dev_write_pair: %s", light_errmsg(c));
	dev_nodes_free(&back);
	dev_nodes_free(&front);
	dev_nodes_free(&book);
}

static void test_write_pair(void **state)
{
	struct dev_id id = { "vbd", DOM, 0, 51712 };

	(void)state;
	add_vbd(51712);
	expect_node(BE "/51712/frontend", FE "/51712");
	expect_node(BE "/51712/frontend-id", "7");
	expect_node(BE "/51712/online", "1");
	expect_node(BE "/51712/state", "1");
	expect_node(BE "/51712/params", "/img/51712");
	expect_node(FE "/51712/backend", BE "/51712");
	expect_node(FE "/51712/backend-id", "0");
	expect_node(FE "/51712/state", "1");
	expect_node(FE "/51712/virtual-device", "51712");
	expect_node("/libxl/7/device/vbd/51712/frontend", FE "/51712");
	expect_node("/libxl/7/device/vbd/51712/backend", BE "/51712");
	expect_node("/libxl/7/device/vbd/51712/lightstack-host", "none");
	/* libxl's permissions: the backend's own, readable by the guest;
	 * the frontend the guest's, readable by the backend. */
	expect_perms(BE "/51712", "n0 r7");
	expect_perms(BE "/51712/params", "n0 r7");
	expect_perms(FE "/51712", "n7 r0");
	expect_perms(FE "/51712/virtual-device", "n7 r0");
	expect_perms("/libxl/7/device/vbd/51712", "n0");

	/* The same device again is refused and changes nothing. */
	assert_int_equal(dev_write_pair(c, &id, NULL, NULL, NULL), -1);
	assert_int_equal(errno, EEXIST);
	assert_string_equal(light_errmsg(c), "vbd 51712 already exists in domain 7");
	expect_node(BE "/51712/params", "/img/51712");
}

static void test_list(void **state)
{
	uint32_t *ids;

	(void)state;
	add_vbd(51728);
	add_vbd(768);
	assert_int_equal(dev_list(c, "vbd", DOM, &ids), 3);
	assert_int_equal(ids[0], 768);
	assert_int_equal(ids[1], 51712);
	assert_int_equal(ids[2], 51728);
	free(ids);
	assert_int_equal(dev_list(c, "vbd", 99, &ids), 0);
	assert_null(ids);
}

static void test_wait(void **state)
{
	struct dev_id id = { "vbd", DOM, 0, 51712 };
	unsigned want = DEV_STATE_BIT(DEV_STATE_INITWAIT) | DEV_STATE_BIT(DEV_STATE_CONNECTED);
	int s = -1;

	(void)state;
	/* Nobody moves the state: a bounded wait that names it. */
	assert_int_equal(dev_wait_backend_state(c, &id, want, 300, &s), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(s, 1);
	assert_non_null(strstr(light_errmsg(c), "still in state 1"));

	put(BE "/51712/state", "2");
	assert_int_equal(dev_wait_backend_state(c, &id, want, 300, &s), 0);
	assert_int_equal(s, 2);
	put(BE "/51712/state", "4");
	assert_int_equal(dev_wait_backend_state(c, &id, want, 300, &s), 0);

	/* The driver's own error, where xenbus_dev_fatal puts it. */
	put(BE "/51712/state", "1");
	put("/local/domain/0/error/backend/vbd/7/51712/error", "2 opening /dev/loop9");
	assert_int_equal(dev_wait_backend_state(c, &id, want, 5000, &s), -1);
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(light_errmsg(c), "backend error: 2 opening /dev/loop9"));
	assert_int_equal(xsc_rm(c->xs, XSC_NO_TX, "/local/domain/0/error/backend/vbd/7/51712"), 0);

	/* A hotplug script's error. */
	put(BE "/51712/hotplug-error", "losetup failed");
	assert_int_equal(dev_wait_backend_state(c, &id, want, 5000, &s), -1);
	assert_non_null(strstr(light_errmsg(c), "backend error: losetup failed"));
	assert_int_equal(xsc_rm(c->xs, XSC_NO_TX, BE "/51712/hotplug-error"), 0);

	/* Closing without a word: an error, at once. */
	put(BE "/51712/state", "5");
	assert_int_equal(dev_wait_backend_state(c, &id, want, 5000, &s), -1);
	assert_int_equal(errno, EIO);
	assert_non_null(strstr(light_errmsg(c), "closed the device (state 5)"));
	put(BE "/51712/state", "4");
}

static void test_remove(void **state)
{
	struct dev_id id = { "vbd", DOM, 0, 51712 };
	struct dev_id id2 = { "vbd", DOM, 0, 51728 };
	struct dev_id none = { "vbd", DOM, 0, 51744 };

	(void)state;
	/* Connected and nobody answers the handshake: the bound runs out,
	 * the nodes go anyway (1). */
	assert_int_equal(dev_remove(c, &id, false, 300), 1);
	expect_gone(BE "/51712/state");
	expect_gone(FE "/51712/state");
	expect_gone("/libxl/7/device/vbd/51712/frontend");

	/* A backend that already closed: a clean removal (0), and online
	 * was set to 0 on the way. */
	put(BE "/51728/state", "6");
	assert_int_equal(dev_remove_one(c, &vbd_ops, &id2, false, 5000), 0);
	expect_gone(BE "/51728");
	expect_gone("/libxl/7/device/vbd/51728");

	/* Not there. */
	assert_int_equal(dev_remove_one(c, &vbd_ops, &none, false, 300), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(light_errmsg(c), "vbd 51744 does not exist in domain 7");

	/* The last one: the per-domain backend directory goes with it. */
	assert_int_equal(light_devices_remove_all(c, DOM), 0);
	expect_gone(BE "/768");
	expect_gone(BE);
	expect_gone("/libxl/7/device/vbd/768");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_pair),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_remove),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
