/*
 * XSA-418: deleting a subtree, checking the store and building node
 * records recursed once per level; a guest that created a very deep
 * path (its quota allowing) could exhaust the daemon's stack.
 * Tested: a guest builds the deepest path its path-max allows (1024
 * levels of one-letter names), then removes it from the top, and dom0
 * does CONTROL check and a release over it; the daemon survives, the
 * nodes are gone and counted right.
 */
#include "config.h"

#include "xsa.h"

static char *deep_path(size_t levels)
{
	char *p = malloc(levels * 2 + 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < levels; i++) {
		p[2 * i] = 'a';
		p[2 * i + 1] = '/';
	}
	p[2 * levels - 1] = 0;
	return p;
}

static void build_deep(size_t levels)
{
	char *p = deep_path(levels);

	xsd_quota.nodes = (int)levels + 10;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, p, "bottom", NULL), "OK");
	assert_true(dacct_get(5)->nodes >= levels);
	free(p);
}

static void test_deep_remove(void **state)
{
	size_t levels = ((size_t)xsd_quota.path_max + 1) / 2;

	(void)state;
	build_deep(levels);
	assert_string_equal(xsa_d0(XS_CONTROL, "check", NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_RM, NULL, "a", NULL), "OK");
	assert_string_equal(xsa_d0(XS_READ, "/local/domain/5/a", NULL), "ENOENT");
	assert_int_equal(dacct_get(5)->nodes, xsa_owned(5));
	xsa_others_served();
}

static void test_deep_release(void **state)
{
	size_t levels = ((size_t)xsd_quota.path_max + 1) / 2;

	(void)state;
	build_deep(levels);
	xsa_release(5);
	assert_int_equal(xsa_owned(5), 0);
	xsa_others_served();
}

/* A watch on the top of the chain hears its removal once. */
static void test_deep_remove_with_watch(void **state)
{
	size_t levels = ((size_t)xsd_quota.path_max + 1) / 2;
	struct conn *w = conn_new(xsa_dom0->ops, -1, 0);
	struct xsd_sockmsg h = { XS_WATCH, 1, 0, 20 };

	(void)state;
	build_deep(levels);
	assert_non_null(w);
	process_request(w, &h, "/local/domain/5/a\0t\0");
	assert_int_equal(xsa_conn_events(w), 1);
	assert_string_equal(xsa_d0(XS_RM, "/local/domain/5/a", NULL), "OK");
	assert_int_equal(xsa_conn_events(w), 1);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deep_remove, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_deep_release, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_deep_remove_with_watch, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
