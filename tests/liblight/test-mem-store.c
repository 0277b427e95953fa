/*
 * test-mem-store.c - light_memory_get against a real xenstored (ours, on
 * a temporary socket), without Xen: a guest's target and static-max are
 * read as KiB, a missing node is ENOENT naming it, a node that is not a
 * number is EINVAL naming it, and Dom0's missing nodes need Xen to be
 * filled in (ENOTCONN here, nothing written).
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
#include "light_internal.h"

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

static void put(const char *path, const char *v)
{
	if (xsc_write_str(c->xs, XSC_NO_TX, path, v) < 0)
		fail_msg("write %s: %s", path, strerror(errno));
}

static void test_guest(void **state)
{
	uint64_t t = 1, m = 1;

	(void)state;
	put("/local/domain/7/memory/target", "131072");
	put("/local/domain/7/memory/static-max", "262144");
	assert_int_equal(light_memory_get(c, 7, &t, &m), 0);
	assert_int_equal(t, 131072);
	assert_int_equal(m, 262144);
	/* Either output may be left out. */
	t = 1;
	assert_int_equal(light_memory_get(c, 7, &t, NULL), 0);
	assert_int_equal(t, 131072);
}

static void test_missing(void **state)
{
	uint64_t t = 5;

	(void)state;
	put("/local/domain/8/memory/target", "131072");
	errno = 0;
	assert_int_equal(light_memory_get(c, 8, &t, NULL), -1);
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(light_errmsg(c), "/local/domain/8/memory/static-max"));
	assert_int_equal(t, 5);
}

static void test_not_a_number(void **state)
{
	static const char *const bad[] = { "12x", "-1", "", " 5", "0x10" };
	uint64_t t = 5;
	size_t i;

	(void)state;
	put("/local/domain/9/memory/static-max", "262144");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("/local/domain/9/memory/target", bad[i]);
		errno = 0;
		if (light_memory_get(c, 9, &t, NULL) != -1 || errno != EINVAL)
			fail_msg("target `%s' accepted", bad[i]);
		assert_non_null(strstr(light_errmsg(c), "/local/domain/9/memory/target"));
		assert_int_equal(t, 5);
	}
}

static void test_dom0_needs_xen(void **state)
{
	char *v;

	(void)state;
	errno = 0;
	assert_int_equal(light_memory_get(c, 0, NULL, NULL), -1);
	assert_int_equal(errno, ENOTCONN);
	/* The aborted transaction wrote nothing. */
	v = xsc_read(c->xs, XSC_NO_TX, "/local/domain/0/memory/target", NULL);
	assert_null(v);
	/* With both nodes there, Dom0 reads like any domain. */
	put("/local/domain/0/memory/target", "1048576");
	put("/local/domain/0/memory/static-max", "1048576");
	assert_int_equal(light_memory_get(c, 0, NULL, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_not_a_number),
		cmocka_unit_test(test_dom0_needs_xen),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
