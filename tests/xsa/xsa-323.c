/*
 * XSA-323 (oxenstored): the path length was checked before a relative
 * path got its "/local/domain/<id>/" prefix, so a guest could create
 * nodes nobody could read or list afterwards, dom0 included.
 * This daemon applies the limit once, to the canonical path (the part
 * below /local/domain/<id>/ against path-max, any other path whole), so a
 * node is reachable by its relative and absolute names alike, or by
 * neither.  The test creates paths at and just over the limit both ways.
 */
#include "config.h"

#include "xsa.h"

static char *path_of(const char *prefix, size_t below)
{
	size_t pl = strlen(prefix), i;
	char *p = malloc(pl + below + 1);

	assert_non_null(p);
	memcpy(p, prefix, pl);
	for (i = 0; i < below; i++)
		p[pl + i] = (i % 8 == 7) ? '/' : 'a';
	if (p[pl + below - 1] == '/')
		p[pl + below - 1] = 'b';
	p[pl + below] = 0;
	return p;
}

static void test_at_limit_reachable_both_ways(void **state)
{
	size_t max = (size_t)xsd_quota.path_max;
	char *rel = path_of("", max), *abs = path_of("/local/domain/5/", max);

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, NULL, rel, "v", NULL), "OK");
	assert_string_equal(xsa_greq(&xsa_ring5, XS_READ, NULL, abs, NULL), "v");
	assert_string_equal(xsa_d0(XS_READ, abs, NULL), "v");
	assert_string_equal(xsa_d0(XS_RM, abs, NULL), "OK");
	free(rel);
	free(abs);
	xsa_others_served();
}

static void test_over_limit_refused_both_ways(void **state)
{
	size_t max = (size_t)xsd_quota.path_max;
	char *rel = path_of("", max + 1), *abs = path_of("/local/domain/5/", max + 1);
	uint32_t t;

	(void)state;
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, rel, "v", NULL), "EINVAL");
	assert_int_equal(t, XS_ERROR);
	assert_string_equal(xsa_greq(&xsa_ring5, XS_WRITE, &t, abs, "v", NULL), "EINVAL");
	assert_string_equal(xsa_d0(XS_WRITE, abs, "v", NULL), "EINVAL");
	/* Nothing was left half made. */
	assert_string_equal(xsa_d0(XS_DIRECTORY, "/local/domain/5", NULL), "");
	free(rel);
	free(abs);
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_at_limit_reachable_both_ways, xsa_setup, xsa_teardown),
		cmocka_unit_test_setup_teardown(test_over_limit_refused_both_ways, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
