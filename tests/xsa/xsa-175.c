/*
 * XSA-175 and XSA-178: libxl read a device's frontend directory, which
 * the guest owns and may rewrite, and trusted what it found there: the
 * "backend" path (so a guest could point the toolstack at another
 * domain's backend, which it then listed, changed or removed), and,
 * with driver domains, backend paths the driver domain wrote.
 * Liblight derives every path from the device's identity (kind, domain,
 * number) and keeps its own record in /libxl/D (writable by the
 * toolstack only); it reads the guest's frontend only for the frontend's
 * own state.  Tested against our xenstored on a temporary socket: a
 * guest's device whose frontend claims another domain's backend (and
 * carries junk), then listing, removing and destroying: the other
 * domain's devices are untouched, and the guest's own are all gone.
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

static int setup(void **state)
{
	char err[256];

	(void)state;
	if (test_daemon_start(&daemon_) < 0)
		return -1;
	setenv("XENSTORED_PATH", daemon_.sock, 1);
	c = light_open(LIGHT_OPEN_NO_CTRL, err, sizeof(err));
	return c ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	light_close(c);
	test_daemon_stop(&daemon_);
	return 0;
}

static void put(const char *path, const char *v)
{
	assert_int_equal(xsc_write_str(c->xs, XSC_NO_TX, path, v), 0);
}

static char *rd(const char *path)
{
	return xsc_read(c->xs, XSC_NO_TX, path, NULL);
}

static void add_vbd(uint32_t dom, uint32_t devid)
{
	struct dev_id id = { "vbd", dom, 0, devid };
	struct dev_nodes back = { 0 }, front = { 0 }, book = { 0 };

	assert_int_equal(dev_nodes_add(&back, "params", "/img/%u-%u", dom, devid), 0);
	assert_int_equal(dev_nodes_add(&front, "virtual-device", "%u", devid), 0);
	assert_int_equal(dev_nodes_add(&book, "lightstack-host", "none"), 0);
	if (dev_write_pair(c, &id, &back, &front, &book) < 0)
		fail_msg("dev_write_pair: %s", light_errmsg(c));
	dev_nodes_free(&back);
	dev_nodes_free(&front);
	dev_nodes_free(&book);
}

/* Guest 7 rewrites its frontend to claim domain 8's disk. */
static void hostile_frontend(void)
{
	put("/local/domain/7/device/vbd/51712/backend",
	    "/local/domain/0/backend/vbd/8/51712");
	put("/local/domain/7/device/vbd/51712/backend-id", "8");
	put("/local/domain/7/device/vbd/51712/virtual-device", "../../8");
	put("/local/domain/7/device/vbd/51712/state", "99999999999");
	/* And a frontend for a device the toolstack never made. */
	put("/local/domain/7/device/vbd/51728/backend",
	    "/local/domain/0/backend/vbd/8/51712");
	put("/local/domain/7/device/vbd/51728/state", "4");
}

static void check_8_untouched(void)
{
	char *v = rd("/local/domain/0/backend/vbd/8/51712/params");

	assert_non_null(v);
	assert_string_equal(v, "/img/8-51712");
	free(v);
	v = rd("/local/domain/0/backend/vbd/8/51712/online");
	assert_non_null(v);
	assert_string_equal(v, "1");
	free(v);
	v = rd("/libxl/8/device/vbd/51712/lightstack-host");
	assert_non_null(v);
	free(v);
}

static void test_frontend_backend_path_not_trusted(void **state)
{
	struct dev_id id7 = { "vbd", 7, 0, 51712 };
	uint32_t *ids = NULL;
	char *v;

	(void)state;
	add_vbd(7, 51712);
	add_vbd(8, 51712);
	hostile_frontend();
	/* Listing: 7 has the one device the toolstack made. */
	assert_int_equal(dev_list(c, "vbd", 7, &ids), 1);
	assert_int_equal(ids[0], 51712);
	free(ids);
	/* Removing 7's device touches 8's not at all. */
	assert_true(dev_remove_one(c, &vbd_ops, &id7, true, 0) >= 0);
	check_8_untouched();
	v = rd("/local/domain/0/backend/vbd/7/51712");
	assert_null(v);
	assert_int_equal(errno, ENOENT);
}

static void test_destroy_path_not_trusted(void **state)
{
	char *v;

	(void)state;
	add_vbd(7, 51712);
	add_vbd(8, 51712);
	hostile_frontend();
	assert_int_equal(light_devices_remove_all(c, 7), 0);
	check_8_untouched();
	v = rd("/libxl/7/device/vbd/51712");
	assert_null(v);
	/* The frontend the guest invented is not taken for a device. */
	v = rd("/local/domain/0/backend/vbd/7/51728");
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frontend_backend_path_not_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_path_not_trusted, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
