/*
 * test-mem.c - liblight's memory rules without Xen: which targets are
 * refused (above static-max; Dom0 below its floor), what a create needs
 * from Xen's free memory, xl.conf's autoballoon spellings, the
 * dom0_mem= test behind "auto", and a context's autoballoon mode.
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

#include "liblight.h"

static void test_target_range(void **state)
{
	char err[200];

	(void)state;
	/* A guest: anything up to static-max, 0 included (as libxl). */
	assert_int_equal(light_memory_check_target(3, 262144, 262144, err,
	    sizeof(err)), 0);
	assert_int_equal(light_memory_check_target(3, 0, 262144, err,
	    sizeof(err)), 0);
	err[0] = '\0';
	errno = 0;
	assert_int_equal(light_memory_check_target(3, 262148, 262144, err,
	    sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "memory_dynamic_max must be less than "
	    "or equal to memory_static_max"));
	assert_non_null(strstr(err, "262148"));

	/* Dom0: not below 128 MiB, and not above its static-max either. */
	assert_int_equal(light_memory_check_target(0, 131072, 1048576, err,
	    sizeof(err)), 0);
	errno = 0;
	assert_int_equal(light_memory_check_target(0, 131068, 1048576, err,
	    sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "for dom0 is below the minimum threshold"));
	assert_int_equal(light_memory_check_target(0, 1048580, 1048576, err,
	    sizeof(err)), -1);
	/* The floor is Dom0's alone. */
	assert_int_equal(light_memory_check_target(1, 65536, 1048576, err,
	    sizeof(err)), 0);
}

static void test_need_memory(void **state)
{
	struct light_domain_config dc;

	(void)state;
	memset(&dc, 0, sizeof(dc));
	/* 128 MiB + 1 MiB extra, rounded up to 2 MiB: 130 MiB. */
	dc.target_memkb = 131072;
	dc.max_memkb = 262144;
	assert_int_equal(light_domain_need_memory_kb(&dc), 133120);
	/* 127 MiB + 1 MiB is already a multiple of 2 MiB. */
	dc.target_memkb = 130048;
	assert_int_equal(light_domain_need_memory_kb(&dc), 131072);
	/* maxmem does not count: only the target is allocated. */
	dc.max_memkb = 4194304;
	assert_int_equal(light_domain_need_memory_kb(&dc), 131072);
}

static void test_autoballoon_parse(void **state)
{
	static const char *const bad[] = {
		"", "ON", "yes", "true", "2", "on ", " off", "-1", "autox",
	};
	enum light_autoballoon m;
	size_t i;

	(void)state;
	assert_int_equal(light_autoballoon_parse("on", &m), 0);
	assert_int_equal(m, LIGHT_AUTOBALLOON_ON);
	assert_int_equal(light_autoballoon_parse("1", &m), 0);
	assert_int_equal(m, LIGHT_AUTOBALLOON_ON);
	assert_int_equal(light_autoballoon_parse("off", &m), 0);
	assert_int_equal(m, LIGHT_AUTOBALLOON_OFF);
	assert_int_equal(light_autoballoon_parse("0", &m), 0);
	assert_int_equal(m, LIGHT_AUTOBALLOON_OFF);
	assert_int_equal(light_autoballoon_parse("auto", &m), 0);
	assert_int_equal(m, LIGHT_AUTOBALLOON_AUTO);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = LIGHT_AUTOBALLOON_ON;
		errno = 0;
		if (light_autoballoon_parse(bad[i], &m) != -1 || errno != EINVAL)
			fail_msg("`%s' accepted", bad[i]);
		assert_int_equal(m, LIGHT_AUTOBALLOON_ON);
	}
	assert_int_equal(light_autoballoon_parse(NULL, &m), -1);
}

static void test_cmdline(void **state)
{
	(void)state;
	assert_true(light_cmdline_has_dom0_mem("dom0_mem=1024M,max:1024M"));
	assert_true(light_cmdline_has_dom0_mem("console=com1 dom0_mem=1G "
	    "noreboot"));
	assert_true(light_cmdline_has_dom0_mem("x mydom0_mem=1 dom0_mem=2G"));
	assert_false(light_cmdline_has_dom0_mem(""));
	assert_false(light_cmdline_has_dom0_mem("console=com1 noreboot"));
	assert_false(light_cmdline_has_dom0_mem("xdom0_mem=1G"));
	assert_false(light_cmdline_has_dom0_mem("dom0_mem 1G"));
	assert_false(light_cmdline_has_dom0_mem("dom0_max_vcpus=2"));
}

static void test_ctx_mode(void **state)
{
	struct light_ctx *c;
	char err[256];

	(void)state;
	c = light_open(LIGHT_OPEN_NO_CTRL | LIGHT_OPEN_NO_XS, err, sizeof(err));
	assert_non_null(c);
	/* A new context is "auto", which needs Xen's command line. */
	errno = 0;
	assert_int_equal(light_autoballoon_enabled(c), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(light_set_autoballoon(c, LIGHT_AUTOBALLOON_ON), 0);
	assert_int_equal(light_autoballoon_enabled(c), 1);
	assert_int_equal(light_set_autoballoon(c, LIGHT_AUTOBALLOON_OFF), 0);
	assert_int_equal(light_autoballoon_enabled(c), 0);
	errno = 0;
	assert_int_equal(light_set_autoballoon(c, (enum light_autoballoon)7), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(light_autoballoon_enabled(c), 0);
	/* Without the connections the memory calls say so, not crash. */
	errno = 0;
	assert_int_equal(light_memory_set_target(c, 1, 131072), -1);
	assert_int_equal(errno, ENOTCONN);
	errno = 0;
	assert_int_equal(light_memory_get(c, 1, NULL, NULL), -1);
	assert_int_equal(errno, ENOTCONN);
	light_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_range),
		cmocka_unit_test(test_need_memory),
		cmocka_unit_test(test_autoballoon_parse),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_ctx_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
