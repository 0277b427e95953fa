/*
 * XSA-419: nodes a guest created outside its home (where it had been let
 * write) outlived the guest, handed to dom0; a guest rebooting over and
 * over could so fill the store past any quota.  Upstream also kept the
 * store in a TDB file that grew without bound.
 * Stopped: a released domain's nodes are removed wherever they are
 * (unless -K is given), and the store lives in memory only (-I off is
 * refused, see daemon-spawn-test).  Tested: ten "reboots" each filling
 * the quota outside home leave the store's size where it started.
 */
#include "config.h"

#include "xsa.h"

static void test_reboots_do_not_accumulate(void **state)
{
	size_t start;
	char p[32];
	int boot, i;
	uint32_t t;

	(void)state;
	xsa_dom0_write("/shared", "");
	assert_string_equal(xsa_d0(XS_SET_PERMS, "/shared", "n0", "w5", NULL), "OK");
	xsd_quota.nodes = 20;
	start = xsd_db.count;
	for (boot = 0; boot < 10; boot++) {
		for (i = 0; i < 40; i++) {
			snprintf(p, sizeof(p), "/shared/b%d-%d", boot, i);
			if (strcmp(xsa_greq(&xsa_ring5, XS_WRITE, &t, p, "x", NULL), "OK"))
				break;
		}
		assert_true(i < 40);            /* the quota stopped it */
		xsa_release(5);
		assert_int_equal(xsd_db.count, start - 1);  /* its home went too */
		xsa_g5 = xsa_guest(5, &xsa_ring5);
		assert_string_equal(xsa_d0(XS_SET_PERMS, "/shared", "n0", "w5", NULL), "OK");
	}
	assert_int_equal(xsd_db.count, start);
	assert_string_equal(xsa_d0(XS_DIRECTORY, "/shared", NULL), "");
	xsa_others_served();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reboots_do_not_accumulate, xsa_setup, xsa_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
